// The unified buffer's read and write ports (docs/timing-model.md, "Unified buffer ports").
// Every UB access holds some ports for an interval of cycles. PortBook is the reservation
// book: plain C++, it places a request at the earliest start at which every interval it
// needs fits among the reservations already made. UbPorts, part of the UnifiedBuffer
// channel (sim/unified_buffer.hpp), puts the book in front of the units: requests made in
// the same cycle are placed in program order, whatever order the SystemC kernel happens to
// run the units in, so that the timing is a function of the program alone and both array
// models book exactly alike.
#pragma once

#include "sim/cycle.hpp"
#include "sim/stats.hpp"

#include <systemc>

#include <cstdint>
#include <vector>

namespace tpusim::sim {

/// Ports held by one access of an instruction that starts in cycle s: `count` read or
/// write ports during [begin, begin + length) with begin = max(s + offset, not_before).
/// (A host transfer's data moves from max(s + link latency, end of the previous transfer).)
struct PortHold {
    bool write = false;
    std::uint32_t count = 1;
    Cycle offset = 0;
    Cycle length = 0;
    Cycle not_before = 0;
};

class PortBook {
public:
    PortBook(std::uint32_t read_ports, std::uint32_t write_ports);

    /// The earliest s >= from at which every hold fits beside the reservations.
    Cycle earliest(Cycle from, const std::vector<PortHold>& holds) const;
    /// Reserves the holds for an instruction starting in cycle s.
    void reserve(Cycle s, const std::vector<PortHold>& holds);
    /// Drops the reservations over by cycle t: nothing placed from t on can meet them.
    void forget_before(Cycle t);
    std::uint32_t ports(bool write) const { return ports_[write]; }

private:
    struct Reservation {
        Cycle begin, end;
        std::uint32_t count;
    };
    /// The earliest cycle >= begin from which the hold's ports are free for its length.
    Cycle first_fit_from(const PortHold& h, Cycle begin) const;
    std::uint32_t ports_[2];
    std::vector<Reservation> reserved_[2];
};

class UbPorts : public sc_core::sc_module {
public:
    /// `row_bytes`: the UB's row width W; every access moves whole rows.
    UbPorts(sc_core::sc_module_name name, std::uint32_t read_ports, std::uint32_t write_ports, std::uint64_t row_bytes);

    /// Called by a unit in the cycle all its other start conditions hold: returns the cycle
    /// it may start (>= now), its ports reserved. Blocks the caller only until the requests
    /// of this cycle are placed (delta cycles, no simulated time).
    Cycle acquire(std::uint32_t seq, const std::vector<PortHold>& holds, std::uint64_t rows_read,
                  std::uint64_t rows_written);

    StatGroup stats{"unified_buffer", "the activation SRAM's read and write ports"};

private:
    SC_HAS_PROCESS(UbPorts);
    struct Request {
        std::uint32_t seq;
        const std::vector<PortHold>* holds;
        Cycle start = 0;
        bool placed = false;
    };
    void place_thread();

    PortBook book_;
    std::uint64_t row_bytes_;
    std::vector<Request*> pending_;
    sc_core::sc_event requested_, placed_;
    Counter wait_{stats, "port_wait_cycles", "cycles instructions waited for a free read or write port", "cycles"};
    Counter reads_{stats, "reads", "rows read through the read ports", "rows"};
    Counter writes_{stats, "writes", "rows written through the write ports", "rows"};
    Counter bytes_read_{stats, "bytes_read", "bytes read through the read ports (whole rows)", "bytes"};
    Counter bytes_written_{stats, "bytes_written", "bytes written through the write ports (whole rows)", "bytes"};
};

}  // namespace tpusim::sim
