#include "config/overrides.hpp"

#include "config/yaml.hpp"
#include "config/yaml_map.hpp"

#include <fmt/format.h>

#include <cctype>

namespace tpusim::config {

std::vector<std::string> chip_param_paths() {
    std::vector<std::string> out;
    for (const auto& p : chip_config_schema().params) out.push_back(p.path());
    return out;
}

const ParamSpec* find_chip_param(const std::string& path) {
    for (const auto& p : chip_config_schema().params)
        if (p.path() == path) return &p;
    return nullptr;
}

std::string unknown_chip_param(const std::string& path, const std::vector<std::string>& valid) {
    return fmt::format("unknown chip parameter \"{}\"{} (valid: {})", path, yaml::did_you_mean(path, valid),
                       yaml::join(valid));
}

namespace {
std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    return first == std::string::npos ? "" : text.substr(first, text.find_last_not_of(" \t") - first + 1);
}
}  // namespace

ParamOverride parse_override(const std::string& text, const std::string& origin) {
    // Blanks around the name or the value are no part of them (a chip file's values are
    // read trimmed too), and the YAML emitter would quote a value that kept them.
    const auto eq = text.find('=');
    const std::string path = eq == std::string::npos ? "" : trimmed(text.substr(0, eq));
    const std::string value = eq == std::string::npos ? "" : trimmed(text.substr(eq + 1));
    if (path.empty() || value.empty())
        throw OverrideError(fmt::format("{}: expected SECTION.KEY=VALUE such as matrix_unit.rows=512 (KEY=VALUE for "
                                        "a top-level key such as clock)",
                                        origin));
    return ParamOverride{path, value, origin};
}

std::string apply_overrides(const std::string& yaml_text, const std::vector<ParamOverride>& overrides) {
    YAML::Node root = YAML::Load(yaml_text);
    for (const auto& o : overrides) {
        const std::string& value = o.value;
        const auto dot = o.path.find('.');
        if (dot == std::string::npos)
            root[o.path] = value;
        else
            root[o.path.substr(0, dot)][o.path.substr(dot + 1)] = value;
    }
    YAML::Emitter emitter;
    emitter << root;
    return emitter.c_str();
}

ChipConfig parse_overridden_chip_config(const std::string& yaml_text, const std::string& source,
                                        const std::vector<ParamOverride>& overrides,
                                        const std::string& overridden_source) {
    ChipConfig chip = parse_chip_config(yaml_text, source);
    if (overrides.empty()) return chip;
    for (const auto& o : overrides) {
        const ParamSpec* spec = find_chip_param(o.path);
        if (spec == nullptr) throw OverrideError(fmt::format("{}: {}", o.origin, unknown_chip_param(o.path, chip_param_paths())));
        try {
            parse_param_value(*spec, o.value);
        } catch (const QuantityError& e) {
            throw ConfigError(fmt::format("{}: {}: {}", o.origin, o.path, e.what()));
        }
    }
    try {
        return parse_chip_config(apply_overrides(yaml_text, overrides), overridden_source);
    } catch (const ConfigError& e) {
        // The rewritten text is never shown, so a line:column in it would point nowhere:
        // the message keeps the source's name and the parameter, and drops the position.
        const std::string message = e.what();
        const std::string prefix = overridden_source + ":";
        if (message.compare(0, prefix.size(), prefix) != 0) throw;
        std::size_t at = prefix.size();
        for (int field = 0; field < 2; ++field) {  // "line:" and "column:"
            std::size_t end = at;
            while (end < message.size() && std::isdigit(static_cast<unsigned char>(message[end]))) ++end;
            if (end == at || end >= message.size() || message[end] != ':') break;
            at = end + 1;
        }
        throw ConfigError(overridden_source + ":" + message.substr(at));
    }
}

}  // namespace tpusim::config
