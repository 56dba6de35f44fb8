// Spilling: when not even one sample per pass fits the unified buffer, feature maps move to
// host memory, one at a time, until it fits. The rule (docs/compiler.md, "Spilling"): at
// the op where the most rows are alive, the largest alive buffer that can be spilled is
// spilled; allocation is tried again, and so on.
//
// A spilled buffer's producer activates each block into a small staging area and writes
// it to host memory from there (write_host_memory right after the activate); its one
// reader brings it back stripe by stripe into two staging slots, exactly as a streamed
// network input arrives (compiler/streaming.hpp). It then occupies UB rows only during
// those two ops, and only as much as their staging needs. If that is still too much and
// nothing more can be spilled, the op with the largest staging gets smaller blocks.
#pragma once

#include "compiler/lowered.hpp"
#include "compiler/ub_allocation.hpp"

namespace tpusim::compiler {

/// Spills the largest buffer in `why.live` (largest first) that can be spilled: a feature
/// map that is not a network input or output, written by the activates of one
/// matrix-product op and read by one other matrix-product op over at least two grid
/// points that streams nothing else, and touched by no vector step. Adds the producer's
/// staging buffer; both ops then keep to half-accumulator blocks (op_blocks), so that
/// neither staging area grows to a whole map. False if none of them can be spilled.
bool spill_one(LoweredNetwork& lowered, const UbShortage& why);

/// When nothing more can be spilled: shrinks the largest staging area in `why.live` (a
/// streamed tensor's two stripe slots, or a spilled tensor's producer slot) by halving the
/// accumulator rows its op's blocks may take (MatmulOp::block_cap) until that staging takes
/// fewer rows. Blocks stop shrinking at one grid row (with pooling, one pooled row): a
/// stripe is always whole padded map rows, so slices of a row would not make it smaller.
/// False if no staging alive there can shrink.
bool shrink_staging(LoweredNetwork& lowered, const UbShortage& why);

}  // namespace tpusim::compiler
