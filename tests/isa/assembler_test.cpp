// Assembly text: the accepted syntax, every error path, and exact round trips through the
// disassembler.
#include "isa/assembler.hpp"
#include "isa/disassembler.hpp"
#include "isa/error.hpp"
#include "random_instructions.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace tpusim::isa;

namespace {

const std::string kChip =
    ".chip rows=256 cols=256 ub_bytes=25165824 acc_entries=4096 weight_bytes=8589934592\n";

std::string asm_error(const std::string& text) {
    try {
        assemble(text, "t.s");
    } catch (const AsmError& e) {
        return e.what();
    }
    return "(no error)";
}

Instruction make(Opcode op) {
    Instruction i;
    i.op = op;
    return i;
}

}  // namespace

TEST_CASE("the assembler accepts the documented syntax", "[asm]") {
    const std::string text =
        "# a comment line\n"
        ".CHIP rows=256 cols=128 ub_bytes=25_165_824 acc_entries=0x1000 weight_bytes=0b1_0000 ; eh\n"
        "\n"
        "   .layer name=\"fc 1 # not a comment\" kind=fc macs=10 weight_bytes=20\r\n"
        ".layer name=conv2 kind=\"\"\n"
        ".in_layer \"fc 1 # not a comment\"\n"
        "READ_HOST_MEMORY Host_Addr=0x10 ub_addr=0 rows=2\n"
        "read_weights weight_addr=0xAB tile_rows=256 tile_cols=128   # count defaults to 1\n"
        ".in_layer conv2\n"
        "matrix_multiply ub_addr = 0 acc_addr=0 rows=2 switch=1\n"
        "convolve ub_addr=1 acc_addr=2 rows=3 outer=4 step=5 pitch=6 accumulate=1\n"
        "activate acc_addr=0 ub_addr=0x10 rows=2 function=RELU\n"
        ".in_layer -\n"
        "sync mode=units units=matrix|Activation\n"
        "sync mode=acc_range addr=0 length=2\n"
        "sync mode=1 length=9 addr=3\n"
        "set_config reg=requant_multiplier value=-5\n"
        "set_config reg=1 value=0x1f\n"
        "vector op=1 a=0 b=1 dst=2 rows=3\n"
        "nop cycles=0\n"
        "halt";
    const Program p = assemble(text, "t.s");
    CHECK(p.chip == ChipSignature{256, 128, 25165824, 4096, 16});
    REQUIRE(p.layers.size() == 2);
    CHECK(p.layers[0] == LayerInfo{"fc 1 # not a comment", "fc", 10, 20});
    CHECK(p.layers[1] == LayerInfo{"conv2", "", 0, 0});
    REQUIRE(p.code.size() == 13);
    CHECK(p.layer_of == std::vector<std::uint32_t>{0, 0, 1, 1, 1, Program::kNoLayer, Program::kNoLayer,
                                                   Program::kNoLayer, Program::kNoLayer, Program::kNoLayer,
                                                   Program::kNoLayer, Program::kNoLayer, Program::kNoLayer});

    Instruction rhm = make(Opcode::ReadHostMemory);
    rhm.host_addr = 0x10;
    rhm.rows = 2;
    CHECK(p.code[0] == rhm);
    Instruction rw = make(Opcode::ReadWeights);
    rw.weight_addr = 0xAB;
    rw.tile_rows = 256;
    rw.tile_cols = 128;
    rw.count = 1;
    CHECK(p.code[1] == rw);
    Instruction mm = make(Opcode::MatrixMultiply);
    mm.rows = 2;
    mm.switch_weights = 1;
    CHECK(p.code[2] == mm);
    Instruction conv = make(Opcode::MatrixMultiply);
    conv.convolve = 1;
    conv.ub_addr = 1;
    conv.acc_addr = 2;
    conv.rows = 3;
    conv.outer = 4;
    conv.step = 5;
    conv.pitch = 6;
    conv.accumulate = 1;
    CHECK(p.code[3] == conv);
    Instruction act = make(Opcode::Activate);
    act.ub_addr = 0x10;
    act.rows = 2;
    act.function = static_cast<std::uint64_t>(Function::Relu);
    CHECK(p.code[4] == act);
    Instruction s1 = make(Opcode::Sync);
    s1.unit_mask = kUnitMatrix | kUnitActivation;
    CHECK(p.code[5] == s1);
    Instruction s2 = make(Opcode::Sync);
    s2.sync_mode = static_cast<std::uint64_t>(SyncMode::AccRange);
    s2.sync_length = 2;
    CHECK(p.code[6] == s2);
    Instruction s3 = make(Opcode::Sync);
    s3.sync_mode = static_cast<std::uint64_t>(SyncMode::UbRange);
    s3.sync_addr = 3;
    s3.sync_length = 9;
    CHECK(p.code[7] == s3);
    Instruction c1 = make(Opcode::SetConfig);
    c1.value = static_cast<std::uint64_t>(std::int64_t{-5});
    CHECK(p.code[8] == c1);
    Instruction c2 = make(Opcode::SetConfig);
    c2.reg = 1;
    c2.value = 31;
    CHECK(p.code[9] == c2);
    Instruction v = make(Opcode::Vector);
    v.vector_op = 1;
    v.ub_addr2 = 1;
    v.ub_dst = 2;
    v.rows = 3;
    CHECK(p.code[10] == v);
    CHECK(p.code[11] == make(Opcode::Nop));
    CHECK(p.code[12] == make(Opcode::Halt));
}

TEST_CASE("without .in_layer the program has no layer_of table", "[asm]") {
    const Program p = assemble(kChip + ".layer name=a\nhalt\n", "t.s");
    CHECK(p.layers.size() == 1);
    CHECK(p.layer_of.empty());
    const Program q = assemble(kChip + "halt\n.in_layer -\n", "t.s");
    CHECK(q.layer_of == std::vector<std::uint32_t>{Program::kNoLayer});
}

TEST_CASE("every assembler error names file:line and the problem", "[asm]") {
    struct Case {
        std::string text;
        std::string message;
    };
    const std::string c = kChip;  // line 1
    const std::vector<Case> cases = {
        // missing or misplaced .chip
        {"", "t.s:1: missing .chip directive (required once, before the first instruction)"},
        {"# only\n# comments\n.layer name=a\n",
         "t.s:3: missing .chip directive (required once, before the first instruction)"},
        {"\nhalt\n" + c, "t.s:2: missing .chip directive before the first instruction"},
        {c + c, "t.s:2: .chip given twice (first at line 1)"},
        {".chip rows=1 cols=1 ub_bytes=1 acc_entries=1\n", "t.s:1: .chip: missing field 'weight_bytes'"},
        {".chip rows=0x1_0000_0000 cols=1 ub_bytes=1 acc_entries=1 weight_bytes=1\n",
         "t.s:1: .chip: rows=0x1_0000_0000 is out of range 0..4294967295"},
        {".chip rows=1 cols=1 ub_bytes=1 acc_entries=1 weight_bytes=1 banks=2\n",
         "t.s:1: .chip has no field 'banks' (one of: rows, cols, ub_bytes, acc_entries, weight_bytes)"},
        {".chips rows=1\n", "t.s:1: unknown directive '.chips'; did you mean '.chip'?"},
        // layers
        {c + ".layer kind=fc\n", "t.s:2: .layer: missing field 'name'"},
        {c + ".layer name=a\n.layer name=a\n", "t.s:3: .layer: layer \"a\" already declared at line 2"},
        {c + ".layer name=a macs=\"5\"\n",
         "t.s:2: .layer: macs=5 is not a number (decimal, 0x hex or 0b binary)"},
        {c + ".layer name=\"\"\n", "t.s:2: .layer: a layer name must not be empty"},
        {c + ".layer name=\"a\tb\"\n",
         "t.s:2: .layer: layer name contains the character 0x09; control characters and '\"' are not allowed"},
        {c + ".in_layer x\n", "t.s:2: .in_layer: no layer named \"x\" (declare it with .layer first)"},
        {c + ".in_layer\n", "t.s:2: .in_layer takes one layer name (or '-' for none)"},
        {c + ".in_layer a b\n", "t.s:2: .in_layer takes one layer name (or '-' for none)"},
        {c + ".layer name=\"abc\n", "t.s:2: unterminated string (missing closing '\"')"},
        // mnemonics and fields
        {c + "matmul ub_addr=0\n",
         "t.s:2: unknown instruction 'matmul' (one of: nop, halt, read_host_memory, write_host_memory, "
         "read_weights, matrix_multiply, convolve, activate, vector, sync, set_config)"},
        {c + "matrix_mul ub_addr=0\n", "t.s:2: unknown instruction 'matrix_mul'; did you mean 'matrix_multiply'?"},
        {c + "hlt\n", "t.s:2: unknown instruction 'hlt'; did you mean 'halt'?"},
        {c + "halt rows=1\n", "t.s:2: halt takes no fields, found 'rows'"},
        {c + "matrix_multiply ub_addr=0 acc_addr=0 row=1\n",
         "t.s:2: matrix_multiply has no field 'row'; did you mean 'rows'?"},
        {c + "matrix_multiply ub_addr=0 acc_addr=0 outer=1\n",
         "t.s:2: matrix_multiply has no field 'outer' (one of: ub_addr, acc_addr, rows, accumulate, switch)"},
        {c + "matrix_multiply ub_addr=0 acc_addr=0\n",
         "t.s:2: matrix_multiply: missing field 'rows' (syntax: matrix_multiply ub_addr=ADDR acc_addr=ADDR "
         "rows=N [accumulate=0|1] [switch=0|1])"},
        {c + "nop cycles=1 CYCLES=2\n", "t.s:2: nop: field 'cycles' given twice"},
        {c + "nop cycles\n", "t.s:2: nop: expected field=value, found 'cycles' without '='"},
        {c + "nop cycles=\n", "t.s:2: nop: field 'cycles' has no value"},
        {c + "nop cycles= # x\n", "t.s:2: nop: field 'cycles' has no value"},
        {c + "nop =1\n", "t.s:2: nop: expected field=value, found '='"},
        {c + "= nop\n", "t.s:2: expected an instruction or a directive at the start of the line"},
        {c + "nop cycles=\"1\"\n", "t.s:2: nop: cycles=1: expected a number or a name, not a quoted string"},
        // numbers
        {c + "nop cycles=12x\n", "t.s:2: nop: cycles=12x is not a number (decimal, 0x hex or 0b binary)"},
        {c + "nop cycles=0x\n", "t.s:2: nop: cycles=0x is not a number (decimal, 0x hex or 0b binary)"},
        {c + "nop cycles=0b102\n", "t.s:2: nop: cycles=0b102 is not a number (decimal, 0x hex or 0b binary)"},
        {c + "nop cycles=1__0\n", "t.s:2: nop: cycles=1__0 is not a number (decimal, 0x hex or 0b binary)"},
        {c + "nop cycles=_1\n", "t.s:2: nop: cycles=_1 is not a number (decimal, 0x hex or 0b binary)"},
        {c + "nop cycles=1_\n", "t.s:2: nop: cycles=1_ is not a number (decimal, 0x hex or 0b binary)"},
        {c + "nop cycles=0x1_0000_0000\n", "t.s:2: nop: cycles=4294967296 is out of range 0..4294967295"},
        {c + "nop cycles=-1\n", "t.s:2: nop: cycles=-1 is out of range 0..4294967295"},
        {c + "nop cycles=99999999999999999999\n",
         "t.s:2: nop: cycles=99999999999999999999 is out of range 0..4294967295"},
        {c + "read_host_memory host_addr=0x100_0000_0000 ub_addr=0 rows=1\n",
         "t.s:2: read_host_memory: host_addr=0x10000000000 is out of range 0x0..0xffffffffff"},
        {c + "read_weights weight_addr=0 tile_rows=0 tile_cols=1\n",
         "t.s:2: read_weights: tile_rows=0 is out of range 1..65535"},
        {c + "convolve ub_addr=0 acc_addr=0 rows=1 outer=1 step=256 pitch=0\n",
         "t.s:2: convolve: step=256 is out of range 0..255"},
        {c + "matrix_multiply ub_addr=0 acc_addr=0 rows=1 accumulate=2\n",
         "t.s:2: matrix_multiply: accumulate=2 is out of range 0..1"},
        // enums and masks
        {c + "activate acc_addr=0 ub_addr=0 rows=1 function=9\n",
         "t.s:2: activate: function=9 is not defined (identity=0, relu=1, sigmoid=2, tanh=3)"},
        {c + "activate acc_addr=0 ub_addr=0 rows=1 function=gelu\n",
         "t.s:2: activate: function=gelu is not defined (identity=0, relu=1, sigmoid=2, tanh=3)"},
        {c + "activate acc_addr=0 ub_addr=0 rows=1 function=relu pool=min\n",
         "t.s:2: activate: pool=min is not defined (none=0, max=1, average=2)"},
        {c + "vector op=subtract a=0 b=0 dst=0 rows=1\n",
         "t.s:2: vector: op=subtract is not defined (add=0, multiply=1)"},
        {c + "sync mode=units units=host|dma\n",
         "t.s:2: sync: units=host|dma: 'dma' is not one of host=1, weight_fetch=2, matrix=4, activation=8"},
        {c + "sync mode=units units=0\n",
         "t.s:2: sync: units=0 names nothing; give at least one of host=1, weight_fetch=2, matrix=4, activation=8"},
        {c + "sync mode=units units=0x10\n",
         "t.s:2: sync: units=0x10 sets undefined bits 0x10 (host=1, weight_fetch=2, matrix=4, activation=8)"},
        {c + "sync mode=units\n",
         "t.s:2: sync: missing field 'units' (syntax: sync mode=MODE [units=UNITS] [addr=ADDR] [length=N])"},
        {c + "sync mode=units units=host addr=0\n", "t.s:2: sync: field 'addr' does not apply when mode=units"},
        {c + "sync mode=ub_range units=host addr=0 length=1\n",
         "t.s:2: sync: field 'units' does not apply when mode=ub_range"},
        {c + "sync mode=ub_range addr=0\n",
         "t.s:2: sync: missing field 'length' (syntax: sync mode=MODE [units=UNITS] [addr=ADDR] [length=N])"},
        {c + "sync mode=acc_range addr=0 length=0\n", "t.s:2: sync: length=0 is out of range 1..16777215"},
        {c + "sync mode=everything\n", "t.s:2: sync: mode=everything is not defined (units=0, ub_range=1, acc_range=2)"},
        // set_config values
        {c + "set_config reg=pool_depth value=1\n",
         "t.s:2: set_config: reg=pool_depth is not defined (requant_multiplier=0, requant_shift=1, pool_size=2, "
         "pool_stride=3, pool_input_width=4, vector_shift=5)"},
        {c + "set_config reg=requant_shift value=63\n",
         "t.s:2: set_config: value=63 is out of range 0..62 for requant_shift"},
        {c + "set_config reg=requant_shift value=-1\n",
         "t.s:2: set_config: value=-1 is out of range 0..62 for requant_shift"},
        {c + "set_config reg=pool_size value=0\n", "t.s:2: set_config: value=0 is out of range 1..15 for pool_size"},
        {c + "set_config reg=requant_multiplier value=0x8000_0000\n",
         "t.s:2: set_config: value=2147483648 is out of range -2147483648..2147483647 for requant_multiplier"},
        {c + "set_config reg=requant_multiplier value=-2147483649\n",
         "t.s:2: set_config: value=-2147483649 is out of range -2147483648..2147483647 for requant_multiplier"},
        {c + "set_config reg=requant_multiplier value=0xFFFF_FFFF_FFFF_FFFF\n",
         "t.s:2: set_config: value=0xFFFF_FFFF_FFFF_FFFF is out of range -2147483648..2147483647 for "
         "requant_multiplier"},
        {c + "set_config reg=vector_shift value=1x\n",
         "t.s:2: set_config: value=1x is not a number (decimal, 0x hex or 0b binary)"},
        // line numbers count every line, with either line ending
        {c + "\r\n# c\r\nnop cycles=1\r\nnop cycles=x\r\n",
         "t.s:5: nop: cycles=x is not a number (decimal, 0x hex or 0b binary)"},
    };
    for (const Case& k : cases) {
        INFO(k.text);
        CHECK(asm_error(k.text) == k.message);
    }
}

TEST_CASE("a chip check given to the assembler rejects a .chip line at its line", "[asm]") {
    int calls = 0;
    const tpusim::isa::ChipCheck no_zero_rows = [&](const ChipSignature& s) {
        ++calls;
        return s.rows == 0 ? std::string("rows=0 is no chip") : std::string();
    };
    CHECK_THROWS_WITH(assemble("# a comment\n.chip rows=0 cols=8 ub_bytes=64 acc_entries=16 weight_bytes=1024\nhalt\n",
                               "t.s", no_zero_rows),
                      "t.s:2: .chip: rows=0 is no chip");
    const Program p = assemble(kChip + "halt\n", "t.s", no_zero_rows);
    CHECK(p.code.size() == 1);
    CHECK(calls == 2);
    // Without a check only the field widths apply.
    CHECK(assemble(".chip rows=0 cols=8 ub_bytes=64 acc_entries=16 weight_bytes=1024\n", "t.s").chip.rows == 0);
}

TEST_CASE("bytes that are not text are named, never printed raw", "[asm]") {
    using namespace std::string_literals;
    const std::string c = kChip;
    // A NUL must not cut the message short; a control byte means the file is not assembly.
    CHECK_THROWS_WITH(assemble("ab\0cd x=1\n"s, "t.s"),
                      "t.s:1: byte 0x00 at column 3 is a control character; assembly is text");
    CHECK_THROWS_WITH(assemble(c + "halt\n# \x1b[2J\n", "t.s"),
                      "t.s:3: byte 0x1b at column 3 is a control character; assembly is text");
    CHECK_THROWS_WITH(assemble(c + "nop\x7f\n", "t.s"),
                      "t.s:2: byte 0x7f at column 4 is a control character; assembly is text");
    // Bytes that are not UTF-8 are escaped in the message; UTF-8 text is kept.
    CHECK_THROWS_WITH(assemble(c + "h\xff\xfelt\n", "t.s"),
                      Catch::StartsWith("t.s:2: unknown instruction 'h\\xff\\xfelt'"));
    CHECK_THROWS_WITH(assemble(c + ".in_layer caf\xc3\xa9\n", "t.s"),
                      "t.s:2: .in_layer: no layer named \"caf\xc3\xa9\" (declare it with .layer first)");
    // A very long word does not make a very long message.
    const std::string word(100000, 'x');
    try {
        assemble(c + word + "\n", "t.s");
        FAIL("accepted");
    } catch (const AsmError& e) {
        CHECK(std::string(e.what()).size() < 500);
    }
    // Tab and CRLF line ends are text.
    CHECK(assemble(c + "halt\t# done\r\n", "t.s").code.size() == 1);
}

TEST_CASE("the disassembler prints the canonical listing", "[disasm]") {
    Program p;
    p.chip = {256, 256, 25165824, 4096, 8589934592};
    p.layers = {{"fc 1", "fc", 10, 20}, {"-", "", 0, 0}};
    Instruction rhm = make(Opcode::ReadHostMemory);
    rhm.host_addr = 0x10;
    rhm.rows = 2;
    Instruction sync = make(Opcode::Sync);
    sync.unit_mask = kUnitMatrix | kUnitActivation;
    Instruction cfg = make(Opcode::SetConfig);
    cfg.value = static_cast<std::uint64_t>(std::int64_t{-5});
    Instruction act = make(Opcode::Activate);
    act.acc_addr = 0xFFFF;
    act.rows = 1;
    act.function = 3;
    p.code = {rhm, sync, cfg, act, make(Opcode::Halt)};
    p.layer_of = {0, Program::kNoLayer, Program::kNoLayer, 1, 1};
    const std::string expected =
        ".chip rows=256 cols=256 ub_bytes=25165824 acc_entries=4096 weight_bytes=8589934592\n"
        ".layer name=\"fc 1\" kind=fc macs=10 weight_bytes=20\n"
        ".layer name=\"-\" kind=\"\" macs=0 weight_bytes=0\n"
        "\n"
        ".in_layer \"fc 1\"\n"
        "read_host_memory host_addr=0x10 ub_addr=0x0 rows=2  # [0]\n"
        ".in_layer -\n"
        "sync mode=units units=matrix|activation  # [1]\n"
        "set_config reg=requant_multiplier value=-5  # [2]\n"
        ".in_layer \"-\"\n"
        "activate acc_addr=0xffff ub_addr=0x0 rows=1 function=tanh pool=none  # [3]\n"
        "halt  # [4]\n";
    CHECK(disassemble(p) == expected);
    CHECK(assemble(expected, "t.s") == p);
    CHECK(disassemble(assemble(expected, "t.s")) == expected);
}

TEST_CASE("an empty program disassembles to its .chip line", "[disasm]") {
    Program p;
    p.chip = {8, 8, 64, 16, 1024};
    const std::string text = disassemble(p);
    CHECK(text == ".chip rows=8 cols=8 ub_bytes=64 acc_entries=16 weight_bytes=1024\n");
    CHECK(assemble(text, "t.s") == p);
}

TEST_CASE("disassembling an invalid instruction or program is an error", "[disasm]") {
    Instruction bad = make(Opcode::Activate);  // rows=0
    CHECK_THROWS_WITH(disassemble(bad), "cannot disassemble opcode 0x07: rows=0 is out of range 1..16777215");
    Program p;
    p.code = {bad};
    CHECK_THROWS_WITH(disassemble(p), "cannot disassemble program: instruction 0: activate: rows=0 is out of "
                                      "range 1..16777215");
}

TEST_CASE("randomized: assemble(disassemble(i)) == i for 200,000 valid instructions", "[asm][disasm]") {
    // Whole programs of many instructions, so that the per-program work (header, layers)
    // does not dominate and the count matches the encode/decode property test.
    tpusim::isa::testing::Rng rng(2024);
    constexpr std::size_t kPrograms = 100, kPerProgram = 2000;
    std::size_t checked = 0;
    for (std::size_t n = 0; n < kPrograms; ++n) {
        Program p;
        p.chip = {256, 256, 24u << 20, 4096, std::uint64_t{8} << 30};
        for (std::size_t i = 0; i < kPerProgram; ++i) p.code.push_back(tpusim::isa::testing::random_instruction(rng));
        const std::string text = disassemble(p);
        const Program q = assemble(text, "random.s");
        REQUIRE(q.code.size() == p.code.size());
        for (std::size_t i = 0; i < p.code.size(); ++i) {
            if (q.code[i] == p.code[i]) continue;
            INFO("instruction " << i << " of program " << n);
            REQUIRE(disassemble(q.code[i]) == disassemble(p.code[i]));
            REQUIRE(q.code[i] == p.code[i]);
        }
        REQUIRE(disassemble(q) == text);
        checked += q.code.size();
    }
    CHECK(checked >= 200000);
}

TEST_CASE("randomized: assemble(disassemble(p)) == p and the listing is a fixed point", "[asm][disasm]") {
    tpusim::isa::testing::Rng rng(4242);
    for (int n = 0; n < 400; ++n) {
        const Program p = tpusim::isa::testing::random_program(rng, 60);
        const std::string text = disassemble(p);
        const Program q = assemble(text, "random.s");
        INFO(text);
        REQUIRE(q == p);
        REQUIRE(disassemble(q) == text);
    }
}
