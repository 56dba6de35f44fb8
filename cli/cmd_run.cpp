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
#include "sim/decode.hpp"
#include "sim/sim_error.hpp"
#include "sim/simulation.hpp"
#include "sim/waveform.hpp"

#include <fmt/format.h>

#include <iostream>
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
    // A program the chip cannot run is the program file's error (an operand beyond the
    // host image is the image's): said with their names before anything runs.
    try {
        sim::decode_program(in.program, chip, in.host.size());
    } catch (const sim::ProgramError& e) {
        const std::string message = e.what();
        throw Error(fmt::format("{}: {}{}", vm["program"].as<std::string>(), message,
                                message.find("host memory") == std::string::npos
                                    ? ""
                                    : "; host memory is the --host-in image " + vm["host-in"].as<std::string>()));
    }
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

}  // namespace

int run_run(const std::vector<std::string>& args) {
    const std::string usage =
        std::string("tpusim run ") + kChipUsage + " (--workload WORKLOAD.yaml | --program PROGRAM.tpub --host-in HOST.bin "
        "[--weights WEIGHTS.bin]) [--out DIR [--force]] [--array-model fast|cells [--trace-array N]] [--no-data] [--json] "
        "[--trace TRACE.json] [--vcd WAVE.vcd]";
    po::options_description options("run options");
    add_chip_options(options);
    options.add_options()
        ("workload,w", po::value<std::string>(), "workload YAML file: compiled for the chip, then run")
        ("program,p", po::value<std::string>(), "program file (from tpusim asm or tpusim compile)")
        ("host-in", po::value<std::string>(), "with --program: initial host memory image; its size is the size of host memory")
        ("weights", po::value<std::string>(), "with --program: weight memory image (default: all zero)")
        ("out,o", po::value<std::string>(),
         "write report.json, instructions.csv and layers.csv here, and host-out.bin (the final host memory) or, "
         "for a workload, <output>.npy for each network output; tpusim-outputs.txt lists them")
        ("force", po::bool_switch(),
         "write into --out even if it holds earlier results; the files an earlier tpusim run or compile wrote "
         "there are removed first")
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
    const bool force = vm["force"].as<bool>();
    if (!out_dir.empty()) check_out_dir(out_dir, force);  // created once the run has succeeded
    if (vm.count("trace")) check_output_file(vm["trace"].as<std::string>(), force);
    const std::string vcd = vm.count("vcd") ? sim::vcd_file_name(vm["vcd"].as<std::string>()) : "";
    if (!vcd.empty()) check_output_file(vcd, force);
    if (vm.count("trace-array")) run_options.array_trace = sim::ArrayTrace{&std::cout, vm["trace-array"].as<std::uint32_t>()};
    Input in = workload ? workload_input(vm, chip) : program_input(vm, chip);

    const auto result = [&] {
        try {
            return sim::simulate(chip, in.program, std::move(in.host), in.weights, run_options);
        } catch (const sim::DeadlockError& e) {
            if (workload) throw;
            throw Error(fmt::format("{}: {}", vm["program"].as<std::string>(), e.what()));
        }
    }();
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
        outputs.push_back(text_output("report.json", json));
        outputs.push_back(text_output("instructions.csv", report::instructions_csv(in.program, result)));
        if (!layers.empty()) outputs.push_back(text_output("layers.csv", report::layers_csv(layers)));
        if (run_options.data && !workload)
            outputs.push_back(text_output("host-out.bin", std::string(result.host.begin(), result.host.end())));
        if (run_options.data)
            for (const auto& out : in.outputs)
                outputs.emplace_back(out.tensor + ".npy", [&out, &result](const std::string& path) {
                    compiler::write_npy(path, compiler::unpack_output(out, result.host));
                });
        prepare_out_dir(out_dir, force);
        write_outputs(out_dir, outputs);
    }
    return 0;
}

}  // namespace tpusim::cli
