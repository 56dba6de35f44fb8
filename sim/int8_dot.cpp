#include "sim/int8_dot.hpp"

namespace tpusim::sim {

// Four input rows at a time: each weight column is loaded once for all four.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void int16_dots(const std::int16_t* x, std::size_t rows, const std::int16_t* w, std::size_t n, std::size_t cols,
                std::int32_t* y) {
    std::size_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        const std::int16_t *x0 = x + r * n, *x1 = x0 + n, *x2 = x1 + n, *x3 = x2 + n;
        for (std::size_t c = 0; c < cols; ++c) {
            const std::int16_t* wc = w + c * n;
            std::int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const std::int32_t wi = wc[i];
                s0 += std::int32_t{x0[i]} * wi;
                s1 += std::int32_t{x1[i]} * wi;
                s2 += std::int32_t{x2[i]} * wi;
                s3 += std::int32_t{x3[i]} * wi;
            }
            y[r * cols + c] = s0;
            y[(r + 1) * cols + c] = s1;
            y[(r + 2) * cols + c] = s2;
            y[(r + 3) * cols + c] = s3;
        }
    }
    for (; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
            const std::int16_t *xr = x + r * n, *wc = w + c * n;
            std::int32_t s = 0;
            for (std::size_t i = 0; i < n; ++i) s += std::int32_t{xr[i]} * std::int32_t{wc[i]};
            y[r * cols + c] = s;
        }
}

}  // namespace tpusim::sim
