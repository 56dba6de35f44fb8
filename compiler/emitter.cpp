#include "compiler/emitter.hpp"

#include "compiler/shape_inference.hpp"
#include "isa/forms.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>
#include <iterator>

namespace tpusim::compiler {

namespace {

constexpr std::uint64_t kMaxRows = (std::uint64_t{1} << 24) - 1;  // the 24-bit rows field

std::uint32_t layer_code(int layer) { return layer < 0 ? isa::Program::kNoLayer : static_cast<std::uint32_t>(layer); }

}  // namespace

Emitter::Emitter(const LoweredNetwork& lowered, const HostLayout& host, std::string workload)
    : lowered_(lowered), host_(host), workload_(std::move(workload)), acc_use_(lowered.layers.size()) {
    for (const auto& r : isa::config_registers()) regs_[static_cast<std::size_t>(r.reg)] = r.reset;
}

namespace {

[[noreturn]] void too_many_instructions(const std::string& workload, const std::string& count, const std::string& where) {
    throw CompileError(fmt::format("{}: the program needs {} instructions{}, more than the {} a program may have "
                                   "(docs/compiler.md, \"Limits\")",
                                   workload, count, where, kMaxInstructions));
}

}  // namespace

std::size_t Emitter::emit(const isa::Instruction& in, int layer) {
    // Lowering counted a lower bound; the real count (pass after pass, syncs, registers)
    // is checked as it grows, so that emission stops before the memory runs out.
    if (code_.size() + 2 > kMaxInstructions)  // the instruction, a sync before it, ...
        too_many_instructions(workload_, fmt::format("more than {}", code_.size()),
                              layer < 0 ? std::string()
                                        : fmt::format(" (counting stopped in layer \"{}\", pass {})",
                                                      lowered_.layers[static_cast<std::size_t>(layer)].name,
                                                      pass_index_ + 1));
    for (const auto& [first, end] : syncs_.before(in)) {
        isa::Instruction sync;
        sync.op = isa::Opcode::Sync;
        sync.sync_mode = static_cast<std::uint64_t>(isa::SyncMode::UbRange);
        sync.sync_addr = first;
        sync.sync_length = end - first;
        code_.push_back(sync);
        layer_of_.push_back(layer_code(layer));
    }
    code_.push_back(in);
    layer_of_.push_back(layer_code(layer));
    std::uint64_t out_rows = in.rows;
    if (in.op == isa::Opcode::Activate && in.pool != static_cast<std::uint64_t>(isa::Pool::None)) {
        // As the activation unit pools: whole windows of pool_input_width-wide rows.
        const auto reg = [&](isa::ConfigReg r) { return static_cast<std::uint64_t>(regs_[static_cast<std::size_t>(r)]); };
        const std::uint64_t w = reg(isa::ConfigReg::PoolInputWidth), k = reg(isa::ConfigReg::PoolSize),
                            st = reg(isa::ConfigReg::PoolStride), h = in.rows / w;
        out_rows = isa::pooled_extent(h, k, st) * isa::pooled_extent(w, k, st);
    }
    syncs_.wrote(in, out_rows);
    return code_.size() - 1;
}

void Emitter::set_register(isa::ConfigReg reg, std::int64_t value, int layer) {
    auto& current = regs_[static_cast<std::size_t>(reg)];
    if (current == value) return;
    current = value;
    isa::Instruction in;
    in.op = isa::Opcode::SetConfig;
    in.reg = static_cast<std::uint64_t>(reg);
    in.value = static_cast<std::uint64_t>(value);
    emit(in, layer);
}

void Emitter::transfer(isa::Opcode op, std::uint64_t host, std::uint64_t ub, std::uint64_t rows, int layer) {
    for (std::uint64_t done = 0; done < rows; done += kMaxRows) {
        isa::Instruction in;
        in.op = op;
        in.host_addr = host + done * lowered_.target.row_bytes;
        in.ub_addr = ub + done;
        in.rows = std::min(kMaxRows, rows - done);
        emit(in, layer);
    }
}

/// Blocks alternate between the two halves of the accumulators; within a half they are
/// placed one after another, so small blocks leave several in flight.
std::uint64_t Emitter::accumulator_block(std::uint64_t rows, int layer) {
    const std::uint64_t half = lowered_.target.acc_half();
    std::uint64_t at = 0;
    if (rows > half) {  // a block larger than half (see op_blocks) starts at row 0
        acc_cursor_ = {half, rows - half};
        acc_half_ = 1;
    } else {
        auto& cursor = acc_cursor_[static_cast<std::size_t>(acc_half_)];
        if (cursor + rows > half) cursor = 0;
        at = static_cast<std::uint64_t>(acc_half_) * half + cursor;
        cursor += rows;
        acc_half_ ^= 1;
    }
    // The layer's ranges, merged where they touch.
    AccumulatorUse& use = acc_use_[static_cast<std::size_t>(layer)];
    use.blocks += 1;
    std::uint64_t lo = at, hi = at + rows;
    auto it = use.ranges.upper_bound(lo);
    if (it != use.ranges.begin() && std::prev(it)->second >= lo) --it;
    while (it != use.ranges.end() && it->first <= hi) {
        lo = std::min(lo, it->first);
        hi = std::max(hi, it->second);
        it = use.ranges.erase(it);
    }
    use.ranges.emplace(lo, hi);
    return at;
}

std::size_t Emitter::buffer_of(int tensor) const {
    return static_cast<std::size_t>(lowered_.tensors[static_cast<std::size_t>(tensor)].buffer);
}

/// Inputs that are not streamed arrive at the start of the pass; feature maps sample by
/// sample, so that the first blocks can start before the whole batch is in.
void Emitter::load_inputs() {
    const UbPlan& plan = *pass_->plan;
    const std::uint64_t w = lowered_.target.row_bytes;
    for (std::size_t i = 0; i < lowered_.input_tensor.size(); ++i) {
        const int t = lowered_.input_tensor[i];
        if (t < 0) continue;
        const Buffer& b = lowered_.buffers[buffer_of(t)];
        if (b.streamed_by >= 0) continue;  // arrives stripe by stripe with the op that reads it
        const auto rows = transfer_rows(lowered_, plan, t);
        const std::uint64_t host = host_.input[pass_index_][i];
        if (b.order != Order::Map) {
            transfer(isa::Opcode::ReadHostMemory, host, rows.first, rows.second, -1);
            continue;
        }
        const Geometry g = geometry_of(b, pass_->batch, plan.base[buffer_of(t)]);
        for (std::uint32_t n = 0; n < pass_->batch; ++n)
            for (std::uint32_t c = 0; c < b.chunks; ++c) {
                const auto offset = static_cast<std::uint64_t>(c * g.chunk + n * g.sample);
                transfer(isa::Opcode::ReadHostMemory, host + offset * w, rows.first + offset,
                         static_cast<std::uint64_t>(g.sample), -1);
            }
    }
}

void Emitter::emit_pass(std::size_t index, const Pass& pass) {
    pass_ = &pass;
    pass_index_ = index;
    const UbPlan& plan = *pass.plan;
    load_inputs();
    auto write_outputs_ready_at = [&](int op) {
        for (std::size_t o = 0; o < lowered_.output_tensor.size(); ++o) {
            if (lowered_.output_ready[o] != op) continue;
            const int t = lowered_.output_tensor[o];
            const auto rows = transfer_rows(lowered_, plan, t);
            transfer(isa::Opcode::WriteHostMemory, host_.output[index][o], rows.first, rows.second,
                     lowered_.tensors[static_cast<std::size_t>(t)].producer);
        }
    };
    write_outputs_ready_at(-1);
    std::vector<std::vector<int>> clear_before(lowered_.ops.size());
    for (std::size_t b = 0; b < lowered_.buffers.size(); ++b)
        if (plan.zero_fill[b] && !lowered_.ops.empty())
            clear_before[static_cast<std::size_t>(lowered_.buffers[b].first_op)].push_back(static_cast<int>(b));
    for (std::size_t i = 0; i < lowered_.ops.size(); ++i) {
        for (const int b : clear_before[i]) clear_border(b);
        const LoweredOp& op = lowered_.ops[i];
        if (op.is_matmul)
            emit_matmul(op, static_cast<int>(i));
        else
            emit_vector(op);
        write_outputs_ready_at(static_cast<int>(i));
    }
}

/// Border rows are cleared by adding the UB's zero rows to themselves into them (any
/// vector_shift leaves 0 + 0 at 0): the activation unit clears a row per cycle, much faster
/// than the host interface could bring zeros in.
void Emitter::clear_border(int buffer) {
    const Buffer& b = lowered_.buffers[static_cast<std::size_t>(buffer)];
    const UbPlan& plan = *pass_->plan;
    isa::Instruction in;
    in.op = isa::Opcode::Vector;
    in.vector_op = static_cast<std::uint64_t>(isa::VectorOp::Add);
    in.ub_addr = in.ub_addr2 = plan.zero_first;
    for (const auto& run : border_runs(b, pass_->batch, plan.base[static_cast<std::size_t>(buffer)]))
        for (std::uint64_t at = run.first; at < run.second; at += plan.zero_rows) {
            in.ub_dst = at;
            in.rows = std::min(plan.zero_rows, run.second - at);
            emit(in, b.layer);
        }
}

void Emitter::emit_matmul(const LoweredOp& op, int index) {
    const MatmulOp& m = op.matmul;
    const std::vector<Block> blocks = op_blocks(m, lowered_.target, pass_->batch);
    if (blocks.empty()) {
        const auto& layer = lowered_.layers[static_cast<std::size_t>(op.layer)];
        throw CompileError(
            fmt::format("layer \"{}\": a {}x{} pooling window needs {} accumulator rows; a block "
                        "may use {}",
                        layer.name, m.pool.size, m.pool.size, m.pool.size * m.pool.size, lowered_.target.block_rows()));
    }
    int streamed = -1;
    for (std::size_t b = 0; b < lowered_.buffers.size(); ++b)
        if (lowered_.buffers[b].streamed_by == index) streamed = static_cast<int>(b);
    if (streamed < 0) {
        for (const Job& job : m.jobs)
            for (const Block& block : blocks) emit_job_block(op, job, block, -1, nullptr);
        return;
    }
    // A streamed input: block by block, each block's stripe loaded while the previous
    // block is computed (two slots), every job done on a stripe before it is replaced.
    const Staging staging = plan_staging(lowered_, streamed, pass_->batch);
    load_stripe(streamed, staging, 0, op.layer);
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        if (b + 1 < blocks.size()) load_stripe(streamed, staging, b + 1, op.layer);
        const TensorRows staged = staged_rows(streamed, staging, b);
        for (const Job& job : m.jobs) emit_job_block(op, job, blocks[b], streamed, &staged);
    }
}

void Emitter::emit_job_block(const LoweredOp& op, const Job& job, const Block& block, int streamed,
                             const TensorRows* staged) {
    const MatmulOp& m = op.matmul;
    // Accumulator rows follow the destination's row order, so that activate writes long
    // runs: dims sorted by destination stride (pooling needs sample, row, column).
    const Buffer& dest = lowered_.buffers[buffer_of(job.dest)];
    const TensorRows d = dest.spilled() ? out_staged_rows(job, block) : rows_of(lowered_, *pass_->plan, job.dest);
    std::array<int, 3> order{0, 1, 2};
    if (m.pool.kind == isa::Pool::None) {
        const std::array<std::int64_t, 3> stride{d.g.sample, d.g.y, d.g.x};
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return stride[a] > stride[b]; });
    }
    const std::uint64_t acc = accumulator_block(block.rows(), op.layer);
    for (std::size_t k = 0; k < job.terms.size(); ++k) {
        const Term& term = job.terms[k];
        const bool from_stripe = static_cast<int>(buffer_of(term.source)) == streamed;
        TensorRows source = from_stripe ? *staged : rows_of(lowered_, *pass_->plan, term.source);
        if (from_stripe) source.chunk0 = lowered_.tensors[static_cast<std::size_t>(term.source)].chunk0;
        emit_products(m, term, source, block, acc, k > 0, order, op.layer);
    }
    emit_activation(m, job, block, acc, d, order, op.layer);
    if (dest.spilled()) write_out(job, block, d, op.layer);
}

/// A spilled buffer's producer activates each job's block into its staging slot: the
/// block's (pooled) rows, samples x rows x columns, row-major from the slot's first row.
TensorRows Emitter::out_staged_rows(const Job& job, const Block& block) const {
    const Buffer& dest = lowered_.buffers[buffer_of(job.dest)];
    const auto slot = static_cast<std::size_t>(dest.out_staging);
    const OutStaging s = plan_out_staging(lowered_, lowered_.buffers[slot].first_op, pass_->batch);
    Geometry g;
    g.x = 1;
    g.y = s.width;
    g.sample = std::int64_t{s.height} * s.width;
    g.chunk = 0;  // one job, one chunk at a time
    g.origin = static_cast<std::int64_t>(pass_->plan->base[slot]) -
               std::int64_t{block.n0} * g.sample - std::int64_t{block.py0} * g.y - block.px0;
    return TensorRows{g, 0};
}

/// Copies a job's block from the staging slot `staged` to the spilled buffer's place in
/// host memory (the whole map's layout, border included), as few transfers as the two
/// layouts allow: one per run of rows that is contiguous in both.
void Emitter::write_out(const Job& job, const Block& block, const TensorRows& staged, int layer) {
    const std::size_t b = buffer_of(job.dest);
    const Geometry host = geometry_of(lowered_.buffers[b], pass_->batch, 0);
    const std::int64_t chunk = lowered_.tensors[static_cast<std::size_t>(job.dest)].chunk0 + job.dest_chunk;
    const std::int64_t columns = block.px1 - block.px0;
    std::int64_t ub = -1, at = -1, rows = 0;
    auto flush = [&] {
        if (rows > 0)
            transfer(isa::Opcode::WriteHostMemory,
                     host_.spill[pass_index_][b] + static_cast<std::uint64_t>(at) * lowered_.target.row_bytes,
                     static_cast<std::uint64_t>(ub), static_cast<std::uint64_t>(rows), layer);
    };
    for (std::uint32_t n = block.n0; n < block.n1; ++n)
        for (std::uint32_t y = block.py0; y < block.py1; ++y) {
            const std::int64_t from = staged.row(0, n, y, block.px0), to = host.row(chunk, n, y, block.px0);
            if (rows > 0 && from == ub + rows && to == at + rows) {
                rows += columns;
                continue;
            }
            flush();
            ub = from;
            at = to;
            rows = columns;
        }
    flush();
}

/// Slot `block % slots` holds, for every chunk and each sample of the block, the padded
/// map rows of its stripe, full width: copied from the host image, borders included.
TensorRows Emitter::staged_rows(int buffer, const Staging& staging, std::size_t block) const {
    const Buffer& b = lowered_.buffers[static_cast<std::size_t>(buffer)];
    const Block& k = staging.blocks[block];
    const std::int64_t slot = static_cast<std::int64_t>(pass_->plan->base[static_cast<std::size_t>(buffer)] +
                                                        (block % staging.slots) * staging.slot_rows());
    Geometry g;
    g.x = 1;
    g.y = staging.width;
    g.sample = std::int64_t{staging.height} * staging.width;
    g.chunk = g.sample * staging.samples;
    g.origin = slot + (std::int64_t{b.frame.top} - staging.stripe[block].first) * g.y + b.frame.left -
               std::int64_t{k.n0} * g.sample;
    return TensorRows{g, 0};
}

/// Where this pass keeps a streamed buffer in host memory: a network input's region, or a
/// spilled tensor's.
std::uint64_t Emitter::host_base(int buffer) const {
    if (lowered_.buffers[static_cast<std::size_t>(buffer)].spilled())
        return host_.spill[pass_index_][static_cast<std::size_t>(buffer)];
    std::size_t input = 0;  // the network input that lives in `buffer`
    while (lowered_.input_tensor[input] < 0 ||
           buffer_of(lowered_.input_tensor[input]) != static_cast<std::size_t>(buffer))
        ++input;
    return host_.input[pass_index_][input];
}

void Emitter::load_stripe(int buffer, const Staging& staging, std::size_t block, int layer) {
    const Buffer& b = lowered_.buffers[static_cast<std::size_t>(buffer)];
    const std::uint64_t base = host_base(buffer);
    const Geometry host = geometry_of(b, pass_->batch, 0);  // the host image keeps the whole map
    const TensorRows ub = staged_rows(buffer, staging, block);
    const Block& k = staging.blocks[block];
    const auto stripe = staging.stripe[block];
    const std::uint64_t rows = std::uint64_t{stripe.second - stripe.first} * staging.width;
    for (std::uint32_t c = 0; c < b.chunks; ++c)
        for (std::uint32_t n = k.n0; n < k.n1; ++n) {
            const std::int64_t y = std::int64_t{stripe.first} - b.frame.top, x = -std::int64_t{b.frame.left};
            transfer(isa::Opcode::ReadHostMemory,
                     base + static_cast<std::uint64_t>(host.row(c, n, y, x)) * lowered_.target.row_bytes,
                     static_cast<std::uint64_t>(ub.row(c, n, y, x)), rows, layer);
        }
}

namespace {

/// The block's loops in `order` (outermost first) with stream 0 = `stride` and stream 1 =
/// the accumulators, which the block fills row-major in that order.
std::vector<Dim> block_dims(const Block& b, const std::array<std::int64_t, 3>& stride,
                            const std::array<int, 3>& order) {
    const std::array<std::uint64_t, 3> count{b.n1 - b.n0, b.gy1 - b.gy0, b.gx1 - b.gx0};
    std::vector<Dim> dims(3);
    std::int64_t acc = 1;
    for (int i = 2; i >= 0; --i) {
        const int d = order[static_cast<std::size_t>(i)];
        dims[static_cast<std::size_t>(i)] =
            Dim{count[static_cast<std::size_t>(d)], {stride[static_cast<std::size_t>(d)], acc, 0}};
        acc *= static_cast<std::int64_t>(count[static_cast<std::size_t>(d)]);
    }
    return dims;
}

}  // namespace

void Emitter::emit_products(const MatmulOp& m, const Term& term, const TensorRows& s, const Block& block,
                            std::uint64_t acc, bool accumulate, const std::array<int, 3>& order, int layer) {
    const std::int64_t first = s.row(term.chunk, block.n0, std::int64_t{block.gy0} * m.stride_h + term.dy,
                                     std::int64_t{block.gx0} * m.stride_w + term.dx);
    const std::array<std::int64_t, 3> stride{s.g.sample, s.g.y * m.stride_h, s.g.x * m.stride_w};
    bool first_instruction = true;
    for (isa::Instruction in :
         product_instructions(first, static_cast<std::int64_t>(acc), block_dims(block, stride, order))) {
        in.accumulate = accumulate ? 1 : 0;
        const bool switches = first_instruction && term.tile != active_tile_;
        if (switches) {
            in.switch_weights = 1;
            active_tile_ = term.tile;
        }
        first_instruction = false;
        const std::size_t at = emit(in, layer);
        if (switches) switches_.push_back(Switch{at, term.tile, layer});
    }
}

void Emitter::emit_activation(const MatmulOp& m, const Job& job, const Block& block, std::uint64_t acc,
                              const TensorRows& d, const std::array<int, 3>& order, int layer) {
    set_register(isa::ConfigReg::RequantMultiplier, m.requant.multiplier, layer);
    set_register(isa::ConfigReg::RequantShift, m.requant.shift, layer);
    isa::Instruction in;
    in.op = isa::Opcode::Activate;
    in.function = static_cast<std::uint64_t>(job.function);
    in.pool = static_cast<std::uint64_t>(m.pool.kind);
    if (m.pool.kind == isa::Pool::None) {
        const std::array<std::int64_t, 3> stride{d.g.sample, d.g.y, d.g.x};
        const std::array<std::int64_t, 3> start{d.row(job.dest_chunk, block.n0, block.gy0, block.gx0),
                                                static_cast<std::int64_t>(acc), 0};
        for (const Run& run : contiguous_runs(start, block_dims(block, stride, order), 2)) {
            in.ub_addr = static_cast<std::uint64_t>(run.start[0]);
            in.acc_addr = static_cast<std::uint64_t>(run.start[1]);
            in.rows = run.length;
            emit(in, layer);
        }
        return;
    }
    const std::uint64_t grid_h = block.gy1 - block.gy0, grid_w = block.gx1 - block.gx0;
    set_register(isa::ConfigReg::PoolSize, m.pool.size, layer);
    set_register(isa::ConfigReg::PoolStride, m.pool.stride, layer);
    set_register(isa::ConfigReg::PoolInputWidth, static_cast<std::int64_t>(grid_w), layer);
    const bool whole = d.g.x == 1 && (block.py1 - block.py0 == 1 || d.g.y == std::int64_t{block.px1 - block.px0});
    for (std::uint32_t n = block.n0; n < block.n1; ++n) {
        const std::uint64_t acc_n = acc + std::uint64_t{n - block.n0} * grid_h * grid_w;
        if (whole) {
            in.acc_addr = acc_n;
            in.rows = grid_h * grid_w;
            in.ub_addr = static_cast<std::uint64_t>(d.row(job.dest_chunk, n, block.py0, block.px0));
            emit(in, layer);
            continue;
        }
        for (std::uint32_t py = block.py0; py < block.py1; ++py) {
            in.acc_addr = acc_n + std::uint64_t{py - block.py0} * m.pool.stride * grid_w;
            in.rows = std::uint64_t{m.pool.size} * grid_w;
            in.ub_addr = static_cast<std::uint64_t>(d.row(job.dest_chunk, n, py, block.px0));
            emit(in, layer);
        }
    }
}

void Emitter::emit_vector(const LoweredOp& op) {
    const VectorStep& v = op.vector;
    set_register(isa::ConfigReg::VectorShift, v.shift, op.layer);
    const UbPlan& plan = *pass_->plan;
    const TensorRows a = rows_of(lowered_, plan, v.a.tensor), b = rows_of(lowered_, plan, v.b.tensor),
                     d = rows_of(lowered_, plan, v.dst.tensor);
    const UbTensor& dt = lowered_.tensors[static_cast<std::size_t>(v.dst.tensor)];
    std::vector<Dim> dims = {
        Dim{chunk_count(dt.features, lowered_.target.chunk), {a.g.chunk, b.g.chunk, d.g.chunk}},
        Dim{pass_->batch, {a.g.sample, b.g.sample, d.g.sample}},
        Dim{v.dst.y1 - v.dst.y0, {a.g.y, b.g.y, d.g.y}},
        Dim{dt.width, {a.g.x, b.g.x, d.g.x}},
    };
    std::stable_sort(dims.begin(), dims.end(), [](const Dim& x, const Dim& y) { return x.stride[2] > y.stride[2]; });
    const std::array<std::int64_t, 3> start{a.row(0, 0, v.a.y0, 0), b.row(0, 0, v.b.y0, 0), d.row(0, 0, v.dst.y0, 0)};
    isa::Instruction in;
    in.op = isa::Opcode::Vector;
    in.vector_op = static_cast<std::uint64_t>(v.op);
    for (const Run& run : contiguous_runs(start, dims, 3)) {
        in.ub_addr = static_cast<std::uint64_t>(run.start[0]);
        in.ub_addr2 = static_cast<std::uint64_t>(run.start[1]);
        in.ub_dst = static_cast<std::uint64_t>(run.start[2]);
        in.rows = run.length;
        emit(in, op.layer);
    }
}

std::vector<std::uint64_t> Emitter::weight_bytes_read() const {
    std::vector<std::uint64_t> bytes(lowered_.layers.size(), 0);
    for (const Switch& s : switches_)
        bytes[static_cast<std::size_t>(s.layer)] += lowered_.weights.tiles()[static_cast<std::size_t>(s.tile)].bytes();
    return bytes;
}

isa::Program Emitter::finish(const isa::ChipSignature& chip, const std::vector<LayerStats>& layers) {
    const auto& tiles = lowered_.weights.tiles();
    const std::size_t ahead = std::size_t{lowered_.target.fifo_depth} + 1;  // FIFO slots + the shadow buffer
    isa::Program program;
    program.chip = chip;
    auto read = [&](std::size_t first, std::size_t count) {
        const WeightTile& t = tiles[static_cast<std::size_t>(switches_[first].tile)];
        isa::Instruction in;
        in.op = isa::Opcode::ReadWeights;
        in.weight_addr = t.address;
        in.tile_rows = t.rows;
        in.tile_cols = t.cols;
        in.count = count;
        program.code.push_back(in);
        program.layer_of.push_back(layer_code(switches_[first].layer));
    };
    // The first tiles go out right after the first input transfers (grouped where they
    // are consecutive in memory); after that, tile t is read right behind the product that
    // switches to tile t - ahead, which frees the FIFO slot it waits for. Reading it any
    // earlier in program order could hold up the instructions that free the slot.
    std::size_t first = 0;
    while (first < code_.size() && code_[first].op == isa::Opcode::ReadHostMemory &&
           layer_of_[first] == isa::Program::kNoLayer) {
        program.code.push_back(code_[first]);
        program.layer_of.push_back(layer_of_[first]);
        ++first;
    }
    const std::size_t prologue = std::min(ahead, switches_.size());
    for (std::size_t s = 0; s < prologue;) {
        std::size_t n = 1;
        while (s + n < prologue) {
            const WeightTile& p = tiles[static_cast<std::size_t>(switches_[s + n - 1].tile)];
            const WeightTile& q = tiles[static_cast<std::size_t>(switches_[s + n].tile)];
            if (q.address != p.address + p.bytes() || q.rows != p.rows || q.cols != p.cols ||
                switches_[s + n].layer != switches_[s].layer)
                break;
            ++n;
        }
        read(s, n);
        s += n;
    }
    std::size_t next_switch = 0;
    for (std::size_t i = first; i < code_.size(); ++i) {
        program.code.push_back(code_[i]);
        program.layer_of.push_back(layer_of_[i]);
        if (next_switch < switches_.size() && switches_[next_switch].instruction == i) {
            if (next_switch + ahead < switches_.size()) read(next_switch + ahead, 1);
            ++next_switch;
        }
    }
    if (program.code.size() + 1 > kMaxInstructions)
        too_many_instructions(workload_, std::to_string(program.code.size() + 1), "");
    isa::Instruction halt;
    halt.op = isa::Opcode::Halt;
    program.code.push_back(halt);
    program.layer_of.push_back(isa::Program::kNoLayer);
    for (const auto& l : layers) program.layers.push_back(isa::LayerInfo{l.name, l.kind, l.macs, l.weight_bytes});
    return program;
}

}  // namespace tpusim::compiler
