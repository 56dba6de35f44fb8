// The reference executor against values computed by hand from the definitions in
// docs/workloads.md (and the tables and worked examples of docs/arithmetic.md).
#include "compiler/reference_executor.hpp"
#include "compiler/shape_inference.hpp"

#include <catch2/catch.hpp>

using namespace tpusim::compiler;

namespace {

using Values = std::vector<std::int8_t>;

/// A network of one input and the given layers (weights set by the caller).
struct Builder {
    Network n;
    Builder(Shape shape, std::uint32_t batch, Values data) {
        n.name = "hand";
        n.source = "hand.yaml";
        n.batch = batch;
        NetworkInput in;
        in.name = "x";
        in.shape = shape;
        in.data = Tensor{shape, batch, std::move(data)};
        n.inputs.push_back(in);
    }
    Layer& add(const std::string& name, LayerKind kind, std::vector<std::string> inputs = {"x"}) {
        Layer l;
        l.name = name;
        l.kind = kind;
        l.inputs = std::move(inputs);
        n.layers.push_back(l);
        return n.layers.back();
    }
    std::map<std::string, Tensor> run() {
        n.outputs = {n.layers.back().name};
        infer_shapes(n);
        return execute_reference(n);
    }
};

Layer& fc(Builder& b, const std::string& name, std::uint32_t units, Values w, Requant r, Activation a) {
    Layer& l = b.add(name, LayerKind::FullyConnected);
    l.units = units;
    l.weights = std::move(w);
    l.requant = r;
    l.activation = a;
    return l;
}

}  // namespace

TEST_CASE("fully connected: sums, rounding shift, ReLU", "[reference]") {
    // x = [1, -2, 3] and [-1, 0, 0]; W = [[1, 2], [3, 4], [5, 6]] (K = 3 rows, 2 units)
    // sample 0: [1 - 6 + 15, 2 - 8 + 18] = [10, 12]; shift 1: [5, 6]
    // sample 1: [-1, -2]; shift 1: floor((-1 + 1) / 2) = 0, floor((-2 + 1) / 2) = -1
    Builder b({3}, 2, {1, -2, 3, -1, 0, 0});
    fc(b, "none", 2, {1, 2, 3, 4, 5, 6}, {1, 1}, Activation::None);
    fc(b, "relu", 2, {1, 2, 3, 4, 5, 6}, {1, 1}, Activation::Relu);
    const auto t = b.run();
    CHECK(t.at("none").data == Values{5, 6, 0, -1});
    CHECK(t.at("relu").data == Values{5, 6, 0, 0});
    CHECK(t.at("relu").shape == Shape{2});
    CHECK(t.at("x").data == Values{1, -2, 3, -1, 0, 0});  // inputs are returned too
}

TEST_CASE("fully connected flattens its input and applies multiplier, sigmoid, tanh", "[reference]") {
    // x = [[16], [0]] flattened to K = 2; W = [[1], [0]]: sum 16 = 1.0 in Q3.4.
    Builder b({2, 1}, 1, {16, 0});
    fc(b, "sig", 1, {1, 0}, {1, 0}, Activation::Sigmoid);     // 128 sigmoid(1) = 93.58 -> 94
    fc(b, "tanh", 1, {1, 0}, {1, 0}, Activation::Tanh);       // 128 tanh(1) = 97.48 -> 97
    fc(b, "neg", 1, {1, 0}, {-3, 2}, Activation::None);       // 16 * -3 / 4 = -12
    fc(b, "sat", 1, {8, 0}, {1, 0}, Activation::None);        // 128 saturates to 127
    fc(b, "low", 1, {-8, 0}, {1, 0}, Activation::Sigmoid);    // -128 -> sigmoid(-8) -> 0
    fc(b, "ten", 1, {1, 0}, {10, 4}, Activation::None);       // 160 / 16 = 10
    const auto t = b.run();
    CHECK(t.at("sig").data == Values{94});
    CHECK(t.at("tanh").data == Values{97});
    CHECK(t.at("neg").data == Values{-12});
    CHECK(t.at("sat").data == Values{127});
    CHECK(t.at("low").data == Values{0});
    CHECK(t.at("ten").data == Values{10});
}

TEST_CASE("sums wrap at 32 bits like the accumulators", "[reference]") {
    // 131072 products of -128 * -128 = 2^14 sum to 2^31, which wraps to -2^31. With shift
    // 31: -2^31 gives floor((-2^31 + 2^30) / 2^31) = -1; unwrapped it would give +1.
    const std::size_t k = 131072;
    Builder b({static_cast<std::uint32_t>(k)}, 1, Values(k, -128));
    fc(b, "wrap", 1, Values(k, -128), {1, 31}, Activation::None);
    CHECK(b.run().at("wrap").data == Values{-1});
}

TEST_CASE("conv2d: stride, padding and dilation", "[reference]") {
    // 4x4 map of one channel, x(y, x) = 4y + x. Kernel 2x2 with dilation 2 spans 3 pixels;
    // padding 1 on every side, stride 2: out = (4 + 2 - 3) / 2 + 1 = 2 per axis.
    // Taps of output (oy, ox): rows 2oy - 1 + 2ky, columns 2ox - 1 + 2kx; W = [[1, 2], [3, 4]].
    //   (0,0): only (1,1) = 5 with w[1][1] = 4                       -> 20
    //   (0,1): (1,1) = 5 * w[1][0] = 3, (1,3) = 7 * w[1][1] = 4      -> 15 + 28 = 43
    //   (1,0): (1,1) = 5 * w[0][1] = 2, (3,1) = 13 * 4               -> 10 + 52 = 62
    //   (1,1): 5*1 + 7*2 + 13*3 + 15*4                               -> 118
    Values x(16);
    for (int i = 0; i < 16; ++i) x[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(i);
    Builder b({4, 4, 1}, 1, x);
    Layer& c = b.add("conv", LayerKind::Conv2d);
    c.filters = 1;
    c.kernel_h = c.kernel_w = 2;
    c.stride_h = c.stride_w = 2;
    c.dilation_h = c.dilation_w = 2;
    c.pad_top = c.pad_bottom = c.pad_left = c.pad_right = 1;
    c.weights = {1, 2, 3, 4};
    const auto t = b.run();
    CHECK(t.at("conv").shape == Shape{2, 2, 1});
    CHECK(t.at("conv").data == Values{20, 43, 62, 118});
}

TEST_CASE("conv2d weights are [kh, kw, cin, cout]", "[reference]") {
    // One pixel with channels [1, 2]; 1x1 kernel W[0][0] = [[1, 2, 3], [4, 5, 6]]:
    // outputs [1 + 8, 2 + 10, 3 + 12] = [9, 12, 15]; second sample [-1, 0] -> [-1, -2, -3].
    Builder b({1, 1, 2}, 2, {1, 2, -1, 0});
    Layer& c = b.add("conv", LayerKind::Conv2d);
    c.filters = 3;
    c.weights = {1, 2, 3, 4, 5, 6};
    CHECK(b.run().at("conv").data == Values{9, 12, 15, -1, -2, -3});
}

TEST_CASE("depthwise convolution keeps channels apart", "[reference]") {
    // 3x3 map, channel 0 = 1..9 row-major, channel 1 = -1 everywhere; 2x2 kernel, valid.
    // W[ky][kx][c]: channel 0 [[1, 0], [0, 1]] (a diagonal sum), channel 1 all 1.
    //   channel 0: (0,0) 1 + 5 = 6, (0,1) 2 + 6 = 8, (1,0) 4 + 8 = 12, (1,1) 5 + 9 = 14
    //   channel 1: -4 everywhere, 0 after ReLU
    Values x;
    for (int i = 1; i <= 9; ++i) {
        x.push_back(static_cast<std::int8_t>(i));
        x.push_back(-1);
    }
    Builder b({3, 3, 2}, 1, x);
    Layer& d = b.add("dw", LayerKind::DepthwiseConv2d);
    d.kernel_h = d.kernel_w = 2;
    d.weights = {1, 1, 0, 1, 0, 1, 1, 1};
    d.activation = Activation::Relu;
    Layer& n = b.add("dw_none", LayerKind::DepthwiseConv2d);
    n.kernel_h = n.kernel_w = 2;
    n.weights = {1, 1, 0, 1, 0, 1, 1, 1};
    const auto t = b.run();
    CHECK(t.at("dw").data == Values{6, 0, 8, 0, 12, 0, 14, 0});
    CHECK(t.at("dw_none").data == Values{6, -4, 8, -4, 12, -4, 14, -4});
}

TEST_CASE("pools: the worked example of docs/arithmetic.md", "[reference]") {
    // One channel, 3x3: [[-1, -2, 0], [-3, 4, 5], [6, -7, -8]], window 2, stride 1.
    // max [4, 5, 6, 5]; average of sums -2, 7, 0, -6 over 4: -0.5 -> -1, 1.75 -> 2, 0, -1.5 -> -2
    Builder b({3, 3, 1}, 1, {-1, -2, 0, -3, 4, 5, 6, -7, -8});
    for (auto kind : {LayerKind::MaxPool, LayerKind::AvgPool}) {
        Layer& p = b.add(kind == LayerKind::MaxPool ? "max" : "avg", kind);
        p.kernel_h = p.kernel_w = 2;
    }
    Layer& s = b.add("max_s2", LayerKind::MaxPool);  // stride 2: one window, the rest dropped
    s.kernel_h = s.kernel_w = 2;
    s.stride_h = s.stride_w = 2;
    const auto t = b.run();
    CHECK(t.at("max").data == Values{4, 5, 6, 5});
    CHECK(t.at("avg").data == Values{-1, 2, 0, -2});
    CHECK(t.at("max_s2").data == Values{4});
}

TEST_CASE("add and multiply round, shift and saturate, then apply their activation", "[reference]") {
    Builder b({4}, 1, {100, -100, 9, -5});
    Builder m({4}, 1, {-128, 64, -64, 3});
    b.add("sum", LayerKind::Add, {"x", "x"});      // [200, -200, 18, -10] -> [127, -128, 18, -10]
    b.add("half", LayerKind::Add, {"x", "sum"});   // shift 1: [227, -228, 27, -15] / 2 rounded up
    b.n.layers.back().vector_shift = 1;            //   -> [114, -114, 14, -7]
    m.add("sq", LayerKind::Multiply, {"x", "x"});  // shift 7: [16384, 4096, 4096, 9] / 128
    m.n.layers.back().vector_shift = 7;            //   -> [128 -> 127, 32, 32, 0.07 -> 0]
    m.add("mix", LayerKind::Multiply, {"x", "sq"});  // [-128*127, 64*32, -64*32, 0] / 128
    m.n.layers.back().vector_shift = 7;              //   -> [-127, 16, -16, 0]
    b.add("relu_half", LayerKind::Add, {"x", "sum"});  // as half, then ReLU on the int8 result
    b.n.layers.back().vector_shift = 1;                //   -> [114, 0, 14, 0]
    b.n.layers.back().activation = Activation::Relu;
    m.add("sq_tanh", LayerKind::Multiply, {"x", "x"});  // as sq, then tanh on Q3.4:
    m.n.layers.back().vector_shift = 7;                //   tanh(127/16) = 1 -> 127, tanh(2) -> 123
    m.n.layers.back().activation = Activation::Tanh;   //   (both 32), tanh(0) = 0
    const auto tb = b.run();
    const auto tm = m.run();
    CHECK(tb.at("relu_half").data == Values{114, 0, 14, 0});
    CHECK(tm.at("sq_tanh").data == Values{127, 123, 123, 0});
    CHECK(tb.at("sum").data == Values{127, -128, 18, -10});
    CHECK(tb.at("half").data == Values{114, -114, 14, -7});
    CHECK(tm.at("sq").data == Values{127, 32, 32, 0});
    CHECK(tm.at("mix").data == Values{-127, 16, -16, 0});
}

TEST_CASE("flatten and concat move values in row-major order", "[reference]") {
    Builder b({2, 2}, 2, {1, 2, 3, 4, 5, 6, 7, 8});
    b.add("cat", LayerKind::Concat, {"x", "x"});
    b.add("flat", LayerKind::Flatten, {"cat"});
    const auto t = b.run();
    CHECK(t.at("cat").data == Values{1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6, 7, 8, 7, 8});
    CHECK(t.at("flat").shape == Shape{8});
    CHECK(t.at("flat").data == t.at("cat").data);
}

TEST_CASE("LSTM: two steps computed by hand", "[reference][lstm]") {
    // One feature, one hidden unit, gate requant multiplier 1 shift 0 (sums are Q3.4).
    // W_x = [1, 0, 1, -1] and W_h = [2, 1, 0, 3] for the gates i, f, g, o. x = [16, 0].
    // t = 0, h = c = 0: z = [16, 0, 16, -16] ->
    //   i = sigmoid(1) = 94, f = sigmoid(0) = 64, g = tanh(1) = 97, o = sigmoid(-1) = 34
    //   fc = (64*0 + 64) >> 7 = 0; ig = (94*97 + 64) >> 7 = 9182 >> 7 = 71; c = 71
    //   tanh input (71 + 4) >> 3 = 9 -> tanh(9/16) = 65; h = (34*65 + 64) >> 7 = 2274 >> 7 = 17
    // t = 1, x = 0, h = 17: z = [34, 17, 0, 51] ->
    //   i = sigmoid(34/16) = 114, f = sigmoid(17/16) = 95, g = tanh(0) = 0, o = sigmoid(51/16) = 123
    //   fc = (95*71 + 64) >> 7 = 6809 >> 7 = 53; ig = 64 >> 7 = 0; c = 53
    //   tanh input (53 + 4) >> 3 = 7 -> 53; h = (123*53 + 64) >> 7 = 6583 >> 7 = 51
    Builder b({2, 1}, 1, {16, 0});
    Layer& l = b.add("lstm", LayerKind::Lstm);
    l.lstm.hidden = 1;
    l.lstm.w_x = {{1, 0, 1, -1}};
    l.lstm.w_h = {{2, 1, 0, 3}};
    const auto t = b.run();
    CHECK(t.at("lstm").shape == Shape{2, 1});
    CHECK(t.at("lstm").data == Values{17, 51});
}

TEST_CASE("stacked LSTM layers feed each one's h sequence to the next", "[reference][lstm]") {
    // The same weights as two single layers chained must give the same output.
    Values x{16, -20, 5, 40, 0, -7, 90, 3, -60, 11, 2, 2};  // 2 samples x 3 steps x 2 features
    auto pattern = [](std::size_t n, int salt) {
        Values v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::int8_t>(static_cast<int>((i * 37 + salt * 11) % 31) - 15);
        return v;
    };
    const Values wx0 = pattern(2 * 16, 1), wh0 = pattern(4 * 16, 2), wx1 = pattern(4 * 16, 3), wh1 = pattern(4 * 16, 4);
    Builder stacked({3, 2}, 2, x);
    Layer& s = stacked.add("s", LayerKind::Lstm);
    s.lstm.hidden = 4;
    s.lstm.layers = 2;
    s.lstm.w_x = {wx0, wx1};
    s.lstm.w_h = {wh0, wh1};
    s.lstm.gate_requant = {3, 2};
    Builder chained({3, 2}, 2, x);
    Layer& a = chained.add("a", LayerKind::Lstm);
    a.lstm.hidden = 4;
    a.lstm.w_x = {wx0};
    a.lstm.w_h = {wh0};
    a.lstm.gate_requant = {3, 2};
    Layer& c = chained.add("c", LayerKind::Lstm, {"a"});
    c.lstm.hidden = 4;
    c.lstm.w_x = {wx1};
    c.lstm.w_h = {wh1};
    c.lstm.gate_requant = {3, 2};
    const auto ts = stacked.run();
    const auto tc = chained.run();
    CHECK(ts.at("s").data == tc.at("c").data);
    CHECK(ts.at("s").data != tc.at("a").data);
    CHECK(ts.at("s").shape == Shape{3, 4});
}
