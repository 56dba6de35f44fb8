#include "config/units.hpp"

#include "isa/printable.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <vector>

namespace tpusim::config {
namespace {

// Multipliers reach 2^40 (TiB) and 10^12 (s in ps); with at most 20 integer digits and 24
// decimals every intermediate product stays below 2^128, so the arithmetic is exact.
__extension__ typedef unsigned __int128 u128;

constexpr std::size_t kMaxIntegerDigits = 20;   // 10^20 > 2^64: anything longer overflows
constexpr std::size_t kMaxDecimals = 24;

struct Unit {
    std::string suffix;
    QuantityKind kind;
    u128 multiplier;  // base units per unit
    bool shown;       // used when rendering (aliases such as "KB" are only accepted)
};

constexpr u128 kKi = 1024;
constexpr u128 kK = 1000;

const std::vector<Unit>& unit_table() {
    static const std::vector<Unit> table = [] {
        struct Prefix { const char* name; u128 factor; bool shown; };
        const Prefix size_prefixes[] = {
            {"", 1, true},
            {"k", kK, true}, {"K", kK, false}, {"M", kK * kK, true}, {"G", kK * kK * kK, true},
            {"T", kK * kK * kK * kK, true},
            {"Ki", kKi, true}, {"Mi", kKi * kKi, true}, {"Gi", kKi * kKi * kKi, true},
            {"Ti", kKi * kKi * kKi * kKi, true},
        };
        std::vector<Unit> units;
        // Sizes and bandwidths share their prefixes; a bandwidth is a size per second.
        for (const auto& p : size_prefixes) {
            units.push_back({std::string(p.name) + "B", QuantityKind::Size, p.factor, p.shown});
            units.push_back({std::string(p.name) + "B/s", QuantityKind::Bandwidth, p.factor, p.shown});
        }
        units.push_back({"Hz", QuantityKind::Frequency, 1, true});
        units.push_back({"kHz", QuantityKind::Frequency, kK, true});
        units.push_back({"MHz", QuantityKind::Frequency, kK * kK, true});
        units.push_back({"GHz", QuantityKind::Frequency, kK * kK * kK, true});
        units.push_back({"ps", QuantityKind::Time, 1, true});
        units.push_back({"ns", QuantityKind::Time, kK, true});
        units.push_back({"us", QuantityKind::Time, kK * kK, true});
        units.push_back({"ms", QuantityKind::Time, kK * kK * kK, true});
        units.push_back({"s", QuantityKind::Time, kK * kK * kK * kK, true});
        return units;
    }();
    return table;
}

const Unit* find_unit(const std::string& suffix) {
    for (const auto& u : unit_table())
        if (suffix == u.suffix) return &u;
    return nullptr;
}

u128 pow10(std::size_t n) {
    u128 r = 1;
    for (std::size_t i = 0; i < n; ++i) r *= 10;
    return r;
}

u128 digits_value(const std::string& digits) {
    u128 v = 0;
    for (char c : digits) v = v * 10 + static_cast<unsigned>(c - '0');
    return v;
}

/// What each kind is called in messages and docs, indexed by QuantityKind.
struct KindInfo {
    const char* noun;     // "a size"
    const char* example;  // as a user would write it
    const char* base;     // unit of the parsed integer
    const char* whole;    // "whole number of bytes"
};
const KindInfo& info(QuantityKind kind) {
    static const KindInfo table[] = {
        {"a whole number", "256", "", "whole number"},
        {"a size", "24MiB", "bytes", "whole number of bytes"},
        {"a bandwidth", "34GB/s", "bytes/s", "whole number of bytes per second"},
        {"a frequency", "700MHz", "Hz", "whole number of hertz"},
        {"a time", "100ns", "ps", "whole number of picoseconds"},
    };
    return table[static_cast<std::size_t>(kind)];
}

/// The user's text as it can stand in a one-line message.
std::string one_line(const std::string& text) { return isa::printable(text, 60); }

[[noreturn]] void fail(QuantityKind kind, const std::string& text, const std::string& why) {
    throw QuantityError(fmt::format("expected {} such as \"{}\", got \"{}\"{}", kind_noun(kind),
                                    kind_example(kind), one_line(text), why));
}

}  // namespace

std::string kind_noun(QuantityKind kind) { return info(kind).noun; }
std::string kind_example(QuantityKind kind) { return info(kind).example; }
std::string base_unit(QuantityKind kind) { return info(kind).base; }

std::string unit_list(QuantityKind kind) {
    std::string list;
    for (const auto& u : unit_table()) {
        if (u.kind != kind) continue;
        if (!list.empty()) list += ", ";
        list += u.suffix;
    }
    return list;
}

Quantity parse_quantity(const std::string& raw, QuantityKind kind) {
    const auto first = raw.find_first_not_of(" \t");
    const auto last = raw.find_last_not_of(" \t");
    const std::string text = first == std::string::npos ? "" : raw.substr(first, last - first + 1);

    std::size_t i = 0;
    Quantity q;
    // A '-' is read so that the range check can say the value is out of range; a '+' is
    // rejected, as the assembler and the workload reader reject it: one spelling per value.
    if (i < text.size() && text[i] == '+')
        fail(kind, text, " with a '+' sign (write the value without it)");
    if (i < text.size() && text[i] == '-') q.negative = text[i++] == '-';
    const auto digits_from = [&](std::size_t from) {
        std::size_t end = from;
        while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
        return end;
    };
    const std::size_t int_end = digits_from(i);
    if (int_end == i) fail(kind, text, "");
    std::string int_digits = text.substr(i, int_end - i);
    std::string decimals;
    i = int_end;
    if (i < text.size() && text[i] == '.') {
        const std::size_t frac_end = digits_from(i + 1);
        if (frac_end == i + 1) fail(kind, text, "");
        decimals = text.substr(i + 1, frac_end - i - 1);
        i = frac_end;
    }
    while (i < text.size() && text[i] == ' ') ++i;
    const std::string suffix = text.substr(i);

    u128 multiplier = 1;
    if (suffix.empty()) {
        if (kind != QuantityKind::Count)
            fail(kind, text, fmt::format(", which has no unit (use one of {})", unit_list(kind)));
    } else {
        const Unit* unit = find_unit(suffix);
        if (unit == nullptr) {
            if (kind == QuantityKind::Count) fail(kind, text, "");
            fail(kind, text,
                 fmt::format(": unknown unit \"{}\" (use one of {})", one_line(suffix), unit_list(kind)));
        }
        if (unit->kind != kind) fail(kind, text, fmt::format(", which is {}", kind_noun(unit->kind)));
        multiplier = unit->multiplier;
    }

    int_digits.erase(0, std::min(int_digits.find_first_not_of('0'), int_digits.size()));
    decimals.erase(decimals.find_last_not_of('0') + 1);
    if (decimals.size() > kMaxDecimals)
        fail(kind, text, fmt::format(" with more than {} decimals", kMaxDecimals));

    const u128 scale = pow10(decimals.size());
    const u128 fraction = digits_value(decimals) * multiplier;
    if (fraction % scale != 0) {
        throw QuantityError(fmt::format("expected a {}, got \"{}\"", info(kind).whole, one_line(text)));
    }
    if (int_digits.size() > kMaxIntegerDigits) {
        q.too_large = true;
        return q;
    }
    const u128 value = digits_value(int_digits) * multiplier + fraction / scale;
    if (value > std::numeric_limits<std::uint64_t>::max()) {
        q.too_large = true;
    } else {
        q.magnitude = static_cast<std::uint64_t>(value);
    }
    if (q.magnitude == 0 && !q.too_large) q.negative = false;  // "-0" is zero
    return q;
}

std::string format_quantity(std::uint64_t value, QuantityKind kind) {
    if (kind == QuantityKind::Count) return std::to_string(value);
    std::string best;
    u128 best_multiplier = 0;
    for (const auto& u : unit_table()) {
        if (u.kind != kind || !u.shown) continue;
        const u128 v = value;
        const bool exact_to_3_decimals = (v * 1000) % u.multiplier == 0;
        if (!exact_to_3_decimals || (v < u.multiplier && value != 0)) continue;
        std::string number = std::to_string(static_cast<std::uint64_t>(v / u.multiplier));
        const auto thousandths = static_cast<unsigned>((v % u.multiplier) * 1000 / u.multiplier);
        if (thousandths != 0) {
            std::string decimals = fmt::format("{:03}", thousandths);
            decimals.erase(decimals.find_last_not_of('0') + 1);
            number += "." + decimals;
        }
        std::string rendered = number + " " + u.suffix;
        const bool better = best.empty() || rendered.size() < best.size() ||
                            (rendered.size() == best.size() && u.multiplier > best_multiplier);
        if (value == 0) {  // zero reads best in the base unit
            if (best.empty()) best = rendered;
            continue;
        }
        if (better) {
            best = rendered;
            best_multiplier = u.multiplier;
        }
    }
    return best;
}

std::string group_thousands(std::uint64_t value) {
    std::string digits = std::to_string(value);
    for (int pos = static_cast<int>(digits.size()) - 3; pos > 0; pos -= 3)
        digits.insert(static_cast<std::size_t>(pos), ",");
    return digits;
}

}  // namespace tpusim::config
