#include "sim/int8_dot.hpp"

namespace tpusim::sim {

std::int32_t int8_dot(const std::int8_t* a, const std::int8_t* b, std::size_t n) {
    std::int32_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += static_cast<std::int16_t>(a[i]) * static_cast<std::int16_t>(b[i]);
    return sum;
}

}  // namespace tpusim::sim
