// The integer arithmetic of the activation and vector paths, written as plainly as
// docs/arithmetic.md states it. Part of the reference interpreter (a test oracle): it
// shares no code with sim/, so that the two can be compared.
#pragma once

#include "isa/instruction.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace tpusim::reference {

/// clamp(x, -128, 127).
std::int8_t saturate8(std::int64_t x);

/// floor((x + rnd) / 2^shift) with rnd = 2^(shift-1) for shift > 0 and 0 for shift 0:
/// rounds to nearest, halves toward +infinity. shift must be 0..62 and x + rnd must not
/// overflow int64.
std::int64_t round_shift(std::int64_t x, unsigned shift);

/// round_shift(int64(a) * multiplier, shift): the requantized value before saturation.
std::int64_t requantize(std::int32_t a, std::int32_t multiplier, unsigned shift);

/// x rounded to the nearest integer, halves away from zero.
std::int64_t round_half_away(double x);

/// Entry i is the output for the int8 input x = i - 128, read as Q3.4 (x / 16):
/// clamp(round_half_away(128 * f(x / 16)), -128, 127).
const std::array<std::int8_t, 256>& sigmoid_table();
const std::array<std::int8_t, 256>& tanh_table();

/// The activation function applied to a requantized value: the int8 Activate writes
/// before pooling.
std::int8_t apply_function(isa::Function function, std::int64_t requantized);

/// Pooling grid and window. The input is `input_width` pixels wide; its height is
/// implied by the row count.
struct PoolWindow {
    std::uint64_t input_width = 1;
    std::uint32_t size = 1;
    std::uint32_t stride = 1;
};

/// Output extent along one axis: (input - size) / stride + 1 (floor); needs input >= size.
std::uint64_t pool_extent(std::uint64_t input, std::uint32_t size, std::uint32_t stride);

/// sum / count rounded to nearest, halves away from zero.
std::int8_t average_round(std::int32_t sum, std::uint32_t count);

/// Pools `values` (rows of `cols` int8, row-major, pixel (y, x) in row y * input_width + x)
/// into out_h * out_w rows, pixel (oy, ox) in row oy * out_w + ox. The row count must be
/// a multiple of input_width and both grid edges at least window.size.
std::vector<std::int8_t> pool_rows(const std::vector<std::int8_t>& values, std::uint32_t cols,
                                   isa::Pool kind, const PoolWindow& window);

/// One byte of a Vector instruction: saturate8(round_shift(a op b, shift)).
std::int8_t vector_element(isa::VectorOp op, std::int8_t a, std::int8_t b, unsigned shift);

}  // namespace tpusim::reference
