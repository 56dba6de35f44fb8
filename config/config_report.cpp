#include "config/config_report.hpp"

#include "config/yaml_map.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace tpusim::config {
namespace {

/// A figure computed from the parameters. One list drives the text and the JSON report.
struct Figure {
    const char* key;    // JSON name
    const char* label;  // text report
    bool integral;
    std::uint64_t integer;
    double real;
    const char* unit;
    const char* formula;
};

std::vector<Figure> derived_figures(const ChipConfig& c) {
    const auto whole = [](const char* key, const char* label, std::uint64_t v, const char* unit,
                          const char* formula) { return Figure{key, label, true, v, 0.0, unit, formula}; };
    const auto real = [](const char* key, const char* label, double v, const char* unit,
                         const char* formula) { return Figure{key, label, false, 0, v, unit, formula}; };
    const double host_per_cycle =
        static_cast<double>(c.host.bandwidth_bytes_per_s) / static_cast<double>(c.clock_hz);
    return {
        whole("peak_macs_per_s", "peak MAC/s", c.peak_macs_per_s(), "MAC/s",
              "rows x cols x clock / cycles per vector"),
        real("peak_tops", "peak TOPS", c.peak_tops(), "TOPS", "2 x peak MAC/s / 10^12"),
        whole("ub_row_bytes", "UB row", c.ub_row_bytes(), "bytes", "max(rows, cols)"),
        whole("ub_rows", "UB rows", c.ub_rows(), "rows", "unified_buffer.capacity / UB row"),
        whole("tile_bytes", "weight tile", c.tile_bytes(), "bytes", "rows x cols"),
        real("weight_bytes_per_cycle", "weight memory per cycle", c.weight_bytes_per_cycle(),
             "bytes/cycle", "weight_memory.bandwidth / clock"),
        whole("weight_latency_cycles", "weight memory latency", c.latency_cycles(c.weight_memory.latency_ps),
              "cycles", "ceil(weight_memory.latency x clock)"),
        whole("tile_transfer_cycles", "tile transfer", c.tile_transfer_cycles(), "cycles",
              "ceil(tile bytes on its busiest channel x channels x clock / weight_memory.bandwidth)"),
        whole("tile_fetch_cycles", "tile fetch", c.tile_fetch_cycles(), "cycles",
              "weight memory latency + tile transfer"),
        real("ridge_macs_per_weight_byte", "ridge point", c.ridge_macs_per_weight_byte(),
             "MACs/weight byte", "peak MAC/s / weight_memory.bandwidth"),
        real("host_bytes_per_cycle", "host interface per cycle", host_per_cycle, "bytes/cycle",
             "host_interface.bandwidth / clock"),
        whole("host_latency_cycles", "host interface latency", c.latency_cycles(c.host.latency_ps),
              "cycles", "ceil(host_interface.latency x clock)"),
    };
}

/// Up to three decimals, trailing zeros dropped: 91.75, 0.128, 1349.271.
std::string readable(double v) {
    if (!std::isfinite(v)) return "-";
    std::string s = fmt::format("{:.3f}", v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string json_number(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "null"; }

/// Units of counts are plural nouns ("rows", "entries", "bytes/cycle"); one of them is
/// singular. Symbols ("TOPS", "MAC/s") start with a capital and stay as they are.
std::string unit_for(double n, const std::string& plural) {
    if (n != 1.0 || plural.empty() || !std::islower(static_cast<unsigned char>(plural[0]))) return plural;
    const auto slash = plural.find('/');
    std::string noun = plural.substr(0, slash);
    const std::string rest = slash == std::string::npos ? "" : plural.substr(slash);
    if (noun.size() > 3 && noun.compare(noun.size() - 3, 3, "ies") == 0) noun.replace(noun.size() - 3, 3, "y");
    else if (!noun.empty() && noun.back() == 's') noun.pop_back();
    return noun + rest;
}

std::string section_title(const std::string& name) { return name.empty() ? "chip" : name; }

/// Consecutive parameters of the same section, in schema order.
std::vector<std::pair<std::string, std::vector<ParamValue>>> by_section(const std::vector<ParamValue>& values) {
    std::vector<std::pair<std::string, std::vector<ParamValue>>> groups;
    for (const ParamValue& v : values) {
        if (groups.empty() || groups.back().first != v.spec.section) groups.push_back({v.spec.section, {}});
        groups.back().second.push_back(v);
    }
    return groups;
}

}  // namespace

std::string format_chip_report(const ChipConfig& chip, const std::vector<std::string>& overridden) {
    struct Row {
        std::string label, value, detail;
        bool heading;
        bool marked = false;  // overridden
    };
    std::vector<Row> rows;
    for (const auto& group : by_section(chip_config_values(chip))) {
        rows.push_back({section_title(group.first), "", "", true});
        for (const ParamValue& v : group.second) {
            Row row{v.spec.key, v.text, "", false};
            row.marked = std::find(overridden.begin(), overridden.end(), v.spec.path()) != overridden.end();
            if (v.spec.type == ParamSpec::Type::Number) {
                if (v.spec.kind == QuantityKind::Count)
                    row.value += " " + unit_for(static_cast<double>(v.number), v.spec.unit);
                else row.detail = group_thousands(v.number) + " " + v.spec.unit;
            }
            rows.push_back(row);
        }
    }
    rows.push_back({"derived", "", "", true});
    for (const Figure& f : derived_figures(chip)) {
        const std::string value = f.integral ? group_thousands(f.integer) : readable(f.real);
        const double amount = f.integral ? static_cast<double>(f.integer) : f.real;
        rows.push_back({f.label, value + " " + unit_for(amount, f.unit), f.formula, false});
    }

    std::size_t label_width = 0;
    std::size_t value_width = 0;
    for (const Row& r : rows) {
        if (r.heading) continue;
        label_width = std::max(label_width, r.label.size());
        value_width = std::max(value_width, r.value.size());
    }
    std::string out = chip.source_file.empty() ? chip.name + "\n"
                                               : fmt::format("{} ({})\n", chip.name, chip.source_file);
    if (!overridden.empty()) out += "* overridden: " + yaml::join(overridden) + "\n";
    for (const Row& r : rows) {
        if (r.heading) {
            out += "\n" + r.label + "\n";
            continue;
        }
        std::string line = fmt::format("{} {:<{}}  {:<{}}  {}", r.marked ? '*' : ' ', r.label, label_width, r.value, value_width, r.detail);
        line.erase(line.find_last_not_of(' ') + 1);
        out += line + "\n";
    }
    return out;
}

std::string format_chip_report_json(const ChipConfig& chip, const std::vector<std::string>& overridden) {
    const auto join = [](const std::vector<std::string>& items, const std::string& separator) {
        std::string out;
        for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
        return out;
    };
    const auto member = [](const ParamValue& v) {
        const std::string value =
            v.spec.type == ParamSpec::Type::Number
                ? fmt::format("{{\"value\": {}, \"unit\": {}, \"text\": {}}}", v.number,
                              json_string(v.spec.unit), json_string(v.text))
                : fmt::format("{{\"value\": {}}}", json_string(v.text));
        return json_string(v.spec.key) + ": " + value;
    };
    std::vector<std::string> parameters;
    for (const auto& group : by_section(chip_config_values(chip))) {
        std::vector<std::string> members;
        for (const ParamValue& v : group.second) members.push_back(member(v));
        if (group.first.empty()) {
            parameters.insert(parameters.end(), members.begin(), members.end());
        } else {
            parameters.push_back(json_string(group.first) + ": {\n      " + join(members, ",\n      ") +
                                 "\n    }");
        }
    }
    std::vector<std::string> derived;
    for (const Figure& f : derived_figures(chip)) {
        derived.push_back(fmt::format("{}: {{\"value\": {}, \"unit\": {}}}", json_string(f.key),
                                      f.integral ? std::to_string(f.integer) : json_number(f.real),
                                      json_string(f.unit)));
    }
    std::vector<std::string> paths;
    for (const auto& path : overridden) paths.push_back(json_string(path));
    const std::string overridden_member =
        paths.empty() ? "" : fmt::format("  \"overridden\": [{}],\n", join(paths, ", "));
    return fmt::format("{{\n  \"name\": {},\n  \"source\": {},\n{}  \"parameters\": {{\n    {}\n  }},\n"
                       "  \"derived\": {{\n    {}\n  }}\n}}\n",
                       json_string(chip.name), json_string(chip.source_file), overridden_member,
                       join(parameters, ",\n    "), join(derived, ",\n    "));
}

std::string format_schema_markdown(const Schema& schema) {
    const auto cell = [](std::string s) {
        std::string out;
        for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
        return out;
    };
    std::string out;
    for (const SectionSpec& s : schema.sections) {
        out += fmt::format("### {}\n\n{}\n\n", s.name.empty() ? "Top level" : "`" + s.name + "`",
                           s.description);
        out += "| key | type (unit) | required / default | range | description |\n";
        out += "|---|---|---|---|---|\n";
        for (const ParamSpec& p : schema.params) {
            if (p.section != s.name) continue;
            std::string range = p.range_text();
            if (!p.max_reason.empty()) range += " (" + p.max_reason + ")";
            out += fmt::format("| `{}` | {} | {} | {} | {} |\n", p.path(), cell(p.type_text()),
                               p.required ? "required" : "default `" + p.default_text + "`",
                               range.empty() ? "-" : cell(range), cell(p.description));
        }
        out += "\n";
    }
    return out;
}

}  // namespace tpusim::config
