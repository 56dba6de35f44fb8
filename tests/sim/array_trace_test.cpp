// The cell model's per-cycle picture of the array (tpusim run --array-model cells
// --trace-array N): the diagonal wavefront a student should see.
#include "sim_harness.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace tpusim;

namespace {
const char* kChip = R"(name: wave-4x4
clock: 1GHz
matrix_unit: {rows: 4, cols: 4}
unified_buffer: {capacity: 1KiB}
accumulators: {entries: 16}
weight_fifo: {depth: 2}
weight_memory: {capacity: 1KiB, bandwidth: 4GB/s, latency: 10ns, channels: 1}
host_interface: {bandwidth: 4GB/s, latency: 10ns}
activation: {throughput: 4, latency: 1}
)";
}  // namespace

TEST_CASE("the array trace shows the skewed wavefront of one matrix_multiply", "[sim][cells]") {
    const auto chip = config::parse_chip_config(kChip, "wave-4x4.yaml");
    std::ostringstream trace;
    sim::RunOptions options;
    options.array_model = sim::ArrayModel::Cells;
    options.array_trace = sim::ArrayTrace{&trace, 1};
    const auto run = test::run_asm(chip,
                                   "read_weights weight_addr=0 tile_rows=4 tile_cols=4 count=1\n"
                                   "matrix_multiply ub_addr=0 acc_addr=0 rows=2 switch=1\n",
                                   std::vector<std::uint8_t>(16), {}, options);
    // Tile: requested in cycle 1, 16 bytes at 4 B/cycle after 10 cycles of latency: arrives
    // 1 + 10 + 4 = 15, shifts 15..18, ready 19; the multiply starts in cycle 19.
    REQUIRE(run.instructions[1].start == 19);
    const std::string text = trace.str();
    // Cycle 19: vector 0's element 0 in cell (0,0) only.
    CHECK(text.find("cycle 19: instruction 1 in the array (cell: its vector number)\n"
                    "         c0   c1   c2   c3\n"
                    "  r0      0    .    .    .\n"
                    "  r1      .    .    .    .\n") != std::string::npos);
    // Cycle 21: element r of vector j is in cell (r, c) with j + r + c = 21 - 19 = 2.
    CHECK(text.find("cycle 21: instruction 1 in the array (cell: its vector number)\n"
                    "         c0   c1   c2   c3\n"
                    "  r0      .    1    0    .\n"
                    "  r1      1    0    .    .\n"
                    "  r2      0    .    .    .\n"
                    "  r3      .    .    .    .\n") != std::string::npos);
    // The last element (vector 1, row 3, column 3) is in the array in cycle 19 + 1 + 3 + 3 =
    // 26; nothing of the instruction is left in cycle 27.
    CHECK(text.find("cycle 26:") != std::string::npos);
    CHECK(text.find("cycle 27:") == std::string::npos);
}

TEST_CASE("the array trace needs the cell model and a matrix instruction", "[sim][cells]") {
    const auto chip = config::parse_chip_config(kChip, "wave-4x4.yaml");
    std::ostringstream trace;
    sim::RunOptions options;
    options.array_trace = sim::ArrayTrace{&trace, 1};
    const std::string body =
        "read_weights weight_addr=0 tile_rows=4 tile_cols=4 count=1\n"
        "matrix_multiply ub_addr=0 acc_addr=0 rows=2 switch=1\n";
    CHECK_THROWS_WITH(test::run_asm(chip, body, std::vector<std::uint8_t>(16), {}, options),
                      Catch::Contains("--array-model cells"));
    options.array_model = sim::ArrayModel::Cells;
    options.array_trace.instruction = 0;
    CHECK_THROWS_WITH(test::run_asm(chip, body, std::vector<std::uint8_t>(16), {}, options),
                      Catch::Contains("instruction 0 is not a matrix_multiply"));
}
