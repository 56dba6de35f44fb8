#include "compiler/host_layout.hpp"

#include "compiler/shape_inference.hpp"

#include <algorithm>

namespace tpusim::compiler {

namespace {

std::uint64_t round_up(std::uint64_t v, std::uint64_t to) { return (v + to - 1) / to * to; }

}  // namespace

HostLayout layout_host(const LoweredNetwork& lowered, const std::vector<Pass>& passes) {
    const std::uint64_t w = lowered.target.row_bytes;
    HostLayout h;
    std::uint64_t at = 0;
    for (const Pass& p : passes) {
        h.input.emplace_back(lowered.input_tensor.size(), 0);
        for (std::size_t i = 0; i < lowered.input_tensor.size(); ++i) {
            const int t = lowered.input_tensor[i];
            if (t < 0) continue;
            h.input.back()[i] = at;
            at += transfer_rows(lowered, *p.plan, t).second * w;
        }
    }
    for (const Pass& p : passes) {
        h.output.emplace_back(lowered.output_tensor.size(), 0);
        for (std::size_t o = 0; o < lowered.output_tensor.size(); ++o) {
            h.output.back()[o] = at;
            at += transfer_rows(lowered, *p.plan, lowered.output_tensor[o]).second * w;
        }
    }
    for (const Pass& p : passes) {
        h.spill.emplace_back(lowered.buffers.size(), 0);
        for (std::size_t b = 0; b < lowered.buffers.size(); ++b)
            if (lowered.buffers[b].spilled()) {
                h.spill.back()[b] = at;
                at += lowered.buffers[b].rows(p.batch) * w;
            }
    }
    h.size = round_up(std::max<std::uint64_t>(at, 1), w);
    return h;
}

namespace {

/// Value e of sample n of input i as the UB will hold it: the input itself, or for
/// patches, the value the patch element stands for (0 in the padding).
std::int8_t input_value(const LoweredNetwork& lowered, const Network& network, std::size_t i, std::uint64_t n,
                        std::uint64_t e) {
    const auto& data = network.inputs[i].data.data;
    const Patches& p = lowered.input_patches[i];
    if (!p.used) return data[n * elements(network.inputs[i].shape) + e];
    const UbTensor& t = lowered.tensors[static_cast<std::size_t>(lowered.input_tensor[i])];
    const std::uint64_t c_in = p.source[2];
    const std::uint64_t position = e / t.features, k = e % t.features;
    const std::uint64_t oy = position / t.width, ox = position % t.width;
    const std::uint64_t ky = k / (p.kernel_w * c_in), kx = k / c_in % p.kernel_w, c = k % c_in;
    const std::int64_t y = std::int64_t(oy * p.stride_h + ky * p.dilation_h) - p.pad_top;
    const std::int64_t x = std::int64_t(ox * p.stride_w + kx * p.dilation_w) - p.pad_left;
    if (y < 0 || x < 0 || y >= std::int64_t{p.source[0]} || x >= std::int64_t{p.source[1]}) return 0;
    return data[((n * p.source[0] + std::uint64_t(y)) * p.source[1] + std::uint64_t(x)) * c_in + c];
}

}  // namespace

std::vector<std::uint8_t> host_image(const LoweredNetwork& lowered, const Network& network,
                                     const std::vector<Pass>& passes, const HostLayout& layout) {
    std::vector<std::uint8_t> image(layout.size, 0);
    const std::uint64_t w = lowered.target.row_bytes;
    for (std::size_t pi = 0; pi < passes.size(); ++pi) {
        const Pass& p = passes[pi];
        for (std::size_t i = 0; i < lowered.input_tensor.size(); ++i) {
            const int t = lowered.input_tensor[i];
            if (t < 0) continue;
            const UbTensor& tensor = lowered.tensors[static_cast<std::size_t>(t)];
            const TensorRows rows = rows_of(lowered, *p.plan, t);
            const std::uint64_t first = transfer_rows(lowered, *p.plan, t).first;
            const std::uint64_t per_sample = elements(tensor.shape);
            for (std::uint32_t n = 0; n < p.batch; ++n)
                for (std::uint64_t e = 0; e < per_sample; ++e) {
                    const auto place = element_place(tensor, rows, lowered.target.chunk, n, e);
                    const std::uint64_t byte =
                        layout.input[pi][i] + (static_cast<std::uint64_t>(place.first) - first) * w + place.second;
                    image[byte] = static_cast<std::uint8_t>(input_value(lowered, network, i, p.first_sample + n, e));
                }
        }
    }
    return image;
}

std::vector<OutputLocation> output_locations(const LoweredNetwork& lowered, const Network& network,
                                             const std::vector<Pass>& passes, const HostLayout& layout) {
    std::vector<OutputLocation> out;
    const std::uint64_t w = lowered.target.row_bytes;
    for (std::size_t o = 0; o < lowered.output_tensor.size(); ++o) {
        const int t = lowered.output_tensor[o];
        const UbTensor& tensor = lowered.tensors[static_cast<std::size_t>(t)];
        OutputLocation loc;
        loc.tensor = network.outputs[o];
        loc.shape = tensor_shape(network, loc.tensor);
        loc.batch = network.batch;
        loc.base = layout.output[0][o];
        loc.row_bytes = w;
        const std::uint64_t per_sample = elements(loc.shape);
        loc.offsets.reserve(per_sample * network.batch);
        for (std::size_t pi = 0; pi < passes.size(); ++pi) {
            const Pass& p = passes[pi];
            const TensorRows rows = rows_of(lowered, *p.plan, t);
            const std::uint64_t first = transfer_rows(lowered, *p.plan, t).first;
            for (std::uint32_t n = 0; n < p.batch; ++n)
                for (std::uint64_t e = 0; e < per_sample; ++e) {
                    const auto place = element_place(tensor, rows, lowered.target.chunk, n, e);
                    loc.offsets.push_back(layout.output[pi][o] - loc.base +
                                          (static_cast<std::uint64_t>(place.first) - first) * w + place.second);
                }
        }
        out.push_back(std::move(loc));
    }
    return out;
}

Tensor unpack_output(const OutputLocation& out, const std::vector<std::uint8_t>& host) {
    Tensor t;
    t.shape = out.shape;
    t.batch = out.batch;
    t.data.resize(out.offsets.size());
    for (std::size_t e = 0; e < out.offsets.size(); ++e) {
        const std::uint64_t at = out.base + out.offsets[e];
        if (at >= host.size())
            throw CompileError("output \"" + out.tensor + "\": element " + std::to_string(e) + " lies at host byte " +
                               std::to_string(at) + ", beyond the " + std::to_string(host.size()) + "-byte host image");
        t.data[e] = static_cast<std::int8_t>(host[at]);
    }
    return t;
}

}  // namespace tpusim::compiler
