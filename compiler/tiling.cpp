#include "compiler/tiling.hpp"

#include <algorithm>

namespace tpusim::compiler {

namespace {

/// [0, total) cut into the fewest ranges of at most `most`, of nearly equal size.
std::vector<std::pair<std::uint32_t, std::uint32_t>> split(std::uint32_t total, std::uint32_t most) {
    const std::uint32_t parts = (total + most - 1) / most;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
    std::uint32_t at = 0;
    for (std::uint32_t p = 0; p < parts; ++p) {
        const std::uint32_t size = (total - at) / (parts - p) + ((total - at) % (parts - p) != 0 ? 1 : 0);
        out.emplace_back(at, at + size);
        at += size;
    }
    return out;
}

constexpr std::uint64_t kMaxStep = 255;  // the convolve form's 8-bit step

}  // namespace

std::vector<Block> partition(std::uint32_t batch, std::uint32_t gh, std::uint32_t gw, const Pooling& pool,
                             std::uint32_t capacity) {
    const std::uint32_t k = pool.size, s = pool.stride;
    const std::uint32_t ph = pool.out(gh), pw = pool.out(gw);
    std::vector<Block> blocks;
    const std::uint64_t grid = std::uint64_t{gh} * gw;
    if (grid <= capacity) {
        for (const auto& n : split(batch, static_cast<std::uint32_t>(capacity / grid)))
            blocks.push_back(Block{n.first, n.second, 0, gh, 0, gw, 0, ph, 0, pw});
        return blocks;
    }
    if (std::uint64_t{k} * gw <= capacity) {
        const std::uint32_t most = (static_cast<std::uint32_t>(capacity / gw) - k) / s + 1;
        for (std::uint32_t n = 0; n < batch; ++n)
            for (const auto& p : split(ph, most))
                blocks.push_back(Block{n, n + 1, p.first * s, (p.second - 1) * s + k, 0, gw, p.first, p.second, 0, pw});
        return blocks;
    }
    if (std::uint64_t{k} * k > capacity) return blocks;
    const std::uint32_t most = (capacity / k - k) / s + 1;
    for (std::uint32_t n = 0; n < batch; ++n)
        for (std::uint32_t py = 0; py < ph; ++py)
            for (const auto& p : split(pw, most))
                blocks.push_back(Block{n, n + 1, py * s, py * s + k, p.first * s, (p.second - 1) * s + k, py, py + 1,
                                       p.first, p.second});
    return blocks;
}

std::vector<Block> op_blocks(const MatmulOp& op, const Target& target, std::uint32_t batch) {
    const std::uint64_t outputs = std::uint64_t{batch} * op.grid_h * op.grid_w;
    std::uint32_t capacity =
        outputs > target.block_rows() && outputs <= target.acc_rows && !op.half_blocks ? target.acc_rows
                                                                                        : target.block_rows();
    if (op.block_cap > 0) capacity = std::min(capacity, op.block_cap);
    return partition(batch, op.grid_h, op.grid_w, op.pool, capacity);
}

std::vector<isa::Instruction> product_instructions(std::int64_t ub_row, std::int64_t acc_row,
                                                   const std::vector<Dim>& dims) {
    std::vector<Dim> loops = merge_dims(dims, 2);
    if (loops.empty()) loops.push_back(Dim{1, {1, 1, 0}});
    // The innermost loop becomes the instruction's inner count (if its UB stride fits the
    // 8-bit step) and the next one its outer count; loops beyond are unrolled.
    isa::Instruction shape;
    shape.op = isa::Opcode::MatrixMultiply;
    const Dim inner = loops.back();
    loops.pop_back();
    if (inner.stride[0] >= 0 && static_cast<std::uint64_t>(inner.stride[0]) <= kMaxStep) {
        shape.rows = inner.count;
        shape.step = static_cast<std::uint64_t>(inner.stride[0]);
        if (!loops.empty()) {
            shape.outer = loops.back().count;
            shape.pitch = static_cast<std::uint64_t>(loops.back().stride[0]);
            loops.pop_back();
        }
    } else {
        shape.rows = 1;
        shape.outer = inner.count;
        shape.pitch = static_cast<std::uint64_t>(inner.stride[0]);
    }
    shape.convolve = shape.outer > 1 || shape.step != 1 ? 1 : 0;
    if (!shape.convolve) {
        shape.step = 1;
        shape.outer = 1;
        shape.pitch = 0;
    }
    std::vector<isa::Instruction> out;
    std::vector<std::uint64_t> index(loops.size(), 0);
    for (;;) {
        isa::Instruction in = shape;
        std::int64_t ub = ub_row, acc = acc_row;
        for (std::size_t i = 0; i < loops.size(); ++i) {
            ub += std::int64_t(index[i]) * loops[i].stride[0];
            acc += std::int64_t(index[i]) * loops[i].stride[1];
        }
        in.ub_addr = static_cast<std::uint64_t>(ub);
        in.acc_addr = static_cast<std::uint64_t>(acc);
        out.push_back(in);
        std::size_t i = loops.size();
        while (i > 0 && ++index[i - 1] == loops[i - 1].count) index[--i] = 0;
        if (i == 0) break;
    }
    return out;
}

}  // namespace tpusim::compiler
