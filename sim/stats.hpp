// Statistics live with the component that counts them. Each counter has a name, a
// description and a unit, and registers itself in its component's group; the chip owns
// the groups (no global registry), and reports are written from them as JSON or a table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::sim {

class StatGroup;

/// One named integer statistic.
class Counter {
public:
    Counter(StatGroup& group, std::string name, std::string description, std::string unit);
    Counter(const Counter&) = delete;
    Counter& operator=(const Counter&) = delete;

    void add(std::uint64_t n) { value_ += n; }
    Counter& operator+=(std::uint64_t n) { value_ += n; return *this; }
    std::uint64_t value() const { return value_; }
    const std::string& name() const { return name_; }
    const std::string& description() const { return description_; }
    const std::string& unit() const { return unit_; }

private:
    std::string name_, description_, unit_;
    std::uint64_t value_ = 0;
};

/// The counters of one component (hardware unit), in registration order.
class StatGroup {
public:
    StatGroup(std::string component, std::string description);
    StatGroup(const StatGroup&) = delete;
    StatGroup& operator=(const StatGroup&) = delete;

    const std::string& component() const { return component_; }
    const std::string& description() const { return description_; }
    const std::vector<const Counter*>& counters() const { return counters_; }
    /// The counter called `name`; throws std::out_of_range if there is none.
    const Counter& get(const std::string& name) const;

private:
    friend class Counter;
    std::string component_, description_;
    std::vector<const Counter*> counters_;
};

/// The values of a group's counters, kept after the simulated chip is gone.
struct StatSnapshot {
    struct Value {
        std::string name, description, unit;
        std::uint64_t value;
    };
    std::string component, description;
    std::vector<Value> values;
    /// The value called `name`; throws std::out_of_range if there is none.
    std::uint64_t get(const std::string& name) const;
};
StatSnapshot snapshot(const StatGroup& group);

/// The snapshot of `component`; throws std::out_of_range if there is none.
const StatSnapshot& find_group(const std::vector<StatSnapshot>& groups, const std::string& component);

/// JSON object {"component": {"counter": {"value":…, "unit":…, "description":…}}}.
std::string stats_to_json(const std::vector<StatSnapshot>& groups, int indent);
/// Aligned table, one section per component.
std::string stats_to_table(const std::vector<StatSnapshot>& groups);

/// A JSON string literal with the characters JSON requires escaped.
std::string json_quote(const std::string& s);

}  // namespace tpusim::sim
