#include "config/param_reader.hpp"

#include <fmt/format.h>

// GCC 12 reports a dangling pointer inside yaml-cpp 0.7's node headers once they are
// inlined; it is a known false positive in the library (a temporary that outlives the
// check), not in our code, so it is silenced for those headers only.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <yaml-cpp/yaml.h>
#pragma GCC diagnostic pop
#else
#include <yaml-cpp/yaml.h>
#endif

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace tpusim::config {

// ---------------------------------------------------------------------------------------
// Specs

std::string ParamSpec::path() const { return section.empty() ? key : section + "." + key; }

std::string ParamSpec::type_text() const {
    switch (type) {
    case Type::Text: return "text";
    case Type::Choice: {
        std::string words;
        for (const auto& c : choices) words += (words.empty() ? "" : ", ") + c;
        return "one of " + words;
    }
    case Type::Number: break;
    }
    if (kind == QuantityKind::Count) return fmt::format("whole number ({})", unit);
    return fmt::format("{} ({})", kind_noun(kind).substr(2), unit);  // drop the article
}

std::string ParamSpec::range_text() const {
    if (type != Type::Number) return "";
    return format_quantity(min, kind) + " to " + format_quantity(max, kind);
}

const ParamSpec* Schema::find(const std::string& section, const std::string& key) const {
    for (const auto& p : params)
        if (p.section == section && p.key == key) return &p;
    return nullptr;
}

// ---------------------------------------------------------------------------------------
// Reader state

namespace {

/// One key of a YAML map with where it was written.
struct Entry {
    std::string key;
    YAML::Mark key_mark;
    YAML::Node value;
};

std::string node_kind(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "no value";
    case YAML::NodeType::Scalar:
    case YAML::NodeType::Undefined: break;
    }
    return "a value";
}

/// The value as the user wrote it, made safe to embed in a one-line message.
std::string quoted(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') out += "\\n";
        else if (static_cast<unsigned char>(c) < 0x20) out += '?';
        else out += c;
    }
    constexpr std::size_t kMax = 48;
    if (out.size() > kMax) out = out.substr(0, kMax) + "...";
    return "\"" + out + "\"";
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            diagonal = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
        }
    }
    return row[b.size()];
}

/// "; did you mean "cols"?" when some valid name is a plausible typo of `name`.
std::string suggestion(const std::string& name, const std::vector<std::string>& valid) {
    const std::size_t allowed = std::max<std::size_t>(2, name.size() / 3);
    std::size_t best = allowed + 1;
    std::string best_name;
    for (const auto& v : valid) {
        const std::size_t d = edit_distance(name, v);
        if (d < best) {
            best = d;
            best_name = v;
        }
    }
    return best_name.empty() ? "" : fmt::format("; did you mean \"{}\"?", best_name);
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
    return out;
}

/// Parses one value for `spec`; throws QuantityError with a message that has no place.
struct Parsed {
    std::uint64_t number = 0;
    std::string text;
};
Parsed parse_value(const ParamSpec& spec, const std::string& text) {
    Parsed out;
    switch (spec.type) {
    case ParamSpec::Type::Text: {
        const bool one_line = std::none_of(text.begin(), text.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20;
        });
        if (text.empty() || !one_line)
            throw QuantityError(fmt::format("expected non-empty text on one line, got {}", quoted(text)));
        out.text = text;
        return out;
    }
    case ParamSpec::Type::Choice: {
        const auto it = std::find(spec.choices.begin(), spec.choices.end(), text);
        if (it == spec.choices.end())
            throw QuantityError(
                fmt::format("expected one of {}, got {}", join(spec.choices), quoted(text)));
        out.number = static_cast<std::uint64_t>(it - spec.choices.begin());
        out.text = text;
        return out;
    }
    case ParamSpec::Type::Number: break;
    }
    const Quantity q = parse_quantity(text, spec.kind);
    if (q.negative || q.too_large || q.magnitude < spec.min || q.magnitude > spec.max) {
        throw QuantityError(fmt::format("{} is out of range: allowed {}{}", text, spec.range_text(),
                                        spec.max_reason.empty() ? "" : " (" + spec.max_reason + ")"));
    }
    out.number = q.magnitude;
    out.text = format_quantity(q.magnitude, spec.kind);
    return out;
}

}  // namespace

std::string did_you_mean(const std::string& name, const std::vector<std::string>& valid) {
    return suggestion(name, valid);
}

ParamValue parse_param_value(const ParamSpec& spec, const std::string& text) {
    const Parsed parsed = parse_value(spec, text);
    return ParamValue{spec, parsed.number, parsed.text};
}

struct ParamReader::Field {
    std::uint64_t* u64 = nullptr;
    std::uint32_t* u32 = nullptr;
    std::string* str = nullptr;
};

struct ParamReader::Impl {
    Mode mode = Mode::Describe;
    std::string source;
    YAML::Mark root_mark;
    std::vector<Entry> top;  // Read mode: the document's top-level keys, in order
    Schema schema;
    std::vector<ParamValue> values;

    std::string at(const YAML::Mark& mark) const {
        if (mark.is_null()) return source;
        return fmt::format("{}:{}:{}", source, mark.line + 1, mark.column + 1);
    }

    [[noreturn]] void fail(const YAML::Mark& mark, const std::string& path,
                           const std::string& message) const {
        throw ConfigError(fmt::format("{}: {}{}", at(mark), path.empty() ? "" : path + ": ", message));
    }

    /// The keys of a map in document order; rejects keys that are not plain names and keys
    /// given twice (yaml-cpp keeps both, and silently using either would be a guess).
    std::vector<Entry> entries(const YAML::Node& map, const std::string& section) const {
        std::vector<Entry> out;
        for (auto it = map.begin(); it != map.end(); ++it) {
            const YAML::Node& key = it->first;
            if (!key.IsScalar())
                fail(key.Mark(), section, "keys must be plain names, got " + node_kind(key));
            for (const auto& e : out) {
                if (e.key == key.Scalar()) {
                    fail(key.Mark(), section.empty() ? key.Scalar() : section + "." + key.Scalar(),
                         fmt::format("duplicate key (first given at line {}, column {})",
                                     e.key_mark.line + 1, e.key_mark.column + 1));
                }
            }
            out.push_back({key.Scalar(), key.Mark(), it->second});
        }
        return out;
    }

    const Entry* top_entry(const std::string& key) const {
        for (const auto& e : top)
            if (e.key == key) return &e;
        return nullptr;
    }

    /// Read mode: the keys of a section (the top level for ""); empty when it is absent.
    std::vector<Entry> section_entries(const std::string& section) const {
        if (section.empty()) return top;
        const Entry* s = top_entry(section);
        if (s == nullptr || s->value.IsNull()) return {};
        return entries(s->value, section);
    }

    /// Where a key was written, else its section, else nothing (the file).
    YAML::Mark mark_of(const std::string& section, const std::string& key) const {
        for (const auto& e : section_entries(section))
            if (e.key == key) return e.key_mark;
        if (section.empty()) return root_mark;
        const Entry* s = top_entry(section);
        return s != nullptr ? s->key_mark : YAML::Mark::null_mark();
    }

    void reject_unknown(const Schema& known) const {
        std::vector<std::string> top_level;
        for (const auto& p : known.params)
            if (p.section.empty()) top_level.push_back(p.key);
        for (const auto& s : known.sections)
            if (!s.name.empty()) top_level.push_back(s.name);

        for (const auto& e : top) {
            const bool is_section = std::any_of(known.sections.begin(), known.sections.end(),
                                                [&](const SectionSpec& s) {
                                                    return !s.name.empty() && s.name == e.key;
                                                });
            if (is_section) {
                if (!e.value.IsMap()) continue;  // its type is reported when it is read
                std::vector<std::string> valid;
                for (const auto& p : known.params)
                    if (p.section == e.key) valid.push_back(p.key);
                for (const auto& k : entries(e.value, e.key)) {
                    if (known.find(e.key, k.key) != nullptr) continue;
                    fail(k.key_mark, e.key + "." + k.key,
                         fmt::format("unknown key{} (valid keys: {})", suggestion(k.key, valid),
                                     join(valid)));
                }
                continue;
            }
            if (known.find("", e.key) != nullptr) continue;
            fail(e.key_mark, "",
                 fmt::format("unknown {} \"{}\"{} (valid at the top level: {})",
                             e.value.IsMap() ? "section" : "key", e.key,
                             suggestion(e.key, top_level), join(top_level)));
        }
    }
};

// ---------------------------------------------------------------------------------------
// Construction

ParamReader::ParamReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParamReader::ParamReader(ParamReader&&) noexcept = default;
ParamReader& ParamReader::operator=(ParamReader&&) noexcept = default;
ParamReader::~ParamReader() = default;

ParamReader ParamReader::read(const std::string& yaml_text, const std::string& source) {
    auto impl = std::make_unique<Impl>();
    impl->mode = Mode::Read;
    impl->source = source;
    std::vector<YAML::Node> documents;
    try {
        documents = YAML::LoadAll(yaml_text);
    } catch (const YAML::Exception& e) {
        impl->fail(e.mark, "", "malformed YAML: " + e.msg);
    }
    if (documents.size() > 1)
        impl->fail(documents[1].Mark(), "", "a second YAML document starts here; a chip config is one document");
    const YAML::Node root = documents.empty() ? YAML::Node() : documents[0];
    if (!root.IsMap()) {
        impl->fail(root.Mark(), "",
                   fmt::format("expected a map of chip parameters at the top level, got {}",
                               root.IsNull() ? "an empty document" : node_kind(root)));
    }
    impl->root_mark = root.Mark();
    impl->top = impl->entries(root, "");
    return ParamReader(std::move(impl));
}

ParamReader ParamReader::describe() {
    auto impl = std::make_unique<Impl>();
    impl->mode = Mode::Describe;
    return ParamReader(std::move(impl));
}

ParamReader ParamReader::show() {
    auto impl = std::make_unique<Impl>();
    impl->mode = Mode::Show;
    return ParamReader(std::move(impl));
}

ParamReader::Mode ParamReader::mode() const { return impl_->mode; }
const Schema& ParamReader::schema() const { return impl_->schema; }
const std::vector<ParamValue>& ParamReader::values() const { return impl_->values; }

void ParamReader::check_known_keys(const Schema& expected) const {
    if (impl_->mode == Mode::Read) impl_->reject_unknown(expected);
}

void ParamReader::finish() const {
    if (impl_->mode == Mode::Read) impl_->reject_unknown(impl_->schema);
}

void ParamReader::fail(const std::string& section, const std::string& key,
                       const std::string& message) const {
    const std::string path = section.empty() ? key : key.empty() ? section : section + "." + key;
    impl_->fail(impl_->mark_of(section, key), path, message);
}

// ---------------------------------------------------------------------------------------
// Sections and parameters

ParamReader::Section ParamReader::section(const std::string& name, const std::string& description) {
    auto& sections = impl_->schema.sections;
    const bool known = std::any_of(sections.begin(), sections.end(),
                                   [&](const SectionSpec& s) { return s.name == name; });
    if (!known) sections.push_back({name, description});
    if (impl_->mode == Mode::Read && !name.empty()) {
        const Entry* e = impl_->top_entry(name);
        if (e != nullptr && !e->value.IsMap() && !e->value.IsNull()) {
            impl_->fail(e->value.Mark(), name,
                        fmt::format("expected a map of keys, got {}",
                                    e->value.IsScalar() ? quoted(e->value.Scalar()) : node_kind(e->value)));
        }
    }
    return Section(this, name);
}

ParamReader::Param ParamReader::Section::param(const std::string& key) { return Param(reader_, name_, key); }

ParamReader::Param::Param(ParamReader* reader, std::string section, std::string key) : reader_(reader) {
    spec_.section = std::move(section);
    spec_.key = std::move(key);
}

ParamReader::Param& ParamReader::Param::describe(std::string text) {
    spec_.description = std::move(text);
    return *this;
}

ParamReader::Param& ParamReader::Param::count(std::string unit) {
    spec_.type = ParamSpec::Type::Number;
    spec_.kind = QuantityKind::Count;
    spec_.unit = std::move(unit);
    return *this;
}

ParamReader::Param& ParamReader::Param::quantity(QuantityKind kind) {
    spec_.type = ParamSpec::Type::Number;
    spec_.kind = kind;
    spec_.unit = base_unit(kind);
    return *this;
}

ParamReader::Param& ParamReader::Param::range(std::uint64_t min, std::uint64_t max, std::string max_reason) {
    spec_.min = min;
    spec_.max = max;
    spec_.max_reason = std::move(max_reason);
    return *this;
}

ParamReader::Param& ParamReader::Param::text() {
    spec_.type = ParamSpec::Type::Text;
    return *this;
}

ParamReader::Param& ParamReader::Param::choice(std::vector<std::string> words) {
    spec_.type = ParamSpec::Type::Choice;
    spec_.choices = std::move(words);
    return *this;
}

void ParamReader::Param::required(std::uint64_t& field) { reader_->bind(spec_, Field{&field, nullptr, nullptr}); }
void ParamReader::Param::required(std::uint32_t& field) { reader_->bind(spec_, Field{nullptr, &field, nullptr}); }
void ParamReader::Param::required(std::string& field) { reader_->bind(spec_, Field{nullptr, nullptr, &field}); }

void ParamReader::Param::or_default(const std::string& default_text, std::uint64_t& field) {
    spec_.required = false;
    spec_.default_text = default_text;
    required(field);
}
void ParamReader::Param::or_default(const std::string& default_text, std::uint32_t& field) {
    spec_.required = false;
    spec_.default_text = default_text;
    required(field);
}
void ParamReader::Param::or_default(const std::string& default_text, std::string& field) {
    spec_.required = false;
    spec_.default_text = default_text;
    required(field);
}

void ParamReader::bind(ParamSpec spec, const Field& field) {
    // Mistakes here are in the section functions, not in any user's file.
    const bool numeric_field = field.u64 != nullptr || field.u32 != nullptr;
    const bool fits = spec.type == ParamSpec::Type::Text ? field.str != nullptr
                      : spec.type == ParamSpec::Type::Choice ? field.u32 != nullptr
                                                             : numeric_field;
    if (!fits || spec.description.empty() ||
        (spec.type == ParamSpec::Type::Number &&
         (spec.max == 0 || spec.min > spec.max ||
          (field.u32 != nullptr && spec.max > std::numeric_limits<std::uint32_t>::max())))) {
        throw std::logic_error("parameter " + spec.path() + " is declared inconsistently");
    }
    if (impl_->schema.find(spec.section, spec.key) != nullptr)
        throw std::logic_error("parameter " + spec.path() + " is declared twice");
    if (!spec.required) {
        try {
            parse_value(spec, spec.default_text);
        } catch (const Error& e) {
            throw std::logic_error("default of " + spec.path() + ": " + e.what());
        }
    }
    impl_->schema.params.push_back(spec);

    const auto store = [&](const Parsed& v) {
        if (field.u64 != nullptr) *field.u64 = v.number;
        if (field.u32 != nullptr) *field.u32 = static_cast<std::uint32_t>(v.number);
        if (field.str != nullptr) *field.str = v.text;
    };

    switch (impl_->mode) {
    case Mode::Describe: return;
    case Mode::Show: {
        ParamValue value{spec, 0, ""};
        if (field.str != nullptr) {
            value.text = *field.str;
        } else {
            value.number = field.u64 != nullptr ? *field.u64 : *field.u32;
            value.text = spec.type == ParamSpec::Type::Choice
                             ? (value.number < spec.choices.size() ? spec.choices[value.number] : "?")
                             : format_quantity(value.number, spec.kind);
        }
        impl_->values.push_back(std::move(value));
        return;
    }
    case Mode::Read: break;
    }

    const std::vector<Entry> keys = impl_->section_entries(spec.section);
    const auto it = std::find_if(keys.begin(), keys.end(), [&](const Entry& e) { return e.key == spec.key; });
    if (it == keys.end()) {
        if (!spec.required) {
            store(parse_value(spec, spec.default_text));
            return;
        }
        const std::string expected =
            spec.type == ParamSpec::Type::Number
                ? fmt::format("{} such as \"{}\"", kind_noun(spec.kind), kind_example(spec.kind))
                : spec.type_text();
        if (!spec.section.empty() && impl_->top_entry(spec.section) == nullptr) {
            impl_->fail(YAML::Mark::null_mark(), "",
                        fmt::format("missing section \"{}\" (it must give \"{}\", {})", spec.section,
                                    spec.key, expected));
        }
        impl_->fail(impl_->mark_of(spec.section, ""), spec.section,
                    fmt::format("missing required {}key \"{}\" ({})",
                                spec.section.empty() ? "top-level " : "", spec.key, expected));
    }
    const YAML::Node& value = it->value;
    const YAML::Mark mark = value.Mark().is_null() || value.IsNull() ? it->key_mark : value.Mark();
    try {
        if (!value.IsScalar()) {
            const std::string expected =
                spec.type == ParamSpec::Type::Number
                    ? fmt::format("{} such as \"{}\"", kind_noun(spec.kind), kind_example(spec.kind))
                    : spec.type_text();
            throw QuantityError(fmt::format("expected {}, got {}", expected, node_kind(value)));
        }
        store(parse_value(spec, value.Scalar()));
    } catch (const QuantityError& e) {
        impl_->fail(mark, spec.path(), e.what());
    }
}

}  // namespace tpusim::config
