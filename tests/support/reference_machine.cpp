#include "tests/support/reference_machine.hpp"

#include "tests/support/reference_arithmetic.hpp"

#include <deque>
#include <limits>

namespace tpusim::reference {

namespace {

constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();

// Saturating arithmetic for address checks: a saturated result exceeds every memory, so an
// operand that would overflow 64 bits is reported as out of range instead of wrapping into it.
std::uint64_t sat_add(std::uint64_t a, std::uint64_t b) { return a > kMax64 - b ? kMax64 : a + b; }
std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b) {
    return (a != 0 && b > kMax64 / a) ? kMax64 : a * b;
}

// Two's-complement reinterpretations, spelled out because C++17 leaves the plain casts to
// the implementation.
std::int32_t wrap32(std::uint32_t u) {
    return u <= 0x7FFFFFFFu ? static_cast<std::int32_t>(u)
                            : static_cast<std::int32_t>(std::int64_t{u} - (std::int64_t{1} << 32));
}
std::int64_t signed64(std::uint64_t u) {
    return u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
               ? static_cast<std::int64_t>(u)
               : -static_cast<std::int64_t>(~u) - 1;
}

std::string num(std::uint64_t v) { return std::to_string(v); }

struct OpcodeName {
    isa::Opcode op;
    const char* name;
};
constexpr OpcodeName kOpcodeNames[] = {
    {isa::Opcode::Nop, "nop"},
    {isa::Opcode::Halt, "halt"},
    {isa::Opcode::ReadHostMemory, "read_host_memory"},
    {isa::Opcode::WriteHostMemory, "write_host_memory"},
    {isa::Opcode::ReadWeights, "read_weights"},
    {isa::Opcode::MatrixMultiply, "matrix_multiply"},
    {isa::Opcode::Activate, "activate"},
    {isa::Opcode::Vector, "vector"},
    {isa::Opcode::Sync, "sync"},
    {isa::Opcode::SetConfig, "set_config"},
};

// Config registers as the reset state leaves them; set_config checks every write.
struct ConfigRegisters {
    std::int32_t requant_multiplier = 1;
    unsigned requant_shift = 0;
    std::uint32_t pool_size = 1;
    std::uint32_t pool_stride = 1;
    std::uint64_t pool_input_width = 1;
    unsigned vector_shift = 0;
};

// The tiles of one read_weights still waiting in the FIFO. Weight memory is read-only, so
// reading a tile's bytes when it is popped gives the same tile as reading them when pushed,
// and a long run costs no memory.
struct TileRun {
    std::uint64_t weight_addr;
    std::uint64_t tile_rows;
    std::uint64_t tile_cols;
    std::uint64_t remaining;
};

class Interpreter {
public:
    Interpreter(const MachineShape& shape, const std::vector<std::uint8_t>& weight_image,
                std::vector<std::uint8_t> host_image)
        : shape_(shape),
          width_(shape.ub_width()),
          weights_(weight_image),
          state_{std::vector<std::int8_t>(shape.ub_rows * shape.ub_width(), 0),
                 std::vector<std::int32_t>(std::uint64_t{shape.acc_entries} * shape.cols, 0),
                 std::move(host_image)} {}

    /// Executes one instruction; false when it was a halt.
    bool execute(std::size_t index, const isa::Instruction& in) {
        index_ = index;
        in_ = &in;
        switch (in.op) {
        case isa::Opcode::Nop:
        case isa::Opcode::Sync:
            return true;
        case isa::Opcode::Halt:
            return false;
        case isa::Opcode::ReadHostMemory:
            read_host_memory();
            return true;
        case isa::Opcode::WriteHostMemory:
            write_host_memory();
            return true;
        case isa::Opcode::ReadWeights:
            read_weights();
            return true;
        case isa::Opcode::MatrixMultiply:
            matrix_multiply();
            return true;
        case isa::Opcode::Activate:
            activate();
            return true;
        case isa::Opcode::Vector:
            vector();
            return true;
        case isa::Opcode::SetConfig:
            set_config();
            return true;
        }
        fail("op " + num(static_cast<unsigned>(in.op)) + " is not an opcode");
    }

    MachineState take_state() { return std::move(state_); }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw ReferenceError("instruction " + num(index_) + " (" + mnemonic(*in_) + "): " + what);
    }

    std::string ub_text() const { return "the unified buffer (" + num(shape_.ub_rows) + " rows)"; }
    std::string acc_text() const {
        return "the accumulators (" + num(shape_.acc_entries) + " entries)";
    }

    // Rows [addr, addr + count) of a memory with `limit` rows; an empty span addresses nothing.
    void require_span(const char* field, std::uint64_t addr, const std::string& count_text,
                      std::uint64_t count, std::uint64_t limit, const std::string& memory) const {
        if (count != 0 && sat_add(addr, count) > limit) {
            fail(std::string(field) + " " + num(addr) + " + " + count_text + " exceeds " + memory);
        }
    }

    void require_flag(const char* field, std::uint64_t value) const {
        if (value > 1) {
            fail(std::string(field) + " " + num(value) + " is not a flag (0 or 1)");
        }
    }

    void require_selector(const char* field, std::uint64_t value, std::uint64_t max,
                          const char* what) const {
        if (value > max) {
            fail(std::string(field) + " " + num(value) + " is not " + what + " (0.." + num(max) +
                 ")");
        }
    }

    std::int8_t* ub_row(std::uint64_t row) { return &state_.ub[row * width_]; }
    std::int32_t* acc_row(std::uint64_t entry) { return &state_.acc[entry * shape_.cols]; }

    std::int8_t weight_byte(std::uint64_t addr) const {
        return addr < weights_.size() ? static_cast<std::int8_t>(weights_[addr]) : 0;
    }

    void read_host_memory() {
        const std::uint64_t rows = in_->rows;
        require_span("ub_addr", in_->ub_addr, "rows " + num(rows), rows, shape_.ub_rows, ub_text());
        require_span("host_addr", in_->host_addr,
                     "rows " + num(rows) + " x " + num(width_) + " bytes", sat_mul(rows, width_),
                     state_.host.size(), "host memory (" + num(state_.host.size()) + " bytes)");
        for (std::uint64_t i = 0; i < rows * width_; ++i) {
            state_.ub[in_->ub_addr * width_ + i] =
                static_cast<std::int8_t>(state_.host[in_->host_addr + i]);
        }
    }

    void write_host_memory() {
        const std::uint64_t rows = in_->rows;
        require_span("ub_addr", in_->ub_addr, "rows " + num(rows), rows, shape_.ub_rows, ub_text());
        require_span("host_addr", in_->host_addr,
                     "rows " + num(rows) + " x " + num(width_) + " bytes", sat_mul(rows, width_),
                     state_.host.size(), "host memory (" + num(state_.host.size()) + " bytes)");
        for (std::uint64_t i = 0; i < rows * width_; ++i) {
            state_.host[in_->host_addr + i] =
                static_cast<std::uint8_t>(state_.ub[in_->ub_addr * width_ + i]);
        }
    }

    void read_weights() {
        const isa::Instruction& in = *in_;
        if (in.tile_rows < 1 || in.tile_rows > shape_.rows) {
            fail("tile_rows " + num(in.tile_rows) + " is out of range (1.." + num(shape_.rows) + ")");
        }
        if (in.tile_cols < 1 || in.tile_cols > shape_.cols) {
            fail("tile_cols " + num(in.tile_cols) + " is out of range (1.." + num(shape_.cols) + ")");
        }
        const std::uint64_t bytes = sat_mul(in.count, in.tile_rows * in.tile_cols);
        require_span("weight_addr", in.weight_addr,
                     "count " + num(in.count) + " x tile_rows " + num(in.tile_rows) +
                         " x tile_cols " + num(in.tile_cols) + " bytes",
                     bytes, shape_.weight_capacity,
                     "the weight memory (" + num(shape_.weight_capacity) + " bytes)");
        if (in.count > 0) {
            fifo_.push_back(TileRun{in.weight_addr, in.tile_rows, in.tile_cols, in.count});
        }
    }

    // Pops the FIFO's front tile into the array, zero outside the stored tile_rows x tile_cols.
    void switch_tile() {
        if (fifo_.empty()) {
            fail("switch_weights 1: no weight tile in the FIFO");
        }
        TileRun& run = fifo_.front();
        active_tile_.assign(std::uint64_t{shape_.rows} * shape_.cols, 0);
        for (std::uint64_t r = 0; r < run.tile_rows; ++r) {
            for (std::uint64_t c = 0; c < run.tile_cols; ++c) {
                active_tile_[r * shape_.cols + c] =
                    weight_byte(run.weight_addr + r * run.tile_cols + c);
            }
        }
        has_active_tile_ = true;
        run.weight_addr += run.tile_rows * run.tile_cols;
        run.remaining -= 1;
        if (run.remaining == 0) {
            fifo_.pop_front();
        }
    }

    void matrix_multiply() {
        const isa::Instruction& in = *in_;
        require_flag("accumulate", in.accumulate);
        require_flag("switch_weights", in.switch_weights);
        require_flag("convolve", in.convolve);
        const bool convolve = in.convolve == 1;
        const std::uint64_t rows = in.rows;
        const std::uint64_t outer = convolve ? in.outer : 1;
        const std::uint64_t step = convolve ? in.step : 1;
        const std::uint64_t pitch = convolve ? in.pitch : 0;
        const std::uint64_t vectors = sat_mul(rows, outer);

        if (vectors > 0) {
            const std::uint64_t last_row = sat_add(
                in.ub_addr, sat_add(sat_mul(outer - 1, pitch), sat_mul(rows - 1, step)));
            if (last_row >= shape_.ub_rows) {
                fail(convolve ? "ub_addr " + num(in.ub_addr) + " + (outer " + num(outer) +
                                    " - 1) x pitch " + num(pitch) + " + (rows " + num(rows) +
                                    " - 1) x step " + num(step) + " exceeds " + ub_text()
                              : "ub_addr " + num(in.ub_addr) + " + rows " + num(rows) +
                                    " exceeds " + ub_text());
            }
        }
        require_span("acc_addr", in.acc_addr,
                     convolve ? "rows " + num(rows) + " x outer " + num(outer) : "rows " + num(rows),
                     vectors, shape_.acc_entries, acc_text());

        if (in.switch_weights == 1) {
            switch_tile();
        }
        if (!has_active_tile_) {
            fail("no weight tile in the array (no earlier matrix_multiply switched one in)");
        }

        const std::uint32_t R = shape_.rows;
        const std::uint32_t C = shape_.cols;
        std::vector<std::uint32_t> y(C);
        for (std::uint64_t o = 0; o < outer; ++o) {
            for (std::uint64_t i = 0; i < rows; ++i) {
                const std::int8_t* x = ub_row(in.ub_addr + o * pitch + i * step);
                std::fill(y.begin(), y.end(), 0u);
                for (std::uint32_t r = 0; r < R; ++r) {
                    for (std::uint32_t c = 0; c < C; ++c) {
                        // The int16 product is exact; the uint32 sum wraps modulo 2^32.
                        const std::int32_t product = std::int32_t{x[r]} * active_tile_[r * C + c];
                        y[c] += static_cast<std::uint32_t>(product);
                    }
                }
                std::int32_t* out = acc_row(in.acc_addr + o * rows + i);
                for (std::uint32_t c = 0; c < C; ++c) {
                    const std::uint32_t base =
                        in.accumulate == 1 ? static_cast<std::uint32_t>(out[c]) : 0u;
                    out[c] = wrap32(base + y[c]);
                }
            }
        }
    }

    void activate() {
        const isa::Instruction& in = *in_;
        require_selector("function", in.function, 3, "a function");
        require_selector("pool", in.pool, 2, "a pooling mode");
        const auto function = static_cast<isa::Function>(in.function);
        const auto pool = static_cast<isa::Pool>(in.pool);
        const std::uint64_t n = in.rows;
        require_span("acc_addr", in.acc_addr, "rows " + num(n), n, shape_.acc_entries, acc_text());

        const PoolWindow window{config_.pool_input_width, config_.pool_size, config_.pool_stride};
        std::uint64_t out_rows = n;
        if (pool != isa::Pool::None) {
            if (n % window.input_width != 0) {
                fail("rows " + num(n) + " is not a multiple of pool_input_width " +
                     num(window.input_width));
            }
            const std::uint64_t height = n / window.input_width;
            if (height < window.size) {
                fail("rows " + num(n) + " / pool_input_width " + num(window.input_width) +
                     " = grid height " + num(height) + " is less than pool_size " +
                     num(window.size));
            }
            if (window.input_width < window.size) {
                fail("pool_input_width " + num(window.input_width) + " is less than pool_size " +
                     num(window.size));
            }
            out_rows = pool_extent(height, window.size, window.stride) *
                       pool_extent(window.input_width, window.size, window.stride);
        }
        require_span("ub_addr", in.ub_addr,
                     pool != isa::Pool::None ? num(out_rows) + " pooled rows" : "rows " + num(n),
                     out_rows, shape_.ub_rows, ub_text());

        const std::uint32_t C = shape_.cols;
        std::vector<std::int8_t> values(n * C);
        for (std::uint64_t e = 0; e < n; ++e) {
            const std::int32_t* a = acc_row(in.acc_addr + e);
            for (std::uint32_t c = 0; c < C; ++c) {
                values[e * C + c] = apply_function(
                    function, requantize(a[c], config_.requant_multiplier, config_.requant_shift));
            }
        }
        if (pool != isa::Pool::None) {
            values = pool_rows(values, C, pool, window);
        }
        for (std::uint64_t row = 0; row < out_rows; ++row) {
            std::int8_t* out = ub_row(in.ub_addr + row);
            for (std::uint32_t b = 0; b < width_; ++b) {
                out[b] = b < C ? values[row * C + b] : 0;  // bytes C..W-1 are cleared
            }
        }
    }

    void vector() {
        const isa::Instruction& in = *in_;
        require_selector("vector_op", in.vector_op, 1, "a vector operation");
        const auto op = static_cast<isa::VectorOp>(in.vector_op);
        const std::uint64_t rows = in.rows;
        const std::string rows_text = "rows " + num(rows);
        require_span("ub_addr", in.ub_addr, rows_text, rows, shape_.ub_rows, ub_text());
        require_span("ub_addr2", in.ub_addr2, rows_text, rows, shape_.ub_rows, ub_text());
        require_span("ub_dst", in.ub_dst, rows_text, rows, shape_.ub_rows, ub_text());

        // Row by row, each row read completely before it is written: a destination that
        // overlaps a later source row is seen by that later row.
        std::vector<std::int8_t> result(width_);
        for (std::uint64_t i = 0; i < rows; ++i) {
            const std::int8_t* a = ub_row(in.ub_addr + i);
            const std::int8_t* b = ub_row(in.ub_addr2 + i);
            for (std::uint32_t k = 0; k < width_; ++k) {
                result[k] = vector_element(op, a[k], b[k], config_.vector_shift);
            }
            std::copy(result.begin(), result.end(), ub_row(in.ub_dst + i));
        }
    }

    void set_config() {
        const isa::Instruction& in = *in_;
        require_selector("reg", in.reg, isa::kConfigRegCount - 1, "a config register");
        const std::uint64_t v = in.value;
        auto out_of_range = [&](const std::string& value, const char* reg, const char* range) {
            fail("value " + value + " is out of range for " + reg + " (" + range + ")");
        };
        switch (static_cast<isa::ConfigReg>(in.reg)) {
        case isa::ConfigReg::RequantMultiplier: {
            const std::int64_t s = signed64(v);
            if (s < std::numeric_limits<std::int32_t>::min() ||
                s > std::numeric_limits<std::int32_t>::max()) {
                out_of_range(std::to_string(s), "requant_multiplier", "-2147483648..2147483647");
            }
            config_.requant_multiplier = static_cast<std::int32_t>(s);
            break;
        }
        case isa::ConfigReg::RequantShift:
            if (v > 62) out_of_range(num(v), "requant_shift", "0..62");
            config_.requant_shift = static_cast<unsigned>(v);
            break;
        case isa::ConfigReg::PoolSize:
            if (v < 1 || v > 15) out_of_range(num(v), "pool_size", "1..15");
            config_.pool_size = static_cast<std::uint32_t>(v);
            break;
        case isa::ConfigReg::PoolStride:
            if (v < 1 || v > 15) out_of_range(num(v), "pool_stride", "1..15");
            config_.pool_stride = static_cast<std::uint32_t>(v);
            break;
        case isa::ConfigReg::PoolInputWidth:
            if (v < 1 || v > (1u << 24) - 1) out_of_range(num(v), "pool_input_width", "1..16777215");
            config_.pool_input_width = v;
            break;
        case isa::ConfigReg::VectorShift:
            if (v > 30) out_of_range(num(v), "vector_shift", "0..30");
            config_.vector_shift = static_cast<unsigned>(v);
            break;
        }
    }

    const MachineShape shape_;
    const std::uint32_t width_;
    const std::vector<std::uint8_t>& weights_;
    MachineState state_;
    ConfigRegisters config_;
    std::deque<TileRun> fifo_;
    std::vector<std::int8_t> active_tile_;
    bool has_active_tile_ = false;
    std::size_t index_ = 0;
    const isa::Instruction* in_ = nullptr;
};

}  // namespace

MachineShape shape_of(const isa::ChipSignature& chip) {
    MachineShape shape;
    shape.rows = chip.rows;
    shape.cols = chip.cols;
    shape.ub_rows = shape.ub_width() == 0 ? 0 : chip.ub_bytes / shape.ub_width();
    shape.acc_entries = chip.acc_entries;
    shape.weight_capacity = chip.weight_bytes;
    return shape;
}

std::string mnemonic(const isa::Instruction& instruction) {
    if (instruction.op == isa::Opcode::MatrixMultiply && instruction.convolve != 0) {
        return "convolve";
    }
    for (const OpcodeName& entry : kOpcodeNames) {
        if (entry.op == instruction.op) {
            return entry.name;
        }
    }
    return "unknown";
}

MachineState run_reference(const MachineShape& shape, const isa::Program& program,
                           const std::vector<std::uint8_t>& weight_image,
                           std::vector<std::uint8_t> host_image) {
    if (shape.rows == 0 || shape.cols == 0) {
        throw ReferenceError("machine shape: rows " + num(shape.rows) + " and cols " +
                             num(shape.cols) + " must both be at least 1");
    }
    if (weight_image.size() > shape.weight_capacity) {
        throw ReferenceError("weight image of " + num(weight_image.size()) +
                             " bytes exceeds the weight memory (" + num(shape.weight_capacity) +
                             " bytes)");
    }
    Interpreter machine(shape, weight_image, std::move(host_image));
    for (std::size_t index = 0; index < program.code.size(); ++index) {
        if (!machine.execute(index, program.code[index])) {
            break;
        }
    }
    return machine.take_state();
}

}  // namespace tpusim::reference
