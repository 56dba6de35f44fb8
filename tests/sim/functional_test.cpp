// The simulator computes what docs/arithmetic.md says: on random programs, its final
// unified buffer, accumulators and host memory equal those of the reference interpreter
// (tests/support/reference_machine.hpp), which shares no code with sim/ and knows nothing
// of timing. The programs overlap their units and depend on one another through the
// hazard rule, so a unit that read or wrote a row at the wrong time would show here.
#include "sim_harness.hpp"

#include "isa/disassembler.hpp"
#include "isa/forms.hpp"
#include "sim/decode.hpp"
#include "tests/support/random_program.hpp"
#include "tests/support/reference_machine.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <map>
#include <string>

using namespace tpusim;

namespace {

/// The first element in which two memories differ, as "memory[row][column]: values".
template <typename T>
std::string first_difference(const char* memory, const std::vector<T>& sim, const std::vector<T>& ref,
                             std::uint64_t row_length) {
    if (sim.size() != ref.size()) return fmt::format("{}: simulator has {} elements, reference {}", memory, sim.size(), ref.size());
    for (std::size_t i = 0; i < sim.size(); ++i)
        if (sim[i] != ref[i])
            return fmt::format("{}[{}][{}]: simulator {} reference {}", memory, i / row_length, i % row_length,
                               static_cast<std::int64_t>(sim[i]), static_cast<std::int64_t>(ref[i]));
    return "";
}

std::string compare(const sim::RunResult& run, const reference::MachineState& ref, const config::ChipConfig& chip) {
    std::string d = first_difference("acc", run.acc, ref.acc, chip.matrix.cols);
    if (d.empty()) d = first_difference("ub", run.ub, ref.ub, chip.ub_row_bytes());
    if (d.empty()) d = first_difference("host", run.host, ref.host, chip.ub_row_bytes());
    return d;
}

struct Shape {
    std::uint32_t rows, cols;
    std::uint64_t first_seed, programs;
};

}  // namespace

TEST_CASE("on random programs the simulator computes what the reference interpreter computes", "[sim][functional]") {
    constexpr Shape kShapes[] = {{8, 8, 50000, 300}, {16, 8, 60000, 300}, {64, 64, 70000, 60}};
    std::uint64_t programs = 0, wrote_host = 0, used_acc = 0;
    for (const Shape& shape : kShapes)
        for (std::uint64_t seed = shape.first_seed; seed < shape.first_seed + shape.programs; ++seed) {
            test::RandomProgramOptions options;
            options.length = 60;
            options.max_rows = seed % 3 == 0 ? 40 : 16;
            const auto c = test::random_case(seed, shape.rows, shape.cols, options);
            INFO(fmt::format("seed {} on {}x{}", seed, shape.rows, shape.cols));
            const auto ref = reference::run_reference(reference::shape_of(c.program.chip), c.program, c.weights, c.host);
            // Both array models for the arrays the cell model takes.
            std::vector<sim::ArrayModel> models = {sim::ArrayModel::Fast};
            if (shape.rows <= 32 && shape.cols <= 32) models.push_back(sim::ArrayModel::Cells);
            for (const auto model : models) {
                sim::RunOptions run_options;
                run_options.array_model = model;
                const auto run = sim::simulate(c.chip, c.program, c.host, c.weights, run_options);
                std::string d = compare(run, ref, c.chip);
                if (d.empty()) d = test::statistics_problem(run, c.chip, c.program, c.host.size());
                if (!d.empty())
                    d = fmt::format("{} model: {}\n{}", model == sim::ArrayModel::Fast ? "fast" : "cells", d,
                                    isa::disassemble(c.program));
                REQUIRE(d == "");
            }
            ++programs;
            wrote_host += ref.host != c.host;
            used_acc += std::any_of(ref.acc.begin(), ref.acc.end(), [](std::int32_t v) { return v != 0; });
        }
    // The comparison means something only if the programs leave results behind.
    CHECK(wrote_host > programs * 3 / 4);
    CHECK(used_acc > programs * 3 / 4);
}

TEST_CASE("random programs are valid and use every instruction form and mode", "[sim][functional]") {
    // What the generator promises (tests/support/random_program.hpp): programs that pass
    // decode and encode, and that together cover the instruction set.
    std::map<std::string, int> seen;
    for (std::uint64_t seed = 80000; seed < 80100; ++seed) {
        INFO("seed " << seed);
        const auto c = test::random_case(seed, 8, 8);
        REQUIRE(isa::program_problem(c.program) == "");
        REQUIRE(isa::deserialize(isa::serialize(c.program), "random") == c.program);
        REQUIRE_NOTHROW(sim::decode_program(c.program, c.chip, c.host.size()));
        for (const auto& in : c.program.code) {
            const std::string form = isa::form_of(in)->mnemonic;
            ++seen[form];
            switch (in.op) {
                case isa::Opcode::MatrixMultiply:
                    ++seen[fmt::format("{} accumulate={} switch={}", form, in.accumulate, in.switch_weights)];
                    break;
                case isa::Opcode::Activate: ++seen[fmt::format("activate function={} pool={}", in.function, in.pool)]; break;
                case isa::Opcode::Vector: ++seen[fmt::format("vector op={}", in.vector_op)]; break;
                case isa::Opcode::Sync: ++seen[fmt::format("sync mode={}", in.sync_mode)]; break;
                case isa::Opcode::SetConfig: ++seen[fmt::format("set_config reg={}", in.reg)]; break;
                case isa::Opcode::ReadWeights:
                    if (in.count > 1) ++seen["read_weights count>1"];
                    if (in.tile_rows < 8 || in.tile_cols < 8) ++seen["read_weights partial tile"];
                    break;
                default: break;
            }
        }
    }
    std::vector<std::string> want = {"read_host_memory", "write_host_memory", "nop", "halt", "read_weights count>1",
                                     "read_weights partial tile"};
    for (const char* form : {"matrix_multiply", "convolve"})
        for (int a = 0; a < 2; ++a)
            for (int s = 0; s < 2; ++s) want.push_back(fmt::format("{} accumulate={} switch={}", form, a, s));
    for (int f = 0; f < 4; ++f)
        for (int p = 0; p < 3; ++p) want.push_back(fmt::format("activate function={} pool={}", f, p));
    for (int op = 0; op < 2; ++op) want.push_back(fmt::format("vector op={}", op));
    for (int m = 0; m < 3; ++m) want.push_back(fmt::format("sync mode={}", m));
    for (int r = 0; r < isa::kConfigRegCount; ++r) want.push_back(fmt::format("set_config reg={}", r));
    for (const auto& w : want) {
        INFO(w);
        CHECK(seen[w] > 0);
    }
}
