#include "run_command.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/wait.h>

namespace tpusim::test {

namespace {
std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
}  // namespace

std::string make_temp_dir(const std::string& tag) {
    std::string tmpl = (std::filesystem::temp_directory_path() / ("tpusim-" + tag + "-XXXXXX")).string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    return tmpl;
}

CommandResult run_tpusim(const std::string& args, const std::string& cwd) {
    const std::string dir = make_temp_dir("cmd");
    const std::string out = dir + "/out", err = dir + "/err";
    std::string cmd;
    if (!cwd.empty()) cmd = "cd '" + cwd + "' && ";
    cmd += std::string("'") + TPUSIM_BINARY + "' " + args + " >'" + out + "' 2>'" + err + "' </dev/null";
    const int raw = std::system(cmd.c_str());
    CommandResult r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    std::filesystem::remove_all(dir);
    return r;
}

}  // namespace tpusim::test
