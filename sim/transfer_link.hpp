// A link with a fixed access latency and a bandwidth, shared in request order: the model of
// both the weight memory and each direction of the host interface (docs/timing-model.md,
// "Transfers"). A request issued in cycle q for n bytes starts moving data at
// max(q + latency, end of the previous transfer) and is complete ceil(n * clock /
// bandwidth) cycles later. A link may be one of `share` equal channels of a memory, with
// 1/share of its bandwidth (sim/weight_channels.hpp). Plain C++: the owning module turns the
// result into waits.
#pragma once

#include "config/chip_config.hpp"
#include "sim/cycle.hpp"

#include <cstdint>

namespace tpusim::sim {

class TransferLink {
public:
    /// A link of the chip with this bandwidth and latency (both rounded up to cycles by
    /// the chip's clock, config::ChipConfig::latency_cycles and transfer_cycles), or 1/share
    /// of this bandwidth.
    TransferLink(const config::ChipConfig& chip, std::uint64_t bandwidth_bytes_per_s, std::uint64_t latency_ps,
                 std::uint32_t share = 1);

    struct Transfer {
        Cycle start;  // first cycle data moves
        Cycle end;    // cycle in which the data is complete at the destination
    };
    /// Books a transfer of `bytes` requested in cycle `request`.
    Transfer book(Cycle request, std::uint64_t bytes);

    Cycle latency_cycles() const { return latency_; }
    /// The first cycle the link has no data to move (the end of the last transfer booked).
    Cycle free_at() const { return free_at_; }
    /// ceil(bytes * share * clock / bandwidth)
    Cycle transfer_cycles(std::uint64_t bytes) const { return chip_.transfer_cycles(bytes, bandwidth_, share_); }
    std::uint64_t bytes_moved() const { return bytes_; }
    Cycle busy_cycles() const { return busy_; }

private:
    const config::ChipConfig& chip_;
    std::uint64_t bandwidth_;
    std::uint32_t share_;
    Cycle latency_;
    Cycle free_at_ = 0;
    std::uint64_t bytes_ = 0;
    Cycle busy_ = 0;
};

}  // namespace tpusim::sim
