// Assembly text to program (syntax in docs/isa.md, "Assembly language").
#pragma once

#include "isa/program.hpp"

#include <string>

namespace tpusim::isa {

/// Assembles a whole source file. `filename` names the file in messages; errors are
/// AsmError("filename:line: message").
Program assemble(const std::string& text, const std::string& filename);

}  // namespace tpusim::isa
