// The units an instruction can be issued to, and the memories the scoreboard tracks.
#pragma once

#include <cstdint>

namespace tpusim::sim {

enum class Unit : std::uint8_t {
    HostIn,       // host interface, host -> UB (Read_Host_Memory)
    HostOut,      // host interface, UB -> host (Write_Host_Memory)
    WeightFetch,  // weight memory -> weight FIFO (Read_Weights)
    Matrix,       // matrix unit (MatrixMultiply / Convolve)
    Activation,   // activation unit (Activate, Vector, Set_Config)
    Controller,   // executed by the controller itself (Nop, Sync, Halt)
};
inline constexpr int kUnitCount = 6;

const char* unit_name(Unit u);

enum class Memory : std::uint8_t { UnifiedBuffer, Accumulators, Host };

/// A half-open range of rows (UB, accumulators) or bytes (host memory) an instruction
/// reads or writes.
struct Access {
    Memory memory;
    std::uint64_t lo;
    std::uint64_t hi;
    bool write;
};

}  // namespace tpusim::sim
