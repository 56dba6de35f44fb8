// Reads cases from stdin, one per line, and prints what the reference computes for each, one
// line per case, so that scripts/check_arithmetic.py can compare the reference with its numpy
// model of docs/arithmetic.md. Case lines (all numbers decimal):
//   requant A M S F                 -> "V OUT": requantize(A, M, S) and function F of it
//   vector OP A B S                 -> "OUT"
//   pool KIND K S WIDTH COLS v...   -> the pooled int8 values, row-major
//   table sigmoid|tanh              -> the 256 table entries for x = -128..127
//   program R C UB ACC WCAP WHEX HHEX ; MNEMONIC field=value ... ; ...
//                                   -> "ub=HEX acc=V,V,... host=HEX" or "error=MESSAGE"
// (HEX is a byte string in lower-case hex, "-" when empty.)
#include "tests/support/reference_arithmetic.hpp"
#include "tests/support/reference_machine.hpp"

#include <cstdint>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace tpusim;
using namespace tpusim::reference;

namespace {

struct Field {
    const char* name;
    std::uint64_t isa::Instruction::*member;
};
const Field kFields[] = {
    {"host_addr", &isa::Instruction::host_addr},
    {"weight_addr", &isa::Instruction::weight_addr},
    {"ub_addr", &isa::Instruction::ub_addr},
    {"ub_addr2", &isa::Instruction::ub_addr2},
    {"ub_dst", &isa::Instruction::ub_dst},
    {"acc_addr", &isa::Instruction::acc_addr},
    {"rows", &isa::Instruction::rows},
    {"outer", &isa::Instruction::outer},
    {"step", &isa::Instruction::step},
    {"pitch", &isa::Instruction::pitch},
    {"tile_rows", &isa::Instruction::tile_rows},
    {"tile_cols", &isa::Instruction::tile_cols},
    {"count", &isa::Instruction::count},
    {"cycles", &isa::Instruction::cycles},
    {"accumulate", &isa::Instruction::accumulate},
    {"switch_weights", &isa::Instruction::switch_weights},
    {"convolve", &isa::Instruction::convolve},
    {"function", &isa::Instruction::function},
    {"pool", &isa::Instruction::pool},
    {"vector_op", &isa::Instruction::vector_op},
    {"sync_mode", &isa::Instruction::sync_mode},
    {"unit_mask", &isa::Instruction::unit_mask},
    {"sync_addr", &isa::Instruction::sync_addr},
    {"sync_length", &isa::Instruction::sync_length},
    {"reg", &isa::Instruction::reg},
    {"value", &isa::Instruction::value},
};

const isa::Opcode kOpcodes[] = {
    isa::Opcode::Nop,           isa::Opcode::Halt,     isa::Opcode::ReadHostMemory,
    isa::Opcode::WriteHostMemory, isa::Opcode::ReadWeights, isa::Opcode::MatrixMultiply,
    isa::Opcode::Activate,      isa::Opcode::Vector,   isa::Opcode::Sync,
    isa::Opcode::SetConfig,
};

std::vector<std::uint8_t> from_hex(const std::string& text) {
    std::vector<std::uint8_t> out;
    if (text == "-") return out;
    if (text.size() % 2 != 0) throw std::runtime_error("odd hex length");
    for (std::size_t i = 0; i < text.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoul(text.substr(i, 2), nullptr, 16)));
    }
    return out;
}

template <typename Byte>
std::string to_hex(const std::vector<Byte>& data) {
    if (data.empty()) return "-";
    std::string out;
    char buffer[3];
    for (Byte b : data) {
        std::snprintf(buffer, sizeof buffer, "%02x", static_cast<unsigned>(static_cast<std::uint8_t>(b)));
        out += buffer;
    }
    return out;
}

isa::Instruction parse_instruction(const std::string& text) {
    std::istringstream in(text);
    std::string name;
    in >> name;
    isa::Instruction instruction;
    bool known = false;
    for (isa::Opcode op : kOpcodes) {
        isa::Instruction probe;
        probe.op = op;
        probe.convolve = name == "convolve" ? 1 : 0;
        if (mnemonic(probe) == name) {
            instruction.op = op;
            instruction.convolve = probe.convolve;
            known = true;
        }
    }
    if (!known) throw std::runtime_error("unknown mnemonic '" + name + "'");
    std::string assignment;
    while (in >> assignment) {
        const std::size_t eq = assignment.find('=');
        bool found = false;
        for (const Field& f : kFields) {
            if (eq != std::string::npos && assignment.compare(0, eq, f.name) == 0 &&
                eq == std::string(f.name).size()) {
                instruction.*f.member = std::stoull(assignment.substr(eq + 1));
                found = true;
            }
        }
        if (!found) throw std::runtime_error("bad field '" + assignment + "'");
    }
    return instruction;
}

std::string run_program(const std::string& line) {
    std::vector<std::string> segments;
    std::string segment;
    std::istringstream split(line);
    while (std::getline(split, segment, ';')) segments.push_back(segment);

    std::istringstream header(segments.at(0));
    std::string word, weight_hex, host_hex;
    MachineShape shape;
    header >> word >> shape.rows >> shape.cols >> shape.ub_rows >> shape.acc_entries >>
        shape.weight_capacity >> weight_hex >> host_hex;
    if (!header) throw std::runtime_error("bad program header");
    isa::Program program;
    for (std::size_t i = 1; i < segments.size(); ++i) {
        program.code.push_back(parse_instruction(segments[i]));
    }
    try {
        const MachineState s = run_reference(shape, program, from_hex(weight_hex), from_hex(host_hex));
        std::string acc;
        for (std::size_t i = 0; i < s.acc.size(); ++i) {
            acc += (i == 0 ? "" : ",") + std::to_string(s.acc[i]);
        }
        return "ub=" + to_hex(s.ub) + " acc=" + acc + " host=" + to_hex(s.host);
    } catch (const ReferenceError& e) {
        return std::string("error=") + e.what();
    }
}

std::string run_case(const std::string& line) {
    std::istringstream in(line);
    std::string kind;
    in >> kind;
    std::ostringstream out;
    if (kind == "requant") {
        std::int64_t a, m, function;
        unsigned s;
        in >> a >> m >> s >> function;
        const std::int64_t v =
            requantize(static_cast<std::int32_t>(a), static_cast<std::int32_t>(m), s);
        out << v << ' ' << int{apply_function(static_cast<isa::Function>(function), v)};
    } else if (kind == "vector") {
        int op, a, b;
        unsigned s;
        in >> op >> a >> b >> s;
        out << int{vector_element(static_cast<isa::VectorOp>(op), static_cast<std::int8_t>(a),
                                  static_cast<std::int8_t>(b), s)};
    } else if (kind == "pool") {
        int pool_kind;
        PoolWindow window;
        std::uint32_t cols;
        in >> pool_kind >> window.size >> window.stride >> window.input_width >> cols;
        std::vector<std::int8_t> values;
        int v;
        while (in >> v) values.push_back(static_cast<std::int8_t>(v));
        const auto pooled = pool_rows(values, cols, static_cast<isa::Pool>(pool_kind), window);
        for (std::size_t i = 0; i < pooled.size(); ++i) out << (i ? " " : "") << int{pooled[i]};
    } else if (kind == "table") {
        std::string name;
        in >> name;
        const auto& table = name == "sigmoid" ? sigmoid_table() : tanh_table();
        for (std::size_t i = 0; i < table.size(); ++i) out << (i ? " " : "") << int{table[i]};
    } else if (kind == "program") {
        return run_program(line);
    } else {
        throw std::runtime_error("unknown case kind '" + kind + "'");
    }
    if (!in.eof() && in.fail()) throw std::runtime_error("malformed case");
    return out.str();
}

}  // namespace

int main() {
    std::string line;
    std::size_t number = 0;
    while (std::getline(std::cin, line)) {
        ++number;
        try {
            std::cout << run_case(line) << '\n';
        } catch (const std::exception& e) {
            std::cerr << "arithmetic_dump: input line " << number << ": " << e.what() << '\n';
            return 2;
        }
    }
    return 0;
}
