// Reports of a run: the summary and breakdown, per-layer rows, instructions.csv, the
// Chrome trace and the VCD waveform, checked on a program whose cycles are derived in
// tests/sim/smoke_test.cpp.
#include "report/layer_report.hpp"
#include "report/run_report.hpp"
#include "report/trace.hpp"
#include "sim/waveform.hpp"
#include "sim_harness.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace tpusim;

namespace {

// The smoke program with two layers: "load" (DMA in) and "fc" (weights, multiply,
// activate, DMA out). Cycles (smoke_test.cpp): starts 1, 2, 117, 136, 142; ends 117, 38,
// 136, 142, 258; total 258.
const char* kProgram =
    ".layer name=load kind=input macs=0 weight_bytes=0\n"
    ".layer name=fc kind=fc macs=256 weight_bytes=64\n"
    ".in_layer load\n"
    "read_host_memory host_addr=0 ub_addr=0 rows=4\n"
    ".in_layer fc\n"
    "read_weights weight_addr=0 tile_rows=8 tile_cols=8 count=1\n"
    "matrix_multiply ub_addr=0 acc_addr=0 rows=4 switch=1\n"
    "activate acc_addr=0 ub_addr=16 rows=4 function=relu pool=none\n"
    "write_host_memory host_addr=64 ub_addr=16 rows=4\n"
    ".in_layer -\n"
    "halt\n";

struct Fixture {
    config::ChipConfig chip = test::shipped_chip("teaching-8x8");
    isa::Program program = test::assemble_for(chip, kProgram);
    sim::RunResult run = sim::simulate(chip, program, std::vector<std::uint8_t>(128, 1), std::vector<std::uint8_t>(64, 1));
};

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("the summary places the run on the roofline", "[report]") {
    Fixture f;
    const auto s = report::summarize(f.chip, f.run);
    CHECK(s.cycles == 258);
    CHECK(s.macs == 256);
    CHECK(s.weight_bytes == 64);
    // 256 MACs in 258 ns: 2 * 256 / 258e-9 / 1e12 TOPS.
    CHECK(s.tops == Approx(2.0 * 256 / 258e-9 / 1e12));
    // peak 8*8*1 GHz * 2 = 0.128 TOPS; intensity 4 MACs/byte; memory roof 2*4*4e9 = 0.032 TOPS.
    CHECK(s.peak_tops == Approx(0.128));
    CHECK(s.macs_per_weight_byte == Approx(4.0));
    CHECK(s.roofline_tops == Approx(0.032));
    // 4 active cycles of 258, all useful (8x8 tile); weight stall 35, shift 8, input 71.
    CHECK(s.breakdown.array_active == Approx(100.0 * 4 / 258));
    CHECK(s.breakdown.useful_macs == Approx(100.0 * 4 / 258));
    CHECK(s.breakdown.unused_macs == Approx(0.0).margin(1e-12));
    CHECK(s.breakdown.weight_stall == Approx(100.0 * 35 / 258));
    CHECK(s.breakdown.weight_shift == Approx(100.0 * 8 / 258));
    CHECK(s.breakdown.input_stall == Approx(100.0 * 71 / 258));
    CHECK(s.breakdown.array_active + s.breakdown.weight_stall + s.breakdown.weight_shift + s.breakdown.non_matrix ==
          Approx(100.0));
}

TEST_CASE("a run with no unused MAC slot shows 0.00 %, never -0.00 %", "[report]") {
    // The matrix-unit counts of TPUv1 LSTM1: every slot useful. The unused share taken as
    // array_active - useful_macs came out as -8.9e-16 with these counts, printed "-0.00 %".
    sim::RunResult run;
    run.cycles = 1267859;
    sim::StatSnapshot mu{"matrix_unit", "", {}}, wm{"weight_memory", "", {}};
    for (const auto& [name, value] : {std::pair<const char*, std::uint64_t>{"array_active", 91008},
                                      {"useful_macs", 5964300288}, {"unused_macs", 0}, {"weight_stall", 894707},
                                      {"weight_shift", 238298}, {"non_matrix", 43846}, {"raw_stall", 0},
                                      {"input_stall", 8637}})
        mu.values.push_back({name, "", "", value});
    wm.values.push_back({"bytes_read", "", "", 60948480});
    run.stats = {mu, wm};
    const auto s = report::summarize(test::shipped_chip("tpuv1"), run);
    CHECK(s.breakdown.unused_macs == 0.0);
    CHECK_FALSE(std::signbit(s.breakdown.unused_macs));
    CHECK(s.breakdown.useful_macs == Approx(100.0 * 91008 / 1267859));
    const auto text = report::format_text(s, run);
    CHECK(text.find("    unused MACs        0.00 %\n") != std::string::npos);
    CHECK(text.find("-0.0") == std::string::npos);
    for (const auto& f : report::summary_figures(s))
        if (f.name == "breakdown.unused_macs") CHECK(f.text == "0.0000");
}

TEST_CASE("the summary shows TOPS to 4 significant digits", "[report]") {
    // On the smoke program: 2 * 256 / 258 ns = 0.0019845 TOPS of 0.128 peak; the roofline
    // bound at 4 MACs per byte is 2 * 4 * 4 GB/s = 0.032 TOPS, 6.2 % of it reached.
    Fixture f;
    const auto text = report::format_text(report::summarize(f.chip, f.run), f.run);
    CHECK(text.find("TOPS                 0.001984 achieved, 0.128 peak (1.6% of peak)\n") != std::string::npos);
    CHECK(text.find("roofline bound 0.032 TOPS (6.2% reached)\n") != std::string::npos);
}

TEST_CASE("report.json parses and carries the required fields", "[report]") {
    Fixture f;
    const auto layers = report::summarize_layers(f.chip, f.program, f.run);
    std::stringstream in(report::format_json(report::summarize(f.chip, f.run), f.run, layers));
    boost::property_tree::ptree tree;
    REQUIRE_NOTHROW(boost::property_tree::read_json(in, tree));
    CHECK(tree.get<std::uint64_t>("cycles") == 258);
    for (const char* key : {"seconds", "tops", "peak_tops", "ops_per_weight_byte", "roofline_tops"})
        CHECK(tree.get_optional<double>(key));
    for (const char* key : {"array_active", "useful_macs", "unused_macs", "weight_stall", "weight_shift", "non_matrix",
                            "raw_stall", "input_stall"})
        CHECK(tree.get_optional<double>(std::string("breakdown.") + key));
    CHECK(tree.get_child("instructions").size() == 6);
    // The layers, with the same figures as layers.csv (checked below).
    const auto& json_layers = tree.get_child("layers");
    REQUIRE(json_layers.size() == 2);
    const auto& fc = std::next(json_layers.begin())->second;
    CHECK(fc.get<std::string>("layer") == "fc");
    CHECK(fc.get<std::uint64_t>("first_cycle") == 2);
    CHECK(fc.get<std::uint64_t>("cycles") == 256);
    CHECK(fc.get<std::uint64_t>("macs") == 256);
    CHECK(fc.get<std::string>("bound") == "memory");
    CHECK(fc.get<std::uint64_t>("largest_stall_cycles") == 132 + 137);
}

TEST_CASE("report.json of a program without layer annotations has an empty layers array", "[report]") {
    Fixture f;
    isa::Program bare = f.program;
    bare.layers.clear();
    bare.layer_of.clear();
    const auto layers = report::summarize_layers(f.chip, bare, f.run);
    CHECK(layers.empty());
    const auto json = report::format_json(report::summarize(f.chip, f.run), f.run, layers);
    CHECK(json.find("\n  \"layers\": [],\n") != std::string::npos);
}

TEST_CASE("per-layer rows span their instructions", "[report]") {
    Fixture f;
    const auto layers = report::summarize_layers(f.chip, f.program, f.run);
    REQUIRE(layers.size() == 2);
    // load: the DMA in, [1, 117).
    CHECK(layers[0].first_cycle == 1);
    CHECK(layers[0].last_cycle == 117);
    CHECK(layers[0].macs == 0);
    CHECK(layers[0].weight_bytes == 0);
    // fc: starts 2, 117, 136, 142; ends 38, 136, 142, 258 -> [2, 258), 256 cycles.
    CHECK(layers[1].first_cycle == 2);
    CHECK(layers[1].last_cycle == 258);
    CHECK(layers[1].cycles == 256);
    // Its work as the simulator counted it: one 8x8 tile read (64 bytes), 4 vectors through
    // it (4 * 64 MACs), which is also what its .layer line says the network does.
    CHECK(layers[1].macs == 256);
    CHECK(layers[1].weight_bytes == 64);
    CHECK(layers[1].network_macs == 256);
    // 2 * 256 MACs in 256 ns.
    CHECK(layers[1].tops == Approx(2.0 * 256 / 256e-9 / 1e12));
    // 4 MACs per weight byte is below the teaching chip's ridge of 16: memory-bound.
    CHECK(layers[1].bound == "memory");
    // The multiply waited 117 - 3 = 114 cycles, recorded as input_data (its largest share
    // is the 71-cycle wait for the DMA); the activate waited 136 - 4 = 132 and the store
    // 142 - 5 = 137 cycles on hazards: 269 hazard cycles dominate.
    CHECK(layers[1].largest_stall == "hazard");
    CHECK(layers[1].largest_stall_cycles == 132 + 137);
    const auto csv = report::layers_csv(layers);
    CHECK(csv.rfind("layer,kind,first_cycle", 0) == 0);
    CHECK(csv.find("\nfc,fc,2,258,256,256,64,256,") != std::string::npos);
    // load did no MACs: no bound, shown as "-" in the table and "none" in the CSV; with no
    // weight bytes it has no intensity either.
    CHECK(layers[0].bound == "none");
    CHECK(csv.find("\nload,input,1,117,116,0,0,0,0,0,none,") != std::string::npos);
    const auto table = report::layers_table(layers);
    INFO(table);
    CHECK(table.find("\n  load          116          0           -  -        none (0 cycles)\n") != std::string::npos);
    CHECK(table.find("\n  fc            256      0.002         4.0  memory   hazard (269 cycles)\n") != std::string::npos);
}

TEST_CASE("instructions.csv has one row per instruction", "[report]") {
    Fixture f;
    const auto csv = report::instructions_csv(f.program, f.run);
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 7);
    CHECK(csv.find("\n2,matrix_multiply,fc,matrix_unit,2,117,136,input_data,114\n") != std::string::npos);
}

TEST_CASE("a layer name with a comma stays one CSV field", "[report]") {
    std::string text = kProgram;
    for (const std::string from : {".layer name=fc ", ".in_layer fc\n"}) {
        const auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        text.replace(at, from.size(), from[1] == 'l' ? ".layer name=\"fc,1 a\" " : ".in_layer \"fc,1 a\"\n");
    }
    Fixture f;
    f.program = test::assemble_for(f.chip, text);
    f.run = sim::simulate(f.chip, f.program, std::vector<std::uint8_t>(128, 1), std::vector<std::uint8_t>(64, 1));
    // RFC 4180: the field is quoted, so every row keeps its column count.
    const auto instructions = report::instructions_csv(f.program, f.run);
    CHECK(instructions.find("\n2,matrix_multiply,\"fc,1 a\",matrix_unit,") != std::string::npos);
    const auto layers = report::layers_csv(report::summarize_layers(f.chip, f.program, f.run));
    CHECK(layers.find("\n\"fc,1 a\",fc,") != std::string::npos);
}

TEST_CASE("the Chrome trace has a track per unit and a slice per instruction", "[report]") {
    Fixture f;
    std::stringstream in(report::chrome_trace(f.chip, f.program, f.run));
    boost::property_tree::ptree tree;
    REQUIRE_NOTHROW(boost::property_tree::read_json(in, tree));
    int slices = 0, tracks = 0;
    for (const auto& e : tree.get_child("traceEvents")) {
        const auto ph = e.second.get<std::string>("ph");
        if (ph == "X") {
            ++slices;
            if (e.second.get<std::string>("name") == "matrix_multiply fc") {
                // 1 GHz: cycle 117 is 0.117 us; 19 cycles long.
                CHECK(e.second.get<double>("ts") == Approx(0.117));
                CHECK(e.second.get<double>("dur") == Approx(0.019));
            }
        }
        if (ph == "M" && e.second.get<std::string>("name") == "thread_name") ++tracks;
    }
    CHECK(slices == 6);
    CHECK(tracks == sim::kUnitCount);
}

TEST_CASE("the VCD has every signal and the matrix unit's busy edges", "[report]") {
    Fixture f;
    const auto dir = std::filesystem::temp_directory_path() / "tpusim-vcd-test";
    std::filesystem::create_directories(dir);
    const auto path = (dir / "run.vcd").string();
    sim::write_vcd(path, f.run);
    const auto vcd = slurp(path);
    for (const char* s : {"matrix_unit_busy", "matrix_unit_waiting", "host_in_busy", "activation_unit_busy",
                          "program_counter", "weight_fifo_occupancy"})
        CHECK(vcd.find(s) != std::string::npos);
    // The matrix unit is busy from 117 to 136: both edges are time stamps in the dump.
    CHECK(vcd.find("\n#117\n") != std::string::npos);
    CHECK(vcd.find("\n#136\n") != std::string::npos);
    std::filesystem::remove_all(dir);
}
