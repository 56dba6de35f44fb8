#include "sim/simulation.hpp"

#include "sim/chip.hpp"
#include "sim/decode.hpp"
#include "sim/sim_error.hpp"

#include <systemc>

#include <cstdlib>
#include <memory>

namespace tpusim::sim {

namespace {

/// A SystemC simulation context of its own for one run. SystemC allows elaboration only
/// once per context; a fresh context per run lets a process simulate many times. The
/// previous context is restored (and this one deleted) when the run is over.
class FreshContext {
public:
    FreshContext() : previous_(sc_core::sc_curr_simcontext), previous_default_(sc_core::sc_default_global_context) {
        ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
        context_ = new sc_core::sc_simcontext();
        sc_core::sc_curr_simcontext = context_;
        sc_core::sc_default_global_context = context_;
    }
    ~FreshContext() {
        delete context_;
        sc_core::sc_curr_simcontext = previous_;
        sc_core::sc_default_global_context = previous_default_;
    }
    FreshContext(const FreshContext&) = delete;
    FreshContext& operator=(const FreshContext&) = delete;

private:
    sc_core::sc_simcontext* context_;
    sc_core::sc_simcontext* previous_;
    sc_core::sc_simcontext* previous_default_;
};

}  // namespace

RunResult simulate(const config::ChipConfig& chip, const isa::Program& program, std::vector<std::uint8_t> host,
                   const std::vector<std::uint8_t>& weights, const RunOptions& options) {
    const auto decoded = decode_program(program, chip, host.size());
    RunResult result;
    result.instructions.resize(decoded.size());
    {
        FreshContext context;
        Scoreboard scoreboard;  // holds an event: must belong to this run's context
        const UnitContext ctx{chip, program, decoded, scoreboard, result.instructions, options.data};
        auto top = std::make_unique<Chip>("tpu", ctx, options.array_model, host, weights);
        sc_core::sc_start();
        if (!top->finished())
            throw DeadlockError("the program can never finish: no unit can make progress at cycle " +
                                std::to_string(now()) + " (" + top->state() + ")");
        top->finish();
        result.cycles = top->end_cycle();
        result.stats = top->stats();
        if (options.data) {
            result.ub = top->ub.data();
            result.acc = top->acc.data();
        }
    }
    if (options.data) result.host = std::move(host);
    return result;
}

}  // namespace tpusim::sim
