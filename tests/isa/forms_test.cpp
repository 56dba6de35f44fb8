// Invariants of the form table itself: everything else trusts it.
#include "isa/forms.hpp"

#include <catch2/catch.hpp>

#include <bitset>
#include <set>
#include <string>

using namespace tpusim::isa;

TEST_CASE("every form's bits are disjoint and inside the 128-bit word", "[forms]") {
    for (const Form& form : forms()) {
        INFO(form.mnemonic);
        std::bitset<128> used;
        for (unsigned b = 0; b < 8; ++b) used.set(b);  // opcode byte
        const auto claim = [&](unsigned offset, unsigned width, const char* what) {
            INFO(what);
            REQUIRE(width >= 1);
            REQUIRE(offset + width <= 128);
            for (unsigned b = offset; b < offset + width; ++b) {
                REQUIRE_FALSE(used.test(b));
                used.set(b);
            }
        };
        for (const FixedFlag& x : form.fixed) claim(x.bit, 1, x.name);
        for (const Field& f : form.fields) {
            claim(f.offset, f.width, f.name);
            // Only one-bit flags may live in the flags byte; operands start at bit 16.
            if (f.offset < 16) {
                CHECK(f.offset >= 8);
                CHECK(f.width == 1);
            }
        }
    }
}

TEST_CASE("only the matrix forms use the flags byte", "[forms]") {
    for (const Form& form : forms()) {
        bool uses_flags = !form.fixed.empty();
        for (const Field& f : form.fields) uses_flags = uses_flags || f.offset < 16;
        CHECK(uses_flags == (form.opcode == Opcode::MatrixMultiply));
    }
}

TEST_CASE("operand fields are packed in table order from bit 16", "[forms]") {
    for (const Form& form : forms()) {
        INFO(form.mnemonic);
        unsigned next = 16;
        for (const Field& f : form.fields) {
            if (f.offset < 16) continue;
            CHECK(f.offset == next);
            next = f.offset + f.width;
        }
    }
}

TEST_CASE("mnemonics are unique and forms of one opcode differ in a fixed flag", "[forms]") {
    std::set<std::string> names;
    for (const Form& form : forms()) CHECK(names.insert(form.mnemonic).second);
    CHECK(names.size() == 11);
    const Form* mm = find_form("matrix_multiply");
    const Form* conv = find_form("CONVOLVE");
    REQUIRE(mm != nullptr);
    REQUIRE(conv != nullptr);
    REQUIRE(mm->fixed.size() == 1);
    REQUIRE(conv->fixed.size() == 1);
    CHECK(mm->fixed[0].bit == conv->fixed[0].bit);
    CHECK(mm->fixed[0].value != conv->fixed[0].value);
    CHECK(find_form("matmul") == nullptr);
}

TEST_CASE("field names are unique within a form and every member is used or defaulted", "[forms]") {
    for (const Form& form : forms()) {
        INFO(form.mnemonic);
        std::set<std::string> names;
        std::set<std::string> members;  // by name: member pointers have no order
        for (const Field& f : form.fields) {
            CHECK(names.insert(f.name).second);
            CHECK(members.insert(member_name(f.member)).second);
        }
        for (const FixedFlag& x : form.fixed) CHECK(members.insert(member_name(x.member)).second);
        for (Operand m : form.unused) CHECK(members.insert(member_name(m)).second);
        CHECK(members.size() == instruction_members().size());
    }
}

TEST_CASE("matrix_multiply and convolve place their shared fields at the same bits", "[forms]") {
    const Form& mm = *find_form("matrix_multiply");
    const Form& conv = *find_form("convolve");
    for (const Field& a : mm.fields) {
        bool found = false;
        for (const Field& b : conv.fields)
            if (std::string(a.name) == b.name) {
                found = true;
                CHECK(a.offset == b.offset);
                CHECK(a.width == b.width);
            }
        CHECK(found);
    }
}

TEST_CASE("form_of tells the forms apart by opcode and convolve flag", "[forms]") {
    Instruction i;
    i.op = Opcode::MatrixMultiply;
    REQUIRE(form_of(i) != nullptr);
    CHECK(std::string(form_of(i)->mnemonic) == "matrix_multiply");
    i.convolve = 1;
    CHECK(std::string(form_of(i)->mnemonic) == "convolve");
    i.convolve = 2;
    CHECK(form_of(i) == nullptr);
    i.op = static_cast<Opcode>(0);
    CHECK(form_of(i) == nullptr);
}

TEST_CASE("config registers are indexed by ConfigReg and have the documented reset values", "[forms]") {
    const auto& regs = config_registers();
    REQUIRE(regs.size() == static_cast<std::size_t>(kConfigRegCount));
    for (std::size_t i = 0; i < regs.size(); ++i) CHECK(static_cast<std::size_t>(regs[i].reg) == i);
    CHECK(regs[0].reset == 1);   // requant_multiplier
    CHECK(regs[0].is_signed);
    CHECK(regs[0].min == INT32_MIN);
    CHECK(regs[1].reset == 0);   // requant_shift
    CHECK(regs[2].reset == 1);   // pool_size
    CHECK(regs[3].reset == 1);   // pool_stride
    CHECK(regs[4].reset == 1);   // pool_input_width
    CHECK(regs[5].reset == 0);   // vector_shift
    for (const ConfigRegister& r : regs) {
        CHECK(r.reset >= r.min);
        CHECK(r.reset <= r.max);
    }
}

TEST_CASE("sync fields depend on mode", "[forms]") {
    const Form& sync = *find_form("sync");
    Instruction i;
    i.op = Opcode::Sync;
    i.sync_mode = static_cast<std::uint64_t>(SyncMode::Units);
    i.unit_mask = kAllUnits;
    CHECK(instruction_problem(sync, i).empty());
    i.sync_addr = 3;
    CHECK(instruction_problem(sync, i) == "addr=0x3 must be 0 (or absent) when mode=units");
    i.sync_addr = 0;
    i.unit_mask = 0;
    CHECK(instruction_problem(sync, i).find("units=0 names nothing") == 0);
    i.sync_mode = static_cast<std::uint64_t>(SyncMode::AccRange);
    i.sync_length = 1;
    CHECK(instruction_problem(sync, i).empty());
    i.unit_mask = kUnitHost;
    CHECK(instruction_problem(sync, i) == "units=host must be 0 (or absent) when mode=acc_range");
}

TEST_CASE("a member a form does not use must keep its default", "[forms]") {
    Instruction i;
    i.op = Opcode::MatrixMultiply;
    i.rows = 1;
    i.outer = 2;  // only the convolve form encodes outer
    CHECK(instruction_problem(*form_of(i), i) ==
          "outer is not an operand of matrix_multiply and must keep its default 1 (is 2)");
}

TEST_CASE("form_syntax brackets optional and mode-dependent fields", "[forms]") {
    CHECK(form_syntax(*find_form("matrix_multiply")) ==
          "matrix_multiply ub_addr=ADDR acc_addr=ADDR rows=N [accumulate=0|1] [switch=0|1]");
    CHECK(form_syntax(*find_form("sync")) == "sync mode=MODE [units=UNITS] [addr=ADDR] [length=N]");
    CHECK(form_syntax(*find_form("halt")) == "halt");
}
