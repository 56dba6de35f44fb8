// Catch2's runner for the test executables that do not involve SystemC.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
