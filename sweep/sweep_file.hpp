// A sweep file: which chip to start from, which workloads to run on it, and which chip
// parameters to vary (docs/sweeps.md). Parsing checks everything that can be checked
// without running anything, with the same one-line file:line:column messages as chip
// files: unknown keys (with a suggestion), chip parameters that do not exist, values in
// the wrong unit or out of the parameter's range, a parameter swept twice.
#pragma once

#include "config/param_reader.hpp"
#include "isa/error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::sweep {

/// A sweep file that cannot be used. The message starts with file:line:column.
class SweepError : public Error {
public:
    using Error::Error;
};

/// A scale factor as written ("0.25"), kept as an exact decimal fraction so that a scaled
/// value is computed without any floating-point rounding before the final one.
struct Scale {
    std::string text;
    std::uint64_t numerator = 1;
    std::uint64_t denominator = 1;  // a power of ten
    double value() const;
    bool is_one() const { return numerator == denominator; }
};

/// One dimension of the grid: several chip parameters varied together, either each
/// multiplied by the same factors (`scale`) or each set to the same values (`values`).
struct Axis {
    std::string label;                     // `label`, else the parameters joined by "+"
    std::vector<config::ParamSpec> params;
    std::vector<Scale> scales;             // a scale axis
    std::vector<std::string> values;       // a values axis: as written ("16MiB", "int16")
    std::string place;                     // "file:line:column" of the axis, for messages

    bool is_scale() const { return !scales.empty(); }
    std::size_t size() const { return is_scale() ? scales.size() : values.size(); }
};

enum class Combine {
    Product,     // every combination of the axes' settings
    OneAtATime,  // each axis varied alone, every other parameter at the base config's value
};

struct SweepFile {
    std::string source;                  // the path as given, for messages
    std::string name;
    std::string base;                    // chip file, resolved against the sweep file's directory
    std::vector<std::string> workloads;  // workload files, resolved likewise
    bool data = false;                   // run the arithmetic too (cycle counts are the same)
    Combine combine = Combine::Product;
    std::vector<Axis> axes;
};

/// The name a workload's results go under: its file name without directory and extension.
std::string workload_name(const std::string& path);

/// Reads sweep YAML from memory; `source` stands for the file in messages, and relative
/// paths in it are resolved against `source`'s directory.
SweepFile parse_sweep(const std::string& yaml_text, const std::string& source);

/// Reads a sweep file. Throws SweepError for any problem, including an unreadable file.
SweepFile load_sweep(const std::string& path);

}  // namespace tpusim::sweep
