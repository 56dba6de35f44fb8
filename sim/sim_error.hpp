// Errors raised while checking or running a program on the simulated chip.
#pragma once

#include "isa/error.hpp"

namespace tpusim::sim {

/// A program that cannot run on this chip: an operand out of range, a weight tile that is
/// never read, a program compiled for another chip. The message names the instruction
/// index, its mnemonic and the field.
class ProgramError : public Error {
public:
    using Error::Error;
};

/// A program that can never finish (a unit waits for something that will never come).
/// The message lists what every unit is waiting for.
class DeadlockError : public Error {
public:
    using Error::Error;
};

}  // namespace tpusim::sim
