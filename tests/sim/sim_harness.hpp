// Running assembly text on a chip config in one call, for simulator tests.
#pragma once

#include "config/chip_config.hpp"
#include "isa/program.hpp"
#include "sim/simulation.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::test {

/// configs/NAME.yaml from the source tree.
config::ChipConfig shipped_chip(const std::string& name);

/// The chip's `.chip` directive line, for assembly text.
std::string chip_directive(const config::ChipConfig& chip);

/// Assembles `body` (instructions only; the .chip line is added) for `chip`.
isa::Program assemble_for(const config::ChipConfig& chip, const std::string& body);

/// Assembles and runs; host memory of `host_bytes` zero bytes unless `host` is given.
sim::RunResult run_asm(const config::ChipConfig& chip, const std::string& body, std::vector<std::uint8_t> host,
                       const std::vector<std::uint8_t>& weights = {}, const sim::RunOptions& options = {});

}  // namespace tpusim::test
