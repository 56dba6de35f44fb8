// The 16-byte instruction word: encoding and decoding, both driven by the form table.
#pragma once

#include "isa/instruction.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace tpusim::isa {

using InstructionWord = std::array<std::uint8_t, kInstructionBytes>;

/// Encodes a valid instruction. Throws tpusim::Error naming the form and the field when a
/// value does not fit its field or breaks a rule of the form (docs/isa.md); an instruction
/// that encodes decodes back to an equal one.
InstructionWord encode(const Instruction& inst);

/// Decodes the kInstructionBytes bytes at `word`. Throws ProgramFormatError naming the
/// instruction `index`, the byte of the word and the problem (bad opcode, reserved bits
/// set, a value outside its field's range).
Instruction decode(const std::uint8_t* word, std::size_t index);

/// decode() without the exception, for callers that report the place themselves.
struct DecodeResult {
    Instruction inst;
    std::string problem;   // empty when the word is valid
    std::size_t byte = 0;  // byte of the word the problem is in
};
DecodeResult try_decode(const std::uint8_t* word);

}  // namespace tpusim::isa
