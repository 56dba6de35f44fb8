// Typed errors. Library code throws; only the CLI decides how to report and exit.
#pragma once

#include <stdexcept>
#include <string>

namespace tpusim {

/// Base of every error a user can cause (bad input, bad program, bad config). The message
/// is one line that names the place (file:line:column, byte offset or instruction index)
/// and what was expected.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace tpusim

namespace tpusim::isa {

/// Assembly text that is not a valid program: "file:line: message".
class AsmError : public Error {
public:
    using Error::Error;
};

/// A binary program file that is truncated, corrupt or of another format version.
class ProgramFormatError : public Error {
public:
    using Error::Error;
};

}  // namespace tpusim::isa
