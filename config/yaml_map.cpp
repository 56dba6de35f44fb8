#include "config/yaml_map.hpp"

#include "isa/edit_distance.hpp"
#include "isa/input_file.hpp"
#include "isa/printable.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace tpusim::config::yaml {

namespace {

[[noreturn]] void throw_message(const Format& format, const std::string& message) {
    format.raise(message);
    throw std::logic_error("the raise function of the " + std::string(format.noun) + " format returned");
}

}  // namespace

std::string join(const std::vector<std::string>& words, const char* separator) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : separator) + w;
    return out;
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& valid) {
    const std::size_t allowed = std::max<std::size_t>(2, name.size() / 3);
    std::size_t best = allowed + 1;
    std::string best_name;
    for (const auto& v : valid) {
        const std::size_t d = isa::edit_distance(name, v);
        if (d < best) {
            best = d;
            best_name = v;
        }
    }
    return best_name.empty() ? "" : fmt::format("; did you mean \"{}\"?", best_name);
}

std::string describe(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return "no value";
    case YAML::NodeType::Scalar: break;
    }
    return "\"" + isa::printable(node.Scalar(), 40) + "\"";
}

std::string number_written_as_text(const YAML::Node& node, const std::string& expected) {
    if (!node.IsScalar()) return "";
    const std::string& tag = node.Tag();
    // yaml-cpp gives "?" to a plain scalar and "!" to a quoted or block one (YAML's
    // non-specific tags); an explicit tag arrives resolved ("!!str" as below).
    const std::string core = "tag:yaml.org,2002:";
    if (tag == "?" || tag == core + "int") return "";
    std::string what;
    if (tag == "!") {
        what = "a quoted string";
    } else if (tag == core + "str") {
        what = "a string tagged !!str";
    } else {
        what = "a value tagged " + (tag.compare(0, core.size(), core) == 0 ? "!!" + tag.substr(core.size()) : tag);
    }
    return fmt::format("expected {}, got {} {}; write numbers without quotes or tags", expected, what, describe(node));
}

YAML::Mark mark_or_start(const YAML::Node& node) {
    const YAML::Mark mark = node.Mark();
    return mark.is_null() ? YAML::Mark() : mark;
}

std::string place(const std::string& source, const YAML::Mark& mark) {
    if (mark.is_null()) return source;
    return fmt::format("{}:{}:{}", source, mark.line + 1, mark.column + 1);
}

void fail(const Format& format, const std::string& source, const YAML::Mark& mark, const std::string& label,
          const std::string& message) {
    throw_message(format, fmt::format("{}: {}{}", place(source, mark), label.empty() ? "" : label + ": ", message));
}

std::string read_file(const Format& format, const std::string& path) {
    try {
        return isa::read_input_file(path, format.noun, isa::kMaxTextInputBytes);
    } catch (const isa::InputFileError& e) {
        throw_message(format, e.what());
    }
}

YAML::Node load_document(const Format& format, const std::string& text, const std::string& source) {
    std::vector<YAML::Node> documents;
    try {
        documents = YAML::LoadAll(text);
    } catch (const YAML::Exception& e) {
        fail(format, source, e.mark, "", "malformed YAML: " + e.msg);
    }
    if (documents.size() > 1) {
        fail(format, source, documents[1].Mark(), "",
             fmt::format("a second YAML document starts here; a {} is one document", format.noun));
    }
    return documents.empty() ? YAML::Node() : documents[0];
}

Map::Map(const Format& format, std::string source, const YAML::Node& node, const std::string& expected,
         std::string context)
    : format_(format), source_(std::move(source)), mark_(node.Mark()), context_(std::move(context)) {
    if (!node.IsMap()) fail_at(mark_, "", "expected " + expected + ", got " + format_.describe(node));
    for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Node& key = it->first;
        if (!key.IsScalar()) fail_at(key.Mark(), "", "keys must be plain names, got " + format_.describe(key));
        if (const Entry* first = find(key.Scalar())) {
            fail_at(key.Mark(), key.Scalar(),
                    fmt::format("duplicate key (first given at line {}, column {})", first->mark.line + 1,
                                first->mark.column + 1));
        }
        entries_.push_back({key.Scalar(), key.Mark(), it->second});
    }
}

const Map::Entry* Map::find(const std::string& key) const {
    for (const auto& e : entries_)
        if (e.key == key) return &e;
    return nullptr;
}

YAML::Node Map::get(const std::string& key) const {
    const Entry* e = find(key);
    return e != nullptr ? e->value : YAML::Node(YAML::NodeType::Null);
}

YAML::Node Map::require(const std::string& key, const std::string& expected) const {
    const Entry* e = find(key);
    if (e == nullptr) fail_at(mark_, "", fmt::format("missing required key \"{}\" ({})", key, expected));
    return e->value;
}

YAML::Mark Map::mark_of(const std::string& key) const {
    const Entry* e = find(key);
    if (e == nullptr) return mark_;
    return e->value.IsNull() || e->value.Mark().is_null() ? e->mark : e->value.Mark();
}

const Map::Entry* Map::unknown(const std::vector<std::string>& valid) const {
    for (const auto& e : entries_)
        if (std::find(valid.begin(), valid.end(), e.key) == valid.end()) return &e;
    return nullptr;
}

void Map::reject_unknown(const std::vector<std::string>& valid, const std::string& where) const {
    if (const Entry* e = unknown(valid))
        fail_at(e->mark, e->key, fmt::format("unknown key{} (valid {}: {})", did_you_mean(e->key, valid), where, join(valid)));
}

void Map::fail_at(const YAML::Mark& mark, const std::string& key, const std::string& message) const {
    const std::string label = context_.empty() ? key : key.empty() ? context_ : context_ + format_.joiner + key;
    fail(format_, source_, mark, label, message);
}

}  // namespace tpusim::config::yaml
