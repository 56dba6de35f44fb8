// What `tpusim compile` writes besides the program and the images: the memory map (text
// for people, JSON for scripts) and the per-layer statistics (CSV).
#pragma once

#include "compiler/compile.hpp"

#include <string>

namespace tpusim::compiler {

/// One line per placement, grouped by memory: rows for ub and acc, bytes for weights and host.
std::string memory_map_text(const CompiledWorkload& compiled);
std::string memory_map_json(const CompiledWorkload& compiled);
/// layer,kind,macs,weight_bytes,weights,macs_per_weight_byte; then a "total" row.
std::string layer_stats_csv(const CompiledWorkload& compiled);
/// A few lines: instructions, images, MACs, weight bytes read and intensity.
std::string compile_summary(const CompiledWorkload& compiled);

}  // namespace tpusim::compiler
