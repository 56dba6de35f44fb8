// The controller: fetches instructions in program order, one per cycle, and issues each to
// the stage of the unit that executes it, waiting while that stage is occupied. Nop, Sync
// and Halt it executes itself (docs/timing-model.md, "Controller").
#pragma once

#include "sim/instruction_stage.hpp"
#include "sim/stats.hpp"
#include "sim/unit_context.hpp"

#include <systemc>

#include <array>
#include <string>
#include <vector>

namespace tpusim::sim {

class Controller : public sc_core::sc_module {
public:
    /// One stage port per unit that takes instructions, indexed by Unit.
    std::array<sc_core::sc_port<StageIf>, 5> stages;

    Controller(sc_core::sc_module_name name, const UnitContext& ctx, std::array<UnitProgress, kUnitCount>& progress);

    bool finished() const { return finished_; }
    Cycle end_cycle() const { return end_; }
    std::string state() const;
    /// Every range Sync that waited, in time order (they never overlap): the matrix unit
    /// attributes the idle cycles among them to raw_stall or input_stall at the end.
    const std::vector<SyncWait>& sync_waits() const { return sync_waits_; }

    StatGroup stats{"controller", "instruction fetch, decode and issue"};

private:
    SC_HAS_PROCESS(Controller);
    void thread();
    /// Blocks until every unit in `mask` (isa::UnitBit) has finished what it was issued.
    void wait_drained(std::uint64_t mask);

    const UnitContext& ctx_;
    std::array<UnitProgress, kUnitCount>& progress_;
    bool finished_ = false;
    Cycle end_ = 0;
    std::size_t pc_ = 0;
    std::vector<SyncWait> sync_waits_;
    enum class Waiting { Issue, Stage, Sync } waiting_ = Waiting::Issue;
    Counter issued_{stats, "instructions", "instructions issued", "instructions"};
    Counter stage_stall_{stats, "stage_stall_cycles", "cycles issue waited for a unit's stage to free", "cycles"};
    Counter sync_cycles_{stats, "sync_cycles", "cycles spent in Sync and Halt waiting for units", "cycles"};
    Counter nop_cycles_{stats, "nop_cycles", "cycles spent in Nop", "cycles"};
};

}  // namespace tpusim::sim
