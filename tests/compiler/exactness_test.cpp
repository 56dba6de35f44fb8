// The compiled program, run on the simulator, computes exactly what the reference
// executor computes: every output value of every network, bit for bit.
#include "random_network.hpp"
#include "sim_harness.hpp"

#include "compiler/compile.hpp"
#include "compiler/reference_executor.hpp"
#include "compiler/shape_inference.hpp"
#include "compiler/workload.hpp"
#include "config/chip_config.hpp"
#include "config/overrides.hpp"
#include "sim/simulation.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <vector>

namespace {

using namespace tpusim;
using compiler::testing::describe;
using compiler::testing::random_network;
using compiler::testing::RandomLimits;

/// Compiles, simulates and compares every output with the reference executor. Returns
/// the number of tensors the compiler spilled to host memory.
std::size_t check_exact(const compiler::Network& net, const config::ChipConfig& chip) {
    INFO(describe(net));
    INFO("chip " << chip.name);
    const auto compiled = compiler::compile(net, chip);
    sim::RunOptions options;
    options.keep_memories = false;  // outputs come back through host memory
    const auto run = sim::simulate(chip, compiled.program, compiled.host_image, compiled.weight_image, options);
    const auto reference = compiler::execute_reference(net);
    REQUIRE(compiled.outputs.size() == net.outputs.size());
    for (const auto& out : compiled.outputs) {
        INFO("output " << out.tensor);
        const compiler::Tensor got = compiler::unpack_output(out, run.host);
        const compiler::Tensor& want = reference.at(out.tensor);
        REQUIRE(got.shape == want.shape);
        REQUIRE(got.batch == want.batch);
        REQUIRE(got.data.size() == want.data.size());
        std::size_t first_difference = got.data.size();
        for (std::size_t i = 0; i < got.data.size() && first_difference == got.data.size(); ++i)
            if (got.data[i] != want.data[i]) first_difference = i;
        INFO("first difference at element " << first_difference);
        CHECK(got.data == want.data);
    }
    return compiled.spilled.size();
}

/// A small chip with an unusual shape, given as chip YAML.
config::ChipConfig odd_chip(const std::string& name, std::uint32_t rows, std::uint32_t cols, std::uint32_t acc,
                            std::uint32_t fifo, const std::string& ub) {
    const std::string yaml = fmt::format(
        "name: {}\nclock: 1GHz\nmatrix_unit: {{rows: {}, cols: {}}}\nunified_buffer: {{capacity: {}}}\n"
        "accumulators: {{entries: {}}}\nweight_fifo: {{depth: {}}}\n"
        "weight_memory: {{capacity: 1MiB, bandwidth: 4GB/s, latency: 20ns, channels: 1}}\n"
        "host_interface: {{bandwidth: 2GB/s, latency: 100ns}}\nactivation: {{throughput: 8, latency: 2}}\n",
        name, rows, cols, ub, acc, fifo);
    return config::parse_chip_config(yaml, name + ".yaml");
}

/// Chips whose UBs of 3 to 6 KiB are too small for most map chains (below).
std::vector<config::ChipConfig> spill_chips() {
    return {odd_chip("spill-8x5", 8, 5, 24, 1, "3KiB"), odd_chip("spill-6x12", 6, 12, 40, 3, "6KiB"),
            odd_chip("spill-4x4", 4, 4, 18, 2, "4KiB")};
}

/// Chains of convolutions, depthwise convolutions and pools over maps of up to 20x20, in
/// chunks that suit `chip`.
RandomLimits map_chain_limits(const config::ChipConfig& chip) {
    RandomLimits limits;
    limits.chunk = std::min(chip.matrix.rows, chip.matrix.cols);
    limits.max_side = 20;
    limits.map_chain = true;
    return limits;
}

/// A network that does not fit even one sample at a time must say so in the one-line
/// message, naming the layer and the bytes.
void check_does_not_fit(const compiler::CompileError& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find("bytes of unified buffer") != std::string::npos);
}

}  // namespace

TEST_CASE("random networks compute exactly on the 8x8 teaching chip", "[compiler][exact]") {
    const auto chip = test::shipped_chip("teaching-8x8");
    RandomLimits deep;
    deep.max_layers = 10;
    std::size_t per_step = 0;  // fc layers applied at every step of a sequence
    std::size_t activated = 0;  // add and multiply layers with an activation
    for (std::uint32_t seed = 1; seed <= 600; ++seed) {
        const auto net = random_network(seed, seed % 2 ? RandomLimits{} : deep);
        for (const auto& l : net.layers) {
            per_step += l.per_step;
            activated += (l.kind == compiler::LayerKind::Add || l.kind == compiler::LayerKind::Multiply) &&
                         l.activation != compiler::Activation::None;
        }
        check_exact(net, chip);
    }
    CHECK(per_step >= 20);
    CHECK(activated >= 20);
}

TEST_CASE("random networks compute exactly on non-square arrays with tiny accumulators and UB", "[compiler][exact]") {
    // 8x5: chunks of 5 features in 8-byte rows; 6x12: chunks of 6 in 12-byte rows. Twelve
    // and 40 accumulator rows force slicing of output maps; 6 KiB and 12 KiB of UB force
    // several passes for larger batches; a one-tile FIFO delays every weight read.
    const config::ChipConfig chips[] = {odd_chip("tall-8x5", 8, 5, 24, 1, "6KiB"),
                                        odd_chip("wide-6x12", 6, 12, 40, 3, "12KiB"),
                                        odd_chip("small-4x4", 4, 4, 18, 2, "16KiB")};
    for (std::uint32_t seed = 1001; seed <= 1300; ++seed) {
        const auto& chip = chips[seed % 3];
        RandomLimits limits;
        limits.chunk = std::min(chip.matrix.rows, chip.matrix.cols);
        compiler::Network net;
        try {
            net = random_network(seed, limits);
            check_exact(net, chip);
        } catch (const compiler::CompileError& e) {
            check_does_not_fit(e);  // a network may not fit these UBs even one sample at a time
        }
    }
}

TEST_CASE("random networks whose feature maps are spilled to host memory compute exactly", "[compiler][exact]") {
    // Chains of convolutions, depthwise convolutions and pools over maps of up to 20x20x20
    // on UBs of 3 to 6 KiB: a 20x20 map of 20 channels on the 8x5 chip is 4 chunks x 400
    // rows of 8 bytes, 12.5 KiB, so most of these networks do not fit even one sample at a
    // time, and the compiler spills maps to host memory until one does. What it cannot
    // spill (a network input read twice, an output) or a layer whose own staging does not
    // fit must fail with the one-line message, with the numbers of the spilled plan.
    const auto chips = spill_chips();
    std::size_t spilled = 0, networks = 0;
    for (std::uint32_t seed = 4001; seed <= 4400; ++seed) {
        const auto& chip = chips[seed % 3];
        const RandomLimits limits = map_chain_limits(chip);
        try {
            const std::size_t n = check_exact(random_network(seed, limits), chip);
            spilled += n;
            networks += n > 0;
        } catch (const compiler::CompileError& e) {
            check_does_not_fit(e);
        }
    }
    INFO(spilled << " maps spilled in " << networks << " networks");
    CHECK(networks >= 40);
    CHECK(spilled > networks);  // some networks needed more than one map spilled
}

TEST_CASE("random networks whose spilled maps come back in small stripes compute exactly", "[compiler][exact]") {
    // Map chains as above, on chips whose half accumulators (64 to 100 rows) are large
    // against their UBs. On the 4x4 chip (80 rows a block; 1.5 KiB, 384 rows of 4 bytes),
    // a 3x3 convolution with padding 1 over a spilled 20x20 map of 8 channels (2 chunks)
    // takes blocks of 4 output rows, whose stripes are 6 padded rows of 22 positions: two
    // slots of 2 x 6 x 22 = 264 rows, 528 rows, more than the UB. When nothing else
    // can be spilled, the compiler makes that op's blocks smaller (2 output rows,
    // stripes of 4 rows: 352) until its staging fits. Without smaller blocks every network
    // counted in `shrunk` failed to compile.
    const config::ChipConfig chips[] = {odd_chip("stripe-8x5", 8, 5, 200, 1, "2KiB"),
                                        odd_chip("stripe-6x12", 6, 12, 128, 3, "3KiB"),
                                        odd_chip("stripe-4x4", 4, 4, 160, 2, "1536B")};
    std::size_t shrunk = 0, failed = 0, total = 0;  // networks
    for (std::uint32_t seed = 5001; seed <= 5400; ++seed) {
        const auto& chip = chips[seed % 3];
        const RandomLimits limits = map_chain_limits(chip);
        ++total;
        try {
            const auto net = random_network(seed, limits);
            shrunk += !compiler::compile(net, chip).smaller_blocks.empty();
            check_exact(net, chip);
        } catch (const compiler::CompileError& e) {
            check_does_not_fit(e);
            ++failed;
        }
    }
    INFO(shrunk << " networks with smaller blocks, " << failed << " failed, of " << total);
    CHECK(shrunk >= 80);     // networks that compile only with smaller blocks (without, they failed)
    CHECK(failed < total / 4);  // what still fails: a network input read twice, a map whose one row is too wide
}

TEST_CASE("random networks with residual additions on tiny UBs compute exactly", "[compiler][exact]") {
    // Map chains with additions of the last map and an earlier one of the same shape,
    // mostly activated, on the spill chips above. An activated addition's operands and its
    // scratch sum cannot be spilled; when nothing else can be spilled or shrunk, the
    // compiler lowers again with the additions folded into two-term identity products
    // (docs/compiler.md, "Spilling"), whose operands can then be spilled. Every network
    // counted in `folded` failed to compile without that.
    const auto chips = spill_chips();
    std::size_t folded = 0, folded_and_spilled = 0, failed = 0, adds = 0, total = 0;
    for (std::uint32_t seed = 6001; seed <= 6900; ++seed) {
        const auto& chip = chips[seed % 3];
        RandomLimits limits = map_chain_limits(chip);
        limits.residual = true;
        const auto net = random_network(seed, limits);
        for (const auto& l : net.layers) adds += l.kind == compiler::LayerKind::Add;
        ++total;
        try {
            const auto compiled = compiler::compile(net, chip);
            folded += !compiled.folded_adds.empty();
            folded_and_spilled += !compiled.folded_adds.empty() && !compiled.spilled.empty();
            check_exact(net, chip);
        } catch (const compiler::CompileError& e) {
            check_does_not_fit(e);
            ++failed;
        }
    }
    INFO(adds << " additions; " << folded << " networks with folded additions (" << folded_and_spilled
              << " also spilled), " << failed << " failed, of " << total);
    CHECK(adds >= total * 3 / 4);
    CHECK(folded >= 40);
    CHECK(folded_and_spilled >= 30);
    CHECK(failed < total / 4);  // what still fails: maps read by two ops (an addition's operand
                                // that a convolution reads too), a network input read twice
}

TEST_CASE("ResNet-50 on a TPUv1 with a 2 MiB unified buffer computes what it computes with 24 MiB",
          "[compiler][exact][spill]") {
    // With 2 MiB its residual additions are done as two-term products so that their
    // operands can be spilled (docs/compiler.md, "Spilling"; backend_test.cpp has what is
    // spilled and why). The program is a different one; its output must not be.
    const std::string file = std::string(TPUSIM_SOURCE_DIR) + "/configs/tpuv1.yaml";
    std::ifstream in(file);
    const std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto small = config::parse_overridden_chip_config(
        yaml, file, {config::parse_override("unified_buffer.capacity=2MiB", "test")}, "tpuv1 (test)");
    const auto full = test::shipped_chip("tpuv1");
    const compiler::Network net =
        compiler::load_workload(std::string(TPUSIM_SOURCE_DIR) + "/workloads/real/resnet50.yaml");
    auto output = [&](const config::ChipConfig& chip, bool folded) {
        const auto compiled = compiler::compile(net, chip);
        CHECK(compiled.folded_adds.empty() != folded);
        sim::RunOptions options;
        options.keep_memories = false;
        const auto run = sim::simulate(chip, compiled.program, compiled.host_image, compiled.weight_image, options);
        REQUIRE(compiled.outputs.size() == 1);
        return compiler::unpack_output(compiled.outputs[0], run.host);
    };
    const compiler::Tensor want = output(full, false), got = output(small, true);
    CHECK(std::set<std::int8_t>(want.data.begin(), want.data.end()).size() > 10);  // not a constant
    CHECK(got.shape == want.shape);
    CHECK(got.data == want.data);
}

TEST_CASE("random networks with chunks beyond 256 features compute exactly on the TPUv1", "[compiler][exact]") {
    const auto chip = test::shipped_chip("tpuv1");
    RandomLimits limits;
    limits.max_side = 6;
    limits.max_channels = 300;
    limits.max_hidden = 270;
    limits.max_steps = 3;
    limits.max_layers = 4;
    limits.max_batch = 3;
    limits.chunk = 256;
    for (std::uint32_t seed = 2001; seed <= 2100; ++seed) check_exact(random_network(seed, limits), chip);
}

TEST_CASE("small random networks compute exactly on the TPUv1, every tile partly used", "[compiler][exact]") {
    // The teaching-size networks (every width well below 256) on the 256x256 chip: the
    // same programs as on the 8x8 chip would be one tile per layer here.
    const auto chip = test::shipped_chip("tpuv1");
    for (std::uint32_t seed = 3001; seed <= 3150; ++seed) check_exact(random_network(seed, RandomLimits{}), chip);
}

TEST_CASE("inputs laid out as patches and streamed in stripes compute exactly", "[compiler][exact]") {
    // A 7x7 stride-2 stem over 3 channels (patches on the TPUv1, not on the 8x8 chip whose
    // 8-feature chunks would make them larger than the map), then a pool.
    for (const char* name : {"tpuv1", "teaching-8x8"}) {
        compiler::Network net = random_network(11, RandomLimits{});  // for its name and source
        net.batch = 3;
        net.inputs.resize(1);
        net.inputs[0].name = "image";
        net.inputs[0].shape = {21, 19, 3};
        net.inputs[0].data = compiler::Tensor{{21, 19, 3}, 3, std::vector<std::int8_t>(3 * 21 * 19 * 3)};
        for (std::size_t i = 0; i < net.inputs[0].data.data.size(); ++i)
            net.inputs[0].data.data[i] = static_cast<std::int8_t>((i * 29 + 3) % 253 - 126);
        compiler::Layer stem;
        stem.name = "stem";
        stem.kind = compiler::LayerKind::Conv2d;
        stem.inputs = {"image"};
        stem.filters = 11;
        stem.kernel_h = stem.kernel_w = 7;
        stem.stride_h = stem.stride_w = 2;
        stem.pad_top = stem.pad_left = 3;
        stem.pad_bottom = stem.pad_right = 2;
        stem.weights.resize(7 * 7 * 3 * 11);
        for (std::size_t i = 0; i < stem.weights.size(); ++i)
            stem.weights[i] = static_cast<std::int8_t>((i * 71 + 5) % 255 - 127);
        stem.requant = compiler::Requant{90, 14};
        stem.activation = compiler::Activation::Relu;
        compiler::Layer pool;
        pool.name = "pool";
        pool.kind = compiler::LayerKind::MaxPool;
        pool.inputs = {"stem"};
        pool.kernel_h = pool.kernel_w = 3;
        pool.stride_h = pool.stride_w = 2;
        net.layers = {stem, pool};
        net.outputs = {"pool"};
        compiler::infer_shapes(net);
        check_exact(net, test::shipped_chip(name));
    }
}

TEST_CASE("the teaching workloads compute exactly on the teaching chip and on the TPUv1", "[compiler][exact]") {
    for (const char* chip : {"teaching-8x8", "tpuv1"})
        for (const char* name : {"tiny_mlp", "tiny_cnn", "tiny_lstm"}) {
            INFO(name);
            check_exact(
                compiler::load_workload(std::string(TPUSIM_SOURCE_DIR) + "/workloads/teaching/" + name + ".yaml"),
                test::shipped_chip(chip));
        }
}

TEST_CASE("a last, smaller pass clears the borders that earlier passes left written", "[compiler][exact]") {
    // 3 samples on a 6 KiB UB: two passes, of 2 samples and of 1, under two plans. In the
    // second plan l0's padded map sits on rows that the first plan gave the streamed input,
    // so its border is no longer zero from reset and must be cleared (it was not, and
    // sample 2 came out wrong).
    RandomLimits limits;
    limits.chunk = 6;
    limits.max_side = 20;
    limits.map_chain = true;
    const auto net = random_network(4192, limits);
    const auto chip = odd_chip("wide-6x12-6k", 6, 12, 40, 3, "6KiB");
    CHECK(net.batch == 3);
    CHECK(compiler::compile(net, chip).passes == 2);
    check_exact(net, chip);
}

TEST_CASE("a batch the unified buffer cannot hold runs in passes and still computes exactly", "[compiler][exact]") {
    // 40 samples of a 6x6x16 map through two convolutions: 2 chunks x 36 rows per sample
    // and tensor, more than a 6 KiB UB (768 rows) holds for the whole batch.
    const auto chip = odd_chip("tall-8x8-6k", 8, 8, 64, 2, "6KiB");
    compiler::Network net = random_network(7, RandomLimits{});  // for its values only
    net.batch = 40;
    net.inputs.resize(1);
    net.inputs[0].name = "x";
    net.inputs[0].shape = {6, 6, 16};
    net.inputs[0].data = compiler::Tensor{{6, 6, 16}, 40, std::vector<std::int8_t>(40 * 6 * 6 * 16)};
    for (std::size_t i = 0; i < net.inputs[0].data.data.size(); ++i)
        net.inputs[0].data.data[i] = static_cast<std::int8_t>((i * 37 + 11) % 251 - 125);
    net.layers.clear();
    for (const char* name : {"c1", "c2"}) {
        compiler::Layer l;
        l.name = name;
        l.kind = compiler::LayerKind::Conv2d;
        l.inputs = {net.layers.empty() ? "x" : net.layers.back().name};
        l.filters = 16;
        l.kernel_h = l.kernel_w = 3;
        l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
        l.weights.resize(3 * 3 * 16 * 16);
        for (std::size_t i = 0; i < l.weights.size(); ++i)
            l.weights[i] = static_cast<std::int8_t>((i * 53 + 7) % 255 - 127);
        l.requant = compiler::Requant{100, 16};
        l.activation = compiler::Activation::Relu;
        net.layers.push_back(l);
    }
    net.outputs = {"c2"};
    compiler::infer_shapes(net);
    const auto compiled = compiler::compile(net, chip);
    CHECK(compiled.passes > 1);
    CHECK(compiled.ub_bytes_used <= chip.ub.capacity_bytes);
    std::size_t regions = 0;  // the input has a host region per pass
    for (const auto& p : compiled.memory_map) regions += p.memory == "host" && p.tensor == "x";
    CHECK(regions == compiled.passes);
    check_exact(net, chip);
}
