// Values a workload file may leave to tpusim: random tensors and `requant: auto`. Both are
// pure functions of what the file says, so every run of a workload sees the same numbers;
// docs/workloads.md states the exact rules so that other tools can reproduce them.
#pragma once

#include "compiler/network.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::compiler {

/// 64-bit FNV-1a of the bytes of `text`: a hash that is the same on every platform.
std::uint64_t fnv1a_64(const std::string& text);

/// Which int8 values a random tensor draws from, uniformly.
enum class RandomRange {
    Full,       // -128..127: network inputs
    Symmetric,  // -127..127: weights, whose mean is then exactly 0 (a mean of -1/2 would
                // shift every sum of a ReLU network down and make it fade layer by layer)
};

/// `count` int8 values of the random stream `stream` under `seed`: std::mt19937_64 seeded
/// with fnv1a_64("<seed>/<stream>"), each 64-bit output giving eight bytes, least
/// significant first, read as two's complement; for Symmetric, bytes 0x80 (-128) are
/// skipped.
std::vector<std::int8_t> random_int8(std::uint64_t seed, const std::string& stream, std::size_t count,
                                     RandomRange range);

/// The requantization `requant: auto` picks for sums of `reduction` products:
/// multiplier / 2^shift close to 1 / (c * sqrt(reduction)), c = 74 before no activation,
/// 52 before a ReLU and 296 before sigmoid or tanh, with shift = 8 + e for the smallest e
/// such that 2^e >= c * sqrt(reduction), and multiplier = floor(2^shift / (c *
/// sqrt(reduction)) + 1/2), so 256 <= multiplier <= 512.
Requant auto_requant(std::uint64_t reduction, Activation activation);

}  // namespace tpusim::compiler
