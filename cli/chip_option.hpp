// The chip a subcommand works on: `--config CHIP.yaml` and any number of
// `--set SECTION.KEY=VALUE` overrides (config/overrides.hpp), the same for every subcommand.
#pragma once

#include "cli/options.hpp"
#include "config/chip_config.hpp"

#include <string>
#include <vector>

namespace tpusim::cli {

/// "--config CHIP.yaml [--set SECTION.KEY=VALUE ...]", for usage lines.
extern const char* const kChipUsage;

/// Adds --config (required) and --set (repeatable) to `options`.
void add_chip_options(po::options_description& options);

struct ChipChoice {
    config::ChipConfig chip;
    std::vector<std::string> overridden;  // the paths --set gave, each once, in first-given order
};

/// The chip of --config with every --set written in, in order (a later --set of the same
/// parameter wins). A malformed --set or an unknown parameter is a UsageError; a value the
/// chip file could not have is a ConfigError naming the --set argument.
ChipChoice load_chip(const po::variables_map& vm);

}  // namespace tpusim::cli
