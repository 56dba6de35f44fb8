// The assembler: one statement per line, `head key=value ...`, where head is a mnemonic of
// the form table or a directive. Fields are read in table order (not text order) so that a
// field whose meaning depends on another (sync's addr on mode, set_config's value on reg)
// is read after it.
#include "isa/assembler.hpp"

#include "isa/edit_distance.hpp"
#include "isa/error.hpp"
#include "isa/forms.hpp"
#include "isa/printable.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string_view>

namespace tpusim::isa {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

struct Token {
    enum Kind { Word, String, Equals } kind;
    std::string text;
};

/// A `key=value` argument of a statement.
struct Arg {
    std::string key;  // lower case
    std::string value;
    bool quoted;
};

/// An integer literal: decimal, 0x hex or 0b binary, '_' between digits, optional '-'.
struct Literal {
    bool negative = false;
    bool overflow = false;  // magnitude does not fit in 64 bits
    std::uint64_t magnitude = 0;
};

std::optional<Literal> parse_literal(std::string_view t) {
    Literal lit;
    if (!t.empty() && t[0] == '-') {
        lit.negative = true;
        t.remove_prefix(1);
    }
    unsigned base = 10;
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        base = 16;
        t.remove_prefix(2);
    } else if (t.size() > 2 && t[0] == '0' && (t[1] == 'b' || t[1] == 'B')) {
        base = 2;
        t.remove_prefix(2);
    }
    if (t.empty() || t.front() == '_' || t.back() == '_') return std::nullopt;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (c == '_') {
            if (t[i - 1] == '_') return std::nullopt;
            continue;
        }
        unsigned digit;
        if (c >= '0' && c <= '9')
            digit = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f')
            digit = static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            digit = static_cast<unsigned>(c - 'A' + 10);
        else
            return std::nullopt;
        if (digit >= base) return std::nullopt;
        if (lit.magnitude > (~std::uint64_t{0} - digit) / base) lit.overflow = true;
        lit.magnitude = lit.magnitude * base + digit;
    }
    return lit;
}

/// "; did you mean 'x'?" for a close candidate, else " (one of: a, b, c)".
std::string suggest(const std::string& word, const std::vector<std::string>& candidates) {
    const std::string* best = nullptr;
    std::size_t best_distance = 0;
    for (const std::string& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (best == nullptr || d < best_distance) {
            best = &c;
            best_distance = d;
        }
    }
    if (best != nullptr && best_distance <= 2) return fmt::format("; did you mean '{}'?", *best);
    for (const std::string& c : candidates)
        if (word.size() >= 3 && c.compare(0, word.size(), word) == 0)
            return fmt::format("; did you mean '{}'?", c);
    std::string list;
    for (const std::string& c : candidates) list += (list.empty() ? "" : ", ") + c;
    return fmt::format(" (one of: {})", list);
}

class Assembler {
public:
    Assembler(const std::string& text, const std::string& filename, const ChipCheck& check_chip)
        : text_(text), filename_(filename), check_chip_(check_chip) {}

    Program run() {
        std::size_t start = 0;
        while (start < text_.size()) {
            std::size_t end = text_.find('\n', start);
            if (end == std::string::npos) end = text_.size();
            ++line_;
            const std::string_view line = std::string_view(text_).substr(start, end - start);
            reject_control_bytes(line);
            statement(line);
            start = end + 1;
        }
        if (!chip_line_) fail("missing .chip directive (required once, before the first instruction)");
        if (!in_layer_seen_) program_.layer_of.clear();
        return std::move(program_);
    }

private:
    /// Messages quote the user's words; whatever bytes those hold, the message stays one
    /// readable line (and a long word does not make it a long one).
    [[noreturn]] void fail(const std::string& message) const {
        throw AsmError(fmt::format("{}:{}: {}", filename_, std::max(line_, 1), printable(message, kMaxMessage)));
    }

    /// Assembly is text: a control byte (other than tab, and the carriage return of a CRLF
    /// line end) means a binary or damaged file, which is named as such rather than
    /// assembled into confusing messages.
    void reject_control_bytes(std::string_view line) const {
        for (std::size_t i = 0; i < line.size(); ++i) {
            const auto c = static_cast<unsigned char>(line[i]);
            if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F)
                fail(fmt::format("byte {:#04x} at column {} is a control character; assembly is text", c, i + 1));
        }
    }

    std::vector<Token> tokenize(std::string_view line) const {
        std::vector<Token> tokens;
        std::size_t i = 0;
        while (i < line.size()) {
            const char c = line[i];
            if (is_space(c)) {
                ++i;
            } else if (c == '#' || c == ';') {
                break;
            } else if (c == '=') {
                tokens.push_back({Token::Equals, "="});
                ++i;
            } else if (c == '"') {
                const std::size_t close = line.find('"', i + 1);
                if (close == std::string_view::npos) fail("unterminated string (missing closing '\"')");
                tokens.push_back({Token::String, std::string(line.substr(i + 1, close - i - 1))});
                i = close + 1;
            } else {
                const std::size_t begin = i;
                while (i < line.size() && !is_space(line[i]) && line[i] != '=' && line[i] != '"' &&
                       line[i] != '#' && line[i] != ';')
                    ++i;
                tokens.push_back({Token::Word, std::string(line.substr(begin, i - begin))});
            }
        }
        return tokens;
    }

    std::vector<Arg> key_values(const std::vector<Token>& tokens, const std::string& head) const {
        std::vector<Arg> args;
        for (std::size_t i = 1; i < tokens.size(); i += 3) {
            if (tokens[i].kind != Token::Word)
                fail(fmt::format("{}: expected field=value, found {}", head,
                                 tokens[i].kind == Token::String ? "a quoted string" : "'='"));
            if (i + 1 >= tokens.size() || tokens[i + 1].kind != Token::Equals)
                fail(fmt::format("{}: expected field=value, found '{}' without '='", head, tokens[i].text));
            if (i + 2 >= tokens.size() || tokens[i + 2].kind == Token::Equals)
                fail(fmt::format("{}: field '{}' has no value", head, tokens[i].text));
            args.push_back({lower(tokens[i].text), tokens[i + 2].text, tokens[i + 2].kind == Token::String});
        }
        return args;
    }

    /// Checks keys against `allowed` (unknown, duplicate) and indexes the values by key.
    std::map<std::string, Arg> index_args(const std::vector<Arg>& args,
                                          const std::vector<std::string>& allowed,
                                          const std::string& head) const {
        std::map<std::string, Arg> by_key;
        for (const Arg& a : args) {
            if (allowed.empty()) fail(fmt::format("{} takes no fields, found '{}'", head, a.key));
            if (std::find(allowed.begin(), allowed.end(), a.key) == allowed.end())
                fail(fmt::format("{} has no field '{}'{}", head, a.key, suggest(a.key, allowed)));
            if (!by_key.emplace(a.key, a).second)
                fail(fmt::format("{}: field '{}' given twice", head, a.key));
        }
        return by_key;
    }

    void statement(std::string_view line) {
        const std::vector<Token> tokens = tokenize(line);
        if (tokens.empty()) return;
        if (tokens[0].kind != Token::Word)
            fail("expected an instruction or a directive at the start of the line");
        const std::string head = lower(tokens[0].text);
        if (head == ".in_layer")
            in_layer(tokens);
        else if (head == ".chip")
            chip(key_values(tokens, head));
        else if (head == ".layer")
            layer(key_values(tokens, head));
        else if (head[0] == '.')
            fail(fmt::format("unknown directive '{}'{}", head,
                             suggest(head, {".chip", ".layer", ".in_layer"})));
        else
            instruction(head, key_values(tokens, head));
    }

    std::uint64_t number(const Arg& arg, std::uint64_t max, const std::string& head) const {
        const auto lit = arg.quoted ? std::nullopt : parse_literal(arg.value);
        if (!lit) fail(fmt::format("{}: {}={} is not a number (decimal, 0x hex or 0b binary)", head, arg.key, arg.value));
        if (lit->negative || lit->overflow || lit->magnitude > max)
            fail(fmt::format("{}: {}={} is out of range 0..{}", head, arg.key, arg.value, max));
        return lit->magnitude;
    }

    void chip(const std::vector<Arg>& args) {
        // An instruction before .chip has already failed, so .chip here is always first.
        if (chip_line_) fail(fmt::format(".chip given twice (first at line {})", chip_line_));
        const std::string head = ".chip";
        auto by_key = index_args(args, {"rows", "cols", "ub_bytes", "acc_entries", "weight_bytes"}, head);
        const auto get = [&](const char* key, std::uint64_t max) {
            auto it = by_key.find(key);
            if (it == by_key.end()) fail(fmt::format(".chip: missing field '{}'", key));
            return number(it->second, max, head);
        };
        program_.chip.rows = static_cast<std::uint32_t>(get("rows", UINT32_MAX));
        program_.chip.cols = static_cast<std::uint32_t>(get("cols", UINT32_MAX));
        program_.chip.ub_bytes = get("ub_bytes", UINT64_MAX);
        program_.chip.acc_entries = static_cast<std::uint32_t>(get("acc_entries", UINT32_MAX));
        program_.chip.weight_bytes = get("weight_bytes", UINT64_MAX);
        if (check_chip_) {
            const std::string problem = check_chip_(program_.chip);
            if (!problem.empty()) fail(".chip: " + problem);
        }
        chip_line_ = line_;
    }

    void layer(const std::vector<Arg>& args) {
        const std::string head = ".layer";
        auto by_key = index_args(args, {"name", "kind", "macs", "weight_bytes"}, head);
        LayerInfo layer;
        auto it = by_key.find("name");
        if (it == by_key.end()) fail(".layer: missing field 'name'");
        layer.name = it->second.value;
        if ((it = by_key.find("kind")) != by_key.end()) layer.kind = it->second.value;
        if ((it = by_key.find("macs")) != by_key.end()) layer.macs = number(it->second, UINT64_MAX, head);
        if ((it = by_key.find("weight_bytes")) != by_key.end())
            layer.weight_bytes = number(it->second, UINT64_MAX, head);
        std::string problem = layer_text_problem(layer.name, true);
        if (problem.empty()) problem = layer_text_problem(layer.kind, false);
        if (!problem.empty()) fail(".layer: " + problem);
        if (!layer_lines_.emplace(layer.name, line_).second)
            fail(fmt::format(".layer: layer \"{}\" already declared at line {}", layer.name,
                             layer_lines_[layer.name]));
        program_.layers.push_back(std::move(layer));
    }

    void in_layer(const std::vector<Token>& tokens) {
        if (tokens.size() != 2 || tokens[1].kind == Token::Equals)
            fail(".in_layer takes one layer name (or '-' for none)");
        in_layer_seen_ = true;
        if (tokens[1].kind == Token::Word && tokens[1].text == "-") {
            current_layer_ = Program::kNoLayer;
            return;
        }
        for (std::size_t k = 0; k < program_.layers.size(); ++k)
            if (program_.layers[k].name == tokens[1].text) {
                current_layer_ = static_cast<std::uint32_t>(k);
                return;
            }
        fail(fmt::format(".in_layer: no layer named \"{}\" (declare it with .layer first)", tokens[1].text));
    }

    std::uint64_t field_value(const Form& form, const Field& field, const Arg& arg,
                              const Instruction& inst) const {
        const std::string where = fmt::format("{}: {}={}", form.mnemonic, field.name, arg.value);
        if (arg.quoted) fail(fmt::format("{}: expected a number or a name, not a quoted string", where));
        const auto out_of_range = [&] { fail(fmt::format("{} is out of range {}", where, field_range(field, inst))); };
        const auto name_value = [&](std::string_view text) -> std::optional<std::uint64_t> {
            const std::string key = lower(text);
            for (const ValueName& n : field.names)
                if (key == n.name) return n.value;
            const auto lit = parse_literal(text);
            if (lit && !lit->negative && !lit->overflow) return lit->magnitude;
            return std::nullopt;
        };
        switch (field.kind) {
        case FieldKind::Enum: {
            const auto v = name_value(arg.value);
            if (!v) fail(fmt::format("{} is not defined ({})", where, field_range(field, inst)));
            return *v;
        }
        case FieldKind::Mask: {
            std::uint64_t v = 0;
            std::size_t start = 0;
            for (;;) {
                const std::size_t bar = arg.value.find('|', start);
                const std::string part = arg.value.substr(start, bar - start);
                const auto bits = name_value(part);
                if (!bits) fail(fmt::format("{}: '{}' is not one of {}", where, part, field_range(field, inst)));
                v |= *bits;
                if (bar == std::string::npos) break;
                start = bar + 1;
            }
            return v;
        }
        case FieldKind::ConfigValue: {
            const auto lit = parse_literal(arg.value);
            if (!lit) fail(fmt::format("{} is not a number (decimal, 0x hex or 0b binary)", where));
            const std::uint64_t limit = lit->negative ? std::uint64_t{1} << 63 : UINT64_MAX;
            if (lit->overflow || lit->magnitude > limit) out_of_range();
            // Two's complement; the register's range check follows in the caller.
            const std::uint64_t v = lit->negative ? ~lit->magnitude + 1 : lit->magnitude;
            const auto& regs = config_registers();
            const bool is_signed = inst.reg < regs.size() && regs[inst.reg].is_signed;
            if (lit->negative && !is_signed && lit->magnitude != 0) out_of_range();
            if (!lit->negative && is_signed && lit->magnitude > static_cast<std::uint64_t>(INT64_MAX))
                out_of_range();
            return v;
        }
        default: {
            const auto lit = parse_literal(arg.value);
            if (!lit) fail(fmt::format("{} is not a number (decimal, 0x hex or 0b binary)", where));
            if ((lit->negative && lit->magnitude != 0) || lit->overflow) out_of_range();
            return lit->magnitude;
        }
        }
    }

    void instruction(const std::string& mnemonic, const std::vector<Arg>& args) {
        const Form* form = find_form(mnemonic);
        if (form == nullptr) {
            std::vector<std::string> names;
            for (const Form& f : forms()) names.emplace_back(f.mnemonic);
            fail(fmt::format("unknown instruction '{}'{}", mnemonic, suggest(mnemonic, names)));
        }
        if (!chip_line_) fail("missing .chip directive before the first instruction");
        std::vector<std::string> names;
        for (const Field& f : form->fields) names.emplace_back(f.name);
        const auto by_key = index_args(args, names, form->mnemonic);

        Instruction inst;
        inst.op = form->opcode;
        for (const FixedFlag& x : form->fixed) inst.*x.member = x.value;
        for (const Field& field : form->fields) {
            const auto it = by_key.find(field.name);
            if (!field.applies(inst)) {
                if (it != by_key.end()) {
                    const Field* selector = nullptr;
                    for (const Field& f : form->fields)
                        if (f.member == field.selector) selector = &f;
                    fail(fmt::format("{}: field '{}' does not apply when {}={}", form->mnemonic,
                                     field.name, selector->name, format_field(*selector, inst)));
                }
                inst.*field.member = 0;
            } else if (it != by_key.end()) {
                inst.*field.member = field_value(*form, field, it->second, inst);
                const std::string problem = field_problem(*form, field, inst);
                if (!problem.empty()) fail(fmt::format("{}: {}", form->mnemonic, problem));
            } else if (field.optional) {
                inst.*field.member = field.default_value;
            } else {
                fail(fmt::format("{}: missing field '{}' (syntax: {})", form->mnemonic, field.name,
                                 form_syntax(*form)));
            }
        }
        const std::string problem = instruction_problem(*form, inst);
        if (!problem.empty()) fail(fmt::format("{}: {}", form->mnemonic, problem));
        program_.code.push_back(inst);
        program_.layer_of.push_back(current_layer_);
    }

    static constexpr std::size_t kMaxMessage = 400;
    const std::string& text_;
    const std::string& filename_;
    const ChipCheck& check_chip_;
    int line_ = 0;
    Program program_;
    int chip_line_ = 0;  // 0: no .chip yet
    std::map<std::string, int> layer_lines_;
    bool in_layer_seen_ = false;
    std::uint32_t current_layer_ = Program::kNoLayer;
};

}  // namespace

Program assemble(const std::string& text, const std::string& filename, const ChipCheck& check_chip) {
    return Assembler(text, filename, check_chip).run();
}

}  // namespace tpusim::isa
