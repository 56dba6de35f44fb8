// The accumulators: `entries` rows of `cols` 32-bit sums, written by the matrix unit
// (overwrite or accumulate, wrapping modulo 2^32) and read by the activation unit. A
// channel: both reach it through an sc_port<AccumulatorsIf> bound in sim/chip.cpp, one
// row at a time.
#pragma once

#include "config/chip_config.hpp"
#include "sim/row_memory.hpp"

#include <cstdint>

namespace tpusim::sim {

/// Row access to the accumulators: `width()` = array columns int32 sums a row.
using AccumulatorsIf = RowMemoryIf<std::int32_t>;

class Accumulators : public RowMemory<std::int32_t> {
public:
    /// `data` false: timing only, no storage.
    Accumulators(sc_core::sc_module_name name, const config::ChipConfig& chip, bool data)
        : RowMemory(name, chip.acc.entries, chip.matrix.cols, data) {}
};

}  // namespace tpusim::sim
