#include "cli/chip_option.hpp"

#include "config/overrides.hpp"

#include <algorithm>

namespace tpusim::cli {

const char* const kChipUsage = "--config CHIP.yaml [--set SECTION.KEY=VALUE ...]";

void add_chip_options(po::options_description& options) {
    options.add_options()
        ("config,c", po::value<std::string>()->required(), "chip configuration YAML file")
        ("set", po::value<std::vector<std::string>>(),
         "override a chip parameter, e.g. --set weight_memory.bandwidth=68GB/s; repeatable, the last of a "
         "parameter wins (docs/config.md)");
}

ChipChoice load_chip(const po::variables_map& vm) {
    const std::string path = vm["config"].as<std::string>();
    std::vector<config::ParamOverride> overrides;
    ChipChoice out;
    try {
        if (vm.count("set")) {
            for (const auto& text : vm["set"].as<std::vector<std::string>>()) {
                overrides.push_back(config::parse_override(text, "--set " + text));
                const std::string& key = overrides.back().path;
                if (std::find(out.overridden.begin(), out.overridden.end(), key) == out.overridden.end())
                    out.overridden.push_back(key);
            }
        }
        const std::string text = config::ParamReader::read_file(path);
        out.chip = config::parse_overridden_chip_config(text, path, overrides, "--set overrides of " + path);
    } catch (const config::OverrideError& e) {
        throw UsageError{e.what()};
    }
    return out;
}

}  // namespace tpusim::cli
