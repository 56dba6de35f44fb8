// The disassembler prints the canonical listing: the assembler reads it back to an equal
// program, and assembling then disassembling canonical text reproduces it byte for byte.
#include "isa/disassembler.hpp"

#include "isa/error.hpp"
#include "isa/forms.hpp"

#include <fmt/format.h>

#include <cctype>
#include <string_view>

namespace tpusim::isa {
namespace {

// Layer names and kinds print bare when the assembler would read the bare word back as the
// same text, and quoted otherwise ("-" alone means "no layer" to .in_layer).
std::string word_or_quoted(const std::string& s) {
    bool bare = !s.empty() && s != "-";
    for (char c : s)
        bare = bare && (std::isalnum(static_cast<unsigned char>(c)) != 0 ||
                        std::string_view("_.-+/:").find(c) != std::string_view::npos);
    return bare ? s : "\"" + s + "\"";
}

}  // namespace

std::string disassemble(const Instruction& inst) {
    const Form* form = form_of(inst);
    std::string problem = form == nullptr ? "no instruction form has this opcode and flags"
                                          : instruction_problem(*form, inst);
    if (!problem.empty())
        throw Error(fmt::format("cannot disassemble opcode {:#04x}: {}",
                                static_cast<unsigned>(inst.op), problem));
    std::string out = form->mnemonic;
    for (const Field& f : form->fields)
        if (f.applies(inst)) out += fmt::format(" {}={}", f.name, format_field(f, inst));
    return out;
}

std::string disassemble(const Program& program) {
    const std::string problem = program_problem(program);
    if (!problem.empty()) throw Error("cannot disassemble program: " + problem);

    const ChipSignature& c = program.chip;
    std::string out = fmt::format(".chip rows={} cols={} ub_bytes={} acc_entries={} weight_bytes={}\n",
                                  c.rows, c.cols, c.ub_bytes, c.acc_entries, c.weight_bytes);
    for (const LayerInfo& layer : program.layers)
        out += fmt::format(".layer name=\"{}\" kind={} macs={} weight_bytes={}\n", layer.name,
                           word_or_quoted(layer.kind), layer.macs, layer.weight_bytes);
    if (!program.code.empty()) out += '\n';
    for (std::size_t i = 0; i < program.code.size(); ++i) {
        if (!program.layer_of.empty() && (i == 0 || program.layer_of[i] != program.layer_of[i - 1])) {
            const std::uint32_t k = program.layer_of[i];
            out += ".in_layer " + (k == Program::kNoLayer ? std::string("-")
                                                          : word_or_quoted(program.layers[k].name)) +
                   '\n';
        }
        out += fmt::format("{}  # [{}]\n", disassemble(program.code[i]), i);
    }
    return out;
}

}  // namespace tpusim::isa
