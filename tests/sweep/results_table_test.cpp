// results.csv and the point records it is assembled from.
#include "config/chip_config.hpp"
#include "sweep/grid.hpp"
#include "sweep/point_record.hpp"
#include "sweep/results_table.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>
#include <unistd.h>

using namespace tpusim;
using namespace tpusim::sweep;
namespace fs = std::filesystem;

namespace {

SweepFile clock_sweep() {
    const std::string source = std::string(TPUSIM_SOURCE_DIR) + "/tests/sweep/inline.yaml";
    return parse_sweep("name: t\nbase: ../../configs/teaching-8x8.yaml\nworkloads: [fixtures/two_layer_mlp.yaml]\n"
                       "axes:\n  - {param: clock, scale: [0.5, 2]}\n  - {param: weight_fifo.depth, values: [2]}\n",
                       source);
}

PointRecord ok_record(std::uint64_t cycles, std::uint64_t clock_hz) {
    PointRecord r;
    r.key = "k";
    r.workload = "two_layer_mlp";
    report::RunSummary s;
    s.cycles = cycles;
    s.clock_hz = clock_hz;
    r.figures = report::summary_figures(s);
    return r;
}

std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> out;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') field += line[++i];
        else if (c == '"') quoted = !quoted;
        else if (c == ',' && !quoted) out.push_back(std::exchange(field, ""));
        else field += c;
    }
    out.push_back(field);
    return out;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

TEST_CASE("results.csv names every swept parameter and every report figure", "[results]") {
    const auto columns = results_columns(clock_sweep());
    const std::vector<std::string> head = {"point", "workload", "status", "reason", "chip_config", "scale:clock",
                                           "clock", "weight_fifo.depth", "cycles"};
    REQUIRE(columns.size() > head.size());
    CHECK(std::vector<std::string>(columns.begin(), columns.begin() + head.size()) == head);
    for (const char* figure : {"seconds", "tops", "peak_tops", "macs", "weight_bytes", "ops_per_weight_byte",
                               "roofline_tops", "ridge_macs_per_weight_byte", "breakdown.array_active",
                               "breakdown.useful_macs", "breakdown.unused_macs", "breakdown.weight_stall",
                               "breakdown.weight_shift", "breakdown.non_matrix", "breakdown.raw_stall",
                               "breakdown.input_stall"}) {
        CHECK(std::count(columns.begin(), columns.end(), figure) == 1);
    }
    CHECK(columns.back() == "speedup");
}

TEST_CASE("speedup is base time over point time, from exact cycles and clocks", "[results]") {
    const SweepFile sweep = clock_sweep();
    const auto chip = config::load_chip_config(std::string(TPUSIM_SOURCE_DIR) + "/configs/teaching-8x8.yaml");
    const auto points = expand_grid(sweep, chip);
    REQUIRE(points.size() == 3);  // 0.5x, 2x and the added base
    std::vector<ResultRow> rows(3);
    rows[0] = {&points[0], "chips/p000.yaml", ok_record(1000, 500000000)};   // 2 us
    rows[1] = {&points[1], "chips/p001.yaml", PointRecord{}};
    rows[1].record.workload = "two_layer_mlp";
    rows[1].record.status = Status::CompileFailed;
    rows[1].record.reason = "layer \"fc1\": needs 64 rows, has 8";
    rows[2] = {&points[2], "chips/base.yaml", ok_record(3000, 1000000000)};  // 3 us

    const auto lines = lines_of(format_results_csv(sweep, rows));
    REQUIRE(lines.size() == 4);
    const auto header = split(lines[0]);
    const auto column = [&](const std::vector<std::string>& row, const std::string& name) {
        const auto it = std::find(header.begin(), header.end(), name);
        REQUIRE(it != header.end());
        REQUIRE(row.size() == header.size());
        return row[static_cast<std::size_t>(it - header.begin())];
    };
    const auto p0 = split(lines[1]), p1 = split(lines[2]), base = split(lines[3]);
    CHECK(column(p0, "point") == "p000");
    CHECK(column(p0, "scale:clock") == "0.5");
    CHECK(column(p0, "clock") == "500000000");
    CHECK(column(p0, "weight_fifo.depth") == "2");
    CHECK(column(p0, "cycles") == "1000");
    CHECK(column(p0, "status") == "ok");
    CHECK(column(p0, "speedup") == "1.5");  // 3 us / 2 us
    CHECK(column(p1, "status") == "compile-failed");
    CHECK(column(p1, "reason") == "layer \"fc1\": needs 64 rows, has 8");  // quoted, quotes doubled
    CHECK(lines[2].find("\"layer \"\"fc1\"\": needs 64 rows, has 8\"") != std::string::npos);
    CHECK(column(p1, "cycles").empty());
    CHECK(column(p1, "speedup").empty());
    CHECK(column(base, "point") == "base");
    CHECK(column(base, "scale:clock") == "1");
    CHECK(column(base, "speedup") == "1");
    CHECK(column(base, "chip_config") == "chips/base.yaml");
}

TEST_CASE("a point record reads back as written; a damaged one reads as absent", "[results]") {
    const fs::path dir = fs::temp_directory_path() / ("tpusim-record-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string path = (dir / "r.json").string();
    PointRecord r = ok_record(1234, 700000000);
    r.key = "00ff00ff00ff00ff";
    write_file_atomically(path, format_point_record(r));
    const auto back = read_point_record(path);
    REQUIRE(back);
    CHECK(back->key == r.key);
    CHECK(back->status == Status::Ok);
    CHECK(back->figure("cycles") == "1234");
    CHECK(back->figure("breakdown.weight_stall") == "0.0000");
    REQUIRE(back->figures.size() == r.figures.size());
    for (std::size_t i = 0; i < r.figures.size(); ++i) CHECK(back->figures[i].name == r.figures[i].name);

    PointRecord failed;
    failed.key = "k2";
    failed.workload = "w";
    failed.status = Status::CompileFailed;
    failed.reason = "a \"quoted\" reason\\";
    write_file_atomically(path, format_point_record(failed));
    const auto failed_back = read_point_record(path);
    REQUIRE(failed_back);
    CHECK(failed_back->status == Status::CompileFailed);
    CHECK(failed_back->reason == failed.reason);
    CHECK(failed_back->figures.empty());

    const std::string text = format_point_record(r);
    write_file_atomically(path, text.substr(0, text.size() / 2));  // as if cut off
    CHECK_FALSE(read_point_record(path));
    CHECK_FALSE(read_point_record((dir / "missing.json").string()));
    for (const auto& entry : fs::directory_iterator(dir)) CHECK(entry.path().filename() == "r.json");  // no temporaries
    fs::remove_all(dir);
}
