#include "sim/waveform.hpp"

#include "sim/fresh_context.hpp"

#include <systemc>

#include <map>
#include <memory>
#include <vector>

namespace tpusim::sim {

namespace {

/// A signal's value over time as a list of changes.
struct Timeline {
    std::string name;
    std::map<Cycle, std::int64_t> deltas;  // level signals: +1/-1 counts
    std::map<Cycle, std::uint32_t> values; // value signals: set at a cycle
};

/// Turns +1/-1 deltas into (cycle, count) changes.
std::vector<std::pair<Cycle, std::uint32_t>> levels(const std::map<Cycle, std::int64_t>& deltas) {
    std::vector<std::pair<Cycle, std::uint32_t>> out;
    std::int64_t level = 0;
    for (const auto& [cycle, d] : deltas) {
        level += d;
        out.emplace_back(cycle, static_cast<std::uint32_t>(level));
    }
    return out;
}

class Replay : public sc_core::sc_module {
public:
    struct Track {
        std::unique_ptr<sc_core::sc_signal<std::uint32_t>> signal;
        std::vector<std::pair<Cycle, std::uint32_t>> changes;
        bool as_bool;
    };

    Replay(sc_core::sc_module_name name, std::vector<Track>& tracks) : sc_core::sc_module(name), tracks_(tracks) {
        SC_THREAD(play);
    }
    SC_HAS_PROCESS(Replay);

private:
    void play() {
        std::map<Cycle, std::vector<std::pair<std::size_t, std::uint32_t>>> at;
        for (std::size_t i = 0; i < tracks_.size(); ++i)
            for (const auto& [c, v] : tracks_[i].changes) at[c].emplace_back(i, tracks_[i].as_bool ? (v > 0) : v);
        for (const auto& [c, writes] : at) {
            wait_until(c);
            for (const auto& [i, v] : writes) tracks_[i].signal->write(v);
        }
    }
    std::vector<Track>& tracks_;
};

}  // namespace

std::string vcd_file_name(const std::string& path) {
    return path.size() > 4 && path.compare(path.size() - 4, 4, ".vcd") == 0 ? path : path + ".vcd";
}

void write_vcd(const std::string& path, const RunResult& run) {
    std::map<Unit, std::map<Cycle, std::int64_t>> busy, waiting;
    std::vector<std::pair<Cycle, std::uint32_t>> pc;
    for (std::size_t i = 0; i < run.instructions.size(); ++i) {
        const auto& r = run.instructions[i];
        if (r.issue == kUnknownCycle || r.start == kUnknownCycle) continue;
        pc.emplace_back(r.issue, static_cast<std::uint32_t>(i));
        if (r.end > r.start) {
            busy[r.unit][r.start] += 1;
            busy[r.unit][r.end] -= 1;
        }
        if (r.start > r.issue + 1) {
            waiting[r.unit][r.issue + 1] += 1;
            waiting[r.unit][r.start] -= 1;
        }
    }
    std::map<Cycle, std::int64_t> fifo;
    for (const auto& t : run.tiles) {
        if (t.requested == kUnknownCycle) continue;
        fifo[t.requested] += 1;
        if (t.leave != kUnknownCycle) fifo[t.leave] -= 1;
    }

    FreshContext context;
    std::vector<Replay::Track> tracks;
    auto add = [&](const std::string& name, std::vector<std::pair<Cycle, std::uint32_t>> changes, bool as_bool) {
        tracks.push_back(Replay::Track{std::make_unique<sc_core::sc_signal<std::uint32_t>>(name.c_str()),
                                       std::move(changes), as_bool});
    };
    for (int u = 0; u < kUnitCount; ++u) {
        const auto unit = static_cast<Unit>(u);
        add(std::string(unit_name(unit)) + "_busy", levels(busy[unit]), true);
        add(std::string(unit_name(unit)) + "_waiting", levels(waiting[unit]), true);
    }
    add("program_counter", pc, false);
    add("weight_fifo_occupancy", levels(fifo), false);
    auto replay = std::make_unique<Replay>("replay", tracks);

    std::string base = vcd_file_name(path);
    base.resize(base.size() - 4);
    // SystemC reports the trace file's time unit as an informational message: not for users.
    const auto info_actions = sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    sc_core::sc_trace_file* tf = sc_core::sc_create_vcd_trace_file(base.c_str());
    tf->set_time_unit(1, sc_core::SC_NS);
    for (const auto& t : tracks) {
        if (t.as_bool)
            sc_core::sc_trace(tf, *t.signal, t.signal->name(), 1);
        else
            sc_core::sc_trace(tf, *t.signal, t.signal->name(), 32);
    }
    sc_core::sc_start(cycles(run.cycles + 1));
    sc_core::sc_close_vcd_trace_file(tf);
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, info_actions);
    replay.reset();
    tracks.clear();
}

}  // namespace tpusim::sim
