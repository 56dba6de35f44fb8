#include "sweep/sweep_dir.hpp"

#include "sim/stats.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

namespace tpusim::sweep {

namespace fs = std::filesystem;

namespace {

constexpr const char* kManifest = "sweep.json";

/// The name recorded in a directory's sweep.json, or "" when it has none that parses.
std::string manifest_name(const fs::path& manifest) {
    namespace pt = boost::property_tree;
    std::ifstream in(manifest);
    if (!in) return "";
    pt::ptree tree;
    try {
        pt::read_json(in, tree);
    } catch (const pt::json_parser_error&) {
        return "";
    }
    return tree.get<int>("tpusim_sweep", 0) == 1 ? tree.get<std::string>("name", "") : "";
}

std::string json_list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + sim::json_quote(i);
    return "[" + out + "]";
}

/// "results.csv.tmp1234": what write_file_atomically leaves behind when it is killed.
bool is_partial(const std::string& name) {
    const auto at = name.rfind(".tmp");
    if (at == std::string::npos || at + 4 == name.size()) return false;
    return name.find_first_not_of("0123456789", at + 4) == std::string::npos;
}

}  // namespace

void prepare_sweep_dir(const std::string& dir, const SweepFile& sweep) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        fs::create_directories(dir, ec);
        if (ec) throw SweepError(fmt::format("{}: cannot create: {}", dir, ec.message()));
        return;
    }
    if (!fs::is_directory(dir, ec)) throw SweepError(fmt::format("{}: exists and is not a directory", dir));
    if (fs::is_empty(dir, ec)) return;
    const fs::path manifest = fs::path(dir) / kManifest;
    const std::string name = manifest_name(manifest);
    if (name.empty()) {
        throw SweepError(fmt::format("{}: exists and is not the output of a sweep (it has no valid {}); "
                                     "choose another --out",
                                     dir, kManifest));
    }
    if (name != sweep.name) {
        throw SweepError(fmt::format("{}: holds the output of sweep \"{}\", not \"{}\"; choose another --out", dir, name,
                                     sweep.name));
    }
}

void clear_sweep_results(const std::string& dir) {
    std::error_code ec;
    const std::string plot = kPlotName;
    for (const std::string& ours : {std::string("points"), std::string("chips"), std::string("results.csv"),
                                    plot + ".svg", plot + ".png"}) {
        fs::remove_all(fs::path(dir) / ours, ec);
        if (ec) throw SweepError(fmt::format("{}: cannot remove: {}", (fs::path(dir) / ours).string(), ec.message()));
    }
}

void remove_partial_files(const std::string& dir) {
    const fs::path points = fs::path(dir) / "points";
    for (const fs::path& d : {fs::path(dir), points, fs::path(dir) / "chips"}) {
        std::error_code ec;
        if (!fs::is_directory(d, ec)) continue;
        for (const auto& entry : fs::directory_iterator(d, ec)) {
            const std::string name = entry.path().filename().string();
            // A run's log outlives it only when the sweep was killed while it ran.
            const bool log = d == points && entry.path().extension() == ".log";
            if (entry.is_regular_file(ec) && (is_partial(name) || log)) fs::remove(entry.path(), ec);
        }
    }
}

std::string format_manifest(const SweepFile& sweep, const std::vector<Point>& points) {
    std::vector<std::string> workloads;
    for (const auto& w : sweep.workloads) workloads.push_back(workload_name(w));
    std::string base_point;
    for (const auto& p : points)
        if (p.is_base) base_point = p.id;

    std::string out = "{\n";
    out += "  \"tpusim_sweep\": 1,\n";
    out += fmt::format("  \"name\": {},\n", sim::json_quote(sweep.name));
    out += fmt::format("  \"sweep_file\": {},\n", sim::json_quote(sweep.source));
    out += fmt::format("  \"base\": {},\n", sim::json_quote(sweep.base));
    out += fmt::format("  \"data\": {},\n", sweep.data ? "true" : "false");
    out += fmt::format("  \"combine\": \"{}\",\n", sweep.combine == Combine::Product ? "product" : "one-at-a-time");
    out += fmt::format("  \"workloads\": {},\n", json_list(workloads));
    out += fmt::format("  \"base_point\": {},\n", sim::json_quote(base_point));
    out += "  \"axes\": [\n";
    for (std::size_t a = 0; a < sweep.axes.size(); ++a) {
        const Axis& axis = sweep.axes[a];
        std::vector<std::string> params, units, settings;
        for (const auto& p : axis.params) {
            params.push_back(p.path());
            units.push_back(p.type == config::ParamSpec::Type::Choice ? "" : p.unit);
        }
        if (axis.is_scale())
            for (const auto& s : axis.scales) settings.push_back(s.text);
        else
            settings = axis.values;
        out += fmt::format(
            "    {{\"label\": {}, \"kind\": \"{}\", \"params\": {}, \"units\": {}, \"settings\": {}}}{}\n",
            sim::json_quote(axis.label), axis.is_scale() ? "scale" : "values", json_list(params), json_list(units),
            json_list(settings), a + 1 < sweep.axes.size() ? "," : "");
    }
    out += "  ],\n";
    // Each point's setting of each axis (an index into its settings; -1: at the base), so a
    // plot can tell which points vary which axis without comparing values.
    out += "  \"points\": [\n";
    for (std::size_t i = 0; i < points.size(); ++i) {
        std::string setting;
        for (const int s : points[i].setting) setting += (setting.empty() ? "" : ", ") + std::to_string(s);
        out += fmt::format("    {{\"id\": \"{}\", \"setting\": [{}]}}{}\n", points[i].id, setting,
                           i + 1 < points.size() ? "," : "");
    }
    out += "  ]\n}\n";
    return out;
}

}  // namespace tpusim::sweep
