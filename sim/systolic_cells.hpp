// The cell-level model of the matrix unit (`--array-model cells`): every multiply-accumulate
// cell has its own registers and every cell is advanced every cycle while anything is in
// flight. Nothing here knows the timing formulas of docs/timing-model.md: when a vector
// enters, when a weight shift may begin and when results land in the accumulators follow
// from the registers alone. tests/sim/cells_equivalence_test.cpp checks that they agree
// with FastMatrixUnit, which computes the same instants from the formulas.
//
// Per cell (r, c): two weight registers (the buffers), the operand register that passes
// the input element to the right, and the partial-sum register that passes the sum down.
// Operands carry a valid bit, the weight buffer their vector multiplies with, and the id
// of their vector, which the bottom row uses to find the accumulator row. Element r of a
// vector waits r cycles in a delay line before it enters row r (the input skew). The
// shadow buffer is loaded by a shift register: one tile row enters the top row per cycle
// and every row passes its value to the row below.
//
// Sized for teaching and for checking the fast model: arrays up to 32 x 32, int8 operands.
#pragma once

#include "sim/matrix_unit.hpp"

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace tpusim::sim {

class CellMatrixUnit : public MatrixUnit {
public:
    static constexpr std::uint32_t kMaxSide = 32;

    /// Throws tpusim::Error for an array larger than kMaxSide x kMaxSide or operands wider
    /// than int8.
    CellMatrixUnit(sc_core::sc_module_name name, const UnitContext& ctx, const std::vector<std::uint8_t>& weights,
                   UnitProgress& progress);
    std::string state() const override;

private:
    SC_HAS_PROCESS(CellMatrixUnit);

    /// An operand in flight, packed so that passing it to the next register is one copy:
    /// bits 0-7 the int8 value, bit 8 valid, bit 9 the weight buffer, bits 16-31 vector id.
    using Element = std::uint32_t;
    static constexpr Element kValid = 1u << 8;
    static constexpr unsigned kBufferBit = 9;
    static constexpr unsigned kVectorShift = 16;

    /// What the bottom row needs to know about a vector in flight.
    struct VectorSlot {
        std::uint64_t acc_row = 0;
        bool accumulate = false;
        std::uint32_t columns_left = 0;  // accumulator writes still to come
        std::uint32_t seq = 0;
        std::uint64_t index = 0;  // vector number within its instruction
    };
    /// An instruction whose vectors have started entering and not all been written back.
    struct Streaming {
        std::uint32_t seq;
        Cycle start;
        std::uint64_t vectors_left;
    };
    /// The shadow buffer: free to be overwritten, being shifted into, or holding a tile
    /// that waits for a switching MatrixMultiply.
    enum class Shadow { Free, Shifting, Loaded };

    /// Takes the next instruction from the stage latch whenever the input feeder is free.
    void take_thread();
    /// One iteration per cycle while a vector is in the array or a shift is under way;
    /// sleeps while nothing can change without another unit's help.
    void cell_thread();
    /// The hazard clearance of the waiting instruction, computed as soon as it is known.
    void refresh_clearance();

    /// Cycle t of the whole array: accumulator writes, input feed, cells, weight shift.
    void step(Cycle t);
    void write_accumulators(Cycle t);
    /// The input feeder in cycle t: starts the held instruction if it may start, and puts
    /// the vector that enters the array in cycle t (or nothing) into `entering_`.
    void feed(Cycle t);
    bool may_start(Cycle t);
    void start_instruction(Cycle t);
    /// Loads the delay lines and column 0, then lets every cell multiply-accumulate and
    /// pass its operand right and its sum down (bottom row: into the accumulator stage).
    void sweep();
    void advance_shift(Cycle t);
    /// Prints cycle t of the array for the traced instruction (RunOptions::array_trace).
    void print_cycle(Cycle t) const;

    /// After the step of cycle t: whether the next cycle needs a step of its own (a vector
    /// or a shift is under way, or a shift has just completed and may be switched to).
    bool busy(Cycle t) const {
        return live_vectors_ > 0 || shadow_ == Shadow::Shifting || (shadow_ == Shadow::Loaded && shadow_ready_ > t);
    }
    /// The earliest future cycle at which a condition that only depends on time (an
    /// arrival, the end of a hazard, the unit becoming free) may let something happen.
    Cycle next_timed_change(Cycle t) const;

    const std::uint32_t n_;  // cells: rows * cols
    Cycle cycle_ = 0;        // the cycle being stepped

    // Array registers.
    std::vector<std::int8_t> weight_;      // 2 buffers x rows x cols
    std::vector<Element> operand_;         // rows x cols: what each cell holds this cycle
    std::vector<std::int32_t> partial_;    // rows x cols: the sum arriving from the cell above
    std::vector<Element> skew_;            // row r's delay line: r registers, rows 1..R-1
    std::vector<Element> stage_;           // per column: the bottom cell's result, to be written
    std::vector<std::int32_t> stage_sum_;  // per column: its value
    std::vector<Element> entering_;        // per row: the vector entering this cycle
    std::uint32_t uses_[2] = {0, 0};       // operands in flight (next cycle) per weight buffer

    // Vectors and instructions in flight.
    std::vector<VectorSlot> slots_;        // indexed by vector id
    std::uint32_t next_vector_id_ = 0;
    std::uint32_t live_vectors_ = 0;
    std::deque<Streaming> streaming_;

    // Weight buffers.
    std::uint8_t active_ = 0;              // buffer the next entering vector multiplies with
    std::uint32_t tile_rows_[2] = {0, 0}, tile_cols_[2] = {0, 0};
    Shadow shadow_ = Shadow::Free;
    std::uint32_t shadow_tile_ = 0;        // tile shifting into or held by the shadow buffer
    std::uint32_t shift_steps_ = 0;        // rows shifted in so far
    Cycle shadow_ready_ = 0;               // cycle from which the shadow tile was complete
    std::uint32_t next_tile_ = 0;          // next FIFO tile to shift in
    std::vector<std::int8_t> shifting_;    // the tile being shifted in, rows x cols

    // The input feeder and the instruction it holds.
    bool held_ = false;                    // an instruction is taken and not fully fed
    bool started_ = false;
    Issued it_;
    Cycle ready_ = 0;                      // max(issue + 1, cycle the feeder was free)
    Scoreboard::Clearance clearance_;
    bool clearance_known_ = false;
    bool booked_ = false;                  // its UB read port is reserved
    Cycle cleared_ = 0;                    // cycle every other start condition held
    Cycle port_start_ = 0;                 // first cycle of the reserved read port
    std::uint64_t fed_ = 0;                // vectors of it_ that have entered
    Cycle feeder_free_ = 0;                // first cycle after the last vector entered
    sc_core::sc_event taken_, feeder_freed_;
};

}  // namespace tpusim::sim
