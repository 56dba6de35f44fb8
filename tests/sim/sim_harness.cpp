#include "sim_harness.hpp"

#include "isa/assembler.hpp"

#include <fmt/format.h>

namespace tpusim::test {

config::ChipConfig shipped_chip(const std::string& name) {
    return config::load_chip_config(std::string(TPUSIM_SOURCE_DIR) + "/configs/" + name + ".yaml");
}

std::string chip_directive(const config::ChipConfig& chip) {
    const auto s = chip.signature();
    return fmt::format(".chip rows={} cols={} ub_bytes={} acc_entries={} weight_bytes={}\n", s.rows, s.cols,
                       s.ub_bytes, s.acc_entries, s.weight_bytes);
}

isa::Program assemble_for(const config::ChipConfig& chip, const std::string& body) {
    return isa::assemble(chip_directive(chip) + body, "test.s");
}

sim::RunResult run_asm(const config::ChipConfig& chip, const std::string& body, std::vector<std::uint8_t> host,
                       const std::vector<std::uint8_t>& weights, const sim::RunOptions& options) {
    return sim::simulate(chip, assemble_for(chip, body), std::move(host), weights, options);
}

}  // namespace tpusim::test
