// Sweep files: each tests/sweep/bad/NAME.yaml must be rejected with exactly the one-line
// message in NAME.expected; good files parse to what they say. Paths in messages are
// relative to the source tree, so the tests run from there.
#include "sweep/sweep_file.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

using namespace tpusim::sweep;
namespace fs = std::filesystem;

namespace {

const std::string kBadDir = "tests/sweep/bad";

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Runs the test from the source tree, where the files' relative paths are meant.
struct InSourceTree {
    fs::path previous = fs::current_path();
    InSourceTree() { fs::current_path(TPUSIM_SOURCE_DIR); }
    ~InSourceTree() { fs::current_path(previous); }
};

std::string error_of(const std::string& yaml, const std::string& source = "tests/sweep/inline.yaml") {
    try {
        parse_sweep(yaml, source);
    } catch (const SweepError& e) {
        return e.what();
    }
    return "(accepted)";
}

const std::string kHead =
    "name: t\nbase: ../../configs/teaching-8x8.yaml\nworkloads: [fixtures/two_layer_mlp.yaml]\n";

}  // namespace

TEST_CASE("every bad sweep is rejected with its expected message", "[sweep_file]") {
    InSourceTree here;
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(kBadDir))
        if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    CHECK(names.size() >= 24);
    for (const auto& name : names) {
        const std::string path = kBadDir + "/" + name + ".yaml";
        INFO(path);
        REQUIRE(fs::exists(kBadDir + "/" + name + ".expected"));
        std::string expected = slurp(kBadDir + "/" + name + ".expected");
        while (!expected.empty() && expected.back() == '\n') expected.pop_back();
        REQUIRE(expected.find('\n') == std::string::npos);
        CHECK(std::regex_search(expected, std::regex("^" + path + ":[0-9]+:[0-9]+: ")));  // always a place
        std::string actual = "(accepted)";
        try {
            load_sweep(path);
        } catch (const SweepError& e) {
            actual = e.what();
        }
        CHECK(actual == expected);
    }
}

TEST_CASE("every expected message has its sweep file", "[sweep_file]") {
    InSourceTree here;
    for (const auto& entry : fs::directory_iterator(kBadDir)) {
        if (entry.path().extension() != ".expected") continue;
        INFO(entry.path().string());
        CHECK(fs::exists(fs::path(entry.path()).replace_extension(".yaml")));
    }
}

TEST_CASE("a sweep file that cannot be read is an error naming it", "[sweep_file]") {
    CHECK_THROWS_WITH(load_sweep("no/such/sweep.yaml"), "no/such/sweep.yaml: cannot open sweep file: No such file or directory");
    CHECK_THROWS_WITH(load_sweep(TPUSIM_SOURCE_DIR), std::string(TPUSIM_SOURCE_DIR) + ": cannot read sweep file: it is a directory, not a regular file");
}

TEST_CASE("a sweep file parses to what it says", "[sweep_file]") {
    InSourceTree here;
    const SweepFile s = parse_sweep(kHead +
                                        "data: true\n"
                                        "combine: one-at-a-time\n"
                                        "axes:\n"
                                        "  - params: [clock, accumulators.entries]\n"
                                        "    scale: [0.25, 1, 1.5, 4]\n"
                                        "  - param: weight_memory.bandwidth\n"
                                        "    label: memory bandwidth\n"
                                        "    values: [2GB/s, 8 GB/s]\n"
                                        "  - param: matrix_unit.operand_mode\n"
                                        "    values: [int8, int16]\n",
                                    "tests/sweep/inline.yaml");
    CHECK(s.name == "t");
    CHECK(s.base == "configs/teaching-8x8.yaml");  // resolved against the sweep file's folder
    REQUIRE(s.workloads.size() == 1);
    CHECK(s.workloads[0] == "tests/sweep/fixtures/two_layer_mlp.yaml");
    CHECK(workload_name(s.workloads[0]) == "two_layer_mlp");
    CHECK(s.data);
    CHECK(s.combine == Combine::OneAtATime);
    REQUIRE(s.axes.size() == 3);

    const Axis& a = s.axes[0];
    CHECK(a.label == "clock+accumulators.entries");
    REQUIRE(a.params.size() == 2);
    CHECK(a.params[0].path() == "clock");
    CHECK(a.params[1].path() == "accumulators.entries");
    REQUIRE(a.is_scale());
    REQUIRE(a.size() == 4);
    CHECK(a.scales[0].numerator == 25);
    CHECK(a.scales[0].denominator == 100);
    CHECK(a.scales[1].is_one());
    CHECK(a.scales[2].value() == 1.5);
    CHECK(a.scales[3].text == "4");
    CHECK(a.place == "tests/sweep/inline.yaml:7:5");

    CHECK(s.axes[1].label == "memory bandwidth");
    CHECK_FALSE(s.axes[1].is_scale());
    CHECK(s.axes[1].values == std::vector<std::string>{"2GB/s", "8 GB/s"});
    CHECK(s.axes[2].values == std::vector<std::string>{"int8", "int16"});
}

TEST_CASE("defaults: timing only, every combination", "[sweep_file]") {
    InSourceTree here;
    const SweepFile s = parse_sweep(kHead + "axes: [{param: clock, scale: [2]}]\n", "tests/sweep/inline.yaml");
    CHECK_FALSE(s.data);
    CHECK(s.combine == Combine::Product);
}

TEST_CASE("one value of an axis is checked against every parameter it sets", "[sweep_file]") {
    InSourceTree here;
    // 65536 is within the accumulators' range (a 16-bit address names 65536 entries) but
    // beyond the array's 16-bit tile_rows field: the message names the parameter it fails.
    CHECK(error_of(kHead + "axes:\n  - params: [accumulators.entries, matrix_unit.rows]\n    values: [300, 65536]\n") ==
          "tests/sweep/inline.yaml:6:19: matrix_unit.rows: 65536 is out of range: allowed 1 to 65535 "
          "(the tile_rows field of read_weights is 16 bits)");
}

TEST_CASE("the example of docs/sweeps.md parses to the grid it describes", "[sweep_file]") {
    InSourceTree here;
    const std::string doc = slurp("docs/sweeps.md");
    const std::string fence = "```yaml\n# sweeps/example.yaml\n";
    const auto start = doc.find(fence);
    REQUIRE(start != std::string::npos);
    const auto end = doc.find("```", start + fence.size());
    const SweepFile s = parse_sweep(doc.substr(start + 8, end - start - 8), "sweeps/example.yaml");
    CHECK(s.workloads.size() == 2);
    REQUIRE(s.axes.size() == 2);
    CHECK(s.axes[0].size() * s.axes[1].size() == 15);  // "5 x 3 = 15 points"
    CHECK(s.axes[1].label == "accumulators.entries");
}
