#include "sim/weight_channels.hpp"

#include <algorithm>

namespace tpusim::sim {

WeightChannels::WeightChannels(const config::ChipConfig& chip) : params_(chip.weight_memory) {
    const auto& m = chip.weight_memory;
    links_.reserve(m.channels);
    for (std::uint32_t c = 0; c < m.channels; ++c)
        links_.emplace_back(chip, m.bandwidth_bytes_per_s, m.latency_ps, m.channels);
}

WeightChannels::Transfer WeightChannels::book(Cycle request, std::uint64_t addr, std::uint64_t bytes) {
    Transfer t{kUnknownCycle, 0, 0};
    for (std::uint32_t c = 0; c < links_.size(); ++c) {
        const std::uint64_t n = params_.channel_bytes(addr, bytes, c);
        if (n == 0) continue;  // a channel the request does not touch stays free for others
        const auto x = links_[c].book(request, n);
        t.start = std::min(t.start, x.start);
        t.end = std::max(t.end, x.end);
        t.channel_cycles += x.end - x.start;
    }
    return t;
}

}  // namespace tpusim::sim
