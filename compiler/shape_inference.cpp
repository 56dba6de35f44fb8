#include "compiler/shape_inference.hpp"

#include "compiler/compile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>

namespace tpusim::compiler {

namespace {

// Limits that keep every size computation far from overflow (a count fits uint32 and
// products of counts fit uint64). A tensor (all of its batch) or one layer's weights
// beyond 2 GiB exceeds any memory of the chips tpusim models.
constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 31;
constexpr std::uint32_t kMaxShift = 62;        // requant_shift register range
constexpr std::uint32_t kMaxVectorShift = 30;  // vector_shift register range

/// What each kind accepts; the same facts drive every check below.
struct KindRules {
    LayerKind kind;
    std::size_t min_inputs, max_inputs;
    std::size_t input_rank;  // 0: any rank
    bool requant;            // has weights and a requantization
    bool activation;         // takes an activation function
};
constexpr std::size_t kAny = std::numeric_limits<std::size_t>::max();
const KindRules kRules[] = {
    {LayerKind::FullyConnected, 1, 1, 0, true, true},
    {LayerKind::Conv2d, 1, 1, 3, true, true},
    {LayerKind::DepthwiseConv2d, 1, 1, 3, true, true},
    {LayerKind::MaxPool, 1, 1, 3, false, false},
    {LayerKind::AvgPool, 1, 1, 3, false, false},
    {LayerKind::Lstm, 1, 1, 2, false, false},
    {LayerKind::Add, 2, 2, 0, false, true},
    {LayerKind::Multiply, 2, 2, 0, false, true},
    {LayerKind::Flatten, 1, 1, 0, false, false},
    {LayerKind::Concat, 2, kAny, 0, false, false},
};

const KindRules& rules_of(LayerKind kind) {
    for (const auto& r : kRules)
        if (r.kind == kind) return r;
    throw CompileError(fmt::format("layer kind {} is not a LayerKind", static_cast<int>(kind)));
}

/// a * b, or kMaxBytes + 1 once the product passes kMaxBytes (so it stays comparable).
std::uint64_t capped_product(std::uint64_t a, std::uint64_t b) {
    if (a != 0 && b > kMaxBytes / a) return kMaxBytes + 1;
    return a * b;
}

std::uint64_t capped_elements(const Shape& shape) {
    std::uint64_t n = 1;
    for (std::uint32_t d : shape) n = capped_product(n, d);
    return n;
}

std::string shape_product_text(const Shape& shape) {
    std::string out;
    for (std::uint32_t d : shape) out += (out.empty() ? "" : " x ") + std::to_string(d);
    return out;
}

std::string place_of(const Network& network, const std::string& source) {
    if (!source.empty()) return source;
    if (!network.source.empty()) return network.source;
    return fmt::format("network \"{}\"", network.name);
}

/// Checks one layer and computes its output shape.
class LayerCheck {
public:
    LayerCheck(const Network& network, const Layer& layer, const std::vector<Shape>& inputs)
        : network_(network), layer_(layer), in_(inputs) {}

    [[noreturn]] void fail(const std::string& field, const std::string& message) const {
        throw CompileError(fmt::format("{}: {}{}", describe_layer(network_, layer_),
                                       field.empty() ? "" : field + ": ", message));
    }

    /// The input rank the kind needs; checked before the Resolve hook looks at the shapes.
    void check_rank() const {
        const KindRules& rules = rules_of(layer_.kind);
        if (rules.input_rank != 0 && in_[0].size() != rules.input_rank) {
            fail("inputs", fmt::format("\"{}\" has shape {}; {} layer needs {}", layer_.inputs[0],
                                       to_string(in_[0]), kind_with_article(layer_.kind),
                                       rules.input_rank == 3 ? "a feature map [height, width, channels]"
                                                             : "a sequence [steps, features]"));
        }
    }

    Shape check_shape() const {
        const KindRules& rules = rules_of(layer_.kind);
        if (rules.activation) {
            if (static_cast<std::uint8_t>(layer_.activation) > static_cast<std::uint8_t>(Activation::Tanh))
                fail("activation", "not one of none, relu, sigmoid, tanh");
        } else if (layer_.activation != Activation::None) {
            fail("activation", fmt::format("{} layer has no activation function", kind_with_article(layer_.kind)));
        }
        if (rules.requant) {
            check_requant("requant", layer_.requant);
        } else {
            if (layer_.requant.multiplier != 1 || layer_.requant.shift != 0)
                fail("requant", fmt::format("{} layer does not requantize (multiplier must be 1, shift 0)",
                                            kind_with_article(layer_.kind)));
            if (!layer_.weights.empty())
                fail("weights", fmt::format("{} layer has no weights", kind_with_article(layer_.kind)));
        }

        Shape out = output_shape();
        if (capped_product(capped_elements(out), network_.batch) > kMaxBytes)
            fail("", fmt::format("output {} for a batch of {} exceeds 2^31 values", to_string(out), network_.batch));
        return out;
    }

    void check_weights() const {
        const std::vector<Shape> shapes = weight_shapes(layer_, in_[0]);
        if (layer_.kind != LayerKind::Lstm) {
            if (!shapes.empty()) check_size("weights", layer_.weights.size(), shapes[0]);
            return;
        }
        const LstmParams& p = layer_.lstm;
        if (p.w_x.size() != p.layers || p.w_h.size() != p.layers) {
            fail("weights", fmt::format("{} stacked layers need {} W_x and {} W_h arrays; got {} and {}", p.layers,
                                        p.layers, p.layers, p.w_x.size(), p.w_h.size()));
        }
        for (std::uint32_t i = 0; i < p.layers; ++i) {
            check_size(fmt::format("weights (W_x of stacked layer {})", i), p.w_x[i].size(), shapes[2 * i]);
            check_size(fmt::format("weights (W_h of stacked layer {})", i), p.w_h[i].size(), shapes[2 * i + 1]);
        }
    }

private:
    void check_requant(const std::string& field, const Requant& r) const {
        if (r.shift > kMaxShift)
            fail(field, fmt::format("shift {} is above {}, the largest the activation unit applies", r.shift, kMaxShift));
    }

    void check_window(const char* axis, std::uint32_t size, std::uint32_t kernel, std::uint32_t stride,
                      std::uint32_t dilation, std::uint32_t pad_before, std::uint32_t pad_after) const {
        if (kernel == 0) fail("kernel", fmt::format("{} must be at least 1", axis));
        if (stride == 0) fail("stride", fmt::format("{} must be at least 1", axis));
        if (dilation == 0) fail("dilation", fmt::format("{} must be at least 1", axis));
        const std::uint64_t extent = std::uint64_t{dilation} * (kernel - 1) + 1;
        // A window made of padding alone would compute nothing from the input.
        const bool height = std::string(axis) == "height";
        if (pad_before >= extent || pad_after >= extent) {
            const bool before = pad_before >= extent;
            fail("padding", fmt::format("{} padding {} is not smaller than the kernel's {} extent {}",
                                        before ? (height ? "top" : "left") : (height ? "bottom" : "right"),
                                        before ? pad_before : pad_after, axis, extent));
        }
        if (std::uint64_t{size} + pad_before + pad_after < extent) {
            fail("kernel", fmt::format("the {} extent {} of the kernel exceeds the input {} {} plus padding {}",
                                       axis, extent, axis, size, pad_before + pad_after));
        }
    }

    /// floor((size + pads - extent) / stride) + 1, after check_window.
    static std::uint32_t window_count(std::uint32_t size, std::uint32_t kernel, std::uint32_t stride,
                                      std::uint32_t dilation, std::uint32_t pads) {
        const std::uint64_t extent = std::uint64_t{dilation} * (kernel - 1) + 1;
        return static_cast<std::uint32_t>((size + std::uint64_t{pads} - extent) / stride + 1);
    }

    Shape conv_output(std::uint32_t channels) const {
        const Layer& l = layer_;
        check_window("height", in_[0][0], l.kernel_h, l.stride_h, l.dilation_h, l.pad_top, l.pad_bottom);
        check_window("width", in_[0][1], l.kernel_w, l.stride_w, l.dilation_w, l.pad_left, l.pad_right);
        return {window_count(in_[0][0], l.kernel_h, l.stride_h, l.dilation_h, l.pad_top + l.pad_bottom),
                window_count(in_[0][1], l.kernel_w, l.stride_w, l.dilation_w, l.pad_left + l.pad_right), channels};
    }

    Shape pool_output() const {
        const Layer& l = layer_;
        // The activation unit pools square windows with one stride and no padding.
        if (l.kernel_h != l.kernel_w)
            fail("kernel", fmt::format("pooling windows are square; got {} x {}", l.kernel_h, l.kernel_w));
        if (l.stride_h != l.stride_w)
            fail("stride", fmt::format("pooling uses one stride for both axes; got {} and {}", l.stride_h, l.stride_w));
        if (l.pad_top != 0 || l.pad_bottom != 0 || l.pad_left != 0 || l.pad_right != 0)
            fail("padding", "pooling has no padding");
        if (l.dilation_h != 1 || l.dilation_w != 1) fail("dilation", "pooling has no dilation");
        check_window("height", in_[0][0], l.kernel_h, l.stride_h, 1, 0, 0);
        check_window("width", in_[0][1], l.kernel_w, l.stride_w, 1, 0, 0);
        return {window_count(in_[0][0], l.kernel_h, l.stride_h, 1, 0),
                window_count(in_[0][1], l.kernel_w, l.stride_w, 1, 0), in_[0][2]};
    }

    Shape output_shape() const {
        const Layer& l = layer_;
        switch (l.kind) {
        case LayerKind::FullyConnected:
            if (l.units == 0) fail("units", "must be at least 1");
            if (!l.per_step) return {l.units};
            if (in_[0].size() != 2)
                fail("per_step", fmt::format("\"{}\" has shape {}; per_step needs a sequence [steps, features]",
                                             l.inputs[0], to_string(in_[0])));
            return {in_[0][0], l.units};
        case LayerKind::Conv2d:
            if (l.filters == 0) fail("filters", "must be at least 1");
            return conv_output(l.filters);
        case LayerKind::DepthwiseConv2d: return conv_output(in_[0][2]);
        case LayerKind::MaxPool:
        case LayerKind::AvgPool: return pool_output();
        case LayerKind::Lstm:
            if (l.lstm.hidden == 0) fail("hidden", "must be at least 1");
            if (l.lstm.hidden > (1u << 24)) fail("hidden", "must be at most 2^24");
            if (l.lstm.layers == 0) fail("layers", "must be at least 1");
            check_requant("gate_requant", l.lstm.gate_requant);
            return {in_[0][0], l.lstm.hidden};
        case LayerKind::Add:
        case LayerKind::Multiply:
            if (in_[0] != in_[1]) {
                fail("inputs", fmt::format("\"{}\" has shape {} but \"{}\" has shape {}; they must be equal",
                                           l.inputs[0], to_string(in_[0]), l.inputs[1], to_string(in_[1])));
            }
            if (l.vector_shift > kMaxVectorShift)
                fail("vector_shift", fmt::format("{} is above {}, the register's limit", l.vector_shift, kMaxVectorShift));
            return in_[0];
        case LayerKind::Flatten: return {static_cast<std::uint32_t>(capped_elements(in_[0]))};
        case LayerKind::Concat: return concat_output();
        }
        fail("type", "unknown layer kind");
    }

    Shape concat_output() const {
        Shape out = in_[0];
        for (std::size_t i = 1; i < in_.size(); ++i) {
            const Shape& s = in_[i];
            const bool same_leading =
                s.size() == out.size() && std::equal(s.begin(), s.end() - 1, in_[0].begin());
            if (!same_leading) {
                fail("inputs", fmt::format("\"{}\" has shape {} and \"{}\" {}; concat needs equal shapes up to "
                                           "the last axis",
                                           layer_.inputs[0], to_string(in_[0]), layer_.inputs[i], to_string(s)));
            }
            out.back() += s.back();
        }
        return out;
    }

    void check_size(const std::string& field, std::size_t have, const Shape& shape) const {
        const std::uint64_t need = capped_elements(shape);
        if (need > kMaxBytes)
            fail(field, fmt::format("{} weights exceed 2^31", to_string(shape)));
        if (have != need) {
            fail(field, fmt::format("holds {} values; {} needs {} = {}", have, to_string(shape),
                                    shape_product_text(shape), need));
        }
    }

    const Network& network_;
    const Layer& layer_;
    const std::vector<Shape>& in_;
};

[[noreturn]] void fail_at(const std::string& place, const std::string& message) {
    throw CompileError(place + ": " + message);
}

void check_name(const std::string& place, const std::string& what, const std::string& name) {
    if (!is_valid_name(name)) {
        fail_at(place, fmt::format("{} name \"{}\" must be 1 to 64 characters of letters, digits, '_', '.', '-'",
                                   what, name));
    }
}

void check_input(const Network& network, const NetworkInput& in) {
    const std::string place = fmt::format("{}: input \"{}\"", place_of(network, in.source), in.name);
    if (in.shape.empty() || in.shape.size() > 3)
        fail_at(place, fmt::format("shape: {} must have 1 to 3 dimensions", to_string(in.shape)));
    for (std::uint32_t d : in.shape)
        if (d == 0) fail_at(place, fmt::format("shape: {} has a zero dimension", to_string(in.shape)));
    const std::uint64_t n = capped_product(capped_elements(in.shape), network.batch);
    if (n > kMaxBytes) fail_at(place, fmt::format("shape: {} for a batch of {} exceeds 2^31 values",
                                                  to_string(in.shape), network.batch));
    if (in.data.shape != in.shape || in.data.batch != network.batch || in.data.data.size() != n) {
        fail_at(place, fmt::format("data: holds {} values of shape {} for a batch of {}; expected {} for shape {} "
                                   "and batch {}",
                                   in.data.data.size(), to_string(in.data.shape), in.data.batch, n,
                                   to_string(in.shape), network.batch));
    }
}

}  // namespace

bool is_valid_name(const std::string& name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '.' || c == '-';
    });
}

std::string kind_with_article(LayerKind kind) {
    // Spoken as letters or starting with a vowel: "an fc", "an lstm", "an add".
    const char first = kind_name(kind)[0];
    const bool an = first == 'a' || kind == LayerKind::Lstm || kind == LayerKind::FullyConnected;
    return std::string(an ? "an " : "a ") + kind_name(kind);
}

std::string describe_layer(const Network& network, const Layer& layer) {
    return fmt::format("{}: layer \"{}\" ({})", place_of(network, layer.source), layer.name, kind_name(layer.kind));
}

std::vector<Shape> weight_shapes(const Layer& layer, const Shape& input) {
    const std::uint32_t channels = input.empty() ? 0 : input.back();
    switch (layer.kind) {
    case LayerKind::FullyConnected:
        return {{layer.per_step ? channels : static_cast<std::uint32_t>(capped_elements(input)), layer.units}};
    case LayerKind::Conv2d: return {{layer.kernel_h, layer.kernel_w, channels, layer.filters}};
    case LayerKind::DepthwiseConv2d: return {{layer.kernel_h, layer.kernel_w, channels}};
    case LayerKind::Lstm: {
        std::vector<Shape> out;
        const std::uint32_t h = layer.lstm.hidden;
        for (std::uint32_t l = 0; l < layer.lstm.layers; ++l) {
            out.push_back({l == 0 ? channels : h, 4 * h});
            out.push_back({h, 4 * h});
        }
        return out;
    }
    default: return {};
    }
}

std::uint64_t reduction_size(const Layer& layer, const Shape& input) {
    const std::uint64_t channels = input.empty() ? 0 : input.back();
    switch (layer.kind) {
    case LayerKind::FullyConnected: return layer.per_step ? channels : capped_elements(input);
    case LayerKind::Conv2d: return std::uint64_t{layer.kernel_h} * layer.kernel_w * channels;
    case LayerKind::DepthwiseConv2d: return std::uint64_t{layer.kernel_h} * layer.kernel_w;
    case LayerKind::Lstm: return channels + layer.lstm.hidden;
    default: return 0;
    }
}

const Shape& tensor_shape(const Network& network, const std::string& name) {
    for (const auto& in : network.inputs)
        if (in.name == name) return in.shape;
    for (const auto& l : network.layers)
        if (l.name == name) return l.out_shape;
    throw CompileError(fmt::format("{}: no input or layer is named \"{}\"", place_of(network, ""), name));
}

void infer_shapes(Network& network, const LayerHook& hook) {
    const std::string top = place_of(network, "");
    if (network.name.empty()) fail_at(top, "name: the network needs a name");
    if (network.batch == 0) fail_at(top, "batch: must be at least 1");
    if (network.inputs.empty()) fail_at(top, "inputs: the network needs at least one input");
    if (network.layers.empty()) fail_at(top, "layers: the network needs at least one layer");

    std::map<std::string, Shape> shapes;  // every tensor defined so far
    for (const auto& in : network.inputs) {
        check_name(fmt::format("{}: input", place_of(network, in.source)), "input", in.name);
        if (shapes.count(in.name) != 0)
            fail_at(place_of(network, in.source), fmt::format("input \"{}\" is defined twice", in.name));
        check_input(network, in);
        shapes[in.name] = in.shape;
    }
    for (auto& layer : network.layers) {
        const std::string place = place_of(network, layer.source);
        check_name(place, "layer", layer.name);
        if (shapes.count(layer.name) != 0)
            fail_at(describe_layer(network, layer), "name: an input or an earlier layer has the same name");
        const KindRules& rules = rules_of(layer.kind);
        if (layer.inputs.size() < rules.min_inputs || layer.inputs.size() > rules.max_inputs) {
            const std::string needed =
                rules.max_inputs == kAny ? fmt::format("at least {}", rules.min_inputs)
                                         : std::to_string(rules.min_inputs);
            fail_at(describe_layer(network, layer),
                    fmt::format("inputs: {} layer takes {} input{}, got {}", kind_with_article(layer.kind), needed,
                                rules.min_inputs == 1 && rules.max_inputs == 1 ? "" : "s", layer.inputs.size()));
        }
        std::vector<Shape> in;
        for (const auto& name : layer.inputs) {
            const auto it = shapes.find(name);
            if (it == shapes.end()) {
                const bool later = std::any_of(network.layers.begin(), network.layers.end(),
                                               [&](const Layer& l) { return l.name == name; });
                fail_at(describe_layer(network, layer),
                        fmt::format("inputs: \"{}\" {}", name,
                                    later ? "is defined after this layer; layers must come after their inputs"
                                          : "is neither a network input nor an earlier layer"));
            }
            in.push_back(it->second);
        }
        const LayerCheck check(network, layer, in);
        check.check_rank();
        if (hook) hook(HookStage::Resolve, layer, in);
        layer.out_shape = check.check_shape();
        if (hook) hook(HookStage::Values, layer, in);
        check.check_weights();
        shapes[layer.name] = layer.out_shape;
    }

    if (network.outputs.empty()) fail_at(top, "outputs: the network needs at least one output");
    for (std::size_t i = 0; i < network.outputs.size(); ++i) {
        const std::string& name = network.outputs[i];
        if (shapes.count(name) == 0)
            fail_at(top, fmt::format("outputs: \"{}\" is neither a network input nor a layer", name));
        if (std::find(network.outputs.begin(), network.outputs.begin() + static_cast<std::ptrdiff_t>(i), name) !=
            network.outputs.begin() + static_cast<std::ptrdiff_t>(i))
            fail_at(top, fmt::format("outputs: \"{}\" is listed twice", name));
    }
}

}  // namespace tpusim::compiler
