// Shape inference and validation: the first compiler pass. It fills every layer's
// out_shape and rejects everything the later passes and the reference executor assume
// cannot happen (docs/workloads.md lists the rules). Errors are CompileError with one line
// "file:line: layer "name" (kind): field: what is wrong".
#pragma once

#include "compiler/network.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tpusim::compiler {

/// Lets the workload reader complete each layer as inference reaches it, when the shapes
/// of its inputs are known (they exist and have the rank the kind needs):
///   Resolve: before the layer is checked, e.g. to turn "same" padding into pads;
///   Values:  after its output shape is checked, to create its weights and requantization.
/// The weight sizes are checked after the Values call.
enum class HookStage { Resolve, Values };
using LayerHook = std::function<void(HookStage stage, Layer& layer, const std::vector<Shape>& inputs)>;

/// Fills Layer::out_shape for every layer and checks the whole network.
void infer_shapes(Network& network, const LayerHook& hook = {});

/// The per-sample shape of a network input or layer output (after infer_shapes).
/// Throws CompileError when no tensor has that name.
const Shape& tensor_shape(const Network& network, const std::string& name);

/// The weight arrays `layer` needs when its first input has shape `input`, in the order
/// they are stored: FullyConnected {K, units}; Conv2d {kh, kw, cin, filters};
/// DepthwiseConv2d {kh, kw, channels}; Lstm {in_l, 4*hidden} then {hidden, 4*hidden} for
/// each stacked layer l; nothing for the other kinds.
std::vector<Shape> weight_shapes(const Layer& layer, const Shape& input);

/// Number of products summed into one output value (the K of `requant: auto`): K for
/// FullyConnected, kh*kw*cin for Conv2d, kh*kw for DepthwiseConv2d, features + hidden for
/// the gates of an Lstm's first stacked layer; 0 for kinds without weights.
std::uint64_t reduction_size(const Layer& layer, const Shape& input);

/// Tensor names are 1 to 64 characters of [A-Za-z0-9_.-] so that they can name files
/// (`tpusim run --out DIR` writes DIR/<name>.npy) and appear unquoted in reports.
bool is_valid_name(const std::string& name);

/// "a conv2d", "an lstm": the kind's word with its article, for messages.
std::string kind_with_article(LayerKind kind);

/// "file:line: layer "name" (kind)": how messages about `layer` start.
std::string describe_layer(const Network& network, const Layer& layer);

}  // namespace tpusim::compiler
