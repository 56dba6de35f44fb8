#include "sim/weight_fifo.hpp"

namespace tpusim::sim {

WeightFifo::WeightFifo(const char* name, std::uint32_t depth, std::size_t tiles_in_program)
    : sc_core::sc_prim_channel(name), depth_(depth), tiles_(tiles_in_program) {}

Cycle WeightFifo::wait_for_slot(std::size_t index) {
    if (index < depth_) return now();
    const auto& ahead = tiles_[index - depth_];
    while (ahead.leave == kUnknownCycle) sc_core::wait(leave_known_);
    wait_until(ahead.leave);
    return now();
}

void WeightFifo::push(std::size_t index, const WeightTile& tile) {
    tiles_[index] = tile;
    ++pushed_count_;
    pushed_.notify(sc_core::SC_ZERO_TIME);
}

void WeightFifo::set_leave(std::size_t index, Cycle leave) {
    tiles_[index].leave = leave;
    leave_known_.notify(sc_core::SC_ZERO_TIME);
}

std::uint32_t WeightFifo::occupancy(Cycle t) const {
    std::uint32_t n = 0;
    for (std::size_t i = 0; i < pushed_count_; ++i)
        if (tiles_[i].requested <= t && (tiles_[i].leave == kUnknownCycle || tiles_[i].leave > t)) ++n;
    return n;
}

}  // namespace tpusim::sim
