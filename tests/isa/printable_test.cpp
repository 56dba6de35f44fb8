// The one escaping of user text in messages, shared by the assembler and the YAML readers.
#include "isa/printable.hpp"

#include <catch2/catch.hpp>

#include <string>

using tpusim::isa::printable;
using namespace std::string_literals;

TEST_CASE("printable escapes control bytes, DEL and bytes that are not UTF-8", "[printable]") {
    CHECK(printable("plain text = 1") == "plain text = 1");
    CHECK(printable("a\nb\tc") == "a\\nb\\tc");
    CHECK(printable("ab\0cd"s) == "ab\\x00cd");
    CHECK(printable("\x1b[0m\x7f") == "\\x1b[0m\\x7f");
    // UTF-8 is kept: two, three and four byte sequences.
    CHECK(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    // A lone continuation byte, a truncated sequence, an overlong form, a surrogate and
    // a code point beyond U+10FFFF are not UTF-8.
    CHECK(printable("\x80") == "\\x80");
    CHECK(printable("\xc3") == "\\xc3");
    CHECK(printable("\xe2\x82") == "\\xe2\\x82");
    CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");
    CHECK(printable("\xe0\x80\xaf") == "\\xe0\\x80\\xaf");
    CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");
    CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");
    CHECK(printable("\xff") == "\\xff");
}

TEST_CASE("printable cuts long text after a whole character", "[printable]") {
    CHECK(printable(std::string(10, 'x'), 10) == std::string(10, 'x'));
    CHECK(printable(std::string(12, 'x'), 10) == std::string(11, 'x') + "...");
    CHECK(printable(std::string(20, '\0'), 10) == "\\x00\\x00\\x00...");
    CHECK(printable(std::string(10, 'x'), 0) == std::string(10, 'x'));
}
