// `tpusim run`: executes a program on the simulated chip and reports where the cycles went.
#include "cli/command.hpp"
#include "cli/files.hpp"
#include "cli/options.hpp"
#include "config/chip_config.hpp"
#include "isa/program.hpp"
#include "report/run_report.hpp"
#include "sim/simulation.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>

namespace tpusim::cli {

namespace {

sim::ArrayModel parse_model(const std::string& name) {
    if (name == "fast") return sim::ArrayModel::Fast;
    if (name == "cells") return sim::ArrayModel::Cells;
    throw UsageError{"--array-model: expected 'fast' or 'cells', got '" + name + "'"};
}

/// An output directory is created; an existing non-empty one is used only with --force.
void prepare_out_dir(const std::string& dir, bool force) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec)) throw Error(fmt::format("{}: exists and is not a directory", dir));
        if (!force && !fs::is_empty(dir, ec))
            throw Error(fmt::format("{}: exists and is not empty; pass --force to overwrite the results in it", dir));
        return;
    }
    fs::create_directories(dir, ec);
    if (ec) throw Error(fmt::format("{}: cannot create: {}", dir, ec.message()));
}

}  // namespace

int run_run(const std::vector<std::string>& args) {
    const std::string usage =
        "tpusim run --config CHIP.yaml --program PROGRAM.tpub --host-in HOST.bin [--weights WEIGHTS.bin] "
        "[--out DIR [--force]] [--array-model fast|cells] [--no-data]";
    po::options_description options("run options");
    options.add_options()
        ("config,c", po::value<std::string>()->required(), "chip configuration YAML file")
        ("program,p", po::value<std::string>()->required(), "program file (from tpusim asm)")
        ("host-in", po::value<std::string>()->required(),
         "initial host memory image; its size is the size of host memory")
        ("weights", po::value<std::string>(), "weight memory image (default: all zero)")
        ("out,o", po::value<std::string>(), "write report.json and host-out.bin (the final host memory) here")
        ("force", po::bool_switch(), "write into --out even if it holds earlier results")
        ("array-model", po::value<std::string>()->default_value("fast"),
         "fast: event-driven model; cells: every cell every cycle (arrays up to 32x32, for verification)")
        ("no-data", po::bool_switch(), "timing only: skip the arithmetic (identical cycle counts)")
        ("json", po::bool_switch(), "print report.json to standard output instead of the table");
    po::variables_map vm;
    if (!parse_options(usage, options, {}, args, vm)) return 0;

    const auto chip = config::load_chip_config(vm["config"].as<std::string>());
    const auto program = isa::read_program_file(vm["program"].as<std::string>());
    auto host = read_binary_file(vm["host-in"].as<std::string>());
    const auto weights = vm.count("weights") ? read_binary_file(vm["weights"].as<std::string>()) : std::vector<std::uint8_t>{};
    if (weights.size() > chip.weight_memory.capacity_bytes)
        throw Error(fmt::format("{}: {} bytes do not fit weight memory ({} bytes)", vm["weights"].as<std::string>(),
                                weights.size(), chip.weight_memory.capacity_bytes));
    sim::RunOptions run_options;
    run_options.array_model = parse_model(vm["array-model"].as<std::string>());
    run_options.data = !vm["no-data"].as<bool>();
    const std::string out_dir = vm.count("out") ? vm["out"].as<std::string>() : "";
    if (!out_dir.empty()) prepare_out_dir(out_dir, vm["force"].as<bool>());

    const auto result = sim::simulate(chip, program, std::move(host), weights, run_options);
    const auto summary = report::summarize(chip, result);
    const auto json = report::format_json(summary, result);
    std::cout << (vm["json"].as<bool>() ? json : report::format_text(summary, result));
    if (!out_dir.empty()) {
        write_file(out_dir + "/report.json", json, true);
        if (run_options.data)
            write_file(out_dir + "/host-out.bin", std::string(result.host.begin(), result.host.end()), true);
    }
    return 0;
}

}  // namespace tpusim::cli
