// Assembly text to program (syntax in docs/isa.md, "Assembly language").
#pragma once

#include "isa/program.hpp"

#include <functional>
#include <string>

namespace tpusim::isa {

/// Checks a `.chip` line's signature beyond its field widths: "" when it is acceptable,
/// else what is wrong. isa/ knows no chip limits; the CLI passes config's
/// (config::chip_signature_problem), so that isa/ does not depend on config/.
using ChipCheck = std::function<std::string(const ChipSignature&)>;

/// Assembles a whole source file. `filename` names the file in messages; errors are
/// AsmError("filename:line: message"). With `check_chip`, a `.chip` line it rejects is an
/// error at that line.
Program assemble(const std::string& text, const std::string& filename, const ChipCheck& check_chip = nullptr);

}  // namespace tpusim::isa
