// The inner loop of the functional model: int8 x int8 products summed in 32 bits, on
// operands widened to int16 once (a weight tile when it is switched in, an input vector
// when it enters). Kept in its own translation unit, compiled with -O3 and cloned for
// AVX-512, AVX2 and the x86-64 baseline (chosen at run time), so that the compiler's
// vectorized multiply-add does the work.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tpusim::sim {

/// Operand length rounded up so that every vector loop runs whole: widened rows are
/// padded with zeros to this.
inline std::size_t padded_length(std::size_t n) { return (n + 31) / 32 * 32; }

/// y[r * cols + c] = sum_{i < n} x[r * n + i] * w[c * n + i] for r < rows, c < cols: `rows`
/// input vectors against `cols` weight columns, each `n` long (a padded_length). Exact:
/// |x * w| <= 2^14, so sums of up to 2^17 products fit in 32 bits.
void int16_dots(const std::int16_t* x, std::size_t rows, const std::int16_t* w, std::size_t n, std::size_t cols,
                std::int32_t* y);

}  // namespace tpusim::sim
