#include "sweep/results_table.hpp"

#include "report/csv.hpp"
#include "report/run_report.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <map>

namespace tpusim::sweep {

namespace {

const std::string kScalePrefix = "scale:";

std::vector<std::string> figure_names() {
    std::vector<std::string> names;
    for (const auto& f : report::summary_figures(report::RunSummary{})) names.push_back(f.name);
    return names;
}

std::uint64_t figure_number(const PointRecord& r, const std::string& name) {
    return std::strtoull(r.figure(name).c_str(), nullptr, 10);
}

/// seconds(base) / seconds(point) = base_cycles * clock / (cycles * base_clock).
std::string speedup(const PointRecord& base, const PointRecord& point) {
    if (base.status != Status::Ok || point.status != Status::Ok) return "";
    const long double base_cycles = figure_number(base, "cycles"), base_clock = figure_number(base, "clock_hz");
    const long double cycles = figure_number(point, "cycles"), clock = figure_number(point, "clock_hz");
    if (cycles == 0 || base_clock == 0) return "";
    return fmt::format("{:.6g}", static_cast<double>(base_cycles * clock / (cycles * base_clock)));
}

}  // namespace

std::vector<std::string> results_columns(const SweepFile& sweep) {
    std::vector<std::string> columns = {"point", "workload", "status", "reason", "chip_config"};
    for (const auto& axis : sweep.axes)
        if (axis.is_scale()) columns.push_back(kScalePrefix + axis.label);
    for (const auto& p : swept_params(sweep)) columns.push_back(p.path());
    for (const auto& name : figure_names()) columns.push_back(name);
    columns.push_back("speedup");
    return columns;
}

std::string format_results_csv(const SweepFile& sweep, const std::vector<ResultRow>& rows) {
    std::string out;
    for (const auto& c : results_columns(sweep)) out += (out.empty() ? "" : ",") + report::csv_field(c);
    out += "\n";
    const auto names = figure_names();
    std::map<std::string, const PointRecord*> base_of;  // by workload
    for (const auto& row : rows)
        if (row.point->is_base) base_of[row.record.workload] = &row.record;
    for (const auto& row : rows) {
        const Point& p = *row.point;
        std::vector<std::string> fields = {p.id, row.record.workload, status_name(row.record.status), row.record.reason,
                                           row.chip_file};
        for (std::size_t a = 0; a < sweep.axes.size(); ++a) {
            if (sweep.axes[a].is_scale())
                fields.push_back(p.setting[a] == kAtBase ? "1" : sweep.axes[a].scales[static_cast<std::size_t>(p.setting[a])].text);
        }
        for (const auto& o : p.overrides)
            fields.push_back(o.spec.type == config::ParamSpec::Type::Choice ? o.text() : std::to_string(o.value));
        for (const auto& name : names) fields.push_back(row.record.figure(name));
        const auto base = base_of.find(row.record.workload);
        fields.push_back(base == base_of.end() ? "" : speedup(*base->second, row.record));
        std::string line;
        for (std::size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + report::csv_field(fields[i]);
        out += line + "\n";
    }
    return out;
}

}  // namespace tpusim::sweep
