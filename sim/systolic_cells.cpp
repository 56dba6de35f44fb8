#include "sim/systolic_cells.hpp"

#include "sim/sim_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

namespace tpusim::sim {

namespace {

/// Vector ids are reused round-robin; a vector is in flight for fewer cycles than there
/// are ids, so an id is free again before it comes round.
std::uint32_t vector_id_count(std::uint32_t rows, std::uint32_t cols) {
    std::uint32_t n = 1;
    while (n < rows + cols + 2) n <<= 1;
    return n;
}

const config::ChipConfig& checked(const config::ChipConfig& chip) {
    const auto& m = chip.matrix;
    if (m.rows > CellMatrixUnit::kMaxSide || m.cols > CellMatrixUnit::kMaxSide ||
        m.operand_mode != config::OperandMode::Int8x8)
        throw Error(fmt::format(
            "{}: matrix_unit: the cell-level array model (--array-model cells) handles arrays up to {}x{} "
            "with int8 operands; this chip has {}x{} with {} operands: use the fast model",
            chip.source_file.empty() ? chip.name : chip.source_file, CellMatrixUnit::kMaxSide,
            CellMatrixUnit::kMaxSide, m.rows, m.cols, config::operand_mode_name(m.operand_mode)));
    return chip;
}

}  // namespace

CellMatrixUnit::CellMatrixUnit(sc_core::sc_module_name name, const UnitContext& ctx,
                               const std::vector<std::uint8_t>& weights, UnitProgress& progress)
    : MatrixUnit(name, ctx, weights, progress),
      n_(checked(ctx.chip).matrix.rows * ctx.chip.matrix.cols),
      weight_(2 * std::size_t{n_}, 0),
      operand_(n_, 0),
      partial_(n_, 0),
      skew_(std::size_t{rows_} * (rows_ - 1) / 2, 0),
      stage_(cols_, 0),
      stage_sum_(cols_, 0),
      entering_(rows_, 0),
      slots_(vector_id_count(rows_, cols_)),
      shifting_(n_, 0) {
    SC_THREAD(take_thread);
    SC_THREAD(cell_thread);
    SC_METHOD(refresh_clearance);
    sensitive << ctx.scoreboard.updated();
    dont_initialize();
}

void CellMatrixUnit::take_thread() {
    for (;;) {
        it_ = stage->get();
        held_ = true;
        started_ = false;
        fed_ = 0;
        clearance_known_ = false;
        booked_ = false;
        ready_ = std::max(it_.issued + 1, feeder_free_);
        taken_.notify(sc_core::SC_ZERO_TIME);
        sc_core::wait(feeder_freed_);
    }
}

void CellMatrixUnit::refresh_clearance() {
    if (!held_ || started_ || clearance_known_ || now() < ready_) return;
    clearance_ = ctx_.scoreboard.clearance(it_.seq, Unit::Matrix, ctx_.decoded[it_.seq].accesses);
    clearance_known_ = clearance_.known;
}

void CellMatrixUnit::cell_thread() {
    // Each cycle is evaluated one delta cycle after the clock edge, so that an instruction
    // the take thread picks up in the cycle the feeder frees is seen in that cycle. Nothing
    // else another unit does in cycle t can matter before t + 1: hazards end, tiles arrive
    // and instructions may start strictly after the cycle in which they become known.
    Cycle t = now();
    for (;;) {
        step(t);
        if (busy(t)) {
            sc_core::wait(cycles(1));
        } else {
            const Cycle wake = next_timed_change(t);
            if (wake == kUnknownCycle)
                sc_core::wait(taken_ | fifo->pushed_event() | ctx_.scoreboard.updated());
            else
                sc_core::wait(cycles(wake - t), taken_ | fifo->pushed_event() | ctx_.scoreboard.updated());
            if (now() == t) sc_core::wait(cycles(1));
        }
        sc_core::wait(sc_core::SC_ZERO_TIME);
        t = now();
    }
}

Cycle CellMatrixUnit::next_timed_change(Cycle t) const {
    Cycle wake = kUnknownCycle;
    if (held_ && !started_) {
        if (t < ready_) wake = ready_;
        else if (clearance_known_ && clearance_.at > t) wake = clearance_.at;
        else if (booked_ && port_start_ > t) wake = port_start_;
    }
    if (shadow_ == Shadow::Free && fifo->requested(next_tile_)) {
        const Cycle arrival = fifo->tile(next_tile_).arrival;
        if (arrival > t) wake = std::min(wake, arrival);
    }
    return wake;
}

void CellMatrixUnit::step(Cycle t) {
    cycle_ = t;
    write_accumulators(t);
    feed(t);
    sweep();
    advance_shift(t);
}

void CellMatrixUnit::write_accumulators(Cycle t) {
    for (std::uint32_t c = 0; c < cols_; ++c) {
        const Element e = stage_[c];
        if ((e & kValid) == 0) continue;
        stage_[c] = 0;
        VectorSlot& v = slots_[e >> kVectorShift];
        if (ctx_.data) {
            std::int32_t& y = acc->row(v.acc_row)[c];
            // Accumulation wraps modulo 2^32 (docs/arithmetic.md): add as unsigned.
            y = v.accumulate ? static_cast<std::int32_t>(static_cast<std::uint32_t>(y) +
                                                         static_cast<std::uint32_t>(stage_sum_[c]))
                             : stage_sum_[c];
        }
        if (--v.columns_left > 0) continue;
        --live_vectors_;
        const auto s = std::find_if(streaming_.begin(), streaming_.end(),
                                    [&](const Streaming& x) { return x.seq == v.seq; });
        if (--s->vectors_left > 0) continue;
        // The last write of the instruction happens in cycle t: its results are visible
        // from t + 1.
        ctx_.scoreboard.set_done(s->seq, true, t + 1);
        progress_.start(ctx_.log[s->seq], s->start, t + 1);
        streaming_.erase(s);
    }
}

bool CellMatrixUnit::may_start(Cycle t) {
    if (t < ready_) return false;
    if (!clearance_known_) refresh_clearance();
    if (!clearance_known_ || clearance_.at > t) return false;
    if (ctx_.program.code[it_.seq].switch_weights && shadow_ != Shadow::Loaded) return false;
    // Everything else allows the input phase to start now; its UB read port is reserved
    // now, for the earliest B * cpv cycles from t in which the port is free.
    if (!booked_) {
        cleared_ = t;
        port_start_ = reserve_input_port(it_);
        booked_ = true;
    }
    return t >= port_start_;
}

void CellMatrixUnit::start_instruction(Cycle t) {
    const auto& in = ctx_.program.code[it_.seq];
    const auto& d = ctx_.decoded[it_.seq];
    WeightWait w;
    if (in.switch_weights) {
        w = WeightWait{true, fifo->tile(shadow_tile_).arrival, shadow_ready_};
        // The shadow buffer becomes active; the buffer the previous tile is in becomes the
        // shadow one, free to be overwritten once no operand in flight still uses it.
        active_ ^= 1;
        tile_rows_[active_] = fifo->tile(shadow_tile_).rows;
        tile_cols_[active_] = fifo->tile(shadow_tile_).cols;
        shadow_ = Shadow::Free;
        switches_ += 1;
    }
    if (ready_ > it_.issued + 1) ctx_.log[it_.seq].stall = StallReason::UnitBusy;
    account_wait(it_, ready_, clearance_, w, cleared_, t);
    account_active(d.vectors, tile_rows_[active_], tile_cols_[active_]);
    streaming_.push_back(Streaming{it_.seq, t, d.vectors});
    started_ = true;
}

void CellMatrixUnit::feed(Cycle t) {
    std::fill(entering_.begin(), entering_.end(), Element{0});
    if (!held_) return;
    if (!started_) {
        if (!may_start(t)) return;
        start_instruction(t);
    }
    const auto& in = ctx_.program.code[it_.seq];
    const auto& d = ctx_.decoded[it_.seq];
    const std::uint64_t o = fed_ / in.rows, i = fed_ % in.rows;
    const std::uint32_t id = next_vector_id_;
    next_vector_id_ = (next_vector_id_ + 1) & static_cast<std::uint32_t>(slots_.size() - 1);
    slots_[id] = VectorSlot{in.acc_addr + fed_, in.accumulate != 0, cols_, it_.seq, fed_};
    ++live_vectors_;
    const Element tag = kValid | (Element{active_} << kBufferBit) | (id << kVectorShift);
    const std::int8_t* x = ctx_.data ? ub->row(in.ub_addr + o * in.pitch + i * in.step) : nullptr;
    for (std::uint32_t r = 0; r < rows_; ++r)
        entering_[r] = tag | (x ? static_cast<std::uint8_t>(x[r]) : 0u);
    if (++fed_ < d.vectors) return;
    // The last vector entered in cycle t: the UB reads are over and the feeder takes the
    // next instruction in cycle t + 1.
    ctx_.scoreboard.set_done(it_.seq, false, t + 1);
    held_ = false;
    feeder_free_ = t + 1;
    feeder_freed_.notify(cycles(1));
}

void CellMatrixUnit::sweep() {
    uses_[0] = uses_[1] = 0;
    if (live_vectors_ == 0) return;  // every register is empty
    // Delay lines: row r's element enters column 0 after r cycles. Row 0 has none.
    for (std::uint32_t r = 1, base = 0; r < rows_; base += r, ++r) {
        Element* line = &skew_[base];
        operand_[std::size_t{r} * cols_] = line[r - 1];
        for (std::uint32_t k = r - 1; k > 0; --k) line[k] = line[k - 1];
        line[0] = entering_[r];
        for (std::uint32_t k = 0; k < r; ++k)
            if (line[k] & kValid) ++uses_[(line[k] >> kBufferBit) & 1];
    }
    operand_[0] = entering_[0];
    if (ctx_.array_trace.out) print_cycle(cycle_);
    // Bottom row first and right to left, so that each register is read in this cycle
    // before the value passed into it for the next cycle overwrites it.
    for (std::uint32_t r = rows_; r-- > 0;) {
        Element* op = &operand_[std::size_t{r} * cols_];
        const std::int32_t* in_sum = &partial_[std::size_t{r} * cols_];
        const bool bottom = r + 1 == rows_;
        std::int32_t* out_sum = bottom ? stage_sum_.data() : &partial_[std::size_t{r + 1} * cols_];
        for (std::uint32_t c = cols_; c-- > 0;) {
            const Element e = op[c];
            if (bottom) stage_[c] = e & ~Element{0xFF};
            if (e & kValid) {
                const unsigned b = (e >> kBufferBit) & 1;
                const std::int32_t product =
                    std::int32_t{weight_[b * std::size_t{n_} + std::size_t{r} * cols_ + c]} *
                    static_cast<std::int8_t>(e & 0xFF);
                // Row 0 starts the sum; |sum| <= 32 * 128 * 128, no overflow in the array.
                out_sum[c] = (r == 0 ? 0 : in_sum[c]) + product;
                if (c + 1 < cols_) ++uses_[b];
            }
            if (c + 1 < cols_) op[c + 1] = e;
        }
        op[0] = 0;
    }
}

void CellMatrixUnit::print_cycle(Cycle t) const {
    // Each cell shows the number of the traced instruction's vector whose element it
    // multiplies in cycle t; '*' marks another instruction's vector, '.' an empty cell.
    const auto seq = ctx_.array_trace.instruction;
    bool any = false;
    std::string grid;
    for (std::uint32_t r = 0; r < rows_; ++r) {
        grid += fmt::format("  r{:<3}", r);
        for (std::uint32_t c = 0; c < cols_; ++c) {
            const Element e = operand_[std::size_t{r} * cols_ + c];
            std::string cell = ".";
            if (e & kValid) {
                const auto& v = slots_[e >> kVectorShift];
                cell = v.seq == seq ? fmt::format("{}", v.index) : "*";
                any = any || v.seq == seq;
            }
            grid += fmt::format(" {:>4}", cell);
        }
        grid += "\n";
    }
    if (!any) return;
    std::string header = fmt::format("cycle {}: instruction {} in the array (cell: its vector number)\n      ", t, seq);
    for (std::uint32_t c = 0; c < cols_; ++c) header += fmt::format(" {:>4}", fmt::format("c{}", c));
    *ctx_.array_trace.out << header << "\n" << grid;
}

void CellMatrixUnit::advance_shift(Cycle t) {
    const unsigned shadow = active_ ^ 1u;
    // A shift rewrites every shadow register from its first cycle: it may begin once the
    // tile is in the FIFO, the buffer's tile has been switched away from, and no operand
    // that will be in a cell from the next cycle on multiplies with the buffer.
    if (shadow_ == Shadow::Free && fifo->requested(next_tile_) && fifo->tile(next_tile_).arrival <= t &&
        uses_[shadow] == 0) {
        shadow_ = Shadow::Shifting;
        shadow_tile_ = next_tile_++;
        shift_steps_ = 0;
        if (ctx_.data) shifting_ = load_tile(fifo->tile(shadow_tile_));
    }
    if (shadow_ != Shadow::Shifting) return;
    // One step: every row passes its shadow weights down, the top row takes the next tile
    // row, last row first, so that after `rows` steps row r holds tile row r.
    std::int8_t* w = &weight_[shadow * std::size_t{n_}];
    std::copy_backward(w, w + (n_ - cols_), w + n_);
    const std::size_t from = std::size_t{rows_ - 1 - shift_steps_} * cols_;
    std::copy(&shifting_[from], &shifting_[from] + cols_, w);
    if (++shift_steps_ < rows_) return;
    shadow_ = Shadow::Loaded;
    shadow_ready_ = t + 1;
    fifo->set_leave(shadow_tile_, t + 1);
}

std::string CellMatrixUnit::state() const {
    std::string s;
    if (!held_) {
        s = "idle, waiting for an instruction";
    } else if (started_) {
        s = fmt::format("instruction {} streaming, {} of {} vectors entered", it_.seq, fed_,
                        ctx_.decoded[it_.seq].vectors);
    } else if (now() < ready_ || !clearance_known_ || clearance_.at > now()) {
        s = fmt::format("instruction {} waits for a hazard to clear", it_.seq);
    } else if (booked_) {
        s = fmt::format("instruction {} waits for a UB read port", it_.seq);
    } else {
        const std::uint32_t tile = ctx_.decoded[it_.seq].tile;
        s = fifo->requested(tile)
                ? fmt::format("instruction {} waits for weight tile {} to shift in", it_.seq, tile)
                : fmt::format("instruction {} waits for weight tile {}, which was never read into the FIFO",
                              it_.seq, tile);
    }
    if (live_vectors_ > 0) s += fmt::format("; {} vectors in the array", live_vectors_);
    if (shadow_ == Shadow::Shifting)
        s += fmt::format("; tile {} shifting in, {} of {} rows", shadow_tile_, shift_steps_, rows_);
    return s;
}

}  // namespace tpusim::sim
