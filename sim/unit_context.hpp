// What every unit sees of the program being run: the instructions, what decode worked out
// about them, the hazard scoreboard and the instruction log. Owned by the run
// (sim/simulation.cpp); the units reach one another only through their ports.
#pragma once

#include "config/chip_config.hpp"
#include "isa/program.hpp"
#include "sim/decode.hpp"
#include "sim/instruction_stage.hpp"
#include "sim/instruction_log.hpp"
#include "sim/scoreboard.hpp"
#include "sim/simulation.hpp"
#include "sim/unified_buffer.hpp"

namespace tpusim::sim {

struct UnitContext {
    const config::ChipConfig& chip;
    const isa::Program& program;
    const std::vector<DecodedInstruction>& decoded;
    Scoreboard& scoreboard;
    InstructionLog& log;
    bool data;  // false: timing only, no arithmetic and no memory contents
    ArrayTrace array_trace;  // the cell model's per-cycle dump, if asked for

    /// Waits until the instruction may start (its issue cycle has passed, its unit is free
    /// at `unit_free`, no hazard) and returns the cause of any wait beyond `unit_free`.
    struct Start {
        Cycle ready;      // max(issue + 1, unit_free): when it could have started
        Scoreboard::Clearance clearance;
    };
    Start wait_for_operands(const Issued& it, Unit unit, Cycle unit_free) const;
    /// Called when wait_for_operands returns: reserves the instruction's UB ports through
    /// the unit's port to the unified buffer and waits
    /// until the cycle it may start with them (docs/timing-model.md, "Unified buffer ports").
    /// A wait for a port longer than the wait for operands becomes its stall reason.
    Cycle wait_for_ports(const Issued& it, const Start& start, sc_core::sc_port<UnifiedBufferIf>& ub,
                         const std::vector<PortHold>& holds,
                         std::uint64_t rows_read, std::uint64_t rows_written) const;
};

}  // namespace tpusim::sim
