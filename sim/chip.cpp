#include "sim/chip.hpp"

#include "sim/sim_error.hpp"
#include "sim/systolic_cells.hpp"

#include <fmt/format.h>

namespace tpusim::sim {

namespace {

std::size_t tiles_in(const std::vector<DecodedInstruction>& decoded, const isa::Program& program) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < decoded.size(); ++i)
        if (decoded[i].unit == Unit::WeightFetch) n = decoded[i].tile + program.code[i].count;
    return n;
}

std::unique_ptr<MatrixUnit> make_matrix_unit(ArrayModel model, const UnitContext& ctx,
                                             const std::vector<std::uint8_t>& weights, UnitProgress& progress) {
    switch (model) {
        case ArrayModel::Fast: return std::make_unique<FastMatrixUnit>("matrix_unit", ctx, weights, progress);
        case ArrayModel::Cells: return std::make_unique<CellMatrixUnit>("matrix_unit", ctx, weights, progress);
    }
    throw Error("unknown array model");
}

int stage_index(Unit u) { return static_cast<int>(u); }

}  // namespace

Chip::Chip(sc_core::sc_module_name name, const UnitContext& ctx, ArrayModel model, std::vector<std::uint8_t>& host,
           const std::vector<std::uint8_t>& weights)
    : sc_core::sc_module(name),
      ub("unified_buffer", ctx.chip, ctx.data),
      acc("accumulators", ctx.chip, ctx.data),
      stages_{std::make_unique<InstructionStage>("stage_host_in"), std::make_unique<InstructionStage>("stage_host_out"),
              std::make_unique<InstructionStage>("stage_weight_fetch"), std::make_unique<InstructionStage>("stage_matrix"),
              std::make_unique<InstructionStage>("stage_activation")},
      fifo_("weight_fifo", ctx.chip.fifo.depth_tiles, tiles_in(ctx.decoded, ctx.program)),
      controller_("controller", ctx, progress_),
      host_("host_interface", ctx, host, progress_[stage_index(Unit::HostIn)], progress_[stage_index(Unit::HostOut)]),
      weight_memory_("weight_memory", ctx, progress_[stage_index(Unit::WeightFetch)]),
      matrix_(make_matrix_unit(model, ctx, weights, progress_[stage_index(Unit::Matrix)])),
      activation_("activation_unit", ctx, progress_[stage_index(Unit::Activation)]) {
    for (std::size_t i = 0; i < stages_.size(); ++i) controller_.stages[i](*stages_[i]);
    host_.to_ub_stage(*stages_[stage_index(Unit::HostIn)]);
    host_.to_host_stage(*stages_[stage_index(Unit::HostOut)]);
    weight_memory_.stage(*stages_[stage_index(Unit::WeightFetch)]);
    matrix_->stage(*stages_[stage_index(Unit::Matrix)]);
    activation_.stage(*stages_[stage_index(Unit::Activation)]);
    weight_memory_.fifo(fifo_);
    matrix_->fifo(fifo_);
    host_.ub(ub);
    matrix_->ub(ub);
    matrix_->acc(acc);
    activation_.ub(ub);
    activation_.acc(acc);
}

void Chip::finish() { matrix_->finish(controller_.end_cycle(), controller_.sync_waits()); }

std::vector<StatSnapshot> Chip::stats() const {
    return {snapshot(controller_.stats), snapshot(host_.stats), snapshot(weight_memory_.stats),
            snapshot(matrix_->stats), snapshot(activation_.stats), snapshot(ub.ports.stats)};
}

std::vector<TileRecord> Chip::tiles() const {
    std::vector<TileRecord> out;
    for (std::size_t i = 0; i < fifo_.pushed_count(); ++i) {
        const auto& t = fifo_.tile(i);
        out.push_back(TileRecord{t.requested, t.arrival, t.leave});
    }
    return out;
}

std::string Chip::state() const {
    // Units that can only wait for a hazard are described by how far they got.
    const auto progress = [this](Unit u) {
        const auto& p = progress_[static_cast<int>(u)];
        return p.started == p.issued ? std::string("idle")
                                     : fmt::format("{} of {} issued instructions not started", p.issued - p.started,
                                                   p.issued);
    };
    return fmt::format("controller: {}; host_in: {}; host_out: {}; weight_fetch: {}; matrix_unit: {}; activation_unit: {}",
                       controller_.state(), progress(Unit::HostIn), progress(Unit::HostOut), weight_memory_.state(),
                       matrix_->state(), progress(Unit::Activation));
}

}  // namespace tpusim::sim
