// Simulation speed: simulated cycles per host second on a 256x256 array running back-to-back
// MatrixMultiply instructions that switch weight tiles, for the fast model with and without
// data and for the cell-level model on 32x32; beside them a plain int8 x int8 -> int32
// matrix product of the same shape on the host (bench/plain_matmul.cpp), the yardstick for
// the functional model. The 256x256 program runs in two variants on TPUv1: 256 vectors per
// tile, weight-bound (the array is active in about a fifth of the cycles), and 2,048
// vectors per tile, array-bound (active in nearly every cycle, so every simulated cycle is
// a busy one). bench/targets.cpp prints each target of the issue with the measured ratio.
// Results: docs/performance.md.
#include "config/chip_config.hpp"
#include "isa/program.hpp"
#include "sim/int8_dot.hpp"
#include "plain_matmul.hpp"
#include "sim/simulation.hpp"

#include <benchmark/benchmark.h>
#ifdef TPUSIM_BENCH_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>
#endif

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
    // As `tpusim run` does: results leave through host memory, so the final UB and
    // accumulators are not copied out (a 28 MiB copy per run on the TPUv1).
    options.keep_memories = false;
    std::uint64_t cycles = 0, macs = 0, active = 0;
    for (auto _ : state) {
        const auto r = sim::simulate(chip, program, std::vector<std::uint8_t>(64), weights, options);
        cycles += r.cycles;
        const auto& mu = sim::find_group(r.stats, "matrix_unit");
        macs += mu.get("useful_macs");
        active += mu.get("array_active");
    }
    state.counters["sim_cycles_per_s"] = benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kIsRate);
    state.counters["MAC_per_s"] = benchmark::Counter(static_cast<double>(macs), benchmark::Counter::kIsRate);
    // The share of simulated cycles in which an input vector entered the array.
    state.counters["array_active"] = cycles ? static_cast<double>(active) / static_cast<double>(cycles) : 0.0;
}

// Weight-bound: TPUv1 fetches a 64 KiB tile in 1,350 cycles; 256 vectors use it for 256.
void BM_timing_only_weight_bound_256(benchmark::State& s) { run_sim(s, "tpuv1", sim::ArrayModel::Fast, false, 2000); }
void BM_with_data_weight_bound_256(benchmark::State& s) { run_sim(s, "tpuv1", sim::ArrayModel::Fast, true, 200); }
// Array-bound: the same chip and program with 2,048 vectors per tile, more than the 1,350
// cycles of the next tile's fetch and the 765 of its shift behind the last use of the
// previous one (docs/timing-model.md), so the array is active in nearly every cycle.
void BM_timing_only_array_bound_256(benchmark::State& s) { run_sim(s, "tpuv1", sim::ArrayModel::Fast, false, 2000); }
void BM_with_data_array_bound_256(benchmark::State& s) { run_sim(s, "tpuv1", sim::ArrayModel::Fast, true, 25); }
void BM_cells_32(benchmark::State& s) { run_sim(s, "bench-32x32", sim::ArrayModel::Cells, true, 50); }
void BM_fast_with_data_32(benchmark::State& s) { run_sim(s, "bench-32x32", sim::ArrayModel::Fast, true, 50); }

struct HostOperands {
    std::vector<std::int8_t> x, w;
    std::vector<std::int32_t> y;
    HostOperands(std::size_t rows, std::size_t k, std::size_t n) : x(rows * k), w(k * n), y(rows * n) {
        std::mt19937 rng(2);
        for (auto& v : x) v = static_cast<std::int8_t>(rng());
        for (auto& v : w) v = static_cast<std::int8_t>(rng());
    }
};

void set_mac_rate(benchmark::State& state, std::size_t macs) {
    state.counters["MAC_per_s"] =
        benchmark::Counter(static_cast<double>(macs) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

/// The yardstick: the host's plain int8 x int8 -> int32 product, rows x 256 times 256 x 256,
/// written independently of the simulator (bench/plain_matmul.cpp).
void BM_host_plain_int8_matmul_256(benchmark::State& state) {
    const std::size_t rows = static_cast<std::size_t>(state.range(0)), k = 256, n = 256;
    HostOperands o(rows, k, n);  // w is used as stored by columns: any int8 matrix will do
    for (auto _ : state) {
        bench::plain_int8_matmul(o.x.data(), rows, o.w.data(), k, n, o.y.data());
        benchmark::DoNotOptimize(o.y.data());
        benchmark::ClobberMemory();
    }
    set_mac_rate(state, rows * k * n);
}

/// For comparison only, not the yardstick: the same product with the simulator's own kernel
/// (sim/int8_dot.hpp, the one the CPU runs best): the tile put into the kernel's layout,
/// then the product. What the functional model does per tile, without the simulation around it.
void BM_sim_kernel_int8_matmul_256(benchmark::State& state) {
    const std::size_t rows = static_cast<std::size_t>(state.range(0)), k = 256, n = 256;
    HostOperands o(rows, k, n);
    sim::Int8TileProduct product;
    std::vector<const std::int8_t*> x(rows);
    std::vector<std::int32_t*> y(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        x[r] = &o.x[r * k];
        y[r] = &o.y[r * n];
    }
    for (auto _ : state) {
        product.load(o.w.data(), k, n, n);
        product.multiply(x.data(), rows, y.data(), false);
        benchmark::DoNotOptimize(o.y.data());
        benchmark::ClobberMemory();
    }
    set_mac_rate(state, rows * k * n);
}

#ifdef TPUSIM_BENCH_ONEDNN
/// The strongest yardstick: oneDNN's int8 GEMM (Debian's libdnnl-dev), the library x86
/// frameworks use for int8 inference, on one thread as the simulator runs on one.
void BM_host_onednn_int8_matmul_256(benchmark::State& state) {
    const std::size_t rows = static_cast<std::size_t>(state.range(0)), k = 256, n = 256;
    HostOperands o(rows, k, n);  // w read as k x n row-major: any int8 matrix will do
    omp_set_num_threads(1);
    const std::int32_t offset = 0;
    for (auto _ : state) {
        const auto status = dnnl_gemm_s8s8s32('N', 'N', 'F', static_cast<dnnl_dim_t>(rows), static_cast<dnnl_dim_t>(n),
                                              static_cast<dnnl_dim_t>(k), 1.0f, o.x.data(), static_cast<dnnl_dim_t>(k), 0,
                                              o.w.data(), static_cast<dnnl_dim_t>(n), 0, 0.0f, o.y.data(),
                                              static_cast<dnnl_dim_t>(n), &offset);
        if (status != dnnl_success) {
            state.SkipWithError("dnnl_gemm_s8s8s32 failed");
            break;
        }
        benchmark::DoNotOptimize(o.y.data());
        benchmark::ClobberMemory();
    }
    set_mac_rate(state, rows * k * n);
}
#endif

}  // namespace

BENCHMARK(BM_timing_only_weight_bound_256)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_timing_only_array_bound_256)->Arg(2048)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_with_data_weight_bound_256)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_with_data_array_bound_256)->Arg(2048)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_host_plain_int8_matmul_256)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_sim_kernel_int8_matmul_256)->Arg(256)->Unit(benchmark::kMillisecond);
#ifdef TPUSIM_BENCH_ONEDNN
BENCHMARK(BM_host_onednn_int8_matmul_256)->Arg(256)->Unit(benchmark::kMillisecond);
#endif
BENCHMARK(BM_cells_32)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_fast_with_data_32)->Arg(256)->Unit(benchmark::kMillisecond);
