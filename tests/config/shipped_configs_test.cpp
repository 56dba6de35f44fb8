// Every chip file in configs/ loads, and its derived figures match arithmetic done by hand
// (shown in the comments) on the published or documented values.
#include "config/chip_config.hpp"
#include "config/config_report.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>
#include <string>

using namespace tpusim::config;

namespace {

ChipConfig load(const std::string& name) {
    return load_chip_config(std::string(TPUSIM_SOURCE_DIR) + "/configs/" + name);
}

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::uint64_t kGiB = 1024 * kMiB;

}  // namespace

TEST_CASE("every file in configs/ loads", "[configs]") {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(std::string(TPUSIM_SOURCE_DIR) + "/configs")) {
        if (entry.path().extension() != ".yaml") continue;
        INFO(entry.path().string());
        const ChipConfig chip = load_chip_config(entry.path().string());
        CHECK_FALSE(chip.name.empty());
        CHECK(chip.source_file == entry.path().string());
        ++count;
    }
    CHECK(count >= 4);
}

TEST_CASE("TPUv1 has the published parameters and figures", "[configs]") {
    const ChipConfig c = load("tpuv1.yaml");
    CHECK(c.name == "TPUv1");
    CHECK(c.clock_hz == 700000000);
    CHECK(c.matrix.rows == 256);
    CHECK(c.matrix.cols == 256);
    CHECK(c.matrix.operand_mode == OperandMode::Int8x8);
    CHECK(c.ub.capacity_bytes == 24 * kMiB);
    CHECK(c.ub.read_ports == 2);
    CHECK(c.ub.write_ports == 2);
    CHECK(c.acc.entries == 4096);
    CHECK(c.fifo.depth_tiles == 4);
    CHECK(c.weight_memory.capacity_bytes == 8 * kGiB);
    CHECK(c.weight_memory.bandwidth_bytes_per_s == 34000000000);
    CHECK(c.weight_memory.latency_ps == 100000);
    CHECK(c.weight_memory.channels == 2);
    CHECK(c.host.bandwidth_bytes_per_s == 10 * kGiB);
    CHECK(c.host.latency_ps == 1000000);
    CHECK(c.activation.bytes_per_cycle == 256);
    CHECK(c.activation.latency_cycles == 16);

    // 256 x 256 = 65,536 MACs per cycle; x 700e6 = 45,875,200,000,000 MAC/s.
    CHECK(c.peak_macs_per_s() == 45875200000000);
    // 2 x 45.8752e12 / 1e12 = 91.7504 TOPS: the paper's "92 TOPS".
    CHECK(c.peak_tops() == Approx(91.7504).epsilon(1e-12));
    // 34e9 / 700e6 = 48.571... bytes per cycle.
    CHECK(c.weight_bytes_per_cycle() == Approx(48.5714285714).epsilon(1e-9));
    // Ridge: 45.8752e12 / 34e9 = 1349.27 MACs per weight byte (the paper's "about 1350").
    CHECK(c.ridge_macs_per_weight_byte() == Approx(1349.270588).epsilon(1e-9));
    // Tile fetch: latency 100 ns x 700 MHz = 70 cycles exactly; transfer of a 65,536-byte
    // tile: 65,536 x 700e6 / 34e9 = 1349.27, rounded up to 1350; total 1420.
    CHECK(c.latency_cycles(c.weight_memory.latency_ps) == 70);
    CHECK(c.transfer_cycles(c.tile_bytes(), c.weight_memory.bandwidth_bytes_per_s) == 1350);
    CHECK(c.tile_fetch_cycles() == 1420);
    // UB: 24 MiB / 256-byte rows = 98,304 rows.
    CHECK(c.ub_row_bytes() == 256);
    CHECK(c.ub_rows() == 98304);
    CHECK(c.tile_bytes() == 65536);
    // Host latency: 1 us x 700 MHz = 700 cycles.
    CHECK(c.latency_cycles(c.host.latency_ps) == 700);

    const auto sig = c.signature();
    CHECK(sig.rows == 256);
    CHECK(sig.cols == 256);
    CHECK(sig.ub_bytes == 24 * kMiB);
    CHECK(sig.acc_entries == 4096);
    CHECK(sig.weight_bytes == 8 * kGiB);
}

TEST_CASE("TPUv1 with GDDR5 moves the ridge to about 250", "[configs]") {
    const ChipConfig base = load("tpuv1.yaml");
    const ChipConfig c = load("tpuv1-gddr5.yaml");
    CHECK(c.weight_memory.bandwidth_bytes_per_s == 183500000000);
    // Only the weight memory differs from TPUv1.
    CHECK(c.signature().rows == base.signature().rows);
    CHECK(c.ub.capacity_bytes == base.ub.capacity_bytes);
    CHECK(c.peak_macs_per_s() == base.peak_macs_per_s());
    // 183.5 / 34 = 5.397x the bandwidth.
    CHECK(static_cast<double>(c.weight_memory.bandwidth_bytes_per_s) / base.weight_memory.bandwidth_bytes_per_s ==
          Approx(5.397).epsilon(1e-3));
    // 45.8752e12 / 183.5e9 = 250.001 MACs per weight byte.
    CHECK(c.ridge_macs_per_weight_byte() == Approx(250.0011).epsilon(1e-6));
    // 70 cycles of latency + ceil(65,536 x 700e6 / 183.5e9 = 250.001) = 251: 321.
    CHECK(c.tile_fetch_cycles() == 321);
    CHECK(c.weight_memory.channels == 8);
}

TEST_CASE("the teaching chip has small, slow memories", "[configs]") {
    const ChipConfig c = load("teaching-8x8.yaml");
    CHECK(c.clock_hz == 1000000000);
    CHECK(c.tile_bytes() == 64);
    CHECK(c.ub_row_bytes() == 8);
    // 64 KiB / 8 bytes = 8,192 rows.
    CHECK(c.ub_rows() == 8192);
    // 64 MACs x 1 GHz = 64e9 MAC/s; x 2 / 1e12 = 0.128 TOPS.
    CHECK(c.peak_macs_per_s() == 64000000000);
    CHECK(c.peak_tops() == Approx(0.128));
    // 4 GB/s at 1 GHz is 4 bytes per cycle; ridge 64e9 / 4e9 = 16 MACs per byte.
    CHECK(c.weight_bytes_per_cycle() == Approx(4.0));
    CHECK(c.ridge_macs_per_weight_byte() == Approx(16.0));
    // 20 ns = 20 cycles, then 64 bytes / 4 bytes per cycle = 16 cycles: 36.
    CHECK(c.tile_fetch_cycles() == 36);
    CHECK(c.fifo.depth_tiles == 2);
    CHECK(c.acc.entries == 256);
}

TEST_CASE("the edge chip peaks at about 4 TOPS", "[configs]") {
    const ChipConfig c = load("edge-64x64-lpddr4.yaml");
    // 64 x 64 = 4,096 MACs x 500 MHz = 2.048e12 MAC/s; x 2 = 4.096 TOPS.
    CHECK(c.peak_macs_per_s() == 2048000000000);
    CHECK(c.peak_tops() == Approx(4.096));
    // 2.048e12 / 12.8e9 = 160 MACs per weight byte.
    CHECK(c.ridge_macs_per_weight_byte() == Approx(160.0));
    // 120 ns x 500 MHz = 60 cycles; 4,096 bytes x 500e6 / 12.8e9 = 160 cycles: 220.
    CHECK(c.tile_fetch_cycles() == 220);
    // 4 MiB / 64 bytes = 65,536 rows.
    CHECK(c.ub_rows() == 65536);
    CHECK(c.host.bandwidth_bytes_per_s == 500000000);
}

TEST_CASE("16-bit operand modes divide the peak", "[configs]") {
    const std::string base =
        "name: x\nclock: 700MHz\nmatrix_unit: {rows: 256, cols: 256, operand_mode: MODE}\n"
        "unified_buffer: {capacity: 24MiB}\naccumulators: {entries: 4096}\nweight_fifo: {depth: 4}\n"
        "weight_memory: {capacity: 8GiB, bandwidth: 34GB/s, latency: 100ns}\n"
        "host_interface: {bandwidth: 10GiB/s, latency: 1us}\nactivation: {throughput: 256, latency: 16}\n";
    const auto with_mode = [&](const std::string& mode) {
        std::string text = base;
        text.replace(text.find("MODE"), 4, mode);
        return parse_chip_config(text, "inline.yaml");
    };
    const ChipConfig int8 = with_mode("int8");
    const ChipConfig int8x16 = with_mode("int8x16");
    const ChipConfig int16 = with_mode("int16");
    CHECK(int8.matrix.cycles_per_vector() == 1);
    CHECK(int8x16.matrix.cycles_per_vector() == 2);
    CHECK(int16.matrix.cycles_per_vector() == 4);
    CHECK(int8x16.peak_macs_per_s() == 45875200000000 / 2);
    CHECK(int16.peak_macs_per_s() == 45875200000000 / 4);
    CHECK(int16.peak_tops() == Approx(91.7504 / 4));
    CHECK(int16.ridge_macs_per_weight_byte() == Approx(1349.270588 / 4));
    // channels was not given: its default is 1.
    CHECK(int8.weight_memory.channels == 1);
    // Nor were the UB ports: TPUv1's 2 read and 2 write ports.
    CHECK(int8.ub.read_ports == 2);
    CHECK(int8.ub.write_ports == 2);
    CHECK(std::string(operand_mode_name(int8x16.matrix.operand_mode)) == "int8x16");
}

TEST_CASE("cycle conversions round up only once, at the end", "[configs]") {
    ChipConfig c;
    c.clock_hz = 700000000;
    CHECK(c.latency_cycles(0) == 0);
    // 1 ps at 700 MHz is 0.0007 cycles: a partial cycle is a whole cycle.
    CHECK(c.latency_cycles(1) == 1);
    // 10/7 ns is not representable in ps; 1428 ps is 0.9996 cycles, 1429 ps 1.0003.
    CHECK(c.latency_cycles(1428) == 1);
    CHECK(c.latency_cycles(1429) == 2);
    // 3 bytes at 7 bytes per cycle (4.9 GB/s): 3/7 of a cycle, so 1; 7 bytes exactly 1; 8 bytes 2.
    CHECK(c.transfer_cycles(3, 4900000000) == 1);
    CHECK(c.transfer_cycles(7, 4900000000) == 1);
    CHECK(c.transfer_cycles(8, 4900000000) == 2);
    // Large operands stay exact: 1 TiB at 1 MB/s and 100 GHz is 1.0995e17 cycles.
    c.clock_hz = 100000000000;
    CHECK(c.transfer_cycles(1ull << 40, 1000000) == 109951162777600000ull);
    // Beyond 64 bits, or at zero bandwidth (only possible in a hand-built ChipConfig), the
    // result saturates instead of wrapping or dividing by zero.
    CHECK(c.transfer_cycles(~0ull, 1) == ~0ull);
    CHECK(c.transfer_cycles(1, 0) == ~0ull);
}

TEST_CASE("the report lists every parameter and the derived figures", "[configs][report]") {
    const ChipConfig c = load("tpuv1.yaml");
    const std::string text = format_chip_report(c);
    INFO(text);
    for (const ParamSpec& p : chip_config_schema().params) CHECK(text.find("  " + p.key + " ") != std::string::npos);
    CHECK(text.find("  capacity                  24 MiB ") != std::string::npos);
    CHECK(text.find("25,165,824 bytes") != std::string::npos);
    CHECK(text.find("45,875,200,000,000 MAC/s") != std::string::npos);
    CHECK(text.find("91.75 TOPS") != std::string::npos);
    CHECK(text.find("1,420 cycles") != std::string::npos);
    CHECK(text.find("1349.271 MACs/weight byte") != std::string::npos);

    const std::string json = format_chip_report_json(c);
    INFO(json);
    CHECK(json.find(R"("bandwidth": {"value": 34000000000, "unit": "bytes/s", "text": "34 GB/s"})") !=
          std::string::npos);
    CHECK(json.find(R"("operand_mode": {"value": "int8"})") != std::string::npos);
    CHECK(json.find(R"("tile_fetch_cycles": {"value": 1420, "unit": "cycles"})") != std::string::npos);
    CHECK(json.find(R"("peak_tops": {"value": 91.7504, "unit": "TOPS"})") != std::string::npos);
}

TEST_CASE("the teaching chip's report, in full", "[configs][report]") {
    ChipConfig c = load("teaching-8x8.yaml");
    c.source_file = "configs/teaching-8x8.yaml";  // stable across checkouts
    CHECK(format_chip_report(c) == R"(teaching-8x8 (configs/teaching-8x8.yaml)

chip
  name                      teaching-8x8
  clock                     1 GHz                 1,000,000,000 Hz

matrix_unit
  rows                      8 rows
  cols                      8 columns
  operand_mode              int8

unified_buffer
  capacity                  64 KiB                65,536 bytes
  read_ports                2 ports
  write_ports               2 ports

accumulators
  entries                   256 entries

weight_fifo
  depth                     2 tiles

weight_memory
  capacity                  1 MiB                 1,048,576 bytes
  bandwidth                 4 GB/s                4,000,000,000 bytes/s
  latency                   20 ns                 20,000 ps
  channels                  1 channel
  interleave                64 B                  64 bytes

host_interface
  bandwidth                 2 GB/s                2,000,000,000 bytes/s
  latency                   100 ns                100,000 ps

activation
  throughput                8 bytes/cycle
  latency                   2 cycles

derived
  peak MAC/s                64,000,000,000 MAC/s  rows x cols x clock / cycles per vector
  peak TOPS                 0.128 TOPS            2 x peak MAC/s / 10^12
  UB row                    8 bytes               max(rows, cols)
  UB rows                   8,192 rows            unified_buffer.capacity / UB row
  weight tile               64 bytes              rows x cols
  weight memory per cycle   4 bytes/cycle         weight_memory.bandwidth / clock
  weight memory latency     20 cycles             ceil(weight_memory.latency x clock)
  tile transfer             16 cycles             ceil(tile bytes on its busiest channel x channels x clock / weight_memory.bandwidth)
  tile fetch                36 cycles             weight memory latency + tile transfer
  ridge point               16 MACs/weight byte   peak MAC/s / weight_memory.bandwidth
  host interface per cycle  2 bytes/cycle         host_interface.bandwidth / clock
  host interface latency    100 cycles            ceil(host_interface.latency x clock)
)");
}

TEST_CASE("the JSON report is well-formed and nested like the YAML", "[configs][report]") {
    for (const auto& entry : std::filesystem::directory_iterator(std::string(TPUSIM_SOURCE_DIR) + "/configs")) {
        if (entry.path().extension() != ".yaml") continue;
        ChipConfig c = load_chip_config(entry.path().string());
        c.name = "quote \" and backslash \\ and tab \t";  // must be escaped
        std::istringstream json(format_chip_report_json(c));
        boost::property_tree::ptree tree;
        INFO(entry.path().string());
        REQUIRE_NOTHROW(boost::property_tree::read_json(json, tree));
        CHECK(tree.get<std::string>("name") == c.name);
        CHECK(tree.get<std::uint64_t>("parameters.clock.value") == c.clock_hz);
        CHECK(tree.get<std::uint64_t>("parameters.weight_memory.bandwidth.value") ==
              c.weight_memory.bandwidth_bytes_per_s);
        CHECK(tree.get<std::string>("parameters.matrix_unit.operand_mode.value") ==
              operand_mode_name(c.matrix.operand_mode));
        CHECK(tree.get<std::uint64_t>("derived.tile_fetch_cycles.value") == c.tile_fetch_cycles());
        CHECK(tree.get<double>("derived.ridge_macs_per_weight_byte.value") ==
              Approx(c.ridge_macs_per_weight_byte()));
    }
}
