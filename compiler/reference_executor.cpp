#include "compiler/reference_executor.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace tpusim::compiler {

namespace {

// ---------------------------------------------------------------------------------------
// Integer arithmetic of docs/arithmetic.md, written out again here on purpose.

std::int8_t sat8(std::int64_t v) { return static_cast<std::int8_t>(v < -128 ? -128 : v > 127 ? 127 : v); }

/// floor(v / 2^s) without relying on how >> treats negative numbers.
std::int64_t floor_shift(std::int64_t v, std::uint32_t s) { return v >= 0 ? v >> s : ~((~v) >> s); }

/// floor((v + 2^(s-1)) / 2^s), or v when s = 0.
std::int64_t round_shift(std::int64_t v, std::uint32_t s) {
    return s == 0 ? v : floor_shift(v + (std::int64_t{1} << (s - 1)), s);
}

/// The int32 with the low 32 bits of v: how the accumulators wrap.
std::int32_t wrap32(std::int64_t v) {
    const std::uint32_t low = static_cast<std::uint32_t>(static_cast<std::uint64_t>(v));
    return low >= 0x80000000u ? static_cast<std::int32_t>(std::int64_t{low} - (std::int64_t{1} << 32))
                              : static_cast<std::int32_t>(low);
}

std::int8_t requantize(std::int32_t sum, const Requant& r) {
    return sat8(round_shift(std::int64_t{sum} * r.multiplier, r.shift));
}

/// Entry x + 128: clamp(round_away(128 f(x / 16)), -128, 127).
std::array<std::int8_t, 256> build_table(double (*f)(double)) {
    std::array<std::int8_t, 256> t{};
    for (int x = -128; x < 128; ++x) {
        const double v = 128.0 * f(x / 16.0);
        const double r = std::floor(std::fabs(v) + 0.5) * (v < 0 ? -1.0 : 1.0);
        t[static_cast<std::size_t>(x + 128)] = sat8(static_cast<std::int64_t>(r));
    }
    return t;
}
double sigmoid_fn(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double tanh_fn(double x) { return std::tanh(x); }

std::int8_t sigmoid(std::int8_t x) {
    static const auto table = build_table(sigmoid_fn);
    return table[static_cast<std::size_t>(x + 128)];
}
std::int8_t tanh8(std::int8_t x) {
    static const auto table = build_table(tanh_fn);
    return table[static_cast<std::size_t>(x + 128)];
}

std::int8_t activate(std::int64_t sum, const Requant& r, Activation a) {
    const std::int8_t v = requantize(wrap32(sum), r);
    switch (a) {
    case Activation::None: return v;
    case Activation::Relu: return v < 0 ? std::int8_t{0} : v;
    case Activation::Sigmoid: return sigmoid(v);
    case Activation::Tanh: return tanh8(v);
    }
    throw std::logic_error("unknown activation");
}

// ---------------------------------------------------------------------------------------
// Layers. Each takes its input tensors and returns its output tensor.

using Inputs = std::vector<const Tensor*>;

Tensor make_output(const Tensor& like, Shape shape) {
    Tensor t;
    t.shape = std::move(shape);
    t.batch = like.batch;
    t.data.assign(t.batch * elements(t.shape), 0);
    return t;
}

/// Per sample, or per step of each sample's sequence (per_step): y = act(requant(x . W)).
Tensor fully_connected(const Layer& l, const Tensor& x) {
    const std::size_t steps = l.per_step ? x.shape[0] : 1;
    const std::size_t k_size = elements(x.shape) / steps, m_size = l.units;
    Tensor y = make_output(x, l.per_step ? Shape{x.shape[0], l.units} : Shape{l.units});
    std::vector<std::int64_t> acc(m_size);
    for (std::size_t v = 0; v < x.batch * steps; ++v) {
        std::fill(acc.begin(), acc.end(), 0);
        for (std::size_t k = 0; k < k_size; ++k) {
            const std::int64_t xv = x.data[v * k_size + k];
            const std::int8_t* w = &l.weights[k * m_size];
            for (std::size_t m = 0; m < m_size; ++m) acc[m] += xv * w[m];
        }
        for (std::size_t m = 0; m < m_size; ++m) y.data[v * m_size + m] = activate(acc[m], l.requant, l.activation);
    }
    return y;
}

/// Conv2d (filters > 0) and DepthwiseConv2d: both walk the same windows.
Tensor convolution(const Layer& l, const Tensor& x) {
    const bool depthwise = l.kind == LayerKind::DepthwiseConv2d;
    const std::int64_t h = x.shape[0], w = x.shape[1], c = x.shape[2];
    const std::int64_t oh = (h + l.pad_top + l.pad_bottom - std::int64_t{l.dilation_h} * (l.kernel_h - 1) - 1) / l.stride_h + 1;
    const std::int64_t ow = (w + l.pad_left + l.pad_right - std::int64_t{l.dilation_w} * (l.kernel_w - 1) - 1) / l.stride_w + 1;
    const std::int64_t f = depthwise ? c : l.filters;
    Tensor y = make_output(x, {static_cast<std::uint32_t>(oh), static_cast<std::uint32_t>(ow), static_cast<std::uint32_t>(f)});
    std::vector<std::int64_t> acc(static_cast<std::size_t>(f));
    for (std::int64_t n = 0; n < x.batch; ++n) {
        const std::int8_t* in = &x.data[static_cast<std::size_t>(n * h * w * c)];
        for (std::int64_t oy = 0; oy < oh; ++oy) {
            for (std::int64_t ox = 0; ox < ow; ++ox) {
                std::fill(acc.begin(), acc.end(), 0);
                for (std::int64_t ky = 0; ky < l.kernel_h; ++ky) {
                    const std::int64_t iy = oy * l.stride_h + ky * l.dilation_h - l.pad_top;
                    if (iy < 0 || iy >= h) continue;  // zero padding
                    for (std::int64_t kx = 0; kx < l.kernel_w; ++kx) {
                        const std::int64_t ix = ox * l.stride_w + kx * l.dilation_w - l.pad_left;
                        if (ix < 0 || ix >= w) continue;
                        const std::int8_t* pixel = in + (iy * w + ix) * c;
                        const std::int64_t tap = ky * l.kernel_w + kx;
                        if (depthwise) {
                            const std::int8_t* wt = &l.weights[static_cast<std::size_t>(tap * c)];
                            for (std::int64_t ch = 0; ch < c; ++ch) acc[static_cast<std::size_t>(ch)] += std::int64_t{pixel[ch]} * wt[ch];
                            continue;
                        }
                        for (std::int64_t ci = 0; ci < c; ++ci) {
                            const std::int64_t xv = pixel[ci];
                            const std::int8_t* wt = &l.weights[static_cast<std::size_t>((tap * c + ci) * f)];
                            for (std::int64_t co = 0; co < f; ++co) acc[static_cast<std::size_t>(co)] += xv * wt[co];
                        }
                    }
                }
                std::int8_t* out = &y.data[static_cast<std::size_t>(((n * oh + oy) * ow + ox) * f)];
                for (std::int64_t co = 0; co < f; ++co)
                    out[co] = activate(acc[static_cast<std::size_t>(co)], l.requant, l.activation);
            }
        }
    }
    return y;
}

Tensor pool(const Layer& l, const Tensor& x) {
    const std::int64_t h = x.shape[0], w = x.shape[1], c = x.shape[2];
    const std::int64_t k = l.kernel_h, s = l.stride_h;
    const std::int64_t oh = (h - k) / s + 1, ow = (w - k) / s + 1;
    Tensor y = make_output(x, {static_cast<std::uint32_t>(oh), static_cast<std::uint32_t>(ow), static_cast<std::uint32_t>(c)});
    for (std::int64_t n = 0; n < x.batch; ++n)
        for (std::int64_t oy = 0; oy < oh; ++oy)
            for (std::int64_t ox = 0; ox < ow; ++ox)
                for (std::int64_t ch = 0; ch < c; ++ch) {
                    std::int64_t best = -128, sum = 0;
                    for (std::int64_t dy = 0; dy < k; ++dy)
                        for (std::int64_t dx = 0; dx < k; ++dx) {
                            const std::int64_t v = x.data[static_cast<std::size_t>(((n * h + oy * s + dy) * w + ox * s + dx) * c + ch)];
                            best = std::max(best, v);
                            sum += v;
                        }
                    // Average: sum / k^2 rounded to nearest, halves away from zero.
                    const std::int64_t q = (2 * std::llabs(sum) + k * k) / (2 * k * k);
                    y.data[static_cast<std::size_t>(((n * oh + oy) * ow + ox) * c + ch)] =
                        static_cast<std::int8_t>(l.kind == LayerKind::MaxPool ? best : sum < 0 ? -q : q);
                }
    return y;
}

Tensor elementwise(const Layer& l, const Tensor& a, const Tensor& b) {
    Tensor y = make_output(a, a.shape);
    for (std::size_t i = 0; i < y.data.size(); ++i) {
        const std::int64_t p = l.kind == LayerKind::Add ? std::int64_t{a.data[i]} + b.data[i]
                                                        : std::int64_t{a.data[i]} * b.data[i];
        // The activation reads the int8 result, as an activate with requantization (1, 0) does.
        y.data[i] = activate(sat8(round_shift(p, l.vector_shift)), Requant{}, l.activation);
    }
    return y;
}

Tensor concat(const Inputs& in) {
    Shape shape = in[0]->shape;
    shape.back() = 0;
    for (const Tensor* t : in) shape.back() += t->shape.back();
    Tensor y = make_output(*in[0], shape);
    const std::size_t positions = y.batch * elements(shape) / shape.back();
    std::size_t o = 0;
    for (std::size_t p = 0; p < positions; ++p)
        for (const Tensor* t : in) {
            const std::size_t width = t->shape.back();
            std::copy_n(&t->data[p * width], width, &y.data[o]);
            o += width;
        }
    return y;
}

/// One stacked LSTM layer over every sample: input {T, in}, output {T, H}.
Tensor lstm_layer(const Layer& l, const Tensor& x, std::size_t stacked) {
    const std::size_t steps = x.shape[0], in = x.shape[1], hid = l.lstm.hidden, cols = 4 * hid;
    const std::vector<std::int8_t>& wx = l.lstm.w_x[stacked];
    const std::vector<std::int8_t>& wh = l.lstm.w_h[stacked];
    const Requant& g = l.lstm.gate_requant;
    Tensor y = make_output(x, {x.shape[0], l.lstm.hidden});
    std::vector<std::int64_t> z(cols);
    for (std::size_t n = 0; n < x.batch; ++n) {
        std::vector<std::int8_t> h(hid, 0), c(hid, 0);
        for (std::size_t t = 0; t < steps; ++t) {
            std::fill(z.begin(), z.end(), 0);
            const std::int8_t* xt = &x.data[(n * steps + t) * in];
            for (std::size_t k = 0; k < in; ++k)
                for (std::size_t j = 0; j < cols; ++j) z[j] += std::int64_t{xt[k]} * wx[k * cols + j];
            for (std::size_t k = 0; k < hid; ++k)
                for (std::size_t j = 0; j < cols; ++j) z[j] += std::int64_t{h[k]} * wh[k * cols + j];
            std::int8_t* ht = &y.data[(n * steps + t) * hid];
            for (std::size_t j = 0; j < hid; ++j) {
                // Gates i, f, g, o in that order; values Q0.7 (value / 128).
                const std::int64_t i = sigmoid(requantize(wrap32(z[j]), g));
                const std::int64_t f = sigmoid(requantize(wrap32(z[hid + j]), g));
                const std::int64_t gg = tanh8(requantize(wrap32(z[2 * hid + j]), g));
                const std::int64_t o = sigmoid(requantize(wrap32(z[3 * hid + j]), g));
                const std::int8_t fc = sat8(round_shift(f * c[j], 7));
                const std::int8_t ig = sat8(round_shift(i * gg, 7));
                c[j] = sat8(std::int64_t{fc} + ig);
                const std::int64_t th = tanh8(sat8(round_shift(c[j], 3)));  // Q0.7 to tanh's Q3.4
                h[j] = sat8(round_shift(o * th, 7));
                ht[j] = h[j];
            }
        }
    }
    return y;
}

Tensor lstm(const Layer& l, const Tensor& x) {
    Tensor seq = lstm_layer(l, x, 0);
    for (std::size_t s = 1; s < l.lstm.layers; ++s) seq = lstm_layer(l, seq, s);
    return seq;
}

Tensor run_layer(const Layer& l, const Inputs& in) {
    switch (l.kind) {
    case LayerKind::FullyConnected: return fully_connected(l, *in[0]);
    case LayerKind::Conv2d:
    case LayerKind::DepthwiseConv2d: return convolution(l, *in[0]);
    case LayerKind::MaxPool:
    case LayerKind::AvgPool: return pool(l, *in[0]);
    case LayerKind::Lstm: return lstm(l, *in[0]);
    case LayerKind::Add:
    case LayerKind::Multiply: return elementwise(l, *in[0], *in[1]);
    case LayerKind::Flatten: {
        Tensor y = *in[0];
        y.shape = {static_cast<std::uint32_t>(elements(y.shape))};
        return y;
    }
    case LayerKind::Concat: return concat(in);
    }
    throw std::logic_error("unknown layer kind");
}

}  // namespace

std::map<std::string, Tensor> execute_reference(const Network& network) {
    std::map<std::string, Tensor> tensors;
    for (const auto& in : network.inputs) tensors[in.name] = in.data;
    for (const auto& layer : network.layers) {
        Inputs in;
        for (const auto& name : layer.inputs) {
            const auto it = tensors.find(name);
            if (it == tensors.end()) throw std::logic_error("reference executor: missing tensor " + name);
            in.push_back(&it->second);
        }
        Tensor out = run_layer(layer, in);
        if (out.shape != layer.out_shape)
            throw std::logic_error("reference executor: layer " + layer.name + " produced shape " +
                                   to_string(out.shape) + " but shape inference gave " + to_string(layer.out_shape));
        tensors[layer.name] = std::move(out);
    }
    return tensors;
}

}  // namespace tpusim::compiler
