#include "cli/options.hpp"

#include <fmt/format.h>

#include <iostream>

namespace tpusim::cli {

bool parse_options(const std::string& command, const std::string& usage, const po::options_description& options,
                   const std::vector<Positional>& positionals, const std::vector<std::string>& args,
                   po::variables_map& vm) {
    po::options_description visible(options);
    visible.add_options()("help,h", "print this help and exit");
    // Positional arguments go through Boost as options that --help does not show.
    po::options_description all(visible);
    po::positional_options_description order;
    for (const Positional& p : positionals) {
        all.add_options()(p.name, po::value<std::string>(), p.description);
        order.add(p.name, 1);
    }
    const auto usage_error = [&](const std::string& what) {
        return UsageError{command + ": " + what + " (usage: " + usage + ")"};
    };
    try {
        po::store(po::command_line_parser(args).options(all).positional(order).run(), vm);
        if (vm.count("help")) {
            std::cout << "usage: " << usage << "\n\n";
            if (!positionals.empty()) {
                std::cout << "arguments:\n";
                for (const Positional& p : positionals) std::cout << fmt::format("  {:<21} {}\n", p.metavar, p.description);
                std::cout << "\n";
            }
            std::cout << visible << "\n";
            return false;
        }
        for (const Positional& p : positionals)
            if (!vm.count(p.name)) throw usage_error(std::string("missing ") + p.metavar);
        // An empty value (--out "", or a shell variable that expanded to nothing) names no
        // file: refused here, not taken as "not given" nor failing after a long run.
        for (const auto& [name, value] : vm) {
            const auto* text = boost::any_cast<std::string>(&value.value());
            if (text == nullptr || !text->empty()) continue;
            std::string what = "--" + name;
            for (const Positional& p : positionals)
                if (name == p.name) what = p.metavar;
            throw usage_error(what + ": expected a value, got an empty string");
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw usage_error(e.what());
    }
    return true;
}

}  // namespace tpusim::cli
