// Tiling of a MatmulOp's output grid into accumulator blocks, and of one block's products
// into matrix_multiply / convolve instructions.
//
// A block is the set of output rows that stay in the accumulators while every term of a
// job accumulates into them: whole samples if a sample's grid fits, else slices of rows,
// else slices of one row. With pooling, blocks hold whole pooling windows (slices are cut
// at pooled-row boundaries). A block never exceeds half the accumulators, so the next
// block's products can run while the activation unit drains this one.
#pragma once

#include "compiler/layout.hpp"
#include "compiler/lowered.hpp"
#include "isa/instruction.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace tpusim::compiler {

struct Block {
    std::uint32_t n0 = 0, n1 = 0;    // samples
    std::uint32_t gy0 = 0, gy1 = 0;  // grid rows
    std::uint32_t gx0 = 0, gx1 = 0;  // grid columns
    std::uint32_t py0 = 0, py1 = 0;  // pooled rows written (the grid rows without pooling)
    std::uint32_t px0 = 0, px1 = 0;  // pooled columns written
    std::uint64_t rows() const { return std::uint64_t{n1 - n0} * (gy1 - gy0) * (gx1 - gx0); }
};

/// Blocks of at most `capacity` accumulator rows covering `batch` samples of a
/// grid_h x grid_w grid; empty if even one pooling window does not fit.
std::vector<Block> partition(std::uint32_t batch, std::uint32_t grid_h, std::uint32_t grid_w, const Pooling& pool,
                             std::uint32_t capacity);

/// The blocks of `op` for `batch` samples: at most half the accumulators each, so that
/// activate drains one while the next is computed; but if all samples' outputs fit the
/// whole accumulators and not half, one block takes them all, so that each weight tile is
/// read once per pass rather than once per block (not for an op that reads or writes a
/// spilled tensor: there, whole-accumulator blocks would make its staging as large as the
/// map). Never more than `op.block_cap` rows if that is set. Empty if a pooling window
/// cannot fit.
std::vector<Block> op_blocks(const MatmulOp& op, const Target& target, std::uint32_t batch);

/// The instructions that stream the vectors of an access pattern through the array:
/// vector j of the pattern (dims outermost first, UB stride in stream 0, accumulator stride
/// in stream 1, accumulator rows consecutive) goes to accumulator row acc + j. Each
/// instruction is a plain matrix_multiply or the convolve form; flags are left to the caller.
std::vector<isa::Instruction> product_instructions(std::int64_t ub_row, std::int64_t acc_row,
                                                   const std::vector<Dim>& dims);

}  // namespace tpusim::compiler
