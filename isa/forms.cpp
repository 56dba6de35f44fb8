// The form table and the value rules every consumer of the table shares.
#include "isa/forms.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <climits>

namespace tpusim::isa {
namespace {

using I = Instruction;

// The operand bits start after the opcode byte and the flags byte.
constexpr unsigned kFirstOperandBit = 16;
constexpr unsigned kFlagsBit = 8;

Field number(FieldKind kind, const char* name, Operand member, unsigned width, std::uint64_t min,
             const char* meaning) {
    Field f{};
    f.name = name;
    f.member = member;
    f.kind = kind;
    f.width = width;
    f.min = min;
    f.meaning = meaning;
    return f;
}
Field count(const char* name, Operand member, unsigned width, std::uint64_t min,
            const char* meaning) {
    return number(FieldKind::Count, name, member, width, min, meaning);
}
Field address(const char* name, Operand member, unsigned width, const char* meaning) {
    return number(FieldKind::Address, name, member, width, 0, meaning);
}
Field named(FieldKind kind, const char* name, Operand member, unsigned width,
            std::vector<ValueName> names, const char* meaning) {
    Field f = number(kind, name, member, width, 0, meaning);
    f.names = std::move(names);
    return f;
}
Field at_least(Field f, std::uint64_t min) {
    f.min = min;
    return f;
}
Field optional(Field f, std::uint64_t default_value) {
    f.optional = true;
    f.default_value = default_value;
    return f;
}
// A one-bit field in the flags byte, optional and 0 unless given. Its offset is fixed, so
// the packer below leaves it in place.
Field flag(const char* name, Operand member, unsigned flag_bit, const char* meaning) {
    Field f = optional(count(name, member, 1, 0, meaning), 0);
    f.offset = kFlagsBit + flag_bit;
    return f;
}
Field only_when(Field f, Operand selector, std::uint32_t selector_values) {
    f.selector = selector;
    f.selector_values = selector_values;
    return f;
}

struct NamedMember {
    const char* name;
    Operand member;
};
// The macro spells each name once, so a name cannot drift from its member.
#define TPUSIM_MEMBER(m) NamedMember{#m, &I::m}
const NamedMember kMembers[] = {
    TPUSIM_MEMBER(host_addr),   TPUSIM_MEMBER(weight_addr), TPUSIM_MEMBER(ub_addr),
    TPUSIM_MEMBER(ub_addr2),    TPUSIM_MEMBER(ub_dst),      TPUSIM_MEMBER(acc_addr),
    TPUSIM_MEMBER(rows),        TPUSIM_MEMBER(outer),       TPUSIM_MEMBER(step),
    TPUSIM_MEMBER(pitch),       TPUSIM_MEMBER(tile_rows),   TPUSIM_MEMBER(tile_cols),
    TPUSIM_MEMBER(count),       TPUSIM_MEMBER(cycles),      TPUSIM_MEMBER(accumulate),
    TPUSIM_MEMBER(switch_weights), TPUSIM_MEMBER(convolve), TPUSIM_MEMBER(function),
    TPUSIM_MEMBER(pool),        TPUSIM_MEMBER(vector_op),   TPUSIM_MEMBER(sync_mode),
    TPUSIM_MEMBER(unit_mask),   TPUSIM_MEMBER(sync_addr),   TPUSIM_MEMBER(sync_length),
    TPUSIM_MEMBER(reg),         TPUSIM_MEMBER(value),
};
#undef TPUSIM_MEMBER
// A member added to Instruction must be listed above as well.
static_assert(sizeof(Instruction) ==
                  sizeof(std::uint64_t) * (1 + sizeof(kMembers) / sizeof(kMembers[0])),
              "Instruction has a member kMembers does not list");

const std::vector<Operand>& all_members() {
    static const std::vector<Operand> members = [] {
        std::vector<Operand> out;
        for (const NamedMember& m : kMembers) out.push_back(m.member);
        return out;
    }();
    return members;
}

// Gives the non-flag fields consecutive offsets from bit 16 in table order, and lists the
// members the form leaves at their defaults.
Form make_form(const char* mnemonic, Opcode opcode, std::vector<FixedFlag> fixed,
               std::vector<Field> fields, const char* unit, const char* summary,
               const char* reads, const char* writes) {
    unsigned next = kFirstOperandBit;
    for (Field& f : fields) {
        if (f.offset != 0) continue;
        f.offset = next;
        next += f.width;
    }
    Form form{mnemonic, opcode, std::move(fixed), std::move(fields), unit, summary,
              reads, writes, {}};
    for (Operand m : all_members()) {
        const bool in_fields = std::any_of(form.fields.begin(), form.fields.end(),
                                           [m](const Field& f) { return f.member == m; });
        const bool in_fixed = std::any_of(form.fixed.begin(), form.fixed.end(),
                                          [m](const FixedFlag& f) { return f.member == m; });
        if (!in_fields && !in_fixed) form.unused.push_back(m);
    }
    return form;
}

constexpr std::uint32_t kWhenUnits = 1u << static_cast<unsigned>(SyncMode::Units);
constexpr std::uint32_t kWhenRange = (1u << static_cast<unsigned>(SyncMode::UbRange)) |
                                     (1u << static_cast<unsigned>(SyncMode::AccRange));

std::vector<ValueName> register_names() {
    std::vector<ValueName> names;
    for (const ConfigRegister& r : config_registers())
        names.push_back({r.name, static_cast<std::uint64_t>(r.reg), r.meaning});
    return names;
}

// Matrix multiply and convolve share their leading fields so that both forms place them
// at the same bits.
std::vector<Field> matrix_fields(bool convolve) {
    std::vector<Field> fields = {
        address("ub_addr", &I::ub_addr, 24,
                convolve ? "UB row of vector (0, 0)" : "first UB row read"),
        address("acc_addr", &I::acc_addr, 16, "first accumulator row written"),
        count("rows", &I::rows, 24, 1,
              convolve ? "inner count: vectors per outer step" : "input vectors (UB rows) to multiply"),
    };
    if (convolve) {
        fields.push_back(count("outer", &I::outer, 16, 1, "outer count"));
        fields.push_back(count("step", &I::step, 8, 0, "UB rows between consecutive inner vectors"));
        fields.push_back(count("pitch", &I::pitch, 24, 0, "UB rows between consecutive outer steps"));
    }
    fields.push_back(flag("accumulate", &I::accumulate, 0,
                          "1: add the products to the accumulators; 0: overwrite them"));
    fields.push_back(flag("switch", &I::switch_weights, 1,
                          "1: first switch the array to the next tile from the weight FIFO"));
    return fields;
}

std::vector<Form> build_forms() {
    // Local, not namespace-scope, so that a forms() call during another file's static
    // initialization cannot see them unconstructed.
    const std::vector<ValueName> kFunctionNames = {
        {"identity", 0, "the requantized value itself"},
        {"relu", 1, "max(0, x)"},
        {"sigmoid", 2, "logistic function"},
        {"tanh", 3, "hyperbolic tangent"},
    };
    const std::vector<ValueName> kPoolNames = {
        {"none", 0, "one output row per accumulator row"},
        {"max", 1, "maximum over each pool_size x pool_size window"},
        {"average", 2, "average over each pool_size x pool_size window"},
    };
    const std::vector<ValueName> kVectorOpNames = {
        {"add", 0, "a + b"},
        {"multiply", 1, "a x b"},
    };
    const std::vector<ValueName> kSyncModeNames = {
        {"units", 0, "until every unit in `units` has finished all it was issued"},
        {"ub_range", 1, "until no write to UB rows [addr, addr+length) is outstanding"},
        {"acc_range", 2, "until no write to accumulator rows [addr, addr+length) is outstanding"},
    };
    const std::vector<ValueName> kUnitNames = {
        {"host", kUnitHost, "host interface, both DMA directions"},
        {"weight_fetch", kUnitWeightFetch, "weight memory to weight FIFO"},
        {"matrix", kUnitMatrix, "matrix unit, including results still draining to the accumulators"},
        {"activation", kUnitActivation, "activation unit: activate, vector, set_config"},
    };

    const unsigned convolve_bit = kFlagsBit + 2;
    std::vector<Form> forms;
    forms.push_back(make_form(
        "nop", Opcode::Nop, {},
        {count("cycles", &I::cycles, 32, 0, "cycles to wait; 0 makes the nop a pure issue slot")},
        "issue", "Delays the issue of the next instruction by `cycles` cycles.", "nothing",
        "nothing"));
    forms.push_back(make_form("halt", Opcode::Halt, {}, {}, "issue",
                              "Ends the program: nothing after it issues, and the run ends "
                              "once every unit has finished what it was issued.",
                              "nothing", "nothing"));
    const auto host_fields = [](bool to_host) {
        return std::vector<Field>{
            address("host_addr", &I::host_addr, 40,
                    to_host ? "first host memory byte written" : "first host memory byte read"),
            address("ub_addr", &I::ub_addr, 24,
                    to_host ? "first UB row read" : "first UB row written"),
            count("rows", &I::rows, 24, 1, "UB rows transferred"),
        };
    };
    forms.push_back(make_form(
        "read_host_memory", Opcode::ReadHostMemory, {}, host_fields(false), "host",
        "Copies `rows` UB rows of data from host memory into the unified buffer.",
        "host memory bytes [host_addr, host_addr + rows x W), W = UB row width",
        "UB rows [ub_addr, ub_addr + rows)"));
    forms.push_back(make_form(
        "write_host_memory", Opcode::WriteHostMemory, {}, host_fields(true), "host",
        "Copies `rows` UB rows from the unified buffer to host memory.",
        "UB rows [ub_addr, ub_addr + rows)",
        "host memory bytes [host_addr, host_addr + rows x W), W = UB row width"));
    forms.push_back(make_form(
        "read_weights", Opcode::ReadWeights, {},
        {address("weight_addr", &I::weight_addr, 40, "first weight memory byte of the first tile"),
         count("tile_rows", &I::tile_rows, 16, 1, "rows of each stored tile (at most the array rows)"),
         count("tile_cols", &I::tile_cols, 16, 1,
               "columns of each stored tile (at most the array columns)"),
         optional(count("count", &I::count, 16, 1, "consecutive tiles to fetch"), 1)},
        "weight_fetch",
        "Fetches `count` consecutive weight tiles from weight memory into the weight FIFO.",
        "weight memory bytes [weight_addr, weight_addr + count x tile_rows x tile_cols)",
        "`count` tiles onto the weight FIFO, each zero-padded to the array's rows x cols"));
    forms.push_back(make_form(
        "matrix_multiply", Opcode::MatrixMultiply, {{"convolve", &I::convolve, 0, convolve_bit}},
        matrix_fields(false), "matrix",
        "Multiplies `rows` input vectors by the weight tile in the array.",
        "UB rows [ub_addr, ub_addr + rows), the first R bytes of each (R = array rows); "
        "with switch=1, the next tile of the weight FIFO",
        "accumulator rows [acc_addr, acc_addr + rows)"));
    forms.push_back(make_form(
        "convolve", Opcode::MatrixMultiply, {{"convolve", &I::convolve, 1, convolve_bit}},
        matrix_fields(true), "matrix",
        "Multiplies outer x rows input vectors, gathered with a two-level stride, by the "
        "weight tile in the array.",
        "vector (o, i) = UB row ub_addr + o x pitch + i x step, for o in [0, outer), "
        "i in [0, rows), o the outer loop; the first R bytes of each (R = array rows); "
        "with switch=1, the next tile of the weight FIFO",
        "accumulator rows [acc_addr, acc_addr + outer x rows); vector (o, i) goes to row "
        "acc_addr + o x rows + i"));
    forms.push_back(make_form(
        "activate", Opcode::Activate, {},
        {address("acc_addr", &I::acc_addr, 16, "first accumulator row read"),
         address("ub_addr", &I::ub_addr, 24, "first UB row written"),
         count("rows", &I::rows, 24, 1, "accumulator rows read"),
         named(FieldKind::Enum, "function", &I::function, 4, kFunctionNames,
               "nonlinearity applied after requantization"),
         optional(named(FieldKind::Enum, "pool", &I::pool, 2, kPoolNames, "pooling"), 0)},
        "activation",
        "Requantizes accumulator rows to int8, applies a nonlinearity and optional pooling, "
        "and writes the result to the unified buffer.",
        "accumulator rows [acc_addr, acc_addr + rows); registers requant_multiplier, "
        "requant_shift, and with pooling pool_size, pool_stride, pool_input_width",
        "UB rows from ub_addr: `rows` rows without pooling, else one row per pooling window; "
        "the first C bytes of each (C = array cols), the rest of the row zero"));
    forms.push_back(make_form(
        "vector", Opcode::Vector, {},
        {named(FieldKind::Enum, "op", &I::vector_op, 4, kVectorOpNames, "element-wise operation"),
         address("a", &I::ub_addr, 24, "first UB row of operand a"),
         address("b", &I::ub_addr2, 24, "first UB row of operand b"),
         address("dst", &I::ub_dst, 24, "first UB row written"),
         count("rows", &I::rows, 24, 1, "rows processed")},
        "activation", "Combines two runs of UB rows element by element.",
        "UB rows [a, a + rows) and [b, b + rows), whole rows; register vector_shift",
        "UB rows [dst, dst + rows)"));
    forms.push_back(make_form(
        "sync", Opcode::Sync, {},
        {named(FieldKind::Enum, "mode", &I::sync_mode, 4, kSyncModeNames, "what to wait for"),
         only_when(at_least(named(FieldKind::Mask, "units", &I::unit_mask, 8, kUnitNames,
                                  "units to wait for"),
                            1),
                   &I::sync_mode, kWhenUnits),
         only_when(address("addr", &I::sync_addr, 24, "first row of the range"), &I::sync_mode,
                   kWhenRange),
         only_when(count("length", &I::sync_length, 24, 1, "rows in the range"), &I::sync_mode,
                   kWhenRange)},
        "issue", "Holds the issue of later instructions until the condition of `mode` holds.",
        "nothing", "nothing"));
    forms.push_back(make_form(
        "set_config", Opcode::SetConfig, {},
        {named(FieldKind::Enum, "reg", &I::reg, 8, register_names(), "register written"),
         named(FieldKind::ConfigValue, "value", &I::value, 64, {},
               "new value, two's complement; its range is the register's")},
        "activation",
        "Writes an activation-unit configuration register, in program order with the "
        "activate and vector instructions around it.",
        "nothing", "configuration register `reg`"));
    return forms;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

const ValueName* find_value(const std::vector<ValueName>& names, std::uint64_t value) {
    for (const ValueName& n : names)
        if (n.value == value) return &n;
    return nullptr;
}

std::string list_names(const std::vector<ValueName>& names) {
    std::string out;
    for (const ValueName& n : names) out += fmt::format("{}{}={}", out.empty() ? "" : ", ", n.name, n.value);
    return out;
}

std::string format_number(FieldKind kind, std::uint64_t v) {
    return kind == FieldKind::Address ? fmt::format("{:#x}", v) : fmt::format("{}", v);
}

const ConfigRegister* register_of(const Instruction& inst) {
    const auto& regs = config_registers();
    return inst.reg < regs.size() ? &regs[inst.reg] : nullptr;
}

}  // namespace

std::uint64_t Field::max() const {
    switch (kind) {
    case FieldKind::Enum: {
        std::uint64_t m = 0;
        for (const ValueName& n : names) m = std::max(m, n.value);
        return m;
    }
    case FieldKind::Mask: {
        std::uint64_t m = 0;
        for (const ValueName& n : names) m |= n.value;
        return m;
    }
    default:
        return width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
    }
}

bool Field::applies(const Instruction& inst) const {
    if (selector == nullptr) return true;
    const std::uint64_t s = inst.*selector;
    return s < 32 && ((selector_values >> s) & 1u) != 0;
}

const std::vector<Form>& forms() {
    static const std::vector<Form> table = build_forms();
    return table;
}

const Form* find_form(std::string_view mnemonic) {
    for (const Form& f : forms())
        if (iequals(f.mnemonic, mnemonic)) return &f;
    return nullptr;
}

const Form* form_of(const Instruction& inst) {
    for (const Form& f : forms()) {
        if (f.opcode != inst.op) continue;
        const bool fixed_match = std::all_of(f.fixed.begin(), f.fixed.end(), [&](const FixedFlag& x) {
            return inst.*x.member == x.value;
        });
        if (fixed_match) return &f;
    }
    return nullptr;
}

const std::vector<ConfigRegister>& config_registers() {
    static const std::vector<ConfigRegister> regs = {
        {"requant_multiplier", ConfigReg::RequantMultiplier, true, INT32_MIN, INT32_MAX, 1,
         "signed multiplier applied to each accumulator value"},
        {"requant_shift", ConfigReg::RequantShift, false, 0, 62, 0,
         "right shift applied after the multiply"},
        {"pool_size", ConfigReg::PoolSize, false, 1, 15, 1, "pooling window edge k (k x k windows)"},
        {"pool_stride", ConfigReg::PoolStride, false, 1, 15, 1, "pooling window stride"},
        {"pool_input_width", ConfigReg::PoolInputWidth, false, 1, (1 << 24) - 1, 1,
         "width W of the pixel grid activate pools over (rows = H x W pixels, row-major)"},
        {"vector_shift", ConfigReg::VectorShift, false, 0, 30, 0,
         "right shift applied to a vector result before saturation"},
    };
    return regs;
}

const std::vector<Operand>& instruction_members() { return all_members(); }

const char* member_name(Operand member) {
    for (const NamedMember& m : kMembers)
        if (m.member == member) return m.name;
    return "?";
}

std::string format_field(const Field& field, const Instruction& inst) {
    const std::uint64_t v = inst.*field.member;
    switch (field.kind) {
    case FieldKind::Enum:
        if (const ValueName* n = find_value(field.names, v)) return n->name;
        return fmt::format("{}", v);
    case FieldKind::Mask: {
        if (v == 0 || (v & ~field.max()) != 0) return fmt::format("{:#x}", v);
        std::string out;
        for (const ValueName& n : field.names)
            if ((v & n.value) != 0) out += (out.empty() ? "" : "|") + std::string(n.name);
        return out;
    }
    case FieldKind::ConfigValue: {
        const ConfigRegister* r = register_of(inst);
        if (r != nullptr && r->is_signed) return fmt::format("{}", static_cast<std::int64_t>(v));
        return fmt::format("{}", v);
    }
    default:
        return format_number(field.kind, v);
    }
}

std::string field_range(const Field& field, const Instruction& inst) {
    switch (field.kind) {
    case FieldKind::Enum:
    case FieldKind::Mask:
        return list_names(field.names);
    case FieldKind::ConfigValue:
        if (const ConfigRegister* r = register_of(inst))
            return fmt::format("{}..{} for {}", r->min, r->max, r->name);
        return fmt::format("0..{}", field.max());
    default:
        return fmt::format("{}..{}", format_number(field.kind, field.min),
                           format_number(field.kind, field.max()));
    }
}

std::string form_syntax(const Form& form) {
    std::string out = form.mnemonic;
    for (const Field& f : form.fields) {
        std::string value;
        if (f.kind == FieldKind::Address)
            value = "ADDR";
        else if (f.kind == FieldKind::Count)
            value = f.width == 1 ? "0|1" : "N";
        else
            for (const char* c = f.name; *c; ++c)
                value += static_cast<char>(std::toupper(static_cast<unsigned char>(*c)));
        const bool bracket = f.optional || f.selector != nullptr;
        out += fmt::format(" {}{}={}{}", bracket ? "[" : "", f.name, value, bracket ? "]" : "");
    }
    return out;
}

std::string field_problem(const Form& form, const Field& field, const Instruction& inst) {
    const std::uint64_t v = inst.*field.member;
    if (!field.applies(inst)) {
        if (v == 0) return {};
        const std::string shown = format_field(field, inst);
        for (const Field& sel : form.fields)
            if (sel.member == field.selector)
                return fmt::format("{}={} must be 0 (or absent) when {}={}", field.name, shown,
                                   sel.name, format_field(sel, inst));
        return fmt::format("{}={} must be 0", field.name, shown);
    }
    bool ok = true;
    switch (field.kind) {
    case FieldKind::Enum:
        if (find_value(field.names, v) == nullptr)
            return fmt::format("{}={} is not defined ({})", field.name, v, list_names(field.names));
        break;
    case FieldKind::Mask:
        if ((v & ~field.max()) != 0)
            return fmt::format("{}={:#x} sets undefined bits {:#x} ({})", field.name, v,
                               v & ~field.max(), list_names(field.names));
        if (v < field.min)
            return fmt::format("{}={} names nothing; give at least one of {}", field.name, v,
                               list_names(field.names));
        break;
    case FieldKind::ConfigValue:
        if (const ConfigRegister* r = register_of(inst)) {
            const auto s = static_cast<std::int64_t>(v);
            ok = r->is_signed ? s >= r->min && s <= r->max
                              : v >= static_cast<std::uint64_t>(r->min) &&
                                    v <= static_cast<std::uint64_t>(r->max);
        }  // else the reg field reports the problem
        break;
    default:
        ok = v >= field.min && v <= field.max();
    }
    if (!ok)
        return fmt::format("{}={} is out of range {}", field.name, format_field(field, inst),
                           field_range(field, inst));
    return {};
}

std::string instruction_problem(const Form& form, const Instruction& inst) {
    if (inst.op != form.opcode)
        return fmt::format("opcode {:#04x} is not {}'s opcode {:#04x}", static_cast<unsigned>(inst.op),
                           form.mnemonic, static_cast<unsigned>(form.opcode));
    for (const FixedFlag& x : form.fixed)
        if (inst.*x.member != x.value)
            return fmt::format("{}={} must be {}", x.name, inst.*x.member, x.value);
    for (const Field& f : form.fields) {
        std::string p = field_problem(form, f, inst);
        if (!p.empty()) return p;
    }
    const Instruction defaults;
    for (Operand m : form.unused)
        if (inst.*m != defaults.*m)
            return fmt::format("{} is not an operand of {} and must keep its default {} (is {})",
                               member_name(m), form.mnemonic, defaults.*m, inst.*m);
    return {};
}

}  // namespace tpusim::isa
