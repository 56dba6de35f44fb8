#include "compiler/generated_values.hpp"

#include <cmath>
#include <random>

namespace tpusim::compiler {

std::uint64_t fnv1a_64(const std::string& text) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::vector<std::int8_t> random_int8(std::uint64_t seed, const std::string& stream, std::size_t count) {
    // std::mt19937_64's output sequence is fixed by the C++ standard; distributions are
    // not, which is why the bytes are taken directly.
    std::mt19937_64 engine(fnv1a_64(std::to_string(seed) + "/" + stream));
    std::vector<std::int8_t> out(count);
    for (std::size_t i = 0; i < count; i += 8) {
        std::uint64_t word = engine();
        for (std::size_t b = 0; b < 8 && i + b < count; ++b, word >>= 8)
            out[i + b] = static_cast<std::int8_t>(static_cast<std::uint8_t>(word & 0xff));
    }
    return out;
}

Requant auto_requant(std::uint64_t reduction, Activation activation) {
    // A sum of K products of independent values spread like uniform int8 (RMS 73.9) has
    // an RMS of 73.9 * sqrt(K) times the RMS of the inputs. Dividing by 74 * sqrt(K) keeps
    // the RMS of a layer's output equal to its input's; a ReLU halves the power, so 52
    // (74 / sqrt 2) keeps it through a ReLU. Deep networks of random weights then neither
    // fade to zero nor pile up at the saturation limits.
    const std::uint64_t c = activation == Activation::Relu ? 52 : 74;
    const std::uint64_t c2k = c * c * (reduction == 0 ? 1 : reduction);
    std::uint32_t e = 0;
    while ((std::uint64_t{1} << (2 * e)) < c2k) ++e;  // 4^e >= c^2 K, exactly in integers
    Requant r;
    r.shift = 8 + e;
    const double divisor = static_cast<double>(c) * std::sqrt(static_cast<double>(reduction == 0 ? 1 : reduction));
    r.multiplier = static_cast<std::int32_t>(std::floor(std::ldexp(1.0, static_cast<int>(r.shift)) / divisor + 0.5));
    return r;
}

}  // namespace tpusim::compiler
