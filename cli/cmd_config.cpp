// `tpusim config show`: the resolved chip, every parameter with its unit, and the
// derived figures an architect checks first (peak, ridge point, tile fetch time).
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "config/chip_config.hpp"
#include "config/config_report.hpp"

#include <iostream>

namespace tpusim::cli {

int run_config(const std::vector<std::string>& args) {
    const std::string usage = "tpusim config show --config CHIP.yaml [--json]";
    po::options_description options("config show options");
    options.add_options()
        ("action", po::value<std::string>()->required(), "what to do: show")
        ("config,c", po::value<std::string>()->required(), "chip configuration YAML file")
        ("json", po::bool_switch(), "print JSON instead of a table");
    po::positional_options_description positional;
    positional.add("action", 1);
    po::variables_map vm;
    if (!parse_options(usage, options, positional, args, vm)) return 0;
    if (vm["action"].as<std::string>() != "show")
        throw UsageError{"config: unknown action '" + vm["action"].as<std::string>() + "' (expected: show)"};
    const auto chip = config::load_chip_config(vm["config"].as<std::string>());
    std::cout << (vm["json"].as<bool>() ? config::format_chip_report_json(chip) : config::format_chip_report(chip));
    return 0;
}

}  // namespace tpusim::cli
