// Every way a program can be wrong for the reference: each error names the instruction
// index, its mnemonic and the offending field.
#include "tests/reference/program_builder.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

using namespace tpusim;
using namespace tpusim::reference;
using namespace tpusim::reference::testing;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

constexpr std::uint64_t kHuge = std::numeric_limits<std::uint64_t>::max();

// The message of the ReferenceError the bench's run throws ("" if it does not throw).
std::string error_of(const Bench& b) {
    try {
        b.run();
    } catch (const ReferenceError& e) {
        return e.what();
    }
    return "";
}

// 4 x 4 machine: 8 UB rows, 6 accumulator entries, 64 bytes of weight memory, 32 host bytes.
Bench small() { return Bench{shape(4, 4, 8, 6, 64), {}, std::vector<std::uint8_t>(32), {}}; }

}  // namespace

TEST_CASE("ReferenceError is a tpusim::Error with one exact line", "[reference][errors]") {
    Bench b = small();
    b << plain(isa::Opcode::Nop) << plain(isa::Opcode::Nop) << matmul(6, 0, 3, kSwitch);
    CHECK(error_of(b) ==
          "instruction 2 (matrix_multiply): ub_addr 6 + rows 3 exceeds the unified buffer (8 rows)");
    CHECK_THROWS_AS(b.run(), tpusim::Error);
}

TEST_CASE("set_config rejects values outside each register's range", "[reference][errors]") {
    using isa::ConfigReg;
    struct Case {
        ConfigReg reg;
        std::uint64_t good;
        std::uint64_t bad;
        const char* message;
    };
    const Case cases[] = {
        {ConfigReg::RequantMultiplier, encode_signed(-2147483648LL), encode_signed(2147483648LL),
         "value 2147483648 is out of range for requant_multiplier (-2147483648..2147483647)"},
        {ConfigReg::RequantMultiplier, 2147483647u, encode_signed(-2147483649LL),
         "value -2147483649 is out of range for requant_multiplier"},
        {ConfigReg::RequantShift, 62, 63, "value 63 is out of range for requant_shift (0..62)"},
        {ConfigReg::PoolSize, 15, 16, "value 16 is out of range for pool_size (1..15)"},
        {ConfigReg::PoolSize, 1, 0, "value 0 is out of range for pool_size (1..15)"},
        {ConfigReg::PoolStride, 15, 16, "value 16 is out of range for pool_stride (1..15)"},
        {ConfigReg::PoolStride, 1, 0, "value 0 is out of range for pool_stride (1..15)"},
        {ConfigReg::PoolInputWidth, (1u << 24) - 1, 1u << 24,
         "value 16777216 is out of range for pool_input_width (1..16777215)"},
        {ConfigReg::PoolInputWidth, 1, 0, "value 0 is out of range for pool_input_width"},
        {ConfigReg::VectorShift, 30, 31, "value 31 is out of range for vector_shift (0..30)"},
        {ConfigReg::VectorShift, 0, kHuge, "value 18446744073709551615 is out of range"},
    };
    for (const Case& c : cases) {
        Bench good = small();
        good << set_config(c.reg, c.good);
        CHECK_NOTHROW(good.run());
        Bench bad = small();
        bad << set_config(c.reg, c.bad);
        CHECK_THAT(error_of(bad), StartsWith("instruction 0 (set_config): ") && Contains(c.message));
    }
    Bench b = small();
    b << set_config(isa::ConfigReg::VectorShift, 1);
    b.program.code[0].reg = 6;
    CHECK(error_of(b) == "instruction 0 (set_config): reg 6 is not a config register (0..5)");
}

TEST_CASE("host transfers check both memories", "[reference][errors]") {
    Bench b = small();
    SECTION("UB rows") {
        b << read_host(0, 7, 2);
        CHECK(error_of(b) == "instruction 0 (read_host_memory): ub_addr 7 + rows 2 exceeds the "
                             "unified buffer (8 rows)");
    }
    SECTION("host bytes") {
        b << write_host(0, 24, 3);
        CHECK(error_of(b) == "instruction 0 (write_host_memory): host_addr 24 + rows 3 x 4 bytes "
                             "exceeds host memory (32 bytes)");
    }
    SECTION("the last byte fits") {
        b << read_host(16, 0, 4) << write_host(0, 16, 4);
        CHECK_NOTHROW(b.run());
    }
    SECTION("a row count near 2^64 does not wrap around") {
        b << read_host(0, 0, kHuge / 2);
        CHECK_THAT(error_of(b), Contains("rows 9223372036854775807 exceeds the unified buffer"));
    }
    SECTION("an address near 2^64") {
        b << write_host(0, kHuge, 1);
        CHECK_THAT(error_of(b), Contains("host_addr 18446744073709551615 + rows 1 x 4 bytes"));
    }
}

TEST_CASE("read_weights checks the tile shape and the weight memory", "[reference][errors]") {
    Bench b = small();
    SECTION("tile_rows") {
        b << read_weights(0, 0, 4);
        CHECK(error_of(b) == "instruction 0 (read_weights): tile_rows 0 is out of range (1..4)");
        Bench c = small();
        c << read_weights(0, 5, 4);
        CHECK_THAT(error_of(c), Contains("tile_rows 5 is out of range (1..4)"));
    }
    SECTION("tile_cols") {
        b << read_weights(0, 4, 5);
        CHECK(error_of(b) == "instruction 0 (read_weights): tile_cols 5 is out of range (1..4)");
    }
    SECTION("capacity") {
        b << read_weights(16, 4, 4, 3);  // 16 + 48 = 64 bytes: fits exactly
        CHECK_NOTHROW(b.run());
        b << read_weights(17, 4, 4, 3);
        CHECK(error_of(b) == "instruction 1 (read_weights): weight_addr 17 + count 3 x tile_rows "
                             "4 x tile_cols 4 bytes exceeds the weight memory (64 bytes)");
    }
    SECTION("a count whose byte size overflows 64 bits") {
        b << read_weights(0, 4, 4, std::uint64_t{1} << 60);  // 2^60 x 16 bytes = 2^64, not 0
        CHECK_THAT(error_of(b), Contains("exceeds the weight memory"));
    }
}

TEST_CASE("matrix_multiply checks the FIFO, the active tile and its addresses",
          "[reference][errors]") {
    Bench b = small();
    SECTION("switch with an empty FIFO") {
        b << matmul(0, 0, 1, kSwitch);
        CHECK(error_of(b) ==
              "instruction 0 (matrix_multiply): switch_weights 1: no weight tile in the FIFO");
    }
    SECTION("the FIFO runs dry after the tiles read") {
        b << read_weights(0, 4, 4, 2) << matmul(0, 0, 1, kSwitch) << matmul(0, 0, 1, kSwitch)
          << matmul(0, 0, 1, kSwitch);
        CHECK_THAT(error_of(b), StartsWith("instruction 3 (matrix_multiply): switch_weights 1"));
    }
    SECTION("no tile in the array") {
        b << read_weights(0, 4, 4) << matmul(0, 0, 1, kAccumulate);
        CHECK(error_of(b) == "instruction 1 (matrix_multiply): no weight tile in the array (no "
                             "earlier matrix_multiply switched one in)");
    }
    SECTION("accumulator range") {
        b << read_weights(0, 4, 4) << matmul(0, 4, 3, kSwitch);
        CHECK(error_of(b) == "instruction 1 (matrix_multiply): acc_addr 4 + rows 3 exceeds the "
                             "accumulators (6 entries)");
    }
    SECTION("flags are 0 or 1") {
        isa::Instruction in = matmul(0, 0, 1, kSwitch);
        in.accumulate = 2;
        b << read_weights(0, 4, 4) << in;
        CHECK(error_of(b) == "instruction 1 (matrix_multiply): accumulate 2 is not a flag (0 or 1)");
    }
    SECTION("addresses near 2^64") {
        b << read_weights(0, 4, 4) << matmul(kHuge, 0, 1, kSwitch);
        CHECK_THAT(error_of(b), Contains("ub_addr 18446744073709551615 + rows 1 exceeds"));
    }
}

TEST_CASE("convolve checks the last row it addresses", "[reference][errors]") {
    Bench b = small();
    b << read_weights(0, 4, 4);
    SECTION("last row 0 + 1 x 5 + 1 x 2 = 7 fits in 8 rows") {
        b << convolve(0, 0, 2, 2, 2, 5, kSwitch);
        CHECK_NOTHROW(b.run());
    }
    SECTION("last row 1 + 1 x 5 + 1 x 2 = 8 does not") {
        b << convolve(1, 0, 2, 2, 2, 5, kSwitch);
        CHECK(error_of(b) == "instruction 1 (convolve): ub_addr 1 + (outer 2 - 1) x pitch 5 + "
                             "(rows 2 - 1) x step 2 exceeds the unified buffer (8 rows)");
    }
    SECTION("rows x outer accumulator entries") {
        b << convolve(0, 0, 2, 4, 0, 0, kSwitch);
        CHECK(error_of(b) == "instruction 1 (convolve): acc_addr 0 + rows 2 x outer 4 exceeds the "
                             "accumulators (6 entries)");
    }
    SECTION("a pitch that overflows 64 bits") {
        b << convolve(0, 0, 1, 3, 0, kHuge / 2 + 1, kSwitch);
        CHECK_THAT(error_of(b), StartsWith("instruction 1 (convolve): ub_addr 0 + (outer 3 - 1)"));
    }
}

TEST_CASE("activate checks its selectors, ranges and pooling grid", "[reference][errors]") {
    Bench b = small();
    SECTION("function") {
        isa::Instruction in = activate(0, 0, 1, isa::Function::Identity);
        in.function = 4;
        b << in;
        CHECK(error_of(b) == "instruction 0 (activate): function 4 is not a function (0..3)");
    }
    SECTION("pool") {
        isa::Instruction in = activate(0, 0, 1, isa::Function::Identity);
        in.pool = 3;
        b << in;
        CHECK(error_of(b) == "instruction 0 (activate): pool 3 is not a pooling mode (0..2)");
    }
    SECTION("accumulator range") {
        b << activate(2, 0, 5, isa::Function::Relu);
        CHECK(error_of(b) == "instruction 0 (activate): acc_addr 2 + rows 5 exceeds the "
                             "accumulators (6 entries)");
    }
    SECTION("UB range") {
        b << activate(0, 4, 5, isa::Function::Relu);
        CHECK(error_of(b) == "instruction 0 (activate): ub_addr 4 + rows 5 exceeds the unified "
                             "buffer (8 rows)");
    }
    SECTION("pooled rows are what must fit in the UB") {
        // 6 rows as a 2 x 3 grid, 2 x 2 window, stride 1: 1 x 2 = 2 output rows.
        b << set_config(isa::ConfigReg::PoolInputWidth, 3)
          << set_config(isa::ConfigReg::PoolSize, 2) << activate(0, 6, 6, isa::Function::Relu, isa::Pool::Max);
        CHECK_NOTHROW(b.run());
        b << activate(0, 7, 6, isa::Function::Relu, isa::Pool::Max);
        CHECK(error_of(b) == "instruction 3 (activate): ub_addr 7 + 2 pooled rows exceeds the "
                             "unified buffer (8 rows)");
    }
    SECTION("rows must be a multiple of the grid width") {
        b << set_config(isa::ConfigReg::PoolInputWidth, 4)
          << activate(0, 0, 6, isa::Function::Identity, isa::Pool::Average);
        CHECK(error_of(b) ==
              "instruction 1 (activate): rows 6 is not a multiple of pool_input_width 4");
    }
    SECTION("the grid must be at least one window high") {
        b << set_config(isa::ConfigReg::PoolInputWidth, 3)
          << set_config(isa::ConfigReg::PoolSize, 3)
          << activate(0, 0, 6, isa::Function::Identity, isa::Pool::Max);
        CHECK(error_of(b) == "instruction 2 (activate): rows 6 / pool_input_width 3 = grid height "
                             "2 is less than pool_size 3");
    }
    SECTION("the grid must be at least one window wide") {
        b << set_config(isa::ConfigReg::PoolInputWidth, 2)
          << set_config(isa::ConfigReg::PoolSize, 3)
          << activate(0, 0, 6, isa::Function::Identity, isa::Pool::Max);
        CHECK(error_of(b) ==
              "instruction 2 (activate): pool_input_width 2 is less than pool_size 3");
    }
    SECTION("pooling zero rows is a grid of height 0") {
        b << activate(0, 0, 0, isa::Function::Identity, isa::Pool::Max);
        CHECK_THAT(error_of(b), Contains("grid height 0 is less than pool_size 1"));
    }
}

TEST_CASE("vector checks its operation and all three row ranges", "[reference][errors]") {
    Bench b = small();
    SECTION("operation") {
        isa::Instruction in = vector(isa::VectorOp::Add, 0, 0, 0, 1);
        in.vector_op = 2;
        b << in;
        CHECK(error_of(b) == "instruction 0 (vector): vector_op 2 is not a vector operation (0..1)");
    }
    SECTION("first source") {
        b << vector(isa::VectorOp::Add, 6, 0, 0, 3);
        CHECK_THAT(error_of(b), Contains("ub_addr 6 + rows 3 exceeds"));
    }
    SECTION("second source") {
        b << vector(isa::VectorOp::Add, 0, 6, 0, 3);
        CHECK_THAT(error_of(b), Contains("ub_addr2 6 + rows 3 exceeds"));
    }
    SECTION("destination") {
        b << vector(isa::VectorOp::Multiply, 0, 0, 6, 3);
        CHECK_THAT(error_of(b), Contains("ub_dst 6 + rows 3 exceeds"));
    }
}

TEST_CASE("an unknown opcode is an error", "[reference][errors]") {
    Bench b = small();
    b << plain(isa::Opcode::Nop) << plain(static_cast<isa::Opcode>(0x7F));
    CHECK(error_of(b) == "instruction 1 (unknown): op 127 is not an opcode");
}

TEST_CASE("the machine shape and weight image are checked before running",
          "[reference][errors]") {
    Bench b = small();
    b.weights.assign(65, 0);
    CHECK(error_of(b) == "weight image of 65 bytes exceeds the weight memory (64 bytes)");
    Bench c = small();
    c.shape.cols = 0;
    CHECK(error_of(c) == "machine shape: rows 4 and cols 0 must both be at least 1");
}
