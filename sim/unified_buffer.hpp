// The unified buffer: on-chip SRAM for activations, `rows` rows of `width` int8 bytes
// (width = max(array rows, array cols), docs/isa.md), and its read and write ports. A
// channel: the host interface, the matrix unit and the activation unit reach it through an
// sc_port<UnifiedBufferIf> bound in sim/chip.cpp, to reserve the ports an instruction's
// accesses hold (UbPorts, sim/ub_ports.hpp: when an access may happen) and to move rows.
#pragma once

#include "config/chip_config.hpp"
#include "sim/row_memory.hpp"
#include "sim/ub_ports.hpp"

#include <cstdint>
#include <vector>

namespace tpusim::sim {

/// Row access to the unified buffer (int8 activations, `width()` bytes a row) and its ports.
class UnifiedBufferIf : public RowMemoryIf<std::int8_t> {
public:
    /// Called by a unit in the cycle all its other start conditions hold: returns the cycle
    /// instruction `seq` may start (>= now) with the ports of `holds` reserved for it; see
    /// UbPorts::acquire. Counts the rows (and bytes) read and written.
    virtual Cycle acquire(std::uint32_t seq, const std::vector<PortHold>& holds, std::uint64_t rows_read,
                          std::uint64_t rows_written) = 0;
};

class UnifiedBuffer : public RowMemory<std::int8_t, UnifiedBufferIf> {
public:
    /// `data` false: timing only, no storage (the ports work as ever).
    UnifiedBuffer(sc_core::sc_module_name name, const config::ChipConfig& chip, bool data)
        : RowMemory(name, chip.ub_rows(), chip.ub_row_bytes(), data),
          ports("ports", chip.ub.read_ports, chip.ub.write_ports, chip.ub_row_bytes()) {}

    Cycle acquire(std::uint32_t seq, const std::vector<PortHold>& holds, std::uint64_t rows_read,
                  std::uint64_t rows_written) override {
        return ports.acquire(seq, holds, rows_read, rows_written);
    }

    UbPorts ports;  // holds the `unified_buffer` statistics
};

}  // namespace tpusim::sim
