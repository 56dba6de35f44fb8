#include "compiler/yaml_fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace tpusim::compiler::yaml {

using config::yaml::join;

const config::yaml::Format kFormat{"workload", &config::yaml::raise<WorkloadError>, ": ", &describe};

namespace {

std::string range_text(std::int64_t min, std::int64_t max) {
    return fmt::format("a whole number from {} to {}", min, max);
}

/// Digits with an optional leading minus: what a count, size or shift looks like.
bool parse_integer(const std::string& text, std::int64_t& out) {
    std::size_t i = text.size() > 1 && text[0] == '-' ? 1 : 0;
    if (i == text.size()) return false;
    std::uint64_t v = 0;
    for (std::size_t j = i; j < text.size(); ++j) {
        if (text[j] < '0' || text[j] > '9') return false;
        if (v > (std::uint64_t{1} << 62) / 10) return false;  // far beyond every range used
        v = v * 10 + static_cast<std::uint64_t>(text[j] - '0');
    }
    out = i == 1 ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
    return true;
}

}  // namespace

std::string describe(const YAML::Node& node) {
    return node.IsSequence() && node.size() == 0 ? "an empty list" : config::yaml::describe(node);
}

Fields::Fields(const std::string& source, const YAML::Node& map, std::string what, const std::string& expected)
    : Map(kFormat, source, map, expected, std::move(what)) {}

std::string Fields::line() const { return fmt::format("{}:{}", source(), mark().line + 1); }

void Fields::reject_unknown(const std::vector<std::string>& valid) const {
    // The key is named in the message, not as a label: "layer \"c\": unknown key \"filter\"".
    if (const Entry* e = unknown(valid)) {
        fail_at(e->mark, "", fmt::format("unknown key \"{}\"{} (valid keys: {})", e->key,
                                         config::yaml::did_you_mean(e->key, valid), join(valid)));
    }
}

void Fields::fail(const std::string& key, const std::string& message) const { fail_at(mark_of(key), key, message); }

void Fields::fail_at(const YAML::Node& node, const std::string& key, const std::string& message) const {
    YAML::Mark mark = node.IsDefined() && !node.IsNull() ? node.Mark() : YAML::Mark::null_mark();
    if (mark.is_null()) {
        const Entry* e = find(key);
        mark = e != nullptr ? e->mark : this->mark();
    }
    fail_at(mark, key, message);
}

std::int64_t Fields::integer(const YAML::Node& node, const std::string& key, std::int64_t min, std::int64_t max) const {
    std::int64_t v = 0;
    if (!node.IsScalar() || !parse_integer(node.Scalar(), v))
        fail_at(node, key, fmt::format("expected {}, got {}", range_text(min, max), describe(node)));
    // "4" in quotes is text in YAML, as in chip configs.
    const std::string as_text = config::yaml::number_written_as_text(node, range_text(min, max));
    if (!as_text.empty()) fail_at(node, key, as_text);
    if (v < min || v > max) fail_at(node, key, fmt::format("{} is out of range: expected {}", v, range_text(min, max)));
    return v;
}

std::uint64_t Fields::uint(const YAML::Node& node, const std::string& key, std::uint64_t min, std::uint64_t max) const {
    constexpr std::uint64_t kLimit = std::numeric_limits<std::int64_t>::max();
    return static_cast<std::uint64_t>(
        integer(node, key, static_cast<std::int64_t>(std::min(min, kLimit)), static_cast<std::int64_t>(std::min(max, kLimit))));
}

std::string Fields::text(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar() || node.Scalar().empty()) fail_at(node, key, "expected text, got " + describe(node));
    return node.Scalar();
}

std::size_t Fields::choice(const YAML::Node& node, const std::string& key, const std::vector<std::string>& words) const {
    if (node.IsScalar()) {
        const auto it = std::find(words.begin(), words.end(), node.Scalar());
        if (it != words.end()) return static_cast<std::size_t>(it - words.begin());
    }
    const std::string hint = node.IsScalar() ? config::yaml::did_you_mean(node.Scalar(), words) : "";
    fail_at(node, key, fmt::format("expected one of {}, got {}{}", join(words), describe(node), hint));
}

std::vector<std::uint64_t> Fields::uint_list(const YAML::Node& node, const std::string& key, std::uint64_t min,
                                             std::uint64_t max, const std::vector<std::size_t>& lengths) const {
    std::string counts;  // "4", "2 or 3", "1, 2 or 3"
    for (std::size_t i = 0; i < lengths.size(); ++i)
        counts += (i == 0 ? "" : i + 1 == lengths.size() ? " or " : ", ") + std::to_string(lengths[i]);
    const std::string expected = fmt::format("a list of {} whole numbers from {} to {}", counts, min, max);
    if (!node.IsSequence()) fail_at(node, key, fmt::format("expected {}, got {}", expected, describe(node)));
    if (std::find(lengths.begin(), lengths.end(), node.size()) == lengths.end())
        fail_at(node, key, fmt::format("expected {}, got {} numbers", expected, node.size()));
    std::vector<std::uint64_t> out;
    for (const auto& item : node) out.push_back(uint(item, key, min, max));
    return out;
}

}  // namespace tpusim::compiler::yaml
