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
    s.weight_bandwidth_bytes_per_s = chip.weight_memory.bandwidth_bytes_per_s;
    s.ridge_macs_per_weight_byte = chip.ridge_macs_per_weight_byte();
    const double total = run.cycles ? static_cast<double>(run.cycles) : 1.0;
    auto pct = [&](const char* name) { return 100.0 * static_cast<double>(mu.get(name)) / total; };
    auto& b = s.breakdown;
    b.array_active = pct("array_active");
    const double useful = static_cast<double>(mu.get("useful_macs")), unused = static_cast<double>(mu.get("unused_macs"));
    // Both shares from the counts, not one as the other's difference: a difference of two
    // equal floating-point numbers can come out as -0.0000.
    b.useful_macs = useful + unused > 0 ? b.array_active * useful / (useful + unused) : 0;
    b.unused_macs = useful + unused > 0 ? b.array_active * unused / (useful + unused) : 0;
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
    // TOPS to 4 significant digits, so that the figures shown give the percentages shown.
    out += fmt::format("TOPS                 {:.4g} achieved, {:.4g} peak ({:.1f}% of peak)\n", s.tops, s.peak_tops,
                       s.peak_tops > 0 ? 100.0 * s.tops / s.peak_tops : 0.0);
    if (s.weight_bytes)
        out += fmt::format("intensity            {:.1f} MACs per weight byte; roofline bound {:.4g} TOPS ({:.1f}% reached)\n",
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

std::vector<Figure> summary_figures(const RunSummary& s) {
    const auto& b = s.breakdown;
    const auto count = [](std::uint64_t v) { return fmt::format("{}", v); };
    const auto real = [](double v) { return fmt::format("{:.6g}", v); };
    const auto percent = [](double v) { return fmt::format("{:.4f}", v); };
    return {
        {"cycles", count(s.cycles)},
        {"clock_hz", count(s.clock_hz)},
        {"seconds", fmt::format("{:.9g}", s.seconds)},
        {"macs", count(s.macs)},
        {"weight_bytes", count(s.weight_bytes)},
        {"tops", real(s.tops)},
        {"peak_tops", real(s.peak_tops)},
        {"ops_per_weight_byte", real(s.macs_per_weight_byte)},
        {"roofline_tops", real(s.roofline_tops)},
        {"weight_bandwidth_bytes_per_s", count(s.weight_bandwidth_bytes_per_s)},
        {"ridge_macs_per_weight_byte", real(s.ridge_macs_per_weight_byte)},
        {"breakdown.array_active", percent(b.array_active)},
        {"breakdown.useful_macs", percent(b.useful_macs)},
        {"breakdown.unused_macs", percent(b.unused_macs)},
        {"breakdown.weight_stall", percent(b.weight_stall)},
        {"breakdown.weight_shift", percent(b.weight_shift)},
        {"breakdown.non_matrix", percent(b.non_matrix)},
        {"breakdown.raw_stall", percent(b.raw_stall)},
        {"breakdown.input_stall", percent(b.input_stall)},
    };
}

std::string format_json(const RunSummary& s, const sim::RunResult& run, const std::vector<LayerSummary>& layers) {
    const std::string nested = "breakdown.";
    std::string out = "{\n";
    out += fmt::format("  \"chip\": {},\n", sim::json_quote(s.chip));
    if (!s.workload.empty()) out += fmt::format("  \"workload\": {},\n", sim::json_quote(s.workload));
    std::string breakdown;
    for (const auto& f : summary_figures(s)) {
        if (f.name.compare(0, nested.size(), nested) == 0)
            breakdown += fmt::format("{}\"{}\": {}", breakdown.empty() ? "" : ", ", f.name.substr(nested.size()), f.text);
        else
            out += fmt::format("  \"{}\": {},\n", f.name, f.text);
    }
    out += "  \"breakdown\": {" + breakdown + "},\n";
    out += "  \"layers\": " + layers_json(layers) + ",\n";
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
