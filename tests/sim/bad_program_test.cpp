// Programs the simulator must refuse, and programs that can never finish. A refused program
// gets one line naming the instruction index, its mnemonic and the field (ProgramError);
// a program that can never finish gets one line saying what every unit waits for
// (DeadlockError). Both reach the user through `tpusim run` as one line on stderr and exit
// status 1.
//
// All programs run on the teaching chip: an 8x8 array, UB rows of 8 bytes, 8192 UB rows
// (0x0..0x1fff), 256 accumulator rows (0x0..0xff), 1 MiB of weight memory, a 2-tile FIFO.
#include "run_command.hpp"
#include "sim_harness.hpp"

#include "isa/assembler.hpp"
#include "isa/error.hpp"
#include "isa/forms.hpp"
#include "sim/sim_error.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace tpusim;

namespace {

constexpr std::size_t kHostBytes = 1024;

const config::ChipConfig& teaching() {
    static const config::ChipConfig chip = test::shipped_chip("teaching-8x8");
    return chip;
}

/// The message of the error `run` throws, or a note that it threw none (or another type).
template <typename ErrorType, typename Run>
std::string message_of(Run run) {
    try {
        run();
    } catch (const ErrorType& e) {
        return e.what();
    }
    return "(no error of the expected type)";
}

std::string program_error(const isa::Program& program) {
    return message_of<sim::ProgramError>(
        [&] { sim::simulate(teaching(), program, std::vector<std::uint8_t>(kHostBytes), {}); });
}

std::string program_error(const std::string& body) { return program_error(test::assemble_for(teaching(), body)); }

std::string deadlock(const std::string& body) {
    return message_of<sim::DeadlockError>(
        [&] { test::run_asm(teaching(), body, std::vector<std::uint8_t>(kHostBytes)); });
}

const char* const kTile = "read_weights weight_addr=0 tile_rows=8 tile_cols=8";

struct Case {
    const char* what;
    std::string body;
    std::string message;
};

void check_cases(const std::vector<Case>& cases) {
    for (const auto& c : cases) {
        INFO(c.what << ":\n" << c.body);
        const std::string got = program_error(c.body);
        CHECK(got == c.message);
        CHECK(got.find('\n') == std::string::npos);
    }
}

std::string ub_rows(const char* first, const char* last) {
    return fmt::format("rows {}..{} exceed the unified buffer (8192 rows)", first, last);
}
std::string acc_rows(const char* first, const char* last) {
    return fmt::format("rows {}..{} exceed the accumulators (256 rows)", first, last);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Operands out of range

TEST_CASE("every instruction that addresses the unified buffer is checked against it", "[sim][bad]") {
    const std::string tile = std::string(kTile) + "\n";
    check_cases({
        {"read_host_memory", "read_host_memory host_addr=0 ub_addr=0x1fff rows=2\n",
         "instruction 0 (read_host_memory): ub_addr: " + ub_rows("0x1fff", "0x2000")},
        {"write_host_memory", "nop cycles=0\nwrite_host_memory host_addr=0 ub_addr=0x2000 rows=1\n",
         "instruction 1 (write_host_memory): ub_addr: " + ub_rows("0x2000", "0x2000")},
        {"matrix_multiply", tile + "matrix_multiply ub_addr=0x1ffe acc_addr=0 rows=3 switch=1\n",
         "instruction 1 (matrix_multiply): ub_addr: " + ub_rows("0x1ffe", "0x2000")},
        // Convolve: vector (o, i) reads row ub_addr + o*pitch + i*step; the last is
        // 0 + 1*0x1ffe + 2*1 = 0x2000, one past the end, though the first rows fit.
        {"convolve, last row by pitch",
         tile + "convolve ub_addr=0 acc_addr=0 rows=3 outer=2 step=1 pitch=0x1ffe switch=1\n",
         "instruction 1 (convolve): ub_addr: " + ub_rows("0x0", "0x2000")},
        // With step 0xff (its largest value) rows 0x1f02, 0x2001 and 0x2100 are read.
        {"convolve, last row by step", tile + "convolve ub_addr=0x1f02 acc_addr=0 rows=3 outer=1 step=0xff pitch=0 switch=1\n",
         "instruction 1 (convolve): ub_addr: " + ub_rows("0x1f02", "0x2100")},
        {"activate", "activate acc_addr=0 ub_addr=0x1ffd rows=4 function=relu\n",
         "instruction 0 (activate): ub_addr: " + ub_rows("0x1ffd", "0x2000")},
        // With 2x2 pooling of a 4x4 grid, 16 accumulator rows become 4 UB rows: 0x1ffc
        // fits (see the next test), 0x1ffd does not.
        {"activate with pooling",
         "set_config reg=pool_size value=2\nset_config reg=pool_stride value=2\n"
         "set_config reg=pool_input_width value=4\n"
         "activate acc_addr=0 ub_addr=0x1ffd rows=16 function=relu pool=max\n",
         "instruction 3 (activate): ub_addr: " + ub_rows("0x1ffd", "0x2000")},
        {"vector a", "vector op=add a=0x1fff b=0 dst=0 rows=2\n",
         "instruction 0 (vector): a: " + ub_rows("0x1fff", "0x2000")},
        {"vector b", "vector op=multiply a=0 b=0x1fff dst=0 rows=2\n",
         "instruction 0 (vector): b: " + ub_rows("0x1fff", "0x2000")},
        {"vector dst", "vector op=add a=0 b=0 dst=0x1fff rows=2\n",
         "instruction 0 (vector): dst: " + ub_rows("0x1fff", "0x2000")},
        {"sync ub_range", "sync mode=ub_range addr=0x1fff length=2\n",
         "instruction 0 (sync): addr: " + ub_rows("0x1fff", "0x2000")},
    });
}

TEST_CASE("ranges that end exactly at the last row are accepted", "[sim][bad]") {
    sim::RunOptions timing_only;
    timing_only.data = false;
    const std::string body = std::string(kTile) +
                             "\n"
                             "read_host_memory host_addr=0 ub_addr=0x1ffe rows=2\n"
                             "convolve ub_addr=0 acc_addr=0xfa rows=3 outer=2 step=1 pitch=0x1ffd switch=1\n"
                             "set_config reg=pool_size value=2\nset_config reg=pool_stride value=2\n"
                             "set_config reg=pool_input_width value=4\n"
                             "activate acc_addr=0xf0 ub_addr=0x1ffc rows=16 function=relu pool=max\n"
                             "vector op=add a=0x1fff b=0x1fff dst=0x1fff rows=1\n"
                             "sync mode=acc_range addr=0xff length=1\n";
    CHECK_NOTHROW(test::run_asm(teaching(), body, std::vector<std::uint8_t>(kHostBytes), {}, timing_only));
}

TEST_CASE("every instruction that addresses the accumulators is checked against them", "[sim][bad]") {
    const std::string tile = std::string(kTile) + "\n";
    check_cases({
        {"matrix_multiply", tile + "matrix_multiply ub_addr=0 acc_addr=0xff rows=2 switch=1\n",
         "instruction 1 (matrix_multiply): acc_addr: " + acc_rows("0xff", "0x100")},
        // outer x rows = 6 accumulator rows from 0xfb: 0xfb..0x100.
        {"convolve", tile + "convolve ub_addr=0 acc_addr=0xfb rows=3 outer=2 step=1 pitch=4 switch=1\n",
         "instruction 1 (convolve): acc_addr: " + acc_rows("0xfb", "0x100")},
        {"activate", "activate acc_addr=0xfe ub_addr=0 rows=3 function=identity\n",
         "instruction 0 (activate): acc_addr: " + acc_rows("0xfe", "0x100")},
        {"sync acc_range", "sync mode=acc_range addr=0x100 length=1\n",
         "instruction 0 (sync): addr: " + acc_rows("0x100", "0x100")},
    });
}

TEST_CASE("host and weight memory addresses are checked against their sizes", "[sim][bad]") {
    check_cases({
        // 2 rows of 8 bytes from 0x3f8: bytes 0x3f8..0x407 of a 1024-byte host image.
        {"read_host_memory", "read_host_memory host_addr=0x3f8 ub_addr=0 rows=2\n",
         "instruction 0 (read_host_memory): host_addr: bytes 0x3f8..0x407 exceed host memory (1024 bytes)"},
        {"write_host_memory", "write_host_memory host_addr=0x400 ub_addr=0 rows=1\n",
         "instruction 0 (write_host_memory): host_addr: bytes 0x400..0x407 exceed host memory (1024 bytes)"},
        // Two 64-byte tiles from 0xfffc0: bytes 0xfffc0..0x10003f of 1 MiB.
        {"read_weights", std::string(kTile) + " count=1\nread_weights weight_addr=0xfffc0 tile_rows=8 tile_cols=8 count=2\n",
         "instruction 1 (read_weights): weight_addr: bytes 0xfffc0..0x10003f exceed weight memory (1048576 bytes)"},
    });
}

TEST_CASE("weight tiles larger than the array are refused", "[sim][bad]") {
    check_cases({
        {"tile_rows", "read_weights weight_addr=0 tile_rows=9 tile_cols=8\n",
         "instruction 0 (read_weights): tile_rows: 9 is not in 1..8 (the array's rows)"},
        {"tile_cols", "read_weights weight_addr=0 tile_rows=8 tile_cols=256\n",
         "instruction 0 (read_weights): tile_cols: 256 is not in 1..8 (the array's columns)"},
    });
}

// ---------------------------------------------------------------------------------------
// Weight tiles that can never be there

TEST_CASE("a switch needs a tile requested by an earlier read_weights", "[sim][bad]") {
    const std::string empty_fifo = "switch: the weight FIFO is empty and no read_weights before it is left to fill it";
    check_cases({
        {"no read_weights at all", "matrix_multiply ub_addr=0 acc_addr=0 rows=1 switch=1\n",
         "instruction 0 (matrix_multiply): " + empty_fifo},
        {"two switches, one tile",
         std::string(kTile) +
             "\nmatrix_multiply ub_addr=0 acc_addr=0 rows=1 switch=1\n"
             "matrix_multiply ub_addr=0 acc_addr=1 rows=1 switch=1\n",
         "instruction 2 (matrix_multiply): " + empty_fifo},
        // A read_weights after the switch in program order does not count: it is issued later.
        {"read_weights only after the switch",
         "convolve ub_addr=0 acc_addr=0 rows=1 outer=1 step=1 pitch=0 switch=1\n" + std::string(kTile) + "\n",
         "instruction 0 (convolve): " + empty_fifo},
    });
}

TEST_CASE("the first matrix_multiply must switch a tile into use", "[sim][bad]") {
    const std::string no_tile = "switch: no weight tile is active yet: the first matrix_multiply must switch=1";
    check_cases({
        {"matrix_multiply", std::string(kTile) + "\nmatrix_multiply ub_addr=0 acc_addr=0 rows=1\n",
         "instruction 1 (matrix_multiply): " + no_tile},
        {"convolve", std::string(kTile) + "\nconvolve ub_addr=0 acc_addr=0 rows=2 outer=2 step=1 pitch=2\n",
         "instruction 1 (convolve): " + no_tile},
    });
}

// ---------------------------------------------------------------------------------------
// The activation unit's registers

TEST_CASE("set_config values outside the register's range are refused", "[sim][bad]") {
    // The assembler and the program-file reader refuse these already (they check every
    // field against isa/forms.cpp); the simulator applies the same checks to programs
    // built in memory, as a library user may, with the instruction's index and mnemonic.
    const auto one = [](isa::ConfigReg reg, std::int64_t value) {
        isa::Program p;
        p.chip = teaching().signature();
        isa::Instruction in;
        in.op = isa::Opcode::SetConfig;
        in.reg = static_cast<std::uint64_t>(reg);
        in.value = static_cast<std::uint64_t>(value);
        p.code = {in};
        return p;
    };
    CHECK(program_error(one(isa::ConfigReg::RequantShift, 63)) ==
          "instruction 0 (set_config): value=63 is out of range 0..62 for requant_shift");
    CHECK(program_error(one(isa::ConfigReg::PoolSize, 0)) ==
          "instruction 0 (set_config): value=0 is out of range 1..15 for pool_size");
    CHECK(program_error(one(isa::ConfigReg::PoolStride, -1)) ==
          "instruction 0 (set_config): value=18446744073709551615 is out of range 1..15 for pool_stride");
    CHECK(program_error(one(isa::ConfigReg::RequantMultiplier, std::int64_t{1} << 31)) ==
          "instruction 0 (set_config): value=2147483648 is out of range -2147483648..2147483647 for requant_multiplier");
    CHECK(program_error(one(static_cast<isa::ConfigReg>(isa::kConfigRegCount), 0)) ==
          "instruction 0 (set_config): reg=6 is not defined (requant_multiplier=0, requant_shift=1, pool_size=2, pool_stride=3, "
          "pool_input_width=4, vector_shift=5)");
    CHECK_THROWS_AS(test::assemble_for(teaching(), "set_config reg=requant_shift value=63\n"), Error);
}

TEST_CASE("pooling needs a grid that is whole rows of pool_input_width and fits the window", "[sim][bad]") {
    check_cases({
        {"rows not a multiple of the width",
         "set_config reg=pool_input_width value=3\n"
         "activate acc_addr=0 ub_addr=0 rows=16 function=relu pool=max\n",
         "instruction 1 (activate): rows: 16 rows are not a whole number of pool_input_width=3 pixel rows"},
        {"grid shorter than the window",
         "set_config reg=pool_size value=5\nset_config reg=pool_input_width value=4\n"
         "activate acc_addr=0 ub_addr=0 rows=16 function=relu pool=average\n",
         "instruction 2 (activate): pool: the 4x4 pixel grid is smaller than the 5x5 pooling window"},
        {"grid narrower than the window",
         "set_config reg=pool_size value=3\nset_config reg=pool_input_width value=2\n"
         "activate acc_addr=0 ub_addr=0 rows=12 function=relu pool=max\n",
         "instruction 2 (activate): pool: the 6x2 pixel grid is smaller than the 3x3 pooling window"},
        // Registers are read in program order: the set_config after the activate does not
        // rescue it, and one before the next activate does not spoil the first.
        {"registers in program order",
         "set_config reg=pool_input_width value=4\n"
         "activate acc_addr=0 ub_addr=0 rows=16 function=relu pool=max\n"
         "set_config reg=pool_input_width value=5\n"
         "activate acc_addr=0 ub_addr=0 rows=16 function=relu pool=max\n",
         "instruction 3 (activate): rows: 16 rows are not a whole number of pool_input_width=5 pixel rows"},
    });
    // Without pooling the registers do not matter.
    CHECK_NOTHROW(test::run_asm(teaching(),
                                "set_config reg=pool_input_width value=3\n"
                                "activate acc_addr=0 ub_addr=0 rows=16 function=relu pool=none\n",
                                std::vector<std::uint8_t>(kHostBytes)));
}

// ---------------------------------------------------------------------------------------
// Another chip

TEST_CASE("after a halt the chip checks stop; every word must still be an instruction", "[sim][bad]") {
    // Each of these is refused before a halt (docs/arithmetic.md lists the checks) ...
    const std::string after =
        "read_host_memory host_addr=0 ub_addr=0x2000 rows=1\n"         // beyond the UB
        "matrix_multiply ub_addr=0 acc_addr=0 rows=1\n"                // no tile active
        "read_weights weight_addr=0x100000 tile_rows=8 tile_cols=8\n"  // beyond weight memory
        "activate acc_addr=0x100 ub_addr=0 rows=1 function=relu\n";     // beyond the accumulators
    CHECK(program_error(after) == "instruction 0 (read_host_memory): ub_addr: " + ub_rows("0x2000", "0x2000"));
    // ... and not after one: they are neither executed nor checked against the chip.
    const auto r = test::run_asm(teaching(), "nop cycles=3\nhalt\n" + after, std::vector<std::uint8_t>(kHostBytes));
    CHECK(r.instructions.size() == 2);
    CHECK(r.cycles == 5);  // nop issued 0, halt issued 0 + 1 + 3 = 4, nothing in flight: ends at 5
    CHECK(r.host == std::vector<std::uint8_t>(kHostBytes));
    // A program holds only valid instruction words, after a halt too: the program-file
    // reader and the assembler refuse any other, and so does the simulator for a program
    // built in memory (docs/isa.md, "What the encoding checks and what the chip checks").
    isa::Program p = test::assemble_for(teaching(), "halt\nnop cycles=1\n");
    p.code[1].op = static_cast<isa::Opcode>(0x00);
    CHECK(program_error(p) == "instruction 1 (?): opcode 0x00 is not an instruction");
    p = test::assemble_for(teaching(), "halt\nmatrix_multiply ub_addr=0 acc_addr=0 rows=1\n");
    p.code[1].rows = 0;
    CHECK(program_error(p).rfind("instruction 1 (matrix_multiply): ", 0) == 0);
}

TEST_CASE("a program compiled for another chip is refused, naming both", "[sim][bad]") {
    const auto program = test::assemble_for(test::shipped_chip("tpuv1"), "halt\n");
    CHECK(program_error(program) ==
          "program was compiled for another chip: program has rows=256 cols=256 ub_bytes=25165824 "
          "acc_entries=4096 weight_bytes=8589934592, chip 'teaching-8x8' has rows=8 cols=8 ub_bytes=65536 "
          "acc_entries=256 weight_bytes=1048576");
}

// ---------------------------------------------------------------------------------------
// Programs that can never finish
//
// The instruction set has no branches, so a program cannot run forever: it finishes or
// it deadlocks. Every instruction waits only for things that will happen: a hazard clears when an
// earlier instruction of another unit finishes, a unit's previous instruction finishes,
// and a switching matrix_multiply's tile was requested by an earlier read_weights (decode
// checks that). The one wait that depends on the future is a tile request: tile t needs a
// FIFO slot, which tile t - depth frees when it shifts into the array, which it can do only
// after a matrix_multiply has switched to tile t - depth - 1. If that matrix_multiply is
// never issued, nothing can move. The controller fails to issue it when the program has
// none, when it is stuck behind a Sync that waits for the weight-fetch unit (or a Halt),
// or when it is stuck issuing to the weight-fetch unit's occupied stage latch. A Sync on
// rows waits only for earlier writes, which always finish, and a Sync on units that were
// issued nothing ends at once (timing_rules_test.cpp).

TEST_CASE("deadlock: the FIFO overflows and no later matrix_multiply switches", "[sim][deadlock]") {
    // Tile 0 arrives 1 + 20 + 16 = 37 and shifts in [37, 45); the matmul switches to it at
    // 45, so tile 1 (arrived 53) shifts in [53, 61). Tile 2 is requested at 45 when tile 0
    // leaves, tile 3 at 61 when tile 1 leaves, and tile 4 needs tile 2 to leave, which
    // needs a switch to tile 1. From cycle 62 nothing can happen.
    CHECK(deadlock(std::string(kTile) +
                   " count=5\n"
                   "matrix_multiply ub_addr=0 acc_addr=0 rows=1 switch=1\n") ==
          "the program can never finish: no unit can make progress at cycle 62 (controller: the implicit halt "
          "after the last instruction waits for every unit to finish; host_in: idle; host_out: idle; "
          "weight_fetch: instruction 0 (read_weights) waits for a FIFO slot for tile 4, held by tile 2 until it "
          "can shift into the array, which needs a matrix_multiply with switch=1 to take tile 1 first; "
          "matrix_unit: idle, waiting for an instruction; activation_unit: idle)");
}

TEST_CASE("deadlock: a read_weights blocks the issue of the switches that would drain the FIFO", "[sim][deadlock]") {
    // Tiles 0..2 are requested in cycles 1, 2 and 45 (when tile 0 has shifted in); tile 3
    // needs a switch to tile 0. Instruction 1 waits in the weight-fetch stage latch, so
    // instruction 2 cannot issue, nor the matrix_multiply instructions behind it.
    CHECK(deadlock(fmt::format("{0} count=4\n{0}\n{0}\n"
                               "matrix_multiply ub_addr=0 acc_addr=0 rows=1 switch=1\n"
                               "matrix_multiply ub_addr=0 acc_addr=1 rows=1 switch=1\n",
                               kTile)) ==
          "the program can never finish: no unit can make progress at cycle 46 (controller: instruction 2 "
          "(read_weights) waits for the weight_fetch stage latch to free; host_in: idle; host_out: idle; "
          "weight_fetch: instruction 0 (read_weights) waits for a FIFO slot for tile 3, held by tile 1 until it "
          "can shift into the array, which needs a matrix_multiply with switch=1 to take tile 0 first; "
          "matrix_unit: idle, waiting for an instruction; activation_unit: idle)");
}

TEST_CASE("deadlock: a sync waits for weight fetches that need a later switch", "[sim][deadlock]") {
    // As above, with a sync instead of the blocked read_weights; the other units' work is
    // done and reported idle.
    CHECK(deadlock(fmt::format("read_host_memory host_addr=0 ub_addr=0 rows=1\n"
                               "activate acc_addr=0 ub_addr=8 rows=1 function=relu\n"
                               "{} count=4\n"
                               "sync mode=units units=host|weight_fetch\n"
                               "matrix_multiply ub_addr=0 acc_addr=0 rows=1 switch=1\n",
                               kTile)) ==
          "the program can never finish: no unit can make progress at cycle 48 (controller: instruction 3 (sync) "
          "waits for host_in, host_out, weight_fetch to finish; host_in: idle; host_out: idle; weight_fetch: "
          "instruction 2 (read_weights) waits for a FIFO slot for tile 3, held by tile 1 until it can shift into "
          "the array, which needs a matrix_multiply with switch=1 to take tile 0 first; matrix_unit: idle, "
          "waiting for an instruction; activation_unit: idle)");
    // An explicit halt in the same place.
    CHECK(deadlock(fmt::format("{} count=4\nhalt\n", kTile)) ==
          "the program can never finish: no unit can make progress at cycle 46 (controller: instruction 1 (halt) "
          "waits for every unit to finish; host_in: idle; host_out: idle; weight_fetch: instruction 0 "
          "(read_weights) waits for a FIFO slot for tile 3, held by tile 1 until it can shift into the array, "
          "which needs a matrix_multiply with switch=1 to take tile 0 first; matrix_unit: idle, waiting for an "
          "instruction; activation_unit: idle)");
}

TEST_CASE("no deadlock: depth + 1 tiles fit without a switch, and later switches drain more", "[sim][deadlock]") {
    // Tile 2 waits only for tile 0 to shift in, which needs no switch: tiles arrive 37, 53
    // and (requested at 45) 81; the sync ends at 81, the implicit halt issues then and the
    // run ends at 82.
    CHECK(test::run_asm(teaching(), fmt::format("{} count=3\nsync mode=units units=weight_fetch\n", kTile),
                        std::vector<std::uint8_t>(kHostBytes))
              .cycles == 82);
    // Eight tiles through the 2-deep FIFO, each switched in by a later matrix_multiply.
    std::string body = fmt::format("{} count=8\n", kTile);
    for (int i = 0; i < 8; ++i) body += fmt::format("matrix_multiply ub_addr=0 acc_addr={} rows=1 switch=1\n", i);
    CHECK_NOTHROW(test::run_asm(teaching(), body, std::vector<std::uint8_t>(kHostBytes)));
}

// ---------------------------------------------------------------------------------------
// Through the command line

namespace {

struct CliFiles {
    std::string dir, config, host;

    CliFiles() : dir(test::make_temp_dir("bad-program")), config(std::string(TPUSIM_SOURCE_DIR) + "/configs/teaching-8x8.yaml"),
                 host(dir + "/host.bin") {
        std::ofstream(host, std::ios::binary) << std::string(kHostBytes, '\0');
    }
    ~CliFiles() { std::filesystem::remove_all(dir); }
    CliFiles(const CliFiles&) = delete;
    CliFiles& operator=(const CliFiles&) = delete;

    /// Writes `program` to a program file and runs it; returns what tpusim did.
    test::CommandResult run(const isa::Program& program, const std::string& name) const {
        const std::string path = dir + "/" + name + ".tpub";
        isa::write_program_file(path, program, false);
        return test::run_tpusim(fmt::format("run --config '{}' --program '{}' --host-in '{}'", config, path, host));
    }
};

}  // namespace

TEST_CASE("tpusim run prints one line on stderr and exits 1 for a bad program", "[sim][bad][cli]") {
    const CliFiles files;
    struct CliCase {
        const char* name;
        isa::Program program;
        std::string message;
    };
    const CliCase cases[] = {
        {"ub", test::assemble_for(teaching(), "nop cycles=1\nread_host_memory host_addr=0 ub_addr=0x1fff rows=2\n"),
         "instruction 1 (read_host_memory): ub_addr: " + ub_rows("0x1fff", "0x2000")},
        {"other-chip", test::assemble_for(test::shipped_chip("edge-64x64-lpddr4"), "halt\n"),
         "program was compiled for another chip: program has rows=64 cols=64 ub_bytes=4194304 acc_entries=1024 "
         "weight_bytes=2147483648, chip 'teaching-8x8' has rows=8 cols=8 ub_bytes=65536 acc_entries=256 "
         "weight_bytes=1048576"},
        {"deadlock", test::assemble_for(teaching(), fmt::format("{} count=4\nhalt\n", kTile)),
         deadlock(fmt::format("{} count=4\nhalt\n", kTile))},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const auto r = files.run(c.program, c.name);
        CHECK(r.status == 1);
        CHECK(r.out.empty());
        CHECK(r.err == "error: " + files.dir + "/" + c.name + ".tpub: " + c.message + "\n");
    }
}
