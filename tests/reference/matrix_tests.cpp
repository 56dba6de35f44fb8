// Read_Weights, MatrixMultiply and its convolve form, checked against sums worked by hand.
#include "tests/reference/program_builder.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <vector>

using namespace tpusim;
using namespace tpusim::reference;
using namespace tpusim::reference::testing;
using V = std::vector<std::int64_t>;

TEST_CASE("2x2 matrix multiply", "[reference][matrix]") {
    Bench b{shape(2, 2), bytes({1, 2, 3, 4}), bytes({5, 6, -7, 8}), {}};
    // T = [[1, 2], [3, 4]]; y[c] = sum_r x[r] * T[r][c]
    b << read_host(0, 0, 2) << read_weights(0, 2, 2) << matmul(0, 0, 2, kSwitch);
    const MachineState s = b.run();
    CHECK(acc_row(s, b.shape, 0) == V{23, 34});  // 5*1 + 6*3, 5*2 + 6*4
    CHECK(acc_row(s, b.shape, 1) == V{17, 18});  // -7*1 + 8*3, -7*2 + 8*4
    CHECK(acc_row(s, b.shape, 2) == V{0, 0});
}

TEST_CASE("a tile smaller than the array is zero outside its stored rows and columns",
          "[reference][matrix]") {
    // Stored 3 x 2 tile: T = [[-1, 2, 0, 0], [3, -4, 0, 0], [5, 6, 0, 0], [0, 0, 0, 0]].
    Bench b{shape(4, 4), bytes({-1, 2, 3, -4, 5, 6}),
            bytes({10, -20, 30, 127, -128, -128, -128, -128}), {}};
    b << read_host(0, 0, 2) << read_weights(0, 3, 2) << matmul(0, 0, 2, kSwitch)
      << matmul(0, 0, 1, kAccumulate);  // same tile again, added onto entry 0
    const MachineState s = b.run();
    // x = [10, -20, 30, 127]: c0 = -10 - 60 + 150 = 80, c1 = 20 + 80 + 180 = 280; x[3] meets
    // only the zero row. Accumulated twice: 160, 560.
    CHECK(acc_row(s, b.shape, 0) == V{160, 560, 0, 0});
    // x = [-128] * 4: c0 = -128 * (-1 + 3 + 5) = -896, c1 = -128 * (2 - 4 + 6) = -512.
    CHECK(acc_row(s, b.shape, 1) == V{-896, -512, 0, 0});
}

TEST_CASE("weight bytes past the loaded image read as zero", "[reference][matrix]") {
    // Image holds 2 bytes of the 2x2 tile at address 0; bytes 2 and 3 are not in the image.
    Bench b{shape(2, 2), bytes({3, 5}), bytes({1, 1}), {}};
    b << read_host(0, 0, 1) << read_weights(0, 2, 2) << matmul(0, 0, 1, kSwitch);
    CHECK(acc_row(b.run(), b.shape, 0) == V{3, 5});  // T = [[3, 5], [0, 0]]
}

TEST_CASE("tiles leave the FIFO in order and the active tile stays until the next switch",
          "[reference][matrix]") {
    // Tile 0 = identity, tile 1 = 2 * identity, tile 2 = [[0, 1], [1, 0]] (a second read).
    Bench b{shape(2, 2), bytes({1, 0, 0, 1, 2, 0, 0, 2, 0, 1, 1, 0}), bytes({3, -4}), {}};
    b << read_host(0, 0, 1) << read_weights(0, 2, 2, 2) << read_weights(8, 2, 2)
      << matmul(0, 0, 1, kSwitch)   // identity
      << matmul(0, 1, 1, 0)         // still identity
      << matmul(0, 2, 1, kSwitch)   // 2 * identity
      << matmul(0, 3, 1, kSwitch);  // swap
    const MachineState s = b.run();
    CHECK(acc_row(s, b.shape, 0) == V{3, -4});
    CHECK(acc_row(s, b.shape, 1) == V{3, -4});
    CHECK(acc_row(s, b.shape, 2) == V{6, -8});
    CHECK(acc_row(s, b.shape, 3) == V{-4, 3});
}

TEST_CASE("a matrix multiply of zero rows still switches the tile", "[reference][matrix]") {
    Bench b{shape(2, 2), bytes({1, 0, 0, 1, 5, 0, 0, 5}), bytes({1, 2}), {}};
    b << read_host(0, 0, 1) << read_weights(0, 2, 2, 2) << matmul(0, 0, 0, kSwitch)
      << matmul(0, 0, 1, kSwitch);
    CHECK(acc_row(b.run(), b.shape, 0) == V{5, 10});  // the second tile: 5 * identity
}

TEST_CASE("accumulation wraps around at the int32 limits", "[reference][matrix]") {
    // 256 x 256 array, every weight -128 and every input -128: each column of one product
    // is 256 * 16384 = 2^22. 512 of them make 2^31, which wraps to -2^31.
    MachineShape sh = shape(256, 256, 2, 1, 65536);
    std::vector<std::uint8_t> host(512, 0x80);
    std::fill(host.begin() + 256, host.end(), std::uint8_t{127});  // UB row 1: all 127
    Bench b{sh, std::vector<std::uint8_t>(65536, 0x80), host, {}};
    b << read_host(0, 0, 2) << read_weights(0, 256, 256) << matmul(0, 0, 1, kSwitch);

    auto run_with = [&](int accumulates) {
        Bench copy = b;
        for (int i = 0; i < accumulates; ++i) {
            copy << matmul(0, 0, 1, kAccumulate);
        }
        return copy;
    };
    SECTION("511 products: the largest multiple of 2^22 below 2^31") {
        const MachineState s = run_with(510).run();
        CHECK(s.acc[0] == 2143289344);  // 511 * 2^22 = 2^31 - 2^22
        CHECK(s.acc[255] == 2143289344);
    }
    SECTION("512 products wrap to INT32_MIN") {
        const MachineState s = run_with(511).run();
        CHECK(s.acc[0] == std::numeric_limits<std::int32_t>::min());
    }
    SECTION("513 products continue from INT32_MIN") {
        const MachineState s = run_with(512).run();
        CHECK(s.acc[0] == -2143289344);  // -2^31 + 2^22
    }
    SECTION("a negative sum below INT32_MIN wraps to a positive value") {
        Bench copy = run_with(511);
        // Row 1 is all 127: 256 * 127 * -128 = -4161536; -2^31 - 4161536 + 2^32 = 2143322112.
        copy << matmul(1, 0, 1, kAccumulate);
        CHECK(copy.run().acc[0] == 2143322112);
    }
}

TEST_CASE("overwrite replaces a wrapped accumulator", "[reference][matrix]") {
    Bench b{shape(2, 2), bytes({1, 0, 0, 1}), bytes({7, 9}), {}};
    b << read_host(0, 0, 1) << read_weights(0, 2, 2) << matmul(0, 0, 1, kSwitch)
      << matmul(0, 0, 1, kAccumulate) << matmul(0, 0, 1, kOverwrite);
    CHECK(acc_row(b.run(), b.shape, 0) == V{7, 9});
}

TEST_CASE("convolve addresses UB rows ub_addr + o * pitch + i * step", "[reference][matrix]") {
    // UB row u holds [u, -u]; the identity tile copies each input vector to its accumulator.
    std::vector<std::uint8_t> host;
    for (int u = 0; u < 16; ++u) {
        for (std::uint8_t byte : bytes({u, -u})) host.push_back(byte);
    }
    Bench b{shape(2, 2), bytes({1, 0, 0, 1}), host, {}};
    b << read_host(0, 0, 16) << read_weights(0, 2, 2);

    SECTION("outer 2, rows 3, step 2, pitch 5") {
        // Vector j = o * 3 + i reads row 1 + 5o + 2i: rows 1, 3, 5, then 6, 8, 10.
        b << convolve(1, 4, 3, 2, 2, 5, kSwitch);
        const MachineState s = b.run();
        const int expected_rows[] = {1, 3, 5, 6, 8, 10};
        for (int j = 0; j < 6; ++j) {
            CHECK(acc_row(s, b.shape, 4 + static_cast<std::uint64_t>(j)) ==
                  V{expected_rows[j], -expected_rows[j]});
        }
        CHECK(acc_row(s, b.shape, 3) == V{0, 0});
        CHECK(acc_row(s, b.shape, 10) == V{0, 0});
    }
    SECTION("step 0 repeats one row; pitch smaller than the inner extent overlaps groups") {
        // rows 2, outer 3, step 0, pitch 1: rows 7, 7, 8, 8, 9, 9.
        b << convolve(7, 0, 2, 3, 0, 1, kSwitch);
        const MachineState s = b.run();
        const int expected_rows[] = {7, 7, 8, 8, 9, 9};
        for (int j = 0; j < 6; ++j) {
            CHECK(acc_row(s, b.shape, static_cast<std::uint64_t>(j)) ==
                  V{expected_rows[j], -expected_rows[j]});
        }
    }
    SECTION("the plain form ignores outer, step and pitch") {
        isa::Instruction in = matmul(2, 0, 2, kSwitch);
        in.outer = 5;
        in.step = 3;
        in.pitch = 7;
        b << in;
        const MachineState s = b.run();
        CHECK(acc_row(s, b.shape, 0) == V{2, -2});
        CHECK(acc_row(s, b.shape, 1) == V{3, -3});
        CHECK(acc_row(s, b.shape, 2) == V{0, 0});
    }
}

TEST_CASE("R > C: the UB row is R bytes and all of it enters the array",
          "[reference][matrix][shape]") {
    // R = 4, C = 2, W = 4. T (4 x 2) = [[1, 0], [0, 1], [1, 1], [2, -1]].
    Bench b{shape(4, 2), bytes({1, 0, 0, 1, 1, 1, 2, -1}), bytes({1, 2, 3, 4}), {}};
    b << read_host(0, 0, 1) << read_weights(0, 4, 2) << matmul(0, 0, 1, kSwitch);
    const MachineState s = b.run();
    CHECK(s.acc.size() == 16u * 2u);
    // c0 = 1 + 0 + 3 + 8 = 12, c1 = 0 + 2 + 3 - 4 = 1
    CHECK(acc_row(s, b.shape, 0) == V{12, 1});
}

TEST_CASE("R < C: only the first R bytes of a UB row enter the array",
          "[reference][matrix][shape]") {
    // R = 2, C = 4, W = 4. T (2 x 4) = [[1, 2, 3, 4], [-1, -2, -3, -4]].
    Bench b{shape(2, 4), bytes({1, 2, 3, 4, -1, -2, -3, -4}), bytes({10, 1, 99, -99}), {}};
    b << read_host(0, 0, 1) << read_weights(0, 2, 4) << matmul(0, 0, 1, kSwitch);
    // y = 10 * row0 + 1 * row1 = [9, 18, 27, 36]; bytes 99, -99 are not inputs.
    CHECK(acc_row(b.run(), b.shape, 0) == V{9, 18, 27, 36});
}

TEST_CASE("a full 256 x 256 multiply of many rows matches a direct sum",
          "[reference][matrix]") {
    // Inputs and weights from a small linear congruential generator; the expected value
    // of a few entries is summed here independently.
    MachineShape sh = shape(256, 256, 200, 200, 65536);
    std::vector<std::uint8_t> weights(65536);
    std::vector<std::uint8_t> host(200 * 256);
    std::uint32_t seed = 12345;
    auto next = [&seed]() {
        seed = seed * 1103515245u + 12345u;
        return static_cast<std::uint8_t>(seed >> 16);
    };
    for (auto& w : weights) w = next();
    for (auto& h : host) h = next();
    Bench b{sh, weights, host, {}};
    b << read_host(0, 0, 200) << read_weights(0, 256, 256) << matmul(0, 0, 200, kSwitch);
    const MachineState s = b.run();
    for (std::uint64_t row : {0u, 77u, 199u}) {
        for (std::uint64_t col : {0u, 128u, 255u}) {
            std::int64_t sum = 0;
            for (std::uint64_t r = 0; r < 256; ++r) {
                sum += std::int64_t{static_cast<std::int8_t>(host[row * 256 + r])} *
                       static_cast<std::int8_t>(weights[r * 256 + col]);
            }
            CHECK(s.acc[row * 256 + col] == sum);  // |sum| <= 2^22: no wrap here
        }
    }
}
