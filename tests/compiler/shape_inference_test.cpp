// Shape inference on networks built in code: output shapes by the formulas of
// docs/workloads.md, and the checks a workload file cannot reach (it is parsed into
// valid fields) but a network built by another program can.
#include "compiler/compile.hpp"
#include "compiler/shape_inference.hpp"

#include <catch2/catch.hpp>

using namespace tpusim::compiler;

namespace {

Network one_input(Shape shape, std::uint32_t batch = 1) {
    Network n;
    n.name = "net";
    n.source = "net.yaml";
    n.batch = batch;
    NetworkInput in;
    in.name = "x";
    in.shape = shape;
    in.source = "net.yaml:3";
    in.data.shape = shape;
    in.data.batch = batch;
    in.data.data.assign(batch * elements(shape), 1);
    n.inputs.push_back(in);
    return n;
}

Layer make(const std::string& name, LayerKind kind, std::vector<std::string> inputs) {
    Layer l;
    l.name = name;
    l.kind = kind;
    l.inputs = std::move(inputs);
    l.source = "net.yaml:" + std::to_string(10 + name.size());
    return l;
}

/// Adds `l` with weights of the right size and the network's output set to it.
Network& add(Network& n, Layer l) {
    const Shape& in = tensor_shape(n, l.inputs[0]);
    const auto shapes = weight_shapes(l, in);
    if (l.kind == LayerKind::Lstm) {
        for (std::size_t i = 0; i < shapes.size(); ++i)
            (i % 2 == 0 ? l.lstm.w_x : l.lstm.w_h).emplace_back(elements(shapes[i]), 1);
    } else if (!shapes.empty()) {
        l.weights.assign(elements(shapes[0]), 1);
    }
    n.layers.push_back(l);
    n.outputs = {l.name};
    infer_shapes(n);
    return n;
}

}  // namespace

TEST_CASE("output shapes follow the layer definitions", "[shapes]") {
    Network n = one_input({10, 9, 4}, 2);
    Layer conv = make("conv", LayerKind::Conv2d, {"x"});
    conv.filters = 6;
    conv.kernel_h = 3;
    conv.kernel_w = 2;
    conv.stride_h = 2;
    conv.stride_w = 3;
    conv.dilation_h = 2;
    conv.pad_top = conv.pad_bottom = 1;
    add(n, conv);
    // height: (10 + 2 - 2*(3-1) - 1) / 2 + 1 = 7 / 2 + 1 = 4; width: (9 - 2) / 3 + 1 = 3
    CHECK(n.layers.back().out_shape == Shape{4, 3, 6});

    Layer dw = make("dw", LayerKind::DepthwiseConv2d, {"x"});
    dw.kernel_h = dw.kernel_w = 3;
    add(n, dw);
    CHECK(n.layers.back().out_shape == Shape{8, 7, 4});

    Layer pool = make("pool", LayerKind::MaxPool, {"x"});
    pool.kernel_h = pool.kernel_w = 3;
    pool.stride_h = pool.stride_w = 2;
    add(n, pool);
    CHECK(n.layers.back().out_shape == Shape{4, 4, 4});  // floor((10-3)/2)+1, floor((9-3)/2)+1

    add(n, make("flat", LayerKind::Flatten, {"conv"}));
    CHECK(n.layers.back().out_shape == Shape{72});
    Layer fc = make("fc", LayerKind::FullyConnected, {"conv"});
    fc.units = 5;
    add(n, fc);
    CHECK(n.layers.back().out_shape == Shape{5});
    CHECK(n.layers.back().weights.size() == 72 * 5);

    add(n, make("cat", LayerKind::Concat, {"pool", "pool", "pool"}));
    CHECK(n.layers.back().out_shape == Shape{4, 4, 12});

    Network s = one_input({7, 3});
    Layer lstm = make("lstm", LayerKind::Lstm, {"x"});
    lstm.lstm.hidden = 5;
    lstm.lstm.layers = 2;
    add(s, lstm);
    CHECK(s.layers.back().out_shape == Shape{7, 5});
    CHECK(tensor_shape(s, "lstm") == Shape{7, 5});
    CHECK(tensor_shape(s, "x") == Shape{7, 3});
    CHECK_THROWS_WITH(tensor_shape(s, "nothing"), "net.yaml: no input or layer is named \"nothing\"");
}

TEST_CASE("weight shapes and reduction sizes", "[shapes]") {
    Layer conv = make("c", LayerKind::Conv2d, {"x"});
    conv.kernel_h = 3;
    conv.kernel_w = 5;
    conv.filters = 7;
    CHECK(weight_shapes(conv, {9, 9, 4}) == std::vector<Shape>{{3, 5, 4, 7}});
    CHECK(reduction_size(conv, {9, 9, 4}) == 60);
    Layer dw = make("d", LayerKind::DepthwiseConv2d, {"x"});
    dw.kernel_h = dw.kernel_w = 3;
    CHECK(weight_shapes(dw, {9, 9, 4}) == std::vector<Shape>{{3, 3, 4}});
    CHECK(reduction_size(dw, {9, 9, 4}) == 9);
    Layer fc = make("f", LayerKind::FullyConnected, {"x"});
    fc.units = 2;
    CHECK(weight_shapes(fc, {3, 4}) == std::vector<Shape>{{12, 2}});
    CHECK(reduction_size(fc, {3, 4}) == 12);
    Layer lstm = make("l", LayerKind::Lstm, {"x"});
    lstm.lstm.hidden = 4;
    lstm.lstm.layers = 2;
    CHECK(weight_shapes(lstm, {5, 6}) == std::vector<Shape>{{6, 16}, {4, 16}, {4, 16}, {4, 16}});
    CHECK(reduction_size(lstm, {5, 6}) == 10);
    CHECK(weight_shapes(make("p", LayerKind::AvgPool, {"x"}), {4, 4, 4}).empty());
    CHECK(reduction_size(make("a", LayerKind::Add, {"x", "x"}), {4}) == 0);
}

TEST_CASE("the hook sees each layer twice, in order, with its input shapes", "[shapes]") {
    Network n = one_input({4});
    Layer a = make("a", LayerKind::FullyConnected, {"x"});
    a.units = 3;
    Layer b = make("b", LayerKind::FullyConnected, {"a"});
    b.units = 2;
    n.layers = {a, b};
    n.outputs = {"b"};
    std::vector<std::string> calls;
    infer_shapes(n, [&](HookStage stage, Layer& l, const std::vector<Shape>& in) {
        calls.push_back(l.name + (stage == HookStage::Resolve ? " resolve " : " values ") + to_string(in[0]) + " " +
                        to_string(l.out_shape));
        if (stage == HookStage::Values) l.weights.assign(elements(in[0]) * l.units, 0);
    });
    CHECK(calls == std::vector<std::string>{"a resolve [4] []", "a values [4] [3]", "b resolve [3] []", "b values [3] [2]"});
}

TEST_CASE("networks built in code are checked as thoroughly as files", "[shapes]") {
    Network n = one_input({4, 4, 2});
    Layer pool = make("pool", LayerKind::MaxPool, {"x"});
    pool.kernel_h = pool.kernel_w = 2;
    pool.stride_h = pool.stride_w = 2;

    SECTION("a pool that requantizes") {
        pool.requant.shift = 1;
        CHECK_THROWS_WITH(add(n, pool), "net.yaml:14: layer \"pool\" (max_pool): requant: a max_pool layer does not "
                                        "requantize (multiplier must be 1, shift 0)");
    }
    SECTION("a pool with an activation") {
        pool.activation = Activation::Relu;
        CHECK_THROWS_WITH(add(n, pool),
                          "net.yaml:14: layer \"pool\" (max_pool): activation: a max_pool layer has no activation function");
    }
    SECTION("a pool with dilation") {
        pool.dilation_w = 2;
        CHECK_THROWS_WITH(add(n, pool), "net.yaml:14: layer \"pool\" (max_pool): dilation: pooling has no dilation");
    }
    SECTION("an activation that is not one") {
        Layer fc = make("fc", LayerKind::FullyConnected, {"x"});
        fc.units = 1;
        fc.activation = static_cast<Activation>(9);
        CHECK_THROWS_WITH(add(n, fc), "net.yaml:12: layer \"fc\" (fc): activation: not one of none, relu, sigmoid, tanh");
    }
    SECTION("a requant shift the activation unit cannot apply") {
        Layer fc = make("fc", LayerKind::FullyConnected, {"x"});
        fc.units = 1;
        fc.requant.shift = 63;
        CHECK_THROWS_WITH(add(n, fc), "net.yaml:12: layer \"fc\" (fc): requant: shift 63 is above 62, the largest the "
                                      "activation unit applies");
    }
    SECTION("weights of the wrong size") {
        Layer fc = make("fc", LayerKind::FullyConnected, {"x"});
        fc.units = 3;
        n.layers.push_back(fc);
        n.outputs = {"fc"};
        n.layers.back().weights.assign(10, 0);
        CHECK_THROWS_WITH(infer_shapes(n), "net.yaml:12: layer \"fc\" (fc): weights: holds 10 values; [32, 3] needs "
                                           "32 x 3 = 96");
    }
    SECTION("weights on a layer that has none") {
        pool.weights.assign(4, 0);
        CHECK_THROWS_WITH(add(n, pool), "net.yaml:14: layer \"pool\" (max_pool): weights: a max_pool layer has no weights");
    }
    SECTION("LSTM weight arrays missing") {
        Network s = one_input({3, 2});
        Layer l = make("l", LayerKind::Lstm, {"x"});
        l.lstm.hidden = 2;
        l.lstm.layers = 2;
        l.lstm.w_x.assign(1, std::vector<std::int8_t>(16, 0));
        l.lstm.w_h.assign(1, std::vector<std::int8_t>(16, 0));
        s.layers.push_back(l);
        s.outputs = {"l"};
        CHECK_THROWS_WITH(infer_shapes(s), "net.yaml:11: layer \"l\" (lstm): weights: 2 stacked layers need 2 W_x and 2 "
                                           "W_h arrays; got 1 and 1");
    }
    SECTION("input data that does not match the input") {
        n.inputs[0].data.data.pop_back();
        n.layers.push_back(pool);
        n.outputs = {"pool"};
        CHECK_THROWS_WITH(infer_shapes(n), "net.yaml:3: input \"x\": data: holds 31 values of shape [4, 4, 2] for a "
                                           "batch of 1; expected 32 for shape [4, 4, 2] and batch 1");
    }
    SECTION("no outputs, no layers, batch 0, bad names") {
        n.layers.push_back(pool);
        CHECK_THROWS_WITH(infer_shapes(n), "net.yaml: outputs: the network needs at least one output");
        n.outputs = {"pool"};
        n.batch = 0;
        CHECK_THROWS_WITH(infer_shapes(n), "net.yaml: batch: must be at least 1");
        n.batch = 1;
        n.layers[0].name = "has space";
        CHECK_THROWS_WITH(infer_shapes(n), "net.yaml:14: layer name \"has space\" must be 1 to 64 characters of "
                                           "letters, digits, '_', '.', '-'");
        n.layers.clear();
        CHECK_THROWS_WITH(infer_shapes(n), "net.yaml: layers: the network needs at least one layer");
    }
    SECTION("messages fall back to the network's name without any source") {
        n.source.clear();
        pool.source.clear();
        pool.kernel_h = 5;
        CHECK_THROWS_WITH(add(n, pool), "network \"net\": layer \"pool\" (max_pool): kernel: pooling windows are "
                                        "square; got 5 x 2");
    }
    SECTION("a pool window larger than the map") {
        pool.kernel_h = pool.kernel_w = 5;
        CHECK_THROWS_WITH(add(n, pool), "net.yaml:14: layer \"pool\" (max_pool): kernel: the height extent 5 of the "
                                        "kernel exceeds the input height 4 plus padding 0");
    }
}
