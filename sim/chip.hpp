// The chip: every unit, the channels between them, and the memories, wired as in the
// TPUv1 block diagram. Built for one run of one program. Every unit reaches another only
// through an sc_port bound here (docs/timing-model.md, "Module structure"):
//   controller.stages[u]  -> the instruction stage of each unit
//   weight_memory.fifo    -> weight FIFO, producer side
//   matrix_unit.fifo      -> weight FIFO, consumer side
//   host_interface.ub, matrix_unit.ub, activation_unit.ub -> unified buffer
//   matrix_unit.acc, activation_unit.acc                  -> accumulators
// The unified buffer holds its read and write ports (UbPorts); the hazard scoreboard and
// the instruction log are shared through UnitContext.
#pragma once

#include "sim/accumulators.hpp"
#include "sim/activation_unit.hpp"
#include "sim/controller.hpp"
#include "sim/host_interface.hpp"
#include "sim/instruction_stage.hpp"
#include "sim/matrix_unit.hpp"
#include "sim/simulation.hpp"
#include "sim/unified_buffer.hpp"
#include "sim/unit_context.hpp"
#include "sim/weight_fifo.hpp"
#include "sim/weight_memory.hpp"

#include <systemc>

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace tpusim::sim {

class Chip : public sc_core::sc_module {
public:
    Chip(sc_core::sc_module_name name, const UnitContext& ctx, ArrayModel model, std::vector<std::uint8_t>& host,
         const std::vector<std::uint8_t>& weights);

    bool finished() const { return controller_.finished(); }
    Cycle end_cycle() const { return controller_.end_cycle(); }
    /// Sets the end-of-run statistics (the matrix unit's non-matrix cycles).
    void finish();
    std::vector<StatSnapshot> stats() const;
    std::vector<TileRecord> tiles() const;
    /// What every unit is doing, one per line, for a deadlock report.
    std::string state() const;

    UnifiedBuffer ub;
    Accumulators acc;

private:
    std::array<UnitProgress, kUnitCount> progress_;
    std::array<std::unique_ptr<InstructionStage>, 5> stages_;
    WeightFifo fifo_;
    Controller controller_;
    HostInterface host_;
    WeightMemory weight_memory_;
    std::unique_ptr<MatrixUnit> matrix_;
    ActivationUnit activation_;
};

}  // namespace tpusim::sim
