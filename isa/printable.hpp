// User text made safe to quote in a one-line message: whatever bytes a file holds, the
// message stays one line of readable text and is never cut short by a NUL. Used by the
// assembler and by every YAML reader (config/units, config/yaml_map); it lives here
// because isa/ is the library every other one may depend on.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tpusim::isa {

/// `text` with newline and tab written as \n and \t, every other control byte, DEL and
/// each byte that is not part of valid UTF-8 as \xNN, and valid UTF-8 (an accented layer
/// name) kept. When `max_bytes` is not 0, the result is cut after the first character
/// that takes it past `max_bytes` bytes, and "..." is appended.
std::string printable(std::string_view text, std::size_t max_bytes = 0);

}  // namespace tpusim::isa
