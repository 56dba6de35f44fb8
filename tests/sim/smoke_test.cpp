// One small program end to end on the teaching chip, every cycle derived by hand. The
// timing rules are in docs/timing-model.md; each has its own test in timing_rules_test.cpp.
#include "sim_harness.hpp"

#include "sim/sim_error.hpp"

#include <catch2/catch.hpp>

using namespace tpusim;

TEST_CASE("a load-multiply-activate-store program on the teaching chip", "[sim]") {
    // teaching-8x8: R=C=W=8, clock 1 GHz, host link 2 B/cycle with 100 cycles latency,
    // weight memory 4 B/cycle with 20 cycles latency, activation 8 B/cycle, latency 2.
    const auto chip = test::shipped_chip("teaching-8x8");
    const auto run = test::run_asm(chip,
                                   "read_host_memory host_addr=0 ub_addr=0 rows=4\n"               // 0
                                   "read_weights weight_addr=0 tile_rows=8 tile_cols=8 count=1\n"  // 1
                                   "matrix_multiply ub_addr=0 acc_addr=0 rows=4 switch=1\n"       // 2
                                   "activate acc_addr=0 ub_addr=16 rows=4 function=relu pool=none\n"  // 3
                                   "write_host_memory host_addr=64 ub_addr=16 rows=4\n"           // 4
                                   "halt\n",                                                      // 5
                                   std::vector<std::uint8_t>(128, 1), std::vector<std::uint8_t>(64, 1));
    const auto& in = run.instructions;
    // 0: issued 0, starts 1; 32 bytes: data moves from 1+100=101 for 32/2=16 cycles -> 117.
    CHECK(in[0].start == 1);
    CHECK(in[0].end == 117);
    // 1: issued 1, starts 2; 64 bytes from 2+20=22 for 16 cycles: arrives 38; shifts 38..45,
    //    ready 46.
    CHECK(in[1].start == 2);
    CHECK(in[1].end == 38);
    // 2: issued 2, ready 3; waits for UB rows 0..3 (done 117): s=117.
    //    end = s + (B-1) + R + C = 117 + 3 + 16 = 136.
    CHECK(in[2].start == 117);
    CHECK(in[2].end == 136);
    // 3: waits for accumulators 0..3 (136); P = ceil(4*8/8) = 4; end = 136 + 4 + 2 = 142.
    CHECK(in[3].start == 136);
    CHECK(in[3].end == 142);
    // 4: waits for UB rows 16..19 (142); 142 + 100 = 242, + 16 = 258.
    CHECK(in[4].start == 142);
    CHECK(in[4].end == 258);
    CHECK(run.cycles == 258);
    // Matrix-unit categories: waiting [3,117): weight stall [3,38)=35, shift [38,46)=8,
    // input stall [46,117)=71; active 4; non-matrix = 258 - 4 - 35 - 8 = 211.
    const auto& mu = sim::find_group(run.stats, "matrix_unit");
    CHECK(mu.get("array_active") == 4);
    CHECK(mu.get("weight_stall") == 35);
    CHECK(mu.get("weight_shift") == 8);
    CHECK(mu.get("input_stall") == 71);
    CHECK(mu.get("non_matrix") == 211);
    CHECK(mu.get("array_active") + mu.get("weight_stall") + mu.get("weight_shift") + mu.get("non_matrix") == run.cycles);
    // Data: every input and weight is 1, so each sum is 8; relu keeps it; rows 16..19 hold
    // 8 in all columns and land in host bytes 64..95.
    for (int b = 64; b < 96; ++b) CHECK(run.host[static_cast<std::size_t>(b)] == 8);
}

TEST_CASE("timing-only runs give identical cycles", "[sim]") {
    const auto chip = test::shipped_chip("teaching-8x8");
    const std::string body =
        "read_host_memory host_addr=0 ub_addr=0 rows=4\n"
        "read_weights weight_addr=0 tile_rows=8 tile_cols=8 count=1\n"
        "matrix_multiply ub_addr=0 acc_addr=0 rows=4 switch=1\n"
        "activate acc_addr=0 ub_addr=16 rows=4 function=relu pool=none\n"
        "write_host_memory host_addr=64 ub_addr=16 rows=4\n";
    sim::RunOptions timing_only;
    timing_only.data = false;
    const auto a = test::run_asm(chip, body, std::vector<std::uint8_t>(128, 1));
    const auto b = test::run_asm(chip, body, std::vector<std::uint8_t>(128, 1), {}, timing_only);
    CHECK(a.cycles == b.cycles);
    for (std::size_t i = 0; i < a.instructions.size(); ++i) {
        CHECK(a.instructions[i].start == b.instructions[i].start);
        CHECK(a.instructions[i].end == b.instructions[i].end);
    }
}

TEST_CASE("a matrix_multiply waiting for a tile that never comes is a deadlock, not a hang", "[sim]") {
    // Five tiles into a 2-deep FIFO with a single switch: tile 0 shifts into the shadow
    // buffer and is switched in, tile 1 shifts in behind it, tiles 2 and 3 fill the FIFO,
    // and tile 4 waits for tile 2 to leave, which needs a second switch that never comes.
    const auto chip = test::shipped_chip("teaching-8x8");
    CHECK_THROWS_AS(test::run_asm(chip,
                                  "read_weights weight_addr=0 tile_rows=8 tile_cols=8 count=5\n"
                                  "matrix_multiply ub_addr=0 acc_addr=0 rows=1 switch=1\n",
                                  std::vector<std::uint8_t>(8)),
                    sim::DeadlockError);
}
