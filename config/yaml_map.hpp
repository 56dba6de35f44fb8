// What the readers of our YAML formats (chip configs, workloads, sweep files) share: the
// file and its single document, the keys of one map read one by one, and one-line errors
// "file:line:column: context: key: message". Each format keeps its own error type and
// wording through a Format; the checks themselves (duplicate keys, keys that are not
// plain names, unknown keys with a suggestion, missing keys) are made here only.
#pragma once

#include "config/yaml.hpp"

#include <string>
#include <vector>

namespace tpusim::config::yaml {

/// "a, b, c".
std::string join(const std::vector<std::string>& words, const char* separator = ", ");

/// "; did you mean "cols"?" when one of `valid` is a plausible typo of `name`, else "", so
/// that every file format suggests the same way.
std::string did_you_mean(const std::string& name, const std::vector<std::string>& valid);

/// "a map", "a list", "no value", or the scalar quoted and cut to one short line.
std::string describe(const YAML::Node& node);

/// Where a number or quantity is expected, a scalar that YAML types as a string whatever
/// its text (quoted "256" or '256', a block scalar, or tagged !!str), or that carries a
/// tag other than !!int, is an error: this returns its message, "expected <expected>, got
/// a quoted string "256"; write numbers without quotes or tags". "" for a plain scalar,
/// which stands for a number when its text reads as one. Every reader checks its numbers
/// with this, after their text, so that a value that is wrong anyway is reported as such.
std::string number_written_as_text(const YAML::Node& node, const std::string& expected);

/// Where `node` starts, or the start of the document (line 1, column 1) for a node that has
/// no place of its own, such as the null root of an empty document: every message about a
/// file's content names a line and column.
YAML::Mark mark_or_start(const YAML::Node& node);

/// "file:line:column" of `mark`, or "file" alone when the mark is null.
std::string place(const std::string& source, const YAML::Mark& mark);

/// Throws E with `message`: a Format's `raise` for a format whose errors are E.
template <class E>
[[noreturn]] void raise(const std::string& message) {
    throw E(message);
}

/// How one file format reports problems.
struct Format {
    const char* noun;  // "chip config": "cannot open chip config", "a chip config is one document"
    /// Throws the format's error type (ConfigError, WorkloadError, ...) with the message.
    void (*raise)(const std::string& message);
    /// Joins a map's context and a key: "." gives "matrix_unit.rows", ": " gives
    /// "layer \"fc1\": units".
    const char* joiner;
    /// Names a value that is not what was expected.
    std::string (*describe)(const YAML::Node& node);
};

/// Throws through `format`: "place: label: message", or "place: message" for an empty label.
[[noreturn]] void fail(const Format& format, const std::string& source, const YAML::Mark& mark,
                       const std::string& label, const std::string& message);

/// The text of the file at `path` (isa/input_file: a regular file of at most 256 MiB); an
/// error "path: cannot open <noun>: reason" or "path: cannot read <noun>: reason" otherwise.
std::string read_file(const Format& format, const std::string& path);

/// The single YAML document in `text` (a null node for an empty text); malformed YAML and
/// a second document are errors at their place in `source`.
YAML::Node load_document(const Format& format, const std::string& text, const std::string& source);

/// One map of a file, its keys in document order, each given once.
class Map {
public:
    struct Entry {
        std::string key;
        YAML::Mark mark;  // of the key
        YAML::Node value;
    };

    /// `context` prefixes the messages about this map ("matrix_unit", "layer \"fc1\"", or
    /// "" at the top level). Throws if `node` is not a map ("expected <expected>, got ..."),
    /// has a key that is not a plain name, or gives a key twice (yaml-cpp keeps both, and
    /// silently using either would be a guess).
    Map(const Format& format, std::string source, const YAML::Node& node, const std::string& expected,
        std::string context = "");

    const std::string& source() const { return source_; }
    /// Where the map starts.
    const YAML::Mark& mark() const { return mark_; }
    const std::string& context() const { return context_; }
    void set_context(std::string context) { context_ = std::move(context); }
    const std::vector<Entry>& entries() const { return entries_; }

    const Entry* find(const std::string& key) const;
    bool has(const std::string& key) const { return find(key) != nullptr; }
    /// The value of `key`; a null node when absent.
    YAML::Node get(const std::string& key) const;
    /// The value of `key`; an error at the map, naming `expected`, when absent.
    YAML::Node require(const std::string& key, const std::string& expected) const;
    /// Where the value of `key` was written, else its key (`key:` alone), else the map.
    YAML::Mark mark_of(const std::string& key) const;

    /// The first key not in `valid`, or nullptr.
    const Entry* unknown(const std::vector<std::string>& valid) const;
    /// Throws for the first key not in `valid`: "key: unknown key; did you mean ...?
    /// (valid <where>: ...)", `where` being "keys", "in an axis" or similar.
    void reject_unknown(const std::vector<std::string>& valid, const std::string& where) const;

    /// Throws "place of mark: context<joiner>key: message"; context and key each only when given.
    [[noreturn]] void fail_at(const YAML::Mark& mark, const std::string& key, const std::string& message) const;

private:
    Format format_;
    std::string source_;
    YAML::Mark mark_;
    std::string context_;
    std::vector<Entry> entries_;
};

}  // namespace tpusim::config::yaml
