// .npy reading and writing: the exact bytes NumPy writes, round trips, and every way a
// file can be unusable.
#include "compiler/npy.hpp"
#include "test_files.hpp"

#include <catch2/catch.hpp>

#include <cstring>

using namespace tpusim::compiler;
using tpusim::compiler::testing::TempDir;

namespace {

/// A .npy file with the given version and header text (padded like NumPy: the data starts
/// at a multiple of 64) followed by `data`.
std::string npy_bytes(int major, const std::string& header, const std::string& data) {
    const std::size_t prefix = major == 1 ? 10 : 12;
    std::string h = header;
    h.append((64 - (prefix + h.size() + 1) % 64) % 64, ' ');
    h += '\n';
    std::string out("\x93NUMPY", 6);
    out += static_cast<char>(major);
    out += '\0';
    const std::size_t width = major == 1 ? 2 : 4;
    for (std::size_t i = 0; i < width; ++i) out += static_cast<char>((h.size() >> (8 * i)) & 0xff);
    return out + h + data;
}

std::string int32_le(std::initializer_list<std::int32_t> values) {
    std::string out;
    for (std::int32_t v : values) {
        const auto u = static_cast<std::uint32_t>(v);
        for (int i = 0; i < 4; ++i) out += static_cast<char>((u >> (8 * i)) & 0xff);
    }
    return out;
}

}  // namespace

TEST_CASE("int8 files are written exactly as NumPy writes them", "[npy]") {
    const std::string bytes = format_npy({2, 3}, {1, -2, 3, -4, 5, -128});
    const std::string header = "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }";
    // magic, version 1.0, little-endian header length, then the header padded with spaces
    // and a newline so that the data starts at a multiple of 64: 10 + 60 + 1 -> 128
    CHECK(bytes.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
    CHECK(static_cast<unsigned char>(bytes[8]) + 256 * static_cast<unsigned char>(bytes[9]) == 128 - 10);
    CHECK(bytes.substr(10, header.size()) == header);
    CHECK(bytes.substr(10 + header.size(), 128 - 11 - header.size()) == std::string(128 - 11 - header.size(), ' '));
    CHECK(bytes[127] == '\n');
    CHECK(bytes.size() == 128 + 6);
    CHECK(static_cast<std::int8_t>(bytes[128]) == 1);
    CHECK(static_cast<std::int8_t>(bytes[133]) == -128);
    // one-dimensional shapes keep Python's trailing comma
    CHECK(format_npy({4}, {0, 0, 0, 0}).find("'shape': (4,), }") != std::string::npos);
}

TEST_CASE("npy round trip through a file keeps shape and values", "[npy]") {
    TempDir dir;
    Tensor t;
    t.shape = {2, 3};
    t.batch = 2;
    t.data = {0, 1, -1, 127, -128, 5, 6, 7, 8, 9, 10, -11};
    write_npy(dir.file("t.npy"), t);
    const NpyArray a = read_npy(dir.file("t.npy"));
    CHECK(a.dtype == "|i1");
    CHECK(a.shape == std::vector<std::uint64_t>{2, 2, 3});
    CHECK(npy_int8_values(a, "t") == t.data);
}

TEST_CASE("int32 little-endian files are read and narrowed to int8", "[npy]") {
    const NpyArray a = parse_npy(
        npy_bytes(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", int32_le({-128, 0, 127})), "a.npy");
    CHECK(a.dtype == "<i4");
    CHECK(a.values == std::vector<std::int32_t>{-128, 0, 127});
    CHECK(npy_int8_values(a, "a.npy") == std::vector<std::int8_t>{-128, 0, 127});

    const NpyArray big = parse_npy(
        npy_bytes(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", int32_le({1, 300})), "b.npy");
    CHECK_THROWS_WITH(npy_int8_values(big, "b.npy"), "b.npy: value 300 at flat index 1 does not fit int8");
}

TEST_CASE("version 2.0 headers, key order and 0-d arrays are accepted", "[npy]") {
    const NpyArray a = parse_npy(npy_bytes(2, "{'shape': (1, 2), 'fortran_order': False, 'descr': '|i1'}", "\x07\xf9"), "v2.npy");
    CHECK(a.shape == std::vector<std::uint64_t>{1, 2});
    CHECK(a.values == std::vector<std::int32_t>{7, -7});
    const NpyArray scalar = parse_npy(npy_bytes(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (), }", "\x05"), "s.npy");
    CHECK(scalar.shape.empty());
    CHECK(scalar.values == std::vector<std::int32_t>{5});
}

TEST_CASE("unusable npy files are rejected with the file and the reason", "[npy]") {
    const std::string ok_header = "{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }";
    CHECK_THROWS_WITH(parse_npy("PK\x03\x04 not numpy", "x.npy"),
                      "x.npy: not a .npy file (it does not start with \\x93NUMPY)");
    std::string v3 = npy_bytes(2, ok_header, "ab");
    v3[6] = 3;
    CHECK_THROWS_WITH(parse_npy(v3, "x.npy"), "x.npy: .npy format version 3.0 is not supported (1.0 and 2.0 are)");
    CHECK_THROWS_WITH(parse_npy(npy_bytes(1, ok_header, "ab").substr(0, 30), "x.npy"),
                      "x.npy: truncated .npy header (118 bytes announced, 20 present)");
    CHECK_THROWS_WITH(parse_npy(npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "abcdefgh"), "x.npy"),
                      "x.npy: dtype '<f4' is not supported (int8 '|i1' or little-endian int32 '<i4' are)");
    CHECK_THROWS_WITH(parse_npy(npy_bytes(1, "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", "abcdefgh"), "x.npy"),
                      "x.npy: dtype '>i4' is not supported (int8 '|i1' or little-endian int32 '<i4' are)");
    CHECK_THROWS_WITH(parse_npy(npy_bytes(1, "{'descr': '|i1', 'fortran_order': True, 'shape': (2,), }", "ab"), "x.npy"),
                      "x.npy: Fortran-order arrays are not supported (save with C order)");
    CHECK_THROWS_WITH(parse_npy(npy_bytes(1, ok_header, "abc"), "x.npy"),
                      "x.npy: shape (2,) of dtype '|i1' needs 2 data bytes, the file has 3");
    CHECK_THROWS_WITH(parse_npy(npy_bytes(1, ok_header, "a"), "x.npy"),
                      "x.npy: shape (2,) of dtype '|i1' needs 2 data bytes, the file has 1");
    CHECK_THROWS_WITH(parse_npy(npy_bytes(1, "{'descr': '|i1', 'shape': (2,), }", "ab"), "x.npy"),
                      "x.npy: the header must give 'descr', 'fortran_order' and 'shape'");
    CHECK_THROWS_WITH(parse_npy(npy_bytes(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2,), 'x': 1}", "ab"), "x.npy"),
                      "x.npy: unexpected header key 'x'");
    CHECK_THROWS_WITH(parse_npy(npy_bytes(1, "{'descr': '|i1', 'fortran_order': False, 'shape': [2], }", "ab"), "x.npy"),
                      "x.npy: malformed header: expected '(' at header byte 50");
    CHECK_THROWS_WITH(read_npy("no/such/file.npy"), "no/such/file.npy: cannot open: No such file or directory");
}

TEST_CASE("writing a tensor whose data does not match its shape is an error", "[npy]") {
    TempDir dir;
    Tensor t;
    t.shape = {3};
    t.batch = 2;
    t.data = {1, 2, 3};
    CHECK_THROWS_WITH(write_npy(dir.file("bad.npy"), t),
                      dir.file("bad.npy") + ": the tensor holds 3 values but its shape (2, 3) needs 6");
    CHECK_THROWS_AS(write_npy(dir.file("no/such/dir/x.npy"), Tensor{{1}, 1, {0}}), NpyError);
}
