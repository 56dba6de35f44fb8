// The tpusim instruction set: one fixed-size 16-byte instruction word per instruction.
//
// A decoded instruction is a plain struct with one member per operand the instruction set
// knows; each opcode uses a subset. Which members an opcode uses, where they sit in the
// 128-bit word and what they mean is described once, in the form table (isa/forms.hpp),
// and the encoder, decoder, assembler, disassembler and docs/isa.md all follow that table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tpusim::isa {

/// Size of one encoded instruction in bytes.
inline constexpr std::size_t kInstructionBytes = 16;

/// Opcode byte (byte 0 of the instruction word). Zero is deliberately not an opcode so
/// that a zero-filled buffer is rejected instead of executed.
enum class Opcode : std::uint8_t {
    Nop = 0x01,
    Halt = 0x02,
    ReadHostMemory = 0x03,
    WriteHostMemory = 0x04,
    ReadWeights = 0x05,
    MatrixMultiply = 0x06,  // the convolve form is the same opcode with the convolve flag set
    Activate = 0x07,
    Vector = 0x08,
    Sync = 0x09,
    SetConfig = 0x0A,
};

/// Nonlinearity applied by Activate (docs/arithmetic.md).
enum class Function : std::uint8_t { Identity = 0, Relu = 1, Sigmoid = 2, Tanh = 3 };

/// Pooling done on the activation path by Activate.
enum class Pool : std::uint8_t { None = 0, Max = 1, Average = 2 };

/// Windows of `window` pixels every `stride` along an edge of `pixels` pixels (window <=
/// pixels): the pooled edge of an Activate (docs/isa.md). One formula for the compiler,
/// the decode stage and the activation unit.
constexpr std::uint64_t pooled_extent(std::uint64_t pixels, std::uint64_t window, std::uint64_t stride) {
    return (pixels - window) / stride + 1;
}

/// Element-wise operation of the Vector instruction.
enum class VectorOp : std::uint8_t { Add = 0, Multiply = 1 };

/// What a Sync instruction waits for.
enum class SyncMode : std::uint8_t {
    Units = 0,     // every unit named in unit_mask has finished all it was issued
    UbRange = 1,   // no write to UB rows [addr, addr+length) is still outstanding
    AccRange = 2,  // no write to accumulator rows [addr, addr+length) is still outstanding
};

/// Bits of Sync's unit_mask.
enum UnitBit : std::uint8_t {
    kUnitHost = 1u << 0,        // host interface (both DMA directions)
    kUnitWeightFetch = 1u << 1, // weight memory -> weight FIFO
    kUnitMatrix = 1u << 2,      // matrix unit, including results still draining to the accumulators
    kUnitActivation = 1u << 3,  // activation unit (Activate and Vector)
};
inline constexpr std::uint8_t kAllUnits = 0x0F;

/// Registers written by SetConfig, read by the activation unit.
enum class ConfigReg : std::uint8_t {
    RequantMultiplier = 0,  // signed 32-bit multiplier applied to accumulator values
    RequantShift = 1,       // right shift 0..62 after the multiply, rounding half up
    PoolSize = 2,           // pooling window edge k (k x k), 1..15
    PoolStride = 3,         // pooling stride, 1..15
    PoolInputWidth = 4,     // width W of the pixel grid Activate reads (rows = H x W)
    VectorShift = 5,        // right shift 0..30 applied to a Vector result before saturation
};
inline constexpr int kConfigRegCount = 6;

/// A decoded instruction. Members not used by `op` are zero (or their documented default).
/// All operand values are unsigned in the encoding; SetConfig's value is reinterpreted as
/// signed by the registers that are signed.
struct Instruction {
    Opcode op = Opcode::Nop;

    // addresses
    std::uint64_t host_addr = 0;    // byte address in host memory
    std::uint64_t weight_addr = 0;  // byte address in weight memory
    std::uint64_t ub_addr = 0;      // unified-buffer row (a row is max(array rows, cols) bytes)
    std::uint64_t ub_addr2 = 0;     // second UB source row (Vector)
    std::uint64_t ub_dst = 0;       // UB destination row (Vector)
    std::uint64_t acc_addr = 0;     // accumulator entry (row of `cols` 32-bit values)

    // lengths and shapes
    std::uint64_t rows = 0;         // vector count (inner count for the convolve form)
    std::uint64_t outer = 1;        // convolve form: outer count
    std::uint64_t step = 1;         // convolve form: UB row step between inner vectors
    std::uint64_t pitch = 0;        // convolve form: UB row step between outer groups
    std::uint64_t tile_rows = 0;    // Read_Weights: stored tile rows (<= array rows)
    std::uint64_t tile_cols = 0;    // Read_Weights: stored tile columns (<= array cols)
    std::uint64_t count = 1;        // Read_Weights: consecutive tiles (repeat count)
    std::uint64_t cycles = 0;       // Nop: idle cycles (repeat count)

    // flags
    std::uint64_t accumulate = 0;     // MatrixMultiply: add into the accumulators
    std::uint64_t switch_weights = 0; // MatrixMultiply: switch to the next weight tile first
    std::uint64_t convolve = 0;       // MatrixMultiply: use outer/step/pitch addressing

    // unit-specific selectors
    std::uint64_t function = 0;    // Activate: Function
    std::uint64_t pool = 0;        // Activate: Pool
    std::uint64_t vector_op = 0;   // Vector: VectorOp
    std::uint64_t sync_mode = 0;   // Sync: SyncMode
    std::uint64_t unit_mask = 0;   // Sync (mode Units): UnitBit mask
    std::uint64_t sync_addr = 0;   // Sync (range modes): first row
    std::uint64_t sync_length = 0; // Sync (range modes): row count
    std::uint64_t reg = 0;         // SetConfig: ConfigReg
    std::uint64_t value = 0;       // SetConfig: register value (two's complement if signed)

};

/// Member-wise equality (C++17 has no defaulted comparison).
bool operator==(const Instruction& a, const Instruction& b);
inline bool operator!=(const Instruction& a, const Instruction& b) { return !(a == b); }

}  // namespace tpusim::isa
