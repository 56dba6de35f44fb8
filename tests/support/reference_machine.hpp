// A plain functional interpreter of tpusim programs: the test oracle the SystemC model is
// compared against. It executes one instruction at a time with straight loops and knows
// nothing of timing; docs/arithmetic.md is its specification. It deliberately shares no
// code with sim/.
#pragma once

#include "isa/error.hpp"
#include "isa/instruction.hpp"
#include "isa/program.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::reference {

/// The sizes that give a program's addresses their meaning.
struct MachineShape {
    std::uint32_t rows = 0;            // array rows R: input-vector length
    std::uint32_t cols = 0;            // array columns C: output-vector length
    std::uint64_t ub_rows = 0;         // unified-buffer rows of ub_width() bytes
    std::uint32_t acc_entries = 0;     // accumulator rows of `cols` int32
    std::uint64_t weight_capacity = 0; // weight-memory bytes

    /// Bytes per UB row: W = max(R, C), so a row holds one input vector or one output vector.
    std::uint32_t ub_width() const { return std::max(rows, cols); }
};

/// The shape a program's chip signature describes (ub_rows = ub_bytes / W).
MachineShape shape_of(const isa::ChipSignature& chip);

/// Memories after a run.
struct MachineState {
    std::vector<std::int8_t> ub;    // ub_rows * W, row-major
    std::vector<std::int32_t> acc;  // acc_entries * C, row-major
    std::vector<std::uint8_t> host; // the host image as the program left it
};

/// A program the reference cannot execute: "instruction N (mnemonic): field ...: what",
/// N counting from 0; or a shape or image that does not fit the machine.
class ReferenceError : public Error {
public:
    using Error::Error;
};

/// Lower-case instruction name as the assembler spells it ("convolve" for MatrixMultiply
/// with the convolve flag set, "unknown" for a byte that is no opcode).
std::string mnemonic(const isa::Instruction& instruction);

/// Runs `program` from reset to its first halt (or past its last instruction). Weight
/// memory holds `weight_image` followed by zeros up to shape.weight_capacity; host memory
/// is `host_image` and keeps its size. UB and accumulators start zeroed.
MachineState run_reference(const MachineShape& shape, const isa::Program& program,
                           const std::vector<std::uint8_t>& weight_image,
                           std::vector<std::uint8_t> host_image);

}  // namespace tpusim::reference
