// Chip parameters set on top of a chip file (config/overrides.hpp): every check of a chip
// file applies, and each problem names the override it comes from.
#include "config/overrides.hpp"

#include <catch2/catch.hpp>

using namespace tpusim::config;

namespace {

const std::string kChip =
    "# a small chip\n"
    "name: small\n"
    "clock: 1GHz\n"
    "matrix_unit: {rows: 8, cols: 8}\n"
    "unified_buffer: {capacity: 64KiB}\n"
    "accumulators: {entries: 256}\n"
    "weight_fifo: {depth: 4}\n"
    "weight_memory: {capacity: 1MiB, bandwidth: 4GB/s, latency: 20ns}\n"
    "host_interface: {bandwidth: 1GB/s, latency: 1us}\n"
    "activation: {throughput: 8, latency: 4}\n";

ParamOverride set(const std::string& text) { return parse_override(text, "--set " + text); }

ChipConfig with(const std::vector<ParamOverride>& overrides) {
    return parse_overridden_chip_config(kChip, "small.yaml", overrides, "overrides of small.yaml");
}

}  // namespace

TEST_CASE("an override is split at its first '='; a malformed one names itself", "[overrides]") {
    const auto o = set("weight_memory.bandwidth=8GB/s");
    CHECK(o.path == "weight_memory.bandwidth");
    CHECK(o.value == "8GB/s");
    CHECK(o.origin == "--set weight_memory.bandwidth=8GB/s");
    CHECK(set("name=a=b").value == "a=b");
    // Blanks around the name and the value are dropped, for every kind of parameter alike.
    CHECK(set(" matrix_unit.operand_mode = int8 ").path == "matrix_unit.operand_mode");
    CHECK(set(" matrix_unit.operand_mode = int8 ").value == "int8");
    CHECK(with({set("matrix_unit.operand_mode=int16 ")}).matrix.operand_mode != with({}).matrix.operand_mode);
    CHECK(with({set("matrix_unit.rows=16 ")}).matrix.rows == 16);
    for (const char* bad : {"matrix_unit.rows", "=8", "matrix_unit.rows=", "", "clock= ", " =8"}) {
        INFO(bad);
        CHECK_THROWS_AS(set(bad), OverrideError);
        CHECK_THROWS_WITH(set(bad), std::string("--set ") + bad + ": expected SECTION.KEY=VALUE such as matrix_unit.rows=512 (KEY=VALUE for a top-level key such as clock)");
    }
}

TEST_CASE("overrides change exactly the parameters they name, top-level ones included", "[overrides]") {
    const ChipConfig base = with({});
    CHECK(base.source_file == "small.yaml");
    const ChipConfig chip = with({set("matrix_unit.rows=16"), set("clock=2GHz"), set("unified_buffer.read_ports=1")});
    CHECK(chip.source_file == "overrides of small.yaml");
    CHECK(chip.matrix.rows == 16);
    CHECK(chip.clock_hz == 2000000000);
    CHECK(chip.ub.read_ports == 1);  // a defaulted key that the file does not give
    CHECK(base.ub.read_ports == 2);
    CHECK(chip.matrix.cols == base.matrix.cols);
    CHECK(chip.weight_memory.bandwidth_bytes_per_s == base.weight_memory.bandwidth_bytes_per_s);
    CHECK(chip.name == "small");
}

TEST_CASE("an override's value is written plain, so a number stays a number", "[overrides]") {
    // A chip file may not quote a number; blanks around a --set value would otherwise make
    // the YAML emitter quote it.
    const ChipConfig chip = with({set("matrix_unit.rows=16 "), set("clock= 2 GHz\t"), set("name= a: b ")});
    CHECK(chip.matrix.rows == 16);
    CHECK(chip.clock_hz == 2000000000);
    CHECK(chip.name == "a: b");  // text may be quoted, and is
}

TEST_CASE("a later override of the same parameter wins", "[overrides]") {
    CHECK(with({set("matrix_unit.rows=16"), set("matrix_unit.rows=32")}).matrix.rows == 32);
    CHECK(apply_overrides(kChip, {set("clock=2GHz"), set("clock=3GHz")}).find("clock: 3GHz") != std::string::npos);
}

TEST_CASE("an unknown parameter is an OverrideError with a suggestion", "[overrides]") {
    CHECK_THROWS_AS(with({set("matrix_unit.rws=16")}), OverrideError);
    CHECK_THROWS_WITH(with({set("matrix_unit.rws=16")}),
                      Catch::StartsWith("--set matrix_unit.rws=16: unknown chip parameter \"matrix_unit.rws\"; did you "
                                        "mean \"matrix_unit.rows\"? (valid: name, clock, matrix_unit.rows,"));
    CHECK(find_chip_param("matrix_unit.rws") == nullptr);
    REQUIRE(find_chip_param("clock") != nullptr);
    CHECK(find_chip_param("clock")->key == "clock");
}

TEST_CASE("a value is checked as a chip file's value and named by its override", "[overrides]") {
    const auto fast = set("weight_memory.bandwidth=fast");
    CHECK_THROWS_WITH(with({fast}), "--set weight_memory.bandwidth=fast: weight_memory.bandwidth: expected a bandwidth "
                                    "such as \"34GB/s\", got \"fast\"");
    try {
        with({fast});
        FAIL("no error");
    } catch (const OverrideError&) {
        FAIL("a bad value is not a malformed override");
    } catch (const ConfigError&) {
    }
    CHECK_THROWS_WITH(with({set("matrix_unit.operand_mode=int4")}),
                      Catch::Contains("matrix_unit.operand_mode: expected one of int8, int8x16, int16, got \"int4\""));
    CHECK_THROWS_WITH(with({set("matrix_unit.rows=0")}), Catch::Contains("matrix_unit.rows: 0 is out of range"));
}

TEST_CASE("a check across parameters names the overridden chip, without a position in text nobody sees",
          "[overrides]") {
    // 64 KiB is not a whole number of 24-byte UB rows.
    CHECK_THROWS_WITH(with({set("matrix_unit.rows=24")}),
                      Catch::StartsWith("overrides of small.yaml: unified_buffer.capacity: 64 KiB (65536 bytes) is not "
                                        "a whole number of 24-byte rows"));
    // A problem of the file itself is reported at its place in the file, overrides or not.
    CHECK_THROWS_WITH(parse_overridden_chip_config(kChip + "extra: 1\n", "small.yaml", {set("clock=2GHz")}, "o"),
                      Catch::StartsWith("small.yaml:11:1: unknown key \"extra\""));
}
