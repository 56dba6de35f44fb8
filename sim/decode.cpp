#include "sim/decode.hpp"

#include "isa/forms.hpp"
#include "sim/activation_registers.hpp"
#include "sim/sim_error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tpusim::sim {

using isa::Instruction;
using isa::Opcode;

std::string describe_instruction(const isa::Program& program, std::size_t index) {
    const auto* form = isa::form_of(program.code[index]);
    return fmt::format("instruction {} ({})", index, form ? form->mnemonic : "?");
}

namespace {

class Decoder {
public:
    Decoder(const isa::Program& program, const config::ChipConfig& chip, std::uint64_t host_bytes)
        : program_(program),
          chip_(chip),
          host_bytes_(host_bytes),
          width_(chip.ub_row_bytes()),
          ub_rows_(chip.ub_rows()),
          acc_rows_(chip.acc.entries) {}

    std::vector<DecodedInstruction> run() {
        check_signature();
        // Programs read from files or assembled hold valid instruction words already; a
        // program built in memory (a test, a compiler) is held to the same rules here, on
        // every word, also after a halt, so the checks below only concern the chip. Those
        // stop at the first halt: what follows it is neither executed nor checked against
        // the chip (docs/arithmetic.md, "sync, nop and halt").
        for (index_ = 0; index_ < program_.code.size(); ++index_) {
            const auto& in = program_.code[index_];
            const auto* form = isa::form_of(in);
            const auto problem = form ? isa::instruction_problem(*form, in)
                                      : fmt::format("opcode {:#04x} is not an instruction", static_cast<unsigned>(in.op));
            if (!problem.empty()) throw ProgramError(fmt::format("{}: {}", describe_instruction(program_, index_), problem));
        }
        if (const auto problem = isa::program_problem(program_); !problem.empty())
            throw ProgramError("invalid program: " + problem);
        std::vector<DecodedInstruction> out;
        out.reserve(program_.code.size());
        for (index_ = 0; index_ < program_.code.size(); ++index_) {
            out.push_back(decode(program_.code[index_]));
            if (program_.code[index_].op == Opcode::Halt) break;
        }
        return out;
    }

private:
    [[noreturn]] void fail(const std::string& field, const std::string& what) const {
        throw ProgramError(fmt::format("{}: {}: {}", describe_instruction(program_, index_), field, what));
    }

    void check_signature() const {
        const auto want = chip_.signature();
        const auto& got = program_.chip;
        if (got == want) return;
        throw ProgramError(fmt::format(
            "program was compiled for another chip: program has rows={} cols={} ub_bytes={} acc_entries={} "
            "weight_bytes={}, chip '{}' has rows={} cols={} ub_bytes={} acc_entries={} weight_bytes={}",
            got.rows, got.cols, got.ub_bytes, got.acc_entries, got.weight_bytes, chip_.name, want.rows, want.cols,
            want.ub_bytes, want.acc_entries, want.weight_bytes));
    }

    /// Rows [first, first+count) must lie in a memory of `limit` rows.
    void check_rows(const char* field, std::uint64_t first, std::uint64_t count, std::uint64_t limit,
                    const char* memory) const {
        if (first >= limit || count > limit - first)
            fail(field, fmt::format("rows {:#x}..{:#x} exceed the {} ({} rows)", first, first + count - 1, memory,
                                    limit));
    }

    DecodedInstruction decode(const Instruction& in) {
        DecodedInstruction d;
        switch (in.op) {
            case Opcode::ReadHostMemory:
            case Opcode::WriteHostMemory: {
                const bool to_ub = in.op == Opcode::ReadHostMemory;
                d.unit = to_ub ? Unit::HostIn : Unit::HostOut;
                d.vectors = in.rows;
                d.bytes = in.rows * width_;
                check_rows("ub_addr", in.ub_addr, in.rows, ub_rows_, "unified buffer");
                if (in.host_addr >= host_bytes_ || d.bytes > host_bytes_ - in.host_addr)
                    fail("host_addr", fmt::format("bytes {:#x}..{:#x} exceed host memory ({} bytes)", in.host_addr,
                                                  in.host_addr + d.bytes - 1, host_bytes_));
                d.accesses = {Access{Memory::UnifiedBuffer, in.ub_addr, in.ub_addr + in.rows, to_ub},
                              Access{Memory::Host, in.host_addr, in.host_addr + d.bytes, !to_ub}};
                break;
            }
            case Opcode::ReadWeights: {
                d.unit = Unit::WeightFetch;
                if (in.tile_rows < 1 || in.tile_rows > chip_.matrix.rows)
                    fail("tile_rows", fmt::format("{} is not in 1..{} (the array's rows)", in.tile_rows, chip_.matrix.rows));
                if (in.tile_cols < 1 || in.tile_cols > chip_.matrix.cols)
                    fail("tile_cols", fmt::format("{} is not in 1..{} (the array's columns)", in.tile_cols, chip_.matrix.cols));
                d.bytes = in.tile_rows * in.tile_cols;
                const std::uint64_t total = d.bytes * in.count;
                const std::uint64_t cap = chip_.weight_memory.capacity_bytes;
                if (in.weight_addr >= cap || total > cap - in.weight_addr)
                    fail("weight_addr", fmt::format("bytes {:#x}..{:#x} exceed weight memory ({} bytes)",
                                                    in.weight_addr, in.weight_addr + total - 1, cap));
                d.tile = tiles_requested_;
                tiles_requested_ += static_cast<std::uint32_t>(in.count);
                d.vectors = in.count;
                break;
            }
            case Opcode::MatrixMultiply: {
                d.unit = Unit::Matrix;
                d.vectors = in.rows * in.outer;
                const std::uint64_t last = in.ub_addr + (in.outer - 1) * in.pitch + (in.rows - 1) * in.step;
                check_rows("ub_addr", in.ub_addr, last - in.ub_addr + 1, ub_rows_, "unified buffer");
                check_rows("acc_addr", in.acc_addr, d.vectors, acc_rows_, "accumulators");
                if (in.switch_weights) {
                    if (tiles_consumed_ >= tiles_requested_)
                        fail("switch", "the weight FIFO is empty and no read_weights before it is left to fill it");
                    d.tile = tiles_consumed_++;
                    active_tile_ = true;
                } else if (!active_tile_) {
                    fail("switch", "no weight tile is active yet: the first matrix_multiply must switch=1");
                }
                d.accesses = {Access{Memory::UnifiedBuffer, in.ub_addr, last + 1, false},
                              Access{Memory::Accumulators, in.acc_addr, in.acc_addr + d.vectors, true}};
                break;
            }
            case Opcode::Activate: {
                d.unit = Unit::Activation;
                check_rows("acc_addr", in.acc_addr, in.rows, acc_rows_, "accumulators");
                d.vectors = in.rows;
                d.out_rows = in.pool == static_cast<std::uint64_t>(isa::Pool::None) ? in.rows : pooled_rows(in.rows);
                check_rows("ub_addr", in.ub_addr, d.out_rows, ub_rows_, "unified buffer");
                d.accesses = {Access{Memory::Accumulators, in.acc_addr, in.acc_addr + in.rows, false},
                              Access{Memory::UnifiedBuffer, in.ub_addr, in.ub_addr + d.out_rows, true}};
                break;
            }
            case Opcode::Vector: {
                d.unit = Unit::Activation;
                check_rows("a", in.ub_addr, in.rows, ub_rows_, "unified buffer");
                check_rows("b", in.ub_addr2, in.rows, ub_rows_, "unified buffer");
                check_rows("dst", in.ub_dst, in.rows, ub_rows_, "unified buffer");
                d.vectors = in.rows;
                d.out_rows = in.rows;
                d.accesses = {Access{Memory::UnifiedBuffer, in.ub_addr, in.ub_addr + in.rows, false},
                              Access{Memory::UnifiedBuffer, in.ub_addr2, in.ub_addr2 + in.rows, false},
                              Access{Memory::UnifiedBuffer, in.ub_dst, in.ub_dst + in.rows, true}};
                break;
            }
            case Opcode::SetConfig:
                d.unit = Unit::Activation;
                regs_.set(in);
                break;
            case Opcode::Sync:
                d.unit = Unit::Controller;
                if (in.sync_mode == static_cast<std::uint64_t>(isa::SyncMode::UbRange))
                    check_rows("addr", in.sync_addr, in.sync_length, ub_rows_, "unified buffer");
                if (in.sync_mode == static_cast<std::uint64_t>(isa::SyncMode::AccRange))
                    check_rows("addr", in.sync_addr, in.sync_length, acc_rows_, "accumulators");
                break;
            case Opcode::Nop:
            case Opcode::Halt:
                d.unit = Unit::Controller;
                break;
        }
        return d;
    }

    std::uint64_t pooled_rows(std::uint64_t rows) const {
        const std::uint64_t w = regs_.pool_input_width, k = regs_.pool_size, s = regs_.pool_stride;
        if (rows % w != 0)
            fail("rows", fmt::format("{} rows are not a whole number of pool_input_width={} pixel rows", rows, w));
        const std::uint64_t h = rows / w;
        if (h < k || w < k)
            fail("pool", fmt::format("the {}x{} pixel grid is smaller than the {}x{} pooling window", h, w, k, k));
        return isa::pooled_extent(h, k, s) * isa::pooled_extent(w, k, s);
    }

    const isa::Program& program_;
    const config::ChipConfig& chip_;
    std::uint64_t host_bytes_, width_, ub_rows_, acc_rows_;
    std::size_t index_ = 0;
    std::uint32_t tiles_requested_ = 0, tiles_consumed_ = 0;
    bool active_tile_ = false;
    ActivationRegisters regs_;  // decode's copy: only the pooling registers are used here
};

}  // namespace

std::vector<DecodedInstruction> decode_program(const isa::Program& program, const config::ChipConfig& chip,
                                               std::uint64_t host_bytes) {
    return Decoder(program, chip, host_bytes).run();
}

}  // namespace tpusim::sim
