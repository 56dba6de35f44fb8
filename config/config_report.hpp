// Human- and machine-readable views of a chip: what `tpusim config show` prints, and the
// parameter reference in docs/config.md.
#pragma once

#include "config/chip_config.hpp"

#include <string>
#include <vector>

namespace tpusim::config {

/// Every parameter grouped by section, with its value in a readable unit and exactly in
/// its base unit, then the derived figures with their formulas. Aligned columns; ends in
/// a newline. Parameters whose path is in `overridden` (config/overrides.hpp) are marked
/// with "*" and listed in a line "* overridden: ..." under the title.
std::string format_chip_report(const ChipConfig& chip, const std::vector<std::string>& overridden = {});

/// The same content as one JSON object: parameters nested as in the YAML file, each with
/// "value" (base units), "unit" and "text", and a "derived" object; when `overridden` is
/// not empty, an "overridden" list of their paths after "source".
std::string format_chip_report_json(const ChipConfig& chip, const std::vector<std::string>& overridden = {});

/// The parameter reference: one Markdown table per section with type, unit, required or
/// default, range and description. docs/config.md embeds it verbatim (a test checks).
std::string format_schema_markdown(const Schema& schema);

}  // namespace tpusim::config
