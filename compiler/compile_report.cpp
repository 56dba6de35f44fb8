#include "compiler/compile_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tpusim::compiler {

namespace {

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20)
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else
            out += c;
    }
    return out + "\"";
}

const char* unit_of(const std::string& memory) { return memory == "ub" || memory == "acc" ? "rows" : "bytes"; }

}  // namespace

std::string memory_map_text(const CompiledWorkload& c) {
    std::string out;
    std::string memory;
    for (const Placement& p : c.memory_map) {
        if (p.memory != memory) {
            memory = p.memory;
            out += fmt::format("{}{} ({}):\n", out.empty() ? "" : "\n", memory, unit_of(memory));
        }
        out += fmt::format("  {:#12x} .. {:#12x}  {:>10}  {}{}\n", p.first, p.first + p.count, p.count, p.tensor,
                           p.note.empty() ? "" : "  [" + p.note + "]");
    }
    return out;
}

std::string memory_map_json(const CompiledWorkload& c) {
    std::string out = "{\"placements\": [\n";
    for (std::size_t i = 0; i < c.memory_map.size(); ++i) {
        const Placement& p = c.memory_map[i];
        out += fmt::format(
            "  {{\"memory\": {}, \"name\": {}, \"first\": {}, \"count\": {}, \"unit\": \"{}\", \"note\": {}}}{}\n",
            json_string(p.memory), json_string(p.tensor), p.first, p.count, unit_of(p.memory), json_string(p.note),
            i + 1 < c.memory_map.size() ? "," : "");
    }
    out += "],\n\"outputs\": [\n";
    for (std::size_t i = 0; i < c.outputs.size(); ++i) {
        const OutputLocation& o = c.outputs[i];
        out += fmt::format("  {{\"tensor\": {}, \"shape\": [{}], \"batch\": {}, \"host_base\": {}}}{}\n",
                           json_string(o.tensor), fmt::join(o.shape, ", "), o.batch, o.base,
                           i + 1 < c.outputs.size() ? "," : "");
    }
    return out + "]}\n";
}

std::string layer_stats_csv(const CompiledWorkload& c) {
    std::string out = "layer,kind,macs,weight_bytes,weights,macs_per_weight_byte\n";
    auto row = [&](const LayerStats& s) {
        out += fmt::format("{},{},{},{},{},{:.2f}\n", s.name, s.kind, s.macs, s.weight_bytes, s.weights,
                           s.macs_per_weight_byte());
    };
    for (const auto& l : c.layers) row(l);
    LayerStats total = c.total;
    total.name = "total";
    row(total);
    return out;
}

namespace {

std::string smaller_blocks(const CompiledWorkload& c) {
    if (c.smaller_blocks.empty()) return {};
    std::string layers;
    for (const auto& [name, rows] : c.smaller_blocks)
        layers += fmt::format("{}{} ({} rows)", layers.empty() ? "" : ", ", name, rows);
    return "smaller blocks       " + layers + " (so that their staging fits)\n";
}

}  // namespace

std::string compile_summary(const CompiledWorkload& c) {
    return fmt::format(
        "instructions         {}\n"
        "passes               {}{}\n"
        "unified buffer used  {} bytes ({:.2f} MiB)\n"
        "{}{}{}"
        "weight image         {} bytes\n"
        "host image           {} bytes\n"
        "MACs                 {}\n"
        "weights              {}\n"
        "weight bytes read    {}\n"
        "MACs per weight byte {:.1f}\n",
        c.program.code.size(), c.passes, c.passes > 1 ? " (the batch split to fit the unified buffer)" : "",
        c.ub_bytes_used, double(c.ub_bytes_used) / (1 << 20),
        c.spilled.empty() ? std::string()
                          : fmt::format("spilled to host      {} (not even one sample fits the unified buffer)\n",
                                        fmt::join(c.spilled, ", ")),
        smaller_blocks(c),
        c.folded_adds.empty() ? std::string()
                              : fmt::format("adds in the array    {} (so that their operands can be spilled)\n",
                                            fmt::join(c.folded_adds, ", ")),
        c.weight_image.size(), c.host_image.size(), c.total.macs,
        c.total.weights, c.total.weight_bytes, c.total.macs_per_weight_byte());
}

}  // namespace tpusim::compiler
