// Workload files: a network described in YAML (docs/workloads.md), read into the compiler's
// Network with every tensor present. Random tensors and `requant: auto` are resolved here
// (compiler/generated_values.hpp), .npy files are read relative to the workload's folder,
// and the result has passed shape inference.
#pragma once

#include "compiler/network.hpp"
#include "isa/error.hpp"

#include <string>

namespace tpusim::compiler {

/// A workload file that is not valid: "file:line:column: where: key: what was expected".
/// Shape errors found by shape inference are CompileError ("file:line: layer ...").
class WorkloadError : public Error {
public:
    using Error::Error;
};

/// Reads the workload file at `path`; relative .npy paths resolve against its folder.
Network load_workload(const std::string& path);

/// Parses workload YAML; `source_name` names it in messages, and its folder is where
/// relative .npy paths resolve.
Network parse_workload(const std::string& yaml_text, const std::string& source_name);

}  // namespace tpusim::compiler
