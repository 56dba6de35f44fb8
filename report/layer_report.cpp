#include "report/layer_report.hpp"

#include "isa/forms.hpp"
#include "report/csv.hpp"
#include "sim/decode.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>

namespace tpusim::report {

std::uint64_t wait_cycles(const sim::InstructionRecord& r) {
    if (r.start == sim::kUnknownCycle || r.issue == sim::kUnknownCycle || r.start <= r.issue + 1) return 0;
    return r.start - r.issue - 1;
}

std::vector<InstructionWork> instruction_work(const config::ChipConfig& chip, const isa::Program& program) {
    // The program has run on this chip, so it decodes; the host-memory bounds were checked
    // then and do not matter here.
    const auto decoded = sim::decode_program(program, chip, std::numeric_limits<std::uint64_t>::max());
    std::vector<std::uint64_t> tile_macs;  // per weight tile in FIFO order: its stored rows x cols
    std::vector<InstructionWork> out(decoded.size());
    std::uint64_t active = 0;               // MACs per input vector of the tile in use
    for (std::size_t i = 0; i < decoded.size(); ++i) {
        const auto& in = program.code[i];
        const auto& d = decoded[i];
        if (in.op == isa::Opcode::ReadWeights) {
            tile_macs.resize(d.tile + in.count, in.tile_rows * in.tile_cols);
            out[i].weight_bytes = d.bytes * in.count;
        } else if (in.op == isa::Opcode::MatrixMultiply) {
            if (in.switch_weights) active = tile_macs.at(d.tile);
            out[i].macs = d.vectors * active;
        }
    }
    return out;
}

std::vector<LayerSummary> summarize_layers(const config::ChipConfig& chip, const isa::Program& program,
                                           const sim::RunResult& run) {
    std::vector<LayerSummary> out(program.layers.size());
    std::vector<std::map<std::string, std::uint64_t>> stalls(program.layers.size());
    std::vector<bool> seen(program.layers.size(), false);
    for (std::size_t i = 0; i < program.layers.size(); ++i) {
        out[i].name = program.layers[i].name;
        out[i].kind = program.layers[i].kind;
        out[i].network_macs = program.layers[i].macs;
    }
    if (program.layers.empty()) return out;
    const auto work = instruction_work(chip, program);
    for (std::size_t i = 0; i < work.size() && i < program.layer_of.size(); ++i)
        if (program.layer_of[i] != isa::Program::kNoLayer) {
            out[program.layer_of[i]].macs += work[i].macs;
            out[program.layer_of[i]].weight_bytes += work[i].weight_bytes;
        }
    for (std::size_t i = 0; i < run.instructions.size() && i < program.layer_of.size(); ++i) {
        const auto l = program.layer_of[i];
        const auto& r = run.instructions[i];
        if (l == isa::Program::kNoLayer || r.start == sim::kUnknownCycle) continue;
        auto& s = out[l];
        s.first_cycle = seen[l] ? std::min(s.first_cycle, r.start) : r.start;
        s.last_cycle = seen[l] ? std::max(s.last_cycle, r.end) : r.end;
        seen[l] = true;
        // Waits that are only queueing (a full weight FIFO: the fetcher is ahead; a busy
        // unit: the instruction is behind another of its kind) do not slow the layer.
        if (r.stall != sim::StallReason::None && r.stall != sim::StallReason::FifoFull &&
            r.stall != sim::StallReason::UnitBusy)
            stalls[l][sim::stall_name(r.stall)] += wait_cycles(r);
    }
    const double ridge = chip.ridge_macs_per_weight_byte();
    for (std::size_t l = 0; l < out.size(); ++l) {
        auto& s = out[l];
        s.cycles = s.last_cycle - s.first_cycle;
        const double seconds = static_cast<double>(s.cycles) / static_cast<double>(chip.clock_hz);
        s.tops = seconds > 0 ? 2.0 * static_cast<double>(s.macs) / seconds / 1e12 : 0;
        s.macs_per_weight_byte = s.weight_bytes ? static_cast<double>(s.macs) / static_cast<double>(s.weight_bytes) : 0;
        if (s.macs > 0) s.bound = s.weight_bytes > 0 && s.macs_per_weight_byte < ridge ? "memory" : "compute";
        s.largest_stall = "none";
        for (const auto& [reason, n] : stalls[l])
            if (n > s.largest_stall_cycles) {
                s.largest_stall = reason;
                s.largest_stall_cycles = n;
            }
    }
    return out;
}

std::vector<LayerFigure> layer_figures(const LayerSummary& s) {
    const auto count = [](std::uint64_t v) { return fmt::format("{}", v); };
    const auto real = [](double v) { return fmt::format("{:.6g}", v); };
    return {
        {"layer", s.name, true},
        {"kind", s.kind, true},
        {"first_cycle", count(s.first_cycle), false},
        {"last_cycle", count(s.last_cycle), false},
        {"cycles", count(s.cycles), false},
        {"macs", count(s.macs), false},
        {"weight_bytes", count(s.weight_bytes), false},
        {"network_macs", count(s.network_macs), false},
        {"tops", real(s.tops), false},
        {"macs_per_weight_byte", real(s.macs_per_weight_byte), false},
        {"bound", s.bound, true},
        {"largest_stall", s.largest_stall, true},
        {"largest_stall_cycles", count(s.largest_stall_cycles), false},
    };
}

std::string layers_csv(const std::vector<LayerSummary>& layers) {
    std::string out;
    for (const auto& f : layer_figures(LayerSummary{})) out += (out.empty() ? "" : ",") + f.name;
    out += "\n";
    for (const auto& s : layers) {
        std::string row;
        for (const auto& f : layer_figures(s)) row += (row.empty() ? "" : ",") + csv_field(f.text);
        out += row + "\n";
    }
    return out;
}

std::string layers_json(const std::vector<LayerSummary>& layers) {
    if (layers.empty()) return "[]";
    std::string out = "[\n";
    for (std::size_t i = 0; i < layers.size(); ++i) {
        std::string entry;
        for (const auto& f : layer_figures(layers[i]))
            entry += fmt::format("{}\"{}\": {}", entry.empty() ? "" : ", ", f.name,
                                 f.is_text ? sim::json_quote(f.text) : f.text);
        out += fmt::format("    {{{}}}{}\n", entry, i + 1 < layers.size() ? "," : "");
    }
    return out + "  ]";
}

std::string layers_table(const std::vector<LayerSummary>& layers) {
    std::size_t w = 5;
    for (const auto& s : layers) w = std::max(w, s.name.size());
    std::string out = fmt::format("  {:<{}}  {:>10}  {:>9}  {:>10}  {:<7}  {}\n", "layer", w, "cycles", "TOPS",
                                  "MACs/byte", "bound", "largest stall");
    // TOPS to 4 significant digits, as in the summary; "-" where a figure has no meaning:
    // no intensity without weight bytes, no bound without MACs.
    for (const auto& s : layers)
        out += fmt::format("  {:<{}}  {:>10}  {:>9.4g}  {:>10}  {:<7}  {} ({} cycles)\n", s.name, w, s.cycles, s.tops,
                           s.weight_bytes ? fmt::format("{:.1f}", s.macs_per_weight_byte) : "-",
                           s.bound == "none" ? "-" : s.bound, s.largest_stall, s.largest_stall_cycles);
    return out;
}

std::string instructions_csv(const isa::Program& program, const sim::RunResult& run) {
    std::string out = "index,mnemonic,layer,unit,issue,start,end,stall,stall_cycles\n";
    for (std::size_t i = 0; i < run.instructions.size(); ++i) {
        const auto& r = run.instructions[i];
        const auto* form = isa::form_of(program.code[i]);
        std::string layer;
        if (i < program.layer_of.size() && program.layer_of[i] != isa::Program::kNoLayer)
            layer = program.layers[program.layer_of[i]].name;
        out += fmt::format("{},{},{},{},{},{},{},{},{}\n", i, form ? form->mnemonic : "?", csv_field(layer), sim::unit_name(r.unit),
                           r.issue, r.start, r.end, sim::stall_name(r.stall), wait_cycles(r));
    }
    return out;
}

}  // namespace tpusim::report
