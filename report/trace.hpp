// A Chrome trace-event JSON file of a run (opens in Perfetto and chrome://tracing): one
// track per unit, one slice per instruction from its start to its end, named by mnemonic
// and layer, with its issue cycle and stall reason as arguments. Time is simulated time
// in microseconds at the chip's clock.
#pragma once

#include "config/chip_config.hpp"
#include "isa/program.hpp"
#include "sim/simulation.hpp"

#include <string>

namespace tpusim::report {

std::string chrome_trace(const config::ChipConfig& chip, const isa::Program& program, const sim::RunResult& run);

}  // namespace tpusim::report
