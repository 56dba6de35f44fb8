#include "compiler/workload.hpp"

#include "compiler/generated_values.hpp"
#include "compiler/npy.hpp"
#include "compiler/shape_inference.hpp"
#include "compiler/yaml_fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <limits>
#include <tuple>

namespace tpusim::compiler {

namespace {

using config::yaml::join;
using yaml::Fields;

// Limits on single numbers; shape inference bounds their products.
constexpr std::uint64_t kMaxDim = 1u << 24;     // a dimension, units, filters, hidden
constexpr std::uint64_t kMaxWindow = 4096;      // kernel, stride, dilation, padding
constexpr std::uint64_t kMaxBatch = 1u << 20;
constexpr std::uint64_t kMaxStacked = 1024;     // stacked LSTM layers

/// The keys each layer type accepts besides name, type and inputs: the one table the
/// reader and the "does not apply" messages use.
struct KindKeys {
    const char* word;
    LayerKind kind;
    std::vector<std::string> keys;
};
const std::vector<KindKeys>& kind_table() {
    static const std::vector<std::string> conv{"kernel", "stride", "padding", "dilation",
                                               "activation", "requant", "weights"};
    static const std::vector<KindKeys> table = [] {
        std::vector<KindKeys> t{
            {"fc", LayerKind::FullyConnected, {"units", "per_step", "activation", "requant", "weights"}},
            {"conv2d", LayerKind::Conv2d, {"filters"}},
            {"depthwise_conv2d", LayerKind::DepthwiseConv2d, {}},
            {"max_pool", LayerKind::MaxPool, {"kernel", "stride"}},
            {"avg_pool", LayerKind::AvgPool, {"kernel", "stride"}},
            {"lstm", LayerKind::Lstm, {"hidden", "layers", "gate_requant", "weights"}},
            {"add", LayerKind::Add, {"vector_shift", "activation"}},
            {"multiply", LayerKind::Multiply, {"vector_shift", "activation"}},
            {"flatten", LayerKind::Flatten, {}},
            {"concat", LayerKind::Concat, {}},
        };
        for (auto& k : t)
            if (k.kind == LayerKind::Conv2d || k.kind == LayerKind::DepthwiseConv2d)
                k.keys.insert(k.keys.end(), conv.begin(), conv.end());
        return t;
    }();
    return table;
}

const std::vector<std::string> kTopKeys{"name", "batch", "seed", "inputs", "layers", "outputs"};
const std::vector<std::string> kCommonLayerKeys{"name", "type", "inputs"};
const std::vector<std::string> kActivationWords{"none", "relu", "sigmoid", "tanh"};

std::vector<std::string> kind_words() {
    std::vector<std::string> words;
    for (const auto& k : kind_table()) words.push_back(k.word);
    return words;
}

/// What a layer's keys asked for that only the shapes of its inputs can settle.
struct Pending {
    Fields fields;
    bool same_padding = false;
    bool requant_auto = true;               // requant, or gate_requant for an LSTM
    std::vector<std::string> weight_files;  // empty: random
};

std::uint32_t to_u32(std::uint64_t v) { return static_cast<std::uint32_t>(v); }

class Reader {
public:
    Reader(const std::string& text, const std::string& source)
        : source_(source), folder_(std::filesystem::path(source).parent_path()), text_(text) {}

    Network read() {
        const YAML::Node root = config::yaml::load_document(yaml::kFormat, text_, source_);
        const std::string expected = "a map with the keys " + join(kTopKeys);
        if (root.IsNull())
            config::yaml::fail(yaml::kFormat, source_, config::yaml::mark_or_start(root), "",
                               "the file is empty; a workload is " + expected);
        Fields top(source_, root, "", expected);
        top.reject_unknown(kTopKeys);
        net_.source = source_;
        net_.name = top.text(top.require("name", "the workload's name"), "name");
        if (top.has("batch")) net_.batch = to_u32(top.uint(top.get("batch"), "batch", 1, kMaxBatch));
        if (top.has("seed"))
            seed_ = top.uint(top.get("seed"), "seed", 0, std::numeric_limits<std::int64_t>::max());

        const YAML::Node inputs = top.require("inputs", "a list of inputs, each with a name and a shape");
        if (!inputs.IsSequence() || inputs.size() == 0)
            top.fail("inputs", "expected a non-empty list of inputs, got " + yaml::describe(inputs));
        for (std::size_t i = 0; i < inputs.size(); ++i) read_input(inputs[i], i);

        const YAML::Node layers = top.require("layers", "a list of layers");
        if (!layers.IsSequence() || layers.size() == 0)
            top.fail("layers", "expected a non-empty list of layers, got " + yaml::describe(layers));
        for (std::size_t i = 0; i < layers.size(); ++i) read_layer(layers[i], i);

        if (top.has("outputs")) net_.outputs = outputs(top);
        else net_.outputs = {net_.layers.back().name};

        infer_shapes(net_, [this](HookStage stage, Layer& layer, const std::vector<Shape>& in) {
            Pending& p = pending_.at(static_cast<std::size_t>(&layer - net_.layers.data()));
            if (stage == HookStage::Resolve) resolve(p, layer, in[0]);
            else create_values(p, layer, in[0]);
        });
        return std::move(net_);
    }

private:
    /// A list of tensor names, or one name.
    std::vector<std::string> names(const Fields& f, const YAML::Node& node, const std::string& key) const {
        std::vector<std::string> out;
        if (node.IsScalar()) return {f.text(node, key)};
        if (!node.IsSequence() || node.size() == 0)
            f.fail_at(node, key, "expected a tensor name or a non-empty list of names, got " + yaml::describe(node));
        for (const auto& item : node) out.push_back(f.text(item, key));
        return out;
    }

    /// The `outputs` list: names of inputs or layers, each once. Shape inference checks the
    /// same of any network; here the message can point at the name.
    std::vector<std::string> outputs(const Fields& top) const {
        const YAML::Node node = top.get("outputs");
        const std::vector<std::string> out = names(top, node, "outputs");
        for (std::size_t i = 0; i < out.size(); ++i) {
            const YAML::Node at = node.IsSequence() ? node[i] : node;
            const auto named = [&](const auto& t) { return t.name == out[i]; };
            if (std::none_of(net_.inputs.begin(), net_.inputs.end(), named) &&
                std::none_of(net_.layers.begin(), net_.layers.end(), named))
                top.fail_at(at, "outputs", fmt::format("\"{}\" is neither a network input nor a layer", out[i]));
            if (std::find(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(i), out[i]) !=
                out.begin() + static_cast<std::ptrdiff_t>(i))
                top.fail_at(at, "outputs", fmt::format("\"{}\" is listed twice", out[i]));
        }
        return out;
    }

    std::string checked_name(const Fields& f, const std::string& key) const {
        const std::string name = f.text(f.require(key, "a name"), key);
        if (!is_valid_name(name))
            f.fail(key, fmt::format("\"{}\" must be 1 to 64 characters of letters, digits, '_', '.', '-'", name));
        return name;
    }

    std::filesystem::path resolve_path(const std::string& file) const {
        const std::filesystem::path p(file);
        return p.is_absolute() ? p : folder_ / p;
    }

    /// The .npy file named under `key`, which must hold exactly `shape`.
    std::vector<std::int8_t> read_values(const Fields& f, const YAML::Node& at, const std::string& key,
                                         const std::string& file, const std::vector<std::uint64_t>& shape) const {
        const std::string path = resolve_path(file).string();
        try {
            const NpyArray array = read_npy(path);
            if (array.shape != shape) {
                std::vector<std::string> want, have;
                for (auto d : shape) want.push_back(std::to_string(d));
                for (auto d : array.shape) have.push_back(std::to_string(d));
                f.fail_at(at, key, fmt::format("{} holds an array of shape [{}]; expected [{}]", path, join(have),
                                               join(want)));
            }
            return npy_int8_values(array, path);
        } catch (const NpyError& e) {
            f.fail_at(at, key, e.what());
        }
    }

    void read_input(const YAML::Node& node, std::size_t index) {
        Fields f(source_, node, fmt::format("inputs[{}]", index), "a map with the keys name, shape, data");
        NetworkInput in;
        in.name = checked_name(f, "name");
        f.set_what(fmt::format("input \"{}\"", in.name));
        f.reject_unknown({"name", "shape", "data"});
        in.source = f.line();
        for (auto d : f.uint_list(f.require("shape", "a list of 1 to 3 dimensions"), "shape", 1, kMaxDim, {1, 2, 3}))
            in.shape.push_back(to_u32(d));
        in.data.shape = in.shape;
        in.data.batch = net_.batch;
        const std::uint64_t n = std::uint64_t{net_.batch} * elements(in.shape);
        if (n > (std::uint64_t{1} << 31))
            f.fail("shape", fmt::format("{} for a batch of {} exceeds 2^31 values", to_string(in.shape), net_.batch));
        const std::string data = f.has("data") ? f.text(f.get("data"), "data") : "random";
        if (data == "random") {
            in.data.data = random_int8(seed_, in.name, n, RandomRange::Full);
        } else {
            std::vector<std::uint64_t> shape{net_.batch};
            shape.insert(shape.end(), in.shape.begin(), in.shape.end());
            in.data.data = read_values(f, f.get("data"), "data", data, shape);
        }
        net_.inputs.push_back(std::move(in));
    }

    /// k or [kh, kw].
    std::pair<std::uint32_t, std::uint32_t> pair(const Fields& f, const std::string& key, std::uint64_t min) const {
        const YAML::Node node = f.get(key);
        if (node.IsSequence()) {
            const auto v = f.uint_list(node, key, min, kMaxWindow, {2});
            return {to_u32(v[0]), to_u32(v[1])};
        }
        const auto v = to_u32(f.uint(node, key, min, kMaxWindow));
        return {v, v};
    }

    Requant requant(const Fields& f, const std::string& key, bool& is_auto) const {
        const YAML::Node node = f.get(key);
        is_auto = !f.has(key) || (node.IsScalar() && node.Scalar() == "auto");
        if (is_auto) return {};
        if (!node.IsMap()) f.fail(key, "expected auto or a map {multiplier, shift}, got " + yaml::describe(node));
        Fields r(source_, node, f.what() + ": " + key, "a map {multiplier, shift}");
        r.reject_unknown({"multiplier", "shift"});
        Requant q;
        q.multiplier = static_cast<std::int32_t>(r.integer(r.require("multiplier", "a signed 32-bit integer"),
                                                           "multiplier", std::numeric_limits<std::int32_t>::min(),
                                                           std::numeric_limits<std::int32_t>::max()));
        q.shift = to_u32(r.uint(r.require("shift", "a whole number from 0 to 62"), "shift", 0, 62));
        return q;
    }

    void read_layer(const YAML::Node& node, std::size_t index) {
        Fields f(source_, node, fmt::format("layers[{}]", index), "a map of layer keys");
        Layer layer;
        layer.name = checked_name(f, "name");
        f.set_what(fmt::format("layer \"{}\"", layer.name));
        layer.source = f.line();
        const auto& kinds = kind_table();
        const KindKeys& kind = kinds.at(f.choice(f.require("type", "one of " + join(kind_words())), "type", kind_words()));
        layer.kind = kind.kind;
        check_keys(f, kind);

        if (f.has("inputs")) {
            layer.inputs = names(f, f.get("inputs"), "inputs");
        } else if (!net_.layers.empty()) {
            layer.inputs = {net_.layers.back().name};
        } else if (net_.inputs.size() == 1) {
            layer.inputs = {net_.inputs[0].name};
        } else {
            f.fail("", fmt::format("the first layer must list its inputs when the network has {} inputs",
                                   net_.inputs.size()));
        }

        Pending p{f, false, true, {}};
        read_kind_keys(f, layer, p);
        net_.layers.push_back(std::move(layer));
        pending_.push_back(std::move(p));
    }

    /// Rejects keys of other layer types with a message saying so, and unknown keys.
    void check_keys(const Fields& f, const KindKeys& kind) const {
        std::vector<std::string> valid = kCommonLayerKeys;
        valid.insert(valid.end(), kind.keys.begin(), kind.keys.end());
        for (const auto& entry : f.entries()) {
            const std::string& key = entry.key;
            if (std::find(valid.begin(), valid.end(), key) != valid.end()) continue;
            for (const auto& other : kind_table()) {
                if (std::find(other.keys.begin(), other.keys.end(), key) != other.keys.end())
                    f.fail(key, fmt::format("does not apply to {} layer (its keys: {})",
                                           kind_with_article(kind.kind), join(valid)));
            }
        }
        f.reject_unknown(valid);
    }

    void read_kind_keys(const Fields& f, Layer& l, Pending& p) const {
        if (f.has("units")) l.units = to_u32(f.uint(f.get("units"), "units", 1, kMaxDim));
        else if (l.kind == LayerKind::FullyConnected) f.require("units", "the number of outputs");
        if (f.has("per_step")) l.per_step = f.choice(f.get("per_step"), "per_step", {"false", "true"}) == 1;
        if (f.has("filters")) l.filters = to_u32(f.uint(f.get("filters"), "filters", 1, kMaxDim));
        else if (l.kind == LayerKind::Conv2d) f.require("filters", "the number of output channels");

        const bool windowed = l.kind == LayerKind::Conv2d || l.kind == LayerKind::DepthwiseConv2d ||
                              l.kind == LayerKind::MaxPool || l.kind == LayerKind::AvgPool;
        if (windowed) {
            f.require("kernel", "k or [height, width]");
            std::tie(l.kernel_h, l.kernel_w) = pair(f, "kernel", 1);
            if (f.has("stride")) std::tie(l.stride_h, l.stride_w) = pair(f, "stride", 1);
            else if (l.kind == LayerKind::MaxPool || l.kind == LayerKind::AvgPool)
                std::tie(l.stride_h, l.stride_w) = std::make_pair(l.kernel_h, l.kernel_w);
        }
        if (f.has("dilation")) std::tie(l.dilation_h, l.dilation_w) = pair(f, "dilation", 1);
        if (f.has("padding")) read_padding(f, l, p);
        if (f.has("activation"))
            l.activation = static_cast<Activation>(f.choice(f.get("activation"), "activation", kActivationWords));

        const bool weighted = l.kind == LayerKind::FullyConnected || l.kind == LayerKind::Conv2d ||
                              l.kind == LayerKind::DepthwiseConv2d;
        if (weighted) l.requant = requant(f, "requant", p.requant_auto);

        if (l.kind == LayerKind::Lstm) {
            l.lstm.hidden = to_u32(f.uint(f.require("hidden", "the number of hidden units"), "hidden", 1, kMaxDim));
            if (f.has("layers")) l.lstm.layers = to_u32(f.uint(f.get("layers"), "layers", 1, kMaxStacked));
            l.lstm.gate_requant = requant(f, "gate_requant", p.requant_auto);
        }
        if (weighted || l.kind == LayerKind::Lstm) read_weight_files(f, l, p);

        // Multiply defaults to shift 7: a Q0.7 factor times an int8 value stays in int8 range.
        if (l.kind == LayerKind::Multiply) l.vector_shift = 7;
        if (f.has("vector_shift")) l.vector_shift = to_u32(f.uint(f.get("vector_shift"), "vector_shift", 0, 30));
    }

    void read_padding(const Fields& f, Layer& l, Pending& p) const {
        const YAML::Node node = f.get("padding");
        if (node.IsScalar() && (node.Scalar() == "same" || node.Scalar() == "valid")) {
            p.same_padding = node.Scalar() == "same";
            return;
        }
        if (node.IsSequence()) {
            const auto v = f.uint_list(node, "padding", 0, kMaxWindow, {4});
            l.pad_top = to_u32(v[0]);
            l.pad_bottom = to_u32(v[1]);
            l.pad_left = to_u32(v[2]);
            l.pad_right = to_u32(v[3]);
            return;
        }
        if (!node.IsScalar() || node.Scalar().empty() || !std::isdigit(static_cast<unsigned char>(node.Scalar()[0])))
            f.fail("padding", "expected n, [top, bottom, left, right], same or valid, got " + yaml::describe(node));
        l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = to_u32(f.uint(node, "padding", 0, kMaxWindow));
    }

    void read_weight_files(const Fields& f, const Layer& l, Pending& p) const {
        if (!f.has("weights")) return;
        const YAML::Node node = f.get("weights");
        if (node.IsScalar() && node.Scalar() == "random") return;
        if (l.kind != LayerKind::Lstm) {
            p.weight_files = {f.text(node, "weights")};
            return;
        }
        const std::size_t need = 2 * std::size_t{l.lstm.layers};
        if (!node.IsSequence() || node.size() != need) {
            f.fail("weights", fmt::format("expected random or a list of {} .npy files (W_x then W_h of each stacked "
                                          "layer), got {}",
                                          need, node.IsSequence() ? std::to_string(node.size()) + " items"
                                                                  : yaml::describe(node)));
        }
        for (const auto& item : node) p.weight_files.push_back(f.text(item, "weights"));
    }

    /// "same" padding as TensorFlow defines it: out = ceil(in / stride), the padding the
    /// kernel extent then needs split evenly, the odd one at the bottom / right.
    static void same_padding(std::uint32_t size, std::uint32_t kernel, std::uint32_t stride, std::uint32_t dilation,
                             std::uint32_t& before, std::uint32_t& after) {
        const std::int64_t out = (std::int64_t{size} + stride - 1) / stride;
        const std::int64_t extent = std::int64_t{dilation} * (kernel - 1) + 1;
        const std::int64_t total = std::max<std::int64_t>((out - 1) * stride + extent - size, 0);
        before = static_cast<std::uint32_t>(total / 2);
        after = static_cast<std::uint32_t>(total - total / 2);
    }

    void resolve(const Pending& p, Layer& l, const Shape& input) const {
        if (!p.same_padding) return;
        same_padding(input[0], l.kernel_h, l.stride_h, l.dilation_h, l.pad_top, l.pad_bottom);
        same_padding(input[1], l.kernel_w, l.stride_w, l.dilation_w, l.pad_left, l.pad_right);
    }

    void create_values(const Pending& p, Layer& l, const Shape& input) const {
        const std::uint64_t k = reduction_size(l, input);
        // Gates use the rule for no activation (c = 74) although sigmoid and tanh follow:
        // their sums mix x with the much smaller h, and the gentler sigmoid/tanh scale
        // would shrink h by about half in every stacked layer (docs/workloads.md).
        if (p.requant_auto && l.kind == LayerKind::Lstm) l.lstm.gate_requant = auto_requant(k, Activation::None);
        else if (p.requant_auto && k != 0) l.requant = auto_requant(k, l.activation);

        const std::vector<Shape> shapes = weight_shapes(l, input);
        for (const auto& s : shapes)
            if (elements(s) > (std::uint64_t{1} << 31)) return;  // shape inference reports it
        std::vector<std::vector<std::int8_t>> arrays;
        for (std::size_t i = 0; i < shapes.size(); ++i) {
            const std::string stream = l.kind != LayerKind::Lstm
                                           ? l.name
                                           : fmt::format("{}/{}/{}", l.name, i % 2 == 0 ? "w_x" : "w_h", i / 2);
            if (p.weight_files.empty()) {
                arrays.push_back(random_int8(seed_, stream, elements(shapes[i]), RandomRange::Symmetric));
                continue;
            }
            const YAML::Node node = p.fields.get("weights");
            const YAML::Node at = node.IsSequence() ? node[i] : node;
            arrays.push_back(read_values(p.fields, at, "weights", p.weight_files[i],
                                         std::vector<std::uint64_t>(shapes[i].begin(), shapes[i].end())));
        }
        if (l.kind != LayerKind::Lstm) {
            if (!arrays.empty()) l.weights = std::move(arrays[0]);
            return;
        }
        l.lstm.w_x.clear();
        l.lstm.w_h.clear();
        for (std::size_t i = 0; i < arrays.size(); ++i) (i % 2 == 0 ? l.lstm.w_x : l.lstm.w_h).push_back(std::move(arrays[i]));
    }

    std::string source_;
    std::filesystem::path folder_;
    const std::string& text_;
    std::uint64_t seed_ = 1;
    Network net_;
    std::vector<Pending> pending_;  // parallel to net_.layers
};

}  // namespace

Network parse_workload(const std::string& yaml_text, const std::string& source_name) {
    return Reader(yaml_text, source_name).read();
}

Network load_workload(const std::string& path) {
    return parse_workload(config::yaml::read_file(yaml::kFormat, path), path);
}

}  // namespace tpusim::compiler
