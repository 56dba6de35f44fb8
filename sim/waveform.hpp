// A VCD waveform of a finished run, for GTKWave: per unit a `busy` signal (an instruction
// is executing: from its start to its end) and a `waiting` signal (an issued instruction
// waits in the unit for its operands, its weights or the unit); the controller's program
// counter (the last instruction issued); and the weight FIFO's occupancy. The run's
// records are replayed onto sc_signals in a SystemC context of their own and traced with
// SystemC's VCD writer, so a run without --vcd pays nothing. One VCD time unit is one cycle.
#pragma once

#include "isa/program.hpp"
#include "sim/simulation.hpp"

#include <string>

namespace tpusim::sim {

/// The file write_vcd writes for `path`: SystemC's VCD writer adds ".vcd" unless it is there.
std::string vcd_file_name(const std::string& path);

/// Writes the waveform to vcd_file_name(path).
void write_vcd(const std::string& path, const RunResult& run);

}  // namespace tpusim::sim
