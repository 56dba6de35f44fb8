#include "compiler/sync_points.hpp"

#include <algorithm>

namespace tpusim::compiler {

namespace {

UbUnit unit_of(const isa::Instruction& in) {
    switch (in.op) {
        case isa::Opcode::ReadHostMemory: return UbUnit::HostIn;
        case isa::Opcode::WriteHostMemory: return UbUnit::HostOut;
        case isa::Opcode::MatrixMultiply: return UbUnit::Matrix;
        case isa::Opcode::Activate:
        case isa::Opcode::Vector:
        case isa::Opcode::SetConfig: return UbUnit::Activation;
        default: return UbUnit::Other;
    }
}

}  // namespace

std::optional<SyncPoints::Range> SyncPoints::pending(std::uint64_t lo, std::uint64_t hi, UbUnit reader,
                                                     std::vector<std::pair<std::uint64_t, Range>>& writes) const {
    std::optional<Range> hull;
    auto it = written_.upper_bound(lo);
    if (it != written_.begin()) --it;
    for (; it != written_.end() && it->first < hi; ++it) {
        if (it->second.end <= lo || it->second.unit == reader) continue;
        const Range r{std::max(lo, it->first), std::min(hi, it->second.end)};
        hull = hull ? Range{std::min(hull->first, r.first), std::max(hull->second, r.second)} : r;
        writes.emplace_back(it->second.write, it->second.rows);
    }
    return hull;
}

void SyncPoints::erase(std::uint64_t lo, std::uint64_t hi, std::optional<std::uint64_t> write) {
    auto it = written_.upper_bound(lo);
    if (it != written_.begin()) --it;
    while (it != written_.end() && it->first < hi) {
        const std::uint64_t first = it->first;
        const Written w = it->second;
        if (w.end <= lo || (write && w.write != *write)) {
            ++it;
            continue;
        }
        it = written_.erase(it);
        if (first < lo) written_.emplace(first, Written{lo, w.unit, w.write, w.rows});
        if (w.end > hi) it = written_.emplace(hi, Written{w.end, w.unit, w.write, w.rows}).first;
    }
}

std::vector<SyncPoints::Range> SyncPoints::before(const isa::Instruction& in) {
    std::vector<Range> reads;
    // The matrix unit and a vector step are the readers that wait for other units' writes;
    // UB-to-host transfers of outputs rely on the hardware interlock (docs/compiler.md).
    if (in.op == isa::Opcode::MatrixMultiply) {
        reads.push_back({in.ub_addr, in.ub_addr + (in.outer - 1) * in.pitch + (in.rows - 1) * in.step + 1});
    } else if (in.op == isa::Opcode::Vector) {
        reads.push_back({in.ub_addr, in.ub_addr + in.rows});
        reads.push_back({in.ub_addr2, in.ub_addr2 + in.rows});
    } else {
        return {};
    }
    std::vector<Range> syncs;
    std::vector<std::pair<std::uint64_t, Range>> writes;
    for (const Range& r : reads)
        if (const auto p = pending(r.first, r.second, unit_of(in), writes)) {
            if (!syncs.empty() && p->first <= syncs.back().second && syncs.back().first <= p->second)
                syncs.back() = {std::min(syncs.back().first, p->first), std::max(syncs.back().second, p->second)};
            else
                syncs.push_back(*p);
        }
    for (const auto& [write, rows] : writes) erase(rows.first, rows.second, write);
    return syncs;
}

void SyncPoints::wrote(const isa::Instruction& in, std::uint64_t out_rows) {
    std::uint64_t first = 0;
    switch (in.op) {
        case isa::Opcode::ReadHostMemory:
        case isa::Opcode::Activate: first = in.ub_addr; break;
        case isa::Opcode::Vector: first = in.ub_dst; break;
        default: return;
    }
    if (out_rows == 0) return;
    // Runs stay disjoint, one per surviving part of a write: at most one per UB row.
    const Range rows{first, first + out_rows};
    erase(rows.first, rows.second);
    written_.emplace(rows.first, Written{rows.second, unit_of(in), writes_++, rows});
}

}  // namespace tpusim::compiler
