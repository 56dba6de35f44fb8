#include "sim/ub_ports.hpp"

#include "sim/sim_error.hpp"

#include <algorithm>

namespace tpusim::sim {

PortBook::PortBook(std::uint32_t read_ports, std::uint32_t write_ports) : ports_{read_ports, write_ports} {}

Cycle PortBook::first_fit_from(const PortHold& h, Cycle begin) const {
    const auto& held = reserved_[h.write];
    for (;;) {
        const Cycle end = begin + h.length;
        // Usage only rises where a reservation begins, so the first overloaded cycle of
        // [begin, end), if any, is `begin` or one of those.
        std::vector<Cycle> points{begin};
        for (const auto& r : held)
            if (r.begin > begin && r.begin < end) points.push_back(r.begin);
        std::sort(points.begin(), points.end());
        bool fits = true;
        for (const Cycle p : points) {
            std::uint32_t used = 0;
            Cycle frees = kUnknownCycle;  // the first cycle at which usage at p can drop
            for (const auto& r : held)
                if (r.begin <= p && p < r.end) {
                    used += r.count;
                    frees = std::min(frees, r.end);
                }
            if (used + h.count <= ports_[h.write]) continue;
            // Every cycle of [p, frees) is as full as p: the hold cannot begin before frees.
            begin = frees;
            fits = false;
            break;
        }
        if (fits) return begin;
    }
}

Cycle PortBook::earliest(Cycle from, const std::vector<PortHold>& holds) const {
    Cycle s = from;
    for (;;) {
        bool moved = false;
        for (const auto& h : holds) {
            if (h.length == 0 || h.count == 0) continue;
            const Cycle begin = std::max(s + h.offset, h.not_before);
            const Cycle fit = first_fit_from(h, begin);
            if (fit == begin) continue;
            // fit > begin >= not_before, so the hold begins at fit when s + offset = fit.
            s = fit - h.offset;
            moved = true;
            break;
        }
        if (!moved) return s;
    }
}

void PortBook::reserve(Cycle s, const std::vector<PortHold>& holds) {
    for (const auto& h : holds) {
        if (h.length == 0 || h.count == 0) continue;
        const Cycle begin = std::max(s + h.offset, h.not_before);
        reserved_[h.write].push_back(Reservation{begin, begin + h.length, h.count});
    }
}

void PortBook::forget_before(Cycle t) {
    for (auto& held : reserved_)
        held.erase(std::remove_if(held.begin(), held.end(), [t](const Reservation& r) { return r.end <= t; }),
                   held.end());
}

UbPorts::UbPorts(sc_core::sc_module_name name, std::uint32_t read_ports, std::uint32_t write_ports,
                 std::uint64_t row_bytes)
    : sc_core::sc_module(name), book_(read_ports, write_ports), row_bytes_(row_bytes) {
    // Only a hand-built ChipConfig can get here with none: chip files require 1 to 16.
    if (read_ports == 0 || write_ports == 0)
        throw Error("unified_buffer: read_ports and write_ports must be at least 1");
    SC_THREAD(place_thread);
}

Cycle UbPorts::acquire(std::uint32_t seq, const std::vector<PortHold>& holds, std::uint64_t rows_read,
                       std::uint64_t rows_written) {
    Request request{seq, &holds};
    pending_.push_back(&request);
    requested_.notify(sc_core::SC_ZERO_TIME);
    while (!request.placed) sc_core::wait(placed_);
    wait_ += request.start - now();
    reads_ += rows_read;
    writes_ += rows_written;
    bytes_read_ += rows_read * row_bytes_;
    bytes_written_ += rows_written * row_bytes_;
    return request.start;
}

void UbPorts::place_thread() {
    for (;;) {
        sc_core::wait(requested_);
        // Let every unit that has something to do in this cycle run first: the requests of
        // one cycle are placed together, in program order, the earlier instruction first.
        while (sc_core::sc_pending_activity_at_current_time()) sc_core::wait(sc_core::SC_ZERO_TIME);
        const Cycle t = now();
        book_.forget_before(t);
        std::sort(pending_.begin(), pending_.end(), [](const Request* a, const Request* b) { return a->seq < b->seq; });
        for (Request* r : pending_) {
            r->start = book_.earliest(t, *r->holds);
            book_.reserve(r->start, *r->holds);
            r->placed = true;
        }
        pending_.clear();
        placed_.notify(sc_core::SC_ZERO_TIME);
    }
}

}  // namespace tpusim::sim
