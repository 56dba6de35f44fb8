// The inner loop of the functional model: an int8 x int8 dot product summed in 32 bits.
// Kept in its own translation unit, compiled with -O3 so that the compiler vectorizes it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tpusim::sim {

/// sum_{i<n} a[i] * b[i]; exact for n <= 131072 (|a*b| <= 2^14, so the sum fits 31 bits).
std::int32_t int8_dot(const std::int8_t* a, const std::int8_t* b, std::size_t n);

}  // namespace tpusim::sim
