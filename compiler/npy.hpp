// NumPy .npy files: the exchange format for workload inputs and weights (read) and for
// network outputs (`tpusim run --workload --out DIR` writes one per output). Format
// versions 1.0 and 2.0, C order, little-endian; dtypes int8 ("|i1") and int32 ("<i4")
// are read, int8 is written.
#pragma once

#include "compiler/network.hpp"
#include "isa/error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::compiler {

/// A file that is not a readable .npy of a supported dtype: "path: what is wrong".
class NpyError : public Error {
public:
    using Error::Error;
};

struct NpyArray {
    std::vector<std::uint64_t> shape;  // empty for a 0-d array (one value)
    std::string dtype;                 // "|i1" or "<i4", as in the header
    std::vector<std::int32_t> values;  // C order, widened to int32
};

/// Parses the bytes of a .npy file; `source` names it in messages.
NpyArray parse_npy(const std::string& bytes, const std::string& source);
NpyArray read_npy(const std::string& path);

/// The values as int8; an int32 value outside -128..127 is an error naming its index.
std::vector<std::int8_t> npy_int8_values(const NpyArray& array, const std::string& source);

/// A version 1.0 .npy file of dtype "|i1" holding `values` with `shape`.
std::string format_npy(const std::vector<std::uint64_t>& shape, const std::vector<std::int8_t>& values);
/// Writes `tensor` with shape [batch, ...shape]. Throws NpyError if the file cannot be written.
void write_npy(const std::string& path, const Tensor& tensor);

}  // namespace tpusim::compiler
