// Quantities with units: every unit, exact decimal fractions, and every kind of mistake.
#include "config/units.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

using tpusim::config::format_quantity;
using tpusim::config::group_thousands;
using tpusim::config::parse_quantity;
using tpusim::config::QuantityError;
using tpusim::config::QuantityKind;

namespace {

std::uint64_t value(const std::string& text, QuantityKind kind) {
    const auto q = parse_quantity(text, kind);
    REQUIRE_FALSE(q.negative);
    REQUIRE_FALSE(q.too_large);
    return q.magnitude;
}

std::string error_of(const std::string& text, QuantityKind kind) {
    try {
        parse_quantity(text, kind);
    } catch (const QuantityError& e) {
        return e.what();
    }
    return "(no error)";
}

constexpr std::uint64_t kKi = 1024;

}  // namespace

TEST_CASE("every size unit", "[units]") {
    const auto k = QuantityKind::Size;
    CHECK(value("7B", k) == 7);
    CHECK(value("1kB", k) == 1000);
    CHECK(value("1KB", k) == 1000);
    CHECK(value("3MB", k) == 3000000);
    CHECK(value("8GB", k) == 8000000000);
    CHECK(value("2TB", k) == 2000000000000);
    CHECK(value("1KiB", k) == kKi);
    CHECK(value("24MiB", k) == 24 * kKi * kKi);
    CHECK(value("8GiB", k) == 8 * kKi * kKi * kKi);
    CHECK(value("1TiB", k) == kKi * kKi * kKi * kKi);
}

TEST_CASE("every bandwidth unit is a size unit per second", "[units]") {
    const auto k = QuantityKind::Bandwidth;
    CHECK(value("5B/s", k) == 5);
    CHECK(value("5kB/s", k) == 5000);
    CHECK(value("5KB/s", k) == 5000);
    CHECK(value("34GB/s", k) == 34000000000);
    CHECK(value("1TB/s", k) == 1000000000000);
    CHECK(value("10GiB/s", k) == 10 * kKi * kKi * kKi);
    CHECK(value("3MiB/s", k) == 3 * kKi * kKi);
    CHECK(value("1KiB/s", k) == kKi);
    CHECK(value("1TiB/s", k) == kKi * kKi * kKi * kKi);
    CHECK(value("1MB/s", k) == 1000000);
}

TEST_CASE("every frequency and time unit", "[units]") {
    CHECK(value("50Hz", QuantityKind::Frequency) == 50);
    CHECK(value("32kHz", QuantityKind::Frequency) == 32000);
    CHECK(value("700MHz", QuantityKind::Frequency) == 700000000);
    CHECK(value("2GHz", QuantityKind::Frequency) == 2000000000);
    CHECK(value("5ps", QuantityKind::Time) == 5);
    CHECK(value("100ns", QuantityKind::Time) == 100000);
    CHECK(value("2us", QuantityKind::Time) == 2000000);
    CHECK(value("3ms", QuantityKind::Time) == 3000000000);
    CHECK(value("1s", QuantityKind::Time) == 1000000000000);
}

TEST_CASE("a space may separate number and unit; counts take none", "[units]") {
    CHECK(value("24 MiB", QuantityKind::Size) == 24 * kKi * kKi);
    CHECK(value("  34 GB/s ", QuantityKind::Bandwidth) == 34000000000);
    CHECK(value("256", QuantityKind::Count) == 256);
    CHECK(value("007", QuantityKind::Count) == 7);
    CHECK(value("0", QuantityKind::Count) == 0);
}

TEST_CASE("decimal fractions are exact, not rounded through a double", "[units]") {
    CHECK(value("1.5GHz", QuantityKind::Frequency) == 1500000000);
    CHECK(value("183.5GB/s", QuantityKind::Bandwidth) == 183500000000);
    CHECK(value("0.5KiB", QuantityKind::Size) == 512);
    CHECK(value("2.5ns", QuantityKind::Time) == 2500);
    CHECK(value("0.001s", QuantityKind::Time) == 1000000000);
    // 1/1024 KiB is one byte: 10 decimals, exact.
    CHECK(value("0.0009765625KiB", QuantityKind::Size) == 1);
    // In doubles 2.01 * 1000 is 2009.9999999999998, which truncates to 2009.
    CHECK(value("2.01ns", QuantityKind::Time) == 2010);
    CHECK(value("2.01GHz", QuantityKind::Frequency) == 2010000000);
    CHECK(value("0.1GHz", QuantityKind::Frequency) == 100000000);
    CHECK(value("12.80GB/s", QuantityKind::Bandwidth) == 12800000000);
    CHECK(value("2.0", QuantityKind::Count) == 2);
    // The largest value that fits: 2^64-1 bytes.
    CHECK(value("18446744073709551615B", QuantityKind::Size) == std::numeric_limits<std::uint64_t>::max());
}

TEST_CASE("a value that is not a whole number of base units is an error", "[units]") {
    CHECK(error_of("1.5B", QuantityKind::Size) == R"(expected a whole number of bytes, got "1.5B")");
    CHECK(error_of("1.0001kB", QuantityKind::Size) == R"(expected a whole number of bytes, got "1.0001kB")");
    CHECK(error_of("0.5ps", QuantityKind::Time) == R"(expected a whole number of picoseconds, got "0.5ps")");
    CHECK(error_of("0.5Hz", QuantityKind::Frequency) == R"(expected a whole number of hertz, got "0.5Hz")");
    CHECK(error_of("1.5B/s", QuantityKind::Bandwidth) ==
          R"(expected a whole number of bytes per second, got "1.5B/s")");
    CHECK(error_of("2.5", QuantityKind::Count) == R"(expected a whole number, got "2.5")");
}

TEST_CASE("a unit of another kind is an error naming the expected kind", "[units]") {
    CHECK(error_of("700MB", QuantityKind::Frequency) ==
          R"(expected a frequency such as "700MHz", got "700MB", which is a size)");
    CHECK(error_of("34GB", QuantityKind::Bandwidth) ==
          R"(expected a bandwidth such as "34GB/s", got "34GB", which is a size)");
    CHECK(error_of("24MB/s", QuantityKind::Size) ==
          R"(expected a size such as "24MiB", got "24MB/s", which is a bandwidth)");
    CHECK(error_of("100MHz", QuantityKind::Time) ==
          R"(expected a time such as "100ns", got "100MHz", which is a frequency)");
    CHECK(error_of("5ns", QuantityKind::Frequency) ==
          R"(expected a frequency such as "700MHz", got "5ns", which is a time)");
    CHECK(error_of("256B", QuantityKind::Count) ==
          R"(expected a whole number such as "256", got "256B", which is a size)");
}

TEST_CASE("unknown units, missing units and non-numbers are errors", "[units]") {
    CHECK(error_of("24MiBs", QuantityKind::Size) ==
          R"(expected a size such as "24MiB", got "24MiBs": unknown unit "MiBs" )"
          R"((use one of B, kB, KB, MB, GB, TB, KiB, MiB, GiB, TiB))");
    CHECK(error_of("700mhz", QuantityKind::Frequency) ==
          R"(expected a frequency such as "700MHz", got "700mhz": unknown unit "mhz" )"
          R"((use one of Hz, kHz, MHz, GHz))");
    CHECK(error_of("100", QuantityKind::Time) ==
          R"(expected a time such as "100ns", got "100", which has no unit (use one of ps, ns, us, ms, s))");
    CHECK(error_of("fast", QuantityKind::Bandwidth) == R"(expected a bandwidth such as "34GB/s", got "fast")");
    CHECK(error_of("", QuantityKind::Count) == R"(expected a whole number such as "256", got "")");
    // One spelling per value: a '+' is rejected here as in assembly and workloads.
    CHECK(error_of("+3ns", QuantityKind::Time) ==
          R"(expected a time such as "100ns", got "+3ns" with a '+' sign (write the value without it))");
    CHECK(error_of("+256", QuantityKind::Count) ==
          R"(expected a whole number such as "256", got "+256" with a '+' sign (write the value without it))");
    CHECK(error_of("4 tiles", QuantityKind::Count) == R"(expected a whole number such as "256", got "4 tiles")");
    CHECK(error_of(".5GHz", QuantityKind::Frequency) == R"(expected a frequency such as "700MHz", got ".5GHz")");
    CHECK(error_of("1.GHz", QuantityKind::Frequency) == R"(expected a frequency such as "700MHz", got "1.GHz")");
    CHECK(error_of("1e9Hz", QuantityKind::Frequency) ==
          R"(expected a frequency such as "700MHz", got "1e9Hz": unknown unit "e9Hz" (use one of Hz, kHz, MHz, GHz))");
}

TEST_CASE("sign and overflow are reported, not thrown, so that ranges can be quoted", "[units]") {
    auto q = parse_quantity("-5", QuantityKind::Count);
    CHECK(q.negative);
    CHECK(q.magnitude == 5);
    q = parse_quantity("-0", QuantityKind::Count);
    CHECK_FALSE(q.negative);
    CHECK(parse_quantity("18446744073709551616B", QuantityKind::Size).too_large);
    CHECK(parse_quantity("20000000TiB", QuantityKind::Size).too_large);
    CHECK(parse_quantity("123456789012345678901234567890", QuantityKind::Count).too_large);
}

TEST_CASE("values render in the unit that reads best", "[units]") {
    CHECK(format_quantity(24 * kKi * kKi, QuantityKind::Size) == "24 MiB");
    CHECK(format_quantity(8000000000, QuantityKind::Size) == "8 GB");
    // The shortest exact rendering wins: "1536 B" is shorter than "1.5 KiB", but
    // "1.5 MiB" is shorter than "1536 KiB".
    CHECK(format_quantity(1536, QuantityKind::Size) == "1536 B");
    CHECK(format_quantity(1536 * kKi, QuantityKind::Size) == "1.5 MiB");
    CHECK(format_quantity(1000, QuantityKind::Size) == "1 kB");
    CHECK(format_quantity(1001, QuantityKind::Size) == "1001 B");
    CHECK(format_quantity(1500000, QuantityKind::Size) == "1.5 MB");
    CHECK(format_quantity(1234567, QuantityKind::Size) == "1234567 B");
    CHECK(format_quantity(0, QuantityKind::Size) == "0 B");
    CHECK(format_quantity(34000000000, QuantityKind::Bandwidth) == "34 GB/s");
    CHECK(format_quantity(10 * kKi * kKi * kKi, QuantityKind::Bandwidth) == "10 GiB/s");
    CHECK(format_quantity(183500000000, QuantityKind::Bandwidth) == "183.5 GB/s");
    CHECK(format_quantity(700000000, QuantityKind::Frequency) == "700 MHz");
    CHECK(format_quantity(1500000000, QuantityKind::Frequency) == "1.5 GHz");
    CHECK(format_quantity(100000, QuantityKind::Time) == "100 ns");
    CHECK(format_quantity(1000000000000, QuantityKind::Time) == "1 s");
    CHECK(format_quantity(0, QuantityKind::Time) == "0 ps");
    CHECK(format_quantity(4096, QuantityKind::Count) == "4096");
}

TEST_CASE("rendered values parse back to the same integer", "[units]") {
    const std::uint64_t samples[] = {1, 999, 1000, 1024, 1536, 25165824, 34000000000, 183500000000,
                                     8589934592, 123456789};
    for (auto kind : {QuantityKind::Size, QuantityKind::Bandwidth, QuantityKind::Frequency, QuantityKind::Time}) {
        for (std::uint64_t v : samples) {
            const std::string text = format_quantity(v, kind);
            INFO(text);
            CHECK(value(text, kind) == v);
        }
    }
}

TEST_CASE("thousands separators", "[units]") {
    CHECK(group_thousands(0) == "0");
    CHECK(group_thousands(999) == "999");
    CHECK(group_thousands(1000) == "1,000");
    CHECK(group_thousands(45875200000000) == "45,875,200,000,000");
}
