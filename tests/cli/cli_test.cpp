// The command line as a user meets it: help, exit statuses, one-line errors, and that
// nothing a user wrote is overwritten without being asked.
#include "run_command.hpp"

#include "compiler/npy.hpp"
#include "compiler/reference_executor.hpp"
#include "compiler/workload.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sys/stat.h>

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
    const std::vector<std::string> names = {"config", "asm", "disasm", "compile", "run", "sweep"};
    for (const auto& name : names) CHECK(r.out.find("\n  " + name + " ") != std::string::npos);
    // one line per subcommand after the heading, and nothing else
    const auto list = r.out.substr(r.out.find("subcommands:\n") + 13);
    CHECK(static_cast<std::size_t>(std::count(list.begin(), list.end(), '\n')) == names.size());
}

TEST_CASE("every subcommand has --help", "[cli]") {
    for (const char* name : {"config", "asm", "disasm", "compile", "run", "sweep"}) {
        const auto r = run_tpusim(std::string(name) + " --help");
        INFO(name);
        CHECK(r.status == 0);
        CHECK(r.out.find("usage: tpusim") != std::string::npos);
    }
}

TEST_CASE("tpusim --help mentions --version, which prints the version", "[cli]") {
    CHECK(run_tpusim("--help").out.find("tpusim --version") != std::string::npos);
    const auto r = run_tpusim("--version");
    CHECK(r.status == 0);
    CHECK(r.out.rfind("tpusim ", 0) == 0);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
}

TEST_CASE("positional arguments are named by what they are, in --help and when missing", "[cli]") {
    struct Case {
        const char* command;
        const char* metavar;
        const char* hidden_option;
    };
    for (const Case& c : {Case{"config", "ACTION", "--action"}, Case{"asm", "PROGRAM.s", "--input"},
                          Case{"disasm", "PROGRAM.tpub", "--input"}, Case{"sweep", "SWEEP.yaml", "--sweep"}}) {
        INFO(c.command);
        const auto help = run_tpusim(std::string(c.command) + " --help");
        CHECK(help.status == 0);
        CHECK(help.out.find("arguments:\n  " + std::string(c.metavar) + " ") != std::string::npos);
        CHECK(help.out.find(c.hidden_option) == std::string::npos);

        const auto r = run_tpusim(c.command);
        CHECK(r.status == 2);
        CHECK(r.err.rfind(std::string("tpusim: ") + c.command + ": missing " + c.metavar + " (usage: tpusim " +
                              c.command + " ",
                          0) == 0);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK(r.err.find(c.hidden_option) == std::string::npos);
    }
    // The positional is reported before a missing option, and an option by its name.
    CHECK(run_tpusim("asm -o x.tpub").err.find("asm: missing PROGRAM.s") != std::string::npos);
    CHECK(run_tpusim("asm x.s").err.find("asm: the option '--output' is required") != std::string::npos);
    CHECK(run_tpusim("asm a.s b.s -o x.tpub").status == 2);
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

TEST_CASE("inputs that never end or are not files are refused at once", "[cli]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    REQUIRE(::mkfifo((dir + "/fifo").c_str(), 0600) == 0);
    std::filesystem::create_directory(dir + "/folder");
    struct Case {
        std::string args;
        std::string message;
    };
    for (const Case& c : {
             Case{"config show --config /dev/zero",
                  "error: /dev/zero: cannot read chip config: it is a character device, not a regular file\n"},
             Case{"asm /dev/zero -o p.tpub",
                  "error: /dev/zero: cannot read assembly source: it is a character device, not a regular file\n"},
             Case{"asm fifo -o p.tpub", "error: fifo: cannot read assembly source: it is a FIFO, not a regular file\n"},
             Case{"asm folder -o p.tpub",
                  "error: folder: cannot read assembly source: it is a directory, not a regular file\n"},
             Case{"disasm fifo", "error: fifo: cannot read program file: it is a FIFO, not a regular file\n"},
             Case{"compile --workload /dev/zero --config '" + kSource + "/configs/teaching-8x8.yaml' --out o",
                  "error: /dev/zero: cannot read workload: it is a character device, not a regular file\n"},
             Case{"sweep fifo --out o", "error: fifo: cannot read sweep file: it is a FIFO, not a regular file\n"},
         }) {
        INFO(c.args);
        const auto r = run_tpusim(c.args, dir);
        CHECK(r.status == 1);
        CHECK(r.err == c.message);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("asm holds the .chip line to the limits of chip configs", "[cli]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    write(dir + "/p.s", "# no array\n.chip rows=0 cols=8 ub_bytes=65536 acc_entries=256 weight_bytes=1048576\nhalt\n");
    auto r = run_tpusim("asm p.s -o p.tpub", dir);
    CHECK(r.status == 1);
    CHECK(r.err.rfind("error: p.s:2: .chip: rows=0 breaks a limit of chip configs: matrix_unit.rows: 0 is out of range: "
                      "allowed 1 to ",
                      0) == 0);
    CHECK(!std::filesystem::exists(dir + "/p.tpub"));
    write(dir + "/q.s", ".chip rows=8 cols=8 ub_bytes=100 acc_entries=256 weight_bytes=1048576\nhalt\n");
    r = run_tpusim("asm q.s -o q.tpub", dir);
    CHECK(r.status == 1);
    CHECK(r.err.find("q.s:1: .chip: ub_bytes=100 breaks a limit of chip configs: unified_buffer.capacity: ") !=
          std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("asm of a binary file says so in one printable line", "[cli]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    write(dir + "/p.s", ".chip rows=8 cols=8 ub_bytes=65536 acc_entries=256 weight_bytes=1048576\nhalt\n");
    REQUIRE(run_tpusim("asm p.s -o p.tpub", dir).status == 0);
    for (const char* input : {"p.tpub", "nul.s"}) {
        INFO(input);
        if (std::string(input) == "nul.s") std::ofstream(dir + "/nul.s", std::ios::binary).write("ab\0cd x=1\n", 11);
        const auto r = run_tpusim(std::string("asm ") + input + " -o out.tpub", dir);
        CHECK(r.status == 1);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK(std::all_of(r.err.begin(), r.err.end(), [](char c) { return c == '\n' || (c >= 0x20 && c < 0x7f); }));
        CHECK(r.err.find(std::string(input) + ":1: byte 0x") != std::string::npos);
        CHECK(r.err.find("is a control character; assembly is text") != std::string::npos);
    }
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

TEST_CASE("compile writes a program that runs to the reference executor's outputs, as run --workload does", "[cli]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    const std::string chip = "--config '" + kSource + "/configs/teaching-8x8.yaml'";
    const std::string workload = kSource + "/workloads/teaching/tiny_cnn.yaml";
    auto r = run_tpusim("compile " + chip + " --workload '" + workload + "' -o out", dir);
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out.find("MACs per weight byte") != std::string::npos);
    for (const char* f : {"program.tpub", "program.s", "weights.bin", "host-in.bin", "memory-map.txt", "memory-map.json",
                          "layers.csv"})
        CHECK(std::filesystem::exists(dir + "/out/" + f));
    // the listing is the program: it assembles back to the same file
    REQUIRE(run_tpusim("asm out/program.s -o again.tpub", dir).status == 0);
    CHECK(read(dir + "/again.tpub") == read(dir + "/out/program.tpub"));
    CHECK(read(dir + "/out/program.s").find(".in_layer") != std::string::npos);
    CHECK(read(dir + "/out/layers.csv").rfind("layer,kind,macs,weight_bytes,weights,macs_per_weight_byte\n", 0) == 0);

    // the compiled files run like any program, and run --workload does it in one step
    r = run_tpusim("run " + chip + " --program out/program.tpub --host-in out/host-in.bin --weights out/weights.bin --json",
                   dir);
    REQUIRE(r.status == 0);
    const auto one_step = run_tpusim("run " + chip + " --workload '" + workload + "' --out res --json", dir);
    REQUIRE(one_step.status == 0);
    // The same cycles, the same everything; only the one-step run knows the workload's name.
    const std::string named = "  \"workload\": \"tiny_cnn\",\n";
    auto unnamed = one_step.out;
    REQUIRE(unnamed.find(named) != std::string::npos);
    unnamed.erase(unnamed.find(named), named.size());
    CHECK(unnamed == r.out);
    CHECK(read(dir + "/res/report.json") == one_step.out);

    // every network output, as .npy, is exactly the reference executor's
    const auto network = tpusim::compiler::load_workload(workload);
    const auto reference = tpusim::compiler::execute_reference(network);
    for (const auto& name : network.outputs) {
        INFO(name);
        const auto npy = tpusim::compiler::read_npy(dir + "/res/" + name + ".npy");
        const auto& want = reference.at(name);
        CHECK(npy.shape.front() == want.batch);
        CHECK(tpusim::compiler::npy_int8_values(npy, name) == want.data);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("compile and run refuse to write into a non-empty directory unless --force", "[cli]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    const std::string args = "--config '" + kSource + "/configs/teaching-8x8.yaml' --workload '" + kSource +
                             "/workloads/teaching/tiny_mlp.yaml'";
    std::filesystem::create_directory(dir + "/out");
    write(dir + "/out/notes.txt", "precious");
    const std::pair<std::string, std::string> commands[] = {{"compile " + args + " -o out", "program.tpub"},
                                                            {"run " + args + " --out out", "report.json"}};
    for (const auto& c : commands) {
        INFO(c.first);
        const auto r = run_tpusim(c.first, dir);
        CHECK(r.status == 1);
        CHECK(r.err.find("--force") != std::string::npos);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK(!std::filesystem::exists(dir + "/out/" + c.second));
        CHECK(run_tpusim(c.first + " --force", dir).status == 0);
        CHECK(std::filesystem::exists(dir + "/out/" + c.second));
        CHECK(read(dir + "/out/notes.txt") == "precious");
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("run --out --force replaces the files of an earlier run, and only those", "[cli]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    const std::string run = "run --config '" + kSource + "/configs/teaching-8x8.yaml' --workload '" + kSource +
                            "/workloads/teaching/";
    REQUIRE(run_tpusim(run + "tiny_mlp.yaml' --out out", dir).status == 0);
    REQUIRE(std::filesystem::exists(dir + "/out/scores.npy"));
    CHECK(read(dir + "/out/tpusim-outputs.txt").find("\nreport.json\ninstructions.csv\nlayers.csv\nscores.npy\n") !=
          std::string::npos);
    write(dir + "/out/notes.txt", "precious");
    write(dir + "/victim.txt", "outside");
    // A list that names a file outside the directory, or the directory itself, is not obeyed.
    write(dir + "/out/tpusim-outputs.txt", read(dir + "/out/tpusim-outputs.txt") + "../victim.txt\n..\n");

    // A timing-only run writes no network outputs: the MLP's scores.npy, from the earlier
    // run, must not be left beside the CNN's report as if it were the CNN's.
    const auto r = run_tpusim(run + "tiny_cnn.yaml' --no-data --out out --force", dir);
    REQUIRE(r.status == 0);
    CHECK(r.err.find("'../victim.txt' is not a file name of this directory; left alone") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir + "/out/scores.npy"));
    CHECK(read(dir + "/out/report.json").find("\"workload\": \"tiny_cnn\"") != std::string::npos);
    CHECK(read(dir + "/out/notes.txt") == "precious");
    CHECK(read(dir + "/victim.txt") == "outside");
    const auto list = read(dir + "/out/tpusim-outputs.txt");
    CHECK(list.substr(list.find("\nreport.json")) == "\nreport.json\ninstructions.csv\nlayers.csv\n");
    // Exactly the new outputs, their list and the user's file are left.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir + "/out")) ++files;
    CHECK(files == 5);

    // Without --force nothing is removed or written.
    CHECK(run_tpusim(run + "tiny_mlp.yaml' --out out", dir).status == 1);
    CHECK(read(dir + "/out/report.json").find("\"workload\": \"tiny_cnn\"") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("compile and run with --force replace each other's files in one directory, and only those", "[cli]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    const std::string args = "--config '" + kSource + "/configs/teaching-8x8.yaml' --workload '" + kSource +
                             "/workloads/teaching/tiny_mlp.yaml'";
    const auto files = [&] {
        std::set<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(dir + "/out")) names.insert(e.path().filename());
        return names;
    };
    const std::set<std::string> compiled = {"program.tpub", "program.s", "weights.bin", "host-in.bin",
                                            "memory-map.txt", "memory-map.json", "layers.csv",
                                            "tpusim-outputs.txt", "notes.txt"};
    const std::set<std::string> ran = {"report.json", "instructions.csv", "layers.csv", "scores.npy",
                                       "tpusim-outputs.txt", "notes.txt"};

    REQUIRE(run_tpusim("run " + args + " --out out", dir).status == 0);
    write(dir + "/out/notes.txt", "precious");
    REQUIRE(run_tpusim("compile " + args + " -o out --force", dir).status == 0);
    CHECK(files() == compiled);  // no report.json of the earlier run beside the program
    CHECK(read(dir + "/out/tpusim-outputs.txt").find("\nprogram.tpub\nprogram.s\nweights.bin\nhost-in.bin\n"
                                                     "memory-map.txt\nmemory-map.json\nlayers.csv\n") !=
          std::string::npos);
    REQUIRE(run_tpusim("compile " + args + " -o out --force", dir).status == 0);
    CHECK(files() == compiled);
    REQUIRE(run_tpusim("run " + args + " --out out --force", dir).status == 0);
    CHECK(files() == ran);  // and no program beside the report
    CHECK(read(dir + "/out/notes.txt") == "precious");
    std::filesystem::remove_all(dir);
}

TEST_CASE("bad files and paths given to run, compile and disasm are one line, before anything runs", "[cli]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    write(dir + "/p.s",
          ".chip rows=8 cols=8 ub_bytes=65536 acc_entries=256 weight_bytes=1048576\n"
          "read_host_memory host_addr=0x0 ub_addr=0x0 rows=4\n"  // 32 bytes of host memory
          "halt\n");
    REQUIRE(run_tpusim("asm p.s -o p.tpub", dir).status == 0);
    write(dir + "/host.bin", std::string(64, '\0'));
    write(dir + "/small.bin", std::string(8, '\0'));
    write(dir + "/big.bin", std::string(1048577, '\0'));  // one byte more than the teaching chip's weight memory
    write(dir + "/empty.tpub", "");
    write(dir + "/afile", "mine");
    std::filesystem::create_directory(dir + "/adir");
    const std::string run = "run --config '" + kSource + "/configs/teaching-8x8.yaml' --program p.tpub ";
    const std::string compile = "compile --config '" + kSource + "/configs/teaching-8x8.yaml' --workload '" + kSource +
                                "/workloads/teaching/tiny_mlp.yaml' ";
    const std::pair<std::string, std::string> cases[] = {
        {run + "--host-in nope.bin", "error: nope.bin: cannot open host memory image: No such file or directory\n"},
        {run + "--host-in small.bin",
         "error: p.tpub: instruction 0 (read_host_memory): host_addr: bytes 0x0..0x1f exceed host memory (8 bytes); "
         "host memory is the --host-in image small.bin\n"},
        {run + "--host-in host.bin --weights big.bin",
         "error: big.bin: 1048577 bytes do not fit weight memory (1048576 bytes)\n"},
        {run + "--host-in host.bin --trace nodir/t.json",
         "error: nodir/t.json: cannot write: the directory nodir does not exist\n"},
        {run + "--host-in host.bin --vcd nodir/w.vcd",
         "error: nodir/w.vcd: cannot write: the directory nodir does not exist\n"},
        {run + "--host-in host.bin --trace afile/t.json", "error: afile/t.json: cannot write: afile is not a directory\n"},
        {run + "--host-in host.bin --trace adir --force", "error: adir: is a directory; expected a file name\n"},
        {run + "--host-in host.bin --out afile", "error: afile: exists and is not a directory\n"},
        {compile + "-o afile", "error: afile: exists and is not a directory\n"},
        {compile + "-o afile/out", "error: afile/out: cannot write: afile is not a directory\n"},
        {"disasm empty.tpub", "error: empty.tpub: byte 0: file ends while reading the magic \"TPUB\" (4 bytes from "
                              "byte 0)\n"},
        {"disasm p.tpub -o nodir/p.s", "error: nodir/p.s: cannot write: the directory nodir does not exist\n"},
    };
    for (const auto& [args, message] : cases) {
        INFO(args);
        const auto r = run_tpusim(args, dir);
        CHECK(r.status == 1);
        CHECK(r.err == message);
        CHECK(r.out.empty());  // refused before the run, not after it
    }
    CHECK(read(dir + "/afile") == "mine");
    // A run that fails leaves no output folder behind: --out is created once it has succeeded.
    const std::pair<std::string, std::string> failing[] = {
        {run + "--host-in small.bin --out new1", "error: p.tpub: instruction 0"},
        {run + "--host-in host.bin --trace-array 0 --out new2", "error: the per-cycle array trace needs the cell-level"},
        {run + "--host-in host.bin --out afile/out", "error: afile/out: cannot write: afile is not a directory"},
    };
    for (const auto& [args, message] : failing) {
        INFO(args);
        const auto r = run_tpusim(args, dir);
        CHECK(r.status == 1);
        CHECK(r.err.rfind(message, 0) == 0);
    }
    CHECK_FALSE(std::filesystem::exists(dir + "/new1"));
    CHECK_FALSE(std::filesystem::exists(dir + "/new2"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("an empty option value is a usage error naming the option, not an option left out", "[cli]") {
    const std::string chip = "--config '" + kSource + "/configs/teaching-8x8.yaml'";
    const std::string workload = " --workload '" + kSource + "/workloads/teaching/tiny_mlp.yaml'";
    const std::pair<std::string, std::string> cases[] = {
        {"run " + chip + workload + " --out ''", "tpusim: run: --out: expected a value, got an empty string"},
        {"run " + chip + workload + " --trace ''", "tpusim: run: --trace: expected a value, got an empty string"},
        {"compile " + chip + workload + " -o ''", "tpusim: compile: --out: expected a value, got an empty string"},
        {"run --config ''" + workload, "tpusim: run: --config: expected a value, got an empty string"},
        {"asm '' -o p.tpub", "tpusim: asm: PROGRAM.s: expected a value, got an empty string"},
    };
    for (const auto& [args, message] : cases) {
        INFO(args);
        const auto r = run_tpusim(args);
        CHECK(r.status == 2);
        CHECK(r.err.rfind(message + " (usage: ", 0) == 0);
        CHECK(r.out.empty());
    }
}

TEST_CASE("run takes either a workload or a program with its host image", "[cli]") {
    const std::string chip = "--config '" + kSource + "/configs/teaching-8x8.yaml'";
    const std::string workload = "--workload '" + kSource + "/workloads/teaching/tiny_mlp.yaml'";
    CHECK(run_tpusim("run " + chip).status == 2);
    CHECK(run_tpusim("run " + chip + " " + workload + " --program p.tpub").status == 2);
    CHECK(run_tpusim("run " + chip + " " + workload + " --host-in h.bin").status == 2);
    CHECK(run_tpusim("run " + chip + " --program p.tpub").status == 2);
}

TEST_CASE("run writes the per-layer and per-instruction tables, a Chrome trace and a VCD", "[cli]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    const std::string run = "run --config '" + kSource + "/configs/teaching-8x8.yaml' --workload '" + kSource +
                            "/workloads/teaching/tiny_mlp.yaml'";
    const auto r = run_tpusim(run + " --out out --trace trace.json --vcd wave.vcd", dir);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("per-layer figures") != std::string::npos);
    for (const char* f : {"out/report.json", "out/layers.csv", "out/instructions.csv", "trace.json", "wave.vcd"})
        CHECK(std::filesystem::file_size(dir + "/" + f) > 100);
    CHECK(read(dir + "/out/layers.csv").rfind("layer,kind,first_cycle,last_cycle,cycles,", 0) == 0);
    CHECK(read(dir + "/out/instructions.csv").rfind("index,mnemonic,layer,unit,issue,start,end,stall,", 0) == 0);
    CHECK(read(dir + "/trace.json").find("\"traceEvents\"") != std::string::npos);
    CHECK(read(dir + "/wave.vcd").find("$var") != std::string::npos);
    // A second run must not replace the trace or the waveform without --force.
    const auto again = run_tpusim(run + " --trace trace.json", dir);
    CHECK(again.status == 1);
    CHECK(again.err.find("trace.json: exists; pass --force") != std::string::npos);
    CHECK(run_tpusim(run + " --vcd wave", dir).status == 1);  // the writer would add .vcd
    CHECK(run_tpusim(run + " --trace trace.json --vcd wave.vcd --force", dir).status == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("run --trace-array prints the wavefront of one matrix_multiply with the cell model", "[cli]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    const std::string run = "run --config '" + kSource + "/configs/teaching-8x8.yaml' --workload '" + kSource +
                            "/workloads/teaching/tiny_mlp.yaml'";
    // The compiled program's first matrix_multiply: find it in the listing.
    REQUIRE(run_tpusim("compile --config '" + kSource + "/configs/teaching-8x8.yaml' --workload '" + kSource +
                           "/workloads/teaching/tiny_mlp.yaml' -o c",
                       dir).status == 0);
    const auto listing = read(dir + "/c/program.s");
    const auto at = listing.find("matrix_multiply");
    REQUIRE(at != std::string::npos);
    const auto index_at = listing.find("# [", at);
    const auto index = std::stoul(listing.substr(index_at + 3));
    const auto r = run_tpusim(run + " --array-model cells --trace-array " + std::to_string(index), dir);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("instruction " + std::to_string(index) + " in the array") != std::string::npos);
    // Without the cell model the trace is refused.
    const auto fast = run_tpusim(run + " --trace-array " + std::to_string(index), dir);
    CHECK(fast.status == 1);
    CHECK(fast.err.find("--array-model cells") != std::string::npos);
    std::filesystem::remove_all(dir);
}

namespace {
/// The "cycles" figure of a run's JSON report, or -1.
long json_cycles(const std::string& json) {
    const std::string key = "\"cycles\": ";
    const auto at = json.find(key);
    return at == std::string::npos ? -1 : std::stol(json.substr(at + key.size()));
}
}  // namespace

TEST_CASE("--set changes the chip of run, compile and config show without a new chip file", "[cli][set]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    const std::string chip = "--config '" + kSource + "/configs/teaching-8x8.yaml'";
    const std::string workload = " --workload '" + kSource + "/workloads/teaching/tiny_mlp.yaml'";
    const auto base = run_tpusim("run " + chip + workload + " --no-data --json");
    REQUIRE(base.status == 0);
    // A quarter of the weight bandwidth: the same program waits longer for its tiles.
    const auto slower = run_tpusim("run " + chip + " --set weight_memory.bandwidth=1GB/s" + workload + " --no-data --json");
    REQUIRE(slower.status == 0);
    CHECK(json_cycles(slower.out) > json_cycles(base.out));
    // Repeated, the last --set of a parameter wins: this is the base chip again.
    const auto back = run_tpusim("run " + chip + " --set weight_memory.bandwidth=1GB/s --set weight_memory.bandwidth=4GB/s" +
                                 workload + " --no-data --json");
    REQUIRE(back.status == 0);
    CHECK(json_cycles(back.out) == json_cycles(base.out));

    // config show prints the new values and the derived figures from them, marked.
    auto r = run_tpusim("config show " + chip + " --set matrix_unit.rows=16 --set clock=2GHz --set matrix_unit.rows=32");
    REQUIRE(r.status == 0);
    CHECK(r.out.find("* overridden: matrix_unit.rows, clock\n") != std::string::npos);
    CHECK(r.out.find("* rows ") != std::string::npos);
    CHECK(r.out.find(" 32 rows\n") != std::string::npos);
    CHECK(r.out.find("* clock ") != std::string::npos);
    CHECK(r.out.find("  cols ") != std::string::npos);  // not overridden, not marked
    CHECK(r.out.find("1.024 TOPS") != std::string::npos);  // 2 x 32 x 8 x 2 GHz
    r = run_tpusim("config show " + chip + " --set matrix_unit.rows=16 --json");
    REQUIRE(r.status == 0);
    CHECK(r.out.find("\"overridden\": [\"matrix_unit.rows\"],") != std::string::npos);
    CHECK(r.out.find("\"rows\": {\"value\": 16,") != std::string::npos);
    CHECK(run_tpusim("config show " + chip + " --json").out.find("overridden") == std::string::npos);

    // compile sees the override too: a 16-column array needs a program for 16 columns.
    REQUIRE(run_tpusim("compile " + chip + " --set matrix_unit.cols=16" + workload + " -o wide", dir).status == 0);
    CHECK(read(dir + "/wide/program.s").find("cols=16") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a bad --set is one line naming it: status 2 for the argument, 1 for the value", "[cli][set]") {
    const std::string chip = "config show --config '" + kSource + "/configs/teaching-8x8.yaml' ";
    auto one_line = [](const tpusim::test::CommandResult& r) {
        return r.out.empty() && std::count(r.err.begin(), r.err.end(), '\n') == 1;
    };
    auto r = run_tpusim(chip + "--set matrix_unit.rws=16");
    CHECK(r.status == 2);
    CHECK(one_line(r));
    CHECK(r.err.rfind("tpusim: --set matrix_unit.rws=16: unknown chip parameter \"matrix_unit.rws\"; did you mean "
                      "\"matrix_unit.rows\"?",
                      0) == 0);

    r = run_tpusim(chip + "--set matrix_unit.rows");
    CHECK(r.status == 2);
    CHECK(one_line(r));
    CHECK(r.err == "tpusim: --set matrix_unit.rows: expected SECTION.KEY=VALUE such as matrix_unit.rows=512 (KEY=VALUE for a top-level key such as clock)\n");

    r = run_tpusim(chip + "--set weight_memory.bandwidth=fast");
    CHECK(r.status == 1);
    CHECK(r.err == "error: --set weight_memory.bandwidth=fast: weight_memory.bandwidth: expected a bandwidth such as "
                   "\"34GB/s\", got \"fast\"\n");

    // Fine alone, but 64 KiB is not a whole number of 24-byte UB rows.
    r = run_tpusim(chip + "--set matrix_unit.rows=24");
    CHECK(r.status == 1);
    CHECK(one_line(r));
    CHECK(r.err.find("error: --set overrides of ") == 0);
    CHECK(r.err.find("teaching-8x8.yaml: unified_buffer.capacity: 64 KiB (65536 bytes) is not a whole number of "
                     "24-byte rows") != std::string::npos);
}

TEST_CASE("run --program with a --set that changes the chip a program was compiled for says so", "[cli][set]") {
    const auto dir = tpusim::test::make_temp_dir("cli");
    const std::string chip = "--config '" + kSource + "/configs/teaching-8x8.yaml'";
    REQUIRE(run_tpusim("compile " + chip + " --workload '" + kSource + "/workloads/teaching/tiny_mlp.yaml' -o out", dir)
                .status == 0);
    const std::string program = " --program out/program.tpub --host-in out/host-in.bin --weights out/weights.bin";
    // Timing-only parameters leave the program valid...
    CHECK(run_tpusim("run " + chip + " --set weight_memory.latency=50ns" + program, dir).status == 0);
    // ...the array's shape does not.
    const auto r = run_tpusim("run " + chip + " --set matrix_unit.cols=16" + program, dir);
    CHECK(r.status == 1);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.find("program was compiled for another chip: program has rows=8 cols=8 ") != std::string::npos);
    CHECK(r.err.find("has rows=8 cols=16 ") != std::string::npos);
    std::filesystem::remove_all(dir);
}
