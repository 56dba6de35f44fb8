// Levenshtein distance between two words, for "did you mean" hints: the assembler's for
// mnemonics and fields, and the YAML readers' (config/yaml_map) for keys. It lives here
// because isa/ is the library every other one may depend on.
#pragma once

#include <cstddef>
#include <string_view>

namespace tpusim::isa {

/// Insertions, deletions and substitutions needed to turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace tpusim::isa
