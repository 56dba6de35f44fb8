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

/// The first way in which the statistics of a run of `program` contradict its instruction
/// log or one another, or "". The matrix unit's waiting categories are checked against the
/// waits the log shows, instruction by instruction: a multiply that was ready in cycle r
/// (max(issue + 1, the end of the previous multiply's input phase)) and started in s waited
/// s - r cycles, and weight stall, weight shift, RAW stall and input stall together can be
/// no more than the sum of those waits (the rest is UB-port waiting). With non_matrix set
/// to what is left of the run, only such a check can catch a category counted twice. The
/// unified buffer's bytes must be what the other units read from and wrote to it.
std::string statistics_problem(const sim::RunResult& run, const config::ChipConfig& chip,
                               const isa::Program& program, std::uint64_t host_bytes);

}  // namespace tpusim::test
