// The subcommand registry. Only subcommands that work are listed.
#include "cli/command.hpp"

namespace tpusim::cli {

int run_config(const std::vector<std::string>& args);
int run_asm(const std::vector<std::string>& args);
int run_disasm(const std::vector<std::string>& args);
int run_compile(const std::vector<std::string>& args);
int run_run(const std::vector<std::string>& args);
int run_sweep(const std::vector<std::string>& args);

const std::vector<Command>& commands() {
    static const std::vector<Command> list = {
        {"config", "show a chip configuration: every parameter and the derived figures", run_config},
        {"asm", "assemble a text program into a program file", run_asm},
        {"disasm", "print a program file as assembly text the assembler accepts", run_disasm},
        {"compile", "compile a workload for a chip: program, weight and host images, memory map, layer stats",
         run_compile},
        {"run", "simulate a program or a workload on a chip and report cycles, TOPS and the cycle breakdown", run_run},
        {"sweep", "run workloads on a grid of chip variants in parallel: results.csv and a speedup plot", run_sweep},
    };
    return list;
}

}  // namespace tpusim::cli
