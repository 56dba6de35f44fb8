// Random networks for the exactness tests: every layer kind, sizes that are not multiples
// of the array, strides, padding, dilation, pools, branches joined by add, multiply and
// concat, and small LSTMs. Shapes are always valid; the values are random int8.
#pragma once

#include "compiler/network.hpp"

#include <cstdint>
#include <random>
#include <string>

namespace tpusim::compiler::testing {

struct RandomLimits {
    std::uint32_t max_batch = 4;
    std::uint32_t max_side = 9;       // feature map height and width
    std::uint32_t max_channels = 20;  // channels, features and units
    std::uint32_t max_steps = 5;      // sequence length
    std::uint32_t max_hidden = 12;    // LSTM hidden size
    std::uint32_t max_layers = 6;
    std::uint32_t chunk = 8;  // sizes are often multiples of it (the array's chunk)
    /// Only one feature-map input and a chain of convolutions, depthwise convolutions and
    /// pools, each reading the one before, the last the only output: the networks whose
    /// maps the compiler can spill to host memory (docs/compiler.md, "Spilling").
    bool map_chain = false;
    /// With map_chain: also residual additions, the last map plus an earlier one of the same
    /// shape (convolutions often keep the shape so that there is one), mostly with an
    /// activation: the operands a residual block keeps alive across its convolutions.
    bool residual = false;
};

/// A shape-checked random network (infer_shapes has run); `seed` names it in messages.
Network random_network(std::uint32_t seed, const RandomLimits& limits);

/// One line per layer, enough to rebuild the network by hand when a test fails.
std::string describe(const Network& network);

}  // namespace tpusim::compiler::testing
