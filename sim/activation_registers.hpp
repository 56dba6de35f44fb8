// The activation unit's configuration registers (docs/isa.md, "The activation unit's
// registers"). The activation unit holds them: Set_Config writes one when it executes, in
// program order with the Activate and Vector instructions around it, which read them.
// The decode stage keeps a copy of its own, written in the same program order, because it
// must know the pooling registers before the run to check an Activate's pooling geometry
// and to size the rows it writes (the hazard scoreboard needs them); it never hands its
// copy to the unit.
#pragma once

#include "isa/forms.hpp"
#include "isa/instruction.hpp"

#include <cstdint>

namespace tpusim::sim {

struct ActivationRegisters {
    std::int64_t requant_multiplier = 0;
    std::uint32_t requant_shift = 0;
    std::uint32_t pool_size = 0;
    std::uint32_t pool_stride = 0;
    std::uint64_t pool_input_width = 0;
    std::uint32_t vector_shift = 0;

    /// The reset values of isa::config_registers() (docs/isa.md).
    ActivationRegisters() {
        for (const auto& r : isa::config_registers()) write(r.reg, r.reset);
    }
    /// Executes Set_Config `in` (its value was range-checked with the instruction word).
    void set(const isa::Instruction& in) {
        write(static_cast<isa::ConfigReg>(in.reg), static_cast<std::int64_t>(in.value));
    }

private:
    void write(isa::ConfigReg reg, std::int64_t v) {
        switch (reg) {
            case isa::ConfigReg::RequantMultiplier: requant_multiplier = v; break;
            case isa::ConfigReg::RequantShift: requant_shift = static_cast<std::uint32_t>(v); break;
            case isa::ConfigReg::PoolSize: pool_size = static_cast<std::uint32_t>(v); break;
            case isa::ConfigReg::PoolStride: pool_stride = static_cast<std::uint32_t>(v); break;
            case isa::ConfigReg::PoolInputWidth: pool_input_width = static_cast<std::uint64_t>(v); break;
            case isa::ConfigReg::VectorShift: vector_shift = static_cast<std::uint32_t>(v); break;
        }
    }
};

}  // namespace tpusim::sim
