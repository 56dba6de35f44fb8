// Instruction constructors and a small bench for the reference tests: programs are built
// from Instruction structs directly, independent of the assembler.
#pragma once

#include "isa/instruction.hpp"
#include "isa/program.hpp"
#include "tests/support/reference_machine.hpp"

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace tpusim::reference::testing {

inline isa::Instruction read_host(std::uint64_t host_addr, std::uint64_t ub_addr,
                                  std::uint64_t rows) {
    isa::Instruction in;
    in.op = isa::Opcode::ReadHostMemory;
    in.host_addr = host_addr;
    in.ub_addr = ub_addr;
    in.rows = rows;
    return in;
}

inline isa::Instruction write_host(std::uint64_t ub_addr, std::uint64_t host_addr,
                                   std::uint64_t rows) {
    isa::Instruction in;
    in.op = isa::Opcode::WriteHostMemory;
    in.host_addr = host_addr;
    in.ub_addr = ub_addr;
    in.rows = rows;
    return in;
}

inline isa::Instruction read_weights(std::uint64_t weight_addr, std::uint64_t tile_rows,
                                     std::uint64_t tile_cols, std::uint64_t count = 1) {
    isa::Instruction in;
    in.op = isa::Opcode::ReadWeights;
    in.weight_addr = weight_addr;
    in.tile_rows = tile_rows;
    in.tile_cols = tile_cols;
    in.count = count;
    return in;
}

enum Flags : unsigned { kOverwrite = 0, kAccumulate = 1, kSwitch = 2 };

inline isa::Instruction matmul(std::uint64_t ub_addr, std::uint64_t acc_addr, std::uint64_t rows,
                               unsigned flags) {
    isa::Instruction in;
    in.op = isa::Opcode::MatrixMultiply;
    in.ub_addr = ub_addr;
    in.acc_addr = acc_addr;
    in.rows = rows;
    in.accumulate = (flags & kAccumulate) != 0 ? 1 : 0;
    in.switch_weights = (flags & kSwitch) != 0 ? 1 : 0;
    return in;
}

inline isa::Instruction convolve(std::uint64_t ub_addr, std::uint64_t acc_addr,
                                 std::uint64_t rows, std::uint64_t outer, std::uint64_t step,
                                 std::uint64_t pitch, unsigned flags) {
    isa::Instruction in = matmul(ub_addr, acc_addr, rows, flags);
    in.convolve = 1;
    in.outer = outer;
    in.step = step;
    in.pitch = pitch;
    return in;
}

inline isa::Instruction activate(std::uint64_t acc_addr, std::uint64_t ub_addr,
                                 std::uint64_t rows, isa::Function function,
                                 isa::Pool pool = isa::Pool::None) {
    isa::Instruction in;
    in.op = isa::Opcode::Activate;
    in.acc_addr = acc_addr;
    in.ub_addr = ub_addr;
    in.rows = rows;
    in.function = static_cast<std::uint64_t>(function);
    in.pool = static_cast<std::uint64_t>(pool);
    return in;
}

inline isa::Instruction vector(isa::VectorOp op, std::uint64_t a, std::uint64_t b,
                               std::uint64_t dst, std::uint64_t rows) {
    isa::Instruction in;
    in.op = isa::Opcode::Vector;
    in.vector_op = static_cast<std::uint64_t>(op);
    in.ub_addr = a;
    in.ub_addr2 = b;
    in.ub_dst = dst;
    in.rows = rows;
    return in;
}

inline isa::Instruction set_config(isa::ConfigReg reg, std::uint64_t value) {
    isa::Instruction in;
    in.op = isa::Opcode::SetConfig;
    in.reg = static_cast<std::uint64_t>(reg);
    in.value = value;
    return in;
}

/// The two's-complement encoding set_config carries for a signed value.
inline std::uint64_t encode_signed(std::int64_t value) { return static_cast<std::uint64_t>(value); }

inline isa::Instruction plain(isa::Opcode op) {
    isa::Instruction in;
    in.op = op;
    return in;
}

/// Int8 values as the bytes of a host or weight image.
inline std::vector<std::uint8_t> bytes(std::initializer_list<int> values) {
    std::vector<std::uint8_t> out;
    for (int v : values) {
        out.push_back(static_cast<std::uint8_t>(static_cast<std::int8_t>(v)));
    }
    return out;
}

inline MachineShape shape(std::uint32_t rows, std::uint32_t cols, std::uint64_t ub_rows = 16,
                          std::uint32_t acc_entries = 16, std::uint64_t weight_capacity = 1024) {
    MachineShape s;
    s.rows = rows;
    s.cols = cols;
    s.ub_rows = ub_rows;
    s.acc_entries = acc_entries;
    s.weight_capacity = weight_capacity;
    return s;
}

/// A machine shape, memory images and a program under construction.
struct Bench {
    MachineShape shape;
    std::vector<std::uint8_t> weights;
    std::vector<std::uint8_t> host;
    isa::Program program;

    Bench& operator<<(const isa::Instruction& in) {
        program.code.push_back(in);
        return *this;
    }
    MachineState run() const { return run_reference(shape, program, weights, host); }
};

/// Row `row` of the UB as ints (all W bytes).
inline std::vector<int> ub_row(const MachineState& state, const MachineShape& s,
                               std::uint64_t row) {
    const std::uint32_t w = s.ub_width();
    return std::vector<int>(state.ub.begin() + static_cast<std::ptrdiff_t>(row * w),
                            state.ub.begin() + static_cast<std::ptrdiff_t>((row + 1) * w));
}

/// Accumulator entry `entry` (all C values).
inline std::vector<std::int64_t> acc_row(const MachineState& state, const MachineShape& s,
                                         std::uint64_t entry) {
    return std::vector<std::int64_t>(
        state.acc.begin() + static_cast<std::ptrdiff_t>(entry * s.cols),
        state.acc.begin() + static_cast<std::ptrdiff_t>((entry + 1) * s.cols));
}

}  // namespace tpusim::reference::testing
