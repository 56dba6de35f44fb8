#include "sim/transfer_link.hpp"

#include <algorithm>

namespace tpusim::sim {

TransferLink::TransferLink(const config::ChipConfig& chip, std::uint64_t bandwidth_bytes_per_s, std::uint64_t latency_ps,
                           std::uint32_t share)
    : chip_(chip), bandwidth_(bandwidth_bytes_per_s), share_(share), latency_(chip.latency_cycles(latency_ps)) {}

TransferLink::Transfer TransferLink::book(Cycle request, std::uint64_t bytes) {
    const Cycle start = std::max(request + latency_, free_at_);
    const Cycle n = transfer_cycles(bytes);
    free_at_ = start + n;
    bytes_ += bytes;
    busy_ += n;
    return Transfer{start, start + n};
}

}  // namespace tpusim::sim
