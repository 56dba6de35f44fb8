#include "compiler/ub_allocation.hpp"

#include "compiler/streaming.hpp"

#include <algorithm>
#include <numeric>

namespace tpusim::compiler {

namespace {

bool alive_together(const Buffer& a, const Buffer& b) { return a.first_op <= b.last_op && b.first_op <= a.last_op; }

/// The op at which the most rows are alive, with those buffers.
UbShortage peak(const LoweredNetwork& lowered, const std::vector<std::uint64_t>& size) {
    UbShortage s;
    const int ops = static_cast<int>(lowered.ops.size());
    for (int op = 0; op < std::max(ops, 1); ++op) {
        std::uint64_t rows = 0;
        std::vector<int> live;
        for (std::size_t b = 0; b < lowered.buffers.size(); ++b) {
            const Buffer& buf = lowered.buffers[b];
            if (buf.first_op <= op && op <= buf.last_op) {
                rows += size[b];
                live.push_back(static_cast<int>(b));
            }
        }
        if (rows > s.rows_needed) {
            s.op = op;
            s.rows_needed = rows;
            s.live = live;
        }
    }
    std::sort(s.live.begin(), s.live.end(),
              [&](int a, int b) { return size[static_cast<std::size_t>(a)] > size[static_cast<std::size_t>(b)]; });
    return s;
}

}  // namespace

constexpr std::uint64_t kMaxZeroRows = 64;  // longer border runs are cleared in pieces

std::optional<UbPlan> plan_ub(const LoweredNetwork& lowered, std::uint32_t batch, UbShortage* why) {
    const auto& buffers = lowered.buffers;
    std::vector<std::uint64_t> size(buffers.size());
    for (std::size_t b = 0; b < buffers.size(); ++b) size[b] = ub_rows_of(lowered, static_cast<int>(b), batch);
    std::uint64_t zero_rows = 0;
    for (const Buffer& b : buffers)
        if (!b.frame.empty() && !b.in_host())
            for (const auto& run : border_runs(b, batch, 0)) zero_rows = std::max(zero_rows, run.second - run.first);
    zero_rows = std::min(zero_rows, kMaxZeroRows);
    if (zero_rows >= lowered.target.ub_rows) {
        if (why) *why = peak(lowered, size);
        return std::nullopt;
    }
    const std::uint64_t capacity = lowered.target.ub_rows - zero_rows;
    std::vector<std::size_t> order(buffers.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return size[a] != size[b] ? size[a] > size[b] : buffers[a].first_op < buffers[b].first_op;
    });

    UbPlan plan;
    plan.batch = batch;
    plan.base.assign(buffers.size(), 0);
    plan.zero_fill.assign(buffers.size(), false);
    plan.zero_first = capacity;
    plan.zero_rows = zero_rows;
    std::vector<std::size_t> placed;
    for (const std::size_t b : order) {
        const std::uint64_t rows = size[b];
        std::vector<std::pair<std::uint64_t, std::uint64_t>> taken;
        for (const std::size_t p : placed)
            if (alive_together(buffers[b], buffers[p])) taken.emplace_back(plan.base[p], plan.base[p] + size[p]);
        std::sort(taken.begin(), taken.end());
        std::uint64_t at = 0;
        for (const auto& t : taken) {
            if (t.first >= at + rows) break;
            at = std::max(at, t.second);
        }
        if (at + rows > capacity) {
            if (why) *why = peak(lowered, size);
            return std::nullopt;
        }
        plan.base[b] = at;
        plan.rows_used = std::max(plan.rows_used, at + rows);
        placed.push_back(b);
    }
    // A border read as zero padding must be cleared if any other buffer ever uses its rows;
    // rows no buffer shared are still zero from reset.
    for (std::size_t b = 0; b < buffers.size(); ++b) {
        if (buffers[b].frame.empty() || buffers[b].in_host()) continue;
        const std::uint64_t b0 = plan.base[b], b1 = b0 + size[b];
        for (std::size_t o = 0; o < buffers.size() && !plan.zero_fill[b]; ++o) {
            const std::uint64_t o0 = plan.base[o], o1 = o0 + size[o];
            if (o != b && o0 < b1 && b0 < o1) plan.zero_fill[b] = true;
        }
    }
    return plan;
}

void clear_after(const LoweredNetwork& lowered, UbPlan& later, const UbPlan& earlier) {
    const auto& buffers = lowered.buffers;
    for (std::size_t b = 0; b < buffers.size(); ++b) {
        if (buffers[b].frame.empty() || buffers[b].in_host() || later.zero_fill[b]) continue;
        const std::uint64_t b0 = later.base[b], b1 = b0 + ub_rows_of(lowered, static_cast<int>(b), later.batch);
        for (std::size_t o = 0; o < buffers.size() && !later.zero_fill[b]; ++o) {
            const std::uint64_t o0 = earlier.base[o], o1 = o0 + ub_rows_of(lowered, static_cast<int>(o), earlier.batch);
            if (o0 < b1 && b0 < o1) later.zero_fill[b] = true;
        }
    }
}

}  // namespace tpusim::compiler

namespace tpusim::compiler {

TensorRows rows_of(const LoweredNetwork& lowered, const UbPlan& plan, int tensor) {
    const UbTensor& t = lowered.tensors[static_cast<std::size_t>(tensor)];
    const auto b = static_cast<std::size_t>(t.buffer);
    return TensorRows{geometry_of(lowered.buffers[b], plan.batch, plan.base[b]), t.chunk0};
}

std::pair<std::uint64_t, std::uint64_t> transfer_rows(const LoweredNetwork& lowered, const UbPlan& plan, int tensor) {
    const UbTensor& t = lowered.tensors[static_cast<std::size_t>(tensor)];
    const auto b = static_cast<std::size_t>(t.buffer);
    const Geometry g = geometry_of(lowered.buffers[b], plan.batch, plan.base[b]);
    const std::uint64_t per_chunk = static_cast<std::uint64_t>(g.chunk);
    return {plan.base[b] + t.chunk0 * per_chunk, chunk_count(t.features, lowered.target.chunk) * per_chunk};
}

std::pair<std::int64_t, std::uint32_t> element_place(const UbTensor& t, const TensorRows& rows, std::uint32_t chunk,
                                                     std::uint32_t n, std::uint64_t e) {
    const std::uint64_t position = e / t.features, feature = e % t.features;
    const std::uint64_t y = position / t.width, x = position % t.width;
    return {rows.row(static_cast<std::int64_t>(feature / chunk), n, static_cast<std::int64_t>(y),
                     static_cast<std::int64_t>(x)),
            static_cast<std::uint32_t>(feature % chunk)};
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> border_runs(const Buffer& buffer, std::uint32_t batch,
                                                                 std::uint64_t base) {
    const Geometry g = geometry_of(buffer, batch, base);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> interior;
    for (std::uint32_t c = 0; c < buffer.chunks; ++c)
        for (std::uint32_t n = 0; n < batch; ++n)
            for (std::uint32_t y = 0; y < buffer.height; ++y) {
                const auto r = static_cast<std::uint64_t>(g.row(c, n, y, 0));
                interior.emplace_back(r, r + buffer.width);
            }
    return gaps(base, buffer.rows(batch), interior);
}

}  // namespace tpusim::compiler
