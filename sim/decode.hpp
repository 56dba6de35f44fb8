// The controller's decode stage, run over the whole program before simulation starts.
// Every operand is static (the instruction set has no indirect addressing), so every
// bound can be checked here once, in program order, with the few bits of state that
// decide validity: how many weight tiles have been requested and consumed, and a copy of
// the activation unit's pooling registers (sim/activation_registers.hpp). The result says, per instruction, which
// unit executes it, what it reads and writes (for the hazard scoreboard) and the sizes
// the timing model needs.
#pragma once

#include "config/chip_config.hpp"
#include "isa/program.hpp"
#include "sim/unit_id.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::sim {

struct DecodedInstruction {
    Unit unit = Unit::Controller;
    std::vector<Access> accesses;
    std::uint64_t vectors = 0;    // matmul: input vectors B; activate: accumulator rows read;
                                  // vector: rows; DMA: UB rows
    std::uint64_t out_rows = 0;   // activate: UB rows written (after pooling)
    std::uint64_t bytes = 0;      // DMA: bytes moved; read_weights: bytes of each tile
    std::uint32_t tile = 0;       // read_weights: index of its first tile; matmul with switch:
                                  // index of the tile it switches to
};

/// Checks `program` against the chip and a host memory of `host_bytes`; throws
/// ProgramError naming the instruction index, mnemonic and field of the first problem.
std::vector<DecodedInstruction> decode_program(const isa::Program& program, const config::ChipConfig& chip,
                                               std::uint64_t host_bytes);

/// "instruction 12 (matrix_multiply)"
std::string describe_instruction(const isa::Program& program, std::size_t index);

}  // namespace tpusim::sim
