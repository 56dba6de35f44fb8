// The compiler backend's pieces on their own: tiling into accumulator blocks, the
// instruction forms that walk an access pattern, the weight-read schedule, statistics,
// and the errors a workload that does not fit gets. Exactness end to end is in
// exactness_test.cpp.
#include "random_network.hpp"
#include "tpuv1_published.hpp"

#include "compiler/compile.hpp"
#include "compiler/layout.hpp"
#include "compiler/lowered.hpp"
#include "compiler/shape_inference.hpp"
#include "compiler/tiling.hpp"
#include "compiler/workload.hpp"
#include "config/chip_config.hpp"
#include "config/overrides.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <tuple>

namespace {

using namespace tpusim;
using namespace tpusim::compiler;

const std::string kSource = TPUSIM_SOURCE_DIR;

config::ChipConfig chip(const std::string& name) {
    return config::load_chip_config(kSource + "/configs/" + name + ".yaml");
}

std::uint32_t pick(std::mt19937& rng, std::uint32_t lo, std::uint32_t hi) {
    return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng);
}

/// A chain of `depth` conv layers ("conv", "conv2", ...) on a map, values irrelevant (all ones).
Network one_conv(std::uint32_t side, std::uint32_t channels, std::uint32_t filters, std::uint32_t kernel,
                 std::uint32_t batch, std::uint32_t depth = 1) {
    Network net;
    net.name = "one_conv";
    net.source = "one_conv.yaml";
    net.batch = batch;
    NetworkInput in;
    in.name = "x";
    in.shape = {side, side, channels};
    in.data = Tensor{in.shape, batch, std::vector<std::int8_t>(std::size_t{side} * side * channels * batch, 1)};
    net.inputs.push_back(in);
    for (std::uint32_t i = 1; i <= depth; ++i) {
        Layer l;
        l.name = i == 1 ? "conv" : "conv" + std::to_string(i);
        l.source = "one_conv.yaml:" + std::to_string(6 + i);
        l.kind = LayerKind::Conv2d;
        l.inputs = {i == 1 ? "x" : net.layers.back().name};
        l.filters = filters;
        l.kernel_h = l.kernel_w = kernel;
        l.weights.assign(std::size_t{kernel} * kernel * (i == 1 ? channels : filters) * filters, 1);
        net.layers.push_back(l);
    }
    net.outputs = {net.layers.back().name};
    infer_shapes(net);
    return net;
}

/// The shipped TPUv1 with its unified buffer cut to `capacity`.
config::ChipConfig tpuv1_with_ub(const std::string& capacity) {
    const std::string file = kSource + "/configs/tpuv1.yaml";
    std::ifstream in(file);
    const std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return config::parse_overridden_chip_config(
        yaml, file, {config::parse_override("unified_buffer.capacity=" + capacity, "test")}, "tpuv1 (test)");
}

}  // namespace

TEST_CASE("blocks cover every output once, hold whole pooling windows and fit the accumulators", "[compiler][tiling]") {
    std::mt19937 rng(5);
    for (int trial = 0; trial < 2000; ++trial) {
        const std::uint32_t batch = pick(rng, 1, 5), gh = pick(rng, 1, 12), gw = pick(rng, 1, 12);
        Pooling pool;
        if (trial % 2) {
            pool.kind = isa::Pool::Max;
            pool.size = pick(rng, 1, std::min({gh, gw, 4u}));
            pool.stride = pick(rng, 1, 4);
        }
        const std::uint32_t capacity = pick(rng, 1, 200);
        INFO(batch << " x " << gh << "x" << gw << " pool " << pool.size << "/" << pool.stride << " capacity "
                   << capacity);
        const auto blocks = partition(batch, gh, gw, pool, capacity);
        if (std::uint64_t{pool.size} * pool.size > capacity) {
            CHECK(blocks.empty());
            continue;
        }
        std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>, int> seen;
        for (const Block& b : blocks) {
            REQUIRE(b.rows() <= capacity);
            // the grid a block holds is what its pooled outputs need (or whole maps)
            const bool whole_rows = b.gy0 == 0 && b.gy1 == gh && b.py0 == 0 && b.py1 == pool.out(gh);
            const bool whole_cols = b.gx0 == 0 && b.gx1 == gw && b.px0 == 0 && b.px1 == pool.out(gw);
            CHECK((whole_rows ||
                   (b.gy0 == b.py0 * pool.stride && b.gy1 - b.gy0 == (b.py1 - b.py0 - 1) * pool.stride + pool.size)));
            CHECK((whole_cols ||
                   (b.gx0 == b.px0 * pool.stride && b.gx1 - b.gx0 == (b.px1 - b.px0 - 1) * pool.stride + pool.size)));
            for (std::uint32_t n = b.n0; n < b.n1; ++n)
                for (std::uint32_t y = b.py0; y < b.py1; ++y)
                    for (std::uint32_t x = b.px0; x < b.px1; ++x) ++seen[{n, y, x}];
        }
        const std::uint32_t ph = pool.out(gh), pw = pool.out(gw);
        CHECK(seen.size() == std::size_t{batch} * ph * pw);
        for (const auto& s : seen) CHECK(s.second == 1);
    }
}

TEST_CASE("product instructions stream exactly the vectors of an access pattern", "[compiler][tiling]") {
    std::mt19937 rng(9);
    for (int trial = 0; trial < 2000; ++trial) {
        // up to three loops with UB strides from 1 to 600 (beyond the 8-bit step)
        std::vector<Dim> dims(pick(rng, 1, 3));
        std::int64_t acc = 1;
        for (auto it = dims.rbegin(); it != dims.rend(); ++it) {
            it->count = pick(rng, 1, 6);
            it->stride = {static_cast<std::int64_t>(trial % 3 == 0 ? pick(rng, 1, 600) : pick(rng, 1, 9)), acc, 0};
            acc *= static_cast<std::int64_t>(it->count);
        }
        const std::int64_t ub0 = pick(rng, 0, 50), acc0 = pick(rng, 0, 50);
        std::vector<std::pair<std::int64_t, std::int64_t>> want;
        std::vector<std::uint64_t> index(dims.size(), 0);
        for (std::int64_t j = 0; j < acc; ++j) {
            std::int64_t ub = ub0, a = acc0;
            std::int64_t rest = j;
            for (std::size_t d = dims.size(); d-- > 0;) {
                const std::int64_t i = rest % static_cast<std::int64_t>(dims[d].count);
                rest /= static_cast<std::int64_t>(dims[d].count);
                ub += i * dims[d].stride[0];
                a += i * dims[d].stride[1];
            }
            want.emplace_back(ub, a);
        }
        std::vector<std::pair<std::int64_t, std::int64_t>> got;
        for (const auto& in : product_instructions(ub0, acc0, dims)) {
            CHECK(in.step <= 255);
            CHECK((in.convolve == 1 || (in.outer == 1 && in.step == 1)));
            for (std::uint64_t o = 0; o < in.outer; ++o)
                for (std::uint64_t i = 0; i < in.rows; ++i)
                    got.emplace_back(static_cast<std::int64_t>(in.ub_addr + o * in.pitch + i * in.step),
                                     static_cast<std::int64_t>(in.acc_addr + o * in.rows + i));
        }
        std::sort(got.begin(), got.end(), [](auto& x, auto& y) { return x.second < y.second; });
        CHECK(got == want);
    }
}

TEST_CASE("weight reads run as far ahead of the products as the weight FIFO allows", "[compiler][schedule]") {
    for (const char* name : {"teaching-8x8", "tpuv1"}) {
        const auto c = chip(name);
        const std::size_t ahead = c.fifo.depth_tiles + 1;  // FIFO slots plus the shadow buffer
        for (std::uint32_t seed = 1; seed <= 40; ++seed) {
            const auto program = compile(testing::random_network(seed, testing::RandomLimits{}), c).program;
            // Tile t (counting requests) must be read after the product that switches to
            // tile t - ahead, and right after it: any earlier, and its wait for a FIFO
            // slot could hold up the product that frees the slot.
            std::size_t requested = 0, switched = 0;
            bool prologue = true;
            for (std::size_t i = 0; i < program.code.size(); ++i) {
                const auto& in = program.code[i];
                if (in.op == isa::Opcode::ReadWeights) {
                    if (!prologue) {
                        REQUIRE(i > 0);
                        CHECK(program.code[i - 1].switch_weights == 1);
                        CHECK(requested == switched - 1 + ahead);
                    }
                    requested += in.count;
                } else if (in.op == isa::Opcode::MatrixMultiply && in.switch_weights) {
                    prologue = false;
                    CHECK(switched < requested);  // its tile was read before it
                    ++switched;
                }
            }
            CHECK(requested == switched);
        }
    }
}

namespace {

/// Checks the syncs of `program` against a row-by-row model of the UB: every product or
/// vector step that reads rows another unit wrote finds them waited for by a sync since
/// the write, and every sync waits for a pending write that the instruction right after it
/// (past further syncs) reads from another unit. Returns the number of syncs.
std::size_t check_syncs(const isa::Program& program, std::uint64_t ub_rows) {
    enum Unit { None, Host, Matrix, Activation };
    struct Row {
        Unit unit = None;  // writer not yet waited for by a sync
        std::size_t write = 0;
    };
    std::vector<Row> rows(ub_rows);
    std::map<isa::ConfigReg, std::uint64_t> reg{{isa::ConfigReg::PoolSize, 1}, {isa::ConfigReg::PoolStride, 1},
                                               {isa::ConfigReg::PoolInputWidth, 1}};
    std::size_t syncs = 0;
    auto write = [&](std::size_t i, std::uint64_t first, std::uint64_t n, Unit unit) {
        for (std::uint64_t r = first; r < first + n; ++r) rows.at(r) = Row{unit, i};
    };
    auto read_spans = [](const isa::Instruction& in) -> std::vector<std::pair<std::uint64_t, std::uint64_t>> {
        if (in.op == isa::Opcode::MatrixMultiply)
            return {{in.ub_addr, in.ub_addr + (in.outer - 1) * in.pitch + (in.rows - 1) * in.step + 1}};
        if (in.op == isa::Opcode::Vector) return {{in.ub_addr, in.ub_addr + in.rows}, {in.ub_addr2, in.ub_addr2 + in.rows}};
        return {};
    };
    for (std::size_t i = 0; i < program.code.size(); ++i) {
        const auto& in = program.code[i];
        INFO("instruction " << i);
        const Unit reader = in.op == isa::Opcode::MatrixMultiply ? Matrix : Activation;
        switch (in.op) {
            case isa::Opcode::Sync: {
                ++syncs;
                REQUIRE(in.sync_mode == static_cast<std::uint64_t>(isa::SyncMode::UbRange));
                std::size_t next = i + 1;
                while (next < program.code.size() && program.code[next].op == isa::Opcode::Sync) ++next;
                REQUIRE(next < program.code.size());
                const auto& consumer = program.code[next];
                const Unit consumer_unit = consumer.op == isa::Opcode::MatrixMultiply ? Matrix : Activation;
                std::set<std::size_t> waited;
                bool needed = false;
                for (std::uint64_t r = in.sync_addr; r < in.sync_addr + in.sync_length; ++r) {
                    if (rows.at(r).unit == None) continue;
                    waited.insert(rows[r].write);
                    for (const auto& [lo, hi] : read_spans(consumer))
                        needed |= r >= lo && r < hi && rows[r].unit != consumer_unit;
                }
                CHECK(needed);
                for (auto& row : rows)
                    if (row.unit != None && waited.count(row.write)) row.unit = None;
                break;
            }
            case isa::Opcode::MatrixMultiply:
            case isa::Opcode::Vector:
                for (const auto& [lo, hi] : read_spans(in))
                    for (std::uint64_t r = lo; r < hi; ++r) {
                        INFO("row " << r);
                        CHECK((rows.at(r).unit == None || rows[r].unit == reader));
                    }
                if (in.op == isa::Opcode::Vector) write(i, in.ub_dst, in.rows, Activation);
                break;
            case isa::Opcode::ReadHostMemory: write(i, in.ub_addr, in.rows, Host); break;
            case isa::Opcode::SetConfig: reg[static_cast<isa::ConfigReg>(in.reg)] = in.value; break;
            case isa::Opcode::Activate: {
                std::uint64_t n = in.rows;
                if (in.pool != static_cast<std::uint64_t>(isa::Pool::None)) {
                    const auto w = reg[isa::ConfigReg::PoolInputWidth], k = reg[isa::ConfigReg::PoolSize],
                               st = reg[isa::ConfigReg::PoolStride];
                    n = ((in.rows / w - k) / st + 1) * ((w - k) / st + 1);
                }
                write(i, in.ub_addr, n, Activation);
                break;
            }
            default: break;
        }
    }
    return syncs;
}

}  // namespace

TEST_CASE("a sync stands before each read of rows another unit wrote, and nowhere else", "[compiler][schedule]") {
    SECTION("a layer reading the previous layer's output waits for it right before its first product") {
        const auto c = chip("teaching-8x8");
        const auto compiled = compile(one_conv(10, 8, 8, 3, 1, 2), c);
        const auto& p = compiled.program;
        CHECK(check_syncs(p, c.ub_rows()) > 0);
        std::size_t first = 0;  // conv2's first product
        while (!(p.code[first].op == isa::Opcode::MatrixMultiply && p.layer_of[first] == 1)) ++first;
        REQUIRE(first > 0);
        const auto& sync = p.code[first - 1];
        REQUIRE(sync.op == isa::Opcode::Sync);
        CHECK(p.layer_of[first - 1] == 1);
        // over rows of conv's output map that the product reads, from its first row on
        CHECK(sync.sync_addr == p.code[first].ub_addr);
        CHECK(sync.sync_length > 0);
        // and the first product of all reads the input the host brought in
        std::size_t product = 0;
        while (p.code[product].op != isa::Opcode::MatrixMultiply) ++product;
        CHECK(p.code[product - 1].op == isa::Opcode::Sync);
    }
    SECTION("maps spilled to host memory: their stripes are synced before the products read them") {
        // Three unpadded 3x3 convolutions over a 70x70x8 map: outputs of 68^2 = 4,624,
        // 66^2 = 4,356 and 64^2 = 4,096 rows against the teaching chip's 8,192. conv and
        // conv2 (8,980 rows) do not fit together: conv is spilled; then conv2 and conv3
        // (8,452): conv2 is spilled. VGG-16 on a 2 MiB TPUv1 spills three maps.
        const auto teaching = chip("teaching-8x8");
        const auto chain = compile(one_conv(70, 8, 8, 3, 1, 3), teaching);
        CHECK(chain.spilled == std::vector<std::string>{"conv", "conv2"});
        CHECK(check_syncs(chain.program, teaching.ub_rows()) > 0);
        const auto small = tpuv1_with_ub("2MiB");
        const auto vgg = compile(load_workload(kSource + "/workloads/real/vgg16.yaml"), small);
        CHECK(vgg.spilled.size() == 3);
        CHECK(check_syncs(vgg.program, small.ub_rows()) > 0);
    }
    SECTION("random networks on the teaching chip and the TPUv1") {
        for (const char* name : {"teaching-8x8", "tpuv1"}) {
            const auto c = chip(name);
            for (std::uint32_t seed = 1; seed <= 40; ++seed) {
                INFO(name << " seed " << seed);
                check_syncs(compile(testing::random_network(seed, testing::RandomLimits{}), c).program, c.ub_rows());
            }
        }
    }
}

TEST_CASE("statistics count useful MACs, distinct weights and every weight byte read", "[compiler][stats]") {
    const auto c = chip("teaching-8x8");
    SECTION("a 3x3 convolution whose output needs four accumulator blocks reads its weights four times") {
        // 20x20 outputs = 400 rows; blocks hold 128 (half of 256), so 4 blocks of 100
        const auto compiled = compile(one_conv(22, 8, 8, 3, 1), c);
        const auto& conv = compiled.layers.at(0);
        CHECK(conv.weights == 3 * 3 * 8 * 8);
        CHECK(conv.macs == 400ull * 3 * 3 * 8 * 8);
        CHECK(conv.weight_bytes == 4 * conv.weights);
        CHECK(conv.macs_per_weight_byte() == Approx(100));
    }
    SECTION("a 1x1 convolution keeps its single tile in the array across all blocks") {
        const auto compiled = compile(one_conv(20, 8, 8, 1, 1), c);
        CHECK(compiled.layers.at(0).weight_bytes == 64);
    }
    SECTION("the program's layer annotations carry the same figures") {
        const auto compiled = compile(one_conv(12, 10, 9, 3, 2), c);
        REQUIRE(compiled.program.layers.size() == 1);
        CHECK(compiled.program.layers[0].name == "conv");
        CHECK(compiled.program.layers[0].kind == "conv2d");
        CHECK(compiled.program.layers[0].macs == compiled.layers[0].macs);
        CHECK(compiled.program.layers[0].weight_bytes == compiled.layers[0].weight_bytes);
        CHECK(compiled.total.macs == compiled.layers[0].macs);
        REQUIRE(compiled.program.layer_of.size() == compiled.program.code.size());
        // every instruction is the layer's but halt, even the input transfers: the input
        // is streamed into the UB as the convolution needs it
        std::size_t transfers = 0;
        for (std::size_t i = 0; i < compiled.program.code.size(); ++i) {
            const auto op = compiled.program.code[i].op;
            transfers += op == isa::Opcode::ReadHostMemory;
            CHECK(compiled.program.layer_of[i] == (op == isa::Opcode::Halt ? isa::Program::kNoLayer : 0u));
        }
        CHECK(transfers == 2 * 2);  // 2 chunks (10 channels) of two samples in one block
    }
}

TEST_CASE("an input read by one few-channel convolution arrives as patches laid out by the host", "[compiler][stats]") {
    // A ResNet-like stem on the TPUv1: 7x7 stride 2 over 3 channels. As patches, each output
    // point is one row of 7*7*3 = 147 features: one 147-row tile per output chunk instead
    // of 49 tiles of 3 rows, and 8x8 = 64 rows per sample instead of 22x22 = 484.
    Network net = one_conv(16, 3, 64, 7, 2);
    net.layers[0].stride_h = net.layers[0].stride_w = 2;
    net.layers[0].pad_top = net.layers[0].pad_bottom = net.layers[0].pad_left = net.layers[0].pad_right = 3;
    infer_shapes(net);
    REQUIRE(net.layers[0].out_shape == Shape{8, 8, 64});
    const auto compiled = compile(net, chip("tpuv1"));
    std::size_t tiles = 0;
    for (const auto& in : compiled.program.code)
        if (in.op == isa::Opcode::ReadWeights) {
            CHECK(in.tile_rows == 147);
            CHECK(in.tile_cols == 64);
            tiles += in.count;
        }
    CHECK(tiles == 1);
    CHECK(compiled.layers[0].macs == 2ull * 64 * 7 * 7 * 3 * 64);  // the convolution's own MACs
    CHECK(compiled.layers[0].weight_bytes == 7 * 7 * 3 * 64);
    std::uint64_t image_rows = 0;
    for (const auto& p : compiled.memory_map)
        if (p.memory == "ub" && p.tensor == "x") image_rows = p.count;
    CHECK(image_rows == 2 * 64);
}

TEST_CASE("the memory map lists the accumulator rows each layer's blocks use", "[compiler][memory-map]") {
    for (const char* name : {"teaching-8x8", "tpuv1"}) {
        const auto c = chip(name);
        for (std::uint32_t seed = 1; seed <= 30; ++seed) {
            INFO(name << " seed " << seed);
            const auto compiled = compile(testing::random_network(seed, testing::RandomLimits{}), c);
            const auto& p = compiled.program;
            // From the program: per layer, the union of the rows its products write,
            // merged where they touch.
            std::map<std::string, std::map<std::uint64_t, std::uint64_t>> used;
            for (std::size_t i = 0; i < p.code.size(); ++i) {
                const auto& in = p.code[i];
                if (in.op != isa::Opcode::MatrixMultiply) continue;
                auto& ranges = used[p.layers.at(p.layer_of[i]).name];
                std::uint64_t lo = in.acc_addr, hi = in.acc_addr + in.rows * in.outer;
                auto it = ranges.upper_bound(lo);
                if (it != ranges.begin() && std::prev(it)->second >= lo) --it;
                while (it != ranges.end() && it->first <= hi) {
                    lo = std::min(lo, it->first);
                    hi = std::max(hi, it->second);
                    it = ranges.erase(it);
                }
                ranges.emplace(lo, hi);
            }
            std::map<std::string, std::map<std::uint64_t, std::uint64_t>> listed;
            for (const auto& pl : compiled.memory_map)
                if (pl.memory == "acc") {
                    CHECK(pl.first + pl.count <= c.acc.entries);
                    CHECK(pl.note.find("block") != std::string::npos);
                    listed[pl.tensor][pl.first] = pl.first + pl.count;
                }
            CHECK(listed == used);
        }
    }
}

TEST_CASE("the six TPUv1 workloads compile to the paper's weights and MACs per weight byte", "[compiler][tpuv1]") {
    const auto c = chip("tpuv1");
    for (const auto& w : published::tpuv1_workloads()) {
        INFO(w.app);
        const auto compiled = compile(load_workload(kSource + "/workloads/tpuv1/" + w.app + ".yaml"), c);
        CHECK(double(compiled.total.weights) == Approx(double(w.weights)).epsilon(published::kTolerance));
        CHECK(compiled.total.macs_per_weight_byte() == Approx(w.macs_per_weight_byte).epsilon(published::kTolerance));
    }
}

TEST_CASE("VGG-16 on a TPUv1 with a 2 MiB unified buffer compiles by spilling maps to host memory",
          "[compiler][spill]") {
    // 256-byte rows; one chunk per map (at most 256 channels here); batch 1. With the
    // shipped 24 MiB everything fits; with 2 MiB (8,192 rows) not even conv1_2 does
    // (16 MB), so the compiler spills, at the op where the most rows are alive, the largest
    // map it can, until one sample fits: conv1_1, pool1, conv2_1.
    const auto small = tpuv1_with_ub("2MiB");
    const Network vgg = load_workload(kSource + "/workloads/real/vgg16.yaml");
    const auto fits = compile(vgg, chip("tpuv1"));
    const auto spilled = compile(vgg, small);
    CHECK(fits.spilled.empty());
    CHECK(spilled.spilled == std::vector<std::string>{"conv1_1", "pool1", "conv2_1"});
    CHECK(spilled.passes == 1);
    CHECK(spilled.ub_bytes_used <= small.ub.capacity_bytes);
    auto host_bytes = [](const CompiledWorkload& c, isa::Opcode op) {
        std::uint64_t rows = 0;
        for (const auto& in : c.program.code) rows += in.op == op ? in.rows : 0;
        return rows * 256;
    };
    // Each spilled map is written out once, every interior row: conv1_1 224 x 224, pool1
    // (conv1_2's output, pooled by its activate) 112 x 112, conv2_1 112 x 112:
    // 50,176 + 12,544 + 12,544 = 75,264 rows.
    CHECK(host_bytes(spilled, isa::Opcode::WriteHostMemory) - host_bytes(fits, isa::Opcode::WriteHostMemory) ==
          75264u * 256);
    // Each comes back as its reader's stripes: the padded rows a block reads, full padded
    // width, so neighbouring stripes overlap by the kernel's halo. Blocks get half the
    // 4,096 accumulators, 2,048 rows (docs/compiler.md, "Tiling"):
    //  - conv1_2 (3x3, pad 1, pool 2/2 fused) over conv1_1: 2 x 224 <= 2,048, so
    //    floor((floor(2048 / 224) - 2) / 2) + 1 = 4 pooled rows (8 grid rows) a block, 28
    //    blocks; a stripe is 8 + 2 rows of 226: 28 x 10 x 226 = 63,280 rows;
    //  - conv2_1 (3x3, pad 1) over pool1: floor(2048 / 112) = 18 rows a block, 112 rows in 7
    //    blocks of 16; stripes of 16 + 2 rows of 114: 7 x 18 x 114 = 14,364 rows;
    //  - conv2_2 (3x3, pad 1, pool 2/2 fused) over conv2_1: floor((18 - 2) / 2) + 1 = 9
    //    pooled rows a block, 56 in 7 blocks of 8 (16 grid rows); stripes of 18 rows of 114:
    //    14,364 rows.
    // 63,280 + 14,364 + 14,364 = 92,008 rows more read from the host.
    CHECK(host_bytes(spilled, isa::Opcode::ReadHostMemory) - host_bytes(fits, isa::Opcode::ReadHostMemory) ==
          92008u * 256);
}

TEST_CASE("MobileNet on a TPUv1 with a 2 MiB unified buffer compiles with smaller blocks for dw2",
          "[compiler][spill]") {
    // 8,192 rows of 256 bytes. conv1, dw1, pw1 and dw2 are spilled, but dw2 (3x3, stride 2,
    // padding same: border 0 above, 1 below, 56x56 output) reading pw1 (112x112, padded to
    // 113 x 113) back with half-accumulator blocks needs floor(2048 / 56) = 36 output rows
    // a block, 56 rows in 2 blocks of 28; a stripe is (28 - 1) x 2 + 3 = 57 padded rows,
    // two slots of 57 x 113 = 12,882 rows (3.3 MB) on their own. Nothing more can be
    // spilled, so dw2's blocks are halved: at most 1,024 rows, floor(1024 / 56) = 18 output
    // rows, 56 in 4 blocks of 14; stripes of 13 x 2 + 3 = 29 rows: 2 x 29 x 113 = 6,554.
    const auto small = tpuv1_with_ub("2MiB");
    const auto compiled = compile(load_workload(kSource + "/workloads/real/mobilenet_v1.yaml"), small);
    CHECK(compiled.spilled == std::vector<std::string>{"conv1", "dw1", "pw1", "dw2"});
    CHECK(compiled.smaller_blocks == std::vector<std::pair<std::string, std::uint32_t>>{{"dw2", 1024}});
    CHECK(compiled.ub_bytes_used <= small.ub.capacity_bytes);
    bool found = false;
    for (const auto& p : compiled.memory_map)
        if (p.memory == "ub" && p.tensor == "pw1") {
            found = true;
            CHECK(p.count == 6554u);
            CHECK(p.note.find("2 slots of 29 map rows") != std::string::npos);
        }
    CHECK(found);
}

TEST_CASE("ResNet-50 on a TPUv1 with a 2 MiB unified buffer compiles with its additions in the array",
          "[compiler][spill]") {
    // 8,192 rows of 256 bytes; every 56x56 map of res2 is one chunk, 3,136 rows. At res2a,
    // its operands res2a_3 and res2a_proj and the scratch sum the vector unit writes are
    // alive together: 9,408 rows, and none can be spilled (a vector step touches them).
    // Spilling and smaller blocks stop there, so the network is lowered again with every
    // activated addition folded into one product of two terms on identity tiles; res2a_3
    // and its like are then read by a product only and can be spilled.
    const auto small = tpuv1_with_ub("2MiB");
    const Network resnet = load_workload(kSource + "/workloads/real/resnet50.yaml");
    CHECK(compile(resnet, chip("tpuv1")).folded_adds.empty());
    CHECK(compile(resnet, tpuv1_with_ub("4MiB")).folded_adds.empty());  // spilling conv1 is enough
    const auto compiled = compile(resnet, small);
    CHECK(compiled.folded_adds.size() == 16);  // every residual addition: 3 + 4 + 6 + 3 blocks
    CHECK(compiled.folded_adds.front() == "res2a");
    const std::vector<std::string> spilled = compiled.spilled;
    CHECK(std::find(spilled.begin(), spilled.end(), "res2a_3") != spilled.end());
    CHECK(compiled.ub_bytes_used <= small.ub.capacity_bytes);
    // No scratch sum is left.
    for (const auto& p : compiled.memory_map) CHECK(p.tensor.find("#sum") == std::string::npos);
}

TEST_CASE("a workload that does not fit is a one-line error naming the file, the layer and the bytes",
          "[compiler][errors]") {
    SECTION("unified buffer: maps too large even one sample at a time") {
        // 100x100x8 maps: 10,000 rows of 8 bytes each, against 8,192 rows. The input is
        // streamed; conv's output is spilled to host memory and comes back in stripes for
        // conv2 (its blocks are one map row, 128 of the 256 accumulators hold one 100-wide
        // row; a 1x1 kernel reads one map row: 2 slots x 100 rows = 1,600 bytes); but
        // conv2's own output is a network output and cannot be spilled: 80,000 + 1,600
        // bytes, the numbers of the spilled plan.
        try {
            compile(one_conv(100, 8, 8, 1, 1, 2), chip("teaching-8x8"));
            FAIL("expected CompileError");
        } catch (const CompileError& e) {
            const std::string m = e.what();
            INFO(m);
            CHECK(m.find("one_conv.yaml:8") != std::string::npos);
            CHECK(m.find("\"conv2\"") != std::string::npos);
            CHECK(m.find("81600 bytes of unified buffer") != std::string::npos);
            CHECK(m.find("(conv2 80000 bytes, conv 1600 bytes)") != std::string::npos);
            CHECK(m.find("65536 bytes") != std::string::npos);
            CHECK(m.find('\n') == std::string::npos);
        }
    }
    SECTION("instructions: an LSTM unrolled beyond the limit stops before any step is lowered") {
        // 20 stacked layers of 16 units over 20,000 steps of 16 features; on the TPUv1 every
        // vector is one chunk. Per stacked layer, step 0: 4 gate jobs x (1 x term + 1
        // activate) + 1 vector step + tanh copy (1 term + 1 activate) + 1 vector step = 12;
        // later steps: 4 x (1 + 1 h term + 1) + 3 + 2 + 1 = 18. 20 x (12 + 19,999 x 18) =
        // 7,199,880 > 2^22.
        const Network net = parse_workload("name: huge\nbatch: 1\ninputs:\n  - name: x\n    shape: [20000, 16]\n"
                                           "layers:\n  - name: lstm\n    type: lstm\n    hidden: 16\n    layers: 20\n",
                                           "huge.yaml");
        try {
            compile(net, chip("tpuv1"));
            FAIL("expected CompileError");
        } catch (const CompileError& e) {
            CHECK(std::string(e.what()) ==
                  "huge.yaml:7: layer \"lstm\" (lstm) makes the program at least 7199880 instructions long (counting "
                  "stopped there), more than the 4194304 a program may have (docs/compiler.md, \"Limits\")");
        }
    }
    SECTION("instructions: the count lowering checks is a lower bound of the program's") {
        for (const char* name : {"teaching-8x8", "tpuv1"}) {
            const auto c = chip(name);
            for (std::uint32_t seed = 1; seed <= 30; ++seed) {
                INFO(name << " seed " << seed);
                Network net = testing::random_network(seed, testing::RandomLimits{});
                const auto compiled = compile(net, c);
                CHECK(lower(net, target_of(c)).min_instructions <= compiled.program.code.size());
            }
        }
    }
    SECTION("weight memory") {
        // 64 x 64 x 3 x 3 x 32 weights = 1.2 MB > 1 MiB
        try {
            compile(one_conv(3, 128, 1024, 3, 1), chip("teaching-8x8"));
            FAIL("expected CompileError");
        } catch (const CompileError& e) {
            const std::string m = e.what();
            INFO(m);
            CHECK(m.find("one_conv.yaml") != std::string::npos);
            CHECK(m.find("1048576 bytes") != std::string::npos);
        }
    }
}
