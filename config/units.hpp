// Quantities with units, as written in chip YAML files: "24MiB", "34GB/s", "700MHz",
// "100ns", or a plain whole number where a count is expected.
//
// A quantity is parsed to an exact integer in its base unit (bytes, bytes per second,
// hertz, picoseconds). Decimal fractions are exact too: "1.5GHz" is 1500000000 Hz, not
// whatever a double would round it to, and a value that is not a whole number of base
// units ("1.5B", "0.5ps") is an error rather than being silently truncated. This matters
// because every cycle count the simulator reports is derived from these integers.
#pragma once

#include "isa/error.hpp"

#include <cstdint>
#include <string>

namespace tpusim::config {

/// What a parameter measures. The kind decides which unit suffixes are accepted.
enum class QuantityKind {
    Count,      // plain whole number, no unit: "256"
    Size,       // bytes:   B, kB/KB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB (of 1024)
    Bandwidth,  // bytes/s: any size unit followed by "/s"
    Frequency,  // hertz:   Hz, kHz, MHz, GHz
    Time,       // picoseconds: ps, ns, us, ms, s
};

/// A value the user wrote, not what a parameter accepts. The message is the part after
/// the place ("expected a size such as \"24MiB\", got \"24MB/s\", which is a bandwidth");
/// the parameter reader prefixes file:line:column and the key.
class QuantityError : public Error {
public:
    using Error::Error;
};

/// An exactly parsed quantity. It keeps the sign and an overflow flag instead of failing,
/// so that the caller can report "out of range" together with the range it allows.
struct Quantity {
    bool negative = false;
    bool too_large = false;     // magnitude does not fit in 64 bits
    std::uint64_t magnitude = 0;  // in base units
};

/// Parses `text` as a quantity of `kind`. Throws QuantityError when the text is not a
/// number, has a unit of another kind or an unknown unit, lacks a unit where one is
/// needed, or is not a whole number of base units.
Quantity parse_quantity(const std::string& text, QuantityKind kind);

/// "a size", "a bandwidth", ... (for messages).
std::string kind_noun(QuantityKind kind);
/// An example value of the kind, as a user would write it: "24MiB", "34GB/s", ...
std::string kind_example(QuantityKind kind);
/// The base unit the parsed integer is in: "bytes", "bytes/s", "Hz", "ps"; "" for counts.
std::string base_unit(QuantityKind kind);
/// The unit suffixes accepted for the kind, for messages and docs: "B, kB, KB, ...".
std::string unit_list(QuantityKind kind);

/// Renders a value in the unit that reads best: the shortest exact rendering with at most
/// three decimals and a leading digit of at least 1, preferring the larger unit on ties.
/// "24 MiB", "34 GB/s", "700 MHz", "1.5 GHz", "100 ns". Counts render as plain numbers.
std::string format_quantity(std::uint64_t value, QuantityKind kind);

/// A whole number with thousands separators: 45875200000000 -> "45,875,200,000,000".
std::string group_thousands(std::uint64_t value);

}  // namespace tpusim::config
