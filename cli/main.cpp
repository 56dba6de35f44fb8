// tpusim: the command-line front end. The only place where typed errors become a
// message on stderr and an exit status: 0 success, 1 bad input (config, program, data),
// 2 malformed command line.
#include "cli/command.hpp"
#include "isa/error.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

namespace {

// SystemC prints its banner when its kernel starts unless this is set; it must be set
// before sc_main runs, hence at static initialisation.
const bool kQuietSystemC = ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0) == 0;

void print_help() {
    std::printf(
        "tpusim %s: a cycle-accurate simulator of a TPUv1-style systolic-array chip\n\n"
        "usage: tpusim SUBCOMMAND [options]\n"
        "       tpusim SUBCOMMAND --help    options of one subcommand\n"
        "       tpusim --version            print the version and exit\n\n"
        "subcommands:\n",
        TPUSIM_VERSION);
    for (const auto& c : tpusim::cli::commands()) std::printf("  %-14s %s\n", c.name, c.summary);
}

int dispatch(const std::vector<std::string>& argv) {
    if (argv.empty() || argv[0] == "--help" || argv[0] == "-h" || argv[0] == "help") {
        print_help();
        return argv.empty() ? 2 : 0;
    }
    if (argv[0] == "--version") {
        std::printf("tpusim %s\n", TPUSIM_VERSION);
        return 0;
    }
    for (const auto& c : tpusim::cli::commands()) {
        if (argv[0] == c.name) return c.run(std::vector<std::string>(argv.begin() + 1, argv.end()));
    }
    throw tpusim::cli::UsageError{fmt::format("unknown subcommand '{}'; run 'tpusim --help' for the list", argv[0])};
}

}  // namespace

// SystemC's library supplies main() and calls sc_main with the command line.
extern "C" int sc_main(int argc, char* argv[]) {
    try {
        return dispatch(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const tpusim::cli::UsageError& e) {
        std::fprintf(stderr, "tpusim: %s\n", e.message.c_str());
        return 2;
    } catch (const tpusim::Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "internal error: %s\n", e.what());
        return 3;
    }
}
