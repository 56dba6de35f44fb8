// The points of a sweep and their chips: scaling with rounding, grid order, the base
// point, and chip files that are read back through every check of a chip file.
#include "config/chip_config.hpp"
#include "sweep/grid.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

using namespace tpusim;
using namespace tpusim::sweep;
namespace fs = std::filesystem;

namespace {

std::string teaching_path() { return std::string(TPUSIM_SOURCE_DIR) + "/configs/teaching-8x8.yaml"; }

std::string teaching_yaml() {
    std::ifstream in(teaching_path());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

config::ChipConfig teaching() { return config::load_chip_config(teaching_path()); }

SweepFile sweep_of(const std::string& axes, const std::string& extra = "") {
    const std::string source = std::string(TPUSIM_SOURCE_DIR) + "/tests/sweep/inline.yaml";
    return parse_sweep("name: t\nbase: ../../configs/teaching-8x8.yaml\nworkloads: [fixtures/two_layer_mlp.yaml]\n" +
                           extra + "axes:\n" + axes,
                       source);
}

Scale scale(const std::string& text, std::uint64_t numerator, std::uint64_t denominator) {
    Scale s;
    s.text = text;
    s.numerator = numerator;
    s.denominator = denominator;
    return s;
}

std::uint64_t value_of(const config::ChipConfig& chip, const std::string& path) {
    for (const auto& v : config::chip_config_values(chip))
        if (v.spec.path() == path) return v.number;
    FAIL("no parameter " << path);
    return 0;
}

}  // namespace

TEST_CASE("scaled values round to the nearest whole base unit, halves up", "[grid]") {
    CHECK(scale_value(8, scale("0.25", 25, 100)) == 2);
    CHECK(scale_value(10, scale("0.25", 25, 100)) == 3);  // 2.5
    CHECK(scale_value(9, scale("0.25", 25, 100)) == 2);   // 2.25
    CHECK(scale_value(3, scale("0.5", 5, 10)) == 2);      // 1.5
    CHECK(scale_value(1, scale("0.25", 25, 100)) == 0);   // the config's range check rejects it
    CHECK(scale_value(34000000000, scale("0.25", 25, 100)) == 8500000000);
    CHECK(scale_value(700000000, scale("1.5", 15, 10)) == 1050000000);
    // Exact beyond double precision: 2^60 + 1 times 1 stays 2^60 + 1.
    CHECK(scale_value((std::uint64_t{1} << 60) + 1, scale("1", 1, 1)) == (std::uint64_t{1} << 60) + 1);
    CHECK(scale_value(std::uint64_t{1} << 62, scale("8", 8, 1)) == UINT64_MAX);  // saturates
}

TEST_CASE("a product grid has every combination, the last axis turning fastest", "[grid]") {
    const SweepFile s = sweep_of("  - {param: weight_memory.bandwidth, scale: [0.5, 1, 2]}\n"
                                 "  - {params: [matrix_unit.rows, matrix_unit.cols], values: [4, 8]}\n");
    const auto points = expand_grid(s, teaching());
    REQUIRE(points.size() == 6);  // the base (1x, 8) is in the grid: nothing is added
    const std::vector<std::vector<int>> settings = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 0}, {2, 1}};
    for (std::size_t i = 0; i < points.size(); ++i) {
        INFO(i);
        CHECK(points[i].id == "p00" + std::to_string(i));
        CHECK(points[i].setting == settings[i]);
        CHECK(points[i].is_base == (i == 3));
        REQUIRE(points[i].overrides.size() == 3);
    }
    CHECK(points[0].overrides[0].spec.path() == "weight_memory.bandwidth");
    CHECK(points[0].overrides[0].value == 2000000000);  // 4 GB/s x 0.5
    CHECK(points[0].overrides[0].text() == "2 GB/s");
    CHECK(points[0].overrides[1].spec.path() == "matrix_unit.rows");
    CHECK(points[0].overrides[1].value == 4);
    CHECK(points[0].overrides[2].value == 4);
    CHECK(points[5].overrides[0].value == 8000000000);
}

TEST_CASE("a grid without the base chip gets it added as point \"base\"", "[grid]") {
    const SweepFile s = sweep_of("  - {param: clock, scale: [0.5, 2]}\n");
    const auto points = expand_grid(s, teaching());
    REQUIRE(points.size() == 3);
    CHECK(points[2].id == "base");
    CHECK(points[2].is_base);
    CHECK(points[2].setting == std::vector<int>{kAtBase});
    CHECK(points[2].overrides[0].value == 1000000000);
    CHECK_FALSE(points[0].is_base);
}

TEST_CASE("a one-at-a-time grid varies each axis alone around the base", "[grid]") {
    const SweepFile s = sweep_of("  - {param: clock, scale: [0.5, 1, 2]}\n"
                                 "  - {param: accumulators.entries, values: [128, 256, 512]}\n",
                                 "combine: one-at-a-time\n");
    const auto points = expand_grid(s, teaching());
    // base, clock 0.5 and 2 (1 is the base), entries 128 and 512 (256 is the base's)
    REQUIRE(points.size() == 5);
    CHECK(points[0].id == "base");
    CHECK(points[0].is_base);
    CHECK(points[0].setting == std::vector<int>{kAtBase, kAtBase});
    CHECK(points[1].setting == std::vector<int>{0, kAtBase});
    CHECK(points[2].setting == std::vector<int>{2, kAtBase});
    CHECK(points[3].setting == std::vector<int>{kAtBase, 0});
    CHECK(points[4].setting == std::vector<int>{kAtBase, 2});
    CHECK(points[4].overrides[0].value == 1000000000);  // clock at the base
    CHECK(points[4].overrides[1].value == 512);
    CHECK(points[4].id == "p004");
}

TEST_CASE("a point's chip file is the base with its overrides, checked like any chip file", "[grid]") {
    const SweepFile s = sweep_of("  - {params: [matrix_unit.rows, matrix_unit.cols], scale: [0.25, 0.5]}\n"
                                 "  - {param: weight_memory.bandwidth, scale: [0.3]}\n");
    const auto points = expand_grid(s, teaching());
    REQUIRE(points.size() == 3);
    const std::string text = point_chip_yaml(teaching_yaml(), points[0].overrides, "point p000\nof a test");
    CHECK(text.rfind("# point p000\n# of a test\n", 0) == 0);
    const auto chip = config::parse_chip_config(text, "p000.yaml");
    CHECK(chip.matrix.rows == 2);
    CHECK(chip.matrix.cols == 2);
    CHECK(chip.weight_memory.bandwidth_bytes_per_s == 1200000000);  // 4 GB/s x 0.3
    CHECK(chip.name == "teaching-8x8");
    // Everything not swept keeps the base's value.
    CHECK(value_of(chip, "unified_buffer.capacity") == 65536);
    CHECK(value_of(chip, "weight_memory.latency") == 20000);
    CHECK(value_of(chip, "weight_memory.channels") == 1);
}

TEST_CASE("a point whose chip breaks a rule of chip files fails with that rule's message", "[grid]") {
    // 64 KiB is a whole number of 8-byte rows but not of 24-byte rows (3 x 8).
    const SweepFile s = sweep_of("  - {params: [matrix_unit.rows, matrix_unit.cols], scale: [3]}\n");
    const auto points = expand_grid(s, teaching());
    const std::string text = point_chip_yaml(teaching_yaml(), points[0].overrides, "");
    CHECK_THROWS_WITH(config::parse_chip_config(text, "chips/p000.yaml"),
                      Catch::Contains("chips/p000.yaml:") &&
                          Catch::Contains("unified_buffer.capacity: 64 KiB (65536 bytes) is not a whole number of "
                                          "24-byte rows"));
}

TEST_CASE("the chip key ignores the name and nothing else", "[grid]") {
    const auto base = teaching();
    auto renamed = base;
    renamed.name = "other";
    CHECK(chip_key(base) == chip_key(renamed));
    auto slower = base;
    slower.weight_memory.latency_ps += 1;
    CHECK(chip_key(base) != chip_key(slower));
    CHECK(chip_key(base).find("weight_memory.latency=20000\n") != std::string::npos);
}

TEST_CASE("axes of a one-at-a-time sweep may share a parameter; the varied axis sets it", "[grid]") {
    // The TPUv1 paper's "clock" and "clock+" (clock with accumulators) studies.
    const SweepFile s = sweep_of("  - {param: clock, scale: [2]}\n"
                                 "  - {params: [clock, accumulators.entries], scale: [2]}\n",
                                 "combine: one-at-a-time\n");
    REQUIRE(swept_params(s).size() == 2);  // clock once, then the accumulators
    const auto points = expand_grid(s, teaching());
    REQUIRE(points.size() == 3);
    REQUIRE(points[1].overrides.size() == 2);
    CHECK(points[1].overrides[0].value == 2000000000);  // clock alone
    CHECK(points[1].overrides[1].value == 256);
    CHECK(points[2].overrides[0].value == 2000000000);  // clock with accumulators
    CHECK(points[2].overrides[1].value == 512);
}

TEST_CASE("the shipped sweeps parse and every point of them is a valid chip", "[grid]") {
    struct Shipped {
        const char* file;
        std::size_t workloads, points;
    };
    // The what-if study: the base and four settings of each of five axes. The array x UB
    // grid: 4 x 7 combinations, the TPUv1 base (256, 24 MiB) among them.
    for (const Shipped& s : {Shipped{"sweeps/tpuv1-whatif.yaml", 6, 21},
                             Shipped{"sweeps/resnet50-mobilenet-array-ub.yaml", 2, 28}}) {
        INFO(s.file);
        const SweepFile sweep = load_sweep(std::string(TPUSIM_SOURCE_DIR) + "/" + s.file);
        CHECK(sweep.workloads.size() == s.workloads);
        const auto base = config::load_chip_config(sweep.base);
        std::ifstream in(sweep.base);
        const std::string base_yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto points = expand_grid(sweep, base);
        CHECK(points.size() == s.points);
        CHECK(std::count_if(points.begin(), points.end(), [](const Point& p) { return p.is_base; }) == 1);
        for (const auto& p : points) {
            INFO(p.id);
            CHECK_NOTHROW(config::parse_chip_config(point_chip_yaml(base_yaml, p.overrides, ""), p.id));
        }
    }
}
