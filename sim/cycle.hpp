// Simulated time is counted in clock cycles of the chip. SystemC time is used as a cycle
// counter: one cycle is one SC_NS of SystemC time, whatever the configured clock, so that
// cycle arithmetic is exact; seconds are cycles / clock_hz, computed only for reports.
#pragma once

#include <systemc>

#include <cstdint>
#include <limits>

namespace tpusim::sim {

using Cycle = std::uint64_t;

/// A cycle that is not known yet (an instruction that has not started, say).
inline constexpr Cycle kUnknownCycle = std::numeric_limits<Cycle>::max();

inline sc_core::sc_time cycles(Cycle n) { return sc_core::sc_time(static_cast<double>(n), sc_core::SC_NS); }

inline Cycle now() { return static_cast<Cycle>(sc_core::sc_time_stamp().value() / 1000); }

/// Suspends the calling SystemC thread until cycle `t` (no-op if it has passed).
inline void wait_until(Cycle t) {
    const Cycle n = now();
    if (t > n) sc_core::wait(cycles(t - n));
}

/// ceil(a / b) for unsigned integers.
inline std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

}  // namespace tpusim::sim
