// Each tests/compiler/bad/NAME.yaml must be rejected with exactly the one-line message in
// NAME.expected. The files are read by their path relative to the source tree, so the
// file:line:column in the messages does not depend on where the tree is checked out.
#include "compiler/compile.hpp"
#include "compiler/workload.hpp"
#include "test_files.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

using namespace tpusim::compiler;
using tpusim::compiler::testing::slurp;

namespace {

const std::string kBadDir = "tests/compiler/bad";

std::vector<std::string> names_with(const std::string& extension) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(std::string(TPUSIM_SOURCE_DIR) + "/" + kBadDir))
        if (entry.path().extension() == extension) names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

TEST_CASE("every bad workload is rejected with its expected message", "[bad_workloads]") {
    const auto names = names_with(".yaml");
    CHECK(names.size() >= 40);
    const std::filesystem::path source_dir(TPUSIM_SOURCE_DIR);
    for (const std::string& name : names) {
        const std::string relative = kBadDir + "/" + name + ".yaml";
        INFO(relative);
        REQUIRE(std::filesystem::exists(source_dir / (kBadDir + "/" + name + ".expected")));
        std::string expected = slurp((source_dir / (kBadDir + "/" + name + ".expected")).string());
        while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r')) expected.pop_back();
        REQUIRE(expected.find('\n') == std::string::npos);
        // Every message is placed: file:line:column in the file, or file:line of the layer.
        CHECK(std::regex_search(expected, std::regex("^" + relative + ":[0-9]+(:[0-9]+)?: ")));

        std::string actual = "(accepted)";
        try {
            parse_workload(slurp((source_dir / relative).string()), relative);
        } catch (const WorkloadError& e) {
            actual = e.what();
        } catch (const CompileError& e) {
            actual = e.what();
        }
        CHECK(actual == expected);
    }
}

TEST_CASE("every expected message has its workload", "[bad_workloads]") {
    for (const auto& name : names_with(".expected")) {
        INFO(name);
        CHECK(std::filesystem::exists(std::string(TPUSIM_SOURCE_DIR) + "/" + kBadDir + "/" + name + ".yaml"));
    }
}
