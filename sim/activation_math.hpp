// The activation unit's integer arithmetic (docs/arithmetic.md): requantization of 32-bit
// sums to int8, the nonlinearities as 256-entry tables, pooling and element-wise ops.
#pragma once

#include "sim/activation_registers.hpp"

#include <array>
#include <cstdint>

namespace tpusim::sim {

/// round-half-up((a * multiplier) / 2^shift) in 64 bits, before saturation.
inline std::int64_t requantize(std::int32_t a, std::int64_t multiplier, std::uint32_t shift) {
    const std::int64_t p = static_cast<std::int64_t>(a) * multiplier;
    return shift == 0 ? p : (p + (std::int64_t{1} << (shift - 1))) >> shift;
}

inline std::int8_t saturate8(std::int64_t v) {
    return static_cast<std::int8_t>(v < -128 ? -128 : v > 127 ? 127 : v);
}

/// out[x + 128] for every int8 input x of the nonlinearity `function` (isa::Function).
const std::array<std::int8_t, 256>& activation_table(std::uint64_t function);

/// Requantization, saturation and the function's table applied to a[0..n), into out[0..n):
/// a whole accumulator row, requantized in one loop that the compiler vectorizes (cloned
/// for AVX-512, AVX2 and the baseline), then looked up.
void activate_row(const std::int32_t* a, std::size_t n, const ActivationRegisters& r,
                  const std::array<std::int8_t, 256>& table, std::int8_t* out);

/// Average of `n` int8 values summing to `sum`, rounded half away from zero.
inline std::int8_t pool_average(std::int64_t sum, std::int64_t n) {
    const std::int64_t q = (2 * (sum < 0 ? -sum : sum) + n) / (2 * n);
    return static_cast<std::int8_t>(sum < 0 ? -q : q);
}

}  // namespace tpusim::sim
