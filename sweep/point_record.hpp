// The outcome of one workload on one point of a sweep: what the child process that ran it
// leaves in DIR/points/, and what results.csv is assembled from. A record is written to a
// temporary file and renamed into place, so a file that exists is complete; that is what
// lets an interrupted sweep resume.
#pragma once

#include "report/run_report.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tpusim::sweep {

enum class Status {
    Ok,
    InvalidConfig,  // the point's chip fails a check of the chip file (docs/config.md)
    CompileFailed,  // the workload does not fit the point's chip
    SimFailed,      // the simulator rejected the compiled program (a compiler bug)
    Crashed,        // the process running it died; never written to disk, so it is retried
};

/// "ok", "invalid-config", "compile-failed", "sim-failed", "crashed".
const char* status_name(Status status);

struct PointRecord {
    std::string key;       // what the result depends on, hashed (see run_key)
    std::string workload;  // workload_name() of its file
    Status status = Status::Ok;
    std::string reason;    // one line; empty when ok
    std::vector<report::Figure> figures;  // summary_figures() of the run; empty unless ok

    /// The figure's text, or "" when absent.
    std::string figure(const std::string& name) const;
};

std::string format_point_record(const PointRecord& record);

/// The record in `path`, or nothing when the file is missing or is not a complete record
/// (a sweep treats both as "not run yet").
std::optional<PointRecord> read_point_record(const std::string& path);

/// Writes `text` to `path` through a temporary file in the same directory and a rename,
/// so that readers see either no file or the whole of it. Throws Error on failure.
void write_file_atomically(const std::string& path, const std::string& text);

/// 64-bit FNV-1a of `text` as 16 hex digits: names a point's inputs in a file name.
std::string hash_text(const std::string& text);

}  // namespace tpusim::sweep
