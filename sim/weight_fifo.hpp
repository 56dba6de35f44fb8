// The weight FIFO between weight memory and the matrix unit, `depth` tiles deep. A tile
// holds a slot from the cycle its read is requested until it has shifted completely into
// the matrix unit's shadow weight buffer (docs/timing-model.md, "Weight FIFO"). A channel
// with two sides, each an interface bound to a port in sim/chip.cpp: weight memory (the
// weight-fetch unit) is the producer and pushes tiles; the matrix unit is the consumer,
// reads their arrivals and reports when each has left.
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

/// The weight-fetch side. Tiles are numbered in program order from 0.
class WeightFifoProducerIf : public virtual sc_core::sc_interface {
public:
    virtual std::uint32_t depth() const = 0;
    /// Blocks until tile `index` has a slot, i.e. until the tile `depth` places ahead of
    /// it has left; returns the cycle the slot is free.
    virtual Cycle wait_for_slot(std::size_t index) = 0;
    virtual void push(std::size_t index, const WeightTile& tile) = 0;
};

/// The matrix-unit side.
class WeightFifoConsumerIf : public virtual sc_core::sc_interface {
public:
    /// Whether tile `index` has been requested from weight memory (it has a slot and a
    /// known arrival cycle).
    virtual bool requested(std::size_t index) const = 0;
    virtual const WeightTile& tile(std::size_t index) const = 0;
    /// The tile has shifted into the array and frees its slot from cycle `leave`.
    virtual void set_leave(std::size_t index, Cycle leave) = 0;
    /// Notified (one delta later) whenever a tile is pushed.
    virtual const sc_core::sc_event& pushed_event() const = 0;
};

class WeightFifo : public sc_core::sc_prim_channel, public WeightFifoProducerIf, public WeightFifoConsumerIf {
public:
    WeightFifo(const char* name, std::uint32_t depth, std::size_t tiles_in_program);

    std::uint32_t depth() const override { return depth_; }
    Cycle wait_for_slot(std::size_t index) override;
    void push(std::size_t index, const WeightTile& tile) override;

    bool requested(std::size_t index) const override {
        return index < tiles_.size() && tiles_[index].requested != kUnknownCycle;
    }
    const WeightTile& tile(std::size_t index) const override { return tiles_[index]; }
    void set_leave(std::size_t index, Cycle leave) override;
    const sc_core::sc_event& pushed_event() const override { return pushed_; }

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
