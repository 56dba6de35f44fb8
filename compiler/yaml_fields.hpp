// Reading one YAML map of a workload file key by key, with one-line errors placed at
// file:line:column. Only compiler/workload.cpp uses it; yaml-cpp stays out of every other
// header of the compiler.
#pragma once

#include "compiler/workload.hpp"

// GCC 12 reports a false dangling-pointer warning inside yaml-cpp 0.7's headers (see
// config/param_reader.cpp); it is silenced for those headers only.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <yaml-cpp/yaml.h>
#pragma GCC diagnostic pop
#else
#include <yaml-cpp/yaml.h>
#endif

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::compiler {

namespace yaml {

/// "a, b, c".
std::string join(const std::vector<std::string>& words);

/// "a map", "a list", "no value", or the scalar quoted and cut to one short line.
std::string describe(const YAML::Node& node);

/// One map of the file: its keys in order, each used at most once.
class Fields {
public:
    /// `what` prefixes messages ("layer \"conv1\"", "input \"x\"", or "" at the top).
    /// Throws if `map` is not a map or gives a key twice.
    Fields(const std::string& source, const YAML::Node& map, std::string what, const std::string& expected);

    const std::string& source() const { return source_; }
    const std::string& what() const { return what_; }
    void set_what(std::string what) { what_ = std::move(what); }
    /// "file:line" of the map, for Layer::source.
    std::string line() const;

    bool has(const std::string& key) const;
    /// The value of `key`; a null node when absent.
    YAML::Node get(const std::string& key) const;
    /// The value of `key`, which must be present.
    YAML::Node require(const std::string& key, const std::string& expected) const;
    std::vector<std::string> keys() const;
    /// Throws for the first key not in `valid`, suggesting the nearest valid one.
    void reject_unknown(const std::vector<std::string>& valid) const;

    /// Error at the value of `key` (or at the key when it has no value).
    [[noreturn]] void fail(const std::string& key, const std::string& message) const;
    /// Error at `node`, reported under `key`.
    [[noreturn]] void fail_at(const YAML::Node& node, const std::string& key, const std::string& message) const;

    // Typed reads of a value under `key`; messages say what was expected and what was found.
    std::uint64_t uint(const YAML::Node& node, const std::string& key, std::uint64_t min, std::uint64_t max) const;
    std::int64_t integer(const YAML::Node& node, const std::string& key, std::int64_t min, std::int64_t max) const;
    std::string text(const YAML::Node& node, const std::string& key) const;
    /// The index of the word in `words`.
    std::size_t choice(const YAML::Node& node, const std::string& key, const std::vector<std::string>& words) const;
    /// A list of whole numbers, each in [min, max], with a length in `lengths`.
    std::vector<std::uint64_t> uint_list(const YAML::Node& node, const std::string& key, std::uint64_t min,
                                         std::uint64_t max, const std::vector<std::size_t>& lengths) const;

private:
    struct Entry {
        std::string key;
        YAML::Mark mark;
        YAML::Node value;
    };
    const Entry* find(const std::string& key) const;
    std::string at(const YAML::Mark& mark) const;

    std::string source_;
    std::string what_;
    YAML::Mark mark_;
    std::vector<Entry> entries_;
};

/// The single YAML document in `text`; malformed YAML is a WorkloadError at its place.
YAML::Node load(const std::string& text, const std::string& source);

}  // namespace yaml
}  // namespace tpusim::compiler
