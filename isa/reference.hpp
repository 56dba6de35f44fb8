// The instruction reference as Markdown, generated from the form table. docs/isa.md embeds
// it between markers, and a test keeps the two identical.
#pragma once

#include <string>

namespace tpusim::isa {

/// Opcode map, one table per instruction form, and the configuration registers.
std::string isa_reference_markdown();

}  // namespace tpusim::isa
