#include "targets.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <unistd.h>

namespace tpusim::bench {
namespace {

constexpr double kTimingOnlyCyclesPerS = 10e6;  // timing-only: >= 10 M simulated cycles/s
constexpr double kDataShareOfHost = 0.5;        // with data: >= half the host's int8 matmul

struct Variant {
    const char* benchmark;
    const char* label;
};
const Variant kTimingOnly[] = {
    {"BM_timing_only_weight_bound_256", "256x256 weight-bound (256 vectors/tile)"},
    {"BM_timing_only_array_bound_256", "256x256 array-bound (2,048 vectors/tile)"},
};
const Variant kWithData[] = {
    {"BM_with_data_weight_bound_256", "256x256 weight-bound (256 vectors/tile)"},
    {"BM_with_data_array_bound_256", "256x256 array-bound (2,048 vectors/tile)"},
};
// The host's int8 matmul: the fastest of these that ran (oneDNN only when built with it).
const Variant kYardsticks[] = {
    {"BM_host_plain_int8_matmul_256", "plain loops"},
    {"BM_sim_kernel_int8_matmul_256", "tpusim's own kernel"},
    {"BM_host_onednn_int8_matmul_256", "oneDNN"},
};

std::string si(double v) {
    if (v >= 1e12) return fmt::format("{:.2f} T", v / 1e12);
    if (v >= 1e9) return fmt::format("{:.2f} G", v / 1e9);
    if (v >= 1e6) return fmt::format("{:.2f} M", v / 1e6);
    if (v >= 1e3) return fmt::format("{:.2f} k", v / 1e3);
    return fmt::format("{:.0f}", v);
}

const char* verdict(double ratio) { return ratio >= 1.0 ? "met" : "NOT met"; }

}  // namespace

// Colour only on a terminal, as the library's own console reporter does by default.
TargetReporter::TargetReporter() : ConsoleReporter(isatty(fileno(stdout)) ? OO_ColorTabular : OO_Tabular) {}

void TargetReporter::ReportRuns(const std::vector<Run>& runs) {
    for (const Run& run : runs) {
        if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
        auto& kept = counters_[run.run_name.function_name];
        for (const auto& [name, counter] : run.counters) kept[name] = counter.value;
    }
    ConsoleReporter::ReportRuns(runs);
}

void TargetReporter::print_targets(std::ostream& out) const {
    const auto find = [&](const char* benchmark, const char* counter) -> const double* {
        const auto b = counters_.find(benchmark);
        if (b == counters_.end()) return nullptr;
        const auto c = b->second.find(counter);
        return c == b->second.end() ? nullptr : &c->second;
    };
    const auto active = [&](const char* benchmark) {
        const double* a = find(benchmark, "array_active");
        return a ? fmt::format(", array active {:.0f} % of cycles", 100.0 * *a) : std::string();
    };
    out << "\nTargets (docs/performance.md)\n";
    out << fmt::format("timing only: >= {} simulated cycles per host second\n", si(kTimingOnlyCyclesPerS));
    for (const Variant& v : kTimingOnly) {
        const double* rate = find(v.benchmark, "sim_cycles_per_s");
        if (!rate) {
            out << fmt::format("  {}: not run\n", v.label);
            continue;
        }
        const double ratio = *rate / kTimingOnlyCyclesPerS;
        out << fmt::format("  {}: {} cycles/s{} = {:.1f} x target: {}\n", v.label, si(*rate), active(v.benchmark), ratio,
                           verdict(ratio));
    }
    const double* host = nullptr;
    const char* host_label = "";
    for (const Variant& y : kYardsticks) {
        const double* rate = find(y.benchmark, "MAC_per_s");
        if (rate && (!host || *rate > *host)) {
            host = rate;
            host_label = y.label;
        }
    }
    if (!host) {
        out << "with data: needs a host int8 matmul benchmark, none ran\n";
        return;
    }
    out << fmt::format("with data: >= {:.0f} % of the host's fastest int8 matmul ({}, {} MAC/s)\n",
                       100 * kDataShareOfHost, host_label, si(*host));
    for (const Variant& v : kWithData) {
        const double* rate = find(v.benchmark, "MAC_per_s");
        if (!rate) {
            out << fmt::format("  {}: not run\n", v.label);
            continue;
        }
        const double share = *rate / *host;
        out << fmt::format("  {}: {} MAC/s{} = {:.0f} % of the host: {}\n", v.label, si(*rate), active(v.benchmark),
                           100 * share, verdict(share / kDataShareOfHost));
    }
}

}  // namespace tpusim::bench
