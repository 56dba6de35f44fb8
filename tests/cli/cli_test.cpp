// The command line as a user meets it: help, exit statuses, one-line errors, and that
// nothing a user wrote is overwritten without being asked.
#include "run_command.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using tpusim::test::run_tpusim;

namespace {
const std::string kSource = TPUSIM_SOURCE_DIR;

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
std::string read(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
}  // namespace

TEST_CASE("tpusim --help lists exactly the subcommands that exist", "[cli]") {
    const auto r = run_tpusim("--help");
    CHECK(r.status == 0);
    for (const char* name : {"config", "asm", "disasm"}) CHECK(r.out.find(name) != std::string::npos);
}

TEST_CASE("every subcommand has --help", "[cli]") {
    for (const char* name : {"config", "asm", "disasm"}) {
        const auto r = run_tpusim(std::string(name) + " --help");
        INFO(name);
        CHECK(r.status == 0);
        CHECK(r.out.find("usage: tpusim") != std::string::npos);
    }
}

TEST_CASE("an unknown subcommand or option is a usage error with status 2", "[cli]") {
    auto r = run_tpusim("simulate");
    CHECK(r.status == 2);
    CHECK(r.err.find("unknown subcommand 'simulate'") != std::string::npos);
    r = run_tpusim("config show --config x.yaml --colour");
    CHECK(r.status == 2);
    r = run_tpusim("");
    CHECK(r.status == 2);
}

TEST_CASE("config show prints the TPUv1 chip and its derived figures", "[cli]") {
    const auto r = run_tpusim("config show --config '" + kSource + "/configs/tpuv1.yaml'");
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out.find("91.75") != std::string::npos);  // 65536 MACs x 2 x 700 MHz
    CHECK(r.out.find("ridge") != std::string::npos);
}

TEST_CASE("a bad config is one line on stderr and status 1", "[cli]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    write(dir + "/bad.yaml", "name: x\nclock: 700MHz\nmatrix_unit: {rows: 8, colz: 8}\n");
    const auto r = run_tpusim("config show --config bad.yaml", dir);
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.find("bad.yaml:3:") != std::string::npos);
    CHECK(r.err.find("colz") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("asm and disasm round-trip a program exactly", "[cli]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    const std::string src =
        ".chip rows=8 cols=8 ub_bytes=65536 acc_entries=256 weight_bytes=1048576\n"
        "read_host_memory host_addr=0x0 ub_addr=0x0 rows=4\n"
        "read_weights weight_addr=0x0 tile_rows=8 tile_cols=8 count=1\n"
        "matrix_multiply ub_addr=0x0 acc_addr=0x0 rows=4 switch=1\n"
        "activate acc_addr=0x0 ub_addr=0x10 rows=4 function=relu pool=none\n"
        "write_host_memory host_addr=0x40 ub_addr=0x10 rows=4\n"
        "halt\n";
    write(dir + "/p.s", src);
    REQUIRE(run_tpusim("asm p.s -o p.tpub", dir).status == 0);
    const auto listing = run_tpusim("disasm p.tpub", dir);
    REQUIRE(listing.status == 0);
    write(dir + "/q.s", listing.out);
    REQUIRE(run_tpusim("asm q.s -o q.tpub", dir).status == 0);
    CHECK(read(dir + "/p.tpub") == read(dir + "/q.tpub"));
    const auto again = run_tpusim("disasm q.tpub", dir);
    CHECK(again.out == listing.out);
    std::filesystem::remove_all(dir);
}

TEST_CASE("asm errors name the file and line; no output file is left behind", "[cli]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    write(dir + "/p.s", ".chip rows=8 cols=8 ub_bytes=65536 acc_entries=256 weight_bytes=1048576\nmatrix_multiply ub_addr=0 acc_addr=0 rows=4 swich=1\n");
    const auto r = run_tpusim("asm p.s -o p.tpub", dir);
    CHECK(r.status == 1);
    CHECK(r.err.find("p.s:2:") != std::string::npos);
    CHECK(!std::filesystem::exists(dir + "/p.tpub"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("asm refuses to replace a file that is not a program unless --force", "[cli]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    write(dir + "/p.s", ".chip rows=8 cols=8 ub_bytes=65536 acc_entries=256 weight_bytes=1048576\nhalt\n");
    write(dir + "/notes.txt", "precious");
    auto r = run_tpusim("asm p.s -o notes.txt", dir);
    CHECK(r.status == 1);
    CHECK(r.err.find("--force") != std::string::npos);
    CHECK(read(dir + "/notes.txt") == "precious");
    CHECK(run_tpusim("asm p.s -o notes.txt --force", dir).status == 0);
    CHECK(read(dir + "/notes.txt") != "precious");
    // re-assembling onto an existing program file is the normal edit cycle
    CHECK(run_tpusim("asm p.s -o notes.txt", dir).status == 0);
    // disasm -o refuses to replace an existing file
    write(dir + "/listing.s", "mine");
    r = run_tpusim("disasm notes.txt -o listing.s", dir);
    CHECK(r.status == 1);
    CHECK(read(dir + "/listing.s") == "mine");
    std::filesystem::remove_all(dir);
}

TEST_CASE("disasm of a corrupt file names the problem", "[cli]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    write(dir + "/junk.tpub", "this is not a program");
    const auto r = run_tpusim("disasm junk.tpub", dir);
    CHECK(r.status == 1);
    CHECK(r.err.find("junk.tpub") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    std::filesystem::remove_all(dir);
}
