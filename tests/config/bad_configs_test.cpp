// Each tests/config/bad/NAME.yaml must be rejected with exactly the one-line message in
// NAME.expected. The files are read by their path relative to the source tree, so the
// file:line:column in the messages does not depend on where the tree is checked out.
#include "config/chip_config.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

using namespace tpusim::config;

namespace {

const std::string kBadDir = "tests/config/bad";

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> bad_config_names() {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(std::string(TPUSIM_SOURCE_DIR) + "/" + kBadDir))
        if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

TEST_CASE("every bad config is rejected with its expected message", "[bad_configs]") {
    const auto names = bad_config_names();
    CHECK(names.size() >= 14);
    for (const std::string& name : names) {
        const std::string relative = kBadDir + "/" + name + ".yaml";
        const std::filesystem::path source_dir(TPUSIM_SOURCE_DIR);
        INFO(relative);
        REQUIRE(std::filesystem::exists(source_dir / (kBadDir + "/" + name + ".expected")));
        std::string expected = slurp(source_dir / (kBadDir + "/" + name + ".expected"));
        while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r')) expected.pop_back();
        REQUIRE(expected.find('\n') == std::string::npos);
        // Every message about a file's content names file:line:column, even when the
        // problem is the whole document (empty) or something absent (a missing section).
        CHECK(std::regex_search(expected, std::regex("^" + relative + ":[0-9]+:[0-9]+: ")));

        std::string actual = "(accepted)";
        try {
            parse_chip_config(slurp(source_dir / relative), relative);
        } catch (const ConfigError& e) {
            actual = e.what();
        }
        CHECK(actual == expected);
    }
}

TEST_CASE("every expected message has its config", "[bad_configs]") {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(TPUSIM_SOURCE_DIR) + "/" + kBadDir)) {
        if (entry.path().extension() != ".expected") continue;
        auto yaml = entry.path();
        yaml.replace_extension(".yaml");
        INFO(entry.path().string());
        CHECK(std::filesystem::exists(yaml));
    }
}

TEST_CASE("a file that cannot be read is a config error naming it", "[bad_configs]") {
    CHECK_THROWS_WITH(load_chip_config("no/such/chip.yaml"),
                      "no/such/chip.yaml: cannot open chip config: No such file or directory");
    CHECK_THROWS_WITH(load_chip_config(std::string(TPUSIM_SOURCE_DIR) + "/configs"),
                      std::string(TPUSIM_SOURCE_DIR) + "/configs: cannot read chip config: it is a directory, not a regular file");
}
