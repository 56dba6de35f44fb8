// The per-layer MACs and weight bytes are the simulator's own counts attributed to layers
// by instruction: per instruction they add up to the matrix unit's useful_macs and the
// weight memory's bytes_read, and per layer to the run's `macs` and `weight_bytes`, so that
// the layers' TOPS and intensity are on the same footing as the run's.
#include "compiler/compile.hpp"
#include "compiler/workload.hpp"
#include "random_program.hpp"
#include "report/layer_report.hpp"
#include "report/run_report.hpp"
#include "sim_harness.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace tpusim;

namespace {

std::uint64_t stat(const sim::RunResult& run, const char* group, const char* name) {
    return sim::find_group(run.stats, group).get(name);
}

}  // namespace

TEST_CASE("instruction work adds up to the simulator's counters on random programs", "[report][layers]") {
    // Random programs exercise every tile shape, repeat count, convolve form and switch
    // pattern; the sum of the per-instruction work must be exactly what the units counted.
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        const auto c = test::random_case(seed, 8, 8);
        sim::RunOptions timing;
        timing.data = false;
        const auto run = sim::simulate(c.chip, c.program, c.host, c.weights, timing);
        std::uint64_t macs = 0, bytes = 0;
        for (const auto& w : report::instruction_work(c.chip, c.program)) {
            macs += w.macs;
            bytes += w.weight_bytes;
        }
        INFO("seed " << seed);
        CHECK(macs == stat(run, "matrix_unit", "useful_macs"));
        CHECK(bytes == stat(run, "weight_memory", "bytes_read"));
    }
}

TEST_CASE("the layers of a compiled workload sum to the run's MACs and weight bytes", "[report][layers]") {
    const std::string src = TPUSIM_SOURCE_DIR;
    struct Case {
        std::string chip, workload;
        bool added_work;  // the compiler adds MACs the network does not count
    };
    // The compiler adds work the network does not count (docs/compiler.md): identity tiles
    // for unfused pools (cnn1) and the LSTM cell state, and the zero products of depthwise
    // diagonal tiles (tiny_cnn). There the network_macs fall short of the run's MACs.
    const Case cases[] = {{"teaching-8x8", "teaching/tiny_mlp", false}, {"teaching-8x8", "teaching/tiny_cnn", true},
                          {"teaching-8x8", "teaching/tiny_lstm", true}, {"tpuv1", "tpuv1/mlp0", false},
                          {"tpuv1", "tpuv1/lstm0", true},           {"tpuv1", "tpuv1/cnn1", true}};
    for (const auto& c : cases) {
        INFO(c.workload << " on " << c.chip);
        const auto chip = test::shipped_chip(c.chip);
        const auto compiled = compiler::compile(compiler::load_workload(src + "/workloads/" + c.workload + ".yaml"), chip);
        sim::RunOptions timing;
        timing.data = false;
        const auto run = sim::simulate(chip, compiled.program, compiled.host_image, compiled.weight_image, timing);
        const auto summary = report::summarize(chip, run);
        const auto layers = report::summarize_layers(chip, compiled.program, run);
        REQUIRE_FALSE(layers.empty());
        std::uint64_t macs = 0, bytes = 0, network = 0;
        for (const auto& l : layers) {
            macs += l.macs;
            bytes += l.weight_bytes;
            network += l.network_macs;
            CHECK(l.macs >= l.network_macs);  // the network's MACs are done, maybe with more
        }
        CHECK(macs == summary.macs);
        CHECK(bytes == summary.weight_bytes);
        if (c.added_work) CHECK(network < macs);
        else CHECK(network == macs);
    }
}
