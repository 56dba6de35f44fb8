// The points of a sweep and the chip file of each. A point's chip is the base chip file
// with the swept parameters replaced, read again by config::parse_chip_config, so every
// check a hand-written chip file gets applies to it too; a point whose chip fails a check
// is kept and reported with the reason (docs/sweeps.md).
#pragma once

#include "config/chip_config.hpp"
#include "sweep/sweep_file.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::sweep {

/// A swept parameter's value at one point.
struct Override {
    config::ParamSpec spec;
    std::uint64_t value = 0;  // in spec.unit (a choice: the index of its word)
    /// As a chip file would write it: "8.5 GB/s", "64", "int16".
    std::string text() const;
};

struct Point {
    std::string id;  // "p007" in the grid's order; "base" for the base chip added to the grid
    /// Per axis: the index of its scale or value, or kAtBase where the axis is not varied
    /// at this point (the other axes of a one-at-a-time sweep, the added base point).
    std::vector<int> setting;
    std::vector<Override> overrides;  // every swept parameter, in swept_params() order
    bool is_base = false;             // every swept parameter has the base chip's value
};

constexpr int kAtBase = -1;

/// Every parameter some axis sets, each once, in the order the axes first name them.
std::vector<config::ParamSpec> swept_params(const SweepFile& sweep);

/// `base` times `scale`, rounded to the nearest whole base unit (halves up), exactly.
/// Saturates at the largest 64-bit value; the config's range check then rejects it.
std::uint64_t scale_value(std::uint64_t base, const Scale& scale);

/// Every point of the sweep, in order. Product: every combination, the first axis varying
/// slowest. One-at-a-time: the base point first, then each axis's settings with the other
/// axes at the base, leaving out settings equal to the base. In both, the first point
/// equal to the base chip is marked is_base; if there is none, one with id "base" is
/// appended, so that every sweep has a reference for its speedups.
std::vector<Point> expand_grid(const SweepFile& sweep, const config::ChipConfig& base);

/// The chip file of a point: `base_yaml` with the overrides written in, after `comment`
/// (lines, each turned into a YAML comment). Comments of the base file are not kept.
std::string point_chip_yaml(const std::string& base_yaml, const std::vector<Override>& overrides,
                            const std::string& comment);

/// What identifies a chip's timing: every parameter except its name, one per line. Two
/// points with the same key are the same chip and run once.
std::string chip_key(const config::ChipConfig& chip);

}  // namespace tpusim::sweep
