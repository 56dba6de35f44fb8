// `tpusim run`: executes a program, or a workload compiled on the spot, on the simulated
// chip and reports where the cycles went.
#include "cli/chip_option.hpp"
#include "cli/command.hpp"
#include "cli/files.hpp"
#include "cli/options.hpp"
#include "compiler/compile.hpp"
#include "compiler/npy.hpp"
#include "compiler/workload.hpp"
#include "config/chip_config.hpp"
#include "isa/program.hpp"
#include "report/layer_report.hpp"
#include "report/run_report.hpp"
#include "report/trace.hpp"
#include "sim/simulation.hpp"
#include "sim/waveform.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <sstream>
#include <utility>

namespace tpusim::cli {

namespace {

sim::ArrayModel parse_model(const std::string& name) {
    if (name == "fast") return sim::ArrayModel::Fast;
    if (name == "cells") return sim::ArrayModel::Cells;
    throw UsageError{"--array-model: expected 'fast' or 'cells', got '" + name + "'"};
}

/// What a run executes: a program with its images, and the compiled workload if any.
struct Input {
    isa::Program program;
    std::vector<std::uint8_t> host, weights;
    std::vector<compiler::OutputLocation> outputs;  // network outputs (workload runs only)
    std::string workload;                           // the network's name (workload runs only)
};

Input program_input(const po::variables_map& vm, const config::ChipConfig& chip) {
    if (!vm.count("host-in")) throw UsageError{"--program needs --host-in (the initial host memory image)"};
    Input in;
    in.program = isa::read_program_file(vm["program"].as<std::string>());
    in.host = read_binary_file(vm["host-in"].as<std::string>(), "host memory image");
    if (vm.count("weights")) in.weights = read_binary_file(vm["weights"].as<std::string>(), "weight memory image");
    if (in.weights.size() > chip.weight_memory.capacity_bytes)
        throw Error(fmt::format("{}: {} bytes do not fit weight memory ({} bytes)", vm["weights"].as<std::string>(),
                                in.weights.size(), chip.weight_memory.capacity_bytes));
    return in;
}

Input workload_input(const po::variables_map& vm, const config::ChipConfig& chip) {
    for (const char* option : {"host-in", "weights"})
        if (vm.count(option))
            throw UsageError{fmt::format("--{} goes with --program; --workload compiles its own images", option)};
    auto network = compiler::load_workload(vm["workload"].as<std::string>());
    Input in;
    in.workload = network.name;
    auto compiled = compiler::compile(std::move(network), chip);  // its tensors are not needed again
    in.program = std::move(compiled.program);
    in.host = std::move(compiled.host_image);
    in.weights = std::move(compiled.weight_image);
    in.outputs = std::move(compiled.outputs);
    return in;
}

// The files a run wrote into its --out directory are listed in this file there, so that a
// later run with --force can remove exactly them before it writes its own (an old fc4.npy
// must not sit beside new results), and never a file tpusim did not write.
constexpr const char* kOutputList = "tpusim-outputs.txt";
constexpr const char* kOutputListHeader =
    "# The files tpusim run wrote into this directory, one per line; tpusim run --out with --force\n"
    "# removes them before it writes its own (docs/reports.md).\n";

/// Removes the files that the list of an earlier run names, if there is one. Only plain
/// names of regular files in `dir` are removed; any other line is left alone, with a note.
void remove_earlier_outputs(const std::string& dir) {
    namespace fs = std::filesystem;
    const fs::path list = fs::path(dir) / kOutputList;
    std::error_code ec;
    if (!fs::is_regular_file(list, ec)) return;
    std::istringstream lines(read_text_file(list.string(), "output list"));
    std::string name;
    for (int line = 1; std::getline(lines, name); ++line) {
        if (name.empty() || name[0] == '#') continue;
        const fs::path file = fs::path(dir) / name;
        if (name.find('/') != std::string::npos || name == "." || name == ".." || name == kOutputList) {
            std::cerr << fmt::format("note: {}:{}: '{}' is not a file name of this directory; left alone\n",
                                     list.string(), line, name);
            continue;
        }
        if (!fs::is_regular_file(fs::symlink_status(file, ec))) continue;  // gone already, or not a file we wrote
        if (!fs::remove(file, ec) || ec)
            throw Error(fmt::format("{}: cannot remove the earlier run's output: {}", file.string(), ec.message()));
    }
}

/// An output file of a run: its name in the --out directory and how to write it to a path.
using Output = std::pair<std::string, std::function<void(const std::string&)>>;

/// Writes the outputs of a run into `dir`, replacing those of an earlier run there, and the
/// list of them.
void write_outputs(const std::string& dir, const std::vector<Output>& outputs) {
    remove_earlier_outputs(dir);
    std::string list = kOutputListHeader;
    for (const auto& [name, write] : outputs) {
        write(dir + "/" + name);
        list += name + "\n";
    }
    write_file(dir + "/" + kOutputList, list, true);
}

}  // namespace

int run_run(const std::vector<std::string>& args) {
    const std::string usage =
        std::string("tpusim run ") + kChipUsage + " (--workload WORKLOAD.yaml | --program PROGRAM.tpub --host-in HOST.bin "
        "[--weights WEIGHTS.bin]) [--out DIR [--force]] [--array-model fast|cells] [--no-data]";
    po::options_description options("run options");
    add_chip_options(options);
    options.add_options()
        ("workload,w", po::value<std::string>(), "workload YAML file: compiled for the chip, then run")
        ("program,p", po::value<std::string>(), "program file (from tpusim asm or tpusim compile)")
        ("host-in", po::value<std::string>(), "with --program: initial host memory image; its size is the size of host memory")
        ("weights", po::value<std::string>(), "with --program: weight memory image (default: all zero)")
        ("out,o", po::value<std::string>(),
         "write report.json here, and host-out.bin (the final host memory) or, for a workload, <output>.npy "
         "for each network output")
        ("force", po::bool_switch(),
         "write into --out even if it holds earlier results; the files an earlier tpusim run wrote there are "
         "removed first")
        ("array-model", po::value<std::string>()->default_value("fast"),
         "fast: event-driven model; cells: every cell every cycle (arrays up to 32x32, for verification)")
        ("no-data", po::bool_switch(), "timing only: skip the arithmetic (identical cycle counts)")
        ("json", po::bool_switch(), "print report.json to standard output instead of the table")
        ("trace", po::value<std::string>(), "write a Chrome trace-event JSON file (Perfetto): a track per unit, a slice per instruction")
        ("vcd", po::value<std::string>(), "write a VCD waveform (GTKWave): each unit's busy and waiting state, the program counter, FIFO occupancy")
        ("trace-array", po::value<std::uint32_t>(),
         "with --array-model cells: print the array's state every cycle while instruction N (a matrix_multiply) is in it");
    po::variables_map vm;
    if (!parse_options("run", usage, options, {}, args, vm)) return 0;
    const bool workload = vm.count("workload") != 0;
    if (workload == (vm.count("program") != 0))
        throw UsageError{"give either --workload or --program (usage: " + usage + ")"};

    const auto chip = load_chip(vm).chip;
    sim::RunOptions run_options;
    run_options.array_model = parse_model(vm["array-model"].as<std::string>());
    run_options.data = !vm["no-data"].as<bool>();
    run_options.keep_memories = false;  // results leave through host memory
    const std::string out_dir = vm.count("out") ? vm["out"].as<std::string>() : "";
    if (!out_dir.empty()) prepare_out_dir(out_dir, vm["force"].as<bool>());
    const bool force = vm["force"].as<bool>();
    if (vm.count("trace")) refuse_existing(vm["trace"].as<std::string>(), force);
    const std::string vcd = vm.count("vcd") ? sim::vcd_file_name(vm["vcd"].as<std::string>()) : "";
    if (!vcd.empty()) refuse_existing(vcd, force);
    if (vm.count("trace-array")) run_options.array_trace = sim::ArrayTrace{&std::cout, vm["trace-array"].as<std::uint32_t>()};
    Input in = workload ? workload_input(vm, chip) : program_input(vm, chip);

    const auto result = sim::simulate(chip, in.program, std::move(in.host), in.weights, run_options);
    auto summary = report::summarize(chip, result);
    summary.workload = in.workload;
    const auto layers = report::summarize_layers(chip, in.program, result);
    const auto json = report::format_json(summary, result, layers);
    if (vm["json"].as<bool>()) {
        std::cout << json;
    } else {
        std::cout << report::format_text(summary, result);
        if (!layers.empty()) std::cout << "\nper-layer figures\n" << report::layers_table(layers);
    }
    if (vm.count("trace")) write_file(vm["trace"].as<std::string>(), report::chrome_trace(chip, in.program, result), force);
    if (!vcd.empty()) sim::write_vcd(vcd, result);
    if (!out_dir.empty()) {
        std::vector<Output> outputs;
        const auto text = [](std::string data) {
            return [data = std::move(data)](const std::string& path) { write_file(path, data, true); };
        };
        outputs.emplace_back("report.json", text(json));
        outputs.emplace_back("instructions.csv", text(report::instructions_csv(in.program, result)));
        if (!layers.empty()) outputs.emplace_back("layers.csv", text(report::layers_csv(layers)));
        if (run_options.data && !workload)
            outputs.emplace_back("host-out.bin", text(std::string(result.host.begin(), result.host.end())));
        if (run_options.data)
            for (const auto& out : in.outputs)
                outputs.emplace_back(out.tensor + ".npy", [&out, &result](const std::string& path) {
                    compiler::write_npy(path, compiler::unpack_output(out, result.host));
                });
        write_outputs(out_dir, outputs);
    }
    return 0;
}

}  // namespace tpusim::cli
