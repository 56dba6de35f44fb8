#include "sim/controller.hpp"

#include "isa/forms.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tpusim::sim {

using isa::Opcode;

Controller::Controller(sc_core::sc_module_name name, const UnitContext& ctx,
                       std::array<UnitProgress, kUnitCount>& progress)
    : sc_core::sc_module(name), ctx_(ctx), progress_(progress) {
    SC_THREAD(thread);
}

namespace {
/// The units a Sync unit_mask bit stands for.
std::vector<Unit> units_of(std::uint64_t mask) {
    std::vector<Unit> u;
    if (mask & isa::kUnitHost) {
        u.push_back(Unit::HostIn);
        u.push_back(Unit::HostOut);
    }
    if (mask & isa::kUnitWeightFetch) u.push_back(Unit::WeightFetch);
    if (mask & isa::kUnitMatrix) u.push_back(Unit::Matrix);
    if (mask & isa::kUnitActivation) u.push_back(Unit::Activation);
    return u;
}
}  // namespace

void Controller::wait_drained(std::uint64_t mask) {
    Cycle until = now();
    for (Unit u : units_of(mask)) {
        auto& p = progress_[static_cast<int>(u)];
        while (p.started < p.issued) sc_core::wait(p.started_event);
        until = std::max(until, p.last_end);
    }
    wait_until(until);
}

void Controller::thread() {
    Cycle next_issue = 0;
    const auto& code = ctx_.program.code;
    for (pc_ = 0; pc_ < ctx_.decoded.size(); ++pc_) {
        waiting_ = Waiting::Issue;
        wait_until(next_issue);
        const auto& in = code[pc_];
        const auto& d = ctx_.decoded[pc_];
        auto& rec = ctx_.log[pc_];
        rec.unit = d.unit;
        const auto seq = static_cast<std::uint32_t>(pc_);
        if (d.unit != Unit::Controller) {
            waiting_ = Waiting::Stage;
            const Cycle want = now();
            ctx_.scoreboard.declare(seq, d.unit, d.accesses);
            // The stage may be occupied; issue happens in the cycle it frees.
            stages[static_cast<int>(d.unit)]->wait_free();
            rec.issue = now();
            stage_stall_ += rec.issue - want;
            stages[static_cast<int>(d.unit)]->put(Issued{seq, rec.issue});
            progress_[static_cast<int>(d.unit)].issued += 1;
            next_issue = rec.issue + 1;
        } else {
            rec.issue = now();
            waiting_ = Waiting::Sync;
            switch (in.op) {
                case Opcode::Nop:
                    nop_cycles_ += in.cycles;
                    rec.start = rec.issue + 1;
                    rec.end = rec.issue + 1 + in.cycles;
                    break;
                case Opcode::Sync: {
                    bool on_host = false;
                    const bool ranges = in.sync_mode != static_cast<std::uint64_t>(isa::SyncMode::Units);
                    if (!ranges) {
                        wait_drained(in.unit_mask);
                    } else {
                        const Memory m = in.sync_mode == static_cast<std::uint64_t>(isa::SyncMode::UbRange)
                                             ? Memory::UnifiedBuffer : Memory::Accumulators;
                        on_host = ctx_.scoreboard
                                      .wait_clear(seq, Unit::Controller,
                                                  {Access{m, in.sync_addr, in.sync_addr + in.sync_length, false}})
                                      .waits_on_host;
                    }
                    rec.start = rec.issue + 1;
                    rec.end = std::max(now(), rec.issue + 1);
                    if (ranges && rec.end > rec.start) sync_waits_.push_back(SyncWait{rec.start, rec.end, on_host});
                    if (rec.end > rec.start) rec.stall = StallReason::Sync;
                    sync_cycles_ += rec.end - rec.start;
                    break;
                }
                case Opcode::Halt:
                    break;
                default:
                    break;
            }
            if (in.op == Opcode::Halt) break;
            next_issue = rec.end;
        }
        issued_ += 1;
    }
    // Halt, or the end of the program (an implicit Halt): the run ends when every unit
    // has drained.
    if (pc_ == ctx_.decoded.size()) wait_until(next_issue);
    waiting_ = Waiting::Sync;
    const Cycle halt_issue = now();
    wait_drained(isa::kAllUnits);
    end_ = std::max(now(), halt_issue + 1);
    if (pc_ < ctx_.decoded.size()) {
        auto& rec = ctx_.log[pc_];
        rec.start = halt_issue + 1;
        rec.end = end_;
        issued_ += 1;
    }
    sync_cycles_ += end_ - (halt_issue + 1);
    finished_ = true;
}

std::string Controller::state() const {
    if (finished_) return "finished";
    if (pc_ >= ctx_.decoded.size()) return "the implicit halt after the last instruction waits for every unit to finish";
    const auto& in = ctx_.program.code[pc_];
    const std::string who = describe_instruction(ctx_.program, pc_);
    switch (waiting_) {
        case Waiting::Issue: return who + " is being issued";
        case Waiting::Stage:
            return fmt::format("{} waits for the {} stage latch to free", who, unit_name(ctx_.decoded[pc_].unit));
        case Waiting::Sync: break;
    }
    if (in.op == Opcode::Halt) return who + " waits for every unit to finish";
    if (in.sync_mode == static_cast<std::uint64_t>(isa::SyncMode::Units)) {
        std::string names;
        for (Unit u : units_of(in.unit_mask)) names += std::string(names.empty() ? "" : ", ") + unit_name(u);
        return fmt::format("{} waits for {} to finish", who, names);
    }
    const bool ub = in.sync_mode == static_cast<std::uint64_t>(isa::SyncMode::UbRange);
    return fmt::format("{} waits for the writes to {} rows {:#x}..{:#x}", who, ub ? "UB" : "accumulator",
                       in.sync_addr, in.sync_addr + in.sync_length - 1);
}

}  // namespace tpusim::sim
