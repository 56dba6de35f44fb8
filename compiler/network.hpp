// A workload as the compiler sees it: a graph of int8 layers over named tensors, with every
// weight present and every requantization decided. Read from YAML by compiler/workload.cpp
// (docs/workloads.md); compiled to a program by compiler/compile.cpp; executed directly by
// the reference executor (compiler/reference_executor.cpp) to check the simulator.
//
// Integer semantics of every layer are those of docs/arithmetic.md; the exact definition
// of each layer kind is in docs/workloads.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::compiler {

/// Per-sample shape of an activation tensor (the batch is the network's): {features} for
/// vectors, {steps, features} for sequences, {height, width, channels} for feature maps.
using Shape = std::vector<std::uint32_t>;

std::uint64_t elements(const Shape& shape);
std::string to_string(const Shape& shape);  // "[14, 14, 256]"

/// An int8 tensor with its batch: data is batch-major, then row-major over `shape`.
struct Tensor {
    Shape shape;
    std::uint32_t batch = 1;
    std::vector<std::int8_t> data;
};

enum class LayerKind {
    FullyConnected,   // y = act(requant(x . W)), x flattened (or each step, per_step); W: [in_features, units]
    Conv2d,           // NHWC, W: [kh, kw, cin, cout]
    DepthwiseConv2d,  // W: [kh, kw, channels] (channel multiplier 1)
    MaxPool,          // window x window, stride
    AvgPool,          // window x window, stride; rounding of docs/arithmetic.md
    Lstm,             // input {steps, features}; output {steps, hidden} of the last stacked layer
    Add,              // element-wise, two inputs of equal shape, with vector_shift
    Multiply,         // element-wise, two inputs of equal shape, with vector_shift
    Flatten,          // {h, w, c} or {s, f} to {h*w*c}: no data movement in row-major order
    Concat,           // along the last axis (channels or features)
};
const char* kind_name(LayerKind kind);

/// The nonlinearity applied after requantization (isa::Function values).
enum class Activation : std::uint8_t { None = 0, Relu = 1, Sigmoid = 2, Tanh = 3 };

/// int32 sums become int8 as sat8(round_half_up(sum * multiplier / 2^shift)).
struct Requant {
    std::int32_t multiplier = 1;
    std::uint32_t shift = 0;
};

struct LstmParams {
    std::uint32_t hidden = 0;
    std::uint32_t layers = 1;  // stacked
    /// Per stacked layer l: W_x [in_l, 4*hidden] and W_h [hidden, 4*hidden], gate order
    /// i, f, g, o along the 4*hidden axis; in_0 = input features, in_l = hidden after.
    std::vector<std::vector<std::int8_t>> w_x, w_h;
    /// Maps gate sums to the Q3.4 input of sigmoid and tanh.
    Requant gate_requant;
};

struct Layer {
    std::string name;
    LayerKind kind = LayerKind::FullyConnected;
    std::vector<std::string> inputs;  // tensor names: network inputs or earlier layers
    std::string source;               // "file:line" of its definition, for messages

    // FullyConnected
    std::uint32_t units = 0;
    bool per_step = false;  // on a sequence {steps, features}: the same layer at every step
    // Conv2d / DepthwiseConv2d / pools
    std::uint32_t filters = 0;               // Conv2d output channels
    std::uint32_t kernel_h = 1, kernel_w = 1;  // also the pooling window
    std::uint32_t stride_h = 1, stride_w = 1;
    std::uint32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
    std::uint32_t dilation_h = 1, dilation_w = 1;
    // Lstm
    LstmParams lstm;
    // Add / Multiply
    std::uint32_t vector_shift = 0;

    std::vector<std::int8_t> weights;  // FullyConnected, Conv2d, DepthwiseConv2d
    Activation activation = Activation::None;
    Requant requant;                   // layers with weights, and pools' identity path
    Shape out_shape;                   // filled by shape inference
};

struct NetworkInput {
    std::string name;
    Shape shape;
    Tensor data;         // batch x shape int8 values
    std::string source;  // "file:line" of its definition, for messages
};

struct Network {
    std::string name;
    std::string source;  // the workload file
    std::uint32_t batch = 1;
    std::vector<NetworkInput> inputs;
    std::vector<Layer> layers;         // in an order where every input comes first
    std::vector<std::string> outputs;  // tensor names written back to the host
};

}  // namespace tpusim::compiler
