// A tpusim subcommand: its name, a one-line summary for `tpusim --help`, and its entry.
#pragma once

#include <string>
#include <vector>

namespace tpusim::cli {

/// Thrown for a malformed command line (unknown option, missing argument); exit status 2.
struct UsageError {
    std::string message;
};

struct Command {
    const char* name;
    const char* summary;
    /// Runs with the arguments after the subcommand name; returns the exit status.
    int (*run)(const std::vector<std::string>& args);
};

/// Every subcommand that exists, in the order `tpusim --help` lists them.
const std::vector<Command>& commands();

}  // namespace tpusim::cli
