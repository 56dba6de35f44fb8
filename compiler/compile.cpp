// The compiler driver: shape inference, lowering, the choice of samples per pass (the
// whole batch if the unified buffer holds it, else the fewest equal passes that fit),
// host layout, emission and statistics.
#include "compiler/compile.hpp"

#include "compiler/emitter.hpp"
#include "compiler/host_layout.hpp"
#include "compiler/lowered.hpp"
#include "compiler/shape_inference.hpp"
#include "compiler/spilling.hpp"
#include "compiler/streaming.hpp"
#include "compiler/ub_allocation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>

namespace tpusim::compiler {

namespace {

std::string where(const Network& network) {
    return network.source.empty() ? "network \"" + network.name + "\"" : network.source;
}

[[noreturn]] void ub_too_small(const Network& network, const LoweredNetwork& lowered, const config::ChipConfig& chip,
                               const UbShortage& why) {
    const std::uint64_t w = lowered.target.row_bytes;
    std::string live;
    for (std::size_t i = 0; i < why.live.size() && i < 4; ++i) {
        const Buffer& b = lowered.buffers[static_cast<std::size_t>(why.live[i])];
        live += fmt::format("{}{} {} bytes", i ? ", " : "", b.name, ub_rows_of(lowered, why.live[i], 1) * w);
    }
    if (why.live.size() > 4) live += fmt::format(", and {} more", why.live.size() - 4);
    const std::string at =
        lowered.ops.empty()
            ? where(network) + ": the network inputs"
            : describe_layer(
                  network,
                  network.layers[static_cast<std::size_t>(lowered.ops[static_cast<std::size_t>(why.op)].layer)]);
    throw CompileError(fmt::format(
        "{}: needs {} bytes of unified buffer for the tensors alive there with one sample per pass ({}), but chip "
        "'{}' has {} bytes",
        at, why.rows_needed * w, live, chip.name, chip.ub.capacity_bytes));
}

/// Plans for the passes: the whole batch at once if it fits, else the fewest passes of
/// (nearly) equal size that fit; if not even one sample fits, tensors are spilled to host
/// memory (compiler/spilling.hpp) until it does. If that cannot make it fit, the network is
/// lowered again with its activated additions folded into products (lower, fold_adds) and
/// spilling starts over. Plans live in `store`; passes point into it.
std::vector<Pass> choose_passes(const Network& network, LoweredNetwork& lowered, const config::ChipConfig& chip,
                                std::deque<UbPlan>& store) {
    const std::uint32_t n = network.batch;
    auto fits = [&](std::uint32_t b, UbShortage* why) {
        auto plan = plan_ub(lowered, b, why);
        if (plan) store.push_back(std::move(*plan));
        return plan.has_value();
    };
    std::uint32_t per_pass = n;
    if (!fits(n, nullptr)) {
        UbShortage why;
        bool spilled = false;
        while (!fits(1, &why)) {
            if (spill_one(lowered, why) || shrink_staging(lowered, why)) {
                spilled = true;
                continue;
            }
            if (!lowered.folded_adds.empty()) ub_too_small(network, lowered, chip, why);
            LoweredNetwork folded = lower(network, lowered.target, true);
            if (folded.folded_adds.empty()) ub_too_small(network, lowered, chip, why);
            lowered = std::move(folded);
            spilled = true;
        }
        if (!spilled || !fits(n, nullptr)) {
            std::uint32_t lo = 1, hi = n;  // fits(lo), !fits(hi)
            while (hi - lo > 1) {
                const std::uint32_t mid = lo + (hi - lo) / 2;
                (plan_ub(lowered, mid, nullptr) ? lo : hi) = mid;
            }
            const std::uint32_t passes = (n + lo - 1) / lo;
            per_pass = (n + passes - 1) / passes;
            store.clear();
            if (!fits(per_pass, nullptr)) {
                per_pass = lo;
                fits(lo, nullptr);
            }
        }
    }
    std::vector<Pass> passes;
    const UbPlan* full = &store.back();
    for (std::uint32_t first = 0; first < n; first += per_pass) {
        const std::uint32_t batch = std::min(per_pass, n - first);
        const UbPlan* plan = full;
        if (batch != per_pass) {
            UbShortage why;
            if (!fits(batch, &why)) ub_too_small(network, lowered, chip, why);
            clear_after(lowered, store.back(), *full);
            plan = &store.back();
        }
        passes.push_back(Pass{first, batch, plan});
    }
    return passes;
}

std::string tensor_names(const LoweredNetwork& lowered, int buffer) {
    std::string names;
    for (const auto& t : lowered.tensors)
        if (t.buffer == buffer && t.name.find('#') == std::string::npos &&
            t.name != lowered.buffers[static_cast<std::size_t>(buffer)].name)
            names += (names.empty() ? " (also " : ", ") + t.name;
    return lowered.buffers[static_cast<std::size_t>(buffer)].name + (names.empty() ? "" : names + ")");
}

std::vector<Placement> memory_map(const Network& network, const LoweredNetwork& lowered,
                                  const std::vector<Pass>& passes, const HostLayout& host,
                                  const std::vector<Emitter::AccumulatorUse>& acc_use) {
    std::vector<Placement> map;
    const std::uint64_t w = lowered.target.row_bytes;
    auto layer_name = [&](int op) {
        return lowered.ops.empty()
                   ? std::string("-")
                   : network.layers[static_cast<std::size_t>(lowered.ops[static_cast<std::size_t>(op)].layer)].name;
    };
    std::vector<const UbPlan*> plans;
    for (const Pass& p : passes)
        if (std::find(plans.begin(), plans.end(), p.plan) == plans.end()) plans.push_back(p.plan);
    for (const UbPlan* plan : plans)
        for (std::size_t b = 0; b < lowered.buffers.size(); ++b) {
            const Buffer& buf = lowered.buffers[b];
            std::string note =
                fmt::format("{} sample{}; alive from {} to {}", plan->batch, plan->batch == 1 ? "" : "s",
                            buf.from_host && buf.streamed_by < 0 ? std::string("the start") : layer_name(buf.first_op),
                            layer_name(buf.last_op));
            if (buf.staging_of >= 0)
                note += fmt::format("; staging: {} is written to host memory from here, a block at a time",
                                    lowered.buffers[static_cast<std::size_t>(buf.staging_of)].name);
            if (buf.spilled())
                note += fmt::format("; spilled: written to host memory by {}",
                                    layer_name(lowered.buffers[static_cast<std::size_t>(buf.out_staging)].first_op));
            if (buf.streamed_by >= 0) {
                const Staging st = plan_staging(lowered, static_cast<int>(b), plan->batch);
                note += fmt::format("; streamed from the host in {} slot{} of {} map rows", st.slots,
                                    st.slots == 1 ? "" : "s", st.height);
            }
            if (!buf.frame.empty())
                note += fmt::format("; zero border {},{},{},{}{}", buf.frame.top, buf.frame.bottom, buf.frame.left,
                                    buf.frame.right, plan->zero_fill[b] ? " (cleared before use)" : "");
            map.push_back(Placement{tensor_names(lowered, static_cast<int>(b)), "ub", plan->base[b],
                                    ub_rows_of(lowered, static_cast<int>(b), plan->batch), note});
        }
    for (const UbPlan* plan : plans)
        if (plan->zero_rows > 0)
            map.push_back(Placement{"zeros", "ub", plan->zero_first, plan->zero_rows,
                                    "never written: the source for clearing zero borders"});
    // Per layer, the accumulator rows its blocks use (blocks alternate between the two
    // halves; one larger than half starts at row 0).
    const std::uint64_t half = lowered.target.acc_half();
    for (std::size_t l = 0; l < acc_use.size(); ++l)
        for (const auto& [first, end] : acc_use[l].ranges) {
            const std::string halves = end <= half ? "half 0" : first >= half ? "half 1" : "both halves";
            map.push_back(Placement{network.layers[l].name, "acc", first, end - first,
                                    fmt::format("{}; {} block{} in all", halves, acc_use[l].blocks,
                                                acc_use[l].blocks == 1 ? "" : "s")});
        }
    for (std::size_t l = 0; l < lowered.layer_weight_bytes.size(); ++l) {
        const auto& r = lowered.layer_weight_bytes[l];
        if (r.second > r.first)
            map.push_back(Placement{network.layers[l].name, "weights", r.first, r.second - r.first, ""});
    }
    for (std::size_t p = 0; p < passes.size(); ++p) {
        const std::string pass = passes.size() > 1 ? fmt::format("pass {}, samples {}..{}", p, passes[p].first_sample,
                                                                 passes[p].first_sample + passes[p].batch - 1)
                                                   : std::string("all samples");
        for (std::size_t i = 0; i < lowered.input_tensor.size(); ++i)
            if (lowered.input_tensor[i] >= 0)
                map.push_back(Placement{network.inputs[i].name, "host", host.input[p][i],
                                        transfer_rows(lowered, *passes[p].plan, lowered.input_tensor[i]).second * w,
                                        "input, " + pass});
        for (std::size_t o = 0; o < lowered.output_tensor.size(); ++o)
            map.push_back(Placement{network.outputs[o], "host", host.output[p][o],
                                    transfer_rows(lowered, *passes[p].plan, lowered.output_tensor[o]).second * w,
                                    "output, " + pass});
        for (std::size_t b = 0; b < lowered.buffers.size(); ++b)
            if (lowered.buffers[b].spilled())
                map.push_back(Placement{lowered.buffers[b].name, "host", host.spill[p][b],
                                        lowered.buffers[b].rows(passes[p].batch) * w, "spilled tensor, " + pass});
    }
    auto rank = [](const std::string& memory) {
        const char* order[] = {"ub", "acc", "weights", "host"};
        return std::find(std::begin(order), std::end(order), memory) - std::begin(order);
    };
    std::stable_sort(map.begin(), map.end(), [&](const Placement& a, const Placement& b) {
        return rank(a.memory) != rank(b.memory) ? rank(a.memory) < rank(b.memory) : a.first < b.first;
    });
    return map;
}

}  // namespace

CompiledWorkload compile(Network network, const config::ChipConfig& chip) {
    infer_shapes(network);
    const Target target = target_of(chip);
    LoweredNetwork lowered = lower(network, target);
    if (lowered.weights.bytes().size() > target.weight_bytes)
        throw CompileError(
            fmt::format("{}: the weight tiles need {} bytes of weight memory, but chip '{}' has {} bytes",
                        where(network), lowered.weights.bytes().size(), chip.name, target.weight_bytes));

    std::deque<UbPlan> plans;
    const std::vector<Pass> passes = choose_passes(network, lowered, chip, plans);
    const HostLayout host = layout_host(lowered, passes);
    Emitter emitter(lowered, host, where(network));
    for (std::size_t p = 0; p < passes.size(); ++p) emitter.emit_pass(p, passes[p]);

    CompiledWorkload out;
    out.layers = lowered.layers;
    const auto read = emitter.weight_bytes_read();
    out.total.name = network.name;
    out.total.kind = "total";
    for (std::size_t l = 0; l < out.layers.size(); ++l) {
        out.layers[l].weight_bytes = read[l];
        out.total.macs += out.layers[l].macs;
        out.total.weight_bytes += read[l];
        out.total.weights += out.layers[l].weights;
    }
    out.program = emitter.finish(chip.signature(), out.layers);
    out.host_image = host_image(lowered, network, passes, host);
    out.outputs = output_locations(lowered, network, passes, host);
    out.memory_map = memory_map(network, lowered, passes, host, emitter.accumulator_use());
    out.weight_image = lowered.weights.take_bytes();
    out.passes = static_cast<std::uint32_t>(passes.size());
    for (const int l : lowered.folded_adds) out.folded_adds.push_back(network.layers[static_cast<std::size_t>(l)].name);
    for (const Buffer& b : lowered.buffers)
        if (b.spilled()) out.spilled.push_back(b.name);
    for (const LoweredOp& op : lowered.ops)
        if (op.is_matmul && op.matmul.block_cap > 0)
            out.smaller_blocks.emplace_back(network.layers[static_cast<std::size_t>(op.layer)].name,
                                            op.matmul.block_cap);
    for (const Pass& p : passes) out.ub_bytes_used = std::max(out.ub_bytes_used, p.plan->rows_used * target.row_bytes);
    return out;
}

}  // namespace tpusim::compiler
