#include "config/param_reader.hpp"

#include "config/yaml_map.hpp"
#include "isa/printable.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <stdexcept>

namespace tpusim::config {

// ---------------------------------------------------------------------------------------
// Specs

std::string ParamSpec::path() const { return section.empty() ? key : section + "." + key; }

std::string ParamSpec::type_text() const {
    switch (type) {
    case Type::Text: return "text";
    case Type::Choice: return "one of " + yaml::join(choices);
    case Type::Number: break;
    }
    if (kind == QuantityKind::Count) return fmt::format("whole number ({})", unit);
    return fmt::format("{} ({})", kind_noun(kind).substr(2), unit);  // drop the article
}

std::string ParamSpec::range_text() const {
    if (type != Type::Number) return "";
    return format_quantity(min, kind) + " to " + format_quantity(max, kind);
}

std::string ParamSpec::allowed_text() const {
    return "allowed " + range_text() + (max_reason.empty() ? "" : " (" + max_reason + ")");
}

const ParamSpec* Schema::find(const std::string& section, const std::string& key) const {
    for (const auto& p : params)
        if (p.section == section && p.key == key) return &p;
    return nullptr;
}

// ---------------------------------------------------------------------------------------
// Reader state

namespace {

const yaml::Format kFormat{"chip config", &yaml::raise<ConfigError>, ".", &yaml::describe};

/// The value as the user wrote it, made safe to embed in a one-line message.
std::string quoted(const std::string& text) { return "\"" + isa::printable(text, 48) + "\""; }

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
                fmt::format("expected one of {}, got {}", yaml::join(spec.choices), quoted(text)));
        out.number = static_cast<std::uint64_t>(it - spec.choices.begin());
        out.text = text;
        return out;
    }
    case ParamSpec::Type::Number: break;
    }
    const Quantity q = parse_quantity(text, spec.kind);
    if (q.negative || q.too_large || !spec.in_range(q.magnitude))
        throw QuantityError(fmt::format("{} is out of range: {}", text, spec.allowed_text()));
    out.number = q.magnitude;
    out.text = format_quantity(q.magnitude, spec.kind);
    return out;
}

}  // namespace

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
    std::optional<yaml::Map> top;  // Read mode: the document's top level
    Schema schema;
    std::vector<ParamValue> values;

    [[noreturn]] void fail(const YAML::Mark& mark, const std::string& path, const std::string& message) const {
        yaml::fail(kFormat, source, mark, path, message);
    }

    yaml::Map section_map(const YAML::Node& map, const std::string& section) const {
        return yaml::Map(kFormat, source, map, "a map of keys", section);
    }

    /// Read mode: the keys of a section (the top level for ""); empty when it is absent.
    std::vector<yaml::Map::Entry> section_entries(const std::string& section) const {
        if (section.empty()) return top->entries();
        const yaml::Map::Entry* s = top->find(section);
        if (s == nullptr || !s->value.IsMap()) return {};
        return section_map(s->value, section).entries();
    }

    /// Where a key was written, else its section, else nothing (the file).
    YAML::Mark mark_of(const std::string& section, const std::string& key) const {
        if (!top) return YAML::Mark::null_mark();  // not reading a document
        for (const auto& e : section_entries(section))
            if (e.key == key) return e.mark;
        if (section.empty()) return top->mark();
        const yaml::Map::Entry* s = top->find(section);
        return s != nullptr ? s->mark : YAML::Mark::null_mark();
    }

    void reject_unknown(const Schema& known) const {
        std::vector<std::string> top_level;
        for (const auto& p : known.params)
            if (p.section.empty()) top_level.push_back(p.key);
        for (const auto& s : known.sections)
            if (!s.name.empty()) top_level.push_back(s.name);

        for (const auto& e : top->entries()) {
            const bool is_section = std::any_of(known.sections.begin(), known.sections.end(),
                                                [&](const SectionSpec& s) {
                                                    return !s.name.empty() && s.name == e.key;
                                                });
            if (is_section) {
                if (!e.value.IsMap()) continue;  // its type is reported when it is read
                std::vector<std::string> valid;
                for (const auto& p : known.params)
                    if (p.section == e.key) valid.push_back(p.key);
                section_map(e.value, e.key).reject_unknown(valid, "keys");
                continue;
            }
            if (known.find("", e.key) != nullptr) continue;
            fail(e.mark, "",
                 fmt::format("unknown {} \"{}\"{} (valid at the top level: {})",
                             e.value.IsMap() ? "section" : "key", e.key,
                             yaml::did_you_mean(e.key, top_level), yaml::join(top_level)));
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
    const YAML::Node root = yaml::load_document(kFormat, yaml_text, source);
    if (!root.IsMap()) {
        impl->fail(yaml::mark_or_start(root), "",
                   fmt::format("expected a map of chip parameters at the top level, got {}",
                               root.IsNull() ? "an empty document" : root.IsScalar() ? "a value" : yaml::describe(root)));
    }
    impl->top = impl->section_map(root, "");
    return ParamReader(std::move(impl));
}

std::string ParamReader::read_file(const std::string& path) { return yaml::read_file(kFormat, path); }

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
        const yaml::Map::Entry* e = impl_->top->find(name);
        if (e != nullptr && !e->value.IsMap() && !e->value.IsNull()) {
            impl_->fail(e->value.Mark(), name,
                        fmt::format("expected a map of keys, got {}",
                                    e->value.IsScalar() ? quoted(e->value.Scalar()) : yaml::describe(e->value)));
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

    const std::vector<yaml::Map::Entry> keys = impl_->section_entries(spec.section);
    const auto it = std::find_if(keys.begin(), keys.end(), [&](const yaml::Map::Entry& e) { return e.key == spec.key; });
    if (it == keys.end()) {
        if (!spec.required) {
            store(parse_value(spec, spec.default_text));
            return;
        }
        const std::string expected =
            spec.type == ParamSpec::Type::Number
                ? fmt::format("{} such as \"{}\"", kind_noun(spec.kind), kind_example(spec.kind))
                : spec.type_text();
        if (!spec.section.empty() && !impl_->top->has(spec.section)) {
            impl_->fail(impl_->top->mark(), "",
                        fmt::format("missing section \"{}\" (it must give \"{}\", {})", spec.section,
                                    spec.key, expected));
        }
        impl_->fail(impl_->mark_of(spec.section, ""), spec.section,
                    fmt::format("missing required {}key \"{}\" ({})",
                                spec.section.empty() ? "top-level " : "", spec.key, expected));
    }
    const YAML::Node& value = it->value;
    const YAML::Mark mark = value.Mark().is_null() || value.IsNull() ? it->mark : value.Mark();
    try {
        const std::string expected =
            spec.type == ParamSpec::Type::Number
                ? fmt::format("{} such as \"{}\"", kind_noun(spec.kind), kind_example(spec.kind))
                : spec.type_text();
        if (!value.IsScalar()) throw QuantityError(fmt::format("expected {}, got {}", expected, yaml::describe(value)));
        const Parsed parsed = parse_value(spec, value.Scalar());
        // "256" in quotes is text in YAML; taking it for a number would be a guess.
        const std::string as_text =
            spec.type == ParamSpec::Type::Number ? yaml::number_written_as_text(value, expected) : "";
        if (!as_text.empty()) throw QuantityError(as_text);
        store(parsed);
    } catch (const QuantityError& e) {
        impl_->fail(mark, spec.path(), e.what());
    }
}

}  // namespace tpusim::config
