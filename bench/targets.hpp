// The speed targets of the simulator (issue: "Speed"), checked against the benchmarks of
// this run: a console reporter that also keeps each benchmark's counters, and then prints
// every target with the measured ratio and whether it is met.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace tpusim::bench {

class TargetReporter : public benchmark::ConsoleReporter {
public:
    TargetReporter();
    void ReportRuns(const std::vector<Run>& runs) override;
    /// One line per target and benchmark; "not run" where a filter left a benchmark out.
    void print_targets(std::ostream& out) const;

private:
    std::map<std::string, std::map<std::string, double>> counters_;  // by benchmark function name
};

}  // namespace tpusim::bench
