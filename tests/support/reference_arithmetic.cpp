#include "tests/support/reference_arithmetic.hpp"

#include <algorithm>
#include <cmath>

namespace tpusim::reference {

std::int8_t saturate8(std::int64_t x) {
    return static_cast<std::int8_t>(std::clamp<std::int64_t>(x, -128, 127));
}

std::int64_t round_shift(std::int64_t x, unsigned shift) {
    const std::int64_t divisor = std::int64_t{1} << shift;
    const std::int64_t rounded = shift > 0 ? x + divisor / 2 : x;
    // Floor division spelled out: C++17 leaves >> of a negative value to the implementation,
    // and / truncates toward zero.
    std::int64_t quotient = rounded / divisor;
    if (rounded % divisor != 0 && rounded < 0) {
        quotient -= 1;
    }
    return quotient;
}

std::int64_t requantize(std::int32_t a, std::int32_t multiplier, unsigned shift) {
    // |a * multiplier| <= 2^62 and the rounding term <= 2^61, so int64 cannot overflow.
    return round_shift(std::int64_t{a} * std::int64_t{multiplier}, shift);
}

std::int64_t round_half_away(double x) {
    return static_cast<std::int64_t>(std::round(x));  // std::round rounds halves away from zero
}

namespace {

template <typename F>
std::array<std::int8_t, 256> build_table(F f) {
    std::array<std::int8_t, 256> table{};
    for (int i = 0; i < 256; ++i) {
        const double x = static_cast<double>(i - 128) / 16.0;  // Q3.4
        table[static_cast<std::size_t>(i)] = saturate8(round_half_away(128.0 * f(x)));
    }
    return table;
}

}  // namespace

const std::array<std::int8_t, 256>& sigmoid_table() {
    static const std::array<std::int8_t, 256> table =
        build_table([](double x) { return 1.0 / (1.0 + std::exp(-x)); });
    return table;
}

const std::array<std::int8_t, 256>& tanh_table() {
    static const std::array<std::int8_t, 256> table =
        build_table([](double x) { return std::tanh(x); });
    return table;
}

std::int8_t apply_function(isa::Function function, std::int64_t requantized) {
    const std::int8_t x = saturate8(requantized);
    const auto index = static_cast<std::size_t>(x + 128);
    switch (function) {
    case isa::Function::Identity:
        return x;
    case isa::Function::Relu:
        return std::max<std::int8_t>(x, 0);
    case isa::Function::Sigmoid:
        return sigmoid_table()[index];
    case isa::Function::Tanh:
        return tanh_table()[index];
    }
    return x;  // not reached: the interpreter rejects other function codes first
}

std::uint64_t pool_extent(std::uint64_t input, std::uint32_t size, std::uint32_t stride) {
    return (input - size) / stride + 1;
}

std::int8_t average_round(std::int32_t sum, std::uint32_t count) {
    const std::int64_t magnitude = sum < 0 ? -std::int64_t{sum} : std::int64_t{sum};
    const std::int64_t q = (2 * magnitude + count) / (2 * std::int64_t{count});
    return static_cast<std::int8_t>(sum < 0 ? -q : q);
}

std::vector<std::int8_t> pool_rows(const std::vector<std::int8_t>& values, std::uint32_t cols,
                                   isa::Pool kind, const PoolWindow& window) {
    const std::uint64_t in_w = window.input_width;
    const std::uint64_t in_h = values.size() / cols / in_w;
    const std::uint32_t k = window.size;
    const std::uint32_t s = window.stride;
    const std::uint64_t out_h = pool_extent(in_h, k, s);
    const std::uint64_t out_w = pool_extent(in_w, k, s);

    std::vector<std::int8_t> out(out_h * out_w * cols);
    for (std::uint64_t oy = 0; oy < out_h; ++oy) {
        for (std::uint64_t ox = 0; ox < out_w; ++ox) {
            for (std::uint32_t c = 0; c < cols; ++c) {
                std::int32_t maximum = -128;
                std::int32_t sum = 0;
                for (std::uint64_t y = oy * s; y < oy * s + k; ++y) {
                    for (std::uint64_t x = ox * s; x < ox * s + k; ++x) {
                        const std::int32_t v = values[(y * in_w + x) * cols + c];
                        maximum = std::max(maximum, v);
                        sum += v;
                    }
                }
                const std::int8_t result = kind == isa::Pool::Max
                                               ? static_cast<std::int8_t>(maximum)
                                               : average_round(sum, k * k);
                out[(oy * out_w + ox) * cols + c] = result;
            }
        }
    }
    return out;
}

std::int8_t vector_element(isa::VectorOp op, std::int8_t a, std::int8_t b, unsigned shift) {
    const std::int64_t p = op == isa::VectorOp::Add ? std::int64_t{a} + b : std::int64_t{a} * b;
    return saturate8(round_shift(p, shift));
}

}  // namespace tpusim::reference
