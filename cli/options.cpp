#include "cli/options.hpp"

#include <iostream>

namespace tpusim::cli {

bool parse_options(const std::string& usage, const po::options_description& options,
                   const po::positional_options_description& positional,
                   const std::vector<std::string>& args, po::variables_map& vm) {
    po::options_description all(options);
    all.add_options()("help,h", "print this help and exit");
    try {
        po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
        if (vm.count("help")) {
            std::cout << "usage: " << usage << "\n\n" << all << "\n";
            return false;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError{std::string(e.what()) + " (usage: " + usage + ")"};
    }
    return true;
}

}  // namespace tpusim::cli
