// The graph compiler: a Network and a chip in, a program and its memory images out.
// Passes (each in its own file, in this order): shape inference and validation, lowering
// to matrix products and vector operations, tiling onto the array, allocation of the
// unified buffer and accumulators, weight layout, scheduling and emission.
#pragma once

#include "compiler/network.hpp"
#include "config/chip_config.hpp"
#include "isa/error.hpp"
#include "isa/program.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::compiler {

/// Thrown for a workload that cannot be compiled for the chip (it does not fit, a shape
/// error). The message names the workload file, the layer and what was needed.
class CompileError : public Error {
public:
    using Error::Error;
};

/// The most instructions a compiled program may have: 2^22 = 4,194,304, 40 times the
/// largest shipped workload (CNN1, about 100,000). The program file could count 2^32 - 1,
/// but the compiler holds about 560 bytes per instruction while it builds the program
/// (1.4 M instructions take 0.8 GB) and the simulator about as much again, so a bound keeps
/// a run within a few GB; beyond it a workload is a compile error, found before the memory
/// is spent (docs/compiler.md, "Limits").
constexpr std::uint64_t kMaxInstructions = std::uint64_t{1} << 22;

/// Where a tensor lives in a memory: first row (or byte) and extent.
struct Placement {
    std::string tensor;  // tensor or layer name
    std::string memory;  // "ub", "acc", "weights", "host"
    std::uint64_t first = 0;
    std::uint64_t count = 0;  // rows (ub, acc) or bytes (weights, host)
    std::string note;         // e.g. "K tile 2 of 3"
};

/// How to read a network output back from the final host memory image.
struct OutputLocation {
    std::string tensor;
    Shape shape;
    std::uint32_t batch = 1;
    /// Host byte address of element `e` (0 <= e < batch * elements(shape), batch-major,
    /// row-major order) is given by the layout: base + row(e) * row_bytes + column(e).
    std::uint64_t base = 0;
    std::uint64_t row_bytes = 0;
    /// Per element: host byte offset from `base` (kept explicit so unpacking needs no
    /// knowledge of the compiler's layouts).
    std::vector<std::uint64_t> offsets;
};

struct LayerStats {
    std::string name;
    std::string kind;
    std::uint64_t macs = 0;          // useful multiply-accumulates
    std::uint64_t weight_bytes = 0;  // bytes read from weight memory (re-reads included)
    std::uint64_t weights = 0;       // distinct weights of the layer
    double macs_per_weight_byte() const { return weight_bytes ? double(macs) / double(weight_bytes) : 0.0; }
};

struct CompiledWorkload {
    isa::Program program;  // annotated: program.layers and program.layer_of
    std::vector<std::uint8_t> weight_image;
    std::vector<std::uint8_t> host_image;  // inputs placed, room for outputs
    std::vector<Placement> memory_map;
    std::vector<OutputLocation> outputs;
    std::vector<LayerStats> layers;
    LayerStats total;
    std::uint32_t passes = 1;         // times the network runs, on consecutive slices of the batch
    std::uint64_t ub_bytes_used = 0;  // the highest UB row any tensor occupies, in bytes
    std::vector<std::string> spilled;  // tensors kept in host memory (docs/compiler.md, "Spilling")
    /// Layers whose accumulator blocks were made smaller so that their staging fits
    /// (docs/compiler.md, "Spilling"), with the most rows a block may take.
    std::vector<std::pair<std::string, std::uint32_t>> smaller_blocks;
    /// Additions done by the array as two-term products so that their operands can be
    /// spilled (docs/compiler.md, "Spilling").
    std::vector<std::string> folded_adds;
};

/// Takes the network by value: a caller that has no further use for it moves it in rather
/// than copy its tensors (100 MB of weights for CNN1).
CompiledWorkload compile(Network network, const config::ChipConfig& chip);

/// The tensor `out` as found in `host` after a run.
Tensor unpack_output(const OutputLocation& out, const std::vector<std::uint8_t>& host);

}  // namespace tpusim::compiler
