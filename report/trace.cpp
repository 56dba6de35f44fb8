#include "report/trace.hpp"

#include "isa/forms.hpp"
#include "report/layer_report.hpp"
#include "sim/stats.hpp"

#include <fmt/format.h>

namespace tpusim::report {

std::string chrome_trace(const config::ChipConfig& chip, const isa::Program& program, const sim::RunResult& run) {
    const double us_per_cycle = 1e6 / static_cast<double>(chip.clock_hz);
    std::string out = "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n";
    for (int u = 0; u < sim::kUnitCount; ++u)
        out += fmt::format(
            "{{\"ph\": \"M\", \"pid\": 1, \"tid\": {}, \"name\": \"thread_name\", \"args\": {{\"name\": \"{}\"}}}},\n", u,
            sim::unit_name(static_cast<sim::Unit>(u)));
    for (std::size_t i = 0; i < run.instructions.size(); ++i) {
        const auto& r = run.instructions[i];
        if (r.start == sim::kUnknownCycle) continue;
        const auto* form = isa::form_of(program.code[i]);
        std::string name = form ? form->mnemonic : "?";
        if (i < program.layer_of.size() && program.layer_of[i] != isa::Program::kNoLayer)
            name += " " + program.layers[program.layer_of[i]].name;
        const double ts = static_cast<double>(r.start) * us_per_cycle;
        const double dur = static_cast<double>(r.end > r.start ? r.end - r.start : 0) * us_per_cycle;
        out += fmt::format(
            "{{\"ph\": \"X\", \"pid\": 1, \"tid\": {}, \"name\": {}, \"ts\": {:.6f}, \"dur\": {:.6f}, "
            "\"args\": {{\"index\": {}, \"issue_cycle\": {}, \"start_cycle\": {}, \"end_cycle\": {}, \"stall\": \"{}\", "
            "\"stall_cycles\": {}}}}},\n",
            static_cast<int>(r.unit), sim::json_quote(name), ts, dur, i, r.issue, r.start, r.end,
            sim::stall_name(r.stall), wait_cycles(r));
    }
    out += fmt::format("{{\"ph\": \"M\", \"pid\": 1, \"name\": \"process_name\", \"args\": {{\"name\": {}}}}}\n]}}\n",
                       sim::json_quote("tpusim " + chip.name));
    return out;
}

}  // namespace tpusim::report
