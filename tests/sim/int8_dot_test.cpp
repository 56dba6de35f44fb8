// Both kernels of the functional model's inner loop (sim/int8_dot.hpp) compute exactly the
// plain sum of int8 products, for tile shapes and input counts that are not multiples of
// any vector or block size, with the extreme values -128 and 127 included. The simulator
// uses whichever kernel the CPU runs best; the functional tests check the whole model with
// that one, these check each kernel the CPU can run on its own.
#include "sim/int8_dot.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

using tpusim::sim::Int8TileProduct;

namespace {

/// y = x w with straight loops, in 64 bits.
std::vector<std::int32_t> plain(const std::vector<std::int8_t>& x, std::size_t x_stride, std::size_t count,
                                const std::vector<std::int8_t>& w, std::size_t stride, std::size_t rows,
                                std::size_t cols) {
    std::vector<std::int32_t> y(count * cols);
    for (std::size_t b = 0; b < count; ++b)
        for (std::size_t c = 0; c < cols; ++c) {
            std::int64_t s = 0;
            for (std::size_t r = 0; r < rows; ++r) s += std::int64_t{x[b * x_stride + r]} * w[r * stride + c];
            y[b * cols + c] = static_cast<std::int32_t>(s);
        }
    return y;
}

std::vector<Int8TileProduct::Kernel> kernels_here() {
    std::vector<Int8TileProduct::Kernel> k;
    for (const auto kernel : {Int8TileProduct::Kernel::Vnni512, Int8TileProduct::Kernel::Avx2, Int8TileProduct::Kernel::Int16})
        if (Int8TileProduct::supported(kernel)) k.push_back(kernel);
    return k;
}

}  // namespace

TEST_CASE("each kernel computes the plain int8 product exactly", "[int8_dot]") {
    std::mt19937 rng(7);
    auto pick = [&](std::size_t lo, std::size_t hi) { return std::uniform_int_distribution<std::size_t>(lo, hi)(rng); };
    for (const auto kernel : kernels_here()) {
        Int8TileProduct product(kernel);
        CAPTURE(static_cast<int>(kernel));
        for (int trial = 0; trial < 200; ++trial) {
            // Mostly random shapes; every tenth the largest tile with all extremes.
            const bool extreme = trial % 10 == 0;
            const std::size_t rows = extreme ? 256 : pick(1, 300), cols = extreme ? 256 : pick(1, 300);
            const std::size_t stride = cols + pick(0, 3), count = pick(1, 70), x_stride = rows + pick(0, 5);
            std::vector<std::int8_t> w(rows * stride), x(count * x_stride);
            const int mode = static_cast<int>(pick(0, 2));  // extreme: -128s, 127s against -128s, or mixed
            auto value = [&](bool is_weight) {
                if (!extreme) return static_cast<std::int8_t>(pick(0, 255) - 128);
                if (mode == 0) return std::int8_t{-128};
                if (mode == 1) return is_weight ? std::int8_t{127} : std::int8_t{-128};
                return pick(0, 1) ? std::int8_t{127} : std::int8_t{-128};
            };
            for (auto& v : w) v = value(true);
            for (auto& v : x) v = value(false);
            CAPTURE(trial, rows, cols, stride, count, x_stride);
            product.load(w.data(), rows, cols, stride);
            // Inputs and outputs as separate rows, as the matrix unit passes them.
            auto rows_of = [](auto& v, std::size_t n, std::size_t stride_) {
                std::vector<decltype(v.data())> p(n);
                for (std::size_t i = 0; i < n; ++i) p[i] = v.data() + i * stride_;
                return p;
            };
            const std::size_t y_stride = cols + 7;
            std::vector<std::int32_t> y(count * y_stride, 12345);
            product.multiply(rows_of(x, count, x_stride).data(), count, rows_of(y, count, y_stride).data(), false);
            const auto expected = plain(x, x_stride, count, w, stride, rows, cols);
            for (std::size_t b = 0; b < count; ++b) {
                CAPTURE(b);
                REQUIRE(std::vector<std::int32_t>(&y[b * y_stride], &y[b * y_stride] + cols) ==
                        std::vector<std::int32_t>(&expected[b * cols], &expected[(b + 1) * cols]));
                // Nothing beyond the tile's columns is written.
                REQUIRE(std::all_of(&y[b * y_stride + cols], &y[(b + 1) * y_stride], [](std::int32_t v) { return v == 12345; }));
            }
            // The same tile again with other inputs, accumulating into sums near the limits
            // of 32 bits: the addition wraps modulo 2^32.
            const std::size_t count2 = pick(1, 9);
            std::vector<std::int8_t> x2(count2 * x_stride);
            for (auto& v : x2) v = value(false);
            std::vector<std::int32_t> y2(count2 * cols);
            for (auto& v : y2) v = pick(0, 1) ? std::numeric_limits<std::int32_t>::max() - static_cast<std::int32_t>(pick(0, 9))
                                              : std::numeric_limits<std::int32_t>::min() + static_cast<std::int32_t>(pick(0, 9));
            auto expected2 = plain(x2, x_stride, count2, w, stride, rows, cols);
            for (std::size_t i = 0; i < y2.size(); ++i)
                expected2[i] = static_cast<std::int32_t>(static_cast<std::uint32_t>(expected2[i]) + static_cast<std::uint32_t>(y2[i]));
            product.multiply(rows_of(x2, count2, x_stride).data(), count2, rows_of(y2, count2, cols).data(), true);
            REQUIRE(y2 == expected2);
        }
    }
}
