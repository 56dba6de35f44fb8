// Lowering: each layer becomes matrix products over tiles (MatmulOp) or vector steps.
// Decisions that need the whole graph are made first: which concatenations can place
// their inputs side by side in one buffer, and which pools run on their producer's
// activate. Zero borders and liveness are derived from the ops at the end.
#include "compiler/lowered.hpp"

#include "compiler/shape_inference.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace tpusim::compiler {

namespace {

constexpr std::uint32_t kMaxPoolWindow = 15;  // pool_size and pool_stride registers

Order order_of(const Shape& shape) {
    return shape.size() == 1 ? Order::Vector : shape.size() == 2 ? Order::Sequence : Order::Map;
}

bool writes_into_buffer(LayerKind kind) {
    switch (kind) {
        case LayerKind::Flatten:
        case LayerKind::Concat:
            return false;
        default:
            return true;
    }
}

class Lowering {
public:
    Lowering(const Network& network, const Target& target, bool fold_adds)
        : net_(network), T_(target.chunk), fold_adds_(fold_adds) {
        out_.target = target;
    }

    LoweredNetwork run() {
        index_graph();
        plan_concat_aliases();
        plan_pool_fusion();
        plan_patches();
        reserve_weights();
        for (std::size_t i = 0; i < net_.inputs.size(); ++i) define_input(i);
        for (layer_ = 0; layer_ < static_cast<int>(net_.layers.size()); ++layer_) lower_layer();
        for (const auto& name : net_.outputs) out_.output_tensor.push_back(tensor_of_.at(name));
        derive_frames();
        derive_liveness();
        plan_streaming();
        return std::move(out_);
    }

private:
    /// Room for every stored weight in the image, and 1 MiB for the compiler's own tiles
    /// (identity and selection, few once shared); more only makes the image grow.
    void reserve_weights() {
        std::uint64_t bytes = std::uint64_t{1} << 20;
        for (const auto& l : net_.layers) {
            bytes += l.weights.size();
            for (const auto& w : l.lstm.w_x) bytes += w.size();
            for (const auto& w : l.lstm.w_h) bytes += w.size();
        }
        out_.weights.reserve(bytes);
    }

    const Layer& layer() const { return net_.layers[static_cast<std::size_t>(layer_)]; }
    std::uint32_t batch() const { return net_.batch; }

    [[noreturn]] void fail(const std::string& message) const {
        throw CompileError(fmt::format("{}: {}", describe_layer(net_, layer()), message));
    }

    void index_graph() {
        for (std::size_t i = 0; i < net_.layers.size(); ++i) {
            const Layer& l = net_.layers[i];
            producer_[l.name] = static_cast<int>(i);
            for (const auto& in : l.inputs) consumers_[in].push_back(static_cast<int>(i));
        }
        outputs_.insert(net_.outputs.begin(), net_.outputs.end());
        for (const auto& l : net_.layers) {
            LayerStats s;
            s.name = l.name;
            s.kind = kind_name(l.kind);
            out_.layers.push_back(s);
        }
        out_.layer_weight_bytes.assign(net_.layers.size(), {0, 0});
    }

    /// A concatenation whose inputs all start at a chunk boundary and are written by
    /// layers of their own gets one buffer; each input is a range of its chunks.
    void plan_concat_aliases() {
        for (std::size_t ci = 0; ci < net_.layers.size(); ++ci) {
            const Layer& c = net_.layers[ci];
            if (c.kind != LayerKind::Concat) continue;
            bool ok = true;
            std::uint64_t offset = 0;
            std::vector<std::pair<std::string, std::uint32_t>> members;
            for (const auto& name : c.inputs) {
                const auto p = producer_.find(name);
                ok = ok && offset % T_ == 0 && p != producer_.end() && alias_.count(name) == 0 &&
                     std::count(c.inputs.begin(), c.inputs.end(), name) == 1 &&
                     writes_into_buffer(net_.layers[static_cast<std::size_t>(p->second)].kind);
                if (!ok) break;
                members.emplace_back(name, static_cast<std::uint32_t>(offset / T_));
                offset += net_.layers[static_cast<std::size_t>(p->second)].out_shape.back();
            }
            if (!ok) continue;
            for (const auto& m : members) alias_[m.first] = Alias{static_cast<int>(ci), m.second};
        }
    }

    /// A pool whose input is a convolution's output read by nothing else runs on that
    /// convolution's activate, if accumulator blocks can hold whole pooling windows
    /// without computing any output twice.
    void plan_pool_fusion() {
        const std::uint32_t half = out_.target.block_rows();
        for (std::size_t pi = 0; pi < net_.layers.size(); ++pi) {
            const Layer& p = net_.layers[pi];
            if (p.kind != LayerKind::MaxPool && p.kind != LayerKind::AvgPool) continue;
            const std::string& in = p.inputs[0];
            const auto prod = producer_.find(in);
            if (prod == producer_.end()) continue;
            const Layer& c = net_.layers[static_cast<std::size_t>(prod->second)];
            if (c.kind != LayerKind::Conv2d && c.kind != LayerKind::DepthwiseConv2d) continue;
            const bool whole_maps = std::uint64_t{c.out_shape[0]} * c.out_shape[1] <= half;
            if (consumers_[in].size() != 1 || outputs_.count(in) != 0 || alias_.count(in) != 0 ||
                p.kernel_h > kMaxPoolWindow || p.stride_h > kMaxPoolWindow ||
                std::uint64_t{p.kernel_h} * p.kernel_h > half || !(p.kernel_h <= p.stride_h || whole_maps))
                continue;
            fused_into_[prod->second] = static_cast<int>(pi);
            fused_.insert(static_cast<int>(pi));
        }
    }

    /// An input read only by one convolution is laid out as patches by the host when that
    /// needs fewer tiles per output chunk (few input channels) and no more UB rows, so no
    /// more host transfer, than the map itself (strided or small windows).
    void plan_patches() {
        out_.input_patches.assign(net_.inputs.size(), Patches{});
        for (std::size_t i = 0; i < net_.inputs.size(); ++i) {
            const NetworkInput& in = net_.inputs[i];
            const auto readers = consumers_.find(in.name);
            if (in.shape.size() != 3 || readers == consumers_.end() || readers->second.size() != 1 ||
                outputs_.count(in.name) != 0)
                continue;
            const Layer& c = net_.layers[static_cast<std::size_t>(readers->second[0])];
            const std::uint64_t window = std::uint64_t{c.kernel_h} * c.kernel_w;
            if (c.kind != LayerKind::Conv2d) continue;
            const std::uint64_t patch_chunks = chunk_count(static_cast<std::uint32_t>(window * in.shape[2]), T_);
            const std::uint64_t map_rows = std::uint64_t{in.shape[0] + c.pad_top + c.pad_bottom} *
                                           (in.shape[1] + c.pad_left + c.pad_right) * chunk_count(in.shape[2], T_);
            if (patch_chunks >= window * chunk_count(in.shape[2], T_) ||
                std::uint64_t{c.out_shape[0]} * c.out_shape[1] * patch_chunks > map_rows)
                continue;
            Patches& p = out_.input_patches[i];
            p.used = true;
            p.kernel_h = c.kernel_h;
            p.kernel_w = c.kernel_w;
            p.stride_h = c.stride_h;
            p.stride_w = c.stride_w;
            p.dilation_h = c.dilation_h;
            p.dilation_w = c.dilation_w;
            p.pad_top = c.pad_top;
            p.pad_left = c.pad_left;
            p.source = in.shape;
            patched_[in.name] = static_cast<std::uint32_t>(window * in.shape[2]);
        }
    }

    int new_buffer(const std::string& name, const Shape& shape, int writer) {
        Buffer b;
        b.name = name;
        b.order = order_of(shape);
        b.chunks = chunk_count(shape.back(), T_);
        b.height = b.order == Order::Vector ? 1 : shape[0];
        b.width = b.order == Order::Map ? shape[1] : 1;
        b.layer = writer;
        out_.buffers.push_back(b);
        return static_cast<int>(out_.buffers.size() - 1);
    }

    int add_tensor(UbTensor t) {
        out_.tensors.push_back(std::move(t));
        const int id = static_cast<int>(out_.tensors.size() - 1);
        if (!out_.tensors.back().name.empty() && out_.tensors.back().name.find('#') == std::string::npos)
            tensor_of_[out_.tensors.back().name] = id;
        return id;
    }

    /// A fresh tensor in the standard layout for `shape` (inside its concatenation's
    /// buffer if it is a member of one).
    int define(const std::string& name, const Shape& shape, int writer) {
        UbTensor t;
        t.name = name;
        t.shape = shape;
        t.features = shape.back();
        t.height = shape.size() >= 2 ? shape[0] : 1;
        t.width = shape.size() == 3 ? shape[1] : 1;
        t.producer = writer;
        const auto a = alias_.find(name);
        if (a != alias_.end()) {
            const int ci = a->second.concat;
            if (concat_buffer_.count(ci) == 0) {
                const Layer& c = net_.layers[static_cast<std::size_t>(ci)];
                concat_buffer_[ci] = new_buffer(c.name, c.out_shape, writer);
            }
            t.buffer = concat_buffer_[ci];
            t.chunk0 = a->second.chunk0;
        } else {
            t.buffer = new_buffer(name, shape, writer);
        }
        return add_tensor(std::move(t));
    }

    void define_input(std::size_t i) {
        const NetworkInput& in = net_.inputs[i];
        const bool used = consumers_.count(in.name) != 0 || outputs_.count(in.name) != 0;
        out_.input_tensor.push_back(-1);
        if (!used) return;
        Shape shape = in.shape;
        const auto patched = patched_.find(in.name);
        if (patched != patched_.end()) {
            const Layer& conv = net_.layers[static_cast<std::size_t>(consumers_.at(in.name)[0])];
            shape = {conv.out_shape[0], conv.out_shape[1], patched->second};
        }
        const int id = define(in.name, shape, -1);
        out_.buffers[static_cast<std::size_t>(out_.tensors[static_cast<std::size_t>(id)].buffer)].from_host = true;
        out_.input_tensor.back() = id;
    }

    int tensor(const std::string& name) const { return tensor_of_.at(name); }
    const UbTensor& at(int id) const { return out_.tensors[static_cast<std::size_t>(id)]; }

    /// The tensor in a layout element-wise operations can use: a flattened multi-position
    /// tensor is first copied into the plain vector layout by 0/1 selection tiles.
    int readable(const std::string& name) {
        const int id = tensor(name);
        if (!at(id).flat_view) return id;
        const auto done = materialized_.find(id);
        if (done != materialized_.end()) return done->second;
        const UbTensor src = at(id);
        const int saved = layer_;
        layer_ = src.producer;
        const int flat = define(src.name + "#vector", src.shape, layer_);
        MatmulOp op;
        const std::uint32_t k = src.shape[0];
        for (std::uint32_t m = 0; m < chunk_count(k, T_); ++m) {
            Job job{flat, m, Activation::None, {}};
            for (std::uint32_t y = 0; y < src.height; ++y)
                for (std::uint32_t x = 0; x < src.width; ++x)
                    for (std::uint32_t c = 0; c < chunk_count(src.features, T_); ++c) {
                        const std::uint64_t first =
                            (std::uint64_t{y} * src.width + x) * src.features + std::uint64_t{c} * T_;
                        add_selection_term(job, id, c, first, chunk_features(src.features, T_, c), m,
                                           chunk_features(k, T_, m),
                                           {static_cast<std::int32_t>(y), static_cast<std::int32_t>(x)});
                    }
            op.jobs.push_back(std::move(job));
        }
        push(std::move(op));
        layer_ = saved;
        materialized_[id] = flat;
        return flat;
    }

    /// Adds the term that moves source features [first, first + rows) (chunk `chunk` of
    /// `source`) into output chunk m, if any of them lands there.
    void add_selection_term(Job& job, int source, std::uint32_t chunk, std::uint64_t first, std::uint32_t rows,
                            std::uint32_t m, std::uint32_t cols, std::pair<std::int32_t, std::int32_t> at) {
        std::vector<int> to(rows, -1);
        bool any = false;
        for (std::uint32_t r = 0; r < rows; ++r) {
            const std::int64_t col = static_cast<std::int64_t>(first + r) - std::int64_t{m} * T_;
            if (col >= 0 && col < cols) {
                to[r] = static_cast<int>(col);
                any = true;
            }
        }
        if (any) job.terms.push_back(Term{source, chunk, at.first, at.second, out_.weights.selection(rows, cols, to)});
    }

    /// Instructions the ops so far will take at least: a product per term and an activate
    /// per job (a job has at least one block), a vector instruction per vector step.
    static std::uint64_t min_instructions(const MatmulOp& op) {
        std::uint64_t n = 0;
        for (const Job& job : op.jobs) n += job.terms.size() + 1;
        return n;
    }

    /// Stops lowering when the program would exceed kMaxInstructions, before its
    /// instructions take the memory (`more`: instructions the current layer will add).
    void count_instructions(std::uint64_t more) {
        if (out_.min_instructions + more <= kMaxInstructions) {
            out_.min_instructions += more;
            return;
        }
        const Layer& l = layer();
        throw CompileError(fmt::format(
            "{}: layer \"{}\" ({}) makes the program at least {} instructions long (counting stopped there), more "
            "than the {} a program may have (docs/compiler.md, \"Limits\")",
            l.source.empty() ? net_.source : l.source, l.name, kind_name(l.kind), out_.min_instructions + more,
            kMaxInstructions));
    }

    void push(MatmulOp op) {
        count_instructions(min_instructions(op));
        LoweredOp o;
        o.layer = layer_;
        o.is_matmul = true;
        o.matmul = std::move(op);
        out_.ops.push_back(std::move(o));
    }

    void push(VectorStep v) {
        count_instructions(1);
        LoweredOp o;
        o.layer = layer_;
        o.is_matmul = false;
        o.vector = v;
        out_.ops.push_back(std::move(o));
    }

    void lower_layer() {
        const Layer& l = layer();
        const std::uint64_t image_before = out_.weights.bytes().size();
        switch (l.kind) {
            case LayerKind::FullyConnected:
                lower_fc();
                break;
            case LayerKind::Conv2d:
            case LayerKind::DepthwiseConv2d:
                lower_conv();
                break;
            case LayerKind::MaxPool:
            case LayerKind::AvgPool:
                lower_pool();
                break;
            case LayerKind::Lstm:
                lower_lstm();
                break;
            case LayerKind::Add:
            case LayerKind::Multiply:
                lower_elementwise();
                break;
            case LayerKind::Flatten:
                lower_flatten();
                break;
            case LayerKind::Concat:
                lower_concat();
                break;
        }
        out_.layer_weight_bytes[static_cast<std::size_t>(layer_)] = {image_before, out_.weights.bytes().size()};
    }

    LayerStats& stats() { return out_.layers[static_cast<std::size_t>(layer_)]; }

    void lower_fc() {
        if (layer().per_step) return lower_fc_per_step();
        const Layer& l = layer();
        const int xid = tensor(l.inputs[0]);
        const UbTensor x = at(xid);
        const int y = define(l.name, l.out_shape, layer_);
        const std::uint64_t k = elements(x.shape);
        MatmulOp op;
        op.requant = l.requant;
        for (std::uint32_t m = 0; m < chunk_count(l.units, T_); ++m) {
            Job job{y, m, l.activation, {}};
            for (std::uint32_t py = 0; py < x.height; ++py)
                for (std::uint32_t px = 0; px < x.width; ++px)
                    for (std::uint32_t c = 0; c < chunk_count(x.features, T_); ++c) {
                        const std::uint64_t row0 =
                            (std::uint64_t{py} * x.width + px) * x.features + std::uint64_t{c} * T_;
                        const int tile = out_.weights.dense(l.weights, l.units, row0, chunk_features(x.features, T_, c),
                                                            std::uint64_t{m} * T_, chunk_features(l.units, T_, m));
                        job.terms.push_back(
                            Term{xid, c, static_cast<std::int32_t>(py), static_cast<std::int32_t>(px), tile});
                    }
            op.jobs.push_back(std::move(job));
        }
        push(std::move(op));
        stats().macs = std::uint64_t{batch()} * k * l.units;
        stats().weights = k * l.units;
    }

    /// The same product at every step: a grid of `steps` x 1 points over the sequence (a 1x1
    /// convolution over it), a job per output chunk, a term per input chunk.
    void lower_fc_per_step() {
        const Layer& l = layer();
        const int xid = tensor(l.inputs[0]);
        const UbTensor x = at(xid);
        const int y = define(l.name, l.out_shape, layer_);
        MatmulOp op;
        op.grid_h = x.height;
        op.requant = l.requant;
        for (std::uint32_t m = 0; m < chunk_count(l.units, T_); ++m) {
            Job job{y, m, l.activation, {}};
            for (std::uint32_t c = 0; c < chunk_count(x.features, T_); ++c)
                job.terms.push_back(Term{xid, c, 0, 0,
                                         out_.weights.dense(l.weights, l.units, std::uint64_t{c} * T_,
                                                            chunk_features(x.features, T_, c), std::uint64_t{m} * T_,
                                                            chunk_features(l.units, T_, m))});
            op.jobs.push_back(std::move(job));
        }
        push(std::move(op));
        stats().macs = std::uint64_t{batch()} * x.height * x.features * l.units;
        stats().weights = std::uint64_t{x.features} * l.units;
    }

    Pooling pooling_of(const Layer& p) const {
        Pooling pool;
        pool.kind = p.kind == LayerKind::MaxPool ? isa::Pool::Max : isa::Pool::Average;
        pool.size = p.kernel_h;
        pool.stride = p.stride_h;
        return pool;
    }

    void lower_conv() {
        const Layer& l = layer();
        const bool depthwise = l.kind == LayerKind::DepthwiseConv2d;
        const int xid = tensor(l.inputs[0]);
        const UbTensor x = at(xid);
        MatmulOp op;
        op.grid_h = l.out_shape[0];
        op.grid_w = l.out_shape[1];
        op.stride_h = l.stride_h;
        op.stride_w = l.stride_w;
        op.requant = l.requant;
        int y;
        const auto fused = fused_into_.find(layer_);
        if (fused != fused_into_.end()) {
            const Layer& p = net_.layers[static_cast<std::size_t>(fused->second)];
            op.pool = pooling_of(p);
            y = define(p.name, p.out_shape, layer_);
        } else {
            y = define(l.name, l.out_shape, layer_);
        }
        const std::uint32_t cin = tensor_shape(net_, l.inputs[0]).back(), cout = l.out_shape[2];
        const bool patches = patched_.count(l.inputs[0]) != 0;
        if (patches) {  // patches from the host: a 1x1 product
            op.stride_h = op.stride_w = 1;
            for (std::uint32_t m = 0; m < chunk_count(cout, T_); ++m) {
                Job job{y, m, l.activation, {}};
                for (std::uint32_t c = 0; c < chunk_count(x.features, T_); ++c)
                    job.terms.push_back(Term{
                        xid, c, 0, 0,
                        out_.weights.dense(l.weights, cout, std::uint64_t{c} * T_, chunk_features(x.features, T_, c),
                                           std::uint64_t{m} * T_, chunk_features(cout, T_, m))});
                op.jobs.push_back(std::move(job));
            }
        }
        for (std::uint32_t m = 0; !patches && m < chunk_count(cout, T_); ++m) {
            Job job{y, m, l.activation, {}};
            for (std::uint32_t ky = 0; ky < l.kernel_h; ++ky)
                for (std::uint32_t kx = 0; kx < l.kernel_w; ++kx) {
                    const std::int32_t dy =
                        static_cast<std::int32_t>(ky * l.dilation_h) - static_cast<std::int32_t>(l.pad_top);
                    const std::int32_t dx =
                        static_cast<std::int32_t>(kx * l.dilation_w) - static_cast<std::int32_t>(l.pad_left);
                    const std::uint64_t position = std::uint64_t{ky} * l.kernel_w + kx;
                    if (depthwise) {
                        const int tile = out_.weights.diagonal(l.weights, position * cin + std::uint64_t{m} * T_,
                                                               chunk_features(cin, T_, m));
                        job.terms.push_back(Term{xid, m, dy, dx, tile});
                        continue;
                    }
                    for (std::uint32_t c = 0; c < chunk_count(cin, T_); ++c) {
                        const int tile = out_.weights.dense(l.weights, cout, position * cin + std::uint64_t{c} * T_,
                                                            chunk_features(cin, T_, c), std::uint64_t{m} * T_,
                                                            chunk_features(cout, T_, m));
                        job.terms.push_back(Term{xid, c, dy, dx, tile});
                    }
                }
            op.jobs.push_back(std::move(job));
        }
        push(std::move(op));
        const std::uint64_t outputs = std::uint64_t{batch()} * l.out_shape[0] * l.out_shape[1];
        const std::uint64_t window = std::uint64_t{l.kernel_h} * l.kernel_w;
        stats().macs = outputs * window * cin * (depthwise ? 1 : cout);
        stats().weights = window * cin * (depthwise ? 1 : cout);
    }

    void lower_pool() {
        if (fused_.count(layer_) != 0) return;  // done by the producer's activate
        const Layer& l = layer();
        if (l.kernel_h > kMaxPoolWindow || l.stride_h > kMaxPoolWindow)
            fail(fmt::format("a {}x{} window with stride {} exceeds the activation unit's pooling limit of {}",
                             l.kernel_h, l.kernel_w, l.stride_h, kMaxPoolWindow));
        if (std::uint64_t{l.kernel_h} * l.kernel_w > out_.target.block_rows())
            fail(fmt::format("a {}x{} pooling window needs {} accumulator rows; a block may use {}", l.kernel_h,
                             l.kernel_w, std::uint64_t{l.kernel_h} * l.kernel_w, out_.target.block_rows()));
        const int xid = tensor(l.inputs[0]);
        const UbTensor x = at(xid);
        const int y = define(l.name, l.out_shape, layer_);
        MatmulOp op;
        op.grid_h = x.height;
        op.grid_w = x.width;
        op.pool = pooling_of(l);
        for (std::uint32_t m = 0; m < chunk_count(x.features, T_); ++m)
            op.jobs.push_back(Job{y,
                                  m,
                                  Activation::None,
                                  {Term{xid, m, 0, 0, out_.weights.identity(chunk_features(x.features, T_, m))}}});
        push(std::move(op));
    }

    void lower_elementwise() {
        const Layer& l = layer();
        const int a = readable(l.inputs[0]);
        const int b = readable(l.inputs[1]);
        const int y = define(l.name, l.out_shape, layer_);
        VectorStep v;
        v.op = l.kind == LayerKind::Add ? isa::VectorOp::Add : isa::VectorOp::Multiply;
        v.shift = l.vector_shift;
        const std::uint32_t h = at(y).height;
        v.a = Slice{a, 0, h};
        v.b = Slice{b, 0, h};
        v.dst = Slice{y, 0, h};
        if (l.activation == Activation::None) {
            push(v);
            return;
        }
        // The vector unit applies no function: the result goes back through the array on
        // identity tiles, and the activate that writes it applies the function with
        // requantization (1, 0), which leaves int8 values as they are. Folded (compile.cpp,
        // only when spilling cannot make one sample fit otherwise), an addition is the
        // array's alone: a term per operand on the same identity tile, summed in the
        // accumulators, and requantization (1, vector_shift) rounds the sum as the vector
        // unit would. No scratch sum, and both operands are read by a product only.
        std::vector<int> operands = {a, b};
        Requant requant{1, l.vector_shift};
        if (fold_adds_ && l.kind == LayerKind::Add) {
            out_.folded_adds.push_back(layer_);
        } else {
            const int sum = define(l.name + "#sum", l.out_shape, layer_);
            v.dst = Slice{sum, 0, h};
            push(v);
            operands = {sum};
            requant = Requant{};
        }
        MatmulOp op;
        op.grid_h = at(y).height;
        op.grid_w = at(y).width;
        op.requant = requant;
        for (std::uint32_t m = 0; m < chunk_count(at(y).features, T_); ++m) {
            Job job{y, m, l.activation, {}};
            const int tile = out_.weights.identity(chunk_features(at(y).features, T_, m));
            for (const int source : operands) job.terms.push_back(Term{source, m, 0, 0, tile});
            op.jobs.push_back(std::move(job));
        }
        push(std::move(op));
    }

    void lower_flatten() {
        const Layer& l = layer();
        UbTensor v = at(tensor(l.inputs[0]));
        v.name = l.name;
        v.shape = l.out_shape;
        v.flat_view = v.flat_view || v.height * v.width > 1;
        v.producer = layer_;
        add_tensor(std::move(v));
    }

    void lower_concat() {
        const Layer& l = layer();
        const auto aliased = concat_buffer_.find(layer_);
        if (aliased != concat_buffer_.end()) {
            UbTensor t;
            t.name = l.name;
            t.shape = l.out_shape;
            t.buffer = aliased->second;
            t.features = l.out_shape.back();
            t.height = l.out_shape.size() >= 2 ? l.out_shape[0] : 1;
            t.width = l.out_shape.size() == 3 ? l.out_shape[1] : 1;
            t.producer = layer_;
            add_tensor(std::move(t));
            return;
        }
        std::vector<int> sources;
        for (const auto& name : l.inputs) sources.push_back(readable(name));
        const int y = define(l.name, l.out_shape, layer_);
        MatmulOp op;
        op.grid_h = at(y).height;
        op.grid_w = at(y).width;
        const std::uint32_t total = l.out_shape.back();
        for (std::uint32_t m = 0; m < chunk_count(total, T_); ++m) {
            Job job{y, m, Activation::None, {}};
            std::uint64_t offset = 0;
            for (const int s : sources) {
                const std::uint32_t f = at(s).features;
                for (std::uint32_t c = 0; c < chunk_count(f, T_); ++c)
                    add_selection_term(job, s, c, offset + std::uint64_t{c} * T_, chunk_features(f, T_, c), m,
                                       chunk_features(total, T_, m), {0, 0});
                offset += f;
            }
            op.jobs.push_back(std::move(job));
        }
        push(std::move(op));
    }

    /// Per stacked layer and time step: gate products, the cell update on the vector
    /// path, tanh of the cell via an identity tile, and h written into the output sequence.
    void lower_lstm() {
        const Layer& l = layer();
        const LstmParams& p = l.lstm;
        const std::uint32_t hidden = p.hidden, steps = l.out_shape[0];
        const Shape vec{hidden};
        const std::string& n = l.name;
        std::vector<int> gate;  // i, f, g, o
        for (const char* g : {"i", "f", "g", "o"}) gate.push_back(define(n + "#" + g, vec, layer_));
        const int cell = define(n + "#c", vec, layer_);
        const int tanh_cell = define(n + "#tanh_c", vec, layer_);
        const int fc = define(n + "#f_c", vec, layer_);
        const int ig = define(n + "#i_g", vec, layer_);
        int input = tensor(l.inputs[0]);
        const std::uint32_t hchunks = chunk_count(hidden, T_);
        std::uint64_t macs = 0, weights = 0;
        {
            // Every step of every stacked layer, counted as push() will count them, before
            // any is made: an LSTM over thousands of steps stops here, not after lowering.
            const std::uint64_t jobs = 4 * std::uint64_t{hchunks};
            std::uint64_t all = 0;
            for (std::uint32_t s = 0; s < p.layers; ++s) {
                const std::uint64_t x = s == 0 ? chunk_count(at(input).features, T_) : hchunks;
                const std::uint64_t first = jobs * (x + 1) + 1 + 2 * hchunks + 1;
                const std::uint64_t later = jobs * (x + hchunks + 1) + 3 + 2 * hchunks + 1;
                all += first + std::uint64_t{steps - 1} * later;
            }
            count_instructions(all);
            out_.min_instructions -= all;
        }
        for (std::uint32_t s = 0; s < p.layers; ++s) {
            const bool last = s + 1 == p.layers;
            const int h =
                last ? define(n, l.out_shape, layer_) : define(fmt::format("{}#h{}", n, s), l.out_shape, layer_);
            const std::uint32_t in_features = at(input).features;
            // Tiles of W_x and W_h per (K chunk, gate, hidden chunk), read again every step.
            auto tiles_of = [&](const std::vector<std::int8_t>& w, std::uint32_t rows) {
                std::vector<std::vector<int>> t(chunk_count(rows, T_));
                for (std::uint32_t c = 0; c < t.size(); ++c)
                    for (std::uint32_t q = 0; q < 4; ++q)
                        for (std::uint32_t hc = 0; hc < hchunks; ++hc)
                            t[c].push_back(out_.weights.dense(
                                w, 4 * std::uint64_t{hidden}, std::uint64_t{c} * T_, chunk_features(rows, T_, c),
                                std::uint64_t{q} * hidden + std::uint64_t{hc} * T_, chunk_features(hidden, T_, hc)));
                return t;
            };
            const auto wx = tiles_of(p.w_x[s], in_features);
            const auto wh = tiles_of(p.w_h[s], hidden);
            for (std::uint32_t t = 0; t < steps; ++t) {
                MatmulOp gates;
                gates.requant = p.gate_requant;
                for (std::uint32_t q = 0; q < 4; ++q)
                    for (std::uint32_t hc = 0; hc < hchunks; ++hc) {
                        Job job{gate[q], hc, q == 2 ? Activation::Tanh : Activation::Sigmoid, {}};
                        const std::size_t j = std::size_t{q} * hchunks + hc;
                        for (std::uint32_t c = 0; c < wx.size(); ++c)
                            job.terms.push_back(Term{input, c, static_cast<std::int32_t>(t), 0, wx[c][j]});
                        if (t > 0)
                            for (std::uint32_t c = 0; c < wh.size(); ++c)
                                job.terms.push_back(Term{h, c, static_cast<std::int32_t>(t - 1), 0, wh[c][j]});
                        gates.jobs.push_back(std::move(job));
                    }
                push(std::move(gates));
                const Slice whole_i{gate[0], 0, 1}, whole_f{gate[1], 0, 1}, whole_g{gate[2], 0, 1},
                    whole_o{gate[3], 0, 1};
                const Slice c_all{cell, 0, 1};
                if (t == 0) {
                    push(VectorStep{isa::VectorOp::Multiply, 7, whole_i, whole_g, c_all});  // c_0 = 0
                } else {
                    push(VectorStep{isa::VectorOp::Multiply, 7, whole_f, c_all, Slice{fc, 0, 1}});
                    push(VectorStep{isa::VectorOp::Multiply, 7, whole_i, whole_g, Slice{ig, 0, 1}});
                    push(VectorStep{isa::VectorOp::Add, 0, Slice{fc, 0, 1}, Slice{ig, 0, 1}, c_all});
                }
                MatmulOp th;
                th.requant = Requant{1, 3};  // Q0.7 cell to tanh's Q3.4 input
                for (std::uint32_t hc = 0; hc < hchunks; ++hc)
                    th.jobs.push_back(
                        Job{tanh_cell,
                            hc,
                            Activation::Tanh,
                            {Term{cell, hc, 0, 0, out_.weights.identity(chunk_features(hidden, T_, hc))}}});
                push(std::move(th));
                push(VectorStep{isa::VectorOp::Multiply, 7, whole_o, Slice{tanh_cell, 0, 1}, Slice{h, t, t + 1}});
            }
            const std::uint64_t gate_cols = 4 * std::uint64_t{hidden};
            macs += std::uint64_t{batch()} * gate_cols *
                    (std::uint64_t{steps} * in_features + std::uint64_t{steps - 1} * hidden);
            weights += gate_cols * (std::uint64_t{in_features} + hidden);
            input = h;
        }
        stats().macs = macs;
        stats().weights = weights;
    }

    /// Zero borders: every map buffer gets the border its convolutions read beyond the edge.
    void derive_frames() {
        for (const auto& op : out_.ops) {
            if (!op.is_matmul) continue;
            const MatmulOp& m = op.matmul;
            for (const auto& job : m.jobs)
                for (const auto& term : job.terms) {
                    const UbTensor& s = at(term.source);
                    Buffer& b = out_.buffers[static_cast<std::size_t>(s.buffer)];
                    const std::int64_t y0 = term.dy, y1 = std::int64_t{m.grid_h - 1} * m.stride_h + term.dy;
                    const std::int64_t x0 = term.dx, x1 = std::int64_t{m.grid_w - 1} * m.stride_w + term.dx;
                    auto grow = [](std::uint32_t& side, std::int64_t need) {
                        if (need > side) side = static_cast<std::uint32_t>(need);
                    };
                    grow(b.frame.top, -y0);
                    grow(b.frame.bottom, y1 - (std::int64_t{s.height} - 1));
                    grow(b.frame.left, -x0);
                    grow(b.frame.right, x1 - (std::int64_t{s.width} - 1));
                }
        }
    }

    /// Buffer lifetimes in op indices: from the first op that touches any tensor in it to
    /// the last (inputs are loaded before op 0), and when each output is complete.
    void derive_liveness() {
        std::vector<bool> seen(out_.buffers.size(), false);
        auto touch = [&](int tensor_id, int op) {
            Buffer& b = out_.buffers[static_cast<std::size_t>(at(tensor_id).buffer)];
            const std::size_t bi = static_cast<std::size_t>(at(tensor_id).buffer);
            if (!seen[bi]) b.first_op = b.from_host ? 0 : op;
            seen[bi] = true;
            b.last_op = std::max(b.last_op, op);
        };
        std::vector<std::vector<int>> writes(out_.ops.size());
        for (std::size_t i = 0; i < out_.ops.size(); ++i) {
            const LoweredOp& op = out_.ops[i];
            const int oi = static_cast<int>(i);
            if (op.is_matmul) {
                for (const auto& job : op.matmul.jobs) {
                    for (const auto& term : job.terms) touch(term.source, oi);
                    touch(job.dest, oi);
                    writes[i].push_back(job.dest);
                }
            } else {
                touch(op.vector.a.tensor, oi);
                touch(op.vector.b.tensor, oi);
                touch(op.vector.dst.tensor, oi);
                writes[i].push_back(op.vector.dst.tensor);
            }
        }
        for (std::size_t i = 0; i < out_.buffers.size(); ++i)
            if (!seen[i]) out_.buffers[i].first_op = out_.buffers[i].last_op = 0;
        for (const int o : out_.output_tensor) {
            const UbTensor& t = at(o);
            const std::uint32_t c0 = t.chunk0, c1 = t.chunk0 + chunk_count(t.features, T_);
            int ready = -1;
            for (std::size_t i = 0; i < writes.size(); ++i)
                for (const int w : writes[i]) {
                    const UbTensor& d = at(w);
                    const std::uint32_t d0 = d.chunk0, d1 = d.chunk0 + chunk_count(d.features, T_);
                    if (d.buffer == t.buffer && d0 < c1 && c0 < d1) ready = static_cast<int>(i);
                }
            out_.output_ready.push_back(ready);
            Buffer& b = out_.buffers[static_cast<std::size_t>(t.buffer)];
            b.last_op = std::max(b.last_op, std::max(ready, 0));
        }
    }

    /// A feature-map input that one matrix-product op alone reads is streamed into the UB
    /// block by block (compiler/streaming.hpp); it then occupies rows only during that op.
    void plan_streaming() {
        std::vector<std::set<int>> readers(out_.buffers.size());
        auto read = [&](int tensor_id, int op) { readers[static_cast<std::size_t>(at(tensor_id).buffer)].insert(op); };
        for (std::size_t i = 0; i < out_.ops.size(); ++i) {
            const LoweredOp& op = out_.ops[i];
            const int oi = static_cast<int>(i);
            if (op.is_matmul) {
                for (const auto& job : op.matmul.jobs)
                    for (const auto& term : job.terms) read(term.source, oi);
            } else {
                read(op.vector.a.tensor, oi);
                read(op.vector.b.tensor, oi);
            }
        }
        for (const int o : out_.output_tensor) readers[static_cast<std::size_t>(at(o).buffer)].insert(-1);
        for (std::size_t b = 0; b < out_.buffers.size(); ++b) {
            Buffer& buf = out_.buffers[b];
            if (!buf.from_host || buf.order != Order::Map || readers[b].size() != 1 || *readers[b].begin() < 0)
                continue;
            const LoweredOp& op = out_.ops[static_cast<std::size_t>(*readers[b].begin())];
            if (!op.is_matmul || std::uint64_t{op.matmul.grid_h} * op.matmul.grid_w < 2) continue;
            buf.streamed_by = buf.first_op = buf.last_op = *readers[b].begin();
        }
    }

    struct Alias {
        int concat;
        std::uint32_t chunk0;
    };

    const Network& net_;
    const std::uint32_t T_;
    const bool fold_adds_;
    LoweredNetwork out_;
    int layer_ = -1;
    std::map<std::string, int> tensor_of_;
    std::map<std::string, int> producer_;
    std::map<std::string, std::vector<int>> consumers_;
    std::set<std::string> outputs_;
    std::map<std::string, Alias> alias_;
    std::map<int, int> concat_buffer_;
    std::map<int, int> fused_into_;  // convolution -> pool done by its activate
    std::set<int> fused_;
    std::map<int, int> materialized_;
    std::map<std::string, std::uint32_t> patched_;  // inputs laid out as patches: features per patch
};

}  // namespace

LoweredNetwork lower(const Network& network, const Target& target, bool fold_adds) {
    return Lowering(network, target, fold_adds).run();
}

}  // namespace tpusim::compiler
