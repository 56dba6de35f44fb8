// Reading workload files: defaults, every key, the random-tensor scheme, `requant: auto`,
// "same" padding and .npy files next to the workload.
#include "compiler/generated_values.hpp"
#include "compiler/npy.hpp"
#include "compiler/workload.hpp"
#include "test_files.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <random>

using namespace tpusim::compiler;
using tpusim::compiler::testing::TempDir;

namespace {

const Layer& layer(const Network& n, const std::string& name) {
    const auto it = std::find_if(n.layers.begin(), n.layers.end(), [&](const Layer& l) { return l.name == name; });
    REQUIRE(it != n.layers.end());
    return *it;
}

}  // namespace

TEST_CASE("FNV-1a matches its published test vectors", "[workload][random]") {
    CHECK(fnv1a_64("") == 0xcbf29ce484222325ULL);
    CHECK(fnv1a_64("a") == 0xaf63dc4c8601ec8cULL);
    CHECK(fnv1a_64("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("random tensors are the bytes of mt19937_64 seeded from seed/name", "[workload][random]") {
    std::mt19937_64 engine(fnv1a_64("7/conv1"));
    const std::uint64_t first = engine(), second = engine();
    const auto v = random_int8(7, "conv1", 10, RandomRange::Full);
    REQUIRE(v.size() == 10);
    for (int b = 0; b < 8; ++b) CHECK(static_cast<std::uint8_t>(v[b]) == ((first >> (8 * b)) & 0xff));
    CHECK(static_cast<std::uint8_t>(v[8]) == (second & 0xff));
    CHECK(static_cast<std::uint8_t>(v[9]) == ((second >> 8) & 0xff));

    CHECK(random_int8(7, "conv1", 10, RandomRange::Full) == v);
    CHECK(random_int8(8, "conv1", 10, RandomRange::Full) != v);
    CHECK(random_int8(7, "conv2", 10, RandomRange::Full) != v);

    const auto full = random_int8(1, "x", 100000, RandomRange::Full);
    const auto symmetric = random_int8(1, "x", 100000, RandomRange::Symmetric);
    CHECK(std::count(full.begin(), full.end(), -128) > 200);  // about 100000 / 256
    CHECK(std::count(symmetric.begin(), symmetric.end(), -128) == 0);
    CHECK(std::count(symmetric.begin(), symmetric.end(), 127) > 200);
    // Symmetric is Full with the -128 bytes dropped.
    std::vector<std::int8_t> dropped;
    std::copy_if(full.begin(), full.end(), std::back_inserter(dropped), [](std::int8_t x) { return x != -128; });
    CHECK(std::equal(symmetric.begin(), symmetric.begin() + 1000, dropped.begin()));
}

TEST_CASE("requant auto follows the documented rule", "[workload][requant]") {
    // ReLU, K = 1024: c sqrt(K) = 52 * 32 = 1664; 4^11 >= 52^2 * 1024 > 4^10, so shift
    // 8 + 11 = 19 and multiplier round(2^19 / 1664) = round(315.08) = 315.
    CHECK(auto_requant(1024, Activation::Relu).shift == 19);
    CHECK(auto_requant(1024, Activation::Relu).multiplier == 315);
    // None, K = 9: 74 * 3 = 222; 4^8 >= 74^2 * 9 = 49284 > 4^7: shift 16, 65536 / 222 = 295.2.
    CHECK(auto_requant(9, Activation::None).shift == 16);
    CHECK(auto_requant(9, Activation::None).multiplier == 295);
    // Sigmoid, K = 16: 296 * 4 = 1184; 4^11 >= 1401856 > 4^10: shift 19, 524288 / 1184 = 442.8.
    CHECK(auto_requant(16, Activation::Sigmoid).shift == 19);
    CHECK(auto_requant(16, Activation::Sigmoid).multiplier == 443);
    CHECK(auto_requant(16, Activation::Tanh).multiplier == 443);
    // The multiplier always lands in [256, 512].
    for (std::uint64_t k = 1; k < 5000; k += 7) {
        const Requant r = auto_requant(k, Activation::Relu);
        CHECK(r.multiplier >= 256);
        CHECK(r.multiplier <= 512);
    }
}

TEST_CASE("a minimal workload gets every default", "[workload]") {
    const Network n = parse_workload(R"(
name: small
inputs:
  - name: x
    shape: [5]
layers:
  - name: a
    type: fc
    units: 4
  - name: b
    type: fc
    units: 3
    activation: relu
)",
                                     "dir/small.yaml");
    CHECK(n.name == "small");
    CHECK(n.source == "dir/small.yaml");
    CHECK(n.batch == 1);
    REQUIRE(n.inputs.size() == 1);
    CHECK(n.inputs[0].source == "dir/small.yaml:4");
    CHECK(n.inputs[0].data.data == random_int8(1, "x", 5, RandomRange::Full));
    CHECK(layer(n, "a").inputs == std::vector<std::string>{"x"});
    CHECK(layer(n, "b").inputs == std::vector<std::string>{"a"});
    CHECK(layer(n, "a").source == "dir/small.yaml:7");
    CHECK(layer(n, "a").activation == Activation::None);
    CHECK(layer(n, "a").weights == random_int8(1, "a", 20, RandomRange::Symmetric));
    CHECK(layer(n, "a").requant.multiplier == auto_requant(5, Activation::None).multiplier);
    CHECK(layer(n, "b").requant.shift == auto_requant(4, Activation::Relu).shift);
    CHECK(layer(n, "b").out_shape == Shape{3});
    CHECK(n.outputs == std::vector<std::string>{"b"});
}

TEST_CASE("the seed changes every random tensor and nothing else", "[workload]") {
    const std::string text = "name: s\nseed: SEED\ninputs: [{name: x, shape: [4]}]\nlayers: [{name: f, type: fc, units: 2}]\n";
    auto with_seed = [&](const std::string& seed) {
        std::string t = text;
        t.replace(t.find("SEED"), 4, seed);
        return parse_workload(t, "s.yaml");
    };
    const Network a = with_seed("3"), b = with_seed("3"), c = with_seed("4");
    CHECK(a.inputs[0].data.data == b.inputs[0].data.data);
    CHECK(a.layers[0].weights == b.layers[0].weights);
    CHECK(a.inputs[0].data.data != c.inputs[0].data.data);
    CHECK(a.layers[0].weights != c.layers[0].weights);
    CHECK(a.layers[0].weights == random_int8(3, "f", 8, RandomRange::Symmetric));
}

TEST_CASE("every layer key is read", "[workload]") {
    const Network n = parse_workload(R"(
name: keys
batch: 2
seed: 9
inputs:
  - {name: img, shape: [9, 11, 3]}
  - {name: seq, shape: [4, 6]}
layers:
  - {name: conv, type: conv2d, inputs: [img], filters: 5, kernel: [3, 2], stride: [2, 1], padding: [1, 0, 2, 1],
     dilation: [1, 2], activation: relu, requant: {multiplier: -3, shift: 2}}
  - {name: dw, type: depthwise_conv2d, kernel: 3, padding: 1, activation: tanh}
  - {name: mp, type: max_pool, kernel: 2}
  - {name: ap, type: avg_pool, inputs: dw, kernel: [2, 2], stride: 2}
  - {name: both, type: concat, inputs: [mp, ap]}
  - {name: sum, type: add, inputs: [mp, ap]}
  - {name: relu_sum, type: add, inputs: [mp, ap], activation: relu}
  - {name: prod, type: multiply, inputs: [mp, ap]}
  - {name: prod0, type: multiply, inputs: [mp, ap], vector_shift: 0}
  - {name: rnn, type: lstm, inputs: [seq], hidden: 3, layers: 2, gate_requant: {multiplier: 5, shift: 4}}
  - {name: flat, type: flatten, inputs: [both]}
  - {name: step, type: fc, inputs: [rnn], units: 7, per_step: true}
  - {name: whole, type: fc, inputs: [rnn], units: 7, per_step: false}
outputs: [flat, rnn, step, whole]
)",
                                     "keys.yaml");
    CHECK(n.batch == 2);
    const Layer& conv = layer(n, "conv");
    CHECK(conv.kernel_h == 3);
    CHECK(conv.kernel_w == 2);
    CHECK(conv.stride_h == 2);
    CHECK(conv.stride_w == 1);
    CHECK(conv.pad_top == 1);
    CHECK(conv.pad_bottom == 0);
    CHECK(conv.pad_left == 2);
    CHECK(conv.pad_right == 1);
    CHECK(conv.dilation_h == 1);
    CHECK(conv.dilation_w == 2);
    CHECK(conv.requant.multiplier == -3);
    CHECK(conv.requant.shift == 2);
    CHECK(conv.activation == Activation::Relu);
    // height (9 + 1 - 3) / 2 + 1 = 4; width (11 + 3 - 2*(2-1) - 1) / 1 + 1 = 12
    CHECK(conv.out_shape == Shape{4, 12, 5});
    CHECK(conv.weights.size() == 3 * 2 * 3 * 5);
    CHECK(layer(n, "dw").out_shape == Shape{4, 12, 5});
    CHECK(layer(n, "dw").weights.size() == 3 * 3 * 5);
    CHECK(layer(n, "dw").activation == Activation::Tanh);
    CHECK(layer(n, "mp").stride_h == 2);  // the stride defaults to the window
    CHECK(layer(n, "mp").out_shape == Shape{2, 6, 5});
    CHECK(layer(n, "ap").inputs == std::vector<std::string>{"dw"});
    CHECK(layer(n, "ap").out_shape == Shape{2, 6, 5});
    CHECK(layer(n, "both").out_shape == Shape{2, 6, 10});
    CHECK(layer(n, "sum").vector_shift == 0);
    CHECK(layer(n, "sum").activation == Activation::None);
    CHECK(layer(n, "relu_sum").activation == Activation::Relu);
    CHECK(layer(n, "prod").vector_shift == 7);  // multiply's default: a Q0.7 factor
    CHECK(layer(n, "prod0").vector_shift == 0);
    const Layer& rnn = layer(n, "rnn");
    CHECK(rnn.lstm.hidden == 3);
    CHECK(rnn.lstm.layers == 2);
    CHECK(rnn.lstm.gate_requant.multiplier == 5);
    CHECK(rnn.lstm.gate_requant.shift == 4);
    REQUIRE(rnn.lstm.w_x.size() == 2);
    CHECK(rnn.lstm.w_x[0].size() == 6 * 12);
    CHECK(rnn.lstm.w_x[1].size() == 3 * 12);
    CHECK(rnn.lstm.w_h[1].size() == 3 * 12);
    CHECK(rnn.lstm.w_h[1] == random_int8(9, "rnn/w_h/1", 36, RandomRange::Symmetric));
    CHECK(rnn.out_shape == Shape{4, 3});
    CHECK(layer(n, "flat").out_shape == Shape{120});
    CHECK(layer(n, "step").per_step);
    CHECK(layer(n, "step").out_shape == Shape{4, 7});  // every step of rnn's [4, 3]
    CHECK(layer(n, "step").weights.size() == 3 * 7);
    CHECK_FALSE(layer(n, "whole").per_step);
    CHECK(layer(n, "whole").out_shape == Shape{7});  // rnn flattened: 12 values
    CHECK(layer(n, "whole").weights.size() == 12 * 7);
    CHECK(n.outputs == std::vector<std::string>{"flat", "rnn", "step", "whole"});
}

TEST_CASE("same padding follows TensorFlow: out = ceil(in / stride), odd padding after", "[workload]") {
    const Network n = parse_workload(R"(
name: same
inputs: [{name: x, shape: [112, 7, 2]}]
layers:
  - {name: s2, type: conv2d, filters: 1, kernel: 3, stride: [2, 1], padding: same}
  - {name: even, type: depthwise_conv2d, inputs: [x], kernel: 4, padding: same}
  - {name: dil, type: depthwise_conv2d, inputs: [x], kernel: 3, dilation: 3, padding: same}
  - {name: valid, type: depthwise_conv2d, inputs: [x], kernel: 3, padding: valid}
)",
                                     "same.yaml");
    // 112 / 2 = 56 rows: (56 - 1) * 2 + 3 - 112 = 1 row of padding, at the bottom
    const Layer& s2 = layer(n, "s2");
    CHECK(s2.pad_top == 0);
    CHECK(s2.pad_bottom == 1);
    CHECK(s2.pad_left == 1);
    CHECK(s2.pad_right == 1);
    CHECK(s2.out_shape == Shape{56, 7, 1});
    // an even kernel needs 3: 1 before, 2 after
    CHECK(layer(n, "even").pad_left == 1);
    CHECK(layer(n, "even").pad_right == 2);
    // dilation 3 makes the 3x3 kernel span 7: 3 on each side
    CHECK(layer(n, "dil").pad_top == 3);
    CHECK(layer(n, "dil").pad_bottom == 3);
    CHECK(layer(n, "dil").out_shape == Shape{112, 7, 2});
    CHECK(layer(n, "valid").out_shape == Shape{110, 5, 2});
}

TEST_CASE("npy inputs and weights resolve against the workload's folder", "[workload][npy]") {
    TempDir dir;
    std::filesystem::create_directories(dir.file("data"));
    dir.write("data/x.npy", format_npy({2, 3}, {1, 2, 3, 4, 5, 6}));
    dir.write("data/w.npy", format_npy({3, 2}, {1, 0, 0, 1, -1, 1}));
    dir.write("data/wx.npy", format_npy({3, 4}, std::vector<std::int8_t>(12, 2)));
    dir.write("data/wh.npy", format_npy({1, 4}, std::vector<std::int8_t>(4, -3)));
    dir.write("data/short.npy", format_npy({3, 3}, std::vector<std::int8_t>(9, 0)));
    const std::string path = dir.write("net.yaml", R"(
name: files
batch: 2
inputs: [{name: x, shape: [3], data: data/x.npy}]
layers:
  - {name: f, type: fc, units: 2, weights: data/w.npy, requant: {multiplier: 1, shift: 0}}
  - {name: seq, type: flatten, inputs: [x]}
)");
    const Network n = load_workload(path);
    CHECK(n.inputs[0].data.data == std::vector<std::int8_t>{1, 2, 3, 4, 5, 6});
    CHECK(n.layers[0].weights == std::vector<std::int8_t>{1, 0, 0, 1, -1, 1});
    CHECK(n.outputs == std::vector<std::string>{"seq"});

    const std::string lstm = dir.write("lstm.yaml", R"(
name: lstm
inputs: [{name: s, shape: [2, 3]}]
layers: [{name: l, type: lstm, hidden: 1, weights: [data/wx.npy, data/wh.npy]}]
)");
    const Network m = load_workload(lstm);
    CHECK(m.layers[0].lstm.w_x[0] == std::vector<std::int8_t>(12, 2));
    CHECK(m.layers[0].lstm.w_h[0] == std::vector<std::int8_t>(4, -3));

    const std::string wrong = dir.write("wrong.yaml", R"(name: wrong
inputs: [{name: x, shape: [3]}]
layers:
  - {name: f, type: fc, units: 2, weights: data/short.npy}
)");
    CHECK_THROWS_WITH(load_workload(wrong), wrong + ":4:44: layer \"f\": weights: " + dir.file("data/short.npy") +
                                               " holds an array of shape [3, 3]; expected [3, 2]");
    const std::string batch = dir.write("batch.yaml", R"(name: batch
inputs: [{name: x, shape: [6], data: data/x.npy}]
layers: [{name: f, type: fc, units: 2}]
)");
    CHECK_THROWS_WITH(load_workload(batch), batch + ":2:38: input \"x\": data: " + dir.file("data/x.npy") +
                                                " holds an array of shape [2, 3]; expected [1, 6]");
    const std::string missing = dir.write("missing.yaml", R"(name: missing
inputs: [{name: x, shape: [3]}]
layers: [{name: f, type: fc, units: 2, weights: nowhere.npy}]
)");
    CHECK_THROWS_WITH(load_workload(missing), missing + ":3:49: layer \"f\": weights: " + dir.file("nowhere.npy") +
                                                  ": cannot open: No such file or directory");
    CHECK_THROWS_WITH(load_workload(dir.file("absent.yaml")),
                      dir.file("absent.yaml") + ": cannot open workload: No such file or directory");
}
