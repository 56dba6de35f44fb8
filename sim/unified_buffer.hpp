// The unified buffer: on-chip SRAM for activations, `rows` rows of `width` int8 bytes
// (width = max(array rows, array cols), docs/isa.md). A channel: the host interface, the
// matrix unit and the activation unit reach it through an sc_port<UnifiedBufferIf> bound
// in sim/chip.cpp, one row at a time. Its read and write ports, which decide when those
// accesses may happen, are arbitrated by UbPorts (sim/ub_ports.hpp).
#pragma once

#include "config/chip_config.hpp"
#include "sim/row_memory.hpp"

#include <cstdint>

namespace tpusim::sim {

/// Row access to the unified buffer: int8 activations, `width()` bytes a row.
using UnifiedBufferIf = RowMemoryIf<std::int8_t>;

class UnifiedBuffer : public RowMemory<std::int8_t> {
public:
    /// `data` false: timing only, no storage.
    UnifiedBuffer(sc_core::sc_module_name name, const config::ChipConfig& chip, bool data)
        : RowMemory(name, chip.ub_rows(), chip.ub_row_bytes(), data) {}
};

}  // namespace tpusim::sim
