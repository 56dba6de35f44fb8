// The yardstick for the functional model's speed: a plain int8 x int8 -> int32 matrix
// product on the host, independent of the simulator's own kernel (sim/int8_dot.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace tpusim::bench {

/// y (m x n, row-major) = x (m x k, row-major) * w (k x n), with w stored by columns
/// (`w_cols` is n x k: column j of w is w_cols[j*k .. j*k + k)). Products and sums in int32.
void plain_int8_matmul(const std::int8_t* x, std::size_t m, const std::int8_t* w_cols, std::size_t k, std::size_t n,
                       std::int32_t* y);

}  // namespace tpusim::bench
