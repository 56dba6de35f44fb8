// The reference executor: runs a Network straight from the layer definitions of
// docs/workloads.md with plain loops over every output value. No tiling, no chip, no code
// shared with the compiler backend, so a compiled program that agrees with it agrees for
// independent reasons. Slow on purpose: it is an oracle, not a runtime.
#pragma once

#include "compiler/network.hpp"

#include <map>
#include <string>

namespace tpusim::compiler {

/// Every tensor of the network: its inputs and every layer's output, by name. The network
/// must have passed infer_shapes (load_workload does that); the executor derives each
/// output shape again from the definitions and throws std::logic_error if it disagrees
/// with Layer::out_shape.
std::map<std::string, Tensor> execute_reference(const Network& network);

}  // namespace tpusim::compiler
