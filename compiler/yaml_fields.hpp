// Reading one YAML map of a workload file key by key, with one-line errors placed at
// file:line:column: config/yaml_map.hpp's Map with the workload format's typed reads.
// Only compiler/workload.cpp uses it; yaml-cpp stays out of every other header of the
// compiler.
#pragma once

#include "compiler/workload.hpp"
#include "config/yaml_map.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::compiler {

namespace yaml {

/// As config::yaml::describe, but telling an empty list apart: "got an empty list".
std::string describe(const YAML::Node& node);

/// Workload files: WorkloadError, messages "layer \"fc1\": units: ...".
extern const config::yaml::Format kFormat;

/// One map of the file: its keys in order, each used at most once.
class Fields : public config::yaml::Map {
public:
    /// `what` prefixes messages ("layer \"conv1\"", "input \"x\"", or "" at the top).
    /// Throws if `map` is not a map or gives a key twice.
    Fields(const std::string& source, const YAML::Node& map, std::string what, const std::string& expected);

    const std::string& what() const { return context(); }
    void set_what(std::string what) { set_context(std::move(what)); }
    /// "file:line" of the map, for Layer::source.
    std::string line() const;

    /// Throws for the first key not in `valid`, suggesting the nearest valid one.
    void reject_unknown(const std::vector<std::string>& valid) const;

    /// Error at the value of `key` (or at the key when it has no value).
    [[noreturn]] void fail(const std::string& key, const std::string& message) const;
    /// Error at `node`, reported under `key`.
    [[noreturn]] void fail_at(const YAML::Node& node, const std::string& key, const std::string& message) const;
    using Map::fail_at;

    // Typed reads of a value under `key`; messages say what was expected and what was found.
    std::uint64_t uint(const YAML::Node& node, const std::string& key, std::uint64_t min, std::uint64_t max) const;
    std::int64_t integer(const YAML::Node& node, const std::string& key, std::int64_t min, std::int64_t max) const;
    std::string text(const YAML::Node& node, const std::string& key) const;
    /// The index of the word in `words`.
    std::size_t choice(const YAML::Node& node, const std::string& key, const std::vector<std::string>& words) const;
    /// A list of whole numbers, each in [min, max], with a length in `lengths`.
    std::vector<std::uint64_t> uint_list(const YAML::Node& node, const std::string& key, std::uint64_t min,
                                         std::uint64_t max, const std::vector<std::size_t>& lengths) const;
};

}  // namespace yaml
}  // namespace tpusim::compiler
