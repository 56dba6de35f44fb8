// The form table: the single description of every instruction form. The encoder, decoder,
// assembler, disassembler and the generated reference in docs/isa.md all read it, so a form
// is added or changed here and nowhere else.
#pragma once

#include "isa/instruction.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tpusim::isa {

/// An operand member of Instruction.
using Operand = std::uint64_t Instruction::*;

/// How a field's value is written in assembly and what values it accepts.
enum class FieldKind {
    Count,       // unsigned, written in decimal; min..2^width-1
    Address,     // unsigned, written in hex; min..2^width-1
    Enum,        // one of `names` (by name or number)
    Mask,        // an OR of the bits in `names` ("a|b" or a number)
    ConfigValue, // SetConfig value: range and signedness come from the register in `reg`
};

/// A named value of an Enum field, or a named bit of a Mask field.
struct ValueName {
    const char* name;
    std::uint64_t value;
    const char* meaning;
};

/// One operand field of a form: where it sits in the 128-bit word and what it accepts.
struct Field {
    const char* name;  // assembly name (lower case)
    Operand member;
    unsigned offset = 0;  // first bit in the little-endian 128-bit word
    unsigned width = 0;
    FieldKind kind = FieldKind::Count;
    std::uint64_t min = 0;  // Count, Address, Mask: smallest valid value
    bool optional = false;  // may be omitted in assembly; then it takes `default_value`
    std::uint64_t default_value = 0;
    std::vector<ValueName> names;  // Enum values or Mask bits
    /// If set, the field is used only while the instruction's `selector` member has one of
    /// the values in the bit set `selector_values`; otherwise it must be zero.
    Operand selector = nullptr;
    std::uint32_t selector_values = 0;
    const char* meaning = "";

    /// Largest valid value: 2^width-1, or the largest name for Enum and Mask (all bits).
    std::uint64_t max() const;
    bool applies(const Instruction& inst) const;
};

/// A flag bit whose value is fixed by the form (it tells forms of one opcode apart).
struct FixedFlag {
    const char* name;
    Operand member;
    std::uint64_t value;  // 0 or 1
    unsigned bit;         // bit in the 128-bit word (8..15: the flags byte)
};

struct Form {
    const char* mnemonic;
    Opcode opcode;
    std::vector<FixedFlag> fixed;
    std::vector<Field> fields;  // in assembly order
    const char* unit;     // "issue", "host", "weight_fetch", "matrix" or "activation"
    const char* summary;  // one line: what the instruction does
    const char* reads;
    const char* writes;
    /// Instruction members this form neither encodes nor fixes: they keep the values a
    /// default-constructed Instruction has, so that decode(encode(i)) == i.
    std::vector<Operand> unused;
};

/// Every form, in opcode order.
const std::vector<Form>& forms();
/// The form with this mnemonic (case-insensitive), or nullptr.
const Form* find_form(std::string_view mnemonic);
/// The form an instruction belongs to (by opcode and fixed flags), or nullptr.
const Form* form_of(const Instruction& inst);

/// The activation unit's configuration registers, written by set_config.
struct ConfigRegister {
    const char* name;
    ConfigReg reg;
    bool is_signed;
    std::int64_t min;
    std::int64_t max;
    std::int64_t reset;  // value after reset, before any set_config
    const char* meaning;
};
/// Indexed by ConfigReg.
const std::vector<ConfigRegister>& config_registers();

/// The name of an Instruction member ("ub_addr2"), for messages.
const char* member_name(Operand member);
/// Every operand member of Instruction (not `op`), in declaration order.
const std::vector<Operand>& instruction_members();

/// The canonical assembly text of a field's value in `inst` ("0x1f", "relu", "host|matrix").
std::string format_field(const Field& field, const Instruction& inst);
/// The values `field` accepts in `inst`, for messages ("1..16777215", "0x0..0xffffff",
/// "identity=0, relu=1, ...", "0..62 for requant_shift").
std::string field_range(const Field& field, const Instruction& inst);
/// The assembly syntax of a form: "rows=N [accumulate=0|1] ...", optional fields bracketed.
std::string form_syntax(const Form& form);
/// Why the value of `field` (a field of `form`) in `inst` is not valid, as one phrase
/// ("rows=0 is out of range 1..16777215"), or empty if it is valid.
std::string field_problem(const Form& form, const Field& field, const Instruction& inst);
/// The first reason `inst` is not a valid instance of `form`, or empty if it is.
std::string instruction_problem(const Form& form, const Instruction& inst);

}  // namespace tpusim::isa
