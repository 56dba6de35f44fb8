// `tpusim asm` and `tpusim disasm`: text assembly to program file and back, exactly.
#include "cli/command.hpp"
#include "cli/files.hpp"
#include "cli/options.hpp"
#include "config/chip_config.hpp"
#include "isa/assembler.hpp"
#include "isa/disassembler.hpp"
#include "isa/program.hpp"

#include <iostream>

namespace tpusim::cli {

int run_asm(const std::vector<std::string>& args) {
    const std::string usage = "tpusim asm PROGRAM.s -o PROGRAM.tpub [--force]";
    po::options_description options("asm options");
    options.add_options()
        ("output,o", po::value<std::string>()->required(),
         "program file to write (an existing program file is replaced; any other file only with --force)")
        ("force", po::bool_switch(), "replace the output file whatever it holds");
    po::variables_map vm;
    if (!parse_options("asm", usage, options, {{"input", "PROGRAM.s", "assembly source file"}}, args, vm)) return 0;
    const auto& input = vm["input"].as<std::string>();
    // The .chip line must describe a chip a chip config could (config's limits, not
    // restated): a program for no possible chip is caught where it is written.
    const auto program = isa::assemble(read_text_file(input, "assembly source"), input, config::chip_signature_problem);
    isa::write_program_file(vm["output"].as<std::string>(), program, vm["force"].as<bool>());
    return 0;
}

int run_disasm(const std::vector<std::string>& args) {
    const std::string usage = "tpusim disasm PROGRAM.tpub [-o PROGRAM.s [--force]]";
    po::options_description options("disasm options");
    options.add_options()
        ("output,o", po::value<std::string>(), "write the listing here instead of standard output")
        ("force", po::bool_switch(), "replace the output file if it exists");
    po::variables_map vm;
    if (!parse_options("disasm", usage, options, {{"input", "PROGRAM.tpub", "program file"}}, args, vm)) return 0;
    const auto text = isa::disassemble(isa::read_program_file(vm["input"].as<std::string>()));
    if (vm.count("output"))
        write_file(vm["output"].as<std::string>(), text, vm["force"].as<bool>());
    else
        std::cout << text;
    return 0;
}

}  // namespace tpusim::cli
