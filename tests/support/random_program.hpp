// Random valid programs, chips and memory images for differential tests: the fast and the
// cell-level array models against each other, and the simulator against the reference
// interpreter. A program is valid for the chip it was generated for (it passes
// sim::decode_program with a host memory of random_program_host_bytes) and can always
// finish: it never requests a weight tile whose FIFO slot depends on a switch that comes
// later in program order.
//
// The programs mix everything the instruction set has: host transfers in both directions,
// weight reads of random tile shapes and counts, matrix_multiply and convolve with every
// accumulate/switch combination, activate with every function and both poolings (with
// set_config keeping the pooling registers consistent), vector add and multiply, all sync
// modes, nops and halt. They reuse a small window of UB and accumulator rows, so that
// instructions of different units depend on each other (RAW, WAR, WAW), and alternate
// back-to-back bursts with idle gaps.
#pragma once

#include "config/chip_config.hpp"
#include "isa/program.hpp"

#include <cstdint>
#include <random>
#include <vector>

namespace tpusim::test {

struct RandomProgramOptions {
    std::size_t length = 40;           // instructions before the final halt, roughly
    std::uint64_t max_rows = 16;       // most rows (vectors) a single instruction handles
    std::uint64_t ub_rows = 48;        // UB rows used, from row 0 (clipped to the chip's)
    std::uint64_t acc_rows = 48;       // accumulator rows used, from row 0 (clipped)
    std::uint64_t host_rows = 40;      // host memory holds this many UB rows' worth of bytes
    std::uint64_t weight_bytes = 4096; // tiles are read from weight bytes [0, this) (clipped)
};

/// Bytes of host memory the programs address: host_rows UB rows of the chip.
std::uint64_t random_program_host_bytes(const config::ChipConfig& chip, const RandomProgramOptions& options);

isa::Program random_program(const config::ChipConfig& chip, std::mt19937_64& rng,
                            const RandomProgramOptions& options = {});

/// `n` uniformly random bytes: host and weight images.
std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng, std::size_t n);

/// A rows x cols int8 chip at 1 GHz (a cycle is a nanosecond) with a random weight FIFO
/// depth, weight and host bandwidths and latencies and activation throughput and latency,
/// read from YAML by config::parse_chip_config as a chip file would be.
config::ChipConfig random_chip(std::mt19937_64& rng, std::uint32_t rows, std::uint32_t cols);

/// Everything one differential run needs, drawn from one seed: a random_chip, a program
/// for it, a host image of random_program_host_bytes and a weight image covering three
/// quarters of options.weight_bytes (tiles past its end read zeros).
struct RandomCase {
    config::ChipConfig chip;
    isa::Program program;
    std::vector<std::uint8_t> host;
    std::vector<std::uint8_t> weights;
};
RandomCase random_case(std::uint64_t seed, std::uint32_t rows, std::uint32_t cols,
                       const RandomProgramOptions& options = {});

}  // namespace tpusim::test
