// The latch between the controller and a unit: each instruction class holds its own stage
// (TPUv1's CISC pipeline). It holds one issued instruction waiting for its unit, so that a
// unit can start its next instruction in the cycle its current one frees it. A SystemC
// channel: the controller blocks in put() while the latch is full, the unit in get()
// while it is empty.
#pragma once

#include "sim/cycle.hpp"

#include <systemc>

#include <cstdint>

namespace tpusim::sim {

struct Issued {
    std::uint32_t seq = 0;   // instruction index in the program
    Cycle issued = 0;        // cycle in which the controller issued it
};

class StageIf : public virtual sc_core::sc_interface {
public:
    virtual void put(const Issued& item) = 0;
    virtual Issued get() = 0;
    virtual bool empty() const = 0;
    /// Blocks until the latch is empty (returns at once if it is).
    virtual void wait_free() = 0;
};

class InstructionStage : public sc_core::sc_prim_channel, public StageIf {
public:
    explicit InstructionStage(const char* name) : sc_core::sc_prim_channel(name) {}

    void put(const Issued& item) override {
        while (full_) sc_core::wait(freed_);
        item_ = item;
        full_ = true;
        filled_.notify(sc_core::SC_ZERO_TIME);
    }

    Issued get() override {
        while (!full_) sc_core::wait(filled_);
        full_ = false;
        freed_.notify(sc_core::SC_ZERO_TIME);
        return item_;
    }

    bool empty() const override { return !full_; }

    void wait_free() override {
        while (full_) sc_core::wait(freed_);
    }

private:
    Issued item_;
    bool full_ = false;
    sc_core::sc_event filled_, freed_;
};

}  // namespace tpusim::sim
