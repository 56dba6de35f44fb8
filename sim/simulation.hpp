// Running a program on the simulated chip: the library's entry point. Each run builds the
// chip in a fresh SystemC simulation context, so one process can run many simulations
// (tests, sweeps) one after another.
#pragma once

#include "config/chip_config.hpp"
#include "isa/program.hpp"
#include "sim/cycle.hpp"
#include "sim/instruction_log.hpp"
#include "sim/stats.hpp"

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace tpusim::sim {

enum class ArrayModel {
    Fast,   // event-driven: computes when the next thing happens (default)
    Cells,  // a register per cell, every cell advanced every cycle (arrays up to 32x32)
};

/// With the cell model: print the array's state every cycle while one MatrixMultiply is in
/// it, so that a student can watch the wavefront (docs/tutorial.md).
struct ArrayTrace {
    std::ostream* out = nullptr;     // null: no trace
    std::uint32_t instruction = 0;   // index of the MatrixMultiply to follow
};

struct RunOptions {
    ArrayModel array_model = ArrayModel::Fast;
    bool data = true;  // false: timing only (--no-data); identical cycle counts
    ArrayTrace array_trace;  // cell model only
    /// Copy the final unified buffer and accumulators into the result (with data). Off
    /// for runs that only need host memory: a copy touches every page of a big chip.
    bool keep_memories = true;
};

/// A weight tile's passage through the FIFO.
struct TileRecord {
    Cycle requested = kUnknownCycle;  // request sent to weight memory (slot taken)
    Cycle arrival = kUnknownCycle;    // whole tile in the FIFO
    Cycle leave = kUnknownCycle;      // shifted into the array (slot free)
};

struct RunResult {
    Cycle cycles = 0;                   // cycle in which the run ended
    InstructionLog instructions;        // one record per executed instruction
    std::vector<StatSnapshot> stats;    // per component
    std::vector<TileRecord> tiles;      // every weight tile requested, in order
    std::vector<std::uint8_t> host;     // final host memory (with data)
    std::vector<std::int8_t> ub;        // final unified buffer, rows x width (with data, keep_memories)
    std::vector<std::int32_t> acc;      // final accumulators, entries x cols (with data, keep_memories)
};

/// Runs `program` on `chip` with the given initial host memory and weight-memory image
/// (bytes beyond the image read as zero). Throws ProgramError for a program that cannot
/// run on this chip and DeadlockError for one that can never finish.
RunResult simulate(const config::ChipConfig& chip, const isa::Program& program, std::vector<std::uint8_t> host,
                   const std::vector<std::uint8_t>& weights, const RunOptions& options = {});

}  // namespace tpusim::sim
