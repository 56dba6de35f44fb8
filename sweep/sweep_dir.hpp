// A sweep's output directory (docs/sweeps.md):
//   sweep.json    what was swept (name, axes, workloads, base point); marks the directory
//   chips/ID.yaml the chip file of each point, usable with any tpusim command
//   points/*.json one record per run (point_record.hpp), named by what it depends on
//   results.csv   the table (results_table.hpp)
//   speedup.svg/.png  the plot, drawn by scripts/plot (tpusim sweep runs it)
// A directory is only ever written into if it is empty or holds the output of a sweep of
// the same name, so a mistyped --out cannot overwrite anyone's files.
#pragma once

#include "sweep/grid.hpp"
#include "sweep/sweep_file.hpp"

#include <string>
#include <vector>

namespace tpusim::sweep {

/// The plot's name in the directory, without its .svg / .png.
inline constexpr const char* kPlotName = "speedup";

/// Creates `dir` or checks that it may be used (see above). Throws SweepError when `dir`
/// holds anything else.
void prepare_sweep_dir(const std::string& dir, const SweepFile& sweep);

/// Removes the results of an earlier run of the sweep (points/, chips/, results.csv, the plot):
/// what --force starts over from. Call only on a directory prepare_sweep_dir accepted.
void clear_sweep_results(const std::string& dir);

/// Removes what runs killed with their sweep leave behind: temporary files and logs.
void remove_partial_files(const std::string& dir);

/// sweep.json.
std::string format_manifest(const SweepFile& sweep, const std::vector<Point>& points);

}  // namespace tpusim::sweep
