// Activate: requantization, saturation, the nonlinearities, pooling and the zero fill of
// bytes C..W-1, each against values worked by hand.
#include "tests/reference/program_builder.hpp"
#include "tests/support/reference_arithmetic.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <vector>

using namespace tpusim;
using namespace tpusim::reference;
using namespace tpusim::reference::testing;
using I = std::vector<int>;

namespace {

// A 4 x 4 machine whose accumulator entry i holds UB input row i unchanged (identity tile).
Bench identity_bench(const std::vector<std::uint8_t>& rows_of_four) {
    Bench b{shape(4, 4), bytes({1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}), rows_of_four,
            {}};
    const std::uint64_t rows = rows_of_four.size() / 4;
    b << read_host(0, 0, rows) << read_weights(0, 4, 4) << matmul(0, 0, rows, kSwitch);
    return b;
}

}  // namespace

TEST_CASE("requantize rounds to nearest with halves toward +infinity", "[reference][activate]") {
    CHECK(requantize(3, 1, 1) == 2);     // 1.5 -> 2
    CHECK(requantize(-3, 1, 1) == -1);   // -1.5 -> -1
    CHECK(requantize(5, 1, 1) == 3);     // 2.5 -> 3
    CHECK(requantize(-5, 1, 1) == -2);   // -2.5 -> -2
    CHECK(requantize(7, 1, 2) == 2);     // 1.75 -> 2
    CHECK(requantize(-7, 1, 2) == -2);   // -1.75 -> -2
    CHECK(requantize(-1, 1, 2) == 0);    // -0.25 -> 0
    CHECK(requantize(-3, 1, 2) == -1);   // -0.75 -> -1
    CHECK(requantize(10, -3, 2) == -7);  // -30 / 4 = -7.5 -> -7
    CHECK(requantize(-1, 1, 0) == -1);   // shift 0: no rounding term
    SECTION("the int64 product does not overflow at the int32 extremes") {
        const std::int32_t lo = std::numeric_limits<std::int32_t>::min();
        const std::int32_t hi = std::numeric_limits<std::int32_t>::max();
        CHECK(requantize(lo, lo, 0) == (std::int64_t{1} << 62));
        CHECK(requantize(lo, lo, 62) == 1);   // 2^62 / 2^62
        CHECK(requantize(hi, hi, 62) == 1);   // (2^62 - 2^32 + 1) / 2^62 = 0.99999... -> 1
        CHECK(requantize(lo, hi, 62) == -1);  // (-2^62 + 2^31) / 2^62 = -0.99999... -> -1
        CHECK(requantize(hi, 1, 31) == 1);    // 0.99999... -> 1
        CHECK(requantize(lo, 1, 32) == 0);    // -0.5 -> 0
        CHECK(requantize(lo, 1, 31) == -1);   // exactly -1
    }
}

TEST_CASE("Activate requantizes, saturates and applies relu", "[reference][activate]") {
    SECTION("rounding of halves and negative values through the machine") {
        Bench b = identity_bench(bytes({3, -3, 5, -5, 6, -6, 7, -7}));
        b << set_config(isa::ConfigReg::RequantShift, 1)
          << activate(0, 4, 1, isa::Function::Identity)
          << set_config(isa::ConfigReg::RequantShift, 2)
          << activate(1, 5, 1, isa::Function::Identity);
        const MachineState s = b.run();
        CHECK(ub_row(s, b.shape, 4) == I{2, -1, 3, -2});  // 1.5, -1.5, 2.5, -2.5
        CHECK(ub_row(s, b.shape, 5) == I{2, -1, 2, -2});  // 1.5, -1.5, 1.75, -1.75
    }
    SECTION("a negative multiplier") {
        Bench b = identity_bench(bytes({10, -10, 1, 0}));
        b << set_config(isa::ConfigReg::RequantMultiplier, encode_signed(-3))
          << set_config(isa::ConfigReg::RequantShift, 2)
          << activate(0, 4, 1, isa::Function::Identity);
        // -30/4 = -7.5 -> -7; 30/4 = 7.5 -> 8; -3/4 = -0.75 -> -1; 0
        CHECK(ub_row(b.run(), b.shape, 4) == I{-7, 8, -1, 0});
    }
    SECTION("saturation and relu") {
        Bench b = identity_bench(bytes({127, -128, 100, -100}));
        b << set_config(isa::ConfigReg::RequantMultiplier, 3)
          << activate(0, 4, 1, isa::Function::Identity) << activate(0, 5, 1, isa::Function::Relu);
        const MachineState s = b.run();
        CHECK(ub_row(s, b.shape, 4) == I{127, -128, 127, -128});  // 381, -384, 300, -300
        CHECK(ub_row(s, b.shape, 5) == I{127, 0, 127, 0});
    }
    SECTION("reset configuration is multiplier 1, shift 0") {
        Bench b = identity_bench(bytes({1, -1, 127, -128}));
        b << activate(0, 4, 1, isa::Function::Identity);
        CHECK(ub_row(b.run(), b.shape, 4) == I{1, -1, 127, -128});
    }
    SECTION("zero rows write nothing") {
        Bench b = identity_bench(bytes({1, 2, 3, 4}));
        b << activate(0, 0, 0, isa::Function::Identity);
        CHECK(ub_row(b.run(), b.shape, 0) == I{1, 2, 3, 4});
    }
}

TEST_CASE("sigmoid and tanh tables at hand-computed points", "[reference][activate]") {
    const auto& sig = sigmoid_table();
    const auto& th = tanh_table();
    auto at = [](const std::array<std::int8_t, 256>& t, int x) {
        return int{t[static_cast<std::size_t>(x + 128)]};
    };
    // x is Q3.4: the real input is x / 16.
    CHECK(at(sig, 0) == 64);     // 128 * 0.5 = 64 exactly
    CHECK(at(sig, 1) == 66);     // 128 / (1 + e^-0.0625) = 65.9993
    CHECK(at(sig, 8) == 80);     // 128 * 0.622459 = 79.675
    CHECK(at(sig, 16) == 94);    // 128 * 0.731059 = 93.575
    CHECK(at(sig, -16) == 34);   // 128 * 0.268941 = 34.424
    CHECK(at(sig, 127) == 127);  // 128 * 0.999643 = 127.954 -> 128, clamped to 127
    CHECK(at(sig, -128) == 0);   // 128 * 0.000335 = 0.043
    CHECK(at(th, 0) == 0);
    CHECK(at(th, 1) == 8);       // 128 * tanh(0.0625) = 7.9896
    CHECK(at(th, 8) == 59);      // 128 * 0.462117 = 59.151
    CHECK(at(th, 16) == 97);     // 128 * 0.761594 = 97.484
    CHECK(at(th, -16) == -97);
    CHECK(at(th, 127) == 127);   // 127.99997 -> 128, clamped to 127
    CHECK(at(th, -128) == -128); // -127.99997 -> -128
    SECTION("shape of the tables") {
        for (int x = -127; x < 127; ++x) {
            CHECK(at(sig, x) <= at(sig, x + 1));
            CHECK(at(th, x) <= at(th, x + 1));
        }
        for (int x = 1; x <= 127; ++x) {
            CHECK(at(th, x) == std::min(-at(th, -x), 127));  // odd up to the clamp
            CHECK(at(sig, x) == std::min(128 - at(sig, -x), 127));
        }
    }
}

TEST_CASE("Activate applies sigmoid and tanh to the saturated requantized value",
          "[reference][activate]") {
    // 125 * 8 = 1000 saturates to 127; -1000 to -128; 2 * 8 = 16 is 1.0 in Q3.4.
    Bench b = identity_bench(bytes({125, -125, 2, -2}));
    b << set_config(isa::ConfigReg::RequantMultiplier, 8)
      << activate(0, 4, 1, isa::Function::Sigmoid) << activate(0, 5, 1, isa::Function::Tanh);
    const MachineState s = b.run();
    CHECK(ub_row(s, b.shape, 4) == I{127, 0, 94, 34});
    CHECK(ub_row(s, b.shape, 5) == I{127, -128, 97, -97});
}

TEST_CASE("average rounding halves away from zero", "[reference][activate][pool]") {
    CHECK(average_round(2, 4) == 1);     // 0.5
    CHECK(average_round(-2, 4) == -1);   // -0.5
    CHECK(average_round(1, 4) == 0);     // 0.25
    CHECK(average_round(-1, 4) == 0);    // -0.25
    CHECK(average_round(-6, 4) == -2);   // -1.5
    CHECK(average_round(10, 4) == 3);    // 2.5
    CHECK(average_round(-10, 4) == -3);  // -2.5
    CHECK(average_round(4, 9) == 0);     // 0.44
    CHECK(average_round(5, 9) == 1);     // 0.56
    CHECK(average_round(-5, 9) == -1);   // -0.56
    CHECK(average_round(-128 * 225, 225) == -128);
    CHECK(average_round(127 * 225, 225) == 127);
}

namespace {

// A 2 x 2 machine; UB row p (and accumulator entry p) is pixel p = [col0[p], col1[p]].
Bench pixel_bench(const std::vector<int>& col0, const std::vector<int>& col1) {
    std::vector<std::uint8_t> host;
    for (std::size_t p = 0; p < col0.size(); ++p) {
        for (std::uint8_t byte : bytes({col0[p], col1[p]})) host.push_back(byte);
    }
    const std::uint64_t n = col0.size();
    for (std::uint8_t byte : bytes({55, 55})) host.push_back(byte);  // sentinel row
    Bench b{shape(2, 2, 32, 16), bytes({1, 0, 0, 1}), host, {}};
    b << read_host(0, 0, n) << read_host(n * 2, 30, 1) << read_weights(0, 2, 2)
      << matmul(0, 0, n, kSwitch);
    return b;
}

}  // namespace

TEST_CASE("pooling a 3 x 3 grid with a 2 x 2 window, stride 1", "[reference][activate][pool]") {
    // col0:  1 2 3     col1: -1 -2  0
    //        4 3 6           -3  4  5
    //        7 8 9            6 -7 -8
    Bench b = pixel_bench({1, 2, 3, 4, 3, 6, 7, 8, 9}, {-1, -2, 0, -3, 4, 5, 6, -7, -8});
    b << set_config(isa::ConfigReg::PoolSize, 2) << set_config(isa::ConfigReg::PoolStride, 1)
      << set_config(isa::ConfigReg::PoolInputWidth, 3);
    SECTION("max") {
        b << activate(0, 26, 9, isa::Function::Identity, isa::Pool::Max);
        const MachineState s = b.run();
        CHECK(ub_row(s, b.shape, 26) == I{4, 4});
        CHECK(ub_row(s, b.shape, 27) == I{6, 5});
        CHECK(ub_row(s, b.shape, 28) == I{8, 6});
        CHECK(ub_row(s, b.shape, 29) == I{9, 5});
        CHECK(ub_row(s, b.shape, 30) == I{55, 55});  // 4 output rows only
    }
    SECTION("average, with negative sums and halves") {
        b << activate(0, 26, 9, isa::Function::Identity, isa::Pool::Average);
        const MachineState s = b.run();
        // col0 sums 10, 14, 22, 26 -> 2.5, 3.5, 5.5, 6.5 -> 3, 4, 6, 7
        // col1 sums -2, 7, 0, -6 -> -0.5, 1.75, 0, -1.5 -> -1, 2, 0, -2
        CHECK(ub_row(s, b.shape, 26) == I{3, -1});
        CHECK(ub_row(s, b.shape, 27) == I{4, 2});
        CHECK(ub_row(s, b.shape, 28) == I{6, 0});
        CHECK(ub_row(s, b.shape, 29) == I{7, -2});
    }
    SECTION("the function is applied before pooling") {
        b << activate(0, 26, 9, isa::Function::Relu, isa::Pool::Average);
        const MachineState s = b.run();
        // relu(col1) = 0 0 0 / 0 4 5 / 6 0 0: sums 4, 9, 10, 9 -> 1, 2.25, 2.5, 2.25
        CHECK(ub_row(s, b.shape, 26) == I{3, 1});
        CHECK(ub_row(s, b.shape, 27) == I{4, 2});
        CHECK(ub_row(s, b.shape, 28) == I{6, 3});
        CHECK(ub_row(s, b.shape, 29) == I{7, 2});
    }
}

TEST_CASE("pooling output size is floored: 3 x 5 grid, 2 x 2 window, stride 2",
          "[reference][activate][pool]") {
    // col0[y*5 + x] = y*5 + x, col1 = -col0. out_h = (3-2)/2 + 1 = 1, out_w = (5-2)/2 + 1 = 2.
    std::vector<int> col0, col1;
    for (int p = 0; p < 15; ++p) {
        col0.push_back(p);
        col1.push_back(-p);
    }
    Bench b = pixel_bench(col0, col1);
    b << set_config(isa::ConfigReg::PoolSize, 2) << set_config(isa::ConfigReg::PoolStride, 2)
      << set_config(isa::ConfigReg::PoolInputWidth, 5)
      << activate(0, 20, 15, isa::Function::Identity, isa::Pool::Max)
      << activate(0, 22, 15, isa::Function::Identity, isa::Pool::Average);
    const MachineState s = b.run();
    // windows {0, 1, 5, 6} and {2, 3, 7, 8}
    CHECK(ub_row(s, b.shape, 20) == I{6, 0});
    CHECK(ub_row(s, b.shape, 21) == I{8, -2});
    CHECK(ub_row(s, b.shape, 22) == I{3, -3});  // 12 / 4, -12 / 4
    CHECK(ub_row(s, b.shape, 23) == I{5, -5});  // 20 / 4, -20 / 4
    CHECK(ub_row(s, b.shape, 24) == I{0, 0});
}

TEST_CASE("pool size 1 with stride 1 copies the grid", "[reference][activate][pool]") {
    Bench b = pixel_bench({1, -2, 3, -4}, {5, 6, -7, -8});
    b << set_config(isa::ConfigReg::PoolInputWidth, 2)
      << activate(0, 10, 4, isa::Function::Identity, isa::Pool::Average);
    const MachineState s = b.run();
    CHECK(ub_row(s, b.shape, 10) == I{1, 5});
    CHECK(ub_row(s, b.shape, 13) == I{-4, -8});
}

TEST_CASE("Activate clears bytes C..W-1 of each row it writes when R > C",
          "[reference][activate][shape]") {
    // R = 4, C = 2, W = 4. T = [[1, 0], [0, 1], [0, 0], [0, 0]].
    Bench b{shape(4, 2), bytes({1, 0, 0, 1, 0, 0, 0, 0}),
            bytes({7, -8, 1, 1, 0x55, 0x55, 0x55, 0x55}), {}};
    b << read_host(0, 0, 2) << read_weights(0, 4, 2) << matmul(0, 0, 1, kSwitch)
      << activate(0, 1, 1, isa::Function::Identity);
    const MachineState s = b.run();
    CHECK(ub_row(s, b.shape, 1) == I{7, -8, 0, 0});
}

TEST_CASE("Activate writes all C bytes when C > R", "[reference][activate][shape]") {
    // R = 2, C = 4, W = 4. T = [[1, 2, 3, 4], [0, 0, 0, -1]].
    Bench b{shape(2, 4), bytes({1, 2, 3, 4, 0, 0, 0, -1}), bytes({10, 1, 99, 99}), {}};
    b << read_host(0, 0, 1) << read_weights(0, 2, 4) << matmul(0, 0, 1, kSwitch)
      << activate(0, 0, 1, isa::Function::Identity);
    CHECK(ub_row(b.run(), b.shape, 0) == I{10, 20, 30, 39});
}
