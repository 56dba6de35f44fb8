// The instruction word: hand-computed golden encodings (independent of the form table),
// boundary values of every field, and a randomized round trip.
#include "isa/encoding.hpp"
#include "isa/error.hpp"
#include "isa/forms.hpp"
#include "random_instructions.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace tpusim::isa;
using tpusim::isa::testing::Rng;

namespace {

InstructionWord word(std::vector<unsigned> bytes) {
    InstructionWord w{};
    for (std::size_t i = 0; i < bytes.size(); ++i) w[i] = static_cast<std::uint8_t>(bytes[i]);
    return w;
}

Instruction make(Opcode op) {
    Instruction i;
    i.op = op;
    return i;
}

std::string decode_error(const InstructionWord& w, std::size_t index = 7) {
    try {
        decode(w.data(), index);
    } catch (const ProgramFormatError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("golden encodings, computed by hand from the layout in docs/isa.md", "[encoding]") {
    struct Golden {
        const char* what;
        Instruction inst;
        InstructionWord bytes;
    };
    std::vector<Golden> cases;

    Instruction nop = make(Opcode::Nop);
    nop.cycles = 0xDEADBEEF;
    cases.push_back({"nop", nop, word({0x01, 0, 0xEF, 0xBE, 0xAD, 0xDE})});

    cases.push_back({"halt", make(Opcode::Halt), word({0x02})});

    Instruction rhm = make(Opcode::ReadHostMemory);
    rhm.host_addr = 0xFFFFFFFFFF;
    rhm.ub_addr = 0xABCDEF;
    rhm.rows = 1;
    cases.push_back({"read_host_memory", rhm,
                     word({0x03, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xEF, 0xCD, 0xAB, 0x01, 0, 0})});

    Instruction whm = rhm;
    whm.op = Opcode::WriteHostMemory;
    whm.rows = 0xFFFFFF;
    cases.push_back({"write_host_memory", whm,
                     word({0x04, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xEF, 0xCD, 0xAB, 0xFF, 0xFF, 0xFF})});

    Instruction rw = make(Opcode::ReadWeights);
    rw.weight_addr = 0x123456789A;
    rw.tile_rows = 256;
    rw.tile_cols = 255;
    rw.count = 3;
    cases.push_back({"read_weights", rw,
                     word({0x05, 0, 0x9A, 0x78, 0x56, 0x34, 0x12, 0x00, 0x01, 0xFF, 0x00, 0x03, 0x00})});

    Instruction mm = make(Opcode::MatrixMultiply);
    mm.ub_addr = 0x123456;
    mm.acc_addr = 0x0ABC;
    mm.rows = 0x10;
    mm.accumulate = 1;
    cases.push_back({"matrix_multiply", mm,
                     word({0x06, 0x01, 0x56, 0x34, 0x12, 0xBC, 0x0A, 0x10, 0x00, 0x00})});

    Instruction conv = make(Opcode::MatrixMultiply);
    conv.convolve = 1;
    conv.ub_addr = 1;
    conv.acc_addr = 2;
    conv.rows = 3;
    conv.outer = 4;
    conv.step = 5;
    conv.pitch = 6;
    conv.switch_weights = 1;
    cases.push_back({"convolve", conv,
                     word({0x06, 0x06, 1, 0, 0, 2, 0, 3, 0, 0, 4, 0, 5, 6, 0, 0})});

    Instruction act = make(Opcode::Activate);
    act.acc_addr = 0x0102;
    act.ub_addr = 0x030405;
    act.rows = 6;
    act.function = static_cast<std::uint64_t>(Function::Tanh);
    act.pool = static_cast<std::uint64_t>(Pool::Average);
    cases.push_back({"activate", act, word({0x07, 0, 0x02, 0x01, 0x05, 0x04, 0x03, 0x06, 0, 0, 0x23})});

    Instruction vec = make(Opcode::Vector);
    vec.vector_op = static_cast<std::uint64_t>(VectorOp::Multiply);
    vec.ub_addr = 1;
    vec.ub_addr2 = 2;
    vec.ub_dst = 3;
    vec.rows = 4;
    cases.push_back({"vector", vec, word({0x08, 0, 0x11, 0, 0, 0x20, 0, 0, 0x30, 0, 0, 0x40})});

    Instruction sync = make(Opcode::Sync);
    sync.sync_mode = static_cast<std::uint64_t>(SyncMode::UbRange);
    sync.sync_addr = 0xABCDEF;
    sync.sync_length = 7;
    cases.push_back({"sync ub_range", sync, word({0x09, 0, 0x01, 0xF0, 0xDE, 0xBC, 0x7A})});

    Instruction sync_units = make(Opcode::Sync);
    sync_units.unit_mask = kUnitMatrix | kUnitActivation;
    cases.push_back({"sync units", sync_units, word({0x09, 0, 0xC0, 0x00})});

    Instruction cfg = make(Opcode::SetConfig);
    cfg.reg = static_cast<std::uint64_t>(ConfigReg::RequantMultiplier);
    cfg.value = static_cast<std::uint64_t>(std::int64_t{-2});
    cases.push_back({"set_config", cfg,
                     word({0x0A, 0, 0x00, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})});

    Instruction cfg2 = make(Opcode::SetConfig);
    cfg2.reg = static_cast<std::uint64_t>(ConfigReg::PoolInputWidth);
    cfg2.value = 0xFFFFFF;
    cases.push_back({"set_config unsigned", cfg2, word({0x0A, 0, 0x04, 0xFF, 0xFF, 0xFF})});

    for (const Golden& g : cases) {
        INFO(g.what);
        CHECK(encode(g.inst) == g.bytes);
        CHECK(decode(g.bytes.data(), 0) == g.inst);
    }
}

namespace {

// A random valid instruction of `form` in which `field` applies and holds `v`. Fields after
// it are drawn again, since they may depend on it (sync's fields on mode, value on reg).
Instruction with_value(Rng& rng, const Form& form, const Field& field, std::uint64_t v) {
    for (;;) {
        Instruction i = tpusim::isa::testing::random_instruction(rng, form);
        if (!field.applies(i)) continue;
        i.*field.member = v;
        bool after = false;
        for (const Field& f : form.fields) {
            if (after) i.*f.member = f.applies(i) ? tpusim::isa::testing::random_value(rng, f, i) : 0;
            after = after || &f == &field;
        }
        return i;
    }
}

}  // namespace

TEST_CASE("every field round-trips at its minimum and maximum and refuses one beyond", "[encoding]") {
    Rng rng(1);
    for (const Form& form : forms()) {
        for (const Field& field : form.fields) {
            if (field.kind == FieldKind::ConfigValue) continue;  // per register, below
            const std::uint64_t lo = field.kind == FieldKind::Mask ? field.names.front().value : field.min;
            for (std::uint64_t v : {lo, field.max()}) {
                const Instruction i = with_value(rng, form, field, v);
                INFO(form.mnemonic << " " << field.name << "=" << v);
                CHECK(decode(encode(i).data(), 0) == i);
            }
            if (field.width < 64) {
                Instruction i = with_value(rng, form, field, lo);
                i.*field.member = field.max() + 1;
                INFO(form.mnemonic << " " << field.name << " = max + 1");
                CHECK_THROWS_AS(encode(i), tpusim::Error);
            }
            if (field.min > 0) {
                Instruction i = with_value(rng, form, field, lo);
                i.*field.member = field.min - 1;
                INFO(form.mnemonic << " " << field.name << " = min - 1");
                CHECK_THROWS_AS(encode(i), tpusim::Error);
            }
        }
    }
}

TEST_CASE("set_config round-trips every register at both ends of its range", "[encoding]") {
    for (const ConfigRegister& r : config_registers()) {
        Instruction i = make(Opcode::SetConfig);
        i.reg = static_cast<std::uint64_t>(r.reg);
        for (std::int64_t v : {r.min, r.max}) {
            INFO(r.name << "=" << v);
            i.value = static_cast<std::uint64_t>(v);
            CHECK(decode(encode(i).data(), 0) == i);
            i.value = static_cast<std::uint64_t>(v == r.min ? v - 1 : v + 1);
            CHECK_THROWS_AS(encode(i), tpusim::Error);
        }
    }
}

TEST_CASE("randomized: decode(encode(i)) == i for 200,000 valid instructions", "[encoding]") {
    Rng rng(20261122);
    std::size_t failures = 0;
    for (int n = 0; n < 200000; ++n) {
        const Instruction i = tpusim::isa::testing::random_instruction(rng);
        const InstructionWord w = encode(i);
        if (!(decode(w.data(), static_cast<std::size_t>(n)) == i)) ++failures;
    }
    CHECK(failures == 0);
}

TEST_CASE("randomized: every word the decoder accepts is the canonical encoding", "[encoding]") {
    // Flip one bit of a valid word: the decoder must either reject the word or decode an
    // instruction that encodes back to exactly that word (no two words mean the same).
    Rng rng(7);
    std::size_t accepted = 0, rejected = 0, mismatches = 0;
    for (int n = 0; n < 50000; ++n) {
        InstructionWord w = encode(tpusim::isa::testing::random_instruction(rng));
        const unsigned bit = static_cast<unsigned>(rng() % 128);
        w[bit / 8] = static_cast<std::uint8_t>(w[bit / 8] ^ (1u << (bit % 8)));
        const DecodeResult r = try_decode(w.data());
        if (!r.problem.empty()) {
            ++rejected;
        } else {
            ++accepted;
            if (encode(r.inst) != w) ++mismatches;
        }
    }
    CHECK(mismatches == 0);
    CHECK(accepted > 10000);  // both outcomes are exercised
    CHECK(rejected > 10000);
}

TEST_CASE("decode names the instruction, the byte and the problem", "[encoding]") {
    CHECK(decode_error(word({0x00})) == "instruction 7, byte 0 of its word: bad opcode 0x00");
    CHECK(decode_error(word({0x0B})) == "instruction 7, byte 0 of its word: bad opcode 0x0b");
    CHECK(decode_error(word({0xFF})) == "instruction 7, byte 0 of its word: bad opcode 0xff");
    // halt with a bit set in the last byte
    InstructionWord halt = word({0x02});
    halt[15] = 0x80;
    CHECK(decode_error(halt) == "instruction 7, byte 15 of its word: halt: reserved bits set (0x80 in byte 15)");
    // a flag on an instruction that has none
    CHECK(decode_error(word({0x01, 0x01})) ==
          "instruction 7, byte 1 of its word: nop: reserved bits set (0x01 in byte 1)");
    // matrix_multiply may set bits 0..2 of the flags byte only
    CHECK(decode_error(word({0x06, 0x08, 0, 0, 0, 0, 0, 1})) ==
          "instruction 7, byte 1 of its word: matrix_multiply: reserved bits set (0x08 in byte 1)");
    // matrix_multiply does not encode outer/step/pitch: bytes 10.. are reserved
    CHECK(decode_error(word({0x06, 0x00, 0, 0, 0, 0, 0, 1, 0, 0, 1})) ==
          "instruction 7, byte 10 of its word: matrix_multiply: reserved bits set (0x01 in byte 10)");
    // activate: the two bits above pool (bits 86, 87) are reserved
    CHECK(decode_error(word({0x07, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0x40})) ==
          "instruction 7, byte 10 of its word: activate: reserved bits set (0x40 in byte 10)");
    // activate function=9 (bits 80..83)
    CHECK(decode_error(word({0x07, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0x09})) ==
          "instruction 7, byte 10 of its word: activate: function=9 is not defined "
          "(identity=0, relu=1, sigmoid=2, tanh=3)");
    // activate pool=3
    CHECK(decode_error(word({0x07, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0x30})) ==
          "instruction 7, byte 10 of its word: activate: pool=3 is not defined (none=0, max=1, average=2)");
    // rows=0
    CHECK(decode_error(word({0x07})) ==
          "instruction 7, byte 7 of its word: activate: rows=0 is out of range 1..16777215");
    // sync mode=3 is undefined; mode=units with no unit; range mode with a unit mask
    CHECK(decode_error(word({0x09, 0, 0x03})).find("byte 2 of its word: sync: mode=3 is not defined") !=
          std::string::npos);
    CHECK(decode_error(word({0x09, 0, 0x00})).find("sync: units=0 names nothing") != std::string::npos);
    CHECK(decode_error(word({0x09, 0, 0x11, 0, 0, 0, 0x10})) ==
          "instruction 7, byte 2 of its word: sync: units=host must be 0 (or absent) when mode=ub_range");
    CHECK(decode_error(word({0x09, 0, 0x00, 0x01})) ==
          "instruction 7, byte 2 of its word: sync: units=0x10 sets undefined bits 0x10 "
          "(host=1, weight_fetch=2, matrix=4, activation=8)");
    // set_config: reg 6 is undefined; requant_shift=63 is out of range
    CHECK(decode_error(word({0x0A, 0, 0x06})).find("set_config: reg=6 is not defined") != std::string::npos);
    CHECK(decode_error(word({0x0A, 0, 0x01, 63})) ==
          "instruction 7, byte 3 of its word: set_config: value=63 is out of range 0..62 for requant_shift");
    CHECK(decode_error(word({0x0A, 0, 0x00, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF})) ==
          "instruction 7, byte 3 of its word: set_config: value=-2147483649 is out of range "
          "-2147483648..2147483647 for requant_multiplier");
}

TEST_CASE("encode refuses values that do not fit, naming form and field", "[encoding]") {
    const auto message = [](const Instruction& i) {
        try {
            encode(i);
        } catch (const tpusim::Error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    Instruction mm = make(Opcode::MatrixMultiply);
    mm.rows = 1;
    mm.ub_addr = 1u << 24;
    CHECK(message(mm) == "matrix_multiply: ub_addr=0x1000000 is out of range 0x0..0xffffff");
    mm.ub_addr = 0;
    mm.accumulate = 2;
    CHECK(message(mm) == "matrix_multiply: accumulate=2 is out of range 0..1");
    mm.accumulate = 0;
    mm.convolve = 3;
    CHECK(message(mm) == "no instruction form has opcode 0x06 with convolve=3");
    Instruction bad = make(static_cast<Opcode>(0x40));
    CHECK(message(bad) == "no instruction form has opcode 0x40 with convolve=0");
    Instruction rw = make(Opcode::ReadWeights);
    rw.tile_rows = rw.tile_cols = 1;
    rw.count = 0;
    CHECK(message(rw) == "read_weights: count=0 is out of range 1..65535");
    Instruction halt = make(Opcode::Halt);
    halt.rows = 5;
    CHECK(message(halt) == "halt: rows is not an operand of halt and must keep its default 0 (is 5)");
}

TEST_CASE("Instruction equality compares every member", "[encoding]") {
    Instruction a, b;
    CHECK(a == b);
    for (Operand m : instruction_members()) {
        Instruction c = a;
        c.*m += 1;
        CHECK(c != a);
    }
    b.op = Opcode::Halt;
    CHECK(a != b);
}
