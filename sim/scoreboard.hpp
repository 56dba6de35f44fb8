// The controller's hazard scoreboard. At issue, an instruction declares the ranges of UB,
// accumulators and host memory it reads and writes; when its unit starts it, the unit
// tells the scoreboard when those reads and writes will be finished. An instruction may
// start only when every earlier-issued instruction of ANOTHER unit that touches an
// overlapping range with a write on either side is finished with it (RAW, WAR and WAW).
// Instructions of the same unit need no check: each unit's pipeline keeps program order.
#pragma once

#include "sim/cycle.hpp"
#include "sim/unit_id.hpp"

#include <systemc>

#include <cstdint>
#include <vector>

namespace tpusim::sim {

/// Cycles [from, to) in which a range Sync held the controller; `on_host`: the rows it
/// waited for were last written by a host-to-UB transfer (the clearance's cause).
struct SyncWait {
    Cycle from = 0, to = 0;
    bool on_host = false;
};

class Scoreboard {
public:
    /// When an instruction may start, as far as hazards are concerned.
    struct Clearance {
        bool known = true;          // false: an earlier conflicting instruction has not started yet
        Cycle at = 0;               // when every conflict is over (valid if known)
        bool waits_on_host = false; // the last conflict to end is a host-to-UB transfer
    };

    void declare(std::uint32_t seq, Unit unit, const std::vector<Access>& accesses);
    /// Sets when instruction `seq`'s reads (write=false) or writes (write=true) are done.
    void set_done(std::uint32_t seq, bool write, Cycle done);
    Clearance clearance(std::uint32_t seq, Unit unit, const std::vector<Access>& accesses) const;
    /// Notified whenever a done time becomes known.
    const sc_core::sc_event& updated() const { return updated_; }

    /// Blocks the calling thread until `seq` may start; returns its clearance.
    Clearance wait_clear(std::uint32_t seq, Unit unit, const std::vector<Access>& accesses);

private:
    struct Entry {
        std::uint32_t seq;
        Unit unit;
        Access access;
        Cycle done;
    };
    void collect_garbage();
    std::vector<Entry> entries_;
    sc_core::sc_event updated_;
};

}  // namespace tpusim::sim
