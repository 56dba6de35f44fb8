// Program to canonical assembly text: assemble(disassemble(p)) == p for every valid program.
#pragma once

#include "isa/program.hpp"

#include <string>

namespace tpusim::isa {

/// The whole program: .chip, .layer and .in_layer directives and one line per instruction,
/// every field in table order, ending with a "# [index]" comment. Throws tpusim::Error if
/// the program is not valid (program_problem()).
std::string disassemble(const Program& program);

/// One instruction without a trailing comment, e.g. "activate acc_addr=0x0 ...". Throws
/// tpusim::Error if the instruction is not valid.
std::string disassemble(const Instruction& inst);

}  // namespace tpusim::isa
