// Catch2's runner for test executables that link SystemC: SystemC's library supplies
// main() and calls sc_main, so the session starts here. Each simulation in a test builds
// its own SystemC context (sim/simulation.cpp), so a process can run many.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

namespace {
// SystemC prints its banner before sc_main unless this is set at static initialisation.
const bool kQuietSystemC = ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0) == 0;
}  // namespace

extern "C" int sc_main(int argc, char* argv[]) {
    return Catch::Session().run(argc, argv);
}
