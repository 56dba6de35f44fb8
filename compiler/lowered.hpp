// The lowered program: what the layers of a network become on the chip, before any
// address or batch size is fixed. Every layer with weights, every pool, copy and
// concatenation becomes a MatmulOp (matrix products into the accumulators, then activate);
// Add, Multiply and the LSTM's cell arithmetic become VectorSteps. docs/compiler.md has
// the picture of each.
#pragma once

#include "compiler/compile.hpp"
#include "compiler/layout.hpp"
#include "compiler/network.hpp"
#include "compiler/target.hpp"
#include "compiler/weight_layout.hpp"
#include "isa/instruction.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::compiler {

/// A tensor as stored: a range of chunks of a buffer.
struct UbTensor {
    std::string name;
    Shape shape;  // logical per-sample shape
    int buffer = -1;
    std::uint32_t chunk0 = 0;             // its first chunk within the buffer
    std::uint32_t features = 0;           // values per position as stored (the last axis)
    std::uint32_t height = 1, width = 1;  // positions as stored
    /// A Flatten of a multi-position tensor: rank 1 logically, but its chunks follow the
    /// positions of its source. Only fully connected layers and output transfers read it.
    bool flat_view = false;
    int producer = -1;  // layer that defines it; -1 for network inputs
};

/// One product accumulated into an output chunk: source chunk `chunk` times `tile`, where
/// grid point (gy, gx) reads source position (gy * stride_h + dy, gx * stride_w + dx).
struct Term {
    int source = -1;
    std::uint32_t chunk = 0;
    std::int32_t dy = 0, dx = 0;
    int tile = -1;
};

/// One output chunk: the sum of its terms, activated into chunk `dest_chunk` of `dest`.
struct Job {
    int dest = -1;
    std::uint32_t dest_chunk = 0;
    Activation function = Activation::None;
    std::vector<Term> terms;
};

struct Pooling {
    isa::Pool kind = isa::Pool::None;
    std::uint32_t size = 1, stride = 1;  // k x k windows; no pooling is k = s = 1
    std::uint32_t out(std::uint32_t grid) const { return (grid - size) / stride + 1; }
};

/// Matrix products over an output grid of grid_h x grid_w points per sample (1 x 1 for
/// fully connected layers, the output map for convolutions, the input map for pools).
struct MatmulOp {
    std::uint32_t grid_h = 1, grid_w = 1;
    std::uint32_t stride_h = 1, stride_w = 1;
    Requant requant;
    Pooling pool;  // applied by activate on the way to the UB
    std::vector<Job> jobs;
    /// Reads or writes a spilled tensor: its blocks never take the whole accumulators
    /// (tiling.hpp, op_blocks), so that its staging stays small.
    bool half_blocks = false;
    /// If not 0, the most accumulator rows a block may take: set when a streamed tensor's
    /// stripes or a spilled tensor's staging slot must shrink to fit (spilling.hpp,
    /// shrink_staging).
    std::uint32_t block_cap = 0;
};

/// Positions [y0, y1) of a tensor (all columns, chunks and samples).
struct Slice {
    int tensor = -1;
    std::uint32_t y0 = 0, y1 = 0;
};

struct VectorStep {
    isa::VectorOp op = isa::VectorOp::Add;
    std::uint32_t shift = 0;
    Slice a, b, dst;
};

struct LoweredOp {
    int layer = -1;  // network layer whose work this is
    bool is_matmul = true;
    MatmulOp matmul;
    VectorStep vector;
};

/// A network input that the host lays out as patches (im2col) for the one convolution
/// that reads it: position (oy, ox) holds the kh x kw x C values that output point reads,
/// in the order of the weights, zeros where the window lies in the padding. The
/// convolution becomes a 1x1 product over them: one K chunk of kh*kw*C features instead of
/// kh*kw terms of a few channels each (a 7x7 window over 3 channels: 1 tile of 147 rows
/// instead of 49 tiles of 3 rows).
struct Patches {
    bool used = false;
    std::uint32_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
    std::uint32_t pad_top = 0, pad_left = 0;
    Shape source;  // the input's own shape {H, W, C}
};

struct LoweredNetwork {
    Target target;
    std::vector<Buffer> buffers;
    std::vector<UbTensor> tensors;
    std::vector<LoweredOp> ops;
    WeightImage weights;
    std::vector<int> input_tensor;       // per network input, -1 if nothing reads it
    std::vector<Patches> input_patches;  // per network input
    std::vector<int> output_tensor;      // per network output
    std::vector<int> output_ready;       // per network output: op after which it is complete, -1 for an input
    std::vector<LayerStats> layers;      // macs and weights; weight_bytes is counted by emission
    /// Instructions one pass of the ops takes at least (checked against kMaxInstructions).
    std::uint64_t min_instructions = 0;
    /// Per layer, the byte range of the weight image its own tiles occupy (empty: none).
    std::vector<std::pair<std::uint64_t, std::uint64_t>> layer_weight_bytes;
    /// Layers of additions with an activation done as two-term products (lower, fold_adds).
    std::vector<int> folded_adds;
};

/// Lowers a shape-checked network (infer_shapes has run). Throws CompileError for what the
/// chip cannot do (a pooling window beyond the activation unit's 15 x 15).
///
/// With `fold_adds`, an addition with an activation is not a vector step into a scratch
/// sum followed by an identity product, but one product with a term per operand on the
/// identity tile (the same result bit for bit, docs/compiler.md, "Spilling"): compile()
/// lowers so only when spilling cannot make one sample fit otherwise.
LoweredNetwork lower(const Network& network, const Target& target, bool fold_adds = false);

}  // namespace tpusim::compiler
