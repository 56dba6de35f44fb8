// The host interface: DMA between host memory and the unified buffer over PCIe, one
// independent link per direction (Read_Host_Memory host->UB, Write_Host_Memory UB->host),
// each with the configured bandwidth and latency (docs/timing-model.md, "Host interface").
#pragma once

#include "sim/instruction_stage.hpp"
#include "sim/stats.hpp"
#include "sim/transfer_link.hpp"
#include "sim/unified_buffer.hpp"
#include "sim/unit_context.hpp"

#include <systemc>

#include <cstdint>
#include <vector>

namespace tpusim::sim {

class HostInterface : public sc_core::sc_module {
public:
    sc_core::sc_port<StageIf> to_ub_stage;    // Read_Host_Memory
    sc_core::sc_port<StageIf> to_host_stage;  // Write_Host_Memory
    sc_core::sc_port<UnifiedBufferIf> ub;     // both directions' UB side

    HostInterface(sc_core::sc_module_name name, const UnitContext& ctx, std::vector<std::uint8_t>& host,
                  UnitProgress& in_progress, UnitProgress& out_progress);

    StatGroup stats{"host_interface", "DMA between host memory and the unified buffer"};

private:
    SC_HAS_PROCESS(HostInterface);
    struct Direction {
        Unit unit;
        TransferLink link;
        UnitProgress& progress;
        Counter& bytes;
        Counter& transfers;
        Counter& busy;
    };
    void to_ub_thread();
    void to_host_thread();
    void serve(sc_core::sc_port<StageIf>& stage, Direction& dir);
    void move_data(const isa::Instruction& in, bool to_ub);

    const UnitContext& ctx_;
    std::vector<std::uint8_t>& host_;
    Counter bytes_in_{stats, "bytes_to_ub", "bytes moved from host memory to the unified buffer", "bytes"};
    Counter bytes_out_{stats, "bytes_to_host", "bytes moved from the unified buffer to host memory", "bytes"};
    Counter transfers_in_{stats, "transfers_to_ub", "Read_Host_Memory instructions executed", "instructions"};
    Counter transfers_out_{stats, "transfers_to_host", "Write_Host_Memory instructions executed", "instructions"};
    Counter busy_in_{stats, "busy_cycles_to_ub", "cycles the host-to-UB link moved data", "cycles"};
    Counter busy_out_{stats, "busy_cycles_to_host", "cycles the UB-to-host link moved data", "cycles"};
    Direction in_, out_;
};

}  // namespace tpusim::sim
