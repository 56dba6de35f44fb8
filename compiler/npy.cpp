#include "compiler/npy.hpp"

#include "isa/input_file.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace tpusim::compiler {

namespace {

const char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

/// The header is a Python dict literal such as
///   {'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }
/// This reads exactly that grammar: quoted keys, and values that are quoted strings,
/// True/False or tuples of non-negative integers.
class HeaderParser {
public:
    HeaderParser(const std::string& text, const std::string& source) : text_(text), source_(source) {}

    NpyArray parse() {
        NpyArray out;
        bool have_descr = false, have_order = false, have_shape = false;
        expect('{');
        while (true) {
            skip_space();
            if (peek() == '}') break;
            const std::string key = quoted();
            expect(':');
            if (key == "descr") {
                out.dtype = quoted();
                have_descr = true;
            } else if (key == "fortran_order") {
                if (word() != "False") fail("Fortran-order arrays are not supported (save with C order)");
                have_order = true;
            } else if (key == "shape") {
                out.shape = tuple();
                have_shape = true;
            } else {
                fail(fmt::format("unexpected header key '{}'", key));
            }
            skip_space();
            if (peek() == ',') ++pos_;
            else if (peek() != '}') fail("expected ',' or '}' in the header");
        }
        ++pos_;
        skip_space();
        if (pos_ != text_.size()) fail("unexpected text after the header dictionary");
        if (!have_descr || !have_order || !have_shape)
            fail("the header must give 'descr', 'fortran_order' and 'shape'");
        return out;
    }

private:
    [[noreturn]] void fail(const std::string& message) const {
        throw NpyError(fmt::format("{}: {}", source_, message));
    }
    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    void skip_space() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t')) ++pos_;
    }
    void expect(char c) {
        skip_space();
        if (peek() != c) fail(fmt::format("malformed header: expected '{}' at header byte {}", c, pos_));
        ++pos_;
    }
    std::string quoted() {
        skip_space();
        const char q = peek();
        if (q != '\'' && q != '"') fail(fmt::format("malformed header: expected a quoted string at header byte {}", pos_));
        const std::size_t end = text_.find(q, pos_ + 1);
        if (end == std::string::npos) fail("malformed header: unterminated string");
        std::string s = text_.substr(pos_ + 1, end - pos_ - 1);
        pos_ = end + 1;
        return s;
    }
    std::string word() {
        skip_space();
        const std::size_t start = pos_;
        while (pos_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[pos_]))) ++pos_;
        return text_.substr(start, pos_ - start);
    }
    std::vector<std::uint64_t> tuple() {
        std::vector<std::uint64_t> dims;
        expect('(');
        while (true) {
            skip_space();
            if (peek() == ')') break;
            if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("malformed header: shape must be a tuple of integers");
            std::uint64_t d = 0;
            while (std::isdigit(static_cast<unsigned char>(peek()))) {
                if (d > (std::uint64_t{1} << 40)) fail("shape dimension too large");
                d = d * 10 + static_cast<std::uint64_t>(peek() - '0');
                ++pos_;
            }
            if (peek() == 'L') ++pos_;  // Python 2 long literal
            dims.push_back(d);
            skip_space();
            if (peek() == ',') ++pos_;
            else if (peek() != ')') fail("malformed header: expected ',' or ')' in the shape");
        }
        ++pos_;
        return dims;
    }

    const std::string& text_;
    const std::string& source_;
    std::size_t pos_ = 0;
};

std::uint32_t little_endian(const std::string& bytes, std::size_t at, std::size_t width) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < width; ++i) v |= std::uint32_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
    return v;
}

std::string shape_text(const std::vector<std::uint64_t>& shape) {
    std::string out = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) out += (i == 0 ? "" : ", ") + std::to_string(shape[i]);
    return out + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

NpyArray parse_npy(const std::string& bytes, const std::string& source) {
    if (bytes.size() < kMagicSize + 2 || bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0)
        throw NpyError(fmt::format("{}: not a .npy file (it does not start with \\x93NUMPY)", source));
    const int major = static_cast<unsigned char>(bytes[6]);
    const int minor = static_cast<unsigned char>(bytes[7]);
    if ((major != 1 && major != 2) || minor != 0)
        throw NpyError(fmt::format("{}: .npy format version {}.{} is not supported (1.0 and 2.0 are)", source, major, minor));
    const std::size_t len_width = major == 1 ? 2 : 4;
    const std::size_t header_start = 8 + len_width;
    if (bytes.size() < header_start) throw NpyError(fmt::format("{}: truncated .npy header", source));
    const std::size_t header_len = little_endian(bytes, 8, len_width);
    if (bytes.size() < header_start + header_len)
        throw NpyError(fmt::format("{}: truncated .npy header ({} bytes announced, {} present)", source, header_len,
                                   bytes.size() - header_start));
    NpyArray array = HeaderParser(bytes.substr(header_start, header_len), source).parse();

    std::size_t item = 0;
    if (array.dtype == "|i1") item = 1;
    else if (array.dtype == "<i4") item = 4;
    else
        throw NpyError(fmt::format("{}: dtype '{}' is not supported (int8 '|i1' or little-endian int32 '<i4' are)",
                                   source, array.dtype));
    std::uint64_t count = 1;
    for (std::uint64_t d : array.shape) {
        if (d != 0 && count > (std::uint64_t{1} << 40) / d)
            throw NpyError(fmt::format("{}: shape {} is too large", source, shape_text(array.shape)));
        count *= d;
    }
    const std::size_t data_start = header_start + header_len;
    const std::uint64_t have = bytes.size() - data_start;
    if (have != count * item) {
        throw NpyError(fmt::format("{}: shape {} of dtype '{}' needs {} data bytes, the file has {}", source,
                                   shape_text(array.shape), array.dtype, count * item, have));
    }
    array.values.resize(count);
    for (std::uint64_t i = 0; i < count; ++i) {
        array.values[i] = item == 1 ? static_cast<std::int8_t>(bytes[data_start + i])
                                    : static_cast<std::int32_t>(little_endian(bytes, data_start + 4 * i, 4));
    }
    return array;
}

NpyArray read_npy(const std::string& path) {
    std::string bytes;
    try {
        bytes = isa::read_input_file(path, "", isa::kMaxBinaryInputBytes);
    } catch (const isa::InputFileError& e) {
        throw NpyError(e.what());
    }
    return parse_npy(bytes, path);
}

std::vector<std::int8_t> npy_int8_values(const NpyArray& array, const std::string& source) {
    std::vector<std::int8_t> out(array.values.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        const std::int32_t v = array.values[i];
        if (v < -128 || v > 127)
            throw NpyError(fmt::format("{}: value {} at flat index {} does not fit int8", source, v, i));
        out[i] = static_cast<std::int8_t>(v);
    }
    return out;
}

std::string format_npy(const std::vector<std::uint64_t>& shape, const std::vector<std::int8_t>& values) {
    std::string header = "{'descr': '|i1', 'fortran_order': False, 'shape': " + shape_text(shape) + ", }";
    // NumPy pads the header with spaces and a newline so the data starts on a multiple of 64.
    const std::size_t unpadded = kMagicSize + 4 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::string out(kMagic, kMagicSize);
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(header.size() & 0xff);
    out += static_cast<char>(header.size() >> 8);
    out += header;
    out.append(reinterpret_cast<const char*>(values.data()), values.size());
    return out;
}

void write_npy(const std::string& path, const Tensor& tensor) {
    std::vector<std::uint64_t> shape{tensor.batch};
    shape.insert(shape.end(), tensor.shape.begin(), tensor.shape.end());
    if (tensor.data.size() != tensor.batch * elements(tensor.shape)) {
        throw NpyError(fmt::format("{}: the tensor holds {} values but its shape {} needs {}", path,
                                   tensor.data.size(), shape_text(shape), tensor.batch * elements(tensor.shape)));
    }
    const std::string bytes = format_npy(shape, tensor.data);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) throw NpyError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
    const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    const int error = errno;
    if (std::fclose(f) != 0 || !written)
        throw NpyError(fmt::format("{}: cannot write: {}", path, std::strerror(written ? errno : error)));
}

}  // namespace tpusim::compiler
