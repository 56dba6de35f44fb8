// The one reader of user-named files: whole regular files only, never endlessly.
#include "isa/input_file.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

using tpusim::isa::InputFileError;
using tpusim::isa::read_input_file;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("tpusim_input_file_test_" + std::to_string(::getpid()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

}  // namespace

TEST_CASE("a regular file is read whole, bytes as they are", "[input_file]") {
    TempDir dir;
    const std::string bytes("a\0b\xff\n", 5);
    std::ofstream(dir.file("f"), std::ios::binary) << bytes;
    CHECK(read_input_file(dir.file("f"), "chip config", 100) == bytes);
    CHECK(read_input_file(dir.file("f"), "chip config", 5) == bytes);  // the limit is inclusive
    std::ofstream(dir.file("empty"), std::ios::binary).flush();
    CHECK(read_input_file(dir.file("empty"), "chip config", 5).empty());
}

TEST_CASE("what is not a regular file is refused before it is read", "[input_file]") {
    TempDir dir;
    CHECK_THROWS_WITH(read_input_file(dir.file("absent"), "chip config", 100),
                      dir.file("absent") + ": cannot open chip config: No such file or directory");
    CHECK_THROWS_WITH(read_input_file(dir.path.string(), "chip config", 100),
                      dir.path.string() + ": cannot read chip config: it is a directory, not a regular file");
    // /dev/zero never ends; a FIFO without a writer would block on open.
    CHECK_THROWS_WITH(read_input_file("/dev/zero", "program file", 100),
                      "/dev/zero: cannot read program file: it is a character device, not a regular file");
    REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0600) == 0);
    CHECK_THROWS_WITH(read_input_file(dir.file("fifo"), "", 100),
                      dir.file("fifo") + ": cannot read: it is a FIFO, not a regular file");
    CHECK_THROWS_AS(read_input_file("/dev/null", "", 100), InputFileError);
}

TEST_CASE("a file beyond the limit is refused", "[input_file]") {
    TempDir dir;
    std::ofstream(dir.file("big"), std::ios::binary) << std::string(3u << 20, 'x');
    CHECK_THROWS_WITH(read_input_file(dir.file("big"), "workload", 2u << 20),
                      dir.file("big") + ": cannot read workload: it is larger than 2 MiB");
    CHECK_THROWS_WITH(read_input_file(dir.file("big"), "workload", 1000),
                      dir.file("big") + ": cannot read workload: it is larger than 1000 bytes");
    // Files in /proc say they are empty; the limit holds while reading too.
    CHECK_FALSE(read_input_file("/proc/self/status", "", 1u << 20).empty());
    CHECK_THROWS_WITH(read_input_file("/proc/self/status", "", 10),
                      "/proc/self/status: cannot read: it is larger than 10 bytes");
}
