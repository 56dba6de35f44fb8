// SystemC's library supplies main() and calls sc_main; the benchmark session starts here.
#include "targets.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>

namespace {
const bool kQuietSystemC = ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0) == 0;
}  // namespace

extern "C" int sc_main(int argc, char* argv[]) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    tpusim::bench::TargetReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    std::cout.flush();
    reporter.print_targets(std::cout);
    benchmark::Shutdown();
    return 0;
}
