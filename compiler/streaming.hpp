// Streaming a tensor from host memory: a feature map in host memory (a network input, or
// a spilled tensor, compiler/spilling.hpp) read by a single op is not loaded whole. Per
// accumulator block, only the rows that block reads (a stripe of padded map rows, all
// chunks of its samples) are copied from the host into one of two staging slots, the next
// block's stripe arriving while this one is computed. A 224x224x3 image then needs a few
// thousand UB rows instead of 50,176.
//
// A spilled tensor's producer writes it out the same way in reverse: each job's block is
// activated into one staging slot (OutStaging) and written to host memory from there.
#pragma once

#include "compiler/lowered.hpp"
#include "compiler/tiling.hpp"

#include <cstdint>
#include <utility>
#include <vector>

namespace tpusim::compiler {

struct Staging {
    std::vector<Block> blocks;                                    // the reading op's blocks
    std::vector<std::pair<std::uint32_t, std::uint32_t>> stripe;  // per block: padded rows [first, end)
    std::uint32_t slots = 1;
    std::uint32_t chunks = 0, samples = 0;  // per slot: every chunk of the most samples a block has,
    std::uint32_t height = 0, width = 0;    // the most padded rows a stripe has, the padded width
    std::uint64_t slot_rows() const { return std::uint64_t{chunks} * samples * height * width; }
    std::uint64_t rows() const { return slots * slot_rows(); }
};

/// The stripes of the streamed buffer `buffer` for `batch` samples per pass.
Staging plan_staging(const LoweredNetwork& lowered, int buffer, std::uint32_t batch);

/// The producer's staging slot of a spilled buffer: one job's block of output rows
/// (pooled rows and columns when the producer pools), the most any block of the producing
/// op writes, for `batch` samples per pass.
struct OutStaging {
    std::vector<Block> blocks;                    // the producing op's blocks
    std::uint32_t samples = 0, height = 0, width = 0;  // the most a block writes
    std::uint64_t rows() const { return std::uint64_t{samples} * height * width; }
};

/// The staging slot of spilled buffer `buffer`, written by op `producer`.
OutStaging plan_out_staging(const LoweredNetwork& lowered, int producer, std::uint32_t batch);

/// UB rows a buffer occupies: its staging slots if streamed, the producer's staging slot
/// if it is one, else all of it.
std::uint64_t ub_rows_of(const LoweredNetwork& lowered, int buffer, std::uint32_t batch);

}  // namespace tpusim::compiler
