// results.csv: one row per point and workload, with every swept parameter, the status
// and every figure of the run's summary, and the speedup over the base point. Columns are
// documented in docs/sweeps.md.
#pragma once

#include "sweep/grid.hpp"
#include "sweep/point_record.hpp"
#include "sweep/sweep_file.hpp"

#include <string>
#include <vector>

namespace tpusim::sweep {

struct ResultRow {
    const Point* point = nullptr;
    std::string chip_file;  // the point's chip file, relative to the sweep's directory
    PointRecord record;     // its workload, status, reason and figures
};

/// The column names, in order.
std::vector<std::string> results_columns(const SweepFile& sweep);

/// The whole file. Speedup is base seconds / point seconds for the same workload,
/// computed from the exact cycle counts and clocks; empty where either run failed.
std::string format_results_csv(const SweepFile& sweep, const std::vector<ResultRow>& rows);

}  // namespace tpusim::sweep
