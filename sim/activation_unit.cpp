#include "sim/activation_unit.hpp"

#include "sim/activation_math.hpp"

#include <algorithm>
#include <cstring>

namespace tpusim::sim {

using isa::Opcode;

ActivationUnit::ActivationUnit(sc_core::sc_module_name name, const UnitContext& ctx, UnitProgress& progress)
    : sc_core::sc_module(name), ctx_(ctx), progress_(progress) {
    SC_THREAD(thread);
}

Cycle ActivationUnit::occupancy(const isa::Instruction& in, const DecodedInstruction& d) const {
    const std::uint64_t bpc = ctx_.chip.activation.bytes_per_cycle;
    switch (in.op) {
        case Opcode::Activate: return ceil_div(d.vectors * ctx_.chip.matrix.cols, bpc);  // cols outputs a row
        case Opcode::Vector: {
            // Two operand rows per output row: with a single read port they are read one
            // after the other, at half speed.
            const Cycle p = ceil_div(d.vectors * ctx_.chip.ub_row_bytes(), bpc);
            return ctx_.chip.ub.read_ports >= 2 ? p : 2 * p;
        }
        default: return 1;  // Set_Config writes one register
    }
}

void ActivationUnit::thread() {
    Cycle free = 0;
    for (;;) {
        const Issued it = stage->get();
        const auto op = ctx_.wait_for_operands(it, Unit::Activation, free);
        const auto& in = ctx_.program.code[it.seq];
        const auto& d = ctx_.decoded[it.seq];
        const Cycle busy = occupancy(in, d);
        const Cycle latency = in.op == Opcode::SetConfig ? 0 : ctx_.chip.activation.latency_cycles;
        // Vector reads its operand rows during the input phase [s, s + P); Activate and
        // Vector write their results as they leave the pipeline, [s + latency, s + latency + P).
        std::vector<PortHold> holds;
        if (in.op == Opcode::Vector)
            holds.push_back(PortHold{false, std::min<std::uint32_t>(2, ctx_.chip.ub.read_ports), 0, busy, 0});
        if (in.op != Opcode::SetConfig) holds.push_back(PortHold{true, 1, latency, busy, 0});
        const std::uint64_t rows_read = in.op == Opcode::Vector ? 2 * d.vectors : 0;
        const Cycle s = holds.empty() ? now() : ctx_.wait_for_ports(it, op, ub, holds, rows_read, d.out_rows);
        const Cycle end = s + busy + latency;
        ctx_.scoreboard.set_done(it.seq, false, s + busy);
        ctx_.scoreboard.set_done(it.seq, true, end);
        progress_.start(ctx_.log[it.seq], s, end);
        // Executed in program order, so an Activate or Vector sees exactly the Set_Config
        // instructions before it.
        if (in.op == Opcode::SetConfig) regs_.set(in);
        if (ctx_.data) {
            if (in.op == Opcode::Activate) activate(in, d);
            if (in.op == Opcode::Vector) vector(in, d);
        }
        busy_ += busy;
        rows_in_ += in.op == Opcode::SetConfig ? 0 : d.vectors * (in.op == Opcode::Vector ? 2 : 1);
        rows_out_ += d.out_rows;
        const std::uint64_t width = ctx_.chip.ub_row_bytes();
        acc_bytes_in_ += in.op == Opcode::Activate ? d.vectors * ctx_.chip.matrix.cols * sizeof(std::int32_t) : 0;
        ub_bytes_in_ += rows_read * width;
        ub_bytes_out_ += d.out_rows * width;
        instructions_ += 1;
        free = s + busy;
        // The unit takes its next instruction from the stage latch once it is free.
        wait_until(free);
    }
}

void ActivationUnit::activate(const isa::Instruction& in, const DecodedInstruction& d) {
    const auto& table = activation_table(in.function);
    const std::uint64_t cols = ctx_.chip.matrix.cols, width = ub->width();
    // Requantize and apply the function to every row first: pooling works on int8 outputs.
    std::vector<std::int8_t> out(d.vectors * cols);
    for (std::uint64_t r = 0; r < d.vectors; ++r) {
        const std::int32_t* a = acc->row(in.acc_addr + r);
        activate_row(a, cols, regs_, table, &out[r * cols]);
    }
    auto write_row = [&](std::uint64_t row, const std::int8_t* values) {
        std::int8_t* u = ub->row(in.ub_addr + row);
        std::memcpy(u, values, cols);
        std::memset(u + cols, 0, width - cols);
    };
    if (in.pool == static_cast<std::uint64_t>(isa::Pool::None)) {
        for (std::uint64_t r = 0; r < d.vectors; ++r) write_row(r, &out[r * cols]);
        return;
    }
    const std::uint64_t w = regs_.pool_input_width, h = d.vectors / w, k = regs_.pool_size, s = regs_.pool_stride;
    const std::uint64_t out_w = isa::pooled_extent(w, k, s), out_h = isa::pooled_extent(h, k, s);
    const bool max_pool = in.pool == static_cast<std::uint64_t>(isa::Pool::Max);
    // Window after window, each over whole rows of columns at a time (loops the compiler
    // vectorizes).
    std::vector<std::int8_t> pooled(cols);
    std::vector<std::int64_t> window(cols);
    for (std::uint64_t oy = 0; oy < out_h; ++oy)
        for (std::uint64_t ox = 0; ox < out_w; ++ox) {
            std::fill(window.begin(), window.end(), max_pool ? -128 : 0);
            for (std::uint64_t y = oy * s; y < oy * s + k; ++y)
                for (std::uint64_t x = ox * s; x < ox * s + k; ++x) {
                    const std::int8_t* v = &out[(y * w + x) * cols];
                    if (max_pool)
                        for (std::uint64_t c = 0; c < cols; ++c) window[c] = std::max<std::int64_t>(window[c], v[c]);
                    else
                        for (std::uint64_t c = 0; c < cols; ++c) window[c] += v[c];
                }
            for (std::uint64_t c = 0; c < cols; ++c)
                pooled[c] = max_pool ? static_cast<std::int8_t>(window[c])
                                     : pool_average(window[c], static_cast<std::int64_t>(k * k));
            write_row(oy * out_w + ox, pooled.data());
        }
}

void ActivationUnit::vector(const isa::Instruction& in, const DecodedInstruction& d) {
    const std::uint64_t width = ub->width();
    const bool add = in.vector_op == static_cast<std::uint64_t>(isa::VectorOp::Add);
    const std::uint32_t shift = regs_.vector_shift;
    for (std::uint64_t r = 0; r < d.vectors; ++r) {
        const std::int8_t* a = ub->row(in.ub_addr + r);
        const std::int8_t* b = ub->row(in.ub_addr2 + r);
        std::int8_t* o = ub->row(in.ub_dst + r);
        for (std::uint64_t i = 0; i < width; ++i) {
            const std::int64_t p = add ? std::int64_t{a[i]} + b[i] : std::int64_t{a[i]} * b[i];
            o[i] = saturate8(requantize(static_cast<std::int32_t>(p), 1, shift));
        }
    }
}

}  // namespace tpusim::sim
