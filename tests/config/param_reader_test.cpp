// The parameter reader on its own, with a small made-up section so that each behaviour is
// visible without the whole chip schema: the three modes, defaults, typo detection and
// where each message points.
#include "config/param_reader.hpp"

#include <catch2/catch.hpp>

#include <string>

using tpusim::config::ConfigError;
using tpusim::config::ParamReader;
using tpusim::config::ParamSpec;
using tpusim::config::QuantityKind;

namespace {

struct Pump {
    std::string label;
    std::uint32_t stages = 0;
    std::uint64_t rate = 0;  // bytes/s
    std::uint32_t valve = 0; // index into {"open", "shut"}
};

void bind_pump(ParamReader& r, Pump& p) {
    auto top = r.section("", "Top-level keys.");
    top.param("label").describe("A label.").text().required(p.label);
    auto s = r.section("pump", "A pump.");
    s.param("stages").describe("Stages.").count("stages").range(1, 8, "eight fit in the casing").required(p.stages);
    s.param("rate").describe("Flow.").quantity(QuantityKind::Bandwidth).range(1, 1000000000).or_default("1MB/s", p.rate);
    s.param("valve").describe("Valve.").choice({"open", "shut"}).or_default("open", p.valve);
}

Pump read_pump(const std::string& yaml) {
    ParamReader reader = ParamReader::read(yaml, "pump.yaml");
    Pump p;
    bind_pump(reader, p);
    reader.finish();
    return p;
}

std::string error_of(const std::string& yaml) {
    try {
        read_pump(yaml);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("reading stores checked values and applies defaults", "[param_reader]") {
    Pump p = read_pump("label: main\npump:\n  stages: 3\n");
    CHECK(p.label == "main");
    CHECK(p.stages == 3);
    CHECK(p.rate == 1000000);
    CHECK(p.valve == 0);

    p = read_pump("label: main\npump:\n  stages: 8\n  rate: 2.5kB/s\n  valve: shut\n");
    CHECK(p.stages == 8);
    CHECK(p.rate == 2500);
    CHECK(p.valve == 1);
}

TEST_CASE("describing records every key without a document", "[param_reader]") {
    ParamReader reader = ParamReader::describe();
    Pump p;
    bind_pump(reader, p);
    const auto& schema = reader.schema();
    REQUIRE(schema.sections.size() == 2);
    CHECK(schema.sections[1].name == "pump");
    REQUIRE(schema.params.size() == 4);
    const ParamSpec* stages = schema.find("pump", "stages");
    REQUIRE(stages != nullptr);
    CHECK(stages->path() == "pump.stages");
    CHECK(stages->required);
    CHECK(stages->type_text() == "whole number (stages)");
    CHECK(stages->range_text() == "1 to 8");
    const ParamSpec* rate = schema.find("pump", "rate");
    REQUIRE(rate != nullptr);
    CHECK_FALSE(rate->required);
    CHECK(rate->default_text == "1MB/s");
    CHECK(rate->type_text() == "bandwidth (bytes/s)");
    CHECK(rate->range_text() == "1 B/s to 1 GB/s");
    CHECK(schema.find("pump", "valve")->type_text() == "one of open, shut");
    CHECK(schema.find("", "label")->path() == "label");
    CHECK(schema.find("pump", "nothing") == nullptr);
    // Nothing was read, so nothing was stored.
    CHECK(p.stages == 0);
}

TEST_CASE("showing renders the bound fields", "[param_reader]") {
    ParamReader reader = ParamReader::show();
    Pump p{"aux", 2, 3 * 1024 * 1024, 1};
    bind_pump(reader, p);
    const auto& values = reader.values();
    REQUIRE(values.size() == 4);
    CHECK(values[0].text == "aux");
    CHECK(values[1].number == 2);
    CHECK(values[1].text == "2");
    CHECK(values[2].text == "3 MiB/s");
    CHECK(values[3].text == "shut");
}

TEST_CASE("a key nobody asked for is rejected at the end, with a suggestion", "[param_reader]") {
    CHECK(error_of("label: a\npump:\n  stages: 1\n  raet: 5B/s\n") ==
          R"(pump.yaml:4:3: pump.raet: unknown key; did you mean "rate"? (valid keys: stages, rate, valve))");
    CHECK(error_of("label: a\npump:\n  stages: 1\n  colour: red\n") ==
          R"(pump.yaml:4:3: pump.colour: unknown key (valid keys: stages, rate, valve))");
    CHECK(error_of("label: a\npmup:\n  stages: 1\npump:\n  stages: 1\n") ==
          R"(pump.yaml:2:1: unknown section "pmup"; did you mean "pump"? (valid at the top level: label, pump))");
    CHECK(error_of("label: a\nlabl: b\npump:\n  stages: 1\n") ==
          R"(pump.yaml:2:1: unknown key "labl"; did you mean "label"? (valid at the top level: label, pump))");
}

TEST_CASE("a schema given up front reports a typo before the key it hides", "[param_reader]") {
    ParamReader describer = ParamReader::describe();
    Pump unused;
    bind_pump(describer, unused);

    ParamReader reader = ParamReader::read("label: a\npump:\n  stage: 1\n", "pump.yaml");
    CHECK_THROWS_WITH(reader.check_known_keys(describer.schema()),
                      R"(pump.yaml:3:3: pump.stage: unknown key; did you mean "stages"? (valid keys: stages, rate, valve))");
    // Without the pre-check the same file only shows the symptom.
    CHECK(error_of("label: a\npump:\n  stage: 1\n") ==
          R"(pump.yaml:2:1: pump: missing required key "stages" (a whole number such as "256"))");
}

TEST_CASE("messages point at the value, the key or the section", "[param_reader]") {
    CHECK(error_of("label: a\npump:\n  stages: 9\n") ==
          "pump.yaml:3:11: pump.stages: 9 is out of range: allowed 1 to 8 (eight fit in the casing)");
    CHECK(error_of("label: a\npump:\n  stages: 0\n") ==
          "pump.yaml:3:11: pump.stages: 0 is out of range: allowed 1 to 8 (eight fit in the casing)");
    CHECK(error_of("label: a\npump:\n  stages: 1\n  rate: 2GB/s\n") ==
          "pump.yaml:4:9: pump.rate: 2GB/s is out of range: allowed 1 B/s to 1 GB/s");
    CHECK(error_of("label: a\npump:\n  stages: [1, 2]\n") ==
          R"(pump.yaml:3:11: pump.stages: expected a whole number such as "256", got a list)");
    CHECK(error_of("label: a\npump:\n  stages:\n") ==
          R"(pump.yaml:3:3: pump.stages: expected a whole number such as "256", got no value)");
    CHECK(error_of("label: a\npump:\n  stages: 1\n  valve: ajar\n") ==
          R"(pump.yaml:4:10: pump.valve: expected one of open, shut, got "ajar")");
    CHECK(error_of("label: {a: 1}\npump:\n  stages: 1\n") == R"(pump.yaml:1:8: label: expected text, got a map)");
    CHECK(error_of("label: \"\"\npump:\n  stages: 1\n") ==
          R"(pump.yaml:1:8: label: expected non-empty text on one line, got "")");
    CHECK(error_of("pump:\n  stages: 1\n") ==
          R"(pump.yaml:1:1: missing required top-level key "label" (text))");
    CHECK(error_of("label: a\n") == R"(pump.yaml:1:1: missing section "pump" (it must give "stages", a whole number such as "256"))");
    CHECK(error_of("label: a\npump: 3\n") == R"(pump.yaml:2:7: pump: expected a map of keys, got "3")");
    CHECK(error_of("label: a\npump:\n  stages: 1\n  stages: 2\n") ==
          "pump.yaml:4:3: pump.stages: duplicate key (first given at line 3, column 3)");
    CHECK(error_of("label: a\npump:\n  [x]: 1\n") == "pump.yaml:3:3: pump: keys must be plain names, got a list");
}

TEST_CASE("documents that are not a map of sections", "[param_reader]") {
    CHECK(error_of("") == "pump.yaml:1:1: expected a map of chip parameters at the top level, got an empty document");
    CHECK(error_of("# nothing\n") ==
          "pump.yaml:1:1: expected a map of chip parameters at the top level, got an empty document");
    CHECK(error_of("- 1\n- 2\n") == "pump.yaml:1:1: expected a map of chip parameters at the top level, got a list");
    CHECK(error_of("label: a\npump: {stages: 1\n") == "pump.yaml:3:1: malformed YAML: end of map flow not found");
    CHECK(error_of("label: a\n---\nlabel: b\n") ==
          "pump.yaml:3:1: a second YAML document starts here; a chip config is one document");
}

TEST_CASE("fail() places checks across keys at the key they concern", "[param_reader]") {
    ParamReader reader = ParamReader::read("label: a\npump:\n  stages: 3\n", "pump.yaml");
    Pump p;
    bind_pump(reader, p);
    CHECK_THROWS_WITH(reader.fail("pump", "stages", "too many"), "pump.yaml:3:3: pump.stages: too many");
    // An absent key (rate has a default) is placed at its section.
    CHECK_THROWS_WITH(reader.fail("pump", "rate", "too slow"), "pump.yaml:2:1: pump.rate: too slow");
    CHECK_THROWS_WITH(reader.fail("", "label", "taken"), "pump.yaml:1:1: label: taken");
    CHECK_THROWS_AS(reader.fail("pump", "", "x"), ConfigError);
}

TEST_CASE("mistakes in section functions are logic errors, not config errors", "[param_reader]") {
    ParamReader reader = ParamReader::describe();
    auto s = reader.section("s", "S.");
    std::uint32_t small = 0;
    std::uint64_t big = 0;
    // A 32-bit field cannot hold a range that reaches past 2^32.
    CHECK_THROWS_AS(s.param("a").describe("A.").count("x").range(0, 1ull << 40).required(small), std::logic_error);
    // Every key carries a description.
    CHECK_THROWS_AS(s.param("b").count("x").range(0, 1).required(big), std::logic_error);
    // A number needs a range.
    CHECK_THROWS_AS(s.param("e").describe("E.").count("x").required(big), std::logic_error);
    // A default must itself be valid.
    CHECK_THROWS_AS(s.param("c").describe("C.").count("x").range(1, 2).or_default("3", big), std::logic_error);
    s.param("d").describe("D.").count("x").range(0, 1).required(big);
    CHECK_THROWS_AS(s.param("d").describe("D.").count("x").range(0, 1).required(big), std::logic_error);
}

TEST_CASE("a number must be a plain YAML scalar; text and choices may be quoted", "[param_reader]") {
    // Quoted or !!str-tagged, a value is a string in YAML, whatever its text reads as.
    CHECK(error_of("label: a\npump:\n  stages: \"3\"\n") ==
          R"(pump.yaml:3:11: pump.stages: expected a whole number such as "256", got a quoted string "3"; write numbers without quotes or tags)");
    CHECK(error_of("label: a\npump:\n  stages: '3'\n") ==
          R"(pump.yaml:3:11: pump.stages: expected a whole number such as "256", got a quoted string "3"; write numbers without quotes or tags)");
    CHECK(error_of("label: a\npump:\n  stages: !!str 3\n") ==
          R"(pump.yaml:3:11: pump.stages: expected a whole number such as "256", got a string tagged !!str "3"; write numbers without quotes or tags)");
    CHECK(error_of("label: a\npump:\n  stages: 3\n  rate: \"2kB/s\"\n") ==
          R"(pump.yaml:4:9: pump.rate: expected a bandwidth such as "34GB/s", got a quoted string "2kB/s"; write numbers without quotes or tags)");
    CHECK(error_of("label: a\npump:\n  stages: !pump 3\n") ==
          R"(pump.yaml:3:11: pump.stages: expected a whole number such as "256", got a value tagged !pump "3"; write numbers without quotes or tags)");
    // Plain, or explicitly an integer, a number is read; quoting text and choices is fine.
    const Pump p = read_pump("label: \"main 1\"\npump:\n  stages: !!int 3\n  valve: 'shut'\n");
    CHECK(p.label == "main 1");
    CHECK(p.stages == 3);
    CHECK(p.valve == 1);
}
