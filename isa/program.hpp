// A program: the chip it was compiled for, its instructions, and optional annotations
// (layers) that reports use. The binary file format is described in docs/isa.md.
#pragma once

#include "isa/instruction.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::isa {

/// The chip parameters a program was compiled for. Running a program on a chip whose
/// signature differs is an error, because addresses and tile shapes would mean other things.
struct ChipSignature {
    std::uint32_t rows = 0;
    std::uint32_t cols = 0;
    std::uint64_t ub_bytes = 0;
    std::uint32_t acc_entries = 0;
    std::uint64_t weight_bytes = 0;
};
bool operator==(const ChipSignature& a, const ChipSignature& b);
inline bool operator!=(const ChipSignature& a, const ChipSignature& b) { return !(a == b); }

/// A layer of the workload a program was compiled from; reports aggregate per layer.
struct LayerInfo {
    std::string name;
    std::string kind;               // "fc", "conv", "lstm", "pool", "vector", ...
    std::uint64_t macs = 0;         // useful multiply-accumulates of the layer
    std::uint64_t weight_bytes = 0; // weight bytes the layer reads from weight memory
};
bool operator==(const LayerInfo& a, const LayerInfo& b);

struct Program {
    ChipSignature chip;
    std::vector<Instruction> code;
    std::vector<LayerInfo> layers;       // may be empty
    std::vector<std::uint32_t> layer_of; // empty, or one entry per instruction: index into
                                         // `layers`, or kNoLayer
    static constexpr std::uint32_t kNoLayer = 0xFFFFFFFFu;
};
bool operator==(const Program& a, const Program& b);

/// Why `text` cannot be a layer name (is_name) or kind, or empty if it can. Names are
/// non-empty and unique within a program; neither holds control characters or '"', so that
/// every program has an assembly listing.
std::string layer_text_problem(const std::string& text, bool is_name);

/// The first reason `program` cannot be written (an instruction that does not encode, a bad
/// layer name, a layer_of of the wrong length or out of range), or empty if it can.
std::string program_problem(const Program& program);

/// Binary encoding of a whole program file (header, code, annotations). Throws
/// tpusim::Error with program_problem() if the program is not valid.
std::vector<std::uint8_t> serialize(const Program& program);
/// Parses a program file; throws ProgramFormatError naming the byte offset or instruction
/// index of the first problem. `source` names the file in messages.
Program deserialize(const std::vector<std::uint8_t>& bytes, const std::string& source);

Program read_program_file(const std::string& path);
/// Writes the program. An existing file is replaced only if it is a program file (starts
/// with the magic) or `overwrite` is set; any other file is refused.
void write_program_file(const std::string& path, const Program& program, bool overwrite);

}  // namespace tpusim::isa
