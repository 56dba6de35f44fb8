#include "compiler/streaming.hpp"

#include <algorithm>
#include <limits>

namespace tpusim::compiler {

Staging plan_staging(const LoweredNetwork& lowered, int buffer, std::uint32_t batch) {
    const Buffer& b = lowered.buffers[static_cast<std::size_t>(buffer)];
    const MatmulOp& op = lowered.ops[static_cast<std::size_t>(b.streamed_by)].matmul;
    std::int64_t dy_min = std::numeric_limits<std::int64_t>::max(), dy_max = std::numeric_limits<std::int64_t>::min();
    for (const Job& job : op.jobs)
        for (const Term& t : job.terms)
            if (lowered.tensors[static_cast<std::size_t>(t.source)].buffer == buffer) {
                dy_min = std::min<std::int64_t>(dy_min, t.dy);
                dy_max = std::max<std::int64_t>(dy_max, t.dy);
            }
    Staging s;
    s.blocks = op_blocks(op, lowered.target, batch);
    s.slots = s.blocks.size() > 1 ? 2 : 1;
    s.chunks = b.chunks;
    s.width = b.width + b.frame.left + b.frame.right;
    for (const Block& k : s.blocks) {
        const std::int64_t first = std::int64_t{k.gy0} * op.stride_h + dy_min + b.frame.top;
        const std::int64_t end = std::int64_t{k.gy1 - 1} * op.stride_h + dy_max + b.frame.top + 1;
        s.stripe.emplace_back(static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(end));
        s.samples = std::max(s.samples, k.n1 - k.n0);
        s.height = std::max(s.height, static_cast<std::uint32_t>(end - first));
    }
    return s;
}

OutStaging plan_out_staging(const LoweredNetwork& lowered, int producer, std::uint32_t batch) {
    OutStaging s;
    s.blocks = op_blocks(lowered.ops[static_cast<std::size_t>(producer)].matmul, lowered.target, batch);
    for (const Block& k : s.blocks) {
        s.samples = std::max(s.samples, k.n1 - k.n0);
        s.height = std::max(s.height, k.py1 - k.py0);
        s.width = std::max(s.width, k.px1 - k.px0);
    }
    return s;
}

std::uint64_t ub_rows_of(const LoweredNetwork& lowered, int buffer, std::uint32_t batch) {
    const Buffer& b = lowered.buffers[static_cast<std::size_t>(buffer)];
    if (b.staging_of >= 0) return plan_out_staging(lowered, b.first_op, batch).rows();
    return b.streamed_by >= 0 ? plan_staging(lowered, buffer, batch).rows() : b.rows(batch);
}

}  // namespace tpusim::compiler
