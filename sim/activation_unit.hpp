// The activation unit: reads accumulator rows, requantizes them to int8, applies the
// nonlinearity and pooling and writes the unified buffer (Activate); adds or multiplies
// UB rows element-wise (Vector); holds the configuration registers, which Set_Config
// writes when it executes and Activate and Vector read (sim/activation_registers.hpp). One
// pipeline at the configured bytes per cycle (docs/timing-model.md, "Activation unit").
#pragma once

#include "sim/accumulators.hpp"
#include "sim/activation_registers.hpp"
#include "sim/instruction_stage.hpp"
#include "sim/stats.hpp"
#include "sim/unified_buffer.hpp"
#include "sim/unit_context.hpp"

#include <systemc>

namespace tpusim::sim {

class ActivationUnit : public sc_core::sc_module {
public:
    sc_core::sc_port<StageIf> stage;       // Activate, Vector, Set_Config
    sc_core::sc_port<AccumulatorsIf> acc;  // Activate's input
    sc_core::sc_port<UnifiedBufferIf> ub;  // Vector's operands, both instructions' results

    ActivationUnit(sc_core::sc_module_name name, const UnitContext& ctx, UnitProgress& progress);

    StatGroup stats{"activation_unit", "requantization, nonlinearity, pooling and element-wise vector path"};

private:
    SC_HAS_PROCESS(ActivationUnit);
    void thread();
    /// Cycles the instruction occupies the pipeline's input.
    Cycle occupancy(const isa::Instruction& in, const DecodedInstruction& d) const;
    void activate(const isa::Instruction& in, const DecodedInstruction& d);
    void vector(const isa::Instruction& in, const DecodedInstruction& d);

    const UnitContext& ctx_;
    UnitProgress& progress_;
    ActivationRegisters regs_;
    Counter busy_{stats, "busy_cycles", "cycles the pipeline accepted input", "cycles"};
    Counter rows_in_{stats, "rows_read", "accumulator or UB rows read", "rows"};
    Counter rows_out_{stats, "rows_written", "UB rows written", "rows"};
    Counter acc_bytes_in_{stats, "acc_bytes_read", "bytes read from the accumulators (Activate, whole rows)", "bytes"};
    Counter ub_bytes_in_{stats, "ub_bytes_read", "bytes read from the unified buffer (Vector operands, whole rows)", "bytes"};
    Counter ub_bytes_out_{stats, "ub_bytes_written", "bytes written to the unified buffer (whole rows)", "bytes"};
    Counter instructions_{stats, "instructions", "Activate, Vector and Set_Config instructions executed", "instructions"};
};

}  // namespace tpusim::sim
