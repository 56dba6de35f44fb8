// Host transfers, the Vector instruction, sync/nop/halt and the chip-signature shape.
#include "tests/reference/program_builder.hpp"
#include "tests/support/reference_arithmetic.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using namespace tpusim;
using namespace tpusim::reference;
using namespace tpusim::reference::testing;
using I = std::vector<int>;

TEST_CASE("host memory to UB and back moves W bytes per row", "[reference][host]") {
    // R = 2, C = 3, W = 3.
    Bench b{shape(2, 3), {}, bytes({1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0}), {}};
    b << read_host(0, 5, 2) << write_host(5, 7, 2);
    const MachineState s = b.run();
    CHECK(ub_row(s, b.shape, 5) == I{1, 2, 3});
    CHECK(ub_row(s, b.shape, 6) == I{4, 5, 6});
    CHECK(ub_row(s, b.shape, 4) == I{0, 0, 0});
    CHECK(s.host == bytes({1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6, 0}));
    CHECK(s.ub.size() == 16u * 3u);
}

TEST_CASE("Vector add and multiply round, shift and saturate", "[reference][vector]") {
    Bench b{shape(4, 4),
            {},
            bytes({100, -100, 7, -7, 100, -100, 2, 2, -128, -128, 64, 3, -128, 127, 3, 3}),
            {}};
    b << read_host(0, 0, 4);
    SECTION("add, shift 0") {
        b << vector(isa::VectorOp::Add, 0, 1, 8, 1);
        CHECK(ub_row(b.run(), b.shape, 8) == I{127, -128, 9, -5});  // 200, -200 saturate
    }
    SECTION("add, shift 1") {
        b << set_config(isa::ConfigReg::VectorShift, 1) << vector(isa::VectorOp::Add, 0, 1, 8, 1);
        // 200/2 = 100; -200/2 = -100; 9/2 = 4.5 -> 5; -5/2 = -2.5 -> -2
        CHECK(ub_row(b.run(), b.shape, 8) == I{100, -100, 5, -2});
    }
    SECTION("multiply, shift 0") {
        b << vector(isa::VectorOp::Multiply, 0, 1, 8, 1);
        CHECK(ub_row(b.run(), b.shape, 8) == I{127, 127, 14, -14});  // 10000 twice saturates
    }
    SECTION("multiply, shift 7") {
        b << set_config(isa::ConfigReg::VectorShift, 7)
          << vector(isa::VectorOp::Multiply, 2, 3, 8, 1);
        // 16384/128 = 128 -> 127; -16256/128 = -127; 192/128 = 1.5 -> 2; 9/128 = 0.07 -> 0
        CHECK(ub_row(b.run(), b.shape, 8) == I{127, -127, 2, 0});
    }
    SECTION("two rows at once") {
        b << vector(isa::VectorOp::Add, 0, 2, 8, 2);
        const MachineState s = b.run();
        CHECK(ub_row(s, b.shape, 8) == I{-28, -128, 71, -4});
        CHECK(ub_row(s, b.shape, 9) == I{-28, 27, 5, 5});
    }
}

TEST_CASE("Vector reads each row before writing it", "[reference][vector]") {
    Bench b{shape(4, 4), {}, bytes({1, 2, 3, 4}), {}};
    b << read_host(0, 0, 1);
    SECTION("in place") {
        b << vector(isa::VectorOp::Add, 0, 0, 0, 1);
        CHECK(ub_row(b.run(), b.shape, 0) == I{2, 4, 6, 8});
    }
    SECTION("a destination one row ahead feeds the next row") {
        // Row 1 := 2 * row 0, then row 2 := 2 * (new) row 1.
        b << vector(isa::VectorOp::Add, 0, 0, 1, 2);
        const MachineState s = b.run();
        CHECK(ub_row(s, b.shape, 1) == I{2, 4, 6, 8});
        CHECK(ub_row(s, b.shape, 2) == I{4, 8, 12, 16});
    }
}

TEST_CASE("Vector works on all W bytes when R > C", "[reference][vector][shape]") {
    Bench b{shape(4, 2), {}, bytes({1, 2, 3, 4}), {}};
    b << read_host(0, 0, 1) << vector(isa::VectorOp::Multiply, 0, 0, 1, 1);
    CHECK(ub_row(b.run(), b.shape, 1) == I{1, 4, 9, 16});
}

TEST_CASE("vector_element at the extremes", "[reference][vector]") {
    using isa::VectorOp;
    CHECK(vector_element(VectorOp::Multiply, -128, -128, 0) == 127);
    CHECK(vector_element(VectorOp::Multiply, -128, -128, 30) == 0);     // 16384 / 2^30
    CHECK(vector_element(VectorOp::Multiply, -128, -128, 15) == 1);     // 0.5 -> 1
    CHECK(vector_element(VectorOp::Multiply, -128, 127, 15) == 0);      // -0.496 -> 0
    CHECK(vector_element(VectorOp::Add, -128, -128, 1) == -128);        // -128 exactly
    CHECK(vector_element(VectorOp::Add, -1, 0, 1) == 0);                // -0.5 -> 0
    CHECK(vector_element(VectorOp::Add, -2, -1, 1) == -1);              // -1.5 -> -1
}

TEST_CASE("halt ends execution; nop and sync change nothing", "[reference][control]") {
    Bench b{shape(2, 2), {}, bytes({9, 8, 0, 0}), {}};
    isa::Instruction nop = plain(isa::Opcode::Nop);
    nop.cycles = 100;
    isa::Instruction sync = plain(isa::Opcode::Sync);
    sync.unit_mask = isa::kAllUnits;
    b << read_host(0, 0, 1) << nop << sync << plain(isa::Opcode::Halt) << write_host(0, 2, 1)
      << plain(isa::Opcode::Halt);
    const MachineState s = b.run();
    CHECK(s.host == bytes({9, 8, 0, 0}));  // the write after the halt never ran

    SECTION("without a halt the program ends after its last instruction") {
        b.program.code.erase(b.program.code.begin() + 3);
        CHECK(b.run().host == bytes({9, 8, 9, 8}));
    }
    SECTION("instructions after a halt are not even checked") {
        b.program.code[4] = write_host(0, 1000, 1);
        CHECK_NOTHROW(b.run());
    }
}

TEST_CASE("an empty program leaves zeroed memories and the host image",
          "[reference][control]") {
    Bench b{shape(3, 2, 4, 5), {}, bytes({1, 2, 3}), {}};
    const MachineState s = b.run();
    CHECK(s.ub == std::vector<std::int8_t>(4 * 3, 0));
    CHECK(s.acc == std::vector<std::int32_t>(5 * 2, 0));
    CHECK(s.host == bytes({1, 2, 3}));
}

TEST_CASE("shape_of derives UB rows of W = max(R, C) bytes", "[reference][shape]") {
    isa::ChipSignature chip;
    chip.rows = 8;
    chip.cols = 4;
    chip.ub_bytes = 100;  // 12 rows of 8 bytes; the 4 left over are not addressable
    chip.acc_entries = 64;
    chip.weight_bytes = 4096;
    const MachineShape s = shape_of(chip);
    CHECK(s.rows == 8);
    CHECK(s.cols == 4);
    CHECK(s.ub_width() == 8);
    CHECK(s.ub_rows == 12);
    CHECK(s.acc_entries == 64);
    CHECK(s.weight_capacity == 4096);
}

TEST_CASE("mnemonics follow the assembler's names", "[reference][control]") {
    CHECK(mnemonic(read_host(0, 0, 1)) == "read_host_memory");
    CHECK(mnemonic(write_host(0, 0, 1)) == "write_host_memory");
    CHECK(mnemonic(read_weights(0, 1, 1)) == "read_weights");
    CHECK(mnemonic(matmul(0, 0, 1, 0)) == "matrix_multiply");
    CHECK(mnemonic(convolve(0, 0, 1, 1, 1, 0, 0)) == "convolve");
    CHECK(mnemonic(activate(0, 0, 1, isa::Function::Relu)) == "activate");
    CHECK(mnemonic(vector(isa::VectorOp::Add, 0, 0, 0, 1)) == "vector");
    CHECK(mnemonic(plain(isa::Opcode::Sync)) == "sync");
    CHECK(mnemonic(set_config(isa::ConfigReg::PoolSize, 1)) == "set_config");
    CHECK(mnemonic(plain(isa::Opcode::Nop)) == "nop");
    CHECK(mnemonic(plain(isa::Opcode::Halt)) == "halt");
    CHECK(mnemonic(plain(static_cast<isa::Opcode>(0))) == "unknown");
}
