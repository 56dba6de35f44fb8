#include "sweep/point_run.hpp"

#include "compiler/compile.hpp"
#include "report/run_report.hpp"
#include "sim/simulation.hpp"

#include <fmt/format.h>

namespace tpusim::sweep {

std::string run_key(const std::string& chip_key, const std::string& workload_path, const std::string& workload_text,
                    bool data) {
    return hash_text(fmt::format("chip\n{}workload {}\n{}\ndata {}\n", chip_key, workload_path,
                                 hash_text(workload_text), data ? 1 : 0));
}

PointRecord run_point(const compiler::Network& network, const config::ChipConfig& chip, bool data,
                      const std::string& key, const std::string& workload) {
    PointRecord record;
    record.key = key;
    record.workload = workload;
    compiler::CompiledWorkload compiled;
    try {
        compiled = compiler::compile(network, chip);
    } catch (const Error& e) {
        record.status = Status::CompileFailed;
        record.reason = e.what();
        return record;
    }
    sim::RunOptions options;
    options.data = data;
    options.keep_memories = false;  // only the report is kept
    sim::RunResult run;
    try {
        run = sim::simulate(chip, compiled.program, std::move(compiled.host_image), compiled.weight_image, options);
    } catch (const Error& e) {
        record.status = Status::SimFailed;
        record.reason = e.what();
        return record;
    }
    report::RunSummary summary = report::summarize(chip, run);
    summary.workload = workload;
    record.figures = report::summary_figures(summary);
    return record;
}

}  // namespace tpusim::sweep
