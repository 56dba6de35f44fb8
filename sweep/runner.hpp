// Running a whole sweep: plan the runs, skip those already finished, run the rest in
// parallel child processes and assemble results.csv.
//
// Processes, not threads: SystemC keeps one simulation kernel per process, so two
// simulations can never run side by side in one. Each run forks a child that compiles,
// simulates and writes its record (point_record.hpp) atomically; the parent only plans,
// waits and collects. A child that dies is reported as "crashed" and retried on the next
// invocation; an interrupted sweep started again resumes from the records on disk.
#pragma once

#include "sweep/sweep_file.hpp"

#include <cstddef>
#include <functional>
#include <string>

namespace tpusim::sweep {

struct RunnerOptions {
    std::string out_dir;
    unsigned jobs = 1;   // child processes at once
    bool force = false;  // discard the results of an earlier invocation
};

/// Where a sweep is, after each run finishes (and once before the first).
struct Progress {
    std::size_t runs = 0;      // runs this invocation does (resumed ones excluded)
    std::size_t finished = 0;
    std::size_t failed = 0;    // finished with a status other than ok
    std::size_t running = 0;
    std::size_t resumed = 0;   // found finished on disk
    std::string last;          // the run that just finished: "p003 mlp0: ok"
};

struct SweepSummary {
    std::string results_csv;  // its path
    std::size_t rows = 0;     // points x workloads
    std::size_t ok = 0;
    std::size_t ran = 0;      // runs done by this invocation
    std::size_t resumed = 0;
    std::size_t points = 0;
};

/// Runs `sweep` into options.out_dir. Throws SweepError (bad output directory),
/// config::ConfigError (bad base chip), compiler::WorkloadError or CompileError (a
/// workload file that cannot be read, whatever the chip) and Error (a file that cannot be
/// written or a child that cannot be started). Points that are not valid chips and
/// workloads that do not fit a point are rows of results.csv, not errors.
SweepSummary run_sweep(const SweepFile& sweep, const RunnerOptions& options,
                       const std::function<void(const Progress&)>& on_progress);

}  // namespace tpusim::sweep
