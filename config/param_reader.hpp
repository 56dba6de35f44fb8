// Reading typed parameters out of a YAML document, in the style of Ramulator 2: each
// hardware unit's section is handled by one function that asks for every key it knows,
// marks it required or gives its default, and says what it means and in what unit.
//
//     auto s = reader.section("matrix_unit", "The systolic array ...");
//     s.param("rows").describe("Array rows ...").count("rows").range(1, 65535, "why")
//         .required(p.rows);
//
// The same section functions serve three purposes, chosen by the reader's mode:
//   Read      parse a document, check each value, store it in the bound field;
//   Describe  only record the schema (every key, its unit, range, default, description),
//             for docs/config.md and `tpusim config show`;
//   Show      record the schema and the current value of every bound field, for reports.
// Keeping one function per section for all three means a key cannot be readable but
// undocumented, or documented but not shown.
//
// When reading, every key that nobody asked for is an error (a typo must not silently
// fall back to a default); the message names file:line:column and suggests the nearest
// valid key. All errors are ConfigError with a one-line message.
#pragma once

#include "config/units.hpp"
#include "isa/error.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tpusim::config {

/// A chip configuration that cannot be used: malformed YAML, an unknown or missing key, a
/// value of the wrong kind or out of range. The message starts with file:line:column.
class ConfigError : public Error {
public:
    using Error::Error;
};

/// Everything known about one parameter, independent of any file.
struct ParamSpec {
    enum class Type { Number, Text, Choice };

    std::string section;      // "" for top-level keys
    std::string key;
    std::string description;
    Type type = Type::Number;
    QuantityKind kind = QuantityKind::Count;  // Number: what the text must look like
    std::string unit;                        // Number: unit of the stored integer ("rows", "bytes")
    std::vector<std::string> choices;        // Choice: the accepted words, stored as an index
    std::uint64_t min = 0;                   // Number: inclusive range, in the stored unit
    std::uint64_t max = 0;
    std::string max_reason;                  // Number: why the upper limit is what it is
    bool required = true;
    std::string default_text;                // when not required: the default, as written in YAML

    /// "matrix_unit.rows", or "clock" for a top-level key.
    std::string path() const;
    /// "whole number (rows)", "size (bytes)", "one of int8, int8x16, int16", "text".
    std::string type_text() const;
    /// "1 to 65535", "1 kHz to 100 GHz"; empty for text and choices.
    std::string range_text() const;
    /// Number: whether `value` (in the stored unit) is within the range.
    bool in_range(std::uint64_t value) const { return value >= min && value <= max; }
    /// "allowed 1 to 65535 (why)": the range and, when given, why its upper limit is what it is.
    std::string allowed_text() const;
};

struct SectionSpec {
    std::string name;  // "" for the top level
    std::string description;
};

/// Every section and parameter, in the order the section functions ask for them.
struct Schema {
    std::vector<SectionSpec> sections;
    std::vector<ParamSpec> params;
    const ParamSpec* find(const std::string& section, const std::string& key) const;
};

/// A parameter together with a value, as recorded in Show mode.
struct ParamValue {
    ParamSpec spec;
    std::uint64_t number = 0;  // Number: the value in `spec.unit`; Choice: the index
    std::string text;          // readable rendering: "24 MiB", "int8", the name
};

/// Checks `text` as a value of `spec`, exactly as a chip file's value is checked (unit,
/// kind, range), and returns it stored and rendered. Throws QuantityError whose message
/// has no place; the caller prefixes it. Used by sweep files (sweep/sweep_file.cpp), whose
/// explicit values must mean what they would mean in a chip file.
ParamValue parse_param_value(const ParamSpec& spec, const std::string& text);

class ParamReader {
public:
    enum class Mode { Read, Describe, Show };

    /// Parses `yaml_text`; `source` names it in messages (usually the path as given).
    /// Throws ConfigError if the text is not YAML or its top level is not a map.
    static ParamReader read(const std::string& yaml_text, const std::string& source);
    /// The text of the chip config file at `path`; ConfigError when it cannot be read.
    static std::string read_file(const std::string& path);
    static ParamReader describe();
    static ParamReader show();

    ParamReader(ParamReader&&) noexcept;
    ParamReader& operator=(ParamReader&&) noexcept;
    ~ParamReader();

    Mode mode() const;

    class Param;
    /// A section's handle; keys asked through it are looked up in that section.
    class Section {
    public:
        Param param(const std::string& key);

    private:
        friend class ParamReader;
        Section(ParamReader* reader, std::string name) : reader_(reader), name_(std::move(name)) {}
        ParamReader* reader_;
        std::string name_;
    };

    /// Builds one parameter's spec; the terminal call (required / or_default) binds it to a
    /// field and, in Read mode, stores the checked value there.
    class Param {
    public:
        Param& describe(std::string text);
        /// A plain whole number counting `unit` ("rows", "tiles", "cycles").
        Param& count(std::string unit);
        /// A quantity written with a unit, stored in its base unit.
        Param& quantity(QuantityKind kind);
        /// Inclusive limits in the stored unit; `max_reason` explains the upper one.
        Param& range(std::uint64_t min, std::uint64_t max, std::string max_reason = "");
        Param& text();
        /// One of `words`; the bound field holds the index of the word.
        Param& choice(std::vector<std::string> words);

        void required(std::uint64_t& field);
        void required(std::uint32_t& field);
        void required(std::string& field);
        void or_default(const std::string& default_text, std::uint64_t& field);
        void or_default(const std::string& default_text, std::uint32_t& field);
        void or_default(const std::string& default_text, std::string& field);

    private:
        friend class Section;
        Param(ParamReader* reader, std::string section, std::string key);
        ParamReader* reader_;
        ParamSpec spec_;
    };

    /// Opens a section ("" for the top-level keys) and records its description.
    Section section(const std::string& name, const std::string& description);

    /// Read mode, before any section is read: rejects keys and sections `expected` does not
    /// know, so that a typo is reported as a typo rather than as the missing key it
    /// was meant to be.
    void check_known_keys(const Schema& expected) const;
    /// Read mode, after all sections are read: rejects every key nobody asked for.
    void finish() const;

    const Schema& schema() const;
    /// Show mode: every parameter with the value of its bound field, in schema order.
    const std::vector<ParamValue>& values() const;

    /// Read mode: throws ConfigError "file:line:column: section.key: message", placed at the
    /// key (or at its section, or the file, when absent). Used for checks across keys.
    [[noreturn]] void fail(const std::string& section, const std::string& key,
                           const std::string& message) const;

private:
    struct Impl;
    struct Field;
    explicit ParamReader(std::unique_ptr<Impl> impl);
    void bind(ParamSpec spec, const Field& field);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tpusim::config
