// The one way tpusim reads a file the user names (chip configs, workloads, sweep files,
// assembly, program files, data images): whole, with one-line errors, and never endlessly.
// A FIFO, a device such as /dev/zero or a directory is refused before it is read, and a
// file larger than the limit of its kind is refused rather than read until memory runs
// out. It lives here because isa/ is the library every other one may depend on.
#pragma once

#include "isa/error.hpp"

#include <cstdint>
#include <string>

namespace tpusim::isa {

/// A file the user named that cannot be read. Readers of a format with its own error type
/// (ConfigError, WorkloadError, ...) rethrow the message as that type.
class InputFileError : public Error {
public:
    using Error::Error;
};

/// The most tpusim reads of a text input (YAML, assembly): far beyond any real one.
constexpr std::uint64_t kMaxTextInputBytes = std::uint64_t{256} << 20;
/// The most it reads of a binary input (program file, weight or host image, .npy): twice
/// the 8 GiB weight memory of TPUv1, the largest memory an image fills.
constexpr std::uint64_t kMaxBinaryInputBytes = std::uint64_t{16} << 30;

/// The content of the regular file at `path`. Errors, each one line naming the path and,
/// when `noun` is not empty, what the file was to be ("chip config"):
///   "path: cannot open chip config: No such file or directory"
///   "path: cannot read chip config: it is a FIFO, not a regular file"
///   "path: cannot read chip config: it is larger than 256 MiB"
std::string read_input_file(const std::string& path, const std::string& noun, std::uint64_t max_bytes);

}  // namespace tpusim::isa
