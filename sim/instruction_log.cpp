#include "sim/instruction_log.hpp"

namespace tpusim::sim {

const char* stall_name(StallReason r) {
    switch (r) {
        case StallReason::None: return "none";
        case StallReason::UnitBusy: return "unit_busy";
        case StallReason::Hazard: return "hazard";
        case StallReason::InputData: return "input_data";
        case StallReason::WeightFetch: return "weight_fetch";
        case StallReason::WeightShift: return "weight_shift";
        case StallReason::FifoFull: return "fifo_full";
        case StallReason::Sync: return "sync";
        case StallReason::UbPort: return "ub_port";
    }
    return "?";
}

}  // namespace tpusim::sim
