// `tpusim compile`: a workload and a chip in, the program and its memory images out,
// with a readable listing, the memory map and per-layer statistics (docs/compiler.md).
#include "cli/chip_option.hpp"
#include "cli/command.hpp"
#include "cli/files.hpp"
#include "cli/options.hpp"
#include "compiler/compile.hpp"
#include "compiler/compile_report.hpp"
#include "compiler/workload.hpp"
#include "isa/disassembler.hpp"
#include "isa/program.hpp"

#include <iostream>

namespace tpusim::cli {

int run_compile(const std::vector<std::string>& args) {
    const std::string usage =
        std::string("tpusim compile ") + kChipUsage + " --workload WORKLOAD.yaml -o DIR [--force]";
    po::options_description options("compile options");
    add_chip_options(options);
    options.add_options()(
        "workload,w", po::value<std::string>()->required(), "workload YAML file (docs/workloads.md)")(
        "out,o", po::value<std::string>()->required(),
        "directory for program.tpub, program.s, weights.bin, host-in.bin, memory-map.txt/.json, layers.csv and "
        "tpusim-outputs.txt (the list of them)")(
        "force", po::bool_switch(),
        "write into DIR even if it holds earlier results; the files an earlier tpusim compile or run wrote there "
        "are removed first");
    po::variables_map vm;
    if (!parse_options("compile", usage, options, {}, args, vm)) return 0;

    const auto chip = load_chip(vm).chip;
    const auto compiled = compiler::compile(compiler::load_workload(vm["workload"].as<std::string>()), chip);
    const std::string dir = vm["out"].as<std::string>();
    prepare_out_dir(dir, vm["force"].as<bool>());
    auto bytes = [](const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); };
    std::vector<Output> outputs;
    outputs.emplace_back("program.tpub", [&compiled](const std::string& path) {
        isa::write_program_file(path, compiled.program, true);
    });
    outputs.push_back(text_output("program.s", isa::disassemble(compiled.program)));
    outputs.push_back(text_output("weights.bin", bytes(compiled.weight_image)));
    outputs.push_back(text_output("host-in.bin", bytes(compiled.host_image)));
    outputs.push_back(text_output("memory-map.txt", compiler::memory_map_text(compiled)));
    outputs.push_back(text_output("memory-map.json", compiler::memory_map_json(compiled)));
    outputs.push_back(text_output("layers.csv", compiler::layer_stats_csv(compiled)));
    write_outputs(dir, outputs);
    std::cout << compiler::compile_summary(compiled) << "wrote " << dir
              << "/{program.tpub, program.s, weights.bin, host-in.bin, memory-map.txt, memory-map.json, layers.csv}\n";
    return 0;
}

}  // namespace tpusim::cli
