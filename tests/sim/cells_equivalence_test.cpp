// The cell-level array model (sim/systolic_cells.cpp) against the event-driven one
// (FastMatrixUnit): the cell model derives every matrix-unit instant from per-cell
// registers, the fast model from the formulas of docs/timing-model.md. On random programs
// and on hand-derived cases they must agree on every cycle, every counter and every byte.
#include "sim_harness.hpp"

#include "isa/disassembler.hpp"
#include "sim/sim_error.hpp"
#include "tests/support/random_program.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>

using namespace tpusim;

namespace {

sim::RunResult run(const test::RandomCase& c, sim::ArrayModel model, bool data = true) {
    sim::RunOptions options;
    options.array_model = model;
    options.data = data;
    return sim::simulate(c.chip, c.program, c.host, c.weights, options);
}

template <typename T>
std::string differ(const std::string& what, const T& fast, const T& cells) {
    return fast == cells ? std::string() : fmt::format("{}: fast {} cells {}", what, fast, cells);
}

/// The first instant or counter in which the two runs differ, or "".
std::string timing_difference(const sim::RunResult& fast, const sim::RunResult& cells) {
    std::string d = differ("cycles", fast.cycles, cells.cycles);
    if (!d.empty()) return d;
    if (fast.instructions.size() != cells.instructions.size()) return "instruction log sizes";
    for (std::size_t i = 0; i < fast.instructions.size(); ++i) {
        const auto &f = fast.instructions[i], &c = cells.instructions[i];
        const std::string at = fmt::format("instruction {} ", i);
        for (const auto& s : {differ(at + "issue", f.issue, c.issue), differ(at + "start", f.start, c.start),
                              differ(at + "end", f.end, c.end),
                              differ(at + "stall", sim::stall_name(f.stall), sim::stall_name(c.stall))})
            if (!s.empty()) return s;
    }
    if (fast.tiles.size() != cells.tiles.size()) return "tile counts";
    for (std::size_t t = 0; t < fast.tiles.size(); ++t) {
        const auto &f = fast.tiles[t], &c = cells.tiles[t];
        const std::string at = fmt::format("tile {} ", t);
        for (const auto& s : {differ(at + "requested", f.requested, c.requested),
                              differ(at + "arrival", f.arrival, c.arrival), differ(at + "leave", f.leave, c.leave)})
            if (!s.empty()) return s;
    }
    for (const auto& group : fast.stats)
        for (const auto& v : group.values) {
            d = differ(group.component + "." + v.name, v.value, sim::find_group(cells.stats, group.component).get(v.name));
            if (!d.empty()) return d;
        }
    return "";
}

std::string data_difference(const sim::RunResult& fast, const sim::RunResult& cells) {
    if (fast.acc != cells.acc) return "accumulators differ";
    if (fast.ub != cells.ub) return "unified buffer differs";
    if (fast.host != cells.host) return "host memory differs";
    return "";
}

std::string describe(const test::RandomCase& c, std::uint64_t seed) {
    const auto& ch = c.chip;
    return fmt::format("seed {} on {}x{}: fifo depth {}, weight memory {} B/s latency {} ps, host {} B/s latency {} ps, "
                       "activation {} B/cycle latency {}, UB {} read and {} write ports",
                       seed, ch.matrix.rows, ch.matrix.cols, ch.fifo.depth_tiles, ch.weight_memory.bandwidth_bytes_per_s,
                       ch.weight_memory.latency_ps, ch.host.bandwidth_bytes_per_s, ch.host.latency_ps,
                       ch.activation.bytes_per_cycle, ch.activation.latency_cycles, ch.ub.read_ports, ch.ub.write_ports);
}

/// The random case of `seed` with 1 or 2 UB read and write ports, all four pairs in turn,
/// so that multiplies, transfers and Vectors compete for ports (with one read port a
/// multiply and a UB-to-host transfer cannot overlap). Set from the seed, not drawn, so
/// that the program is the one random_case draws.
test::RandomCase ported_case(std::uint64_t seed, std::uint32_t rows, std::uint32_t cols,
                             const test::RandomProgramOptions& options) {
    auto c = test::random_case(seed, rows, cols, options);
    c.chip.ub.read_ports = 1 + static_cast<std::uint32_t>(seed % 2);
    c.chip.ub.write_ports = 1 + static_cast<std::uint32_t>(seed / 2 % 2);
    return c;
}

/// Tiles whose shift waited for the last vector that used the previous tile to leave the
/// array (the e + R + C - 2 term of the shadow_free rule): the shift started later than
/// both the tile's arrival and the switch that freed the buffer. The k-th switching
/// multiply switches to tile k, and tile k + 1 shifts into the buffer it frees.
std::uint64_t drain_bound_shifts(const sim::RunResult& r, const isa::Program& p, std::uint32_t rows) {
    std::vector<sim::Cycle> switch_start;
    for (std::size_t i = 0; i < r.instructions.size(); ++i)
        if (p.code[i].op == isa::Opcode::MatrixMultiply && p.code[i].switch_weights)
            switch_start.push_back(r.instructions[i].start);
    std::uint64_t n = 0;
    for (std::size_t t = 1; t < r.tiles.size() && t - 1 < switch_start.size(); ++t) {
        const auto& tile = r.tiles[t];
        if (tile.leave != sim::kUnknownCycle && tile.leave - rows > std::max(tile.arrival, switch_start[t - 1])) ++n;
    }
    return n;
}

struct Shape {
    std::uint32_t rows, cols;
    std::uint64_t first_seed, programs;
};
// The shapes of the task, plus the edges: a single cell, a single row and column (where
// R + C - 2 is small), and the largest array the cell model takes.
constexpr Shape kShapes[] = {{4, 4, 10000, 300},  {8, 8, 20000, 300}, {16, 8, 30000, 300}, {1, 1, 31000, 40},
                             {1, 6, 32000, 40},   {6, 1, 33000, 40},  {3, 5, 34000, 40},   {32, 32, 35000, 40}};

/// Every third program streams long runs of vectors, so that instructions overlap in the
/// array for many cycles; the others switch tiles more often per cycle.
test::RandomProgramOptions options_for(std::uint64_t seed) {
    test::RandomProgramOptions o;
    o.length = 60;
    o.max_rows = seed % 3 == 0 ? 40 : 16;
    return o;
}

}  // namespace

TEST_CASE("on random programs the cell-level array agrees with the fast model", "[sim][cells]") {
    std::uint64_t programs = 0, matmuls = 0, switches = 0, shift_waits = 0, stalls = 0, raw = 0, fifo_full = 0,
                  drain_bound = 0, port_waits = 0, matmul_port_waits = 0;
    for (const Shape& shape : kShapes)
        for (std::uint64_t seed = shape.first_seed; seed < shape.first_seed + shape.programs; ++seed) {
            const auto c = ported_case(seed, shape.rows, shape.cols, options_for(seed));
            INFO(describe(c, seed));
            const auto fast = run(c, sim::ArrayModel::Fast);
            const auto cells = run(c, sim::ArrayModel::Cells);
            std::string d = timing_difference(fast, cells);
            if (d.empty()) d = data_difference(fast, cells);
            // Timing only (--no-data): the same cycles, instruction log, tiles and counters.
            const auto timing_only = run(c, sim::ArrayModel::Fast, false);
            if (d.empty() && !(d = timing_difference(fast, timing_only)).empty()) d = "without data: " + d;
            if (d.empty() && !(timing_only.acc.empty() && timing_only.ub.empty() && timing_only.host.empty()))
                d = "a timing-only run returned memory contents";
            if (d.empty()) d = test::statistics_problem(fast, c.chip, c.program, c.host.size());
            if (!d.empty()) d += "\n" + isa::disassemble(c.program);
            REQUIRE(d == "");
            const auto& mu = sim::find_group(fast.stats, "matrix_unit");
            ++programs;
            matmuls += mu.get("instructions");
            switches += mu.get("weight_switches");
            shift_waits += mu.get("weight_shift") > 0;
            stalls += mu.get("weight_stall") > 0;
            raw += mu.get("raw_stall") + mu.get("input_stall") > 0;
            fifo_full += sim::find_group(fast.stats, "weight_memory").get("fifo_full_cycles") > 0;
            drain_bound += drain_bound_shifts(fast, c.program, shape.rows) > 0;
            port_waits += sim::find_group(fast.stats, "unified_buffer").get("port_wait_cycles") > 0;
            for (std::size_t i = 0; i < fast.instructions.size(); ++i)
                if (fast.instructions[i].unit == sim::Unit::Matrix && fast.instructions[i].stall == sim::StallReason::UbPort) {
                    ++matmul_port_waits;
                    break;
                }
        }
    // The programs must exercise what is being compared: many multiplies and switches, and
    // many runs that wait for a shift, for weight memory, for hazards and for FIFO slots, and
    // whose shifts wait for the array to drain of the previous tile.
    CHECK(matmuls > 10 * programs);
    CHECK(switches > 3 * programs);
    CHECK(shift_waits > programs / 2);
    CHECK(stalls > programs / 2);
    CHECK(raw > programs / 2);
    CHECK(fifo_full > programs / 2);
    CHECK(drain_bound > programs / 2);
    // ... and runs in which instructions wait for UB ports, multiplies among them.
    // Requests of one cycle are placed in program order (sim/ub_ports.cpp); placed in the
    // order the kernel runs the units, these runs differ between the two models.
    CHECK(port_waits > programs / 2);
    CHECK(matmul_port_waits > programs / 5);
}

TEST_CASE("timing-only cell runs take the same cycles as full runs", "[sim][cells]") {
    for (std::uint64_t seed = 40000; seed < 40030; ++seed) {
        const auto c = ported_case(seed, 8, 8, options_for(seed));
        INFO(describe(c, seed));
        const auto fast = run(c, sim::ArrayModel::Fast);
        const auto cells = run(c, sim::ArrayModel::Cells, false);
        REQUIRE(timing_difference(fast, cells) == "");
        CHECK(cells.acc.empty());
    }
}

namespace {

/// A chip whose weight memory delivers a tile per cycle with no latency and whose FIFO
/// never fills, so that the weight shift alone decides when switching multiplies start.
config::ChipConfig shift_bound_chip(std::uint32_t rows, std::uint32_t cols) {
    return config::parse_chip_config(fmt::format("name: shift-bound\n"
                                                 "clock: 1GHz\n"
                                                 "matrix_unit: {{rows: {0}, cols: {1}}}\n"
                                                 "unified_buffer: {{capacity: {2}B}}\n"
                                                 "accumulators: {{entries: 64}}\n"
                                                 "weight_fifo: {{depth: 4}}\n"
                                                 "weight_memory: {{capacity: 64KiB, bandwidth: 64GB/s, latency: 0ns}}\n"
                                                 "host_interface: {{bandwidth: 8GB/s, latency: 0ns}}\n"
                                                 "activation: {{throughput: 8, latency: 0}}\n",
                                                 rows, cols, 64 * std::max(rows, cols)),
                                     "shift-bound.yaml");
}

// Three back-to-back switching multiplies of 4 vectors each.
const char* const kThreeSwitches =
    "read_weights weight_addr=0 tile_rows={0} tile_cols={1} count=3\n"  // 0
    "matrix_multiply ub_addr=0 acc_addr=0 rows=4 switch=1\n"          // 1
    "matrix_multiply ub_addr=4 acc_addr=4 rows=4 switch=1\n"          // 2
    "matrix_multiply ub_addr=8 acc_addr=8 rows=4 switch=1\n"          // 3
    "halt\n";                                                         // 4

struct Expected {
    sim::Cycle start[3], end[3], leave[3], cycles, weight_shift;
};

void check_three_switches(std::uint32_t rows, std::uint32_t cols, const Expected& want) {
    const auto chip = shift_bound_chip(rows, cols);
    // Timing only: the inputs are the zeroed UB; the random tests compare the data.
    std::mt19937_64 rng(7);
    const test::RandomCase c{chip, test::assemble_for(chip, fmt::format(kThreeSwitches, rows, cols)),
                             std::vector<std::uint8_t>(64), test::random_bytes(rng, 4096)};
    for (const auto model : {sim::ArrayModel::Fast, sim::ArrayModel::Cells}) {
        INFO((model == sim::ArrayModel::Fast ? "fast" : "cells"));
        const auto r = run(c, model);
        for (int i = 0; i < 3; ++i) {
            INFO("multiply " << i + 1);
            CHECK(r.instructions[i + 1].start == want.start[i]);
            CHECK(r.instructions[i + 1].end == want.end[i]);
            CHECK(r.tiles[i].leave == want.leave[i]);
        }
        CHECK(r.cycles == want.cycles);
        const auto& mu = sim::find_group(r.stats, "matrix_unit");
        CHECK(mu.get("array_active") == 12);
        CHECK(mu.get("weight_stall") == 0);
        CHECK(mu.get("weight_shift") == want.weight_shift);
        CHECK(mu.get("non_matrix") == want.cycles - 12 - want.weight_shift);
    }
}

}  // namespace

TEST_CASE("back-to-back switches on a square array wait for the shift", "[sim][cells]") {
    // R = C = 8. A 64-byte tile takes one cycle from weight memory: read_weights (issued 0,
    // started 1) requests tiles 0, 1, 2 in cycles 1, 2, 3; they arrive in 2, 3, 4.
    // Multiply 1 (issued 1, ready 2): tile 0 shifts 2..9, ready 10, so s1 = 10; vectors
    //   enter 10..13; end = 10 + 3 + R + C = 29. First switch: the shadow buffer is free
    //   at once, tile 1 shifts 10..17, ready 18.
    // Multiply 2 (issued 2, taken when multiply 1's inputs end, 14): s2 = 18, end = 37.
    //   Its switch frees the buffer of tile 0 only when multiply 1's last vector (entered
    //   13) has left cell (7, 7): shadow_free = 13 + R + C - 2 = 27, although tile 2 has
    //   been waiting since 4. Tile 2 shifts 27..34, ready 35.
    // Multiply 3 (issued 14, taken 22): s3 = 35, end = 54. Halt issued 15: the run ends at 54.
    // Weight-shift waits: [2, 10) + [14, 18) + [22, 35) = 8 + 4 + 13 = 25 cycles.
    check_three_switches(8, 8, Expected{{10, 18, 35}, {29, 37, 54}, {10, 18, 35}, 54, 25});
}

TEST_CASE("back-to-back switches on a non-square array: the shift takes R cycles", "[sim][cells]") {
    // R = 4, C = 8: a tile is 32 bytes, one cycle from weight memory; tiles arrive 2, 3, 4.
    // Multiply 1 (ready 2): tile 0 shifts 2..5 (R = 4 steps), ready 6; s1 = 6, vectors
    //   6..9, end = 6 + 3 + 12 = 21. Tile 1 shifts 6..9, ready 10.
    // Multiply 2 (taken 10): s2 = 10, back to back with multiply 1 across the switch;
    //   end = 25. shadow_free = 9 + R + C - 2 = 19: tile 2 shifts 19..22, ready 23.
    // Multiply 3 (issued 10, taken 14): s3 = 23, end = 38 = the run's end.
    // Weight-shift waits: [2, 6) + [14, 23) = 4 + 9 = 13 cycles.
    check_three_switches(4, 8, Expected{{6, 10, 23}, {21, 25, 38}, {6, 10, 23}, 38, 13});
}

TEST_CASE("the cell model refuses arrays it is not built for", "[sim][cells]") {
    const auto big = test::shipped_chip("edge-64x64-lpddr4");
    const auto program = test::assemble_for(big, "halt\n");
    sim::RunOptions options;
    options.array_model = sim::ArrayModel::Cells;
    CHECK_THROWS_WITH(sim::simulate(big, program, {}, {}, options),
                      Catch::Contains("handles arrays up to 32x32 with int8 operands; this chip has 64x64"));
    auto wide = shift_bound_chip(8, 8);
    wide.matrix.operand_mode = config::OperandMode::Int8x16;
    CHECK_THROWS_AS(sim::simulate(wide, test::assemble_for(wide, "halt\n"), {}, {}, options), Error);
}

TEST_CASE("a cell-model run that can never finish is a deadlock, not a hang", "[sim][cells]") {
    // As in smoke_test.cpp: tile 4 waits for a FIFO slot that needs a second switch.
    const auto chip = test::shipped_chip("teaching-8x8");
    sim::RunOptions options;
    options.array_model = sim::ArrayModel::Cells;
    const std::string program =
        "read_weights weight_addr=0 tile_rows=8 tile_cols=8 count=5\n"
        "matrix_multiply ub_addr=0 acc_addr=0 rows=1 switch=1\n";
    CHECK_THROWS_AS(test::run_asm(chip, program, std::vector<std::uint8_t>(8), {}, options), sim::DeadlockError);
    // The report says what the array is doing: nothing, tile 1 sits in its shadow buffer.
    CHECK_THROWS_WITH(test::run_asm(chip, program, std::vector<std::uint8_t>(8), {}, options),
                      Catch::Contains("matrix_unit: idle, waiting for an instruction"));
}
