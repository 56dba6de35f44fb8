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

Cycle UnitContext::wait_for_ports(const Issued& it, const Start& start, sc_core::sc_port<UnifiedBufferIf>& ub,
                                  const std::vector<PortHold>& holds,
                                  std::uint64_t rows_read, std::uint64_t rows_written) const {
    const Cycle cleared = now();
    const Cycle s = ub->acquire(it.seq, holds, rows_read, rows_written);
    if (s - cleared > cleared - start.ready) log[it.seq].stall = StallReason::UbPort;
    wait_until(s);
    return s;
}

}  // namespace tpusim::sim
