#include "sim/unit_context.hpp"

#include <algorithm>

namespace tpusim::sim {

UnitContext::Start UnitContext::wait_for_operands(const Issued& it, Unit unit, Cycle unit_free) const {
    Start s;
    s.ready = std::max(it.issued + 1, unit_free);
    wait_until(s.ready);
    s.clearance = scoreboard.wait_clear(it.seq, unit, decoded[it.seq].accesses);
    auto& rec = log[it.seq];
    if (now() > s.ready) rec.stall = s.clearance.waits_on_host ? StallReason::InputData : StallReason::Hazard;
    else if (s.ready > it.issued + 1) rec.stall = StallReason::UnitBusy;
    return s;
}

}  // namespace tpusim::sim
