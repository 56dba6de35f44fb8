// Chip parameters set on top of a chip file: `--set matrix_unit.rows=512` on the command
// line, and the points of a sweep. Overrides are written into the file's YAML and the
// result is read again by parse_chip_config, so an overridden chip passes every check a
// hand-written chip file does, the checks across parameters included (docs/config.md,
// "Overrides on the command line").
#pragma once

#include "config/chip_config.hpp"

#include <string>
#include <vector>

namespace tpusim::config {

/// An override that cannot be applied as written: malformed, or naming no parameter.
/// The message starts with the override's origin.
class OverrideError : public ConfigError {
public:
    using ConfigError::ConfigError;
};

/// One parameter set to a value written as a chip file would write it.
struct ParamOverride {
    std::string path;    // "matrix_unit.rows", or "clock" for a top-level key
    std::string value;   // "512", "68GB/s", "int16"
    std::string origin;  // names the override in messages: "--set matrix_unit.rows=512"
};

/// Every parameter of the chip schema, as "section.key" (or "key" at the top level).
std::vector<std::string> chip_param_paths();

/// The chip parameter at `path`, or nullptr.
const ParamSpec* find_chip_param(const std::string& path);

/// The one wording for a name that is no chip parameter, suggesting among `valid`:
/// `unknown chip parameter "x"; did you mean "y"? (valid: a, b, ...)`.
std::string unknown_chip_param(const std::string& path, const std::vector<std::string>& valid);

/// Reads "SECTION.KEY=VALUE" ("KEY=VALUE" for a top-level key); `origin` names it in
/// messages. Throws OverrideError "ORIGIN: expected SECTION.KEY=VALUE ..." when there is
/// no '=' or nothing on either side of it. The key is not looked up here.
ParamOverride parse_override(const std::string& text, const std::string& origin);

/// `yaml_text` with every override written in; a later override of a path replaces an
/// earlier one. The YAML is emitted again, so comments are not kept. Nothing is checked:
/// the caller checks the paths, and reads the result with parse_chip_config.
std::string apply_overrides(const std::string& yaml_text, const std::vector<ParamOverride>& overrides);

/// The chip of `yaml_text` (named `source` in messages) with `overrides` applied:
///  - the text is read alone first, so a problem of the file is reported at its place;
///  - each override's path must be a parameter (OverrideError "ORIGIN: unknown chip
///    parameter ...") and its value must be one a chip file may give it (ConfigError
///    "ORIGIN: PATH: expected ...");
///  - the text with the overrides written in is read again under the name
///    `overridden_source`; what fails then is a check across parameters.
/// With no overrides this is parse_chip_config(yaml_text, source).
ChipConfig parse_overridden_chip_config(const std::string& yaml_text, const std::string& source,
                                        const std::vector<ParamOverride>& overrides,
                                        const std::string& overridden_source);

}  // namespace tpusim::config
