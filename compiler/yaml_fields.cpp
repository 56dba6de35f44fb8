#include "compiler/yaml_fields.hpp"

#include "config/param_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace tpusim::compiler::yaml {

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
    return out;
}

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
    switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return node.size() == 0 ? "an empty list" : "a list";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return "no value";
    case YAML::NodeType::Scalar: break;
    }
    std::string out;
    for (char c : node.Scalar()) out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
    if (out.size() > 40) out = out.substr(0, 40) + "...";
    return "\"" + out + "\"";
}

YAML::Node load(const std::string& text, const std::string& source) {
    std::vector<YAML::Node> documents;
    try {
        documents = YAML::LoadAll(text);
    } catch (const YAML::Exception& e) {
        throw WorkloadError(fmt::format("{}:{}:{}: malformed YAML: {}", source, e.mark.line + 1, e.mark.column + 1,
                                        e.msg));
    }
    if (documents.size() > 1) {
        const YAML::Mark m = documents[1].Mark();
        throw WorkloadError(fmt::format("{}:{}:{}: a second YAML document starts here; a workload is one document",
                                        source, m.line + 1, m.column + 1));
    }
    return documents.empty() ? YAML::Node() : documents[0];
}

Fields::Fields(const std::string& source, const YAML::Node& map, std::string what, const std::string& expected)
    : source_(source), what_(std::move(what)), mark_(map.Mark()) {
    if (!map.IsMap()) {
        const std::string prefix = what_.empty() ? "" : what_ + ": ";
        throw WorkloadError(fmt::format("{}: {}expected {}, got {}", at(mark_), prefix, expected, describe(map)));
    }
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node& key = it->first;
        if (!key.IsScalar()) fail_at(key, "", "keys must be plain names, got " + describe(key));
        if (const Entry* e = find(key.Scalar())) {
            fail_at(key, key.Scalar(),
                    fmt::format("duplicate key (first given at line {}, column {})", e->mark.line + 1,
                                e->mark.column + 1));
        }
        entries_.push_back({key.Scalar(), key.Mark(), it->second});
    }
}

std::string Fields::at(const YAML::Mark& mark) const {
    if (mark.is_null()) return source_;
    return fmt::format("{}:{}:{}", source_, mark.line + 1, mark.column + 1);
}

std::string Fields::line() const { return fmt::format("{}:{}", source_, mark_.line + 1); }

const Fields::Entry* Fields::find(const std::string& key) const {
    for (const auto& e : entries_)
        if (e.key == key) return &e;
    return nullptr;
}

bool Fields::has(const std::string& key) const { return find(key) != nullptr; }

YAML::Node Fields::get(const std::string& key) const {
    const Entry* e = find(key);
    return e != nullptr ? e->value : YAML::Node(YAML::NodeType::Null);
}

YAML::Node Fields::require(const std::string& key, const std::string& expected) const {
    if (!has(key)) {
        throw WorkloadError(fmt::format("{}: {}missing required key \"{}\" ({})", at(mark_),
                                        what_.empty() ? "" : what_ + ": ", key, expected));
    }
    return get(key);
}

std::vector<std::string> Fields::keys() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e.key);
    return out;
}

void Fields::reject_unknown(const std::vector<std::string>& valid) const {
    for (const auto& e : entries_) {
        if (std::find(valid.begin(), valid.end(), e.key) != valid.end()) continue;
        throw WorkloadError(fmt::format("{}: {}unknown key \"{}\"{} (valid keys: {})", at(e.mark),
                                        what_.empty() ? "" : what_ + ": ", e.key,
                                        config::did_you_mean(e.key, valid), join(valid)));
    }
}

void Fields::fail(const std::string& key, const std::string& message) const {
    const Entry* e = find(key);
    if (e == nullptr) fail_at(YAML::Node(), key, message);
    fail_at(e->value.IsNull() || e->value.Mark().is_null() ? YAML::Node() : e->value, key, message);
}

void Fields::fail_at(const YAML::Node& node, const std::string& key, const std::string& message) const {
    YAML::Mark mark = node.IsDefined() && !node.IsNull() ? node.Mark() : YAML::Mark::null_mark();
    if (mark.is_null()) {
        const Entry* e = find(key);
        mark = e != nullptr ? e->mark : mark_;
    }
    std::string place = what_.empty() ? "" : what_ + ": ";
    if (!key.empty()) place += key + ": ";
    throw WorkloadError(fmt::format("{}: {}{}", at(mark), place, message));
}

std::int64_t Fields::integer(const YAML::Node& node, const std::string& key, std::int64_t min, std::int64_t max) const {
    std::int64_t v = 0;
    if (!node.IsScalar() || !parse_integer(node.Scalar(), v))
        fail_at(node, key, fmt::format("expected {}, got {}", range_text(min, max), describe(node)));
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
    const std::string hint = node.IsScalar() ? config::did_you_mean(node.Scalar(), words) : "";
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
