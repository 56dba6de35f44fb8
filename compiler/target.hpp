// The handful of chip facts the compiler works with, derived once from the chip config.
#pragma once

#include "config/chip_config.hpp"

#include <cstdint>

namespace tpusim::compiler {

struct Target {
    std::uint32_t rows = 0;       // R: input-vector length, weight tile rows
    std::uint32_t cols = 0;       // C: output-vector length, weight tile columns
    std::uint32_t chunk = 0;      // T = min(R, C): features per UB row of an activation tensor
    std::uint64_t row_bytes = 0;  // W = max(R, C): bytes per UB row and per host transfer row
    std::uint64_t ub_rows = 0;
    std::uint32_t acc_rows = 0;
    std::uint32_t fifo_depth = 0;  // weight FIFO slots (the shadow buffer holds one more tile)
    std::uint64_t weight_bytes = 0;

    std::uint32_t acc_half() const { return acc_rows / 2; }
    /// The largest accumulator block that still leaves room for the next one: half the
    /// accumulators (all of a single-entry accumulator array).
    std::uint32_t block_rows() const { return acc_rows < 2 ? acc_rows : acc_rows / 2; }
};

inline Target target_of(const config::ChipConfig& chip) {
    Target t;
    t.rows = chip.matrix.rows;
    t.cols = chip.matrix.cols;
    t.chunk = chip.matrix.rows < chip.matrix.cols ? chip.matrix.rows : chip.matrix.cols;
    t.row_bytes = chip.ub_row_bytes();
    t.ub_rows = chip.ub_rows();
    t.acc_rows = chip.acc.entries;
    t.fifo_depth = chip.fifo.depth_tiles;
    t.weight_bytes = chip.weight_memory.capacity_bytes;
    return t;
}

}  // namespace tpusim::compiler
