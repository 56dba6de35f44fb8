// The host memory image: the network inputs (already in the UB row layout, borders
// included, so that each arrives with one read_host_memory), room for the outputs and
// for spilled tensors (compiler/spilling.hpp), in the same row layout.
// Samples are processed in passes when the whole batch does not fit the UB; each pass has
// its own regions.
#pragma once

#include "compiler/compile.hpp"
#include "compiler/lowered.hpp"
#include "compiler/ub_allocation.hpp"

#include <cstdint>
#include <vector>

namespace tpusim::compiler {

struct Pass {
    std::uint32_t first_sample = 0, batch = 0;
    const UbPlan* plan = nullptr;
};

struct HostLayout {
    std::vector<std::vector<std::uint64_t>> input;   // [pass][network input]: first byte
    std::vector<std::vector<std::uint64_t>> output;  // [pass][network output]: first byte
    /// [pass][buffer]: first byte of a spilled buffer's region (the whole map, border
    /// included, zero in the image), 0 for the others. After all inputs and outputs.
    std::vector<std::vector<std::uint64_t>> spill;
    std::uint64_t size = 0;
};

HostLayout layout_host(const LoweredNetwork& lowered, const std::vector<Pass>& passes);

/// The initial host image: inputs placed, zero and output regions zero.
std::vector<std::uint8_t> host_image(const LoweredNetwork& lowered, const Network& network,
                                     const std::vector<Pass>& passes, const HostLayout& layout);

/// Where each network output can be read back from the final host image.
std::vector<OutputLocation> output_locations(const LoweredNetwork& lowered, const Network& network,
                                             const std::vector<Pass>& passes, const HostLayout& layout);

}  // namespace tpusim::compiler
