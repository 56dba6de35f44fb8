// What a run means to a reader: cycles, time, throughput against the peak and the
// roofline, and where every cycle of the matrix unit went, in the categories of the TPUv1
// performance counters. Built from a finished run; printed as a table or written as JSON
// (schema in docs/reports.md).
#pragma once

#include "config/chip_config.hpp"
#include "report/layer_report.hpp"
#include "sim/simulation.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::report {

struct Breakdown {  // percent of all cycles
    double array_active = 0, useful_macs = 0, unused_macs = 0, weight_stall = 0, weight_shift = 0,
           non_matrix = 0, raw_stall = 0, input_stall = 0;
};

struct RunSummary {
    std::string chip;
    std::string workload;             // the workload's name when the program was compiled from one
    std::uint64_t cycles = 0;
    std::uint64_t clock_hz = 0;
    double seconds = 0;
    std::uint64_t macs = 0;           // useful multiply-accumulates
    std::uint64_t weight_bytes = 0;   // bytes read from weight memory
    double tops = 0;                  // 2 x MACs / seconds / 1e12
    double peak_tops = 0;
    double macs_per_weight_byte = 0;  // operational intensity (0 if no weight was read)
    double roofline_tops = 0;         // min(peak, intensity x weight bandwidth x 2)
    std::uint64_t weight_bandwidth_bytes_per_s = 0;  // the chip's: the slope of its memory roof
    double ridge_macs_per_weight_byte = 0;           // the chip's: where its two roofs meet
    Breakdown breakdown;
};

RunSummary summarize(const config::ChipConfig& chip, const sim::RunResult& run);

/// One number of a summary: its name in report.json ("cycles"; "breakdown.weight_stall"
/// for the breakdown's) and its value as written there.
struct Figure {
    std::string name;
    std::string text;
};

/// Every number of the summary, in report.json's order. report.json, the sweep's point
/// files and results.csv are all written from this one list, so they cannot disagree.
std::vector<Figure> summary_figures(const RunSummary& summary);

/// The terminal report: summary, matrix-unit breakdown, per-unit statistics.
std::string format_text(const RunSummary& summary, const sim::RunResult& run);
/// report.json; `layers` from summarize_layers (empty for a program without layer annotations).
std::string format_json(const RunSummary& summary, const sim::RunResult& run, const std::vector<LayerSummary>& layers);

}  // namespace tpusim::report
