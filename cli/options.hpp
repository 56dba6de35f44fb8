// Boost.ProgramOptions plumbing shared by the subcommands: parse, print help, report
// malformed command lines as UsageError.
#pragma once

#include "cli/command.hpp"

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace tpusim::cli {

namespace po = boost::program_options;

/// A required positional argument ("tpusim asm PROGRAM.s"). It is stored under `name` in
/// the variables map but is not an option: --help lists it under "arguments" by `metavar`,
/// and its absence is reported by `metavar`, not as a missing "--name".
struct Positional {
    const char* name;         // key in the variables map
    const char* metavar;      // "PROGRAM.s", as in the usage line
    const char* description;
};

/// Parses `args` of subcommand `command` against `options` (plus `--help`) and the
/// positional arguments, in order. Returns false when help was printed (the caller returns
/// 0). Throws UsageError "command: what is wrong (usage: ...)" on a malformed line.
bool parse_options(const std::string& command, const std::string& usage, const po::options_description& options,
                   const std::vector<Positional>& positionals, const std::vector<std::string>& args,
                   po::variables_map& vm);

}  // namespace tpusim::cli
