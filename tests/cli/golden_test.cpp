// Golden-output regression: whole reports of fixed runs, compared with the files in
// tests/golden/ and passing only on an empty diff. Any change to a timing rule, the
// compiler's schedule or a statistic shows up here as a diff to review; when the change is
// intended, regenerate with TPUSIM_UPDATE_GOLDEN=1 and commit the new files with it.
#include "run_command.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

using tpusim::test::run_tpusim;

namespace {

const std::string kSource = TPUSIM_SOURCE_DIR;

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The first line where `got` and `want` differ, for the failure message.
std::string first_difference(const std::string& got, const std::string& want) {
    std::istringstream g(got), w(want);
    std::string gl, wl;
    for (int line = 1;; ++line) {
        const bool more_g = static_cast<bool>(std::getline(g, gl)), more_w = static_cast<bool>(std::getline(w, wl));
        if (!more_g && !more_w) return "none";
        if (gl != wl || more_g != more_w)
            return "line " + std::to_string(line) + ":\n  got:  " + gl + "\n  want: " + wl;
    }
}

void check_golden(const std::string& name, const std::string& args) {
    const auto r = run_tpusim(args);
    REQUIRE(r.status == 0);
    const std::string path = kSource + "/tests/golden/" + name;
    if (std::getenv("TPUSIM_UPDATE_GOLDEN")) std::ofstream(path) << r.out;
    const std::string want = read(path);
    INFO(name << ": first difference at " << first_difference(r.out, want));
    CHECK(r.out == want);
}

std::string teaching(const std::string& workload) {
    return "run --json --config '" + kSource + "/configs/teaching-8x8.yaml' --workload '" + kSource +
           "/workloads/teaching/" + workload + ".yaml'";
}

}  // namespace

TEST_CASE("golden reports of the teaching workloads", "[golden]") {
    for (const char* w : {"tiny_mlp", "tiny_cnn", "tiny_lstm"}) check_golden(std::string(w) + ".report.json", teaching(w));
}

TEST_CASE("golden report of the teaching MLP under the cell-level model", "[golden]") {
    // Same file as the fast model's: the two models must agree on every figure.
    check_golden("tiny_mlp.report.json", teaching("tiny_mlp") + " --array-model cells");
}

TEST_CASE("golden reports of TPUv1 MLP0 and CNN0, timing only", "[golden]") {
    for (const char* w : {"mlp0", "cnn0"})
        check_golden(std::string("tpuv1-") + w + ".report.json",
                     "run --json --no-data --config '" + kSource + "/configs/tpuv1.yaml' --workload '" + kSource +
                         "/workloads/tpuv1/" + w + ".yaml'");
}
