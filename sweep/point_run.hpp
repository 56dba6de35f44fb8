// Running one workload on one point's chip: compile, simulate, summarize. A sweep does this
// in a child process per run (runner.cpp); tests call it directly.
#pragma once

#include "compiler/network.hpp"
#include "config/chip_config.hpp"
#include "sweep/point_record.hpp"

#include <string>

namespace tpusim::sweep {

/// Everything a run's figures depend on, hashed: the chip's parameters (chip_key), the
/// workload file's path and text, and whether the arithmetic runs. Weight values (.npy
/// files) are not part of it because they never change a cycle count.
std::string run_key(const std::string& chip_key, const std::string& workload_path, const std::string& workload_text,
                    bool data);

/// Compiles `network` for `chip` and simulates it. A workload that does not fit the chip
/// is a CompileFailed record with the compiler's message, not an exception.
PointRecord run_point(const compiler::Network& network, const config::ChipConfig& chip, bool data,
                      const std::string& key, const std::string& workload);

}  // namespace tpusim::sweep
