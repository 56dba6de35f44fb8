// The matrix unit: a rows x cols weight-stationary systolic array of int8 MACs with two
// weight buffers (one in use, one being shifted in behind it), fed one input vector per
// cycle from the unified buffer and writing one vector of 32-bit sums per cycle into the
// accumulators (docs/timing-model.md, "Matrix unit").
//
// This base class holds what every model of the array shares: the ports (the instruction
// stage, the weight FIFO's consumer side, the unified buffer it reads and the accumulators
// it writes, all bound in sim/chip.cpp), the statistics
// in the TPUv1 counter categories and their accounting, and the functional weight tile.
// Two models derive from it: FastMatrixUnit computes when the next thing happens;
// CellMatrixUnit (sim/systolic_cells.hpp) advances every cell every cycle and is the
// executable proof of the fast model's formulas.
#pragma once

#include "sim/accumulators.hpp"
#include "sim/instruction_stage.hpp"
#include "sim/int8_dot.hpp"
#include "sim/stats.hpp"
#include "sim/unified_buffer.hpp"
#include "sim/unit_context.hpp"
#include "sim/weight_fifo.hpp"

#include <systemc>

#include <cstdint>
#include <vector>

namespace tpusim::sim {

class MatrixUnit : public sc_core::sc_module {
public:
    sc_core::sc_port<StageIf> stage;              // MatrixMultiply / Convolve
    sc_core::sc_port<WeightFifoConsumerIf> fifo;  // weight tiles to shift in
    sc_core::sc_port<UnifiedBufferIf> ub;         // input vectors
    sc_core::sc_port<AccumulatorsIf> acc;         // result vectors

    StatGroup stats{"matrix_unit", "the systolic array, its weight buffers and its input and output paths"};

    /// Sets the cycles not otherwise accounted for (non_matrix) once the run has ended, and
    /// counts the cycles in which a range Sync held the controller while the unit had no
    /// instruction to work on or wait for as raw_stall, or input_stall when the Sync waited
    /// for a host transfer (docs/timing-model.md, "Cycle categories").
    void finish(Cycle total_cycles, const std::vector<SyncWait>& sync_waits);
    /// One line on what the unit is doing or waiting for (deadlock reports).
    virtual std::string state() const = 0;

protected:
    MatrixUnit(sc_core::sc_module_name name, const UnitContext& ctx, const std::vector<std::uint8_t>& weights,
               UnitProgress& progress);

    /// How a switching MatrixMultiply waited for its weight tile.
    struct WeightWait {
        bool switching = false;
        Cycle arrival = 0;  // the tile was in the FIFO from this cycle
        Cycle ready = 0;    // the tile was shifted into the shadow buffer from this cycle
    };
    /// Accounts the cycles [ready, start) in which the instruction waited, by cause; from
    /// `cleared` on it waited only for its UB read port.
    void account_wait(const Issued& it, Cycle ready, const Scoreboard::Clearance& c, const WeightWait& w,
                      Cycle cleared, Cycle start);
    /// Reserves the UB read port for the input phase of `it` (B * cpv cycles from its
    /// start), called in the cycle every other start condition holds; returns the start.
    Cycle reserve_input_port(const Issued& it);
    /// Accounts `vectors` input cycles of useful and unused MACs for a tile of the given shape.
    void account_active(std::uint64_t vectors, std::uint32_t tile_rows, std::uint32_t tile_cols);
    /// The tile as the array holds it: rows x cols int8, zero outside the stored shape.
    std::vector<std::int8_t> load_tile(const WeightTile& tile) const;

    const UnitContext& ctx_;
    const std::vector<std::uint8_t>& weights_;
    UnitProgress& progress_;
    const std::uint32_t rows_, cols_, cycles_per_vector_;
    /// The cycles from each instruction's ready to the end of its input phase (waits of
    /// every kind and streaming), merged where they touch: the unit is not idle in them.
    std::vector<std::pair<Cycle, Cycle>> claimed_;

    Counter active_{stats, "array_active", "cycles in which an input vector entered the array", "cycles"};
    Counter useful_{stats, "useful_macs", "multiply-accumulates with a stored weight", "MACs"};
    Counter unused_{stats, "unused_macs", "MAC slots of active cycles outside the stored tile shape", "MACs"};
    Counter weight_stall_{stats, "weight_stall", "cycles waiting for a weight tile to arrive from weight memory", "cycles"};
    Counter weight_shift_{stats, "weight_shift", "cycles waiting for an arrived weight tile to shift into the array", "cycles"};
    Counter non_matrix_{stats, "non_matrix", "cycles with no input vector and no weight wait (set at the end of the run)", "cycles"};
    Counter raw_stall_{stats, "raw_stall", "non-matrix cycles waiting for a unit other than the host interface (data hazard)", "cycles"};
    Counter input_stall_{stats, "input_stall", "non-matrix cycles waiting for input data from the host interface", "cycles"};
    Counter instructions_{stats, "instructions", "MatrixMultiply and Convolve instructions executed", "instructions"};
    Counter vectors_{stats, "vectors", "input vectors read from the unified buffer", "vectors"};
    Counter switches_{stats, "weight_switches", "weight tiles switched into use", "tiles"};
    Counter ub_bytes_read_{stats, "ub_bytes_read", "bytes of input vectors read from the unified buffer (whole rows)", "bytes"};
    Counter acc_bytes_written_{stats, "acc_bytes_written", "bytes of result vectors written to the accumulators (whole rows)", "bytes"};
};

/// The event-driven model: each MatrixMultiply costs a handful of SystemC waits however
/// many cycles it takes.
class FastMatrixUnit : public MatrixUnit {
public:
    FastMatrixUnit(sc_core::sc_module_name name, const UnitContext& ctx, const std::vector<std::uint8_t>& weights,
                   UnitProgress& progress);
    std::string state() const override;

private:
    SC_HAS_PROCESS(FastMatrixUnit);
    void thread();
    /// Starts shifting the next tile into the shadow buffer as soon as it is requested and
    /// the buffer is free; runs on every FIFO push and after every switch.
    void schedule_shift();
    void compute(const isa::Instruction& in, std::uint64_t vectors);

    static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
    struct Shadow {
        std::uint32_t tile = kNone;  // tile being shifted in or waiting to be switched in
        Cycle ready = 0;             // fully shifted in from this cycle
    } shadow_;
    std::uint32_t next_tile_ = 0;    // next tile to shift into the shadow buffer
    Cycle shadow_free_ = 0;          // the shadow buffer may start shifting from this cycle
    bool has_active_ = false;
    Cycle last_entry_ = 0;           // entry cycle of the last vector that used the active tile
    std::uint32_t active_rows_ = 0, active_cols_ = 0;
    Int8TileProduct product_;        // the active tile, in the kernel's layout
    std::vector<const std::int8_t*> x_;  // a block of input vectors (UB rows)
    std::vector<std::int32_t*> out_;     // their result rows (accumulator rows)
    enum class Waiting { Instruction, Operands, Weights, Ports, Inputs } waiting_ = Waiting::Instruction;
    std::uint32_t current_ = 0;
    /// The FIFO's push event, found through the port once it is bound.
    sc_core::sc_event_finder_t<WeightFifoConsumerIf> pushed_{fifo, &WeightFifoConsumerIf::pushed_event};
};

}  // namespace tpusim::sim
