#include "compiler/network.hpp"

namespace tpusim::compiler {

std::uint64_t elements(const Shape& shape) {
    std::uint64_t n = 1;
    for (std::uint32_t d : shape) n *= d;
    return n;
}

std::string to_string(const Shape& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) out += (i == 0 ? "" : ", ") + std::to_string(shape[i]);
    return out + "]";
}

const char* kind_name(LayerKind kind) {
    // The words workload files use for `type` (docs/workloads.md).
    switch (kind) {
    case LayerKind::FullyConnected: return "fc";
    case LayerKind::Conv2d: return "conv2d";
    case LayerKind::DepthwiseConv2d: return "depthwise_conv2d";
    case LayerKind::MaxPool: return "max_pool";
    case LayerKind::AvgPool: return "avg_pool";
    case LayerKind::Lstm: return "lstm";
    case LayerKind::Add: return "add";
    case LayerKind::Multiply: return "multiply";
    case LayerKind::Flatten: return "flatten";
    case LayerKind::Concat: return "concat";
    }
    return "?";
}

}  // namespace tpusim::compiler
