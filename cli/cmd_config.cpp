// `tpusim config show`: the resolved chip, every parameter with its unit, and the
// derived figures an architect checks first (peak, ridge point, tile fetch time), with
// the parameters --set changed marked.
#include "cli/chip_option.hpp"
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "config/config_report.hpp"

#include <iostream>

namespace tpusim::cli {

int run_config(const std::vector<std::string>& args) {
    const std::string usage = std::string("tpusim config show ") + kChipUsage + " [--json]";
    po::options_description options("config show options");
    options.add_options()
        ("json", po::bool_switch(), "print JSON instead of a table");
    add_chip_options(options);
    po::variables_map vm;
    if (!parse_options("config", usage, options, {{"action", "ACTION", "what to do: show"}}, args, vm)) return 0;
    if (vm["action"].as<std::string>() != "show")
        throw UsageError{"config: unknown action '" + vm["action"].as<std::string>() + "' (expected: show)"};
    const auto chosen = load_chip(vm);
    std::cout << (vm["json"].as<bool>() ? config::format_chip_report_json(chosen.chip, chosen.overridden)
                                        : config::format_chip_report(chosen.chip, chosen.overridden));
    return 0;
}

}  // namespace tpusim::cli
