// The program file: a fixed header, the instruction words, the layer table and the
// per-instruction layer indices, all little-endian and written byte by byte so the format
// does not depend on the host's struct layout (docs/isa.md, "Program file").
#include "isa/program.hpp"

#include "isa/encoding.hpp"
#include "isa/error.hpp"
#include "isa/input_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

namespace tpusim::isa {
namespace {

constexpr char kMagic[4] = {'T', 'P', 'U', 'B'};
constexpr std::uint16_t kFormatVersion = 1;
constexpr std::uint16_t kHeaderBytes = 48;
constexpr std::uint32_t kFlagLayerOf = 1u << 0;  // the layer_of table follows the layers

class Writer {
public:
    explicit Writer(std::vector<std::uint8_t>& out) : out_(out) {}
    void uint(std::uint64_t v, unsigned bytes) {
        for (unsigned i = 0; i < bytes; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    void string(const std::string& s) {
        uint(s.size(), 4);
        out_.insert(out_.end(), s.begin(), s.end());
    }

private:
    std::vector<std::uint8_t>& out_;
};

class Reader {
public:
    Reader(const std::vector<std::uint8_t>& in, const std::string& source)
        : in_(in), source_(source) {}

    std::size_t pos() const { return pos_; }
    std::size_t left() const { return in_.size() - pos_; }

    [[noreturn]] void fail(std::size_t at, const std::string& problem) const {
        throw ProgramFormatError(fmt::format("{}: byte {}: {}", source_, at, problem));
    }
    void need(std::size_t n, const std::string& what) const {
        if (left() < n)
            fail(in_.size(), fmt::format("file ends while reading {} ({} bytes from byte {})", what,
                                         n, pos_));
    }
    std::uint64_t uint(unsigned bytes, const std::string& what) {
        need(bytes, what);
        std::uint64_t v = 0;
        for (unsigned i = 0; i < bytes; ++i) v |= std::uint64_t{in_[pos_ + i]} << (8 * i);
        pos_ += bytes;
        return v;
    }
    std::string string(const std::string& what) {
        const std::uint64_t n = uint(4, what + " length");
        need(n, what);
        std::string s(in_.begin() + static_cast<std::ptrdiff_t>(pos_),
                      in_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
        pos_ += n;
        return s;
    }
    const std::uint8_t* here() const { return in_.data() + pos_; }
    void skip(std::size_t n) { pos_ += n; }

private:
    const std::vector<std::uint8_t>& in_;
    const std::string& source_;
    std::size_t pos_ = 0;
};

void check_magic(const Reader& r, const std::vector<std::uint8_t>& bytes) {
    const std::size_t n = std::min<std::size_t>(bytes.size(), sizeof kMagic);
    if (std::memcmp(bytes.data(), kMagic, n) != 0) {
        std::string found;
        for (std::size_t i = 0; i < n; ++i) found += fmt::format("{}{:02x}", i ? " " : "", bytes[i]);
        r.fail(0, fmt::format("bad magic {}: not a tpusim program file (they start with \"TPUB\")",
                              found));
    }
    r.need(sizeof kMagic, "the magic \"TPUB\"");
}

bool file_starts_with_magic(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    char head[sizeof kMagic] = {};
    return in.read(head, sizeof head) && std::memcmp(head, kMagic, sizeof kMagic) == 0;
}

}  // namespace

std::string layer_text_problem(const std::string& text, bool is_name) {
    if (is_name && text.empty()) return "a layer name must not be empty";
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F || c == '"')
            return fmt::format("layer {} contains the character {:#04x}; control characters "
                               "and '\"' are not allowed",
                               is_name ? "name" : "kind", u);
    }
    return {};
}

std::string program_problem(const Program& program) {
    if (program.code.size() > UINT32_MAX) return "more than 2^32-1 instructions";
    for (std::size_t i = 0; i < program.code.size(); ++i) {
        try {
            encode(program.code[i]);
        } catch (const Error& e) {
            return fmt::format("instruction {}: {}", i, e.what());
        }
    }
    std::set<std::string> names;
    for (std::size_t k = 0; k < program.layers.size(); ++k) {
        const LayerInfo& layer = program.layers[k];
        std::string p = layer_text_problem(layer.name, true);
        if (p.empty()) p = layer_text_problem(layer.kind, false);
        if (p.empty() && !names.insert(layer.name).second)
            p = fmt::format("layer name \"{}\" is used twice", layer.name);
        if (!p.empty()) return fmt::format("layer {}: {}", k, p);
    }
    if (!program.layer_of.empty() && program.layer_of.size() != program.code.size())
        return fmt::format("layer_of has {} entries for {} instructions", program.layer_of.size(),
                           program.code.size());
    for (std::size_t i = 0; i < program.layer_of.size(); ++i) {
        const std::uint32_t k = program.layer_of[i];
        if (k != Program::kNoLayer && k >= program.layers.size())
            return fmt::format("layer_of[{}] is {}, not below the layer count {} (nor {:#x} for none)",
                               i, k, program.layers.size(), Program::kNoLayer);
    }
    return {};
}

std::vector<std::uint8_t> serialize(const Program& program) {
    const std::string problem = program_problem(program);
    if (!problem.empty()) throw Error("cannot write program: " + problem);

    std::vector<std::uint8_t> out;
    out.reserve(kHeaderBytes + program.code.size() * (kInstructionBytes + 4));
    Writer w(out);
    for (char c : kMagic) w.uint(static_cast<unsigned char>(c), 1);
    w.uint(kFormatVersion, 2);
    w.uint(kHeaderBytes, 2);
    w.uint(program.chip.rows, 4);
    w.uint(program.chip.cols, 4);
    w.uint(program.chip.ub_bytes, 8);
    w.uint(program.chip.weight_bytes, 8);
    w.uint(program.chip.acc_entries, 4);
    w.uint(program.code.size(), 4);
    w.uint(program.layers.size(), 4);
    w.uint(program.layer_of.empty() ? 0 : kFlagLayerOf, 4);
    for (const Instruction& inst : program.code) {
        const InstructionWord word = encode(inst);
        out.insert(out.end(), word.begin(), word.end());
    }
    for (const LayerInfo& layer : program.layers) {
        w.string(layer.name);
        w.string(layer.kind);
        w.uint(layer.macs, 8);
        w.uint(layer.weight_bytes, 8);
    }
    for (std::uint32_t k : program.layer_of) w.uint(k, 4);
    return out;
}

Program deserialize(const std::vector<std::uint8_t>& bytes, const std::string& source) {
    Reader r(bytes, source);
    check_magic(r, bytes);
    r.skip(sizeof kMagic);

    const auto version = r.uint(2, "the format version");
    if (version != kFormatVersion)
        r.fail(4, fmt::format("unsupported format version {} (this build reads version {})",
                              version, kFormatVersion));
    const auto header_bytes = r.uint(2, "the header size");
    if (header_bytes != kHeaderBytes)
        r.fail(6, fmt::format("header size {} is not {}, the size in format version {}",
                              header_bytes, kHeaderBytes, kFormatVersion));
    Program p;
    p.chip.rows = static_cast<std::uint32_t>(r.uint(4, "chip rows"));
    p.chip.cols = static_cast<std::uint32_t>(r.uint(4, "chip cols"));
    p.chip.ub_bytes = r.uint(8, "chip ub_bytes");
    p.chip.weight_bytes = r.uint(8, "chip weight_bytes");
    p.chip.acc_entries = static_cast<std::uint32_t>(r.uint(4, "chip acc_entries"));
    const std::uint64_t instruction_count = r.uint(4, "the instruction count");
    const std::uint64_t layer_count = r.uint(4, "the layer count");
    const std::size_t flags_at = r.pos();
    const std::uint64_t flags = r.uint(4, "the header flags");
    if ((flags & ~std::uint64_t{kFlagLayerOf}) != 0)
        r.fail(flags_at, fmt::format("header flags {:#x} has undefined bits", flags));
    const bool has_layer_of = (flags & kFlagLayerOf) != 0;
    if (has_layer_of && instruction_count == 0)
        r.fail(flags_at, "header flags announce a layer_of table, but there are no instructions");

    // Checked before reserving so that a corrupt count cannot ask for gigabytes.
    r.need(instruction_count * kInstructionBytes,
           fmt::format("{} instructions", instruction_count));
    p.code.reserve(instruction_count);
    for (std::uint64_t i = 0; i < instruction_count; ++i) {
        DecodeResult d = try_decode(r.here());
        if (!d.problem.empty())
            r.fail(r.pos() + d.byte, fmt::format("instruction {}: {}", i, d.problem));
        p.code.push_back(d.inst);
        r.skip(kInstructionBytes);
    }

    std::set<std::string> names;
    for (std::uint64_t k = 0; k < layer_count; ++k) {
        const std::size_t at = r.pos();
        LayerInfo layer;
        layer.name = r.string(fmt::format("layer {} name", k));
        layer.kind = r.string(fmt::format("layer {} kind", k));
        layer.macs = r.uint(8, fmt::format("layer {} macs", k));
        layer.weight_bytes = r.uint(8, fmt::format("layer {} weight_bytes", k));
        std::string problem = layer_text_problem(layer.name, true);
        if (problem.empty()) problem = layer_text_problem(layer.kind, false);
        if (problem.empty() && !names.insert(layer.name).second)
            problem = fmt::format("layer name \"{}\" is used twice", layer.name);
        if (!problem.empty()) r.fail(at, fmt::format("layer {}: {}", k, problem));
        p.layers.push_back(std::move(layer));
    }

    if (has_layer_of) {
        r.need(instruction_count * 4, "the layer_of table");
        p.layer_of.reserve(instruction_count);
        for (std::uint64_t i = 0; i < instruction_count; ++i) {
            const std::size_t at = r.pos();
            const auto k = static_cast<std::uint32_t>(r.uint(4, "layer_of"));
            if (k != Program::kNoLayer && k >= layer_count)
                r.fail(at, fmt::format("layer_of[{}] is {}, not below the layer count {} (nor {:#x} "
                                       "for none)", i, k, layer_count, Program::kNoLayer));
            p.layer_of.push_back(k);
        }
    }
    if (r.left() != 0)
        r.fail(r.pos(), fmt::format("{} bytes of trailing garbage after the end of the program",
                                    r.left()));
    return p;
}

Program read_program_file(const std::string& path) {
    const std::string text = read_input_file(path, "program file", kMaxBinaryInputBytes);
    return deserialize(std::vector<std::uint8_t>(text.begin(), text.end()), path);
}

void write_program_file(const std::string& path, const Program& program, bool overwrite) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (fs::is_directory(status))
        throw Error(fmt::format("{}: is a directory", path));
    if (fs::exists(status) && !overwrite && !file_starts_with_magic(path))
        throw Error(fmt::format("{}: exists and is not a tpusim program; pass --force to overwrite",
                                path));
    const std::vector<std::uint8_t> bytes = serialize(program);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(fmt::format("{}: cannot open for writing: {}", path, std::strerror(errno)));
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw Error(fmt::format("{}: write failed: {}", path, std::strerror(errno)));
}

bool operator==(const ChipSignature& a, const ChipSignature& b) {
    return a.rows == b.rows && a.cols == b.cols && a.ub_bytes == b.ub_bytes &&
           a.acc_entries == b.acc_entries && a.weight_bytes == b.weight_bytes;
}

bool operator==(const LayerInfo& a, const LayerInfo& b) {
    return a.name == b.name && a.kind == b.kind && a.macs == b.macs &&
           a.weight_bytes == b.weight_bytes;
}

bool operator==(const Program& a, const Program& b) {
    return a.chip == b.chip && a.code == b.code && a.layers == b.layers &&
           a.layer_of == b.layer_of;
}

}  // namespace tpusim::isa
