#include "sim/simulation.hpp"

#include "sim/chip.hpp"
#include "sim/decode.hpp"
#include "sim/fresh_context.hpp"
#include "sim/sim_error.hpp"

#include <fmt/format.h>
#include <systemc>

#include <memory>

namespace tpusim::sim {


RunResult simulate(const config::ChipConfig& chip, const isa::Program& program, std::vector<std::uint8_t> host,
                   const std::vector<std::uint8_t>& weights, const RunOptions& options) {
    if (options.data && chip.matrix.cycles_per_vector() != 1)
        throw ProgramError(fmt::format(
            "chip '{}': operand mode {} is modelled for timing only (its 16-bit arithmetic is not); run with --no-data",
            chip.name, config::operand_mode_name(chip.matrix.operand_mode)));
    if (options.array_trace.out && options.array_model != ArrayModel::Cells)
        throw Error("the per-cycle array trace needs the cell-level model (--array-model cells)");
    const auto decoded = decode_program(program, chip, host.size());
    if (options.array_trace.out && (options.array_trace.instruction >= decoded.size() ||
                                    decoded[options.array_trace.instruction].unit != Unit::Matrix))
        throw Error(fmt::format("instruction {} is not a matrix_multiply or convolve of this program: nothing to trace",
                                options.array_trace.instruction));
    RunResult result;
    result.instructions.resize(decoded.size());
    {
        FreshContext context;
        Scoreboard scoreboard;  // holds an event: must belong to this run's context
        const UnitContext ctx{chip, program, decoded, scoreboard, result.instructions, options.data,
                              options.array_trace};
        auto top = std::make_unique<Chip>("tpu", ctx, options.array_model, host, weights);
        sc_core::sc_start();
        if (!top->finished())
            throw DeadlockError("the program can never finish: no unit can make progress at cycle " +
                                std::to_string(now()) + " (" + top->state() + ")");
        top->finish();
        result.cycles = top->end_cycle();
        result.stats = top->stats();
        result.tiles = top->tiles();
        if (options.data && options.keep_memories) {
            result.ub = top->ub.contents();
            result.acc = top->acc.contents();
        }
    }
    if (options.data) result.host = std::move(host);
    return result;
}

}  // namespace tpusim::sim
