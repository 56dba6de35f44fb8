// Weights, MACs and layer counts of a Network computed from its shapes alone, in the
// counting convention of tpuv1_published.hpp. Independent of the compiler backend, which
// computes its own LayerStats; the two are compared elsewhere.
#pragma once

#include "compiler/network.hpp"
#include "compiler/shape_inference.hpp"

#include <cstdint>

namespace tpusim::compiler::testing {

struct Stats {
    std::uint64_t weights = 0;       // distinct weights
    std::uint64_t macs = 0;          // useful multiply-accumulates, whole batch
    std::uint64_t weight_bytes = 0;  // bytes read from weight memory
    std::uint32_t fc = 0, conv = 0, vector = 0, pool = 0;
    double macs_per_weight_byte() const { return weight_bytes ? double(macs) / double(weight_bytes) : 0.0; }
    void add(const Stats& o) {
        weights += o.weights;
        macs += o.macs;
        weight_bytes += o.weight_bytes;
        fc += o.fc;
        conv += o.conv;
        vector += o.vector;
        pool += o.pool;
    }
};

inline Stats layer_stats(const Network& net, const Layer& l) {
    Stats s;
    const Shape& in = tensor_shape(net, l.inputs[0]);
    const std::uint64_t batch = net.batch;
    switch (l.kind) {
    case LayerKind::FullyConnected:
        s.fc = 1;
        s.weights = (l.per_step ? in.back() : elements(in)) * l.units;
        s.macs = batch * (l.per_step ? in[0] : 1) * s.weights;
        s.weight_bytes = s.weights;
        break;
    case LayerKind::Conv2d:
    case LayerKind::DepthwiseConv2d: {
        s.conv = 1;
        s.weights = std::uint64_t{l.kernel_h} * l.kernel_w * in[2] * (l.kind == LayerKind::Conv2d ? l.filters : 1);
        s.macs = batch * std::uint64_t{l.out_shape[0]} * l.out_shape[1] * s.weights;
        s.weight_bytes = s.weights;
        break;
    }
    case LayerKind::MaxPool:
    case LayerKind::AvgPool: s.pool = 1; break;
    case LayerKind::Add:
    case LayerKind::Multiply: s.vector = 1; break;
    case LayerKind::Lstm: {
        const std::uint64_t h = l.lstm.hidden, steps = in[0];
        for (std::uint64_t k = 0; k < l.lstm.layers; ++k) s.weights += ((k == 0 ? in[1] : h) + h) * 4 * h;
        s.fc = 4 * l.lstm.layers;
        s.vector = 5 * l.lstm.layers;
        s.macs = batch * steps * s.weights;
        s.weight_bytes = steps * s.weights;  // re-read every time step
        break;
    }
    case LayerKind::Flatten:
    case LayerKind::Concat: break;
    }
    return s;
}

inline Stats network_stats(const Network& net) {
    Stats total;
    for (const auto& l : net.layers) total.add(layer_stats(net, l));
    return total;
}

}  // namespace tpusim::compiler::testing
