// Runs the tpusim binary as a user would and captures what it prints and its exit status.
#pragma once

#include <string>

namespace tpusim::test {

struct CommandResult {
    int status = -1;
    std::string out;
    std::string err;
};

/// Runs `TPUSIM_BINARY args` through the shell in `cwd` (empty: the current directory).
CommandResult run_tpusim(const std::string& args, const std::string& cwd = "");

/// A fresh empty directory under the system temp directory.
std::string make_temp_dir(const std::string& tag);

}  // namespace tpusim::test
