#include "tests/support/random_program.hpp"

#include "isa/instruction.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>

namespace tpusim::test {

namespace {

using isa::ConfigReg;
using isa::Instruction;
using isa::Opcode;

/// A run of rows [lo, lo + n).
struct Rows {
    std::uint64_t lo = 0, n = 0;
};

class Generator {
public:
    Generator(const config::ChipConfig& chip, std::mt19937_64& rng, const RandomProgramOptions& options)
        : chip_(chip),
          rng_(rng),
          width_(chip.ub_row_bytes()),
          ub_rows_(std::max<std::uint64_t>(1, std::min(options.ub_rows, chip.ub_rows()))),
          acc_rows_(std::max<std::uint64_t>(1, std::min<std::uint64_t>(options.acc_rows, chip.acc.entries))),
          host_bytes_(random_program_host_bytes(chip, options)),
          weight_span_(std::min(options.weight_bytes, chip.weight_memory.capacity_bytes)),
          max_rows_(std::max<std::uint64_t>(1, options.max_rows)),
          length_(options.length) {}

    isa::Program run() {
        while (code_.size() < length_) {
            // Relative frequencies of the motifs, in the order of the switch below.
            static constexpr std::array<int, 9> kWeights = {14, 10, 22, 14, 7, 8, 6, 6, 6};
            std::discrete_distribution<int> pick(kWeights.begin(), kWeights.end());
            switch (pick(rng_)) {
                case 0: host_transfer(Opcode::ReadHostMemory); break;
                case 1: read_weights(); break;
                case 2: matrix_burst(); break;
                case 3: activate(); break;
                case 4: vector(); break;
                case 5: host_transfer(Opcode::WriteHostMemory); break;
                case 6: set_config(random_register()); break;
                case 7: sync(); break;
                default: nop(); break;
            }
        }
        finish();
        isa::Program p;
        p.chip = chip_.signature();
        p.code = std::move(code_);
        return p;
    }

private:
    std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) {
        return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
    }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

    /// Where a run of n rows of a memory of `limit` rows starts: often on top of `recent`
    /// (the last run another unit wrote, so that the two depend on each other), else anywhere.
    std::uint64_t place(std::uint64_t n, std::uint64_t limit, const Rows& recent, double p_recent) {
        if (recent.n > 0 && chance(p_recent)) {
            const std::uint64_t lo = recent.lo + uniform(0, recent.n - 1) / 2;
            return std::min(lo, limit - n);
        }
        return uniform(0, limit - n);
    }
    std::uint64_t count(std::uint64_t limit) { return uniform(1, std::min(max_rows_, limit)); }

    void host_transfer(Opcode op) {
        const bool to_ub = op == Opcode::ReadHostMemory;
        Instruction in;
        in.op = op;
        in.rows = count(std::min(ub_rows_, host_bytes_ / width_));
        in.ub_addr = place(in.rows, ub_rows_, to_ub ? matrix_input_ : ub_written_, to_ub ? 0.3 : 0.6);
        in.host_addr = uniform(0, host_bytes_ - in.rows * width_);
        if (to_ub) ub_written_ = Rows{in.ub_addr, in.rows};
        code_.push_back(in);
    }

    /// Tiles requested and not yet switched to by an earlier matrix_multiply.
    std::uint64_t pending_tiles() const { return requested_ - switched_; }

    /// Tile t needs the FIFO slot of tile t - depth, which frees once tile t - depth has
    /// shifted in, which follows the switch to tile t - depth - 1. With at most depth + 1
    /// tiles pending, that switch is always earlier in program order: no deadlock.
    std::uint64_t tile_room() const {
        const std::uint64_t limit = std::uint64_t{chip_.fifo.depth_tiles} + 1;
        return limit > pending_tiles() ? limit - pending_tiles() : 0;
    }

    void read_weights() {
        if (tile_room() == 0) return matrix_burst();
        Instruction in;
        in.op = Opcode::ReadWeights;
        in.tile_rows = chance(0.6) ? chip_.matrix.rows : uniform(1, chip_.matrix.rows);
        in.tile_cols = chance(0.6) ? chip_.matrix.cols : uniform(1, chip_.matrix.cols);
        const std::uint64_t tile = in.tile_rows * in.tile_cols;
        const std::uint64_t capacity = chip_.weight_memory.capacity_bytes;
        in.count = uniform(1, std::min<std::uint64_t>(tile_room(), 4));
        while (in.count > 1 && in.count * tile > capacity) --in.count;
        // Mostly inside the weight image the test supplies; past its end the bytes read as 0.
        const std::uint64_t span = std::max(weight_span_, in.count * tile);
        in.weight_addr = uniform(0, std::min(span, capacity) - in.count * tile);
        requested_ += in.count;
        code_.push_back(in);
    }

    void matrix_burst() {
        const std::uint64_t n = uniform(1, 4);
        for (std::uint64_t k = 0; k < n; ++k) matrix_multiply();
    }

    void matrix_multiply() {
        if (!active_ && pending_tiles() == 0) read_weights();
        Instruction in;
        in.op = Opcode::MatrixMultiply;
        in.switch_weights = pending_tiles() > 0 && (!active_ || chance(0.45)) ? 1 : 0;
        in.accumulate = chance(0.4) ? 1 : 0;
        std::uint64_t span;
        if (chance(0.3)) {
            in.convolve = 1;
            in.outer = uniform(1, 4);
            in.rows = uniform(1, 6);
            in.step = uniform(0, 3);
            in.pitch = uniform(0, 8);
            while (in.rows * in.outer > acc_rows_) {
                if (in.outer > 1) --in.outer;
                else --in.rows;
            }
            for (;;) {
                span = (in.outer - 1) * in.pitch + (in.rows - 1) * in.step + 1;
                if (span <= ub_rows_) break;
                in.pitch /= 2;
                in.step /= 2;
            }
        } else {
            in.rows = count(std::min(ub_rows_, acc_rows_));
            span = in.rows;
        }
        const std::uint64_t vectors = in.rows * in.outer;
        in.ub_addr = place(span, ub_rows_, ub_written_, 0.5);
        in.acc_addr = place(vectors, acc_rows_, acc_written_, in.accumulate ? 0.7 : 0.3);
        switched_ += in.switch_weights;
        active_ = true;
        matrix_input_ = Rows{in.ub_addr, span};
        acc_written_ = Rows{in.acc_addr, vectors};
        code_.push_back(in);
    }

    void activate() {
        Instruction in;
        in.op = Opcode::Activate;
        in.function = uniform(0, 3);
        if (chance(0.3)) set_config(chance(0.5) ? ConfigReg::RequantMultiplier : ConfigReg::RequantShift);
        if (acc_rows_ >= 25 && ub_rows_ >= 25 && chance(0.35)) {
            // Pooling: a grid of h x w pixels, one per accumulator row, k x k windows.
            const std::uint64_t k = uniform(1, 3), s = uniform(1, 3), w = uniform(k, 5), h = uniform(k, 5);
            set_if_different(ConfigReg::PoolSize, k);
            set_if_different(ConfigReg::PoolStride, s);
            set_if_different(ConfigReg::PoolInputWidth, w);
            in.pool = uniform(1, 2);
            in.rows = h * w;
            const std::uint64_t out = ((h - k) / s + 1) * ((w - k) / s + 1);
            in.acc_addr = place(in.rows, acc_rows_, acc_written_, 0.6);
            in.ub_addr = place(out, ub_rows_, matrix_input_, 0.3);
            ub_written_ = Rows{in.ub_addr, out};
        } else {
            in.rows = count(std::min(acc_rows_, ub_rows_));
            in.acc_addr = place(in.rows, acc_rows_, acc_written_, 0.6);
            in.ub_addr = place(in.rows, ub_rows_, matrix_input_, 0.3);
            ub_written_ = Rows{in.ub_addr, in.rows};
        }
        code_.push_back(in);
    }

    void vector() {
        Instruction in;
        in.op = Opcode::Vector;
        in.vector_op = uniform(0, 1);
        in.rows = count(ub_rows_);
        in.ub_addr = place(in.rows, ub_rows_, ub_written_, 0.5);
        in.ub_addr2 = place(in.rows, ub_rows_, ub_written_, 0.3);
        in.ub_dst = chance(0.25) ? in.ub_addr : place(in.rows, ub_rows_, matrix_input_, 0.3);
        ub_written_ = Rows{in.ub_dst, in.rows};
        code_.push_back(in);
    }

    ConfigReg random_register() { return static_cast<ConfigReg>(uniform(0, isa::kConfigRegCount - 1)); }

    void set_config(ConfigReg reg) {
        std::int64_t v = 0;
        switch (reg) {
            case ConfigReg::RequantMultiplier:
                v = chance(0.7) ? static_cast<std::int64_t>(uniform(0, 128)) - 64
                                : static_cast<std::int64_t>(uniform(0, 0xFFFFFFFFu)) + std::numeric_limits<std::int32_t>::min();
                break;
            case ConfigReg::RequantShift: v = static_cast<std::int64_t>(chance(0.7) ? uniform(4, 16) : uniform(0, 62)); break;
            case ConfigReg::PoolSize:
            case ConfigReg::PoolStride: v = static_cast<std::int64_t>(uniform(1, 15)); break;
            case ConfigReg::PoolInputWidth: v = static_cast<std::int64_t>(uniform(1, 100)); break;
            case ConfigReg::VectorShift: v = static_cast<std::int64_t>(chance(0.7) ? uniform(0, 8) : uniform(0, 30)); break;
        }
        emit_config(reg, v);
    }

    void set_if_different(ConfigReg reg, std::uint64_t value) {
        if (registers_[static_cast<std::size_t>(reg)] != static_cast<std::int64_t>(value) || chance(0.1))
            emit_config(reg, static_cast<std::int64_t>(value));
    }

    void emit_config(ConfigReg reg, std::int64_t value) {
        Instruction in;
        in.op = Opcode::SetConfig;
        in.reg = static_cast<std::uint64_t>(reg);
        in.value = static_cast<std::uint64_t>(value);  // two's complement
        registers_[static_cast<std::size_t>(reg)] = value;
        code_.push_back(in);
    }

    void sync() {
        Instruction in;
        in.op = Opcode::Sync;
        in.sync_mode = uniform(0, 2);
        if (in.sync_mode == static_cast<std::uint64_t>(isa::SyncMode::Units)) {
            in.unit_mask = uniform(1, isa::kAllUnits);
        } else {
            const std::uint64_t limit = in.sync_mode == static_cast<std::uint64_t>(isa::SyncMode::UbRange) ? ub_rows_ : acc_rows_;
            in.sync_length = count(limit);
            in.sync_addr = uniform(0, limit - in.sync_length);
        }
        code_.push_back(in);
    }

    void nop() {
        Instruction in;
        in.op = Opcode::Nop;
        in.cycles = chance(0.75) ? uniform(0, 5) : uniform(20, 300);  // a pure issue slot or an idle gap
        code_.push_back(in);
    }

    /// Mostly a halt; sometimes none (the program just ends), sometimes a halt followed by
    /// a transfer that must not execute.
    void finish() {
        const std::uint64_t k = uniform(0, 19);
        if (k < 2) return;
        Instruction halt;
        halt.op = Opcode::Halt;
        code_.push_back(halt);
        if (k == 2) host_transfer(Opcode::WriteHostMemory);
    }

    const config::ChipConfig& chip_;
    std::mt19937_64& rng_;
    const std::uint64_t width_, ub_rows_, acc_rows_, host_bytes_, weight_span_, max_rows_;
    const std::size_t length_;
    std::vector<Instruction> code_;
    std::uint64_t requested_ = 0, switched_ = 0;
    bool active_ = false;
    std::array<std::int64_t, isa::kConfigRegCount> registers_ = {1, 0, 1, 1, 1, 0};  // reset values
    Rows ub_written_, acc_written_, matrix_input_;
};

}  // namespace

std::uint64_t random_program_host_bytes(const config::ChipConfig& chip, const RandomProgramOptions& options) {
    return std::max<std::uint64_t>(1, options.host_rows) * chip.ub_row_bytes();
}

isa::Program random_program(const config::ChipConfig& chip, std::mt19937_64& rng,
                            const RandomProgramOptions& options) {
    return Generator(chip, rng, options).run();
}

std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng, std::size_t n) {
    std::vector<std::uint8_t> out(n);
    std::uniform_int_distribution<unsigned> byte(0, 255);
    for (auto& b : out) b = static_cast<std::uint8_t>(byte(rng));
    return out;
}

config::ChipConfig random_chip(std::mt19937_64& rng, std::uint32_t rows, std::uint32_t cols) {
    auto pick = [&rng](std::initializer_list<const char*> choices) {
        std::uniform_int_distribution<std::size_t> d(0, choices.size() - 1);
        return *(choices.begin() + d(rng));
    };
    auto between = [&rng](unsigned lo, unsigned hi) { return std::uniform_int_distribution<unsigned>(lo, hi)(rng); };
    const std::uint64_t width = std::max(rows, cols);
    // At 1 GHz, N GB/s is N bytes per cycle; the fractional rates make ceil() matter.
    const std::string yaml = fmt::format(
        "name: random-{0}x{1}\n"
        "clock: 1GHz\n"
        "matrix_unit: {{rows: {0}, cols: {1}}}\n"
        "unified_buffer: {{capacity: {2}B}}\n"
        "accumulators: {{entries: 64}}\n"
        "weight_fifo: {{depth: {3}}}\n"
        "weight_memory: {{capacity: 64KiB, bandwidth: {4}, latency: {5}ns, channels: {6}}}\n"
        "host_interface: {{bandwidth: {7}, latency: {8}ns}}\n"
        "activation: {{throughput: {9}, latency: {10}}}\n",
        rows, cols, 64 * width, between(1, 4),
        pick({"500MB/s", "1GB/s", "1.5GB/s", "2GB/s", "3GB/s", "4GB/s", "8GB/s", "16GB/s", "64GB/s"}),
        between(0, 60), between(1, 4), pick({"750MB/s", "1GB/s", "2GB/s", "4GB/s", "8GB/s", "32GB/s"}),
        between(0, 150), pick({"1", "2", "3", "4", "8", "16", "64"}), between(0, 6));
    return config::parse_chip_config(yaml, fmt::format("random-{}x{}.yaml", rows, cols));
}

RandomCase random_case(std::uint64_t seed, std::uint32_t rows, std::uint32_t cols,
                       const RandomProgramOptions& options) {
    std::mt19937_64 rng(seed);
    RandomCase c{random_chip(rng, rows, cols), {}, {}, {}};
    c.program = random_program(c.chip, rng, options);
    c.host = random_bytes(rng, random_program_host_bytes(c.chip, options));
    c.weights = random_bytes(rng, options.weight_bytes * 3 / 4);
    return c;
}

}  // namespace tpusim::test
