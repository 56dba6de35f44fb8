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

std::vector<std::int8_t> random_int8(std::uint64_t seed, const std::string& stream, std::size_t count,
                                     RandomRange range) {
    // std::mt19937_64's output sequence is fixed by the C++ standard; distributions are
    // not, which is why the bytes are taken directly.
    std::mt19937_64 engine(fnv1a_64(std::to_string(seed) + "/" + stream));
    // The bytes of each 64-bit word from the lowest; a skipped byte writes nothing, and the
    // bytes of the last word beyond `count` are dropped. Written branch-free while a whole
    // word fits: the weights of a large workload are tens of millions of bytes.
    std::vector<std::int8_t> out(count);
    const bool symmetric = range == RandomRange::Symmetric;
    std::size_t i = 0;
    while (i + 8 <= count) {
        std::uint64_t word = engine();
        for (int b = 0; b < 8; ++b, word >>= 8) {
            const auto v = static_cast<std::int8_t>(static_cast<std::uint8_t>(word & 0xff));
            out[i] = v;
            i += !(symmetric && v == -128);
        }
    }
    while (i < count) {
        std::uint64_t word = engine();
        for (int b = 0; b < 8 && i < count; ++b, word >>= 8) {
            const auto v = static_cast<std::int8_t>(static_cast<std::uint8_t>(word & 0xff));
            if (symmetric && v == -128) continue;
            out[i++] = v;
        }
    }
    return out;
}

Requant auto_requant(std::uint64_t reduction, Activation activation) {
    // A sum of K products of independent values, weights uniform over -127..127 (RMS
    // 73.6), has an RMS of 73.6 * sqrt(K) times the RMS of the inputs. Dividing by
    // 74 * sqrt(K) keeps the RMS of a layer's output equal to its input's; a ReLU halves
    // the power, so 52 (74 / sqrt 2) keeps it through a ReLU; sigmoid and tanh read their
    // int8 input as Q3.4 (value / 16), so 296 (4 x 74) puts a typical input at about
    // +-1.5 where both functions are still far from flat. Deep networks of random weights
    // then neither fade to zero nor pile up at the saturation limits.
    const std::uint64_t c = activation == Activation::Relu ? 52 : activation == Activation::None ? 74 : 296;
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
