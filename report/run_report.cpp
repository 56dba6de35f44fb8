#include "report/run_report.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tpusim::report {

RunSummary summarize(const config::ChipConfig& chip, const sim::RunResult& run) {
    const auto& mu = sim::find_group(run.stats, "matrix_unit");
    const auto& wm = sim::find_group(run.stats, "weight_memory");
    RunSummary s;
    s.chip = chip.name;
    s.cycles = run.cycles;
    s.clock_hz = chip.clock_hz;
    s.seconds = static_cast<double>(run.cycles) / static_cast<double>(chip.clock_hz);
    s.macs = mu.get("useful_macs");
    s.weight_bytes = wm.get("bytes_read");
    s.tops = s.seconds > 0 ? 2.0 * static_cast<double>(s.macs) / s.seconds / 1e12 : 0;
    s.peak_tops = chip.peak_tops();
    s.macs_per_weight_byte = s.weight_bytes ? static_cast<double>(s.macs) / static_cast<double>(s.weight_bytes) : 0;
    const double memory_roof = 2.0 * s.macs_per_weight_byte * static_cast<double>(chip.weight_memory.bandwidth_bytes_per_s) / 1e12;
    s.roofline_tops = s.weight_bytes ? std::min(s.peak_tops, memory_roof) : s.peak_tops;
    const double total = run.cycles ? static_cast<double>(run.cycles) : 1.0;
    auto pct = [&](const char* name) { return 100.0 * static_cast<double>(mu.get(name)) / total; };
    auto& b = s.breakdown;
    b.array_active = pct("array_active");
    const double useful = static_cast<double>(mu.get("useful_macs")), unused = static_cast<double>(mu.get("unused_macs"));
    b.useful_macs = useful + unused > 0 ? b.array_active * useful / (useful + unused) : 0;
    b.unused_macs = b.array_active - b.useful_macs;
    b.weight_stall = pct("weight_stall");
    b.weight_shift = pct("weight_shift");
    b.non_matrix = pct("non_matrix");
    b.raw_stall = pct("raw_stall");
    b.input_stall = pct("input_stall");
    return s;
}

std::string format_text(const RunSummary& s, const sim::RunResult& run) {
    std::string out;
    out += fmt::format("chip                 {}\n", s.chip);
    out += fmt::format("cycles               {}\n", s.cycles);
    out += fmt::format("time                 {:.3f} us at {:.0f} MHz\n", s.seconds * 1e6, static_cast<double>(s.clock_hz) / 1e6);
    out += fmt::format("MACs                 {}\n", s.macs);
    out += fmt::format("weight bytes read    {}\n", s.weight_bytes);
    out += fmt::format("TOPS                 {:.3f} achieved, {:.2f} peak ({:.1f}% of peak)\n", s.tops, s.peak_tops,
                       s.peak_tops > 0 ? 100.0 * s.tops / s.peak_tops : 0.0);
    if (s.weight_bytes)
        out += fmt::format("intensity            {:.1f} MACs per weight byte; roofline bound {:.2f} TOPS ({:.1f}% reached)\n",
                           s.macs_per_weight_byte, s.roofline_tops, s.roofline_tops > 0 ? 100.0 * s.tops / s.roofline_tops : 0.0);
    const auto& b = s.breakdown;
    out += "\nmatrix unit cycles (TPUv1 counter categories, percent of all cycles)\n";
    out += fmt::format("  array active       {:6.2f} %\n", b.array_active);
    out += fmt::format("    useful MACs      {:6.2f} %\n", b.useful_macs);
    out += fmt::format("    unused MACs      {:6.2f} %\n", b.unused_macs);
    out += fmt::format("  weight stall       {:6.2f} %\n", b.weight_stall);
    out += fmt::format("  weight shift       {:6.2f} %\n", b.weight_shift);
    out += fmt::format("  non-matrix         {:6.2f} %\n", b.non_matrix);
    out += fmt::format("    RAW stall        {:6.2f} %\n", b.raw_stall);
    out += fmt::format("    input stall      {:6.2f} %\n", b.input_stall);
    out += "\nper-unit statistics\n";
    out += sim::stats_to_table(run.stats);
    return out;
}

std::string format_json(const RunSummary& s, const sim::RunResult& run) {
    const auto& b = s.breakdown;
    std::string out = "{\n";
    out += fmt::format("  \"chip\": {},\n", sim::json_quote(s.chip));
    out += fmt::format("  \"cycles\": {},\n  \"clock_hz\": {},\n  \"seconds\": {:.9g},\n", s.cycles, s.clock_hz, s.seconds);
    out += fmt::format("  \"macs\": {},\n  \"weight_bytes\": {},\n", s.macs, s.weight_bytes);
    out += fmt::format("  \"tops\": {:.6g},\n  \"peak_tops\": {:.6g},\n", s.tops, s.peak_tops);
    out += fmt::format("  \"ops_per_weight_byte\": {:.6g},\n  \"roofline_tops\": {:.6g},\n", s.macs_per_weight_byte, s.roofline_tops);
    out += fmt::format(
        "  \"breakdown\": {{\"array_active\": {:.4f}, \"useful_macs\": {:.4f}, \"unused_macs\": {:.4f}, "
        "\"weight_stall\": {:.4f}, \"weight_shift\": {:.4f}, \"non_matrix\": {:.4f}, \"raw_stall\": {:.4f}, "
        "\"input_stall\": {:.4f}}},\n",
        b.array_active, b.useful_macs, b.unused_macs, b.weight_stall, b.weight_shift, b.non_matrix, b.raw_stall,
        b.input_stall);
    out += "  \"instructions\": [\n";
    for (std::size_t i = 0; i < run.instructions.size(); ++i) {
        const auto& r = run.instructions[i];
        out += fmt::format("    {{\"index\": {}, \"unit\": \"{}\", \"issue\": {}, \"start\": {}, \"end\": {}, \"stall\": \"{}\"}}{}\n", i,
                           sim::unit_name(r.unit), r.issue, r.start, r.end, sim::stall_name(r.stall),
                           i + 1 < run.instructions.size() ? "," : "");
    }
    out += "  ],\n";
    out += "  \"stats\": " + sim::stats_to_json(run.stats, 2) + "\n}\n";
    return out;
}

}  // namespace tpusim::report
