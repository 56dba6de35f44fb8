// The channels of the weight memory (docs/timing-model.md, "Transfers"): addresses are
// interleaved over `channels` independent links in stripes of `interleave` bytes, each
// link with bandwidth / channels and the full latency, serving its requests in order. A
// request's bytes on one channel are one transfer on that channel's link; the request is
// complete when its last channel is. Per-channel byte counts are computed in closed form
// (config::WeightMemoryParams::channel_bytes), so a request costs O(channels), not one step
// per stripe. Plain C++: the weight memory module turns the result into waits.
#pragma once

#include "config/chip_config.hpp"
#include "sim/cycle.hpp"
#include "sim/transfer_link.hpp"

#include <cstdint>
#include <vector>

namespace tpusim::sim {

class WeightChannels {
public:
    explicit WeightChannels(const config::ChipConfig& chip);

    struct Transfer {
        Cycle start;           // first cycle any channel moves the request's data
        Cycle end;             // cycle in which its last byte is complete (its last channel's end)
        Cycle channel_cycles;  // cycles of data movement, summed over its channels
    };
    /// Books a read of [addr, addr + bytes) requested in cycle `request` (bytes > 0).
    Transfer book(Cycle request, std::uint64_t addr, std::uint64_t bytes);

private:
    const config::WeightMemoryParams& params_;
    std::vector<TransferLink> links_;
};

}  // namespace tpusim::sim
