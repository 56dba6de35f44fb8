#include "sweep/point_record.hpp"

#include "isa/error.hpp"
#include "sim/stats.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace tpusim::sweep {

namespace {

constexpr int kFormatVersion = 1;

const std::array<const char*, 5>& status_names() {
    static const std::array<const char*, 5> names = {"ok", "invalid-config", "compile-failed", "sim-failed", "crashed"};
    return names;
}

}  // namespace

const char* status_name(Status status) { return status_names()[static_cast<std::size_t>(status)]; }

std::string PointRecord::figure(const std::string& name) const {
    for (const auto& f : figures)
        if (f.name == name) return f.text;
    return "";
}

std::string format_point_record(const PointRecord& r) {
    std::string out = "{\n";
    out += fmt::format("  \"tpusim_sweep_point\": {},\n", kFormatVersion);
    out += fmt::format("  \"key\": {},\n", sim::json_quote(r.key));
    out += fmt::format("  \"workload\": {},\n", sim::json_quote(r.workload));
    out += fmt::format("  \"status\": \"{}\",\n", status_name(r.status));
    out += fmt::format("  \"reason\": {},\n", sim::json_quote(r.reason));
    out += "  \"figures\": {";
    for (std::size_t i = 0; i < r.figures.size(); ++i)
        out += fmt::format("{}\n    \"{}\": {}", i ? "," : "", r.figures[i].name, r.figures[i].text);
    out += r.figures.empty() ? "}\n}\n" : "\n  }\n}\n";
    return out;
}

std::optional<PointRecord> read_point_record(const std::string& path) {
    namespace pt = boost::property_tree;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
    std::ifstream in(path);
    pt::ptree tree;
    try {
        pt::read_json(in, tree);
    } catch (const std::exception&) {  // unreadable or not JSON: not a record
        return std::nullopt;
    }
    if (tree.get<int>("tpusim_sweep_point", 0) != kFormatVersion) return std::nullopt;
    PointRecord r;
    r.key = tree.get<std::string>("key", "");
    r.workload = tree.get<std::string>("workload", "");
    r.reason = tree.get<std::string>("reason", "");
    const std::string status = tree.get<std::string>("status", "");
    bool known = false;
    for (std::size_t i = 0; i < status_names().size(); ++i) {
        if (status == status_names()[i]) {
            r.status = static_cast<Status>(i);
            known = true;
        }
    }
    if (!known || r.key.empty()) return std::nullopt;
    // Children are taken in the file's order, which is summary_figures()'s; a child's key
    // is the whole name, dots included ("breakdown.useful_macs").
    if (const auto figures = tree.get_child_optional("figures")) {
        for (const auto& f : *figures) r.figures.push_back({f.first, f.second.data()});
    }
    return r;
}

void write_file_atomically(const std::string& path, const std::string& text) {
    const std::string temporary = fmt::format("{}.tmp{}", path, ::getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(fmt::format("{}: cannot write: {}", temporary, std::strerror(errno)));
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.flush();
        if (!out) throw Error(fmt::format("{}: write failed: {}", temporary, std::strerror(errno)));
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        const int error = errno;
        std::remove(temporary.c_str());
        throw Error(fmt::format("{}: cannot rename into place: {}", path, std::strerror(error)));
    }
}

std::string hash_text(const std::string& text) {
    std::uint64_t h = 14695981039346656037ull;  // FNV-1a offset basis and prime
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return fmt::format("{:016x}", h);
}

}  // namespace tpusim::sweep
