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

ParamOverride parse_override(const std::string& text, const std::string& origin) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
        throw OverrideError(fmt::format("{}: expected SECTION.KEY=VALUE such as matrix_unit.rows=512", origin));
    return ParamOverride{text.substr(0, eq), text.substr(eq + 1), origin};
}

std::string apply_overrides(const std::string& yaml_text, const std::vector<ParamOverride>& overrides) {
    YAML::Node root = YAML::Load(yaml_text);
    for (const auto& o : overrides) {
        // Blanks around a value are no part of it (a quantity's text is read trimmed), and
        // the emitter would quote a value that has them, which a number may not be.
        const auto first = o.value.find_first_not_of(" \t");
        const std::string value =
            first == std::string::npos ? "" : o.value.substr(first, o.value.find_last_not_of(" \t") - first + 1);
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
