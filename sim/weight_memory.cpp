#include "sim/weight_memory.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tpusim::sim {

WeightMemory::WeightMemory(sc_core::sc_module_name name, const UnitContext& ctx, UnitProgress& progress)
    : sc_core::sc_module(name),
      ctx_(ctx),
      progress_(progress),
      channels_(ctx.chip) {
    SC_THREAD(thread);
}

void WeightMemory::thread() {
    Cycle free = 0;  // one tile request per cycle
    for (;;) {
        const Issued it = stage->get();
        ctx_.wait_for_operands(it, Unit::WeightFetch, free);
        const auto& in = ctx_.program.code[it.seq];
        const auto& d = ctx_.decoded[it.seq];
        auto& rec = ctx_.log[it.seq];
        Cycle first = kUnknownCycle, last_arrival = 0;
        for (std::uint64_t k = 0; k < in.count; ++k) {
            const std::size_t index = d.tile + k;
            const Cycle wanted = now();
            current_ = it.seq;
            waiting_for_ = index;
            const Cycle q = fifo->wait_for_slot(index);
            waiting_for_ = kNoTile;
            if (q > wanted) {
                fifo_full_ += q - wanted;
                if (k == 0) rec.stall = StallReason::FifoFull;
            }
            WeightTile tile;
            tile.addr = in.weight_addr + k * d.bytes;
            const auto xfer = channels_.book(q, tile.addr, d.bytes);
            tile.rows = static_cast<std::uint32_t>(in.tile_rows);
            tile.cols = static_cast<std::uint32_t>(in.tile_cols);
            tile.requested = q;
            tile.arrival = xfer.end;
            fifo->push(index, tile);
            if (first == kUnknownCycle) first = q;
            last_arrival = xfer.end;
            bytes_ += d.bytes;
            tiles_ += 1;
            busy_ += xfer.channel_cycles;
            sc_core::wait(cycles(1));
        }
        progress_.start(rec, first, last_arrival);
        free = now();
    }
}

std::string WeightMemory::state() const {
    if (waiting_for_ == kNoTile) return "idle";
    const std::string what = fmt::format("{} waits for a FIFO slot for tile {}", describe_instruction(ctx_.program, current_),
                                         waiting_for_);
    // A tile leaves the FIFO when it has shifted into the shadow buffer, which is free only
    // once the tile before it has been switched into use (tile 0 needs no switch).
    if (waiting_for_ <= fifo->depth()) return what;
    const std::size_t holder = waiting_for_ - fifo->depth();
    return fmt::format("{}, held by tile {} until it can shift into the array, which needs a matrix_multiply with "
                       "switch=1 to take tile {} first",
                       what, holder, holder - 1);
}

}  // namespace tpusim::sim
