#include "compiler/layout.hpp"

#include <algorithm>

namespace tpusim::compiler {

std::uint32_t chunk_count(std::uint32_t features, std::uint32_t chunk) { return (features + chunk - 1) / chunk; }

std::uint32_t chunk_features(std::uint32_t features, std::uint32_t chunk, std::uint32_t c) {
    return std::min(chunk, features - c * chunk);
}

std::uint64_t Buffer::rows(std::uint32_t batch) const {
    const std::uint64_t hs = std::uint64_t{height} + frame.top + frame.bottom;
    const std::uint64_t ws = std::uint64_t{width} + frame.left + frame.right;
    return std::uint64_t{chunks} * batch * hs * ws;
}

Geometry geometry_of(const Buffer& b, std::uint32_t batch, std::uint64_t base) {
    Geometry g;
    const std::int64_t n = batch;
    switch (b.order) {
        case Order::Vector:
            g.sample = 1;
            g.chunk = n;
            g.origin = static_cast<std::int64_t>(base);
            break;
        case Order::Sequence:
            g.sample = 1;
            g.y = n;
            g.chunk = n * b.height;
            g.origin = static_cast<std::int64_t>(base);
            break;
        case Order::Map: {
            const std::int64_t ws = std::int64_t{b.width} + b.frame.left + b.frame.right;
            const std::int64_t hs = std::int64_t{b.height} + b.frame.top + b.frame.bottom;
            g.x = 1;
            g.y = ws;
            g.sample = hs * ws;
            g.chunk = n * hs * ws;
            g.origin = static_cast<std::int64_t>(base) + std::int64_t{b.frame.top} * ws + b.frame.left;
            break;
        }
    }
    return g;
}

std::vector<Dim> merge_dims(const std::vector<Dim>& dims, std::size_t streams) {
    std::vector<Dim> out;
    for (const Dim& d : dims) {
        if (d.count == 1) continue;
        if (!out.empty()) {
            Dim& outer = out.back();
            bool contiguous = true;
            for (std::size_t s = 0; s < streams; ++s)
                if (outer.stride[s] != std::int64_t(d.count) * d.stride[s]) contiguous = false;
            if (contiguous) {
                outer.count *= d.count;
                outer.stride = d.stride;
                continue;
            }
        }
        out.push_back(d);
    }
    return out;
}

std::vector<Run> contiguous_runs(const std::array<std::int64_t, 3>& start, const std::vector<Dim>& dims,
                                 std::size_t streams) {
    std::vector<Dim> loops = merge_dims(dims, streams);
    std::uint64_t length = 1;
    if (!loops.empty()) {
        bool unit = true;
        for (std::size_t s = 0; s < streams; ++s) unit = unit && loops.back().stride[s] == 1;
        if (unit) {
            length = loops.back().count;
            loops.pop_back();
        }
    }
    std::vector<Run> runs;
    std::vector<std::uint64_t> index(loops.size(), 0);
    for (;;) {
        Run r;
        r.start = start;
        r.length = length;
        for (std::size_t i = 0; i < loops.size(); ++i)
            for (std::size_t s = 0; s < streams; ++s) r.start[s] += std::int64_t(index[i]) * loops[i].stride[s];
        runs.push_back(r);
        std::size_t i = loops.size();
        while (i > 0 && ++index[i - 1] == loops[i - 1].count) index[--i] = 0;
        if (i == 0) break;
    }
    return runs;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> gaps(
    std::uint64_t first, std::uint64_t count, const std::vector<std::pair<std::uint64_t, std::uint64_t>>& used) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    std::uint64_t at = first;
    for (const auto& u : used) {
        if (u.first > at) out.emplace_back(at, u.first);
        at = std::max(at, u.second);
    }
    if (at < first + count) out.emplace_back(at, first + count);
    return out;
}

}  // namespace tpusim::compiler
