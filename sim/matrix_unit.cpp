#include "sim/matrix_unit.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tpusim::sim {

MatrixUnit::MatrixUnit(sc_core::sc_module_name name, const UnitContext& ctx, const std::vector<std::uint8_t>& weights,
                       UnitProgress& progress)
    : sc_core::sc_module(name),
      ctx_(ctx),
      weights_(weights),
      progress_(progress),
      rows_(ctx.chip.matrix.rows),
      cols_(ctx.chip.matrix.cols),
      cycles_per_vector_(ctx.chip.matrix.cycles_per_vector()) {}

void MatrixUnit::finish(Cycle total_cycles, const std::vector<SyncWait>& sync_waits) {
    const std::uint64_t accounted = active_.value() + weight_stall_.value() + weight_shift_.value();
    non_matrix_ += total_cycles > accounted ? total_cycles - accounted : 0;
    // Both lists are in time order and free of overlaps: one sweep subtracts the claimed
    // cycles from every Sync wait.
    std::size_t k = 0;
    for (const SyncWait& s : sync_waits) {
        while (k < claimed_.size() && claimed_[k].second <= s.from) ++k;
        std::uint64_t idle = s.to - s.from;
        for (std::size_t j = k; j < claimed_.size() && claimed_[j].first < s.to; ++j)
            idle -= std::min(s.to, claimed_[j].second) - std::max(s.from, claimed_[j].first);
        (s.on_host ? input_stall_ : raw_stall_) += idle;
    }
}

void MatrixUnit::account_wait(const Issued& it, Cycle ready, const Scoreboard::Clearance& c, const WeightWait& w,
                              Cycle cleared, Cycle start) {
    const Cycle busy_end = start + ctx_.decoded[it.seq].vectors * cycles_per_vector_;
    if (!claimed_.empty() && claimed_.back().second >= ready)
        claimed_.back().second = std::max(claimed_.back().second, busy_end);
    else
        claimed_.emplace_back(ready, busy_end);
    if (start <= ready) return;
    // Split [ready, start) at the tile's arrival, at the end of its shift and where the
    // other conditions cleared: before the arrival the unit waits for weight memory, then
    // for the shift, then for a hazard, then for the UB read port.
    const Cycle a = w.switching ? std::clamp(w.arrival, ready, start) : ready;
    const Cycle b = w.switching ? std::clamp(w.ready, a, start) : ready;
    const Cycle p = std::clamp(cleared, b, start);
    const std::uint64_t stall = a - ready, shift = b - a, hazard = p - b, port = start - p;
    weight_stall_ += stall;
    weight_shift_ += shift;
    (c.waits_on_host ? input_stall_ : raw_stall_) += hazard;
    auto& rec = ctx_.log[it.seq];
    if (stall >= shift && stall >= hazard && stall >= port) rec.stall = StallReason::WeightFetch;
    else if (shift >= hazard && shift >= port) rec.stall = StallReason::WeightShift;
    else if (hazard >= port) rec.stall = c.waits_on_host ? StallReason::InputData : StallReason::Hazard;
    else rec.stall = StallReason::UbPort;
}

Cycle MatrixUnit::reserve_input_port(const Issued& it) {
    const std::uint64_t vectors = ctx_.decoded[it.seq].vectors;
    return ub->acquire(it.seq, {PortHold{false, 1, 0, vectors * cycles_per_vector_, 0}}, vectors, 0);
}

void MatrixUnit::account_active(std::uint64_t vectors, std::uint32_t tile_rows, std::uint32_t tile_cols) {
    const std::uint64_t slots = std::uint64_t{rows_} * cols_, used = std::uint64_t{tile_rows} * tile_cols;
    active_ += vectors * cycles_per_vector_;
    useful_ += vectors * used;
    unused_ += vectors * (slots - used);
    instructions_ += 1;
    vectors_ += vectors;
    ub_bytes_read_ += vectors * ctx_.chip.ub_row_bytes();
    acc_bytes_written_ += vectors * cols_ * sizeof(std::int32_t);
}

std::vector<std::int8_t> MatrixUnit::load_tile(const WeightTile& tile) const {
    std::vector<std::int8_t> t(std::size_t{rows_} * cols_, 0);
    for (std::uint32_t r = 0; r < tile.rows; ++r)
        for (std::uint32_t c = 0; c < tile.cols; ++c) {
            const std::uint64_t a = tile.addr + std::uint64_t{r} * tile.cols + c;
            t[std::size_t{r} * cols_ + c] = a < weights_.size() ? static_cast<std::int8_t>(weights_[a]) : 0;
        }
    return t;
}

FastMatrixUnit::FastMatrixUnit(sc_core::sc_module_name name, const UnitContext& ctx,
                               const std::vector<std::uint8_t>& weights, UnitProgress& progress)
    : MatrixUnit(name, ctx, weights, progress) {
    SC_THREAD(thread);
    SC_METHOD(schedule_shift);
    sensitive << pushed_;
    dont_initialize();
}

void FastMatrixUnit::schedule_shift() {
    if (shadow_.tile != kNone || !fifo->requested(next_tile_)) return;
    const Cycle start = std::max(fifo->tile(next_tile_).arrival, shadow_free_);
    shadow_.tile = next_tile_;
    shadow_.ready = start + rows_;  // one cycle per array row
    fifo->set_leave(next_tile_, shadow_.ready);
    ++next_tile_;
}

void FastMatrixUnit::thread() {
    Cycle input_free = 0;  // the cycle after the last input vector of the previous instruction
    for (;;) {
        waiting_ = Waiting::Instruction;
        const Issued it = stage->get();
        current_ = it.seq;
        const auto& in = ctx_.program.code[it.seq];
        const auto& d = ctx_.decoded[it.seq];
        waiting_ = Waiting::Operands;
        const auto op = ctx_.wait_for_operands(it, Unit::Matrix, input_free);
        WeightWait w;
        if (in.switch_weights) {
            waiting_ = Waiting::Weights;
            for (;;) {
                schedule_shift();  // also run here: the method may not have seen this push yet
                if (shadow_.tile == d.tile) break;
                sc_core::wait(fifo->pushed_event());
            }
            w = WeightWait{true, fifo->tile(d.tile).arrival, shadow_.ready};
            wait_until(shadow_.ready);
        }
        waiting_ = Waiting::Ports;
        const Cycle cleared = now();
        const Cycle s = reserve_input_port(it);
        wait_until(s);
        waiting_ = Waiting::Inputs;
        account_wait(it, op.ready, op.clearance, w, cleared, s);
        if (in.switch_weights) {
            // The buffer that held the previous tile becomes the shadow buffer. A shift
            // rewrites every cell's shadow register, so it may begin once the last vector
            // that used the previous tile has passed the last cell (row R-1, column C-1).
            shadow_free_ = has_active_ ? std::max(s, last_entry_ + rows_ + cols_ - 2) : s;
            const auto& tile = fifo->tile(d.tile);
            active_rows_ = tile.rows;
            active_cols_ = tile.cols;
            if (ctx_.data) {
                // Put into the kernel's layout once per tile (sim/int8_dot.hpp), straight
                // from weight memory unless the tile runs past the stored image.
                if (tile.addr + std::uint64_t{tile.rows} * tile.cols <= weights_.size()) {
                    product_.load(reinterpret_cast<const std::int8_t*>(weights_.data() + tile.addr), tile.rows,
                                  tile.cols, tile.cols);
                } else {
                    const auto t = load_tile(tile);
                    product_.load(t.data(), tile.rows, tile.cols, cols_);
                }
            }
            has_active_ = true;
            shadow_.tile = kNone;
            switches_ += 1;
            schedule_shift();
        }
        const std::uint64_t b = d.vectors;
        const Cycle input_end = s + b * cycles_per_vector_;
        const Cycle end = s + (b - 1) * cycles_per_vector_ + rows_ + cols_;
        last_entry_ = s + (b - 1) * cycles_per_vector_;
        ctx_.scoreboard.set_done(it.seq, false, input_end);
        ctx_.scoreboard.set_done(it.seq, true, end);
        progress_.start(ctx_.log[it.seq], s, end);
        account_active(b, active_rows_, active_cols_);
        if (ctx_.data) compute(in, b);
        wait_until(input_end);
        input_free = input_end;
    }
}

void FastMatrixUnit::compute(const isa::Instruction& in, std::uint64_t vectors) {
    // In blocks of vectors: the block's input rows in the UB and result rows in the
    // accumulators, multiplied by the tile in one call.
    constexpr std::uint64_t kBlock = 64;
    x_.resize(kBlock);
    out_.resize(kBlock);
    for (std::uint64_t j0 = 0; j0 < vectors; j0 += kBlock) {
        const std::uint64_t count = std::min(kBlock, vectors - j0);
        for (std::uint64_t b = 0; b < count; ++b) {
            const std::uint64_t j = j0 + b, o = j / in.rows, i = j % in.rows;
            x_[b] = ub->row(in.ub_addr + o * in.pitch + i * in.step);
            out_[b] = acc->row(in.acc_addr + j);
        }
        product_.multiply(x_.data(), count, out_.data(), in.accumulate != 0);
        // Columns beyond the tile multiply zero weights: 0, or unchanged when accumulating.
        if (!in.accumulate && active_cols_ < cols_)
            for (std::uint64_t b = 0; b < count; ++b) std::fill(out_[b] + active_cols_, out_[b] + cols_, 0);
    }
}

std::string FastMatrixUnit::state() const {
    switch (waiting_) {
        case Waiting::Instruction: return "idle, waiting for an instruction";
        case Waiting::Operands: return fmt::format("instruction {} waits for a hazard to clear", current_);
        case Waiting::Weights:
            return fmt::format("instruction {} waits for weight tile {}, which was never read into the FIFO",
                               current_, ctx_.decoded[current_].tile);
        case Waiting::Ports: return fmt::format("instruction {} waits for a UB read port", current_);
        case Waiting::Inputs: return fmt::format("instruction {} streaming", current_);
    }
    return "?";
}

}  // namespace tpusim::sim
