// Boost.ProgramOptions plumbing shared by the subcommands: parse, print help, report
// malformed command lines as UsageError.
#pragma once

#include "cli/command.hpp"

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace tpusim::cli {

namespace po = boost::program_options;

/// Parses `args` against `options` (plus `--help`) and `positional`. Returns false when
/// help was printed (the caller returns 0). Throws UsageError on a malformed line.
bool parse_options(const std::string& usage, const po::options_description& options,
                   const po::positional_options_description& positional,
                   const std::vector<std::string>& args, po::variables_map& vm);

}  // namespace tpusim::cli
