// Whole sweeps through the tpusim binary, as a user runs them: results.csv against direct
// `tpusim run`s, points that are not valid chips or do not fit, resuming, --force, and
// output directories that must not be touched.
#include "run_command.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

using tpusim::test::make_temp_dir;
using tpusim::test::run_tpusim;
namespace fs = std::filesystem;

namespace {

const std::string kSource = TPUSIM_SOURCE_DIR;
const std::string kChip = kSource + "/configs/teaching-8x8.yaml";
const std::string kWorkload = kSource + "/tests/sweep/fixtures/two_layer_mlp.yaml";

/// Weight bandwidth 0.5x, 1x, 2x against three UB sizes: the base's 64 KiB; 32 B, a valid
/// chip (4 rows) the workload does not fit; 100 B, not a whole number of 8-byte rows.
std::string write_sweep(const std::string& dir, const std::string& name = "cli-test") {
    const std::string path = dir + "/sweep.yaml";
    std::ofstream(path) << "name: " << name << "\n"
                        << "base: " << kChip << "\n"
                        << "workloads: [" << kWorkload << "]\n"
                        << "axes:\n"
                        << "  - {param: weight_memory.bandwidth, scale: [0.5, 1, 2]}\n"
                        << "  - {param: unified_buffer.capacity, values: [64KiB, 32B, 100B]}\n";
    return path;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> split_csv(const std::string& line) {
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

/// results.csv as one map per row, by column name.
std::vector<std::map<std::string, std::string>> read_results(const std::string& path, std::string* header = nullptr) {
    std::istringstream in(slurp(path));
    std::string line;
    std::getline(in, line);
    if (header) *header = line;
    const auto names = split_csv(line);
    std::vector<std::map<std::string, std::string>> rows;
    while (std::getline(in, line)) {
        const auto fields = split_csv(line);
        REQUIRE(fields.size() == names.size());
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < names.size(); ++i) row[names[i]] = fields[i];
        rows.push_back(row);
    }
    return rows;
}

/// Cycles reported by `tpusim run --json` of the test workload on `chip`.
std::string direct_cycles(const std::string& chip) {
    const auto r = run_tpusim("run --config '" + chip + "' --workload '" + kWorkload + "' --no-data --json");
    REQUIRE(r.status == 0);
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m, std::regex("\"cycles\": ([0-9]+)")));
    return m[1];
}

std::map<std::string, fs::file_time_type> record_times(const std::string& out) {
    std::map<std::string, fs::file_time_type> times;
    for (const auto& e : fs::directory_iterator(out + "/points")) times[e.path().filename().string()] = e.last_write_time();
    return times;
}

}  // namespace

TEST_CASE("a sweep runs every point, records the ones that fail, and resumes", "[sweep_cli]") {
    const std::string dir = make_temp_dir("sweep-cli");
    const std::string sweep = write_sweep(dir);
    const std::string out = dir + "/out";

    const auto first = run_tpusim("sweep '" + sweep + "' --out '" + out + "' -j 2");
    INFO(first.err);
    REQUIRE(first.status == 0);
    // 9 points: 3 invalid chips need no run; 6 runs, 3 of which fail to compile.
    CHECK(first.err.find("sweep: 6 runs to do, 2 at a time\n") != std::string::npos);
    CHECK(first.out.find("results: " + out + "/results.csv (9 points x 1 workloads: 3 ok, 6 not ok; 6 runs done now, "
                         "0 earlier)") != std::string::npos);
    // The plot is drawn, or the reason it is not is given.
    CHECK(first.out.find("plot: ") != std::string::npos);
    if (first.out.find("plot: skipped") == std::string::npos) {
        CHECK(fs::file_size(out + "/speedup.svg") > 10000);
        CHECK(fs::file_size(out + "/speedup.png") > 10000);
    }

    std::string header;
    const auto rows = read_results(out + "/results.csv", &header);
    CHECK(header ==
          "point,workload,status,reason,chip_config,scale:weight_memory.bandwidth,weight_memory.bandwidth,"
          "unified_buffer.capacity,cycles,clock_hz,seconds,macs,weight_bytes,tops,peak_tops,ops_per_weight_byte,"
          "roofline_tops,weight_bandwidth_bytes_per_s,ridge_macs_per_weight_byte,breakdown.array_active,"
          "breakdown.useful_macs,breakdown.unused_macs,breakdown.weight_stall,breakdown.weight_shift,"
          "breakdown.non_matrix,breakdown.raw_stall,breakdown.input_stall,speedup");
    REQUIRE(rows.size() == 9);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& row = rows[i];
        INFO(row.at("point") << " " << row.at("reason"));
        CHECK(row.at("point") == "p00" + std::to_string(i));
        CHECK(row.at("workload") == "two_layer_mlp");
        CHECK(row.at("chip_config") == "chips/" + row.at("point") + ".yaml");
        CHECK(row.at("scale:weight_memory.bandwidth") == std::vector<std::string>{"0.5", "1", "2"}[i / 3]);
        CHECK(row.at("weight_memory.bandwidth") ==
              std::vector<std::string>{"2000000000", "4000000000", "8000000000"}[i / 3]);
        CHECK(row.at("unified_buffer.capacity") == std::vector<std::string>{"65536", "32", "100"}[i % 3]);
        switch (i % 3) {
        case 0:
            CHECK(row.at("status") == "ok");
            CHECK(row.at("reason").empty());
            CHECK(row.at("macs") == "10240");  // 16 x (32 x 16 + 16 x 8)
            CHECK(row.at("weight_bandwidth_bytes_per_s") == row.at("weight_memory.bandwidth"));
            break;
        case 1:
            CHECK(row.at("status") == "compile-failed");
            CHECK(row.at("reason").rfind(kWorkload + ":", 0) == 0);  // the compiler's message, placed
            CHECK(row.at("reason").find("\"fc1\"") != std::string::npos);
            CHECK(row.at("cycles").empty());
            CHECK(row.at("speedup").empty());
            break;
        default:
            CHECK(row.at("status") == "invalid-config");
            CHECK(row.at("reason").rfind(out + "/chips/" + row.at("point") + ".yaml:", 0) == 0);
            CHECK(row.at("reason").find("unified_buffer.capacity: 100 B (100 bytes) is not a whole number of 8-byte "
                                        "rows") != std::string::npos);
            CHECK(row.at("cycles").empty());
        }
    }

    // The base point (1x, 64 KiB) is p003: its cycles are a direct run's on the base chip,
    // and every point's chip file reproduces its row.
    CHECK(rows[3].at("speedup") == "1");
    CHECK(rows[3].at("cycles") == direct_cycles(kChip));
    CHECK(rows[0].at("cycles") == direct_cycles(out + "/chips/p000.yaml"));
    CHECK(rows[6].at("cycles") == direct_cycles(out + "/chips/p006.yaml"));
    // Less weight bandwidth is slower, more is faster, for this memory-bound workload.
    CHECK(std::stod(rows[0].at("speedup")) < 1.0);
    CHECK(std::stod(rows[6].at("speedup")) > 1.0);
    CHECK(std::stod(rows[0].at("speedup")) ==
          Approx(std::stod(rows[3].at("cycles")) / std::stod(rows[0].at("cycles"))));

    // Started again, it finds every run done and does none.
    const auto results = slurp(out + "/results.csv");
    const auto times = record_times(out);
    CHECK(times.size() == 6);
    const auto again = run_tpusim("sweep '" + sweep + "' --out '" + out + "' -j 2 --no-plot");
    REQUIRE(again.status == 0);
    CHECK(again.err.find("sweep: 0 runs to do, 2 at a time (6 already done)\n") != std::string::npos);
    CHECK(record_times(out) == times);
    CHECK(slurp(out + "/results.csv") == results);

    // An interrupted sweep: only the missing run is done, and the results are the same.
    const std::string lost = times.begin()->first;
    fs::remove(out + "/points/" + lost);
    const auto resumed = run_tpusim("sweep '" + sweep + "' --out '" + out + "' --no-plot");
    REQUIRE(resumed.status == 0);
    CHECK(resumed.err.find("sweep: 1 runs to do") != std::string::npos);
    CHECK(resumed.err.find("(5 already done)") != std::string::npos);
    CHECK(fs::exists(out + "/points/" + lost));
    CHECK(slurp(out + "/results.csv") == results);

    // --force starts over, and removes the earlier plot, which no longer shows the results.
    const auto forced = run_tpusim("sweep '" + sweep + "' --out '" + out + "' --force --no-plot -j 2");
    REQUIRE(forced.status == 0);
    CHECK(forced.err.find("sweep: 6 runs to do") != std::string::npos);
    CHECK(slurp(out + "/results.csv") == results);
    CHECK_FALSE(fs::exists(out + "/speedup.svg"));
    CHECK_FALSE(fs::exists(out + "/speedup.png"));
    fs::remove_all(dir);
}

TEST_CASE("the plot's notes reach the user when the plot is drawn", "[sweep_cli]") {
    // MLP0 does not fit the teaching chip, so its run on the base point fails and it has no
    // speedups: the plot is drawn for the other workload and says why MLP0 has no line.
    const std::string dir = make_temp_dir("sweep-cli-notes");
    const std::string sweep = dir + "/sweep.yaml";
    std::ofstream(sweep) << "name: notes\n"
                         << "base: " << kChip << "\n"
                         << "workloads: [" << kWorkload << ", " << kSource << "/workloads/tpuv1/mlp0.yaml]\n"
                         << "axes:\n"
                         << "  - {param: weight_memory.bandwidth, scale: [0.5, 1]}\n";
    const auto r = run_tpusim("sweep '" + sweep + "' --out '" + dir + "/out'");
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    if (r.out.find("plot: skipped") == std::string::npos) {
        CHECK(r.out.find("plot: " + dir + "/out/speedup.svg and ") != std::string::npos);
        CHECK(r.err.find("plot: no speedup of mlp0: its run on the base point p001 failed: ") != std::string::npos);
        CHECK(r.err.find("the weight tiles need") != std::string::npos);
        CHECK(r.out.find(".png\n" + dir) == std::string::npos);  // the script's own list of files is not repeated
    }
    fs::remove_all(dir);
}

TEST_CASE("a sweep never writes into a directory that is not its own", "[sweep_cli]") {
    const std::string dir = make_temp_dir("sweep-cli-refuse");
    const std::string sweep = write_sweep(dir);

    const std::string mine = dir + "/mine";
    fs::create_directories(mine);
    std::ofstream(mine + "/notes.txt") << "mine\n";
    for (const char* force : {"", " --force"}) {
        const auto r = run_tpusim("sweep '" + sweep + "' --out '" + mine + "' --no-plot" + force);
        CHECK(r.status == 1);
        CHECK(r.err == "error: " + mine + ": exists and is not the output of a sweep (it has no valid sweep.json); "
                                          "choose another --out\n");
    }
    CHECK(slurp(mine + "/notes.txt") == "mine\n");
    CHECK(std::distance(fs::directory_iterator(mine), fs::directory_iterator()) == 1);

    const std::string other = write_sweep(make_temp_dir("sweep-cli-other"), "another-study");
    const std::string theirs = dir + "/theirs";
    REQUIRE(run_tpusim("sweep '" + other + "' --out '" + theirs + "' --no-plot").status == 0);
    const auto r = run_tpusim("sweep '" + sweep + "' --out '" + theirs + "' --force --no-plot");
    CHECK(r.status == 1);
    CHECK(r.err == "error: " + theirs + ": holds the output of sweep \"another-study\", not \"cli-test\"; choose "
                                        "another --out\n");
    CHECK(fs::exists(theirs + "/results.csv"));

    // A directory another sweep is writing (it holds a lock on it) is refused too.
    const std::string busy = dir + "/busy";
    fs::create_directories(busy);
    const int fd = ::open(busy.c_str(), O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    const auto locked = run_tpusim("sweep '" + sweep + "' --out '" + busy + "' --no-plot");
    CHECK(locked.status == 1);
    CHECK(locked.err == "error: " + busy + ": another tpusim sweep is writing this directory\n");
    ::close(fd);
    CHECK(run_tpusim("sweep '" + sweep + "' --out '" + busy + "' --no-plot").status == 0);

    fs::remove_all(dir);
    fs::remove_all(fs::path(other).parent_path());
}

TEST_CASE("a bad sweep file or command line is reported before anything runs", "[sweep_cli]") {
    const std::string dir = make_temp_dir("sweep-cli-bad");
    const auto bad = run_tpusim("sweep tests/sweep/bad/unknown-param.yaml --out '" + dir + "/out'", kSource);
    CHECK(bad.status == 1);
    CHECK(bad.err == "error: " + slurp(kSource + "/tests/sweep/bad/unknown-param.expected"));
    CHECK_FALSE(fs::exists(dir + "/out"));

    const auto usage = run_tpusim("sweep '" + write_sweep(dir) + "'");
    CHECK(usage.status == 2);
    CHECK(usage.err.find("--out") != std::string::npos);
    const auto zero = run_tpusim("sweep '" + write_sweep(dir) + "' --out '" + dir + "/o' -j 0");
    CHECK(zero.status == 2);
    const auto negative = run_tpusim("sweep '" + write_sweep(dir) + "' --out '" + dir + "/o' -j -1");
    CHECK(negative.status == 2);
    CHECK(negative.err == "tpusim: --jobs: expected at least 1, got -1\n");
    CHECK_FALSE(fs::exists(dir + "/o"));
    fs::remove_all(dir);
}

TEST_CASE("a workload file that cannot be read stops a sweep before it touches its directory", "[sweep_cli]") {
    const std::string dir = make_temp_dir("sweep-cli-bad-workload");
    const std::string sweep = write_sweep(dir);
    const std::string out = dir + "/out";
    REQUIRE(run_tpusim("sweep '" + sweep + "' --out '" + out + "' --no-plot").status == 0);
    const auto results = slurp(out + "/results.csv");

    // The same sweep over a workload that is not valid: refused with the workload's message,
    // and --force does not discard the earlier results first.
    const std::string bad = kSource + "/tests/compiler/bad/outputs-unknown.yaml";
    std::string text = slurp(sweep);
    text.replace(text.find(kWorkload), kWorkload.size(), bad);
    std::ofstream(sweep) << text;
    for (const std::string& to : {out + "' --force", dir + "/new'"}) {
        const auto r = run_tpusim("sweep '" + sweep + "' --out '" + to + " --no-plot");
        INFO(to);
        CHECK(r.status == 1);
        CHECK(r.err.rfind("error: " + bad + ":", 0) == 0);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
    CHECK(slurp(out + "/results.csv") == results);
    CHECK_FALSE(fs::exists(dir + "/new"));
    fs::remove_all(dir);
}

TEST_CASE("a run that dies is a crashed row, not a lost one, and is retried", "[sweep_cli]") {
    const std::string dir = make_temp_dir("sweep-cli-crash");
    const std::string sweep = write_sweep(dir);
    const std::string out = dir + "/out";
    REQUIRE(run_tpusim("sweep '" + sweep + "' --out '" + out + "' --no-plot").status == 0);
    const auto rows = read_results(out + "/results.csv");

    // A directory where p000's record belongs: its run cannot put the record in place and
    // ends with an error, as a run that dies would end without a record.
    std::string p000;
    for (const auto& e : fs::directory_iterator(out + "/points")) {
        const auto record = slurp(e.path().string());
        if (record.find("\"cycles\": " + rows[0].at("cycles") + ",") != std::string::npos) p000 = e.path().string();
    }
    REQUIRE_FALSE(p000.empty());
    fs::remove(p000);
    fs::create_directory(p000);
    const auto crashed = run_tpusim("sweep '" + sweep + "' --out '" + out + "' --no-plot");
    CHECK(crashed.status == 0);
    CHECK(crashed.err.find("sweep: 1 runs to do") != std::string::npos);
    CHECK(crashed.err.find("p000 two_layer_mlp: crashed") != std::string::npos);
    const auto after = read_results(out + "/results.csv");
    CHECK(after[0].at("status") == "crashed");
    CHECK(after[0].at("reason") == "the run exited with status 1: " + p000 + ": cannot rename into place: Is a directory");
    CHECK(after[0].at("cycles").empty());
    CHECK(after[3].at("status") == "ok");  // the others are untouched

    // What a sweep killed mid-run leaves: a half-written record and a run's log. They are
    // cleared; other files are not.
    fs::remove(p000);
    std::ofstream(p000 + ".tmp4242") << "{\"tpusim_sweep_point\": 1, \"ke";
    std::ofstream(p000 + ".log") << "partial\n";
    std::ofstream(out + "/points/notes.txt") << "mine\n";
    const auto retried = run_tpusim("sweep '" + sweep + "' --out '" + out + "' --no-plot");
    CHECK(retried.err.find("sweep: 1 runs to do") != std::string::npos);
    CHECK(read_results(out + "/results.csv") == rows);
    CHECK_FALSE(fs::exists(p000 + ".tmp4242"));
    CHECK_FALSE(fs::exists(p000 + ".log"));
    CHECK(fs::exists(out + "/points/notes.txt"));
    fs::remove_all(dir);
}
