#include "sim/activation_math.hpp"

#include "isa/instruction.hpp"

#include <cmath>

namespace tpusim::sim {

namespace {

/// Input x is Q3.4 (x / 16); output is the value times 128, rounded half away from zero
/// and saturated to int8.
std::array<std::int8_t, 256> build_table(double (*f)(double)) {
    std::array<std::int8_t, 256> t{};
    for (int x = -128; x < 128; ++x) t[static_cast<std::size_t>(x + 128)] = saturate8(std::llround(128.0 * f(x / 16.0)));
    return t;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double tanh_fn(double x) { return std::tanh(x); }

}  // namespace

const std::array<std::int8_t, 256>& activation_table(std::uint64_t function) {
    static const auto tables = [] {
        std::array<std::array<std::int8_t, 256>, 4> t{};
        for (int x = -128; x < 128; ++x) {
            t[0][static_cast<std::size_t>(x + 128)] = static_cast<std::int8_t>(x);
            t[1][static_cast<std::size_t>(x + 128)] = static_cast<std::int8_t>(x < 0 ? 0 : x);
        }
        t[2] = build_table(sigmoid);
        t[3] = build_table(tanh_fn);
        return t;
    }();
    return tables[function];
}

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void activate_row(const std::int32_t* a, std::size_t n, const ActivationRegisters& r,
                  const std::array<std::int8_t, 256>& table, std::int8_t* out) {
    const std::int64_t multiplier = r.requant_multiplier;
    const std::uint32_t shift = r.requant_shift;
    for (std::size_t i = 0; i < n; ++i) out[i] = saturate8(requantize(a[i], multiplier, shift));
    for (std::size_t i = 0; i < n; ++i) out[i] = table[static_cast<std::size_t>(out[i] + 128)];
}

}  // namespace tpusim::sim
