// One test per rule of docs/timing-model.md. Each expected cycle is derived by hand in the
// comment above it, from the rule under test and the rules it leans on, so that a change
// to a formula shows up here as a precise disagreement.
//
// Most tests run on a "round" chip whose numbers keep the arithmetic readable:
//   clock 1 GHz;  R x C = 4 x 4 unless a test says otherwise;  W = max(R, C)
//   weight memory 4 GB/s = 4 B/cycle, latency 10 ns = 10 cycles: a 16-byte 4x4 tile
//     requested in cycle q arrives in cycle q + 10 + 4 when the link is idle
//   host interface 4 B/cycle, latency 10 cycles, each direction: a row of W = 4 bytes
//     takes one cycle on the link
//   activation unit 4 B/cycle (Activate P = ceil(n*C/4) = n rows on 4 columns), latency 3
//   weight FIFO 2 tiles deep
//   unified buffer 2 read and 2 write ports (the default), so that only a Vector can wait
//     for a port; the port tests set 1
// "issue i / start s / end e" below is what the instruction log records. Where the
// cell-level array model can run the chip, every test runs it too and requires the same.
#include "sim_harness.hpp"

#include "sim/simulation.hpp"
#include "sim/transfer_link.hpp"
#include "sim/weight_channels.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

using namespace tpusim;
using sim::Cycle;

namespace {

struct RoundChip {
    unsigned rows = 4, cols = 4;
    std::string operand_mode = "int8";
    unsigned fifo_depth = 2;
    std::string weight_latency = "10ns";
    unsigned channels = 1;
    std::string interleave = "64B";
    unsigned activation_throughput = 4, activation_latency = 3;
    unsigned read_ports = 2, write_ports = 2;

    config::ChipConfig build() const {
        const unsigned width = rows > cols ? rows : cols;
        return config::parse_chip_config(
            fmt::format("name: round\n"
                        "clock: 1GHz\n"
                        "matrix_unit:\n  rows: {}\n  cols: {}\n  operand_mode: {}\n"
                        "unified_buffer:\n  capacity: {}B\n  read_ports: {}\n  write_ports: {}\n"  // 256 rows
                        "accumulators:\n  entries: 64\n"
                        "weight_fifo:\n  depth: {}\n"
                        "weight_memory:\n  capacity: 64KiB\n  bandwidth: 4GB/s\n  latency: {}\n  channels: {}\n  interleave: {}\n"
                        "host_interface:\n  bandwidth: 4GB/s\n  latency: 10ns\n"
                        "activation:\n  throughput: {}\n  latency: {}\n",
                        rows, cols, operand_mode, 256 * width, read_ports, write_ports, fifo_depth, weight_latency, channels, interleave,
                        activation_throughput, activation_latency),
            "round.yaml");
    }
};

constexpr std::size_t kHostBytes = 4096;

const sim::StatSnapshot& matrix_stats(const sim::RunResult& run) { return sim::find_group(run.stats, "matrix_unit"); }
const sim::StatSnapshot& ub_stats(const sim::RunResult& run) { return sim::find_group(run.stats, "unified_buffer"); }

struct Expected {
    Cycle issue, start, end;
};

/// The log of the first instructions of `run`, one {issue, start, end} per instruction.
void expect_log(const sim::RunResult& run, const std::vector<Expected>& expected) {
    REQUIRE(run.instructions.size() >= expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO("instruction " << i);
        CHECK(run.instructions[i].issue == expected[i].issue);
        CHECK(run.instructions[i].start == expected[i].start);
        CHECK(run.instructions[i].end == expected[i].end);
    }
}

struct ExpectedTile {
    Cycle requested, arrival, leave;
};

/// Every weight tile's passage through the FIFO: requested, arrived, shifted in (= left).
void expect_tiles(const sim::RunResult& run, const std::vector<ExpectedTile>& expected) {
    REQUIRE(run.tiles.size() == expected.size());
    for (std::size_t t = 0; t < expected.size(); ++t) {
        INFO("tile " << t);
        CHECK(run.tiles[t].requested == expected[t].requested);
        CHECK(run.tiles[t].arrival == expected[t].arrival);
        CHECK(run.tiles[t].leave == expected[t].leave);
    }
}

/// The matrix-unit categories: array_active, weight_stall, weight_shift, raw_stall,
/// input_stall, non_matrix.
struct Categories {
    std::uint64_t active, weight_stall, weight_shift, raw_stall, input_stall, non_matrix;
};

void expect_categories(const sim::RunResult& run, const Categories& c) {
    const auto& mu = matrix_stats(run);
    CHECK(mu.get("array_active") == c.active);
    CHECK(mu.get("weight_stall") == c.weight_stall);
    CHECK(mu.get("weight_shift") == c.weight_shift);
    CHECK(mu.get("raw_stall") == c.raw_stall);
    CHECK(mu.get("input_stall") == c.input_stall);
    CHECK(mu.get("non_matrix") == c.non_matrix);
}

/// Whether the cell-level array model can run on `chip` (small int8 arrays).
bool cells_can_run(const config::ChipConfig& chip) {
    return chip.matrix.rows <= 32 && chip.matrix.cols <= 32 && chip.matrix.operand_mode == config::OperandMode::Int8x8;
}

/// Runs `body` and checks what holds for every run: the four matrix-unit categories
/// partition the cycles, and the categories other than non_matrix never claim more cycles
/// than the run has (non_matrix is what is left, so an over-count would hide there). Where
/// the cell-level array model can run the chip, it must give the same log, tiles and
/// matrix-unit statistics: the hand-derived cycles below hold for both models.
sim::RunResult run(const config::ChipConfig& chip, const std::string& body, bool data = true) {
    sim::RunOptions options;
    options.data = data;
    auto result = test::run_asm(chip, body, std::vector<std::uint8_t>(kHostBytes), {}, options);
    const auto& mu = matrix_stats(result);
    const std::uint64_t claimed = mu.get("array_active") + mu.get("weight_stall") + mu.get("weight_shift");
    CHECK(claimed <= result.cycles);
    CHECK(claimed + mu.get("non_matrix") == result.cycles);
    CHECK(mu.get("raw_stall") + mu.get("input_stall") <= mu.get("non_matrix"));
    if (cells_can_run(chip)) {
        options.array_model = sim::ArrayModel::Cells;
        const auto cells = test::run_asm(chip, body, std::vector<std::uint8_t>(kHostBytes), {}, options);
        INFO("cell-level model");
        CHECK(cells.cycles == result.cycles);
        CHECK(cells.instructions.size() == result.instructions.size());
        std::vector<Expected> log;
        for (const auto& rec : result.instructions) log.push_back({rec.issue, rec.start, rec.end});
        expect_log(cells, log);
        std::vector<ExpectedTile> tiles;
        for (const auto& t : result.tiles) tiles.push_back({t.requested, t.arrival, t.leave});
        expect_tiles(cells, tiles);
        for (const auto& v : mu.values) {
            INFO("matrix_unit." << v.name);
            CHECK(matrix_stats(cells).get(v.name) == v.value);
        }
    }
    return result;
}

const char* const kTile = "read_weights weight_addr=0 tile_rows=4 tile_cols=4";

}  // namespace

// ---------------------------------------------------------------------------------------
// Controller

TEST_CASE("issue: one instruction per cycle in program order, each starting the cycle after", "[timing][controller]") {
    const auto chip = RoundChip{}.build();
    // Four units, so no instruction waits for a stage latch: issue(i) = i, start = i + 1.
    // 0 set_config: end = s + 1 = 2.
    // 1 read_host_memory, 1 row = 4 bytes: q = 2, data from 2 + 10 = 12 for 1 cycle: end 13.
    // 2 read_weights, 16 bytes: q = 3, data from 13 for 4 cycles: arrival and end 17.
    // 3 write_host_memory, its own link: q = 4, data from 14 for 1 cycle: end 15.
    // 4 halt, issued 4: the run ends at max(4 + 1, 17) = 17.
    const auto r = run(chip, fmt::format("set_config reg=requant_shift value=0\n"
                                         "read_host_memory host_addr=0 ub_addr=0 rows=1\n"
                                         "{}\n"
                                         "write_host_memory host_addr=0x100 ub_addr=8 rows=1\n"
                                         "halt\n",
                                         kTile));
    expect_log(r, {{0, 1, 2}, {1, 2, 13}, {2, 3, 17}, {3, 4, 15}, {4, 5, 17}});
    CHECK(r.cycles == 17);
    CHECK(sim::find_group(r.stats, "controller").get("stage_stall_cycles") == 0);
}

TEST_CASE("issue waits while the matrix unit's stage latch is occupied", "[timing][controller]") {
    const auto chip = RoundChip{}.build();
    // 0 read_weights: q = 1, arrives 1 + 10 + 4 = 15, shifts [15, 19): ready 19.
    // 1 matmul B=20: issued 1, the unit takes it at once; s = ready = 19, input phase
    //   [19, 39), end = 19 + 19*1 + 4 + 4 = 46.
    // 2 matmul B=2: issued 2 into the empty latch; the unit takes it when it is free, at
    //   39: s = 39, input [39, 41), end = 39 + 1 + 8 = 48.
    // 3 matmul B=2: the latch holds instruction 2 until 39, so issue = 39 (36 stalled
    //   cycles); s = max(39 + 1, 41) = 41, end = 41 + 1 + 8 = 50.
    // 4 set_config: issue = 39 + 1 = 40, s = 41, end 42. The run ends at 50.
    const auto r = run(chip, fmt::format("{}\n"
                                         "matrix_multiply ub_addr=0 acc_addr=0 rows=20 switch=1\n"
                                         "matrix_multiply ub_addr=0 acc_addr=20 rows=2\n"
                                         "matrix_multiply ub_addr=0 acc_addr=30 rows=2\n"
                                         "set_config reg=requant_shift value=0\n",
                                         kTile));
    expect_log(r, {{0, 1, 15}, {1, 19, 46}, {2, 39, 48}, {39, 41, 50}, {40, 41, 42}});
    CHECK(r.cycles == 50);
    CHECK(sim::find_group(r.stats, "controller").get("stage_stall_cycles") == 36);
}

TEST_CASE("issue waits while the activation unit's stage latch is occupied", "[timing][controller]") {
    const auto chip = RoundChip{}.build();
    // 0 activate 10 rows: s = 1, P = ceil(10*4/4) = 10, busy [1, 11), end 1 + 10 + 3 = 14.
    // 1 activate 1 row: issued 1 into the latch; the unit takes it when it is free, at 11:
    //   s = 11, P = 1, end 11 + 1 + 3 = 15.
    // 2 activate 1 row: the latch holds instruction 1 until 11, so issue = 11;
    //   s = max(12, 12) = 12, end 16.
    // 3 nop cycles=0: issue 12, end 13. Implicit halt at 13: the run ends at 16.
    const auto r = run(chip,
                       "activate acc_addr=0 ub_addr=0 rows=10 function=identity\n"
                       "activate acc_addr=10 ub_addr=10 rows=1 function=identity\n"
                       "activate acc_addr=11 ub_addr=11 rows=1 function=identity\n"
                       "nop cycles=0\n");
    expect_log(r, {{0, 1, 14}, {1, 11, 15}, {11, 12, 16}, {12, 13, 13}});
    CHECK(r.cycles == 16);
    CHECK(sim::find_group(r.stats, "controller").get("stage_stall_cycles") == 9);
}

TEST_CASE("issue waits while a host link's stage latch is occupied", "[timing][controller]") {
    const auto chip = RoundChip{}.build();
    // 0 activate writes UB rows 0..7: s 1, P 8, end 1 + 8 + 3 = 12.
    // 1 write_host_memory reads UB row 0: the link takes it at 1; it waits there for the
    //   activate (RAW) until 12: s 12, data [22, 23).
    // 2 write_host_memory: issued 2 into the latch; the link is free at 12 + 1 = 13 and
    //   takes it then: s 13, data [max(23, 23), 24).
    // 3 write_host_memory: the latch holds instruction 2 until 13: issue 13, s 14,
    //   data [24, 25). The run ends at 25.
    const auto r = run(chip,
                       "activate acc_addr=0 ub_addr=0 rows=8 function=relu\n"
                       "write_host_memory host_addr=0 ub_addr=0 rows=1\n"
                       "write_host_memory host_addr=0x100 ub_addr=100 rows=1\n"
                       "write_host_memory host_addr=0x200 ub_addr=101 rows=1\n");
    expect_log(r, {{0, 1, 12}, {1, 12, 23}, {2, 13, 24}, {13, 14, 25}});
    CHECK(r.cycles == 25);
    CHECK(sim::find_group(r.stats, "controller").get("stage_stall_cycles") == 10);
}

TEST_CASE("issue waits while the weight-fetch unit's stage latch is occupied", "[timing][controller]") {
    RoundChip spec;
    spec.fifo_depth = 4;  // room for every tile: no request waits for a slot
    const auto chip = spec.build();
    // 0 read_weights count=2: requests in cycles 1 and 2; the unit is free at 3.
    //   Tile 0: data [11, 15); tile 1: [max(12, 15), 19): end (last arrival) 19.
    // 1 read_weights: issued 1 into the latch; the unit takes it at 3 and requests in 3:
    //   data [max(13, 19), 23): end 23.
    // 2 read_weights: the latch holds instruction 1 until 3, so issue = 3; request in 4:
    //   data [max(14, 23), 27): end 27. The run ends at 27.
    const auto r = run(chip, fmt::format("{0} count=2\n{0}\n{0}\n", kTile));
    expect_log(r, {{0, 1, 19}, {1, 3, 23}, {3, 4, 27}});
    CHECK(r.cycles == 27);
}

TEST_CASE("nop delays the next issue by its cycles", "[timing][controller]") {
    const auto chip = RoundChip{}.build();
    // 0 nop 5: issue 0, next issue 0 + 1 + 5 = 6.   1 set_config: issue 6, s 7, end 8.
    // 2 nop 0: issue 7, next issue 8.                3 set_config: issue 8, s 9, end 10.
    // Implicit halt issued 9: the run ends at max(10, 10) = 10.
    const auto r = run(chip,
                       "nop cycles=5\n"
                       "set_config reg=requant_shift value=1\n"
                       "nop cycles=0\n"
                       "set_config reg=requant_shift value=2\n");
    expect_log(r, {{0, 1, 6}, {6, 7, 8}, {7, 8, 8}, {8, 9, 10}});
    CHECK(r.cycles == 10);
    CHECK(sim::find_group(r.stats, "controller").get("nop_cycles") == 5);
}

TEST_CASE("sync on units ends when every instruction issued to them has ended", "[timing][controller]") {
    const auto chip = RoundChip{}.build();
    // 0 read_host_memory 2 rows (8 B): q 1, data [11, 13): end 13.
    // 1 write_host_memory 4 rows (16 B), its own link: q 2, data [12, 16): end 16.
    // 2 read_weights count=2: requests 3, 4; tile 0 [13, 17), tile 1 [17, 21): end 21.
    // 3 matmul B=3 switching to tile 0: ready = 17 + 4 = 21 = s; end = 21 + 2 + 8 = 31
    //   (the matrix bit includes the results draining into the accumulators).
    // 4 activate 2 rows: s 5, P 2, end 5 + 2 + 3 = 10.
    // 5 sync, issued 5: ends at max(5 + 1, latest end among the named units).
    // 6 nop 0: issued when the sync ends, e; it ends at e + 1, the implicit halt issues
    //   then, and the run ends at max(e + 2, 31).
    struct Case {
        const char* units;
        Cycle end, cycles;
    };
    const Case cases[] = {
        {"host", 16, 31},  // both directions: max(13, 16)
        {"weight_fetch", 21, 31},  // every requested tile has arrived
        {"matrix", 31, 33},
        {"activation", 10, 31},
        {"host|activation", 16, 31},
        {"host|weight_fetch|matrix|activation", 31, 33},
    };
    for (const auto& c : cases) {
        INFO("units=" << c.units);
        const auto r = run(chip, fmt::format("read_host_memory host_addr=0 ub_addr=0 rows=2\n"
                                             "write_host_memory host_addr=0x100 ub_addr=8 rows=4\n"
                                             "{} count=2\n"
                                             "matrix_multiply ub_addr=16 acc_addr=0 rows=3 switch=1\n"
                                             "activate acc_addr=8 ub_addr=32 rows=2 function=relu\n"
                                             "sync mode=units units={}\n"
                                             "nop cycles=0\n",
                                             kTile, c.units));
        expect_log(r, {{0, 1, 13}, {1, 2, 16}, {2, 3, 21}, {3, 21, 31}, {4, 5, 10}, {5, 6, c.end}, {c.end, c.end + 1, c.end + 1}});
        CHECK(r.cycles == c.cycles);
    }
}

TEST_CASE("sync on a unit with nothing outstanding ends the cycle after its issue", "[timing][controller]") {
    const auto chip = RoundChip{}.build();
    // 0 read_host_memory: end 13 (as above). 1 sync on the activation unit, which was issued
    // nothing: ends at max(1 + 1, nothing) = 2. 2 set_config: issue 2, s 3, end 4.
    // Implicit halt at 3; the run ends at 13.
    const auto r = run(chip,
                       "read_host_memory host_addr=0 ub_addr=0 rows=2\n"
                       "sync mode=units units=activation\n"
                       "set_config reg=requant_shift value=0\n");
    expect_log(r, {{0, 1, 13}, {1, 2, 2}, {2, 3, 4}});
    CHECK(r.cycles == 13);
}

TEST_CASE("sync on rows ends when every earlier write to them is done", "[timing][controller]") {
    const auto chip = RoundChip{}.build();
    // 0 read_host_memory UB rows 0..1: q 1, data [11, 13): writes done 13.
    // 1 read_host_memory UB rows 8..9: q 2, data [max(12, 13), 15): done 15.
    // 2 sync ub_range rows 0..1, issue 2: waits for instruction 0 only: ends 13.
    // 3 sync ub_range row 9, issue 13: ends 15.
    // 4 sync ub_range rows 2..7, issue 15: no write to them: ends 16.
    // 5 read_weights, issue 16: q 17, data [27, 31), shifted [31, 35).
    // 6 matmul B=2 into accumulator rows 4..5, issue 17: s = 35, end 35 + 1 + 8 = 44.
    // 7 sync acc_range row 5, issue 18: ends 44.
    // 8 sync acc_range rows 0..3, issue 44: nothing writes them: ends 45.
    // Implicit halt at 45: the run ends at max(46, 44) = 46.
    const auto r = run(chip, fmt::format("read_host_memory host_addr=0 ub_addr=0 rows=2\n"
                                         "read_host_memory host_addr=8 ub_addr=8 rows=2\n"
                                         "sync mode=ub_range addr=0 length=2\n"
                                         "sync mode=ub_range addr=9 length=1\n"
                                         "sync mode=ub_range addr=2 length=6\n"
                                         "{}\n"
                                         "matrix_multiply ub_addr=0 acc_addr=4 rows=2 switch=1\n"
                                         "sync mode=acc_range addr=5 length=1\n"
                                         "sync mode=acc_range addr=0 length=4\n",
                                         kTile));
    expect_log(r, {{0, 1, 13}, {1, 2, 15}, {2, 3, 13}, {13, 14, 15}, {15, 16, 16}, {16, 17, 31}, {17, 35, 44},
                   {18, 19, 44}, {44, 45, 45}});
    CHECK(r.cycles == 46);
}

TEST_CASE("halt ends the run when every issued instruction has ended; no halt means one at the end", "[timing][controller]") {
    const auto chip = RoundChip{}.build();
    // read_host_memory 2 rows ends at 13; a halt issued in cycle 1 (explicit, or implicit
    // after the last instruction) ends the run at max(1 + 1, 13) = 13.
    const std::string transfer = "read_host_memory host_addr=0 ub_addr=0 rows=2\n";
    const auto with_halt = run(chip, transfer + "halt\n");
    CHECK(with_halt.cycles == 13);
    expect_log(with_halt, {{0, 1, 13}, {1, 2, 13}});
    CHECK(run(chip, transfer).cycles == 13);
    // Nothing outstanding: halt issued in 0 ends the run at 0 + 1; a lone nop issues in 0,
    // the implicit halt in 1, and the run ends at 2, as with an explicit halt.
    CHECK(run(chip, "halt\n").cycles == 1);
    CHECK(run(chip, "").cycles == 1);
    CHECK(run(chip, "nop cycles=0\n").cycles == 2);
    CHECK(run(chip, "nop cycles=0\nhalt\n").cycles == 2);
    // Nothing after a halt runs.
    const auto stopped = run(chip, "halt\n" + transfer);
    CHECK(stopped.cycles == 1);
    CHECK(stopped.instructions.size() == 1);
}

// ---------------------------------------------------------------------------------------
// Hazards

TEST_CASE("RAW: a read of rows another unit writes waits until the write is done", "[timing][hazard]") {
    const auto chip = RoundChip{}.build();
    // 0 activate writes UB rows 4..7: s 1, P 4, end 1 + 4 + 3 = 8.
    // 1 write_host_memory reads UB row 6: ready 2, waits for the write until 8;
    //   q = 8, data [18, 19): end 19.
    const auto r = run(chip,
                       "activate acc_addr=0 ub_addr=4 rows=4 function=relu\n"
                       "write_host_memory host_addr=0 ub_addr=6 rows=1\n");
    expect_log(r, {{0, 1, 8}, {1, 8, 19}});
    CHECK(r.instructions[1].stall == sim::StallReason::Hazard);
    CHECK(r.cycles == 19);
}

TEST_CASE("WAR: a write of rows another unit reads waits until the read is done", "[timing][hazard]") {
    const auto chip = RoundChip{}.build();
    SECTION("the matrix unit's reads are done at the end of its input phase") {
        // 0 read_weights: arrives 15, ready 19.
        // 1 matmul B=6 reads UB rows 0..5: s 19, input [19, 25): reads done 25; end 19+5+8 = 32.
        // 2 read_host_memory writes UB row 5: ready 3, waits until 25; data [35, 36): end 36.
        const auto r = run(chip, fmt::format("{}\n"
                                             "matrix_multiply ub_addr=0 acc_addr=0 rows=6 switch=1\n"
                                             "read_host_memory host_addr=0 ub_addr=5 rows=1\n",
                                             kTile));
        expect_log(r, {{0, 1, 15}, {1, 19, 32}, {2, 25, 36}});
        CHECK(r.cycles == 36);
    }
    SECTION("an activate's reads are done at s + P") {
        // 0 read_weights: arrives 15, ready 19.
        // 1 activate reads accumulator rows 0..19: s 2, P 20, reads done 22, end 25.
        // 2 matmul writes accumulator row 19: ready 3; the tile is ready at 19 and the read
        //   at 22: s = 22, end 22 + 0 + 8 = 30. Matrix unit: weight stall [3, 15) = 12,
        //   weight shift [15, 19) = 4, RAW stall (another unit) [19, 22) = 3; active 1;
        //   non_matrix = 30 - 1 - 12 - 4 = 13.
        const auto r = run(chip, fmt::format("{}\n"
                                             "activate acc_addr=0 ub_addr=0 rows=20 function=identity\n"
                                             "matrix_multiply ub_addr=40 acc_addr=19 rows=1 switch=1\n",
                                             kTile));
        expect_log(r, {{0, 1, 15}, {1, 2, 25}, {2, 22, 30}});
        expect_categories(r, {1, 12, 4, 3, 0, 13});
        CHECK(r.cycles == 30);
    }
    SECTION("a vector's reads are done at s + P") {
        // 0 vector reads UB rows 0..7 and 8..15: s 1, P = ceil(8*4/4) = 8, reads done 9, end 12.
        // 1 read_host_memory writes UB row 10: waits until 9; data [19, 20): end 20.
        const auto r = run(chip,
                           "vector op=add a=0 b=8 dst=16 rows=8\n"
                           "read_host_memory host_addr=0 ub_addr=10 rows=1\n");
        expect_log(r, {{0, 1, 12}, {1, 9, 20}});
        CHECK(r.cycles == 20);
    }
}

TEST_CASE("WAW: a write of rows another unit writes waits until that write is done", "[timing][hazard]") {
    const auto chip = RoundChip{}.build();
    // 0 read_host_memory writes UB rows 0..3 (16 B): data [11, 15): done 15.
    // 1 activate writes UB rows 2..5: ready 2, waits until 15; P 4, end 15 + 4 + 3 = 22.
    const auto r = run(chip,
                       "read_host_memory host_addr=0 ub_addr=0 rows=4\n"
                       "activate acc_addr=0 ub_addr=2 rows=4 function=relu\n");
    expect_log(r, {{0, 1, 15}, {1, 15, 22}});
    CHECK(r.cycles == 22);
}

TEST_CASE("host memory is a hazard range between the two host directions", "[timing][hazard]") {
    const auto chip = RoundChip{}.build();
    // 0 write_host_memory writes host bytes 0x10..0x17: data [11, 13): done 13.
    // 1 read_host_memory reads host bytes 0x14..0x17 (RAW): waits until 13; its own link:
    //   data [23, 24): end 24.
    const auto r = run(chip,
                       "write_host_memory host_addr=0x10 ub_addr=0 rows=2\n"
                       "read_host_memory host_addr=0x14 ub_addr=8 rows=1\n");
    expect_log(r, {{0, 1, 13}, {1, 13, 24}});
    CHECK(r.cycles == 24);
}

TEST_CASE("instructions of one unit are not checked against each other", "[timing][hazard]") {
    const auto chip = RoundChip{}.build();
    SECTION("two matmuls accumulating into the same rows stream back to back") {
        // 0 read_weights: ready 19.
        // 1 matmul B=4 into accumulator rows 0..3: s 19, input [19, 23), end 19+3+8 = 30.
        // 2 matmul B=4 accumulating into rows 0..3: s = 23, not 30 (the array keeps the
        //   order); end 23 + 3 + 8 = 34. Active 8, weight stall [2, 15) = 13, shift 4.
        const auto r = run(chip, fmt::format("{}\n"
                                             "matrix_multiply ub_addr=0 acc_addr=0 rows=4 switch=1\n"
                                             "matrix_multiply ub_addr=0 acc_addr=0 rows=4 accumulate=1\n",
                                             kTile));
        expect_log(r, {{0, 1, 15}, {1, 19, 30}, {2, 23, 34}});
        expect_categories(r, {8, 13, 4, 0, 0, 34 - 8 - 13 - 4});
    }
    SECTION("two host reads into the same rows") {
        // 0: data [11, 12). 1: starts at 2 without waiting for 0's write; data [12, 13).
        const auto r = run(chip,
                           "read_host_memory host_addr=0 ub_addr=0 rows=1\n"
                           "read_host_memory host_addr=4 ub_addr=0 rows=1\n");
        expect_log(r, {{0, 1, 12}, {1, 2, 13}});
    }
}

TEST_CASE("a hazard wait is input stall when a host transfer is the last access to clear", "[timing][hazard]") {
    const auto chip = RoundChip{}.build();
    // 0 read_weights: q 1, arrives 15, ready 19.
    // 1 read_host_memory 16 rows into UB 100..115: q 2, data [12, 28).
    // 2 read_host_memory 1 row into UB 0: q 3, data [28, 29): done 29.
    // 3 activate m rows into UB 4..: s 4, end 4 + m + 3 = 7 + m.
    // 4 matmul B=8 reads UB 0..7 (written by 2 and 3): a = 5, weight stall [5, 15),
    //   shift [15, 19); then it waits for both writes until s = max(29, 7 + m), and the
    //   whole wait [19, s) goes to the one done last; a tie goes to the host.
    //   end = s + 7 + 8; non_matrix = end - 8 - 10 - 4 = s - 7.
    struct Case {
        unsigned m;
        Cycle start;
        std::uint64_t raw, input;
    };
    for (const Case c : {Case{16, 29, 0, 10}, Case{22, 29, 0, 10}, Case{30, 37, 18, 0}}) {
        INFO("activate rows=" << c.m);
        const auto r = run(chip, fmt::format("{}\n"
                                             "read_host_memory host_addr=0 ub_addr=100 rows=16\n"
                                             "read_host_memory host_addr=0 ub_addr=0 rows=1\n"
                                             "activate acc_addr=0 ub_addr=4 rows={} function=relu\n"
                                             "matrix_multiply ub_addr=0 acc_addr=40 rows=8 switch=1\n",
                                             kTile, c.m));
        expect_log(r, {{0, 1, 15}, {1, 2, 28}, {2, 3, 29}, {3, 4, 7 + c.m}, {4, c.start, c.start + 15}});
        expect_categories(r, {8, 10, 4, c.raw, c.input, c.start - 7});
    }
}

TEST_CASE("units touching different rows never wait for one another with 2 read and 2 write ports", "[timing][hazard]") {
    const auto chip = RoundChip{}.build();
    // The four units work at once, each at its own rate. UB ports: the matrix unit reads
    // [19, 27) and the UB-to-host link [32, 36); the activation unit writes [24, 32) and the
    // host-to-UB link [30, 38): never more than two of a kind at once.
    // 0 read_weights: ready 19.   1 nop 16: next issue 18.
    // 2 matmul B=8 from UB 0..7: issue 18, s 19, input [19, 27), end 19 + 7 + 8 = 34.
    // 3 read_host_memory 8 rows into UB 16..23: s 20, data [30, 38).
    // 4 activate 8 rows into UB 32..39: s 21, P 8, end 21 + 8 + 3 = 32.
    // 5 write_host_memory UB 48..51: s 22, data [32, 36). The run ends at 38.
    const auto r = run(chip, fmt::format("{}\n"
                                         "nop cycles=16\n"
                                         "matrix_multiply ub_addr=0 acc_addr=0 rows=8 switch=1\n"
                                         "read_host_memory host_addr=0 ub_addr=16 rows=8\n"
                                         "activate acc_addr=8 ub_addr=32 rows=8 function=relu\n"
                                         "write_host_memory host_addr=0x100 ub_addr=48 rows=4\n",
                                         kTile));
    expect_log(r, {{0, 1, 15}, {1, 2, 18}, {18, 19, 34}, {19, 20, 38}, {20, 21, 32}, {21, 22, 36}});
    CHECK(r.cycles == 38);
}

// ---------------------------------------------------------------------------------------
// Transfers and the host interface

TEST_CASE("transfers: latencies overlap, data transfers do not", "[timing][transfer]") {
    const auto chip = RoundChip{}.build();
    // Three read_host_memory of n rows (4n bytes, n cycles) requested in cycles 1, 2, 3:
    // start = max(q + 10, end of the previous transfer).
    struct Case {
        int rows;
        Cycle ends[3];
        std::uint64_t busy;
    };
    const Case cases[] = {
        // 1 cycle each: latency-bound, [11, 12), [12, 13), [13, 14): the latencies overlap.
        {1, {12, 13, 14}, 3},
        // 4 cycles each: bandwidth-bound, [11, 15), [15, 19), [19, 23).
        {4, {15, 19, 23}, 12},
    };
    for (const auto& c : cases) {
        INFO("rows=" << c.rows);
        std::string body;
        for (int i = 0; i < 3; ++i)
            body += fmt::format("read_host_memory host_addr={} ub_addr={} rows={}\n", 64 * i, 16 * i, c.rows);
        const auto r = run(chip, body);
        expect_log(r, {{0, 1, c.ends[0]}, {1, 2, c.ends[1]}, {2, 3, c.ends[2]}});
        CHECK(sim::find_group(r.stats, "host_interface").get("busy_cycles_to_ub") == c.busy);
    }
}

TEST_CASE("host interface: the two directions are independent links", "[timing][transfer]") {
    const auto chip = RoundChip{}.build();
    // 0 read_host_memory 8 rows (32 B, 8 cycles): data [11, 19).
    // 1 write_host_memory 8 rows, q 2: its own link is idle: data [12, 20), not [19, 27).
    const auto r = run(chip,
                       "read_host_memory host_addr=0 ub_addr=0 rows=8\n"
                       "write_host_memory host_addr=0x100 ub_addr=16 rows=8\n");
    expect_log(r, {{0, 1, 19}, {1, 2, 20}});
    CHECK(r.cycles == 20);
}

TEST_CASE("host interface: a transfer moves rows of W = max(R, C) bytes", "[timing][transfer]") {
    // R = 8, C = 4: W = 8, so 3 rows are 24 bytes, 6 cycles at 4 B/cycle: data [11, 17).
    // R = 4, C = 8: the same.  R = C = 4: W = 4, 12 bytes, 3 cycles: data [11, 14).
    struct Case {
        unsigned rows, cols;
        Cycle end;
    };
    for (const Case c : {Case{8, 4, 17}, Case{4, 8, 17}, Case{4, 4, 14}}) {
        INFO(c.rows << "x" << c.cols);
        RoundChip spec;
        spec.rows = c.rows;
        spec.cols = c.cols;
        const auto r = run(spec.build(), "read_host_memory host_addr=0 ub_addr=0 rows=3\n");
        expect_log(r, {{0, 1, c.end}});
        CHECK(sim::find_group(r.stats, "host_interface").get("bytes_to_ub") == 3 * std::max(c.rows, c.cols));
    }
}

namespace {

/// The arrival cycle of every weight tile of `run`.
std::vector<Cycle> arrivals(const sim::RunResult& run) {
    std::vector<Cycle> a;
    for (const auto& t : run.tiles) a.push_back(t.arrival);
    return a;
}

}  // namespace

TEST_CASE("weight channels: a tile of whole stripe rounds takes the single-link time", "[timing][transfer]") {
    SECTION("round chip, 16-byte tiles of 2 and 4 rounds") {
        // K channels of 4/K B/cycle, interleave 4 B: a 16-byte tile puts 16/K bytes on every
        // channel, ceil(16/K * K / 4) = 4 cycles each. Tile 0 requested in cycle 1: every
        // channel moves it in [11, 15); tile 1 (addr 16) requested in 2: every channel is
        // free at 15: [15, 19). A single 4 B/cycle link gives the same [11, 15), [15, 19).
        for (unsigned channels : {1u, 2u, 4u}) {
            INFO("channels=" << channels);
            RoundChip spec;
            spec.channels = channels;
            spec.interleave = "4B";
            const auto r = run(spec.build(), fmt::format("{} count=2\n", kTile));
            expect_log(r, {{0, 1, 19}});
            CHECK(arrivals(r) == std::vector<Cycle>{15, 19});
            // channel-cycles: 2 tiles x K channels x 4 cycles.
            CHECK(sim::find_group(r.stats, "weight_memory").get("channel_busy_cycles") == 2 * channels * 4);
        }
    }
    SECTION("TPUv1: three 64 KiB tiles over two channels interleaved at 64 B") {
        // 65,536 bytes = 512 rounds of 2 x 64: 32,768 bytes per channel at 17 GB/s:
        // ceil(32768 * 2 * 700e6 / 34e9) = ceil(1349.27) = 1350 cycles, as one 34 GB/s link.
        // Latency 70. Requests in cycles 1, 2, 3 (the FIFO is 4 deep): tile 0 [71, 1421),
        // tile 1 [1421, 2771), tile 2 [2771, 4121).
        const auto chip = test::shipped_chip("tpuv1");
        const auto r = run(chip, "read_weights weight_addr=0 tile_rows=256 tile_cols=256 count=3\n", false);
        CHECK(arrivals(r) == std::vector<Cycle>{1421, 2771, 4121});
    }
    SECTION("any address, channel count and request times: the same end as one link") {
        // The claim behind both sections above, over random cases: when n is a multiple of
        // K*I every channel gets n/K bytes, so every channel's end equals the single link's.
        std::mt19937 rng(3);
        for (int trial = 0; trial < 300; ++trial) {
            RoundChip spec;
            spec.channels = 1 + rng() % 8;
            const unsigned stripe = 1u << (rng() % 7);
            spec.interleave = fmt::format("{}B", stripe);
            const auto chip = spec.build();
            sim::WeightChannels channels(chip);
            sim::TransferLink link(chip, chip.weight_memory.bandwidth_bytes_per_s, chip.weight_memory.latency_ps);
            Cycle q = 0;
            for (int k = 0; k < 5; ++k) {
                q += rng() % 40;
                const std::uint64_t n = (1 + rng() % 6) * spec.channels * stripe;
                const std::uint64_t addr = rng() % 100000;
                INFO("trial " << trial << " K=" << spec.channels << " I=" << stripe << " addr=" << addr << " n=" << n);
                CHECK(channels.book(q, addr, n).end == link.book(q, n).end);
            }
        }
    }
}

TEST_CASE("weight channels: bytes per channel in closed form equal a byte-by-byte count", "[timing][transfer]") {
    std::mt19937 rng(4);
    for (int trial = 0; trial < 2000; ++trial) {
        config::WeightMemoryParams m;
        m.channels = 1 + rng() % 5;
        m.interleave_bytes = 1 + rng() % 20;
        const std::uint64_t addr = rng() % 500, bytes = rng() % 300;
        std::vector<std::uint64_t> counted(m.channels);
        for (std::uint64_t b = addr; b < addr + bytes; ++b) ++counted[(b / m.interleave_bytes) % m.channels];
        for (std::uint32_t c = 0; c < m.channels; ++c) {
            INFO("K=" << m.channels << " I=" << m.interleave_bytes << " addr=" << addr << " bytes=" << bytes << " c=" << c);
            CHECK(m.channel_bytes(addr, bytes, c) == counted[c]);
        }
    }
}

TEST_CASE("weight channels: small tiles on alternating channels overlap", "[timing][transfer]") {
    RoundChip spec;
    spec.channels = 2;  // 2 B/cycle each
    spec.interleave = "16B";
    spec.fifo_depth = 4;
    SECTION("four 16-byte tiles, one stripe each, on channels 0, 1, 0, 1") {
        // Each tile is 16 bytes on one channel: ceil(16 * 2 / 4) = 8 cycles. Requests in
        // cycles 1..4 (addresses 0, 16, 32, 48):
        //   tile 0, ch 0: [max(11, 0), +8)  = [11, 19)
        //   tile 1, ch 1: [max(12, 0), +8)  = [12, 20)   overlaps tile 0
        //   tile 2, ch 0: [max(13, 19), +8) = [19, 27)
        //   tile 3, ch 1: [max(14, 20), +8) = [20, 28)
        // (one 4 B/cycle link: 15, 19, 23, 27).
        const auto r = run(spec.build(), fmt::format("{} count=4\n", kTile));
        CHECK(arrivals(r) == std::vector<Cycle>{19, 20, 27, 28});
        CHECK(sim::find_group(r.stats, "weight_memory").get("channel_busy_cycles") == 4 * 8);
    }
    SECTION("a tile that straddles two stripes unevenly") {
        // A 3x4 tile is 12 bytes; at address 8 it is bytes [8, 20): 8 on channel 0
        // ([8, 16)) and 4 on channel 1 ([16, 20)). Channel 0: ceil(8 * 2 / 4) = 4 cycles,
        // channel 1: ceil(4 * 2 / 4) = 2. Requested in cycle 1: [11, 15) and [11, 13):
        // arrival 15 (one link: ceil(12 / 4) = 3, arrival 14).
        const auto r = run(spec.build(), "read_weights weight_addr=8 tile_rows=3 tile_cols=4\n");
        CHECK(arrivals(r) == std::vector<Cycle>{15});
        CHECK(sim::find_group(r.stats, "weight_memory").get("channel_busy_cycles") == 4 + 2);
    }
}

TEST_CASE("weight channels: two tiles on the same channel queue", "[timing][transfer]") {
    RoundChip spec;
    spec.channels = 2;  // 2 B/cycle each
    spec.interleave = "16B";
    // Tile 0 at address 0 is on channel 0, requested in cycle 1: [11, 19). The second
    // read_weights, requested in cycle 2, at address 32 = stripe 2 is on channel 0 too:
    // [max(12, 19), +8) = [19, 27). At address 16 = stripe 1 it is on channel 1 and
    // overlaps: [12, 20).
    struct Case {
        int addr;
        Cycle second;
    };
    for (const Case c : {Case{32, 27}, Case{16, 20}}) {
        INFO("second tile at " << c.addr);
        const auto r = run(spec.build(), fmt::format("{}\nread_weights weight_addr={} tile_rows=4 tile_cols=4\n",
                                                     kTile, c.addr));
        CHECK(arrivals(r) == std::vector<Cycle>{19, c.second});
    }
}

// ---------------------------------------------------------------------------------------
// Weight memory and the weight FIFO

TEST_CASE("tile fetch time: latency plus ceil(bytes * clock / bandwidth)", "[timing][weights]") {
    SECTION("round chip, a partial tile and a latency that is not a whole number of cycles") {
        // A 3x3 tile is 9 bytes: ceil(9 / 4) = 3 cycles. Latency 10 ns: 10 cycles; 10.5 ns:
        // ceil(10.5) = 11 cycles. Requested in cycle 1: arrives 1 + 10 + 3 = 14, or 15.
        struct Case {
            const char* latency;
            Cycle arrival;
        };
        for (const Case c : {Case{"10ns", 14}, Case{"10.5ns", 15}}) {
            INFO("latency " << c.latency);
            RoundChip spec;
            spec.weight_latency = c.latency;
            const auto r = run(spec.build(), "read_weights weight_addr=0 tile_rows=3 tile_cols=3\n");
            expect_log(r, {{0, 1, c.arrival}});
        }
    }
    SECTION("TPUv1: a 256x256 tile at 34 GB/s and 700 MHz") {
        // transfer: ceil(65536 * 700e6 / 34e9) = ceil(1349.27) = 1350 cycles;
        // latency: ceil(100 ns * 700 MHz) = 70 cycles. Requested in cycle 1: arrives
        // 1 + 70 + 1350 = 1421; shifted in 256 cycles: ready 1677. A matmul of one vector
        // switching to it: s = 1677, end = 1677 + 0 + 256 + 256 = 2189.
        const auto chip = test::shipped_chip("tpuv1");
        CHECK(chip.tile_fetch_cycles() == 1420);
        const auto r = run(chip,
                           "read_weights weight_addr=0 tile_rows=256 tile_cols=256\n"
                           "matrix_multiply ub_addr=0 acc_addr=0 rows=1 switch=1\n",
                           false);
        expect_log(r, {{0, 1, 1421}, {1, 1677, 2189}});
        expect_tiles(r, {{1, 1421, 1677}});
        // weight stall [2, 1421), weight shift [1421, 1677).
        expect_categories(r, {1, 1419, 256, 0, 0, 2189 - 1 - 1419 - 256});
    }
}

TEST_CASE("weight FIFO: tile t is requested no earlier than tile t - depth leaves", "[timing][weights]") {
    const auto chip = RoundChip{}.build();  // depth 2
    // 0 read_weights count=4.
    //   tile 0: q 1, data [11, 15); shadow_free = 0: shifts [15, 19): leave(0) = 19.
    //   tile 1: q 2, data [15, 19).
    //   tile 2: wanted 3, needs leave(0) = 19: q = 19 (16 cycles FIFO-full); data [29, 33).
    // 1 matmul switch (tile 0), B=1: s = 19, end 27. First switch: shadow_free = 19; tile 1
    //   shifts [19, 23): leave(1) = 23.
    //   tile 3: wanted 20, needs leave(1) = 23: q = 23 (3 more cycles); data [33, 37).
    // 2 matmul switch (tile 1): taken at 20, s = ready(1) = 23 (weight shift [20, 23));
    //   shadow_free = max(23, 19 + 4 + 4 - 2) = 25; tile 2 shifts [max(33, 25), 37).
    //   end 31.
    // 3 matmul switch (tile 2): issued 20 (the latch held 2 until then), taken at 24;
    //   weight stall [24, 33), shift [33, 37): s = 37, end 45;
    //   shadow_free = max(37, 23 + 6) = 37; tile 3 shifts [37, 41).
    // 4 matmul switch (tile 3): issued 24, taken 38, shift [38, 41): s = 41, end 49.
    // read_weights ends at its last arrival, 37. The run ends at 49.
    // Categories: active 4; weight stall 13 ([2, 15)) + 9 = 22; weight shift
    // 4 ([15, 19)) + 3 + 4 + 3 = 14; non_matrix = 49 - 4 - 22 - 14 = 9.
    const auto r = run(chip, fmt::format("{} count=4\n"
                                         "matrix_multiply ub_addr=0 acc_addr=0 rows=1 switch=1\n"
                                         "matrix_multiply ub_addr=0 acc_addr=1 rows=1 switch=1\n"
                                         "matrix_multiply ub_addr=0 acc_addr=2 rows=1 switch=1\n"
                                         "matrix_multiply ub_addr=0 acc_addr=3 rows=1 switch=1\n",
                                         kTile));
    expect_log(r, {{0, 1, 37}, {1, 19, 27}, {2, 23, 31}, {20, 37, 45}, {24, 41, 49}});
    expect_tiles(r, {{1, 15, 19}, {2, 19, 23}, {19, 33, 37}, {23, 37, 41}});
    CHECK(sim::find_group(r.stats, "weight_memory").get("fifo_full_cycles") == 19);
    expect_categories(r, {4, 22, 14, 0, 0, 9});
    CHECK(r.cycles == 49);
}

// ---------------------------------------------------------------------------------------
// Matrix unit: weight shift and switch

TEST_CASE("weight shift: starts on arrival into a free shadow buffer and takes R cycles", "[timing][matrix]") {
    // A tile of R x C = 32 bytes: data [11, 19) (8 cycles). Shift [19, 19 + R).
    // matmul B=1: s = 19 + R, end = s + 0 + R + C. Weight stall [2, 19), shift R cycles.
    struct Case {
        unsigned rows, cols;
        Cycle start, end;
    };
    for (const Case c : {Case{4, 8, 23, 35}, Case{8, 4, 27, 39}}) {
        INFO(c.rows << "x" << c.cols);
        RoundChip spec;
        spec.rows = c.rows;
        spec.cols = c.cols;
        const auto r = run(spec.build(), fmt::format("read_weights weight_addr=0 tile_rows={} tile_cols={}\n"
                                                     "matrix_multiply ub_addr=0 acc_addr=0 rows=1 switch=1\n",
                                                     c.rows, c.cols));
        expect_log(r, {{0, 1, 19}, {1, c.start, c.end}});
        expect_tiles(r, {{1, 19, c.start}});
        expect_categories(r, {1, 17, c.rows, 0, 0, c.end - 1 - 17 - c.rows});
    }
}

TEST_CASE("weight shift: waits until the last vector on the old tile has passed the last cell", "[timing][matrix]") {
    RoundChip spec;
    spec.fifo_depth = 3;  // tile 2 is requested at once and arrives early
    const auto chip = spec.build();
    // 0 read_weights count=3: arrivals 15, 19, 23.
    // 1 matmul switch (tile 0), B=8: s 19, input [19, 27), last entry e = 26,
    //   end 19 + 7 + 8 = 34. First switch: shadow_free = 19, tile 1 shifts [19, 23).
    // 2 matmul switch (tile 1), B=1: s = 27 (back to back); shadow_free =
    //   max(27, e + R + C - 2) = max(27, 26 + 6) = 32: tile 2, in the FIFO since 23,
    //   shifts [32, 36). end 27 + 8 = 35.
    // 3 matmul switch (tile 2): issued 27, taken 28: weight shift [28, 36), s = 36, end 44.
    const auto r = run(chip, fmt::format("{} count=3\n"
                                         "matrix_multiply ub_addr=0 acc_addr=0 rows=8 switch=1\n"
                                         "matrix_multiply ub_addr=0 acc_addr=8 rows=1 switch=1\n"
                                         "matrix_multiply ub_addr=0 acc_addr=9 rows=1 switch=1\n",
                                         kTile));
    expect_log(r, {{0, 1, 23}, {1, 19, 34}, {2, 27, 35}, {27, 36, 44}});
    expect_tiles(r, {{1, 15, 19}, {2, 19, 23}, {3, 23, 36}});
    // Weight stall [2, 15) = 13; shift [15, 19) + [28, 36) = 12; active 10.
    expect_categories(r, {10, 13, 12, 0, 0, 44 - 10 - 13 - 12});
    CHECK(r.cycles == 44);
}

TEST_CASE("weight shift: after a late switch the shadow buffer frees at the switch", "[timing][matrix]") {
    RoundChip spec;
    spec.fifo_depth = 3;
    const auto chip = spec.build();
    // 0 read_weights count=3: arrivals 15, 19, 23.
    // 1 matmul switch (tile 0), B=1: s 19, e = 19, end 27; tile 1 shifts [19, 23).
    // 2 nop 30: issue 2, next issue 33.
    // 3 matmul switch (tile 1): issue 33, s 34; shadow_free = max(34, 19 + 6) = 34: the
    //   old tile's buffer is free long before, but holds tile 1 until the switch.
    //   Tile 2 shifts [34, 38). end 42.
    // 4 matmul switch (tile 2): issue 34, taken 35: weight shift [35, 38), s = 38, end 46.
    const auto r = run(chip, fmt::format("{} count=3\n"
                                         "matrix_multiply ub_addr=0 acc_addr=0 rows=1 switch=1\n"
                                         "nop cycles=30\n"
                                         "matrix_multiply ub_addr=0 acc_addr=1 rows=1 switch=1\n"
                                         "matrix_multiply ub_addr=0 acc_addr=2 rows=1 switch=1\n",
                                         kTile));
    expect_log(r, {{0, 1, 23}, {1, 19, 27}, {2, 3, 33}, {33, 34, 42}, {34, 38, 46}});
    expect_tiles(r, {{1, 15, 19}, {2, 19, 23}, {3, 23, 38}});
    expect_categories(r, {3, 13, 4 + 3, 0, 0, 46 - 3 - 13 - 7});
}

TEST_CASE("first switch: the first tile shifts in on arrival, the second waits for the switch", "[timing][matrix]") {
    const auto chip = RoundChip{}.build();
    // 0 read_weights count=2: tile 0 arrives 15 and shifts [15, 19) at once
    //   (shadow_free = 0 before the first switch); tile 1 arrives 19 and waits.
    // 1 nop 50: next issue 52.
    // 2 matmul switch (tile 0): issue 52, s 53 with no weight wait; no tile was active, so
    //   shadow_free = 53: tile 1 shifts [53, 57). end 61.
    // 3 matmul switch (tile 1): issue 53, taken 54: weight shift [54, 57), s 57, end 65.
    const auto r = run(chip, fmt::format("{} count=2\n"
                                         "nop cycles=50\n"
                                         "matrix_multiply ub_addr=0 acc_addr=0 rows=1 switch=1\n"
                                         "matrix_multiply ub_addr=0 acc_addr=1 rows=1 switch=1\n",
                                         kTile));
    expect_log(r, {{0, 1, 19}, {1, 2, 52}, {52, 53, 61}, {53, 57, 65}});
    expect_tiles(r, {{1, 15, 19}, {2, 19, 57}});
    expect_categories(r, {2, 0, 3, 0, 0, 65 - 2 - 3});
}

TEST_CASE("streaming: matmuls follow each other with no bubble, also across a switch", "[timing][matrix]") {
    const auto chip = RoundChip{}.build();
    // 0 read_weights count=2: tile 0 ready 19; tile 1 arrives 19.
    // 1 nop 30: issue 1, next issue 32.
    // 2 matmul switch (tile 0) B=5: s 33, input [33, 38); shadow_free = 33: tile 1 shifts
    //   [33, 37). end 33 + 4 + 8 = 45.
    // 3 matmul B=3: issue 33, taken when the unit is free: s 38, input [38, 41),
    //   end 38 + 2 + 8 = 48.
    // 4 matmul switch (tile 1) B=2: issue 38 (the latch held 3 until then); tile 1 ready
    //   since 37: s 41, input [41, 43),
    //   end 41 + 1 + 8 = 50. Ten input cycles in a row, no weight wait.
    const auto r = run(chip, fmt::format("{} count=2\n"
                                         "nop cycles=30\n"
                                         "matrix_multiply ub_addr=0 acc_addr=0 rows=5 switch=1\n"
                                         "matrix_multiply ub_addr=0 acc_addr=5 rows=3\n"
                                         "matrix_multiply ub_addr=0 acc_addr=8 rows=2 switch=1\n",
                                         kTile));
    expect_log(r, {{0, 1, 19}, {1, 2, 32}, {32, 33, 45}, {33, 38, 48}, {38, 41, 50}});
    expect_tiles(r, {{1, 15, 19}, {2, 19, 37}});
    expect_categories(r, {10, 0, 0, 0, 0, 50 - 10});
}

// ---------------------------------------------------------------------------------------
// Matrix unit: streaming

TEST_CASE("matmul end: s + (B-1)*cpv + R + C, and the accumulator rows are read after it", "[timing][matrix]") {
    RoundChip spec;
    spec.cols = 8;  // R = 4, C = 8, W = 8: a tile of 32 bytes
    const auto chip = spec.build();
    // 0 read_weights 4x8: data [11, 19), shift [19, 23).
    // 1 matmul B=5: s 23, end 23 + 4 + 4 + 8 = 39. Vector 0 is in the accumulators at
    //   s + R + C = 35, but the hazard rule waits for the instruction's writes: 39.
    // 2 activate reads accumulator row 0: s 39, P = ceil(1*8/4) = 2, end 39 + 2 + 3 = 44.
    const auto r = run(chip,
                       "read_weights weight_addr=0 tile_rows=4 tile_cols=8\n"
                       "matrix_multiply ub_addr=0 acc_addr=0 rows=5 switch=1\n"
                       "activate acc_addr=0 ub_addr=16 rows=1 function=relu\n");
    expect_log(r, {{0, 1, 19}, {1, 23, 39}, {2, 39, 44}});
    CHECK(r.cycles == 44);
}

TEST_CASE("16-bit operands: each vector occupies the array for cpv cycles", "[timing][matrix]") {
    // 0 read_weights: ready 19.
    // 1 matmul B=3 switch: s 19, input [19, 19 + 3cpv), end 19 + 2cpv + 8.
    // 2 matmul B=1: s2 = 19 + 3cpv, end = s2 + 8. array_active = 4 vectors x cpv.
    // 3 read_host_memory overwrites UB row 0, which 2 reads until s2 + cpv = 19 + 4cpv:
    //   data [29 + 4cpv, 30 + 4cpv). The run ends at max(end of 2, 30 + 4cpv).
    // (Timing only: the simulator does not compute 16-bit products, so data=false.)
    struct Case {
        const char* mode;
        Cycle end1, start2, end2, start3, cycles;
        std::uint64_t active;
    };
    const Case cases[] = {
        {"int8", 29, 22, 30, 23, 34, 4},     // cpv 1
        {"int8x16", 31, 25, 33, 27, 38, 8},  // cpv 2
        {"int16", 35, 31, 39, 35, 46, 16},   // cpv 4
    };
    for (const auto& c : cases) {
        INFO("operand_mode " << c.mode);
        RoundChip spec;
        spec.operand_mode = c.mode;
        const auto r = run(spec.build(), fmt::format("{}\n"
                                                     "matrix_multiply ub_addr=0 acc_addr=0 rows=3 switch=1\n"
                                                     "matrix_multiply ub_addr=0 acc_addr=3 rows=1\n"
                                                     "read_host_memory host_addr=0 ub_addr=0 rows=1\n",
                                                     kTile),
                           false);
        expect_log(r, {{0, 1, 15}, {1, 19, c.end1}, {2, c.start2, c.end2}, {3, c.start3, c.start3 + 11}});
        expect_categories(r, {c.active, 13, 4, 0, 0, c.cycles - c.active - 13 - 4});
        CHECK(r.cycles == c.cycles);
        CHECK(matrix_stats(r).get("useful_macs") == 4 * 16);
    }
}

TEST_CASE("convolve: B = rows x outer, hazards on the span from its first to its last row", "[timing][matrix]") {
    const auto chip = RoundChip{}.build();
    // 0 read_host_memory 16 rows into UB 100..115: data [11, 27).
    // 1 read_host_memory 1 row into UB row 3: q 2, data [max(12, 27), 28): done 28.
    // 2 read_weights: q 3, data [13, 17), shift [17, 21).
    // 3 convolve rows=3 outer=2 step=1 pitch=4 reads rows 0,1,2,4,5,6; its span 0..6
    //   includes row 3, so it waits for instruction 1: weight stall [4, 17), shift
    //   [17, 21), input stall [21, 28): s 28. B = 6: input [28, 34), end 28 + 5 + 8 = 41.
    // 4 matmul B=1: s 34 (back to back), end 42.
    const auto r = run(chip, fmt::format("read_host_memory host_addr=0 ub_addr=100 rows=16\n"
                                         "read_host_memory host_addr=0 ub_addr=3 rows=1\n"
                                         "{}\n"
                                         "convolve ub_addr=0 acc_addr=0 rows=3 outer=2 step=1 pitch=4 switch=1\n"
                                         "matrix_multiply ub_addr=8 acc_addr=6 rows=1\n",
                                         kTile));
    expect_log(r, {{0, 1, 27}, {1, 2, 28}, {2, 3, 17}, {3, 28, 41}, {4, 34, 42}});
    CHECK(r.instructions[3].stall == sim::StallReason::WeightFetch);
    expect_categories(r, {7, 13, 4, 0, 7, 42 - 7 - 13 - 4});
    CHECK(matrix_stats(r).get("vectors") == 7);
}

// ---------------------------------------------------------------------------------------
// Activation unit

TEST_CASE("activation unit: input phase P and latency per instruction", "[timing][activation]") {
    RoundChip spec;
    spec.rows = 8;  // R = 8, C = 4, W = 8: Activate's P counts C bytes a row, Vector's W
    spec.activation_throughput = 3;
    spec.activation_latency = 5;
    const auto chip = spec.build();
    // 0 activate 5 rows: s 1, P = ceil(5*4/3) = 7, end 1 + 7 + 5 = 13.
    // 1 vector 5 rows: s 8 (the unit is free), P = ceil(5*8/3) = 14, end 8 + 14 + 5 = 27.
    // 2 set_config: s 22, P 1, end 23 (no pipeline latency).
    // 3 set_config: s 23, end 24. The run ends at 27.
    const auto r = run(chip,
                       "activate acc_addr=0 ub_addr=0 rows=5 function=relu\n"
                       "vector op=add a=16 b=32 dst=48 rows=5\n"
                       "set_config reg=requant_shift value=3\n"
                       "set_config reg=requant_shift value=4\n");
    const Cycle starts[] = {1, 8, 22, 23}, ends[] = {13, 27, 23, 24};
    for (std::size_t i = 0; i < 4; ++i) {
        INFO("instruction " << i);
        CHECK(r.instructions[i].start == starts[i]);
        CHECK(r.instructions[i].end == ends[i]);
    }
    CHECK(sim::find_group(r.stats, "activation_unit").get("busy_cycles") == 7 + 14 + 1 + 1);
    CHECK(r.cycles == 27);
}

TEST_CASE("pooling writes fewer rows but does not change the timing", "[timing][activation]") {
    const auto chip = RoundChip{}.build();
    // 0-2 set_config: s 1, 2, 3. 3 activate 16 rows (a 4x4 pixel grid): s 4,
    // P = ceil(16*4/4) = 16, end 4 + 16 + 3 = 23, whether it writes 16 rows or 2x2 = 4.
    // 4 write_host_memory reads UB rows 0..3 (written by 3): s 23, data [33, 37): end 37.
    for (const char* pool : {"none", "max", "average"}) {
        INFO("pool=" << pool);
        const auto r = run(chip, fmt::format("set_config reg=pool_size value=2\n"
                                             "set_config reg=pool_stride value=2\n"
                                             "set_config reg=pool_input_width value=4\n"
                                             "activate acc_addr=0 ub_addr=0 rows=16 function=relu pool={}\n"
                                             "write_host_memory host_addr=0 ub_addr=0 rows=4\n",
                                             pool));
        CHECK(r.instructions[3].start == 4);
        CHECK(r.instructions[3].end == 23);
        CHECK(r.instructions[4].start == 23);
        CHECK(r.cycles == 37);
        const auto& au = sim::find_group(r.stats, "activation_unit");
        const std::uint64_t rows_written = std::string(pool) == "none" ? 16u : 4u;
        CHECK(au.get("rows_written") == rows_written);
        // Bytes move in whole rows: 16 accumulator rows of C = 4 sums of 4 bytes read, and
        // rows of W = 4 bytes written to the UB, which the write-host transfer reads back.
        CHECK(au.get("acc_bytes_read") == 16 * 4 * 4);
        CHECK(au.get("ub_bytes_read") == 0);
        CHECK(au.get("ub_bytes_written") == rows_written * 4);
        CHECK(ub_stats(r).get("bytes_written") == rows_written * 4);
        CHECK(ub_stats(r).get("bytes_read") == 4 * 4);
    }
}

// ---------------------------------------------------------------------------------------
// Unified buffer ports

TEST_CASE("one read port: a multiply and a UB-to-host transfer take turns", "[timing][ports]") {
    SECTION("the transfer reserved the port first: the multiply waits for it") {
        // 0 read_weights: q 1, data [11, 15), shift [15, 19): ready 19.
        // 1 matmul B=8 switch from UB 0..7: issue 1, ready 2; its other conditions hold at 19.
        // 2 write_host_memory 40 rows from UB 100..139: issue 2, ready 3; it reserves the read
        //   port in cycle 3 for its data, [3 + 10, 13 + 40) = [13, 53): s 3, end 53.
        // In cycle 19 the multiply asks for [s, s + 8): the port is held until 53: s 53,
        //   input [53, 61), end 53 + 7 + 8 = 68. Its wait [2, 53): weight stall [2, 15) = 13,
        //   shift [15, 19) = 4, port [19, 53) = 34, the longest: stall ub_port.
        //   non_matrix = 68 - 8 - 13 - 4 = 43 (the port wait is neither RAW nor input stall).
        // Rows through the read port: 8 + 40 = 48.
        const std::string program = fmt::format("{}\n"
                                                "matrix_multiply ub_addr=0 acc_addr=0 rows=8 switch=1\n"
                                                "write_host_memory host_addr=0 ub_addr=100 rows=40\n",
                                                kTile);
        RoundChip spec;
        spec.read_ports = 1;
        const auto r = run(spec.build(), program);
        expect_log(r, {{0, 1, 15}, {1, 53, 68}, {2, 3, 53}});
        CHECK(r.instructions[1].stall == sim::StallReason::UbPort);
        expect_categories(r, {8, 13, 4, 0, 0, 43});
        CHECK(ub_stats(r).get("port_wait_cycles") == 34);
        CHECK(ub_stats(r).get("reads") == 48);
        CHECK(ub_stats(r).get("writes") == 0);
        CHECK(r.cycles == 68);
        // With two read ports both proceed: s 19, end 19 + 7 + 8 = 34; the run ends at 53.
        const auto two = run(RoundChip{}.build(), program);
        expect_log(two, {{0, 1, 15}, {1, 19, 34}, {2, 3, 53}});
        CHECK(two.instructions[1].stall == sim::StallReason::WeightFetch);
        CHECK(ub_stats(two).get("port_wait_cycles") == 0);
        CHECK(two.cycles == 53);
    }
    SECTION("the multiply reserved the port first: the transfer waits for it") {
        // 0 read_weights: ready 19.
        // 1 matmul B=20 switch: reserves [19, 39) in cycle 19: s 19, end 19 + 19 + 8 = 46.
        // 2 nop 17: issue 2, next issue 20.
        // 3 write_host_memory 2 rows: issue 20, ready 21; its data would move [31, 33), but
        //   the port is held until 39: data [39, 41), so s = 39 - 10 = 29, end 41; port wait
        //   29 - 21 = 8: stall ub_port. The run ends at 46.
        const std::string program = fmt::format("{}\n"
                                                "matrix_multiply ub_addr=0 acc_addr=0 rows=20 switch=1\n"
                                                "nop cycles=17\n"
                                                "write_host_memory host_addr=0 ub_addr=100 rows=2\n",
                                                kTile);
        RoundChip spec;
        spec.read_ports = 1;
        const auto r = run(spec.build(), program);
        expect_log(r, {{0, 1, 15}, {1, 19, 46}, {2, 3, 20}, {20, 29, 41}});
        CHECK(r.instructions[3].stall == sim::StallReason::UbPort);
        CHECK(ub_stats(r).get("port_wait_cycles") == 8);
        CHECK(r.cycles == 46);
        // With two read ports: s 21, data [31, 33), end 33.
        const auto two = run(RoundChip{}.build(), program);
        expect_log(two, {{0, 1, 15}, {1, 19, 46}, {2, 3, 20}, {20, 21, 33}});
        CHECK(two.instructions[3].stall == sim::StallReason::None);
    }
}

TEST_CASE("one write port: Activate and a host-to-UB transfer take turns", "[timing][ports]") {
    RoundChip spec;
    spec.write_ports = 1;
    const auto chip = spec.build();
    SECTION("an Activate holds the write port while its results leave the pipeline") {
        // 0 activate 10 rows: s 1, P 10; it writes [1 + 3, 1 + 3 + 10) = [4, 14); end 14.
        // 1 read_host_memory 4 rows into UB 100..103: issue 1, ready 2; its data would move
        //   [12, 16), but the port is held until 14: data [14, 18), s = 14 - 10 = 4, end 18;
        //   port wait 2: stall ub_port. Rows written: 10 + 4.
        const auto r = run(chip,
                           "activate acc_addr=0 ub_addr=0 rows=10 function=identity\n"
                           "read_host_memory host_addr=0 ub_addr=100 rows=4\n");
        expect_log(r, {{0, 1, 14}, {1, 4, 18}});
        CHECK(r.instructions[1].stall == sim::StallReason::UbPort);
        CHECK(ub_stats(r).get("port_wait_cycles") == 2);
        CHECK(ub_stats(r).get("writes") == 14);
        CHECK(ub_stats(r).get("reads") == 0);
        CHECK(r.cycles == 18);
        // With two write ports: s 2, data [12, 16), end 16.
        expect_log(run(RoundChip{}.build(),
                       "activate acc_addr=0 ub_addr=0 rows=10 function=identity\n"
                       "read_host_memory host_addr=0 ub_addr=100 rows=4\n"),
                   {{0, 1, 14}, {1, 2, 16}});
    }
    SECTION("an Activate waits until its writes fit after a transfer's") {
        // 0 read_host_memory 8 rows: s 1, data [11, 19), end 19.
        // 1 activate 10 rows: issue 1, ready 2; its writes [s + 3, s + 13) must begin at 19
        //   or later: s 16, P 10, end 16 + 10 + 3 = 29; port wait 14: stall ub_port.
        const auto r = run(chip,
                           "read_host_memory host_addr=0 ub_addr=100 rows=8\n"
                           "activate acc_addr=0 ub_addr=0 rows=10 function=identity\n");
        expect_log(r, {{0, 1, 19}, {1, 16, 29}});
        CHECK(r.instructions[1].stall == sim::StallReason::UbPort);
        CHECK(ub_stats(r).get("port_wait_cycles") == 14);
        CHECK(r.cycles == 29);
    }
}

TEST_CASE("a Vector reads through two read ports, or one at half speed", "[timing][ports]") {
    // 0 read_weights: ready 19.
    // 1 matmul B=8 switch: reserves one read port for [19, 27); s 19, end 19 + 7 + 8 = 34.
    // 2 nop 17: issue 2, next issue 20.
    // 3 vector 4 rows (rows apart from the matmul's: no hazard): issue 20, ready 21.
    //   P = ceil(4 * 4 / 4) = 4 with two or more read ports, 2P = 8 with one.
    //   2 read ports: it needs both, one is held until 27: s 27, end 27 + 4 + 3 = 34.
    //   3 read ports: 1 + 2 fit: s 21, end 21 + 4 + 3 = 28.
    //   1 read port: it needs the one, held until 27: s 27, end 27 + 8 + 3 = 38.
    // Its write port, [s + 3, s + 3 + P), is free in every case. Rows: 8 + 2 x 4 read, 4 written.
    struct Case {
        unsigned read_ports;
        Cycle start, end, cycles, busy, wait;
    };
    const Case cases[] = {{2, 27, 34, 34, 4, 6}, {3, 21, 28, 34, 4, 0}, {1, 27, 38, 38, 8, 6}};
    for (const auto& c : cases) {
        INFO("read_ports " << c.read_ports);
        RoundChip spec;
        spec.read_ports = c.read_ports;
        const auto r = run(spec.build(), fmt::format("{}\n"
                                                     "matrix_multiply ub_addr=0 acc_addr=0 rows=8 switch=1\n"
                                                     "nop cycles=17\n"
                                                     "vector op=add a=16 b=32 dst=48 rows=4\n",
                                                     kTile));
        expect_log(r, {{0, 1, 15}, {1, 19, 34}, {2, 3, 20}, {20, c.start, c.end}});
        CHECK(r.instructions[3].stall == (c.wait > 0 ? sim::StallReason::UbPort : sim::StallReason::None));
        CHECK(ub_stats(r).get("port_wait_cycles") == c.wait);
        CHECK(ub_stats(r).get("reads") == 16);
        CHECK(ub_stats(r).get("writes") == 4);
        CHECK(sim::find_group(r.stats, "activation_unit").get("busy_cycles") == c.busy);
        // In bytes, W = 4 a row: the multiply reads 8 rows (32 B) and writes 8 accumulator
        // rows of 4 sums (128 B); the Vector reads 8 rows (32 B) and writes 4 (16 B).
        CHECK(matrix_stats(r).get("ub_bytes_read") == 32);
        CHECK(matrix_stats(r).get("acc_bytes_written") == 128);
        CHECK(sim::find_group(r.stats, "activation_unit").get("ub_bytes_read") == 32);
        CHECK(sim::find_group(r.stats, "activation_unit").get("ub_bytes_written") == 16);
        CHECK(ub_stats(r).get("bytes_read") == 64);
        CHECK(ub_stats(r).get("bytes_written") == 16);
        CHECK(r.cycles == c.cycles);
    }
}

TEST_CASE("UB port requests made in the same cycle are placed in program order", "[timing][ports]") {
    // One write port. Instruction 0, write_host_memory of UB rows 0..15 (64 B, 16 cycles):
    // s 1, its data reads [11, 27), end 27. An Activate writing UB 0..9 and a host-to-UB
    // transfer into UB 12 both write rows that instruction 0 reads, on units other than
    // its own: each waits for it (WAR) until 27, so both ask for the write port in cycle
    // 27, whichever order the simulator runs their units in. The earlier in the program
    // is placed first; swapping the two instructions swaps who waits.
    RoundChip spec;
    spec.write_ports = 1;
    const auto chip = spec.build();
    const std::string out = "write_host_memory host_addr=0 ub_addr=0 rows=16\n";
    const std::string activate = "activate acc_addr=0 ub_addr=0 rows=10 function=identity\n";
    const std::string in = "read_host_memory host_addr=0x100 ub_addr=12 rows=1\n";
    SECTION("the Activate first") {
        // 1 activate (issue 1): s 27, P 10, writes [30, 40), end 27 + 10 + 3 = 40.
        // 2 read_host_memory 1 row (issue 2): at s 27 its data would move [37, 38), inside
        //   the Activate's writes; the first start that clears them is 30: data [40, 41),
        //   end 41. Port wait 3 (shorter than its hazard wait [3, 27), which stays its stall).
        const auto r = run(chip, out + activate + in);
        expect_log(r, {{0, 1, 27}, {1, 27, 40}, {2, 30, 41}});
        CHECK(r.instructions[2].stall == sim::StallReason::Hazard);
        CHECK(ub_stats(r).get("port_wait_cycles") == 3);
        CHECK(r.cycles == 41);
    }
    SECTION("the transfer first") {
        // 1 read_host_memory (issue 1): s 27, data [37, 38), end 38.
        // 2 activate (issue 2): at s 27 its writes [30, 40) would cover 37; the port is free
        //   again from 38, so s + 3 = 38: s 35, writes [38, 48), end 35 + 10 + 3 = 48.
        //   Port wait 8.
        const auto r = run(chip, out + in + activate);
        expect_log(r, {{0, 1, 27}, {1, 27, 38}, {2, 35, 48}});
        CHECK(ub_stats(r).get("port_wait_cycles") == 8);
        CHECK(r.cycles == 48);
    }
}

TEST_CASE("a UB port reservation may take a gap between earlier ones but never moves one", "[timing][ports]") {
    // One write port; P = rows for an Activate on C = 4 columns at 4 B/cycle, latency 3.
    // 0 activate 4 rows: s 1, writes [4, 8), end 8. The unit is free at 5.
    // 1 read_host_memory 4 rows into UB 100..103: issue 1, ready 2; reserved in cycle 2:
    //   data [12, 16), end 16. The write port is now held [4, 8) and [12, 16).
    // 2 activate 2 rows: issue 2, waits in the stage latch; taken at 5 (ready 5): writes
    //   [8, 10), which fits the gap between the two: s 5, end 5 + 2 + 3 = 10.
    // 3 activate 4 rows: issued 5 when the latch frees, taken at 7 (ready 7): writes
    //   [10, 14) would overlap [12, 16), and the gap [10, 12) is too short. The transfer
    //   keeps its reservation (it still ends at 16): the writes begin at 16, s 13, end
    //   13 + 4 + 3 = 20; port wait 6, its stall ub_port.
    const std::string program =
        "activate acc_addr=0 ub_addr=0 rows=4 function=identity\n"
        "read_host_memory host_addr=0 ub_addr=100 rows=4\n"
        "activate acc_addr=4 ub_addr=10 rows=2 function=identity\n"
        "activate acc_addr=8 ub_addr=20 rows=4 function=identity\n";
    RoundChip spec;
    spec.write_ports = 1;
    const auto r = run(spec.build(), program);
    expect_log(r, {{0, 1, 8}, {1, 2, 16}, {2, 5, 10}, {5, 13, 20}});
    CHECK(r.instructions[2].stall == sim::StallReason::UnitBusy);
    CHECK(r.instructions[3].stall == sim::StallReason::UbPort);
    CHECK(ub_stats(r).get("port_wait_cycles") == 6);
    CHECK(r.cycles == 20);
    // With two write ports nothing waits for a port: instruction 3 starts when taken, 7.
    const auto two = run(RoundChip{}.build(), program);
    expect_log(two, {{0, 1, 8}, {1, 2, 16}, {2, 5, 10}, {5, 7, 14}});
    CHECK(ub_stats(two).get("port_wait_cycles") == 0);
}

// ---------------------------------------------------------------------------------------
// Cycle categories

TEST_CASE("cycle categories: weight stall, weight shift, input stall and RAW stall", "[timing][categories]") {
    const auto chip = RoundChip{}.build();
    // 0 read_host_memory 16 rows into UB 0..15 (64 B): data [11, 27): done 27.
    // 1 read_weights (tile 0): q 2, data [12, 16), shift [16, 20).
    // 2 matmul switch, B=4, reads UB 0..3: a = 3. Weight stall [3, 16) = 13, weight shift
    //   [16, 20) = 4, then the host transfer: input stall [20, 27) = 7. s 27, input
    //   [27, 31), end 27 + 3 + 8 = 38. First switch: shadow_free = 27.
    // 3 activate accumulator rows 0..3 into UB 16..19: waits for 38; P 4, end 45.
    // 4 read_weights (tile 1): issue 4, q 5, data [max(15, 16), 20), shift [27, 31).
    // 5 matmul switch, B=4, reads UB 16..19: taken at 31 (a = 31), tile 1 ready 31,
    //   waits for the activate (another unit, not the host): RAW stall [31, 45) = 14.
    //   s 45, end 45 + 3 + 8 = 56.
    // The run ends at 56: active 8, non_matrix 56 - 8 - 13 - 4 = 31 (of which 7 input
    // stall and 14 RAW stall).
    const auto r = run(chip, fmt::format("read_host_memory host_addr=0 ub_addr=0 rows=16\n"
                                         "{0}\n"
                                         "matrix_multiply ub_addr=0 acc_addr=0 rows=4 switch=1\n"
                                         "activate acc_addr=0 ub_addr=16 rows=4 function=relu\n"
                                         "{0}\n"
                                         "matrix_multiply ub_addr=16 acc_addr=4 rows=4 switch=1\n"
                                         "halt\n",
                                         kTile));
    expect_log(r, {{0, 1, 27}, {1, 2, 16}, {2, 27, 38}, {3, 38, 45}, {4, 5, 20}, {5, 45, 56}, {6, 7, 56}});
    expect_tiles(r, {{2, 16, 20}, {5, 20, 31}});
    CHECK(r.instructions[2].stall == sim::StallReason::WeightFetch);  // 13 of its 24 cycles
    CHECK(r.instructions[5].stall == sim::StallReason::Hazard);
    expect_categories(r, {8, 13, 4, 14, 7, 31});
    CHECK(r.cycles == 56);
}

TEST_CASE("cycle categories: a range sync's wait while the matrix unit is idle is input or RAW stall",
          "[timing][categories]") {
    const auto chip = RoundChip{}.build();
    // 0 read_host_memory 16 rows into UB 0..15: data [11, 27): done 27.
    // 1 read_weights (tile 0): q 2, data [12, 16), shift [16, 20).
    // 2 sync ub_range rows 0..3, issue 2: waits [3, 27) for instruction 0 (the host). The
    //   matrix unit has no instruction: 24 cycles of input stall.
    // 3 matmul switch, B=4, reads UB 0..3, issue 27: ready 28, tile ready 20, s 28, input
    //   [28, 32), end 28 + 3 + 8 = 39. First switch: shadow_free = 28.
    // 4 activate accumulator rows 0..3 into UB 16..19, issue 28: waits for 39; P 4, end
    //   39 + 4 + 3 = 46.
    // 5 read_weights (tile 1), issue 29: q 30, data [40, 44), shift [44, 48).
    // 6 sync ub_range rows 16..19, issue 30: waits [31, 46) for the activate. The matrix
    //   unit streams instruction 3 until 32 (claimed), then is idle: RAW stall [32, 46) = 14.
    // 7 matmul switch, B=4, reads UB 16..19, issue 46: ready 47, tile 1 arrived 44 and is
    //   shifted in at 48: weight shift [47, 48) = 1. s 48, end 48 + 3 + 8 = 59.
    // The run ends at 59: active 8, weight shift 1, non_matrix 59 - 8 - 1 = 50, of which
    // 24 input stall and 14 RAW stall.
    const auto r = run(chip, fmt::format("read_host_memory host_addr=0 ub_addr=0 rows=16\n"
                                         "{0}\n"
                                         "sync mode=ub_range addr=0 length=4\n"
                                         "matrix_multiply ub_addr=0 acc_addr=0 rows=4 switch=1\n"
                                         "activate acc_addr=0 ub_addr=16 rows=4 function=relu\n"
                                         "{0}\n"
                                         "sync mode=ub_range addr=16 length=4\n"
                                         "matrix_multiply ub_addr=16 acc_addr=4 rows=4 switch=1\n",
                                         kTile));
    expect_log(r, {{0, 1, 27}, {1, 2, 16}, {2, 3, 27}, {27, 28, 39}, {28, 39, 46}, {29, 30, 44}, {30, 31, 46},
                   {46, 48, 59}});
    expect_tiles(r, {{2, 16, 20}, {30, 44, 48}});
    expect_categories(r, {8, 0, 1, 14, 24, 50});
    CHECK(r.cycles == 59);
}

TEST_CASE("cycle categories add up to the run, and MACs split by the tile's shape", "[timing][categories]") {
    const auto chip = RoundChip{}.build();
    // A 2x3 tile (6 bytes, ceil(6/4) = 2 cycles): data [11, 13), shift [13, 17).
    // matmul B=5: s 17, end 17 + 4 + 8 = 29. Active 5, weight stall [2, 13) = 11, weight
    // shift [13, 17) = 4, non_matrix 29 - 5 - 11 - 4 = 9: 5 + 11 + 4 + 9 = 29 cycles.
    // MACs: useful 5 x 2*3 = 30, unused 5 x (16 - 6) = 50.
    const auto r = run(chip,
                       "read_weights weight_addr=0 tile_rows=2 tile_cols=3\n"
                       "matrix_multiply ub_addr=0 acc_addr=0 rows=5 switch=1\n");
    expect_log(r, {{0, 1, 13}, {1, 17, 29}});
    expect_categories(r, {5, 11, 4, 0, 0, 9});
    const auto& mu = matrix_stats(r);
    CHECK(mu.get("array_active") + mu.get("weight_stall") + mu.get("weight_shift") + mu.get("non_matrix") == 29);
    CHECK(mu.get("useful_macs") == 30);
    CHECK(mu.get("unused_macs") == 50);
    CHECK(r.cycles == 29);
}
