#include "sim_harness.hpp"

#include "isa/assembler.hpp"
#include "sim/decode.hpp"

#include <fmt/format.h>

#include <algorithm>

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

std::string statistics_problem(const sim::RunResult& run, const config::ChipConfig& chip,
                               const isa::Program& program, std::uint64_t host_bytes) {
    const auto decoded = sim::decode_program(program, chip, host_bytes);
    const auto& mu = sim::find_group(run.stats, "matrix_unit");
    const std::uint64_t active = mu.get("array_active"), stall = mu.get("weight_stall"),
                        shift = mu.get("weight_shift"), non_matrix = mu.get("non_matrix"),
                        hazard = mu.get("raw_stall"), input = mu.get("input_stall");
    std::uint64_t inputs = 0, waits = 0;
    sim::Cycle input_free = 0;
    std::vector<std::pair<sim::Cycle, sim::Cycle>> claimed;  // [ready, end of input phase) per multiply
    for (std::size_t i = 0; i < run.instructions.size(); ++i) {
        const auto& rec = run.instructions[i];
        if (rec.unit != sim::Unit::Matrix) continue;
        const sim::Cycle ready = std::max(rec.issue + 1, input_free);
        if (rec.start < ready)
            return fmt::format("instruction {} started in {} before it was ready in {}", i, rec.start, ready);
        waits += rec.start - ready;
        input_free = rec.start + decoded[i].vectors * chip.matrix.cycles_per_vector();
        inputs += input_free - rec.start;
        claimed.emplace_back(ready, input_free);
    }
    // A range Sync's wait counts as a RAW or input stall in the cycles no multiply claims
    // (docs/timing-model.md, "Matrix unit"): counted here cycle by cycle, independently.
    for (std::size_t i = 0; i < run.instructions.size(); ++i) {
        const auto& in = program.code[i];
        if (in.op != isa::Opcode::Sync || in.sync_mode == static_cast<std::uint64_t>(isa::SyncMode::Units)) continue;
        for (sim::Cycle t = run.instructions[i].start; t < run.instructions[i].end; ++t)
            if (std::none_of(claimed.begin(), claimed.end(), [t](const auto& c) { return c.first <= t && t < c.second; }))
                ++waits;
    }
    if (active != inputs) return fmt::format("array_active {} but the multiplies' input phases take {}", active, inputs);
    if (active + stall + shift > run.cycles)
        return fmt::format("array_active {} + weight_stall {} + weight_shift {} exceed the {} cycles of the run", active,
                           stall, shift, run.cycles);
    if (active + stall + shift + non_matrix != run.cycles)
        return fmt::format("the four categories add up to {}, not {}", active + stall + shift + non_matrix, run.cycles);
    if (hazard + input > non_matrix)
        return fmt::format("raw_stall {} + input_stall {} exceed non_matrix {}", hazard, input, non_matrix);
    if (stall + shift + hazard + input > waits)
        return fmt::format("weight_stall {} + weight_shift {} + raw_stall {} + input_stall {} exceed the {} cycles the "
                           "multiplies and range Syncs waited",
                           stall, shift, hazard, input, waits);
    const auto& ub = sim::find_group(run.stats, "unified_buffer");
    const auto& au = sim::find_group(run.stats, "activation_unit");
    const auto& host = sim::find_group(run.stats, "host_interface");
    const std::uint64_t read = mu.get("ub_bytes_read") + au.get("ub_bytes_read") + host.get("bytes_to_host");
    const std::uint64_t written = au.get("ub_bytes_written") + host.get("bytes_to_ub");
    if (ub.get("bytes_read") != read)
        return fmt::format("unified_buffer.bytes_read {} but the units read {}", ub.get("bytes_read"), read);
    if (ub.get("bytes_written") != written)
        return fmt::format("unified_buffer.bytes_written {} but the units wrote {}", ub.get("bytes_written"), written);
    return "";
}

}  // namespace tpusim::test
