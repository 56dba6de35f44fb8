// Simulation speed: simulated cycles per host second on a 256x256 array running back-to-back
// MatrixMultiply instructions that switch weight tiles, for the fast model with and without
// data and for the cell-level model on 32x32; beside them the host's own int8 x int8 ->
// int32 matrix product of the same shape, the yardstick for the functional model.
// Results and the machine they were measured on: docs/performance.md.
#include "config/chip_config.hpp"
#include "isa/program.hpp"
#include "sim/int8_dot.hpp"
#include "sim/simulation.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace tpusim;

/// A chip from configs/ or, for "bench-*", from bench/.
config::ChipConfig chip_from(const std::string& name) {
    const std::string folder = name.rfind("bench-", 0) == 0 ? "/bench/" : "/configs/";
    return config::load_chip_config(std::string(TPUSIM_SOURCE_DIR) + folder + name + ".yaml");
}

/// `tiles` x (Read_Weights of one full tile; MatrixMultiply of `rows` vectors with switch).
isa::Program streaming_program(const config::ChipConfig& chip, std::uint64_t tiles, std::uint64_t rows) {
    isa::Program p;
    p.chip = chip.signature();
    for (std::uint64_t t = 0; t < tiles; ++t) {
        isa::Instruction rw;
        rw.op = isa::Opcode::ReadWeights;
        rw.weight_addr = 0;
        rw.tile_rows = chip.matrix.rows;
        rw.tile_cols = chip.matrix.cols;
        rw.count = 1;
        p.code.push_back(rw);
        isa::Instruction mm;
        mm.op = isa::Opcode::MatrixMultiply;
        mm.ub_addr = 0;
        mm.acc_addr = (t % 2) * rows;
        mm.rows = rows;
        mm.switch_weights = 1;
        p.code.push_back(mm);
    }
    isa::Instruction halt;
    halt.op = isa::Opcode::Halt;
    p.code.push_back(halt);
    return p;
}

void run_sim(benchmark::State& state, const std::string& chip_name, sim::ArrayModel model, bool data,
             std::uint64_t tiles) {
    const auto chip = chip_from(chip_name);
    const std::uint64_t rows = static_cast<std::uint64_t>(state.range(0));
    const auto program = streaming_program(chip, tiles, rows);
    std::vector<std::uint8_t> weights(std::size_t{chip.matrix.rows} * chip.matrix.cols);
    std::mt19937 rng(1);
    for (auto& w : weights) w = static_cast<std::uint8_t>(rng());
    sim::RunOptions options;
    options.array_model = model;
    options.data = data;
    std::uint64_t cycles = 0, macs = 0;
    for (auto _ : state) {
        const auto r = sim::simulate(chip, program, std::vector<std::uint8_t>(64), weights, options);
        cycles += r.cycles;
        macs += sim::find_group(r.stats, "matrix_unit").get("useful_macs");
    }
    state.counters["sim_cycles_per_s"] = benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kIsRate);
    state.counters["MAC_per_s"] = benchmark::Counter(static_cast<double>(macs), benchmark::Counter::kIsRate);
}

void BM_fast_timing_only_256(benchmark::State& s) { run_sim(s, "tpuv1", sim::ArrayModel::Fast, false, 2000); }
void BM_fast_with_data_256(benchmark::State& s) { run_sim(s, "tpuv1", sim::ArrayModel::Fast, true, 200); }
void BM_cells_32(benchmark::State& s) { run_sim(s, "bench-32x32", sim::ArrayModel::Cells, true, 50); }
void BM_fast_with_data_32(benchmark::State& s) { run_sim(s, "bench-32x32", sim::ArrayModel::Fast, true, 50); }

/// The host's own int8 x int8 -> int32 product, rows x 256 times 256 x 256, with the kernel
/// the functional model uses (sim/int8_dot.cpp): the weights widened and transposed once,
/// the inputs widened, then the kernel's vectorized dot products.
void BM_host_int8_matmul_256(benchmark::State& state) {
    const std::size_t rows = static_cast<std::size_t>(state.range(0)), k = 256, n = 256;
    std::vector<std::int8_t> x(rows * k), w(k * n);
    std::vector<std::int16_t> wt(n * k), x16(rows * k);
    std::vector<std::int32_t> y(rows * n);
    std::mt19937 rng(2);
    for (auto& v : x) v = static_cast<std::int8_t>(rng());
    for (auto& v : w) v = static_cast<std::int8_t>(rng());
    for (auto _ : state) {
        for (std::size_t r = 0; r < k; ++r)
            for (std::size_t c = 0; c < n; ++c) wt[c * k + r] = w[r * n + c];
        for (std::size_t i = 0; i < rows * k; ++i) x16[i] = x[i];
        sim::int16_dots(x16.data(), rows, wt.data(), k, n, y.data());
        benchmark::DoNotOptimize(y.data());
    }
    state.counters["MAC_per_s"] =
        benchmark::Counter(static_cast<double>(rows * k * n) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_fast_timing_only_256)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_fast_with_data_256)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cells_32)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_fast_with_data_32)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_host_int8_matmul_256)->Arg(256)->Unit(benchmark::kMillisecond);
