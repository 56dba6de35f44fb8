// docs/config.md must carry the parameter reference generated from the schema, and
// mention every shipped chip. To regenerate the reference after changing a section
// function, run this test with TPUSIM_UPDATE_DOCS=1 and review the diff.
#include "config/chip_config.hpp"
#include "config/config_report.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace tpusim::config;

namespace {

const std::string kBegin = "<!-- BEGIN generated parameter reference (tests/config/docs_test.cpp) -->\n";
const std::string kEnd = "<!-- END generated parameter reference -->\n";

std::string docs_path() { return std::string(TPUSIM_SOURCE_DIR) + "/docs/config.md"; }

std::string read_docs() {
    std::ifstream in(docs_path(), std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("docs/config.md embeds the generated parameter reference", "[docs]") {
    std::string docs = read_docs();
    const auto begin = docs.find(kBegin);
    const auto end = docs.find(kEnd);
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    REQUIRE(begin < end);
    const std::string generated = "\n" + format_schema_markdown(chip_config_schema());
    const std::string embedded = docs.substr(begin + kBegin.size(), end - begin - kBegin.size());

    const char* update = std::getenv("TPUSIM_UPDATE_DOCS");
    if (update != nullptr && std::string(update) == "1" && embedded != generated) {
        docs.replace(begin + kBegin.size(), end - begin - kBegin.size(), generated);
        std::ofstream(docs_path(), std::ios::binary) << docs;
        WARN("rewrote the parameter reference in docs/config.md");
        return;
    }
    CHECK(embedded == generated);
}

TEST_CASE("every key appears in docs/config.md", "[docs]") {
    const std::string docs = read_docs();
    for (const ParamSpec& p : chip_config_schema().params) {
        INFO(p.path());
        CHECK(docs.find("`" + p.path() + "`") != std::string::npos);
    }
}

TEST_CASE("every shipped chip is described in docs/config.md", "[docs]") {
    const std::string docs = read_docs();
    for (const auto& entry : std::filesystem::directory_iterator(std::string(TPUSIM_SOURCE_DIR) + "/configs")) {
        if (entry.path().extension() != ".yaml") continue;
        INFO(entry.path().filename().string());
        CHECK(docs.find("configs/" + entry.path().filename().string()) != std::string::npos);
    }
}
