#include "plain_matmul.hpp"

namespace tpusim::bench {

// One dot product per output over two contiguous int8 rows, summed in int32: the form a
// compiler vectorizes best without help (widening multiply-adds and a reduction; about
// 1.5x the i-k-j loop order on the benchmark machine). No blocking, no intrinsics. Built
// at -O3 with the same instruction-set clones as the simulator's kernel, so both get the
// host's vector units.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void plain_int8_matmul(const std::int8_t* x, std::size_t m, const std::int8_t* w_cols, std::size_t k, std::size_t n,
                       std::int32_t* y) {
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            const std::int8_t *xi = x + i * k, *wj = w_cols + j * k;
            std::int32_t s = 0;
            for (std::size_t p = 0; p < k; ++p) s += std::int32_t{xi[p]} * std::int32_t{wj[p]};
            y[i * n + j] = s;
        }
}

}  // namespace tpusim::bench
