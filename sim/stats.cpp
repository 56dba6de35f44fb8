#include "sim/stats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace tpusim::sim {

Counter::Counter(StatGroup& group, std::string name, std::string description, std::string unit)
    : name_(std::move(name)), description_(std::move(description)), unit_(std::move(unit)) {
    group.counters_.push_back(this);
}

StatGroup::StatGroup(std::string component, std::string description)
    : component_(std::move(component)), description_(std::move(description)) {}

const Counter& StatGroup::get(const std::string& name) const {
    for (const auto* c : counters_)
        if (c->name() == name) return *c;
    throw std::out_of_range("no statistic " + component_ + "." + name);
}

std::string json_quote(const std::string& s) {
    std::string out = "\"";
    for (char ch : s) {
        switch (ch) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(ch) < 0x20)
                    out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(ch)));
                else
                    out += ch;
        }
    }
    return out + "\"";
}

std::uint64_t StatSnapshot::get(const std::string& name) const {
    for (const auto& v : values)
        if (v.name == name) return v.value;
    throw std::out_of_range("no statistic " + component + "." + name);
}

StatSnapshot snapshot(const StatGroup& group) {
    StatSnapshot s{group.component(), group.description(), {}};
    for (const auto* c : group.counters()) s.values.push_back({c->name(), c->description(), c->unit(), c->value()});
    return s;
}

const StatSnapshot& find_group(const std::vector<StatSnapshot>& groups, const std::string& component) {
    for (const auto& g : groups)
        if (g.component == component) return g;
    throw std::out_of_range("no statistics group " + component);
}

std::string stats_to_json(const std::vector<StatSnapshot>& groups, int indent) {
    const std::string i1(static_cast<std::size_t>(indent) + 2, ' '), i2(static_cast<std::size_t>(indent) + 4, ' ');
    std::string out = "{\n";
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const auto& group = groups[g];
        out += fmt::format("{}{}: {{\n", i1, json_quote(group.component));
        const auto& vs = group.values;
        for (std::size_t k = 0; k < vs.size(); ++k) {
            out += fmt::format("{}{}: {{\"value\": {}, \"unit\": {}, \"description\": {}}}{}\n", i2,
                               json_quote(vs[k].name), vs[k].value, json_quote(vs[k].unit),
                               json_quote(vs[k].description), k + 1 < vs.size() ? "," : "");
        }
        out += fmt::format("{}}}{}\n", i1, g + 1 < groups.size() ? "," : "");
    }
    return out + std::string(static_cast<std::size_t>(indent), ' ') + "}";
}

std::string stats_to_table(const std::vector<StatSnapshot>& groups) {
    std::size_t name_w = 4, value_w = 5, unit_w = 4;
    for (const auto& g : groups)
        for (const auto& v : g.values) {
            name_w = std::max(name_w, v.name.size());
            value_w = std::max(value_w, fmt::format("{}", v.value).size());
            unit_w = std::max(unit_w, v.unit.size());
        }
    std::string out;
    for (const auto& g : groups) {
        out += fmt::format("{} ({})\n", g.component, g.description);
        for (const auto& v : g.values)
            out += fmt::format("  {:<{}}  {:>{}}  {:<{}}  {}\n", v.name, name_w, v.value, value_w, v.unit, unit_w,
                               v.description);
    }
    return out;
}

}  // namespace tpusim::sim
