// Scheduling and emission: turns the lowered ops into instructions, pass by pass, in
// program order: input transfers, then per op its border clearing, products, activates
// and vector steps (set_config only where a register changes), output transfers, halt.
// A `sync` goes right in front of every instruction that reads UB rows another unit wrote
// and no earlier sync waited for (SyncPoints).
// Weight reads are placed last (finish), as far ahead of the products that use them as
// the weight FIFO allows.
#pragma once

#include "compiler/host_layout.hpp"
#include "compiler/lowered.hpp"
#include "compiler/streaming.hpp"
#include "compiler/sync_points.hpp"
#include "compiler/tiling.hpp"
#include "isa/program.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tpusim::compiler {

class Emitter {
public:
    /// `workload` names the workload in errors (its file).
    Emitter(const LoweredNetwork& lowered, const HostLayout& host, std::string workload);

    void emit_pass(std::size_t index, const Pass& pass);
    /// The finished program: weight reads inserted, halt appended, layers annotated.
    isa::Program finish(const isa::ChipSignature& chip, const std::vector<LayerStats>& layers);
    /// Weight bytes each layer's products read, re-reads included.
    std::vector<std::uint64_t> weight_bytes_read() const;
    /// The accumulator rows a layer's blocks occupy: disjoint ranges, and the blocks.
    struct AccumulatorUse {
        std::map<std::uint64_t, std::uint64_t> ranges;  // first row -> end row
        std::uint64_t blocks = 0;
    };
    /// Per layer (indexed like the network's layers).
    const std::vector<AccumulatorUse>& accumulator_use() const { return acc_use_; }

private:
    struct Switch {
        std::size_t instruction;  // index in code_
        int tile;
        int layer;
    };

    std::size_t buffer_of(int tensor) const;
    void load_inputs();
    /// Appends `in`, preceded by the syncs it needs; returns its index in code_.
    std::size_t emit(const isa::Instruction& in, int layer);
    void set_register(isa::ConfigReg reg, std::int64_t value, int layer);
    void transfer(isa::Opcode op, std::uint64_t host, std::uint64_t ub, std::uint64_t rows, int layer);
    std::uint64_t accumulator_block(std::uint64_t rows, int layer);

    void emit_matmul(const LoweredOp& op, int index);
    void emit_job_block(const LoweredOp& op, const Job& job, const Block& block, int streamed,
                        const TensorRows* staged);
    void emit_products(const MatmulOp& m, const Term& term, const TensorRows& source, const Block& block,
                       std::uint64_t acc, bool accumulate, const std::array<int, 3>& order, int layer);
    void load_stripe(int buffer, const Staging& staging, std::size_t block, int layer);
    TensorRows staged_rows(int buffer, const Staging& staging, std::size_t block) const;
    std::uint64_t host_base(int buffer) const;
    TensorRows out_staged_rows(const Job& job, const Block& block) const;
    void write_out(const Job& job, const Block& block, const TensorRows& staged, int layer);
    void emit_activation(const MatmulOp& m, const Job& job, const Block& block, std::uint64_t acc,
                         const TensorRows& dest, const std::array<int, 3>& order, int layer);
    void emit_vector(const LoweredOp& op);
    void clear_border(int buffer);

    const LoweredNetwork& lowered_;
    const HostLayout& host_;
    const std::string workload_;
    const Pass* pass_ = nullptr;
    std::size_t pass_index_ = 0;

    std::vector<isa::Instruction> code_;
    std::vector<std::uint32_t> layer_of_;
    std::vector<Switch> switches_;
    SyncPoints syncs_;
    int active_tile_ = -1;
    std::array<std::int64_t, isa::kConfigRegCount> regs_{};  // as the activation unit holds them; reset values first
    std::array<std::uint64_t, 2> acc_cursor_{0, 0};
    std::vector<AccumulatorUse> acc_use_;
    int acc_half_ = 0;
};

}  // namespace tpusim::compiler
