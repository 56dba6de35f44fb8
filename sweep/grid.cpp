#include "sweep/grid.hpp"

#include "config/overrides.hpp"
#include "config/units.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace tpusim::sweep {

namespace {

__extension__ typedef unsigned __int128 u128;

/// More points than anyone can look at; a larger grid is almost surely a mistake.
constexpr std::size_t kMaxPoints = 100000;

/// The base chip's value of every parameter, by path.
std::uint64_t base_value(const std::vector<config::ParamValue>& values, const config::ParamSpec& spec) {
    for (const auto& v : values)
        if (v.spec.path() == spec.path()) return v.number;
    throw std::logic_error("the chip has no parameter " + spec.path());
}

Point make_point(const SweepFile& sweep, const std::vector<int>& setting, const std::vector<config::ParamValue>& base) {
    Point p;
    p.setting = setting;
    for (const auto& spec : swept_params(sweep)) p.overrides.push_back({spec, base_value(base, spec)});
    // Only axes that are not at the base set values, so that a parameter shared by two
    // axes of a one-at-a-time sweep takes the value of the one being varied.
    for (std::size_t a = 0; a < sweep.axes.size(); ++a) {
        if (setting[a] == kAtBase) continue;
        const Axis& axis = sweep.axes[a];
        const auto i = static_cast<std::size_t>(setting[a]);
        for (const auto& spec : axis.params) {
            for (auto& o : p.overrides) {
                if (o.spec.path() != spec.path()) continue;
                o.value = axis.is_scale() ? scale_value(base_value(base, spec), axis.scales[i])
                                          : config::parse_param_value(spec, axis.values[i]).number;
            }
        }
    }
    p.is_base = true;
    for (const auto& o : p.overrides) p.is_base = p.is_base && o.value == base_value(base, o.spec);
    return p;
}

}  // namespace

std::vector<config::ParamSpec> swept_params(const SweepFile& sweep) {
    std::vector<config::ParamSpec> out;
    for (const auto& axis : sweep.axes) {
        for (const auto& spec : axis.params) {
            const bool seen = std::any_of(out.begin(), out.end(), [&](const config::ParamSpec& s) {
                return s.path() == spec.path();
            });
            if (!seen) out.push_back(spec);
        }
    }
    return out;
}

std::string Override::text() const {
    if (spec.type == config::ParamSpec::Type::Choice)
        return value < spec.choices.size() ? spec.choices[value] : std::to_string(value);
    return config::format_quantity(value, spec.kind);
}

std::uint64_t scale_value(std::uint64_t base, const Scale& scale) {
    const u128 scaled = (u128{base} * scale.numerator * 2 + scale.denominator) / (u128{scale.denominator} * 2);
    return static_cast<std::uint64_t>(std::min<u128>(scaled, std::numeric_limits<std::uint64_t>::max()));
}

std::vector<Point> expand_grid(const SweepFile& sweep, const config::ChipConfig& base_chip) {
    const auto base = config::chip_config_values(base_chip);
    const std::size_t axes = sweep.axes.size();
    std::vector<Point> points;

    if (sweep.combine == Combine::Product) {
        std::size_t total = 1;
        for (const auto& axis : sweep.axes) {
            total *= axis.size();
            if (total > kMaxPoints)
                throw SweepError(fmt::format("{}: the grid has more than {} points; split the sweep", sweep.source, kMaxPoints));
        }
        for (std::size_t n = 0; n < total; ++n) {
            std::vector<int> setting(axes);
            std::size_t rest = n;  // the last axis turns fastest
            for (std::size_t a = axes; a-- > 0;) {
                setting[a] = static_cast<int>(rest % sweep.axes[a].size());
                rest /= sweep.axes[a].size();
            }
            points.push_back(make_point(sweep, setting, base));
        }
    } else {
        points.push_back(make_point(sweep, std::vector<int>(axes, kAtBase), base));
        for (std::size_t a = 0; a < axes; ++a) {
            for (std::size_t i = 0; i < sweep.axes[a].size(); ++i) {
                std::vector<int> setting(axes, kAtBase);
                setting[a] = static_cast<int>(i);
                Point p = make_point(sweep, setting, base);
                if (!p.is_base) points.push_back(std::move(p));
            }
        }
    }

    const std::size_t digits = std::max<std::size_t>(3, std::to_string(points.size() - 1).size());
    for (std::size_t i = 0; i < points.size(); ++i) points[i].id = fmt::format("p{:0{}}", i, digits);
    bool has_base = false;
    for (auto& p : points) {
        if (p.is_base && has_base) p.is_base = false;  // the first one is the reference
        has_base = has_base || p.is_base;
    }
    if (sweep.combine == Combine::OneAtATime) points.front().id = "base";
    if (!has_base) {
        points.push_back(make_point(sweep, std::vector<int>(axes, kAtBase), base));
        points.back().id = "base";
    }
    return points;
}

std::string point_chip_yaml(const std::string& base_yaml, const std::vector<Override>& overrides,
                            const std::string& comment) {
    std::vector<config::ParamOverride> written;
    for (const auto& o : overrides) written.push_back({o.spec.path(), o.text(), ""});
    std::string out;
    std::istringstream lines(comment);
    for (std::string line; std::getline(lines, line);) out += line.empty() ? "#\n" : "# " + line + "\n";
    return out + config::apply_overrides(base_yaml, written) + "\n";
}

std::string chip_key(const config::ChipConfig& chip) {
    std::string key;
    for (const auto& v : config::chip_config_values(chip)) {
        if (v.spec.type == config::ParamSpec::Type::Text) continue;  // the name does not change timing
        key += fmt::format("{}={}\n", v.spec.path(), v.number);
    }
    return key;
}

}  // namespace tpusim::sweep
