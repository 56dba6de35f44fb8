// Markdown rendering of the form table for docs/isa.md.
#include "isa/reference.hpp"

#include "isa/forms.hpp"

#include <fmt/format.h>

namespace tpusim::isa {
namespace {

std::string bits(unsigned offset, unsigned width) {
    return width == 1 ? fmt::format("{}", offset) : fmt::format("{}..{}", offset, offset + width - 1);
}

std::string opcode_text(const Form& form) {
    std::string out = fmt::format("{:#04x}", static_cast<unsigned>(form.opcode));
    for (const FixedFlag& x : form.fixed) out += fmt::format(", {}={}", x.name, x.value);
    return out;
}

std::string values_text(const Field& field) {
    switch (field.kind) {
    case FieldKind::Enum:
    case FieldKind::Mask: {
        std::string out;
        for (const ValueName& n : field.names)
            out += fmt::format("{}`{}`={}", out.empty() ? "" : ", ", n.name, n.value);
        // A bare '|' would split the Markdown table cell, even inside a code span.
        if (field.kind == FieldKind::Mask) out += "; names joined with `\\|`, or a number";
        if (field.kind == FieldKind::Mask && field.min > 0) out += "; at least one";
        return out;
    }
    case FieldKind::ConfigValue:
        return "the register's range (below)";
    default:
        return field_range(field, Instruction{});
    }
}

std::string meaning_text(const Field& field) {
    std::string out = field.meaning;
    if (field.kind == FieldKind::Enum || field.kind == FieldKind::Mask) {
        for (const ValueName& n : field.names)
            out += fmt::format("{} `{}`: {}", n.value == field.names.front().value ? ";" : ",", n.name, n.meaning);
    }
    return out;
}

std::string default_text(const Form& form, const Field& field) {
    if (field.selector != nullptr) {
        std::string sel_name = "?";
        std::string values;
        for (const Field& s : form.fields) {
            if (s.member != field.selector) continue;
            sel_name = s.name;
            for (const ValueName& n : s.names)
                if (n.value < 32 && ((field.selector_values >> n.value) & 1u) != 0)
                    values += (values.empty() ? "" : " or ") + std::string(n.name);
        }
        return fmt::format("{} when {} is {}; else absent (0)", field.optional ? "optional" : "required",
                           sel_name, values);
    }
    if (!field.optional) return "required";
    Instruction inst;
    inst.*field.member = field.default_value;
    return format_field(field, inst);
}

void form_section(std::string& out, const Form& form) {
    out += fmt::format("### {}\n\n{}\n\n", form.mnemonic, form.summary);
    out += fmt::format("`{}`\n\n", form_syntax(form));
    out += "| opcode | unit | reads | writes |\n|---|---|---|---|\n";
    out += fmt::format("| {} | {} | {} | {} |\n\n", opcode_text(form), form.unit, form.reads, form.writes);
    if (form.fields.empty() && form.fixed.empty()) {
        out += "No operand fields: bits 8..127 are zero.\n\n";
        return;
    }
    out += "| field | member | bits | width | values | if omitted | meaning |\n"
           "|---|---|---|---|---|---|---|\n";
    for (const FixedFlag& x : form.fixed)
        out += fmt::format("| (fixed) | `{}` | {} | 1 | {} | - | set by the mnemonic |\n",
                           member_name(x.member), x.bit, x.value);
    for (const Field& f : form.fields)
        out += fmt::format("| `{}` | `{}` | {} | {} | {} | {} | {} |\n", f.name, member_name(f.member),
                           bits(f.offset, f.width), f.width, values_text(f), default_text(form, f),
                           meaning_text(f));
    out += '\n';
}

}  // namespace

std::string isa_reference_markdown() {
    std::string out;
    out += "### Opcode map\n\n| opcode | mnemonic | unit | summary |\n|---|---|---|---|\n";
    for (const Form& f : forms())
        out += fmt::format("| {} | [`{}`](#{}) | {} | {} |\n", opcode_text(f), f.mnemonic, f.mnemonic,
                           f.unit, f.summary);
    out += '\n';
    for (const Form& f : forms()) form_section(out, f);

    out += "### Configuration registers\n\n"
           "Written by `set_config`, read by the activation unit.\n\n"
           "| reg | number | signed | range | reset value | meaning |\n|---|---|---|---|---|---|\n";
    for (const ConfigRegister& r : config_registers())
        out += fmt::format("| `{}` | {} | {} | {}..{} | {} | {} |\n", r.name, static_cast<unsigned>(r.reg),
                           r.is_signed ? "yes" : "no", r.min, r.max, r.reset, r.meaning);
    return out;
}

}  // namespace tpusim::isa
