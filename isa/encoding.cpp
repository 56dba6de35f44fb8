// Encoder and decoder. Neither knows any opcode: both walk the form table.
#include "isa/encoding.hpp"

#include "isa/error.hpp"
#include "isa/forms.hpp"

#include <fmt/format.h>

namespace tpusim::isa {
namespace {

// The word as two little-endian halves: bit k of the word is bit k of lo (k < 64) or bit
// k-64 of hi.
struct Bits128 {
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
};

std::uint64_t low_mask(unsigned width) {
    return width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
}

std::uint64_t get_bits(const Bits128& w, unsigned offset, unsigned width) {
    std::uint64_t v;
    if (offset >= 64)
        v = w.hi >> (offset - 64);
    else if (offset + width <= 64)
        v = w.lo >> offset;
    else  // straddles the halves; 0 < offset < 64 here because width <= 64
        v = (w.lo >> offset) | (w.hi << (64 - offset));
    return v & low_mask(width);
}

// `value` must fit in `width` bits.
void put_bits(Bits128& w, unsigned offset, unsigned width, std::uint64_t value) {
    if (offset >= 64) {
        w.hi |= value << (offset - 64);
    } else {
        w.lo |= value << offset;
        if (offset + width > 64) w.hi |= value >> (64 - offset);
    }
}

Bits128 load(const std::uint8_t* bytes) {
    Bits128 w;
    for (unsigned i = 0; i < 8; ++i) {
        w.lo |= std::uint64_t{bytes[i]} << (8 * i);
        w.hi |= std::uint64_t{bytes[8 + i]} << (8 * i);
    }
    return w;
}

std::uint8_t byte_of(const Bits128& w, unsigned i) {
    return static_cast<std::uint8_t>((i < 8 ? w.lo >> (8 * i) : w.hi >> (8 * (i - 8))) & 0xFF);
}

// Per form: every bit the form gives a meaning (opcode byte, fixed flags, fields). Any
// other bit of its words must be zero.
struct FormInfo {
    const Form* form;
    Bits128 covered;
};

struct DecodeTables {
    std::vector<std::vector<FormInfo>> by_opcode = std::vector<std::vector<FormInfo>>(256);
};

const DecodeTables& tables() {
    static const DecodeTables t = [] {
        DecodeTables t;
        for (const Form& f : forms()) {
            FormInfo info{&f, {}};
            put_bits(info.covered, 0, 8, 0xFF);
            for (const FixedFlag& x : f.fixed) put_bits(info.covered, x.bit, 1, 1);
            for (const Field& field : f.fields)
                put_bits(info.covered, field.offset, field.width, low_mask(field.width));
            t.by_opcode[static_cast<std::uint8_t>(f.opcode)].push_back(info);
        }
        return t;
    }();
    return t;
}

}  // namespace

InstructionWord encode(const Instruction& inst) {
    const Form* form = form_of(inst);
    if (form == nullptr)
        throw Error(fmt::format("no instruction form has opcode {:#04x} with convolve={}",
                                static_cast<unsigned>(inst.op), inst.convolve));
    const std::string problem = instruction_problem(*form, inst);
    if (!problem.empty()) throw Error(fmt::format("{}: {}", form->mnemonic, problem));

    Bits128 w;
    put_bits(w, 0, 8, static_cast<std::uint8_t>(form->opcode));
    for (const FixedFlag& x : form->fixed) put_bits(w, x.bit, 1, x.value);
    for (const Field& f : form->fields) put_bits(w, f.offset, f.width, inst.*f.member);
    InstructionWord word{};
    for (unsigned i = 0; i < kInstructionBytes; ++i) word[i] = byte_of(w, i);
    return word;
}

DecodeResult try_decode(const std::uint8_t* word) {
    DecodeResult r;
    const Bits128 w = load(word);
    const auto& candidates = tables().by_opcode[word[0]];
    if (candidates.empty()) {
        r.problem = fmt::format("bad opcode {:#04x}", word[0]);
        return r;
    }
    const FormInfo* info = nullptr;
    for (const FormInfo& c : candidates) {
        bool match = true;
        for (const FixedFlag& x : c.form->fixed) match = match && get_bits(w, x.bit, 1) == x.value;
        if (match) {
            info = &c;
            break;
        }
    }
    if (info == nullptr) {
        r.byte = 1;
        r.problem = fmt::format("no form of opcode {:#04x} has flags {:#04x}", word[0], word[1]);
        return r;
    }
    const Form& form = *info->form;
    for (unsigned i = 0; i < kInstructionBytes; ++i) {
        const std::uint8_t stray = static_cast<std::uint8_t>(word[i] & ~byte_of(info->covered, i));
        if (stray != 0) {
            r.byte = i;
            r.problem = fmt::format("{}: reserved bits set ({:#04x} in byte {})", form.mnemonic,
                                    stray, i);
            return r;
        }
    }
    r.inst.op = form.opcode;
    for (const FixedFlag& x : form.fixed) r.inst.*x.member = x.value;
    for (const Field& f : form.fields) r.inst.*f.member = get_bits(w, f.offset, f.width);
    for (const Field& f : form.fields) {
        std::string p = field_problem(form, f, r.inst);
        if (!p.empty()) {
            r.byte = f.offset / 8;
            r.problem = fmt::format("{}: {}", form.mnemonic, p);
            return r;
        }
    }
    return r;
}

Instruction decode(const std::uint8_t* word, std::size_t index) {
    DecodeResult r = try_decode(word);
    if (!r.problem.empty())
        throw ProgramFormatError(
            fmt::format("instruction {}, byte {} of its word: {}", index, r.byte, r.problem));
    return r.inst;
}

bool operator==(const Instruction& a, const Instruction& b) {
    if (a.op != b.op) return false;
    for (Operand m : instruction_members())
        if (a.*m != b.*m) return false;
    return true;
}

}  // namespace tpusim::isa
