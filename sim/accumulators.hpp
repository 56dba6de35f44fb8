// The accumulators: `entries` rows of `cols` 32-bit sums, written by the matrix unit
// (overwrite or accumulate, wrapping modulo 2^32) and read by the activation unit.
#pragma once

#include "sim/unified_buffer.hpp"

namespace tpusim::sim {

using Accumulators = RowMemory<std::int32_t>;

}  // namespace tpusim::sim
