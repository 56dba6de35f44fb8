// Weight memory: read-only off-chip DRAM holding the weight image, and the weight-fetch
// unit that executes Read_Weights. Decoupled access/execute: a Read_Weights instruction is
// done once it has requested its tiles, one request per cycle, each as soon as the FIFO
// has a slot; the tiles arrive later at the memory's latency and bandwidth, over the
// channels their addresses are interleaved on (docs/timing-model.md, "Transfers" and
// "Weight memory").
#pragma once

#include "sim/instruction_stage.hpp"
#include "sim/stats.hpp"
#include "sim/weight_channels.hpp"
#include "sim/unit_context.hpp"
#include "sim/weight_fifo.hpp"

#include <systemc>

#include <string>

namespace tpusim::sim {

class WeightMemory : public sc_core::sc_module {
public:
    sc_core::sc_port<StageIf> stage;              // Read_Weights
    sc_core::sc_port<WeightFifoProducerIf> fifo;  // pushes the tiles it reads

    WeightMemory(sc_core::sc_module_name name, const UnitContext& ctx, UnitProgress& progress);

    StatGroup stats{"weight_memory", "off-chip weight DRAM and the Read_Weights engine"};

    /// One line on what the unit is doing or waiting for (deadlock reports).
    std::string state() const;

private:
    SC_HAS_PROCESS(WeightMemory);
    void thread();

    const UnitContext& ctx_;
    UnitProgress& progress_;
    WeightChannels channels_;
    static constexpr std::size_t kNoTile = static_cast<std::size_t>(-1);
    std::uint32_t current_ = 0;         // the Read_Weights being executed
    std::size_t waiting_for_ = kNoTile;  // the tile whose request waits for a FIFO slot
    Counter bytes_{stats, "bytes_read", "weight bytes read from weight memory", "bytes"};
    Counter tiles_{stats, "tiles_read", "weight tiles read into the weight FIFO", "tiles"};
    Counter busy_{stats, "channel_busy_cycles", "cycles in which a channel moved data, summed over the channels",
                  "channel-cycles"};
    Counter fifo_full_{stats, "fifo_full_cycles", "cycles a tile request waited for a free FIFO slot", "cycles"};
};

}  // namespace tpusim::sim
