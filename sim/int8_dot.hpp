// The inner loop of the functional model: int8 x int8 products summed in 32 bits, a block
// of input vectors against a weight tile. Kept in its own translation unit, compiled with
// -O3, with three kernels, the best the CPU runs chosen at run time:
//  * with AVX-512 VNNI, a register-blocked product on int8 operands (vpdpbusd, 64
//    multiply-adds an instruction), the tile packed once per switch into groups of four
//    rows;
//  * with AVX2, the same register-blocked form on operands widened to int16 (vpmaddwd, 16
//    multiply-adds an instruction), the tile packed into pairs of rows;
//  * on any x86-64, dot products on operands widened to int16, the tile transposed once
//    per switch, cloned for AVX-512, AVX2 and the baseline so that the compiler's
//    vectorized multiply-add does the work.
// All are exact, so which one runs changes no result (tests/sim/int8_dot_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tpusim::sim {

/// Operand length rounded up so that every vector loop runs whole: widened rows are
/// padded with zeros to this.
inline std::size_t padded_length(std::size_t n) { return (n + 31) / 32 * 32; }

/// y[r * cols + c] = sum_{i < n} x[r * n + i] * w[c * n + i] for r < rows, c < cols: `rows`
/// input vectors against `cols` weight columns, each `n` long (a padded_length). Exact:
/// |x * w| <= 2^14, so sums of up to 2^17 products fit in 32 bits.
void int16_dots(const std::int16_t* x, std::size_t rows, const std::int16_t* w, std::size_t n, std::size_t cols,
                std::int32_t* y);

/// A weight tile held in the layout of a kernel, and its product with blocks of input vectors.
class Int8TileProduct {
public:
    enum class Kernel {
        Vnni512,  // AVX-512 VNNI, int8 operands
        Avx2,     // AVX2, operands widened to int16
        Int16,    // any x86-64, operands widened to int16
    };
    /// Whether this CPU (and OS) runs `kernel`.
    static bool supported(Kernel kernel);
    /// The fastest kernel this CPU runs.
    static Kernel best();
    explicit Int8TileProduct(Kernel kernel = best()) : kernel_(kernel) {}
    Kernel kernel() const { return kernel_; }

    /// Takes a rows x cols tile (rows <= 2^16): weight (r, c) at w[r * stride + c].
    void load(const std::int8_t* w, std::size_t rows, std::size_t cols, std::size_t stride);
    /// For b < count and c < cols: out[b][c] = (accumulate ? out[b][c] : 0) + sum_{r < rows}
    /// x[b][r] * w(r, c), in 32 bits wrapping modulo 2^32 (docs/arithmetic.md). The products'
    /// sum itself is exact: no sum of at most 2^16 int8 products overflows.
    void multiply(const std::int8_t* const* x, std::size_t count, std::int32_t* const* out, bool accumulate);

    std::size_t rows() const { return rows_; }
    std::size_t cols() const { return cols_; }

private:
    Kernel kernel_;
    std::size_t rows_ = 0, cols_ = 0;
    std::size_t k_ = 0;                 // rows padded to the kernel's step
    std::size_t cp_ = 0;                // Vnni512, Avx2: columns padded to whole vectors
    std::vector<std::int16_t> wide_t_;  // Int16: cols x k, transposed and widened
    std::vector<std::int8_t> packed_;   // Vnni512: [k / 4][cp][4], four rows of a column together
    std::vector<std::int32_t> bias_;    // Vnni512: 128 x each column's sum, for the offset inputs
    std::vector<std::int16_t> pairs_;   // Avx2: [k / 2][cp][2], two rows of a column together
    std::vector<std::int16_t> x16_;     // Int16, Avx2: the inputs widened
    std::vector<std::int32_t> y_;       // Int16: their products with the tile
    std::vector<std::uint8_t> xu_;      // Vnni512: the inputs + 128, as unsigned bytes
};

}  // namespace tpusim::sim
