// What happened to every instruction: when it was issued, started and finished, which unit
// ran it and what, if anything, held up its start. Filled by the controller and the units.
#pragma once

#include "sim/cycle.hpp"
#include "sim/unit_id.hpp"

#include <cstdint>
#include <vector>

namespace tpusim::sim {

/// Why an instruction started later than the cycle after its issue.
enum class StallReason : std::uint8_t {
    None,
    UnitBusy,     // its unit was still busy with the previous instruction
    Hazard,       // a read or write of another unit on an overlapping range (RAW/WAR/WAW)
    InputData,    // a host-to-UB transfer it reads from had not finished
    WeightFetch,  // its weight tile had not arrived from weight memory
    WeightShift,  // its weight tile had arrived but was still shifting into the array
    FifoFull,     // read_weights: the weight FIFO had no free slot
    Sync,         // sync: waited for its condition
    UbPort,       // its unified-buffer read or write ports were taken by other accesses
};
const char* stall_name(StallReason r);

struct InstructionRecord {
    Unit unit = Unit::Controller;
    Cycle issue = kUnknownCycle;
    Cycle start = kUnknownCycle;  // first cycle of execution in its unit
    Cycle end = kUnknownCycle;    // first cycle at which all its results are visible
    StallReason stall = StallReason::None;
};

using InstructionLog = std::vector<InstructionRecord>;

/// How far a unit has got with what the controller issued to it; Sync waits on this.
struct UnitProgress {
    std::uint64_t issued = 0;
    std::uint64_t started = 0;
    Cycle last_end = 0;  // latest end of the instructions started so far
    sc_core::sc_event started_event;

    void start(InstructionRecord& rec, Cycle start_cycle, Cycle end_cycle) {
        rec.start = start_cycle;
        rec.end = end_cycle;
        ++started;
        if (end_cycle > last_end) last_end = end_cycle;
        started_event.notify(sc_core::SC_ZERO_TIME);
    }
};

}  // namespace tpusim::sim
