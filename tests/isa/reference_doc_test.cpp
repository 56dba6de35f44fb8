// docs/isa.md embeds the reference generated from the form table; this keeps them equal.
// To refresh the document after changing the table, run this test with
// TPUSIM_UPDATE_DOCS=1 in the environment.
#include "isa/assembler.hpp"
#include "isa/reference.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace {

const std::string kDocPath = std::string(TPUSIM_SOURCE_DIR) + "/docs/isa.md";

std::string read_doc() {
    std::ifstream in(kDocPath);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

const std::string kBegin = "<!-- BEGIN GENERATED: isa_reference_markdown() -->\n";
const std::string kEnd = "<!-- END GENERATED -->\n";

}  // namespace

TEST_CASE("docs/isa.md carries the reference generated from the form table", "[docs]") {
    std::string doc = read_doc();
    const auto begin = doc.find(kBegin);
    const auto end = doc.find(kEnd);
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    REQUIRE(begin < end);
    const std::string embedded = doc.substr(begin + kBegin.size(), end - begin - kBegin.size());
    const std::string generated = "\n" + tpusim::isa::isa_reference_markdown() + "\n";
    if (embedded != generated && std::getenv("TPUSIM_UPDATE_DOCS") != nullptr) {
        doc.replace(begin + kBegin.size(), embedded.size(), generated);
        std::ofstream(kDocPath) << doc;
        WARN("rewrote the generated section of " << kDocPath);
        return;
    }
    INFO("docs/isa.md is out of date; rerun this test with TPUSIM_UPDATE_DOCS=1 to refresh it");
    CHECK(embedded == generated);
}

TEST_CASE("the assembly examples in docs/isa.md assemble", "[docs]") {
    const std::string doc = read_doc();
    const std::string open = "```asm\n";
    int examples = 0;
    for (auto at = doc.find(open); at != std::string::npos; at = doc.find(open, at)) {
        at += open.size();
        const auto close = doc.find("```", at);
        REQUIRE(close != std::string::npos);
        const std::string text = doc.substr(at, close - at);
        INFO(text);
        CHECK_NOTHROW(tpusim::isa::assemble(text, "docs/isa.md"));
        ++examples;
    }
    CHECK(examples >= 2);
}
