// The program file format: exact bytes, round trips, and every way a file can be corrupt.
#include "isa/error.hpp"
#include "isa/program.hpp"
#include "random_instructions.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace tpusim::isa;
namespace fs = std::filesystem;

namespace {

Program small_program() {
    Program p;
    p.chip = {256, 256, 24u << 20, 4096, std::uint64_t{8} << 30};
    Instruction nop;
    nop.op = Opcode::Nop;
    nop.cycles = 1;
    Instruction halt;
    halt.op = Opcode::Halt;
    p.code = {nop, halt};
    p.layers = {{"fc", "fc", 5, 6}};
    p.layer_of = {0, Program::kNoLayer};
    return p;
}

std::vector<std::uint8_t> bytes(std::initializer_list<unsigned> list) {
    std::vector<std::uint8_t> out;
    for (unsigned b : list) out.push_back(static_cast<std::uint8_t>(b));
    return out;
}

std::string load_error(const std::vector<std::uint8_t>& file) {
    try {
        deserialize(file, "prog.tpub");
    } catch (const ProgramFormatError& e) {
        return e.what();
    }
    return "(no error)";
}

// A scratch directory removed at the end of the test.
struct TempDir {
    fs::path path;
    TempDir() {
        static int counter = 0;
        path = fs::temp_directory_path() /
               ("tpusim_isa_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string file(const char* name) const { return (path / name).string(); }
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("the file layout, byte by byte", "[program]") {
    std::vector<std::uint8_t> expected = bytes({
        'T', 'P', 'U', 'B', 1, 0, 48, 0,                  // magic, version 1, header size 48
        0x00, 0x01, 0, 0, 0x00, 0x01, 0, 0,               // rows 256, cols 256
        0, 0, 0x80, 0x01, 0, 0, 0, 0,                     // ub_bytes 24 MiB
        0, 0, 0, 0, 0x02, 0, 0, 0,                        // weight_bytes 8 GiB
        0x00, 0x10, 0, 0, 2, 0, 0, 0,                     // acc_entries 4096, 2 instructions
        1, 0, 0, 0, 1, 0, 0, 0,                           // 1 layer, flags: layer_of present
        0x01, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // nop cycles=1
        0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // halt
        2, 0, 0, 0, 'f', 'c', 2, 0, 0, 0, 'f', 'c',       // layer 0 name, kind
        5, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0,   // macs, weight_bytes
        0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,               // layer_of
    });
    CHECK(serialize(small_program()) == expected);
    CHECK(deserialize(expected, "x") == small_program());
}

TEST_CASE("a program without layer annotations has no layer_of table", "[program]") {
    Program p = small_program();
    p.layers.clear();
    p.layer_of.clear();
    const auto file = serialize(p);
    CHECK(file.size() == 48 + 32);
    CHECK(file[44] == 0);  // flags
    CHECK(deserialize(file, "x") == p);
}

TEST_CASE("randomized: deserialize(serialize(p)) == p", "[program]") {
    tpusim::isa::testing::Rng rng(99);
    for (int n = 0; n < 300; ++n) {
        const Program p = tpusim::isa::testing::random_program(rng, 40);
        CHECK(deserialize(serialize(p), "random") == p);
    }
}

TEST_CASE("a file truncated at any byte names the offset and what was being read", "[program]") {
    const auto full = serialize(small_program());
    REQUIRE(full.size() == 116);
    for (std::size_t n = 0; n < full.size(); ++n) {
        const std::vector<std::uint8_t> cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
        const std::string e = load_error(cut);
        INFO("truncated to " << n << " bytes: " << e);
        CHECK(e.rfind("prog.tpub: byte " + std::to_string(n) + ": file ends while reading ", 0) == 0);
    }
    const auto at = [&](std::size_t n) {
        return load_error(std::vector<std::uint8_t>(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
    };
    CHECK(at(0) == "prog.tpub: byte 0: file ends while reading the magic \"TPUB\" (4 bytes from byte 0)");
    CHECK(at(33) == "prog.tpub: byte 33: file ends while reading chip acc_entries (4 bytes from byte 32)");
    CHECK(at(50) == "prog.tpub: byte 50: file ends while reading 2 instructions (32 bytes from byte 48)");
    CHECK(at(82) == "prog.tpub: byte 82: file ends while reading layer 0 name length (4 bytes from byte 80)");
    CHECK(at(85) == "prog.tpub: byte 85: file ends while reading layer 0 name (2 bytes from byte 84)");
    CHECK(at(110) == "prog.tpub: byte 110: file ends while reading the layer_of table (8 bytes from byte 108)");
}

TEST_CASE("corrupt headers are rejected with the byte offset", "[program]") {
    const auto good = serialize(small_program());
    auto f = good;
    f[3] = 'X';
    CHECK(load_error(f) ==
          "prog.tpub: byte 0: bad magic 54 50 55 58: not a tpusim program file (they start with \"TPUB\")");
    CHECK(load_error(bytes({'#', '!'})) ==
          "prog.tpub: byte 0: bad magic 23 21: not a tpusim program file (they start with \"TPUB\")");
    f = good;
    f[4] = 2;
    CHECK(load_error(f) == "prog.tpub: byte 4: unsupported format version 2 (this build reads version 1)");
    f = good;
    f[6] = 52;
    CHECK(load_error(f) == "prog.tpub: byte 6: header size 52 is not 48, the size in format version 1");
    f = good;
    f[44] = 3;
    CHECK(load_error(f) == "prog.tpub: byte 44: header flags 0x3 has undefined bits");
    // instruction count larger than the file: refused before any allocation
    f = good;
    f[39] = 0xFF;
    CHECK(load_error(f).find("file ends while reading 4278190082 instructions") != std::string::npos);
}

TEST_CASE("corrupt instructions name the instruction index and the file offset", "[program]") {
    const auto good = serialize(small_program());
    auto f = good;
    f[64] = 0x00;  // instruction 1 opcode
    CHECK(load_error(f) == "prog.tpub: byte 64: instruction 1: bad opcode 0x00");
    f = good;
    f[64 + 15] = 0x01;
    CHECK(load_error(f) == "prog.tpub: byte 79: instruction 1: halt: reserved bits set (0x01 in byte 15)");
    f = good;
    f[49] = 0x02;  // a flag on nop
    CHECK(load_error(f) == "prog.tpub: byte 49: instruction 0: nop: reserved bits set (0x02 in byte 1)");

    Program p = small_program();
    p.code[1].op = Opcode::Activate;
    p.code[1].rows = 1;
    f = serialize(p);
    f[64 + 10] = 0x05;  // function=5
    CHECK(load_error(f) == "prog.tpub: byte 74: instruction 1: activate: function=5 is not defined "
                           "(identity=0, relu=1, sigmoid=2, tanh=3)");
}

TEST_CASE("corrupt annotations and trailing bytes are rejected", "[program]") {
    const auto good = serialize(small_program());
    auto f = good;
    f[108] = 1;  // layer_of[0] = 1 with one layer
    CHECK(load_error(f) == "prog.tpub: byte 108: layer_of[0] is 1, not below the layer count 1 "
                           "(nor 0xffffffff for none)");
    f = good;
    f.push_back(0);
    f.push_back(0);
    f.push_back(0);
    CHECK(load_error(f) == "prog.tpub: byte 116: 3 bytes of trailing garbage after the end of the program");
    f = good;
    f[84] = '\n';
    CHECK(load_error(f) == "prog.tpub: byte 80: layer 0: layer name contains the character 0x0a; "
                           "control characters and '\"' are not allowed");

    Program two = small_program();
    two.layers.push_back(two.layers[0]);
    two.layers[1].name = "fd";
    f = serialize(two);
    const std::size_t second_name = 108 + 4 + 1;  // layer 1 starts at 108; the 'd' of "fd"
    REQUIRE(f[second_name] == 'd');
    f[second_name] = 'c';
    CHECK(load_error(f) == "prog.tpub: byte 108: layer 1: layer name \"fc\" is used twice");

    Program empty;
    f = serialize(empty);
    f[44] = 1;
    CHECK(load_error(f) ==
          "prog.tpub: byte 44: header flags announce a layer_of table, but there are no instructions");
}

TEST_CASE("serialize refuses an invalid program", "[program]") {
    const auto message = [](const Program& p) {
        try {
            serialize(p);
        } catch (const tpusim::Error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    Program p = small_program();
    p.layer_of.pop_back();
    CHECK(message(p) == "cannot write program: layer_of has 1 entries for 2 instructions");
    p = small_program();
    p.layer_of[1] = 4;
    CHECK(message(p) == "cannot write program: layer_of[1] is 4, not below the layer count 1 (nor 0xffffffff for none)");
    p = small_program();
    p.code[0].cycles = std::uint64_t{1} << 32;
    CHECK(message(p) == "cannot write program: instruction 0: nop: cycles=4294967296 is out of range 0..4294967295");
    p = small_program();
    p.layers[0].name = "";
    CHECK(message(p) == "cannot write program: layer 0: a layer name must not be empty");
    p.layers[0].name = "a\"b";
    CHECK(message(p).find("layer 0: layer name contains the character 0x22") != std::string::npos);
    p.layers[0].name = "a";
    p.layers[0].kind = "tab\there";
    CHECK(message(p).find("layer 0: layer kind contains the character 0x09") != std::string::npos);
}

TEST_CASE("program files: write, re-write, refuse other files, read errors", "[program][files]") {
    TempDir dir;
    const Program p = small_program();
    const std::string out = dir.file("a.tpub");
    write_program_file(out, p, false);
    CHECK(read_program_file(out) == p);

    // Re-assembling to the same output is normal: an existing program file is replaced.
    Program q = p;
    q.chip.rows = 128;
    write_program_file(out, q, false);
    CHECK(read_program_file(out) == q);

    // Any other file is refused without --force and left untouched.
    const std::string text = dir.file("notes.txt");
    { std::ofstream(text) << "my notes\n"; }
    try {
        write_program_file(text, p, false);
        FAIL("expected a refusal");
    } catch (const tpusim::Error& e) {
        CHECK(std::string(e.what()) == text + ": exists and is not a tpusim program; pass --force to overwrite");
    }
    CHECK(slurp(text) == "my notes\n");
    write_program_file(text, p, true);
    CHECK(read_program_file(text) == p);

    CHECK_THROWS_WITH(read_program_file(dir.file("missing.tpub")),
                      dir.file("missing.tpub") + ": cannot open program file: No such file or directory");
    CHECK_THROWS_WITH(read_program_file(dir.path.string()), dir.path.string() + ": cannot read program file: it is a directory, not a regular file");
    CHECK_THROWS_WITH(write_program_file(dir.path.string(), p, true), dir.path.string() + ": is a directory");
    CHECK_THROWS_WITH(write_program_file(dir.file("no/such/dir.tpub"), p, true),
                      dir.file("no/such/dir.tpub") + ": cannot open for writing: No such file or directory");
    // A corrupt file reads with the path in the message.
    { std::ofstream(dir.file("bad.tpub"), std::ios::binary) << "TPUB"; }
    CHECK_THROWS_WITH(read_program_file(dir.file("bad.tpub")),
                      dir.file("bad.tpub") + ": byte 4: file ends while reading the format version (2 bytes from byte 4)");
}

TEST_CASE("program equality looks at every part", "[program]") {
    const Program p = small_program();
    Program q = p;
    CHECK(p == q);
    q.chip.weight_bytes += 1;
    CHECK_FALSE(p == q);
    q = p;
    q.layers[0].macs += 1;
    CHECK_FALSE(p == q);
    q = p;
    q.layers[0].kind = "conv";
    CHECK_FALSE(p == q);
    q = p;
    q.layer_of.clear();
    CHECK_FALSE(p == q);
    q = p;
    q.code[0].cycles = 2;
    CHECK_FALSE(p == q);
}
