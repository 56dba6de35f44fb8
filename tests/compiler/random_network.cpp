#include "random_network.hpp"

#include "compiler/shape_inference.hpp"

#include <fmt/format.h>

#include <cmath>
#include <vector>

namespace tpusim::compiler::testing {

namespace {

class Builder {
public:
    Builder(std::uint32_t seed, const RandomLimits& limits) : rng_(seed), lim_(limits) {
        net_.name = fmt::format("random{}", seed);
        net_.source = fmt::format("random-network-{}", seed);
    }

    Network build() {
        net_.batch = pick(1, lim_.max_batch);
        add_input();
        if (!lim_.map_chain && chance(0.2)) add_input();
        const std::uint32_t layers = pick(1, lim_.max_layers);
        for (std::uint32_t i = 0; i < layers; ++i) add_layer();
        net_.outputs.push_back(net_.layers.back().name);
        for (const auto& l : net_.layers)
            if (!lim_.map_chain && l.name != net_.layers.back().name && chance(0.25)) net_.outputs.push_back(l.name);
        if (!lim_.map_chain && chance(0.1)) net_.outputs.push_back(net_.inputs[0].name);
        infer_shapes(net_);
        return std::move(net_);
    }

private:
    std::uint32_t pick(std::uint32_t lo, std::uint32_t hi) {
        return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng_);
    }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

    std::vector<std::int8_t> values(std::uint64_t n) {
        std::vector<std::int8_t> v(n);
        std::uniform_int_distribution<int> d(-128, 127);
        for (auto& x : v) x = static_cast<std::int8_t>(d(rng_));
        return v;
    }

    struct Named {
        std::string name;
        Shape shape;
    };

    /// Features: often a multiple of the chunk (so concatenations line up), else anything.
    std::uint32_t features(std::uint32_t most) {
        if (most >= lim_.chunk && chance(0.3)) return lim_.chunk * pick(1, most / lim_.chunk);
        return pick(1, most);
    }

    Shape random_shape(std::uint32_t rank) {
        switch (rank) {
            case 3:
                return {pick(1, lim_.max_side), pick(1, lim_.max_side), features(lim_.max_channels)};
            case 2:
                return {pick(1, lim_.max_steps), features(lim_.max_channels)};
            default:
                return {features(2 * lim_.max_channels)};
        }
    }

    void add_input() {
        NetworkInput in;
        in.name = fmt::format("in{}", net_.inputs.size());
        const double r = std::uniform_real_distribution<double>(0, 1)(rng_);
        in.shape = random_shape(lim_.map_chain || r < 0.5 ? 3 : r < 0.75 ? 2 : 1);
        in.data.shape = in.shape;
        in.data.batch = net_.batch;
        in.data.data = values(elements(in.shape) * net_.batch);
        net_.inputs.push_back(in);
        tensors_.push_back(Named{in.name, in.shape});
    }

    /// Recent tensors are more likely, so that networks are deep as well as wide.
    const Named& some_tensor() {
        const std::size_t n = tensors_.size();
        if (chance(0.6)) return tensors_.back();
        return tensors_[pick(0, static_cast<std::uint32_t>(n - 1))];
    }

    /// Another tensor with this exact shape, or the same one.
    std::string partner(const Named& x, bool leading_only) {
        std::vector<std::string> same;
        for (const auto& t : tensors_) {
            const bool ok = leading_only ? t.shape.size() == x.shape.size() &&
                                               std::equal(t.shape.begin(), t.shape.end() - 1, x.shape.begin())
                                         : t.shape == x.shape;
            if (ok && t.name != x.name) same.push_back(t.name);
        }
        if (same.empty() || chance(0.15)) return x.name;
        return same[pick(0, static_cast<std::uint32_t>(same.size() - 1))];
    }

    /// Requantization that keeps most outputs inside int8 for sums of k products.
    Requant requant_for(std::uint64_t k) {
        Requant r;
        r.multiplier = static_cast<std::int32_t>(pick(64, 255)) * (chance(0.1) ? -1 : 1);
        const double spread = std::sqrt(double(k)) * 74.0 * 74.0 * std::abs(r.multiplier) / 48.0;
        r.shift = static_cast<std::uint32_t>(std::max(0.0, std::round(std::log2(spread))));
        if (chance(0.1)) r.shift = pick(0, 3);
        return r;
    }

    Activation some_activation() { return static_cast<Activation>(pick(0, 3)); }

    void add_layer() {
        const Named x = lim_.map_chain ? tensors_.back() : some_tensor();
        Layer l;
        l.name = fmt::format("l{}", net_.layers.size());
        l.source = fmt::format("{}:{}", net_.source, net_.layers.size() + 1);
        l.inputs = {x.name};
        const std::uint32_t rank = static_cast<std::uint32_t>(x.shape.size());
        std::vector<LayerKind> kinds = {LayerKind::FullyConnected, LayerKind::Add, LayerKind::Multiply,
                                        LayerKind::Concat, LayerKind::Flatten};
        if (rank == 3 && (lim_.map_chain || chance(0.7)))
            kinds = {LayerKind::Conv2d,          LayerKind::Conv2d,  LayerKind::Conv2d,
                     LayerKind::DepthwiseConv2d, LayerKind::MaxPool, LayerKind::AvgPool};
        if (lim_.map_chain && lim_.residual) kinds.insert(kinds.end(), 2, LayerKind::Add);
        if (rank == 2 && chance(0.4)) kinds = {LayerKind::Lstm};
        l.kind = kinds[pick(0, static_cast<std::uint32_t>(kinds.size() - 1))];
        if (l.kind == LayerKind::FullyConnected && elements(x.shape) > 600) l.kind = LayerKind::Flatten;
        switch (l.kind) {
            case LayerKind::FullyConnected: {
                l.units = features(2 * lim_.max_channels);
                l.per_step = rank == 2 && chance(0.5);  // the same product at every step
                const std::uint64_t k = l.per_step ? x.shape[1] : elements(x.shape);
                l.weights = values(k * l.units);
                l.requant = requant_for(k);
                l.activation = some_activation();
                break;
            }
            case LayerKind::Conv2d:
            case LayerKind::DepthwiseConv2d: {
                window(l, x.shape, true);
                const std::uint32_t cin = x.shape[2];
                if (l.kind == LayerKind::Conv2d) l.filters = features(lim_.max_channels);
                if (lim_.residual && chance(0.5)) keep_shape(l, cin);
                const std::uint64_t per =
                    std::uint64_t{l.kernel_h} * l.kernel_w * (l.kind == LayerKind::Conv2d ? cin : 1);
                l.weights = values(per * (l.kind == LayerKind::Conv2d ? l.filters : cin));
                l.requant = requant_for(per);
                l.activation = some_activation();
                break;
            }
            case LayerKind::MaxPool:
            case LayerKind::AvgPool: {
                const std::uint32_t k = pick(1, std::min({3u, x.shape[0], x.shape[1]}));
                l.kernel_h = l.kernel_w = k;
                l.stride_h = l.stride_w = pick(1, 3);
                break;
            }
            case LayerKind::Lstm:
                l.lstm.hidden = features(lim_.max_hidden);
                l.lstm.layers = pick(1, 2);
                for (std::uint32_t s = 0; s < l.lstm.layers; ++s) {
                    const std::uint64_t in = s == 0 ? x.shape[1] : l.lstm.hidden;
                    l.lstm.w_x.push_back(values(in * 4 * l.lstm.hidden));
                    l.lstm.w_h.push_back(values(std::uint64_t{l.lstm.hidden} * 4 * l.lstm.hidden));
                }
                l.lstm.gate_requant = requant_for(std::uint64_t{x.shape[1]} + l.lstm.hidden);
                break;
            case LayerKind::Add:
            case LayerKind::Multiply:
                l.inputs.push_back(partner(x, false));
                l.vector_shift = l.kind == LayerKind::Multiply ? pick(4, 9) : pick(0, 2);
                if (chance(lim_.residual ? 0.8 : 0.4)) l.activation = some_activation();  // through the array
                break;
            case LayerKind::Concat: {
                l.inputs.push_back(partner(x, true));
                if (chance(0.3)) l.inputs.push_back(partner(x, true));
                break;
            }
            case LayerKind::Flatten:
                break;
        }
        net_.layers.push_back(l);
        // Shapes as shape inference will find them, for choosing later layers.
        Network probe = net_;
        probe.outputs = {l.name};
        infer_shapes(probe);
        tensors_.push_back(Named{l.name, probe.layers.back().out_shape});
    }

    /// A 1x1 or 3x3 window, stride 1, padded to keep the map's size, and (for a
    /// convolution) as many filters as input channels: the shape a residual block keeps.
    void keep_shape(Layer& l, std::uint32_t cin) {
        const std::uint32_t k = chance(0.5) ? 1 : 3;
        l.kernel_h = l.kernel_w = k;
        l.stride_h = l.stride_w = l.dilation_h = l.dilation_w = 1;
        l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = (k - 1) / 2;
        if (l.kind == LayerKind::Conv2d) l.filters = cin;
    }

    /// Kernel, stride, dilation and padding that fit the map.
    void window(Layer& l, const Shape& in, bool pad) {
        std::uint32_t* k[2] = {&l.kernel_h, &l.kernel_w};
        std::uint32_t* s[2] = {&l.stride_h, &l.stride_w};
        std::uint32_t* d[2] = {&l.dilation_h, &l.dilation_w};
        std::uint32_t* before[2] = {&l.pad_top, &l.pad_left};
        std::uint32_t* after[2] = {&l.pad_bottom, &l.pad_right};
        for (int a = 0; a < 2; ++a) {
            *k[a] = pick(1, 3);
            *d[a] = chance(0.25) ? 2 : 1;
            *s[a] = chance(0.3) ? pick(2, 3) : 1;
            const std::uint32_t extent = *d[a] * (*k[a] - 1) + 1;
            *before[a] = pad ? pick(0, extent - 1) : 0;
            *after[a] = pad ? pick(0, extent - 1) : 0;
            if (in[static_cast<std::size_t>(a)] + *before[a] + *after[a] < extent) {
                *k[a] = 1;
                *d[a] = 1;
                *before[a] = *after[a] = 0;
            }
        }
    }

    std::mt19937 rng_;
    RandomLimits lim_;
    Network net_;
    std::vector<Named> tensors_;
};

}  // namespace

Network random_network(std::uint32_t seed, const RandomLimits& limits) { return Builder(seed, limits).build(); }

std::string describe(const Network& net) {
    std::string out = fmt::format("{} batch {}:", net.name, net.batch);
    for (const auto& in : net.inputs) out += fmt::format(" input {} {};", in.name, to_string(in.shape));
    for (const auto& l : net.layers) {
        out += fmt::format(" {} = {}(", l.name, kind_name(l.kind));
        for (std::size_t i = 0; i < l.inputs.size(); ++i) out += (i ? ", " : "") + l.inputs[i];
        out += fmt::format(") -> {}", to_string(l.out_shape));
        if (l.kind == LayerKind::Conv2d || l.kind == LayerKind::DepthwiseConv2d)
            out +=
                fmt::format(" k{}x{} s{}x{} d{}x{} pad t{} b{} l{} r{}", l.kernel_h, l.kernel_w, l.stride_h, l.stride_w,
                            l.dilation_h, l.dilation_w, l.pad_top, l.pad_bottom, l.pad_left, l.pad_right);
        if (l.kind == LayerKind::MaxPool || l.kind == LayerKind::AvgPool)
            out += fmt::format(" k{} s{}", l.kernel_h, l.stride_h);
        if (l.kind == LayerKind::Lstm) out += fmt::format(" hidden {} layers {}", l.lstm.hidden, l.lstm.layers);
        if (l.per_step) out += " per_step";
        if (l.activation != Activation::None) out += fmt::format(" activation {}", static_cast<int>(l.activation));
        out += ";";
    }
    out += " outputs";
    for (const auto& o : net.outputs) out += " " + o;
    return out;
}

}  // namespace tpusim::compiler::testing
