#include "sweep/sweep_file.hpp"

#include "config/chip_config.hpp"
#include "config/overrides.hpp"
#include "config/units.hpp"
#include "config/yaml_map.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace tpusim::sweep {

double Scale::value() const { return static_cast<double>(numerator) / static_cast<double>(denominator); }

std::string workload_name(const std::string& path) { return std::filesystem::path(path).stem().string(); }

namespace {

using config::yaml::describe;
using config::yaml::join;

const config::yaml::Format kFormat{"sweep file", &config::yaml::raise<SweepError>, ": ", &describe};

/// One map of the sweep file, read key by key; every message is placed at file:line:column.
class MapReader : public config::yaml::Map {
public:
    MapReader(const std::string& source, const YAML::Node& map, const std::string& expected)
        : Map(kFormat, source, map, expected) {}

    std::string text(const std::string& key, const std::string& expected) const {
        return scalar_text(require(key, expected), key, expected);
    }

    std::string scalar_text(const YAML::Node& node, const std::string& key, const std::string& expected) const {
        if (!node.IsScalar() || node.Scalar().empty())
            fail_at(node.IsNull() ? mark_of(key) : node.Mark(), key, "expected " + expected + ", got " + describe(node));
        const std::string& s = node.Scalar();
        if (std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
            fail_at(node.Mark(), key, "expected " + expected + " on one line, got " + describe(node));
        return s;
    }

    struct Item {
        std::string text;
        YAML::Mark mark;
        YAML::Node node;
    };

    /// A non-empty list of scalars under `key`, each with its place.
    std::vector<Item> list(const std::string& key, const std::string& expected) const {
        const YAML::Node node = require(key, "a list of " + expected);
        if (!node.IsSequence() || node.size() == 0) {
            fail_at(mark_of(key), key,
                    fmt::format("expected a non-empty list of {}, got {}", expected,
                                node.IsSequence() ? "an empty list" : describe(node)));
        }
        std::vector<Item> out;
        for (const auto& item : node) out.push_back({scalar_text(item, key, expected), item.Mark(), item});
        return out;
    }

    std::size_t choice(const std::string& key, const std::vector<std::string>& words) const {
        const std::string expected = "one of " + join(words);
        const YAML::Node node = require(key, expected);
        const std::string word = scalar_text(node, key, expected);
        const auto it = std::find(words.begin(), words.end(), word);
        if (it == words.end()) fail_at(node.Mark(), key, fmt::format("expected {}, got \"{}\"", expected, word));
        return static_cast<std::size_t>(it - words.begin());
    }

    std::string place() const { return config::yaml::place(source(), mark()); }
};

/// A positive decimal such as "0.25", "2" or "1.5", as an exact fraction.
bool parse_scale(const std::string& text, Scale& out) {
    constexpr std::size_t kMaxDigits = 18;  // numerator and denominator stay below 10^18
    const auto dot = text.find('.');
    const std::string whole = text.substr(0, dot);
    const std::string fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
    const auto digits = [](const std::string& s) {
        return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (whole.empty() || !digits(whole) || !digits(fraction) || (dot != std::string::npos && fraction.empty()) ||
        whole.size() + fraction.size() > kMaxDigits)
        return false;
    out.text = text;
    out.numerator = 0;
    out.denominator = 1;
    for (char c : whole + fraction) out.numerator = out.numerator * 10 + static_cast<std::uint64_t>(c - '0');
    for (std::size_t i = 0; i < fraction.size(); ++i) out.denominator *= 10;
    return out.numerator > 0;
}

/// The chip parameters a sweep may vary: every number or choice of the chip schema.
std::vector<std::string> sweepable_params() {
    std::vector<std::string> out;
    for (const auto& p : config::chip_config_schema().params)
        if (p.type != config::ParamSpec::Type::Text) out.push_back(p.path());
    return out;
}

std::string resolve(const std::string& source, const std::string& path) {
    const std::filesystem::path p(path);
    if (p.is_absolute()) return p.lexically_normal().string();
    return (std::filesystem::path(source).parent_path() / p).lexically_normal().string();
}

/// Why `path` cannot be read as an input file, or "" when it is a regular file.
std::string file_problem(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (fs::is_regular_file(status)) return "";
    if (!fs::exists(status)) return fmt::format("{}: no such file", path);
    return fmt::format("{}: is {}, not a file", path, fs::is_directory(status) ? "a directory" : "not a regular file");
}

struct AxisOwner {
    std::string param;
    std::string place;
};

Axis read_axis(const std::string& source, const YAML::Node& node, Combine combine, std::vector<AxisOwner>& owners) {
    const MapReader m(source, node, "an axis: a map with param or params, and scale or values");
    m.reject_unknown({"label", "param", "params", "scale", "values"}, "in an axis");
    Axis axis;
    axis.place = m.place();

    if (m.has("param") && m.has("params"))
        m.fail_at(node.Mark(), "", "an axis gives \"param\" (one chip parameter) or \"params\" (a list), not both");
    if (!m.has("param") && !m.has("params"))
        m.fail_at(node.Mark(), "", "missing \"param\" (one chip parameter) or \"params\" (a list)");
    std::vector<MapReader::Item> names;
    const std::string param_key = m.has("param") ? "param" : "params";
    if (m.has("param"))
        names.push_back({m.text("param", "a chip parameter such as weight_memory.bandwidth"), m.mark_of("param"), {}});
    else
        names = m.list("params", "chip parameters such as matrix_unit.rows");

    const std::vector<std::string> valid = sweepable_params();
    for (const auto& [name, mark, unused] : names) {
        const config::ParamSpec* spec = config::find_chip_param(name);
        if (spec != nullptr && spec->type == config::ParamSpec::Type::Text)
            m.fail_at(mark, param_key, fmt::format("\"{}\" is text and cannot be swept", name));
        if (spec == nullptr) {
            m.fail_at(mark, param_key, config::unknown_chip_param(name, valid));
        }
        for (const auto& owner : owners) {
            // Varied one at a time, two axes may share a parameter ("clock" and "clock with
            // accumulators"); in a product they would contradict each other.
            const bool clash = owner.place == axis.place || combine == Combine::Product;
            if (owner.param == name && clash) {
                m.fail_at(mark, param_key,
                          owner.place == axis.place
                              ? fmt::format("{} is named twice in this axis", name)
                              : fmt::format("{} is already swept by the axis at {}; a product sweep can set a "
                                            "parameter from one axis only (combine: one-at-a-time allows it)",
                                            name, owner.place));
            }
        }
        owners.push_back({name, axis.place});
        axis.params.push_back(*spec);
    }

    if (m.has("scale") && m.has("values"))
        m.fail_at(node.Mark(), "", "an axis gives \"scale\" (factors of the base values) or \"values\", not both");
    if (!m.has("scale") && !m.has("values"))
        m.fail_at(node.Mark(), "", "missing \"scale\" (factors of the base values) or \"values\"");
    if (m.has("scale")) {
        for (const auto& p : axis.params) {
            if (p.type == config::ParamSpec::Type::Choice)
                m.fail_at(m.mark_of("scale"), "scale",
                          fmt::format("{} is one of {} and cannot be scaled; give values", p.path(), join(p.choices)));
        }
        for (const auto& [text, mark, item] : m.list("scale", "factors such as 0.25 or 2")) {
            Scale s;
            if (!parse_scale(text, s))
                m.fail_at(mark, "scale", fmt::format("expected a positive factor such as 0.25 or 2, got \"{}\"", text));
            const std::string as_text = config::yaml::number_written_as_text(item, "a positive factor such as 0.25 or 2");
            if (!as_text.empty()) m.fail_at(mark, "scale", as_text);
            for (const auto& earlier : axis.scales) {
                if (earlier.numerator * s.denominator == s.numerator * earlier.denominator)
                    m.fail_at(mark, "scale", fmt::format("{} is the same factor as {}, given earlier", text, earlier.text));
            }
            axis.scales.push_back(s);
        }
    } else {
        for (const auto& [text, mark, item] : m.list("values", "values in the parameters' units")) {
            std::vector<std::uint64_t> parsed;
            for (const auto& p : axis.params) {
                try {
                    parsed.push_back(config::parse_param_value(p, text).number);
                } catch (const config::QuantityError& e) {
                    m.fail_at(mark, p.path(), e.what());
                }
                const std::string as_text =
                    p.type == config::ParamSpec::Type::Number
                        ? config::yaml::number_written_as_text(
                              item, fmt::format("{} such as \"{}\"", config::kind_noun(p.kind), config::kind_example(p.kind)))
                        : "";
                if (!as_text.empty()) m.fail_at(mark, p.path(), as_text);
            }
            for (std::size_t i = 0; i < axis.values.size(); ++i) {
                if (config::parse_param_value(axis.params[0], axis.values[i]).number == parsed[0])
                    m.fail_at(mark, "values", fmt::format("{} is the same value as {}, given earlier", text, axis.values[i]));
            }
            axis.values.push_back(text);
        }
    }

    if (m.has("label")) {
        axis.label = m.text("label", "a label for plots");
    } else {
        std::vector<std::string> paths;
        for (const auto& p : axis.params) paths.push_back(p.path());
        axis.label = join(paths, "+");
    }
    return axis;
}

}  // namespace

SweepFile parse_sweep(const std::string& yaml_text, const std::string& source) {
    const YAML::Node root = config::yaml::load_document(kFormat, yaml_text, source);
    if (!root.IsMap()) {
        config::yaml::fail(kFormat, source, config::yaml::mark_or_start(root), "",
                           fmt::format("expected a map with name, base, workloads and axes at the top level, got {}",
                                       root.IsNull() ? "an empty document" : describe(root)));
    }
    const MapReader top(source, root, "a map");
    top.reject_unknown({"name", "base", "workloads", "data", "combine", "axes"}, "at the top level");

    SweepFile sweep;
    sweep.source = source;
    sweep.name = top.text("name", "a name for the sweep");
    sweep.base = resolve(source, top.text("base", "the chip file the sweep starts from"));
    if (const auto problem = file_problem(sweep.base); !problem.empty()) top.fail_at(top.mark_of("base"), "base", problem);
    for (const auto& [path, mark, node] : top.list("workloads", "workload files")) {
        const std::string resolved = resolve(source, path);
        if (const auto problem = file_problem(resolved); !problem.empty()) top.fail_at(mark, "workloads", problem);
        for (const auto& earlier : sweep.workloads) {
            if (earlier == resolved) top.fail_at(mark, "workloads", fmt::format("{} is listed twice", resolved));
            if (workload_name(earlier) == workload_name(resolved)) {
                top.fail_at(mark, "workloads",
                            fmt::format("{} and {} are both named \"{}\"; results are kept by workload file name",
                                        earlier, resolved, workload_name(resolved)));
            }
        }
        sweep.workloads.push_back(resolved);
    }
    if (top.has("data")) sweep.data = top.choice("data", {"false", "true"}) == 1;
    if (top.has("combine"))
        sweep.combine = top.choice("combine", {"product", "one-at-a-time"}) == 0 ? Combine::Product : Combine::OneAtATime;

    const YAML::Node axes = top.require("axes", "a list of axes");
    if (!axes.IsSequence() || axes.size() == 0) {
        top.fail_at(top.mark_of("axes"), "axes",
                    fmt::format("expected a non-empty list of axes, got {}", axes.IsSequence() ? "an empty list" : describe(axes)));
    }
    std::vector<AxisOwner> owners;
    for (const auto& node : axes) {
        Axis axis = read_axis(source, node, sweep.combine, owners);
        for (const auto& earlier : sweep.axes) {
            if (earlier.label == axis.label) {
                throw SweepError(fmt::format("{}: label: \"{}\" is also the label of the axis at {}; each axis "
                                             "needs its own, as labels name columns of results.csv and plots",
                                             axis.place, axis.label, earlier.place));
            }
        }
        sweep.axes.push_back(std::move(axis));
    }
    return sweep;
}

SweepFile load_sweep(const std::string& path) {
    return parse_sweep(config::yaml::read_file(kFormat, path), path);
}

}  // namespace tpusim::sweep
