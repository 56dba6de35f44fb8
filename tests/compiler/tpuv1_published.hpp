// Table 1 of Jouppi et al., "In-Datacenter Performance Analysis of a Tensor Processing
// Unit" (ISCA 2017): the six production workloads whose shapes workloads/tpuv1/*.yaml
// reconstruct. Only these numbers are published; docs/workloads.md says what each
// reconstruction assumed.
//
// Counting convention of the reconstructions (the paper does not define one):
//   fc      = fc layers + 4 per stacked LSTM layer (one per gate i, f, g, o)
//   conv    = conv2d + depthwise_conv2d layers
//   pool    = max_pool + avg_pool layers
//   vector  = add + multiply layers + 5 per stacked LSTM layer (f*c, i*g, their sum,
//             tanh(c), o*tanh(c): the element-wise work of one cell)
//   flatten and concat move no data through an arithmetic unit and are not counted.
// MACs per weight byte counts every weight byte read from weight memory: LSTM weights are
// read again at every time step; convolution weights once per batch.
#pragma once

#include <array>
#include <cstdint>

namespace tpusim::compiler::published {

struct Tpuv1Workload {
    const char* app;            // also the file name: workloads/tpuv1/<app>.yaml
    std::uint32_t fc, conv, vector, pool;
    std::uint64_t weights;      // as published: 20 M means 20,000,000
    double macs_per_weight_byte;
    std::uint32_t batch;
    double max_ub_mib;          // published maximum unified-buffer use
};

inline const std::array<Tpuv1Workload, 6>& tpuv1_workloads() {
    static const std::array<Tpuv1Workload, 6> table{{
        {"mlp0", 5, 0, 0, 0, 20'000'000, 200, 200, 11.0},
        {"mlp1", 4, 0, 0, 0, 5'000'000, 168, 168, 2.3},
        {"lstm0", 24, 0, 34, 0, 52'000'000, 64, 64, 4.8},
        {"lstm1", 37, 0, 19, 0, 34'000'000, 96, 96, 4.5},
        {"cnn0", 0, 16, 0, 0, 8'000'000, 2888, 8, 1.5},
        {"cnn1", 4, 72, 0, 13, 100'000'000, 1750, 32, 13.9},
    }};
    return table;
}

/// The published figures are given to two or three significant digits; a reconstruction
/// must match weights and MACs per weight byte within this fraction.
constexpr double kTolerance = 0.05;

/// CNN1's four FC layers run at this intensity (the batch), as the paper notes.
constexpr double kCnn1FcMacsPerWeightByte = 32;

}  // namespace tpusim::compiler::published
