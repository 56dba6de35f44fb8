// The weight FIFO between weight memory and the matrix unit, `depth` tiles deep. A tile
// holds a slot from the cycle its read is requested until it has shifted completely into
// the matrix unit's shadow weight buffer (docs/timing-model.md, "Weight FIFO"). A channel:
// the weight-fetch unit pushes, the matrix unit reads arrivals and reports departures.
#pragma once

#include "sim/cycle.hpp"

#include <systemc>

#include <cstdint>
#include <vector>

namespace tpusim::sim {

struct WeightTile {
    std::uint64_t addr = 0;   // byte address in weight memory
    std::uint32_t rows = 0;   // stored rows (<= array rows)
    std::uint32_t cols = 0;   // stored columns (<= array cols)
    Cycle requested = kUnknownCycle;
    Cycle arrival = kUnknownCycle;  // cycle from which the whole tile is in the FIFO
    Cycle leave = kUnknownCycle;    // cycle from which its slot is free again
};

class WeightFifo : public sc_core::sc_prim_channel {
public:
    WeightFifo(const char* name, std::uint32_t depth, std::size_t tiles_in_program);

    std::uint32_t depth() const { return depth_; }
    /// The weight-fetch side: blocks until tile `index` has a slot, i.e. until the tile
    /// `depth` places ahead of it has left; returns the cycle the slot is free.
    Cycle wait_for_slot(std::size_t index);
    void push(std::size_t index, const WeightTile& tile);

    /// The matrix-unit side.
    bool requested(std::size_t index) const { return index < tiles_.size() && tiles_[index].requested != kUnknownCycle; }
    const WeightTile& tile(std::size_t index) const { return tiles_[index]; }
    void set_leave(std::size_t index, Cycle leave);
    const sc_core::sc_event& pushed_event() const { return pushed_; }

    /// Tiles in the FIFO at cycle `t` (requested, not yet left).
    std::uint32_t occupancy(Cycle t) const;
    std::size_t pushed_count() const { return pushed_count_; }

private:
    std::uint32_t depth_;
    std::vector<WeightTile> tiles_;
    std::size_t pushed_count_ = 0;
    sc_core::sc_event pushed_, leave_known_;
};

}  // namespace tpusim::sim
