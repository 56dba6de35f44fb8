// Random valid instructions and programs for the property tests, drawn from the form table
// with a bias towards the edges of every range (where packing mistakes show).
#pragma once

#include "isa/forms.hpp"
#include "isa/program.hpp"

#include <random>
#include <string>

namespace tpusim::isa::testing {

using Rng = std::mt19937_64;

inline std::uint64_t pick(Rng& rng, std::uint64_t lo, std::uint64_t hi) {
    switch (rng() % 4) {
    case 0: return lo;
    case 1: return hi;
    default: return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
    }
}

inline std::uint64_t random_value(Rng& rng, const Field& f, const Instruction& inst) {
    switch (f.kind) {
    case FieldKind::Enum:
        return f.names[rng() % f.names.size()].value;
    case FieldKind::Mask: {
        std::uint64_t v = 0;
        while (v < f.min || v == 0)
            for (const ValueName& n : f.names) v |= (rng() % 2) ? n.value : 0;
        return v;
    }
    case FieldKind::ConfigValue: {
        const ConfigRegister& r = config_registers().at(inst.reg);
        const auto lo = static_cast<std::uint64_t>(r.min), hi = static_cast<std::uint64_t>(r.max);
        // Signed ranges straddle zero; draw the offset from min and add it back.
        return lo + pick(rng, 0, hi - lo);
    }
    default:
        return pick(rng, f.min, f.max());
    }
}

inline Instruction random_instruction(Rng& rng, const Form& form) {
    Instruction inst;
    inst.op = form.opcode;
    for (const FixedFlag& x : form.fixed) inst.*x.member = x.value;
    for (const Field& f : form.fields)
        if (f.applies(inst)) inst.*f.member = random_value(rng, f, inst);
    return inst;
}

inline Instruction random_instruction(Rng& rng) {
    return random_instruction(rng, forms()[rng() % forms().size()]);
}

// Names that stress quoting: spaces, comment and '=' characters, UTF-8, a lone "-".
inline std::string random_layer_text(Rng& rng, bool is_name) {
    static const std::string pieces[] = {"fc", "conv", "_", "-", " ", "#", ";", "=", "1", "x.y",
                                         "\xc3\xa9", "|", "'", "\\", "lstm"};
    if (!is_name && rng() % 5 == 0) return "";
    if (is_name && rng() % 20 == 0) return "-";
    std::string s;
    const auto n = 1 + rng() % 4;
    for (unsigned i = 0; i < n; ++i) s += pieces[rng() % (sizeof pieces / sizeof pieces[0])];
    return s;
}

inline Program random_program(Rng& rng, std::size_t max_instructions) {
    Program p;
    p.chip.rows = static_cast<std::uint32_t>(pick(rng, 0, UINT32_MAX));
    p.chip.cols = static_cast<std::uint32_t>(pick(rng, 0, UINT32_MAX));
    p.chip.ub_bytes = pick(rng, 0, UINT64_MAX);
    p.chip.acc_entries = static_cast<std::uint32_t>(pick(rng, 0, UINT32_MAX));
    p.chip.weight_bytes = pick(rng, 0, UINT64_MAX);
    const auto layers = rng() % 4;
    for (unsigned k = 0; k < layers; ++k) {
        LayerInfo l;
        l.name = random_layer_text(rng, true) + std::to_string(k);  // unique
        l.kind = random_layer_text(rng, false);
        l.macs = pick(rng, 0, UINT64_MAX);
        l.weight_bytes = pick(rng, 0, UINT64_MAX);
        p.layers.push_back(l);
    }
    const auto n = rng() % (max_instructions + 1);
    for (std::size_t i = 0; i < n; ++i) p.code.push_back(random_instruction(rng));
    if (rng() % 2 == 1)
        for (std::size_t i = 0; i < n; ++i)
            p.layer_of.push_back(layers == 0 || rng() % 3 == 0
                                     ? Program::kNoLayer
                                     : static_cast<std::uint32_t>(rng() % layers));
    return p;
}

}  // namespace tpusim::isa::testing
