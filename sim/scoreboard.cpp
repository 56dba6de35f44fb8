#include "sim/scoreboard.hpp"

#include <algorithm>

namespace tpusim::sim {

const char* unit_name(Unit u) {
    switch (u) {
        case Unit::HostIn: return "host_in";
        case Unit::HostOut: return "host_out";
        case Unit::WeightFetch: return "weight_fetch";
        case Unit::Matrix: return "matrix_unit";
        case Unit::Activation: return "activation_unit";
        case Unit::Controller: return "controller";
    }
    return "?";
}

void Scoreboard::declare(std::uint32_t seq, Unit unit, const std::vector<Access>& accesses) {
    collect_garbage();
    for (const auto& a : accesses)
        if (a.hi > a.lo) entries_.push_back(Entry{seq, unit, a, kUnknownCycle});
}

void Scoreboard::set_done(std::uint32_t seq, bool write, Cycle done) {
    for (auto& e : entries_)
        if (e.seq == seq && e.access.write == write) e.done = done;
    updated_.notify(sc_core::SC_ZERO_TIME);
}

Scoreboard::Clearance Scoreboard::clearance(std::uint32_t seq, Unit unit,
                                            const std::vector<Access>& accesses) const {
    Clearance c;
    for (const auto& e : entries_) {
        if (e.seq >= seq || e.unit == unit) continue;
        for (const auto& a : accesses) {
            if (a.memory != e.access.memory || !(a.write || e.access.write)) continue;
            if (a.hi <= e.access.lo || e.access.hi <= a.lo) continue;
            if (e.done == kUnknownCycle) {
                c.known = false;
                return c;
            }
            if (e.done > c.at || (e.done == c.at && e.unit == Unit::HostIn)) {
                c.at = e.done;
                c.waits_on_host = e.unit == Unit::HostIn;
            }
        }
    }
    return c;
}

Scoreboard::Clearance Scoreboard::wait_clear(std::uint32_t seq, Unit unit, const std::vector<Access>& accesses) {
    for (;;) {
        const Clearance c = clearance(seq, unit, accesses);
        if (c.known) {
            wait_until(c.at);
            return c;
        }
        sc_core::wait(updated_);
    }
}

void Scoreboard::collect_garbage() {
    const Cycle t = now();
    entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                  [t](const Entry& e) { return e.done != kUnknownCycle && e.done <= t; }),
                   entries_.end());
}

}  // namespace tpusim::sim
