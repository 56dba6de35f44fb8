// Per-layer view of a run, from the layer annotations a compiled program carries
// (isa::Program::layers and layer_of): when each layer ran, the work its instructions did
// on the simulated chip, its throughput and intensity,
// whether the roofline says it is memory- or compute-bound, and what held it up most.
#pragma once

#include "config/chip_config.hpp"
#include "isa/program.hpp"
#include "sim/simulation.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::report {

struct LayerSummary {
    std::string name, kind;
    std::uint64_t first_cycle = 0, last_cycle = 0;  // [first start, last end) of its instructions
    std::uint64_t cycles = 0;                       // last_cycle - first_cycle (layers may overlap)
    // The simulator's work, attributed to the layer by instruction: the useful MACs of its
    // matrix_multiply instructions and the weight bytes of its read_weights, including work
    // the compiler adds (an identity tile that routes a pool or an LSTM cell state through
    // the array). Summed over the layers they are the run's `macs` and `weight_bytes` when
    // every such instruction belongs to a layer, as the compiler emits them (checked on six
    // workloads by tests/report/layer_work_test.cpp).
    std::uint64_t macs = 0, weight_bytes = 0;
    std::uint64_t network_macs = 0;     // the workload's own MACs for the layer (isa::LayerInfo::macs)
    double tops = 0;
    double macs_per_weight_byte = 0;
    // memory: intensity below the chip's ridge point; compute: at or above it (or MACs with
    // no weight read, on a tile already in the array); none: the layer did no MACs.
    std::string bound = "none";
    std::string largest_stall;          // stall reason with the most cycles (queueing excluded), or "none"
    std::uint64_t largest_stall_cycles = 0;
};

std::vector<LayerSummary> summarize_layers(const config::ChipConfig& chip, const isa::Program& program,
                                           const sim::RunResult& run);

/// Useful MACs (matrix_multiply) and weight bytes read (read_weights) of each instruction
/// of a program that ran on `chip`, counted as the matrix unit and the weight memory count
/// them, from the program's decode: the sum over all instructions is the run's useful_macs
/// and bytes_read.
struct InstructionWork {
    std::uint64_t macs = 0, weight_bytes = 0;
};
std::vector<InstructionWork> instruction_work(const config::ChipConfig& chip, const isa::Program& program);

/// Cycles an instruction waited to start after its issue (start - issue - 1).
std::uint64_t wait_cycles(const sim::InstructionRecord& r);

/// One figure of a layer: its name (the column of layers.csv, the key of an entry of
/// report.json's `layers`) and its value as written there. layers.csv and report.json are
/// both written from this one list, so they cannot disagree.
struct LayerFigure {
    std::string name, text;
    bool is_text;  // a string (quoted in JSON), not a number
};
std::vector<LayerFigure> layer_figures(const LayerSummary& layer);

std::string layers_csv(const std::vector<LayerSummary>& layers);
/// report.json's `layers`: a JSON array with one object per layer, one line each, indented
/// as a member of the top-level object.
std::string layers_json(const std::vector<LayerSummary>& layers);
std::string layers_table(const std::vector<LayerSummary>& layers);
/// index, mnemonic, layer, unit, issue, start, end, stall reason, stall cycles.
std::string instructions_csv(const isa::Program& program, const sim::RunResult& run);

}  // namespace tpusim::report
