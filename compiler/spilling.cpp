#include "compiler/spilling.hpp"

#include "compiler/streaming.hpp"

#include <algorithm>
#include <set>

namespace tpusim::compiler {

namespace {

struct Uses {
    std::set<int> readers, writers;  // matrix-product ops
    bool other = false;              // a vector step or an output transfer touches it
};

std::vector<Uses> uses_of(const LoweredNetwork& lowered) {
    std::vector<Uses> uses(lowered.buffers.size());
    auto of = [&](int tensor) -> Uses& {
        return uses[static_cast<std::size_t>(lowered.tensors[static_cast<std::size_t>(tensor)].buffer)];
    };
    for (std::size_t i = 0; i < lowered.ops.size(); ++i) {
        const LoweredOp& op = lowered.ops[i];
        if (!op.is_matmul) {
            of(op.vector.a.tensor).other = of(op.vector.b.tensor).other = of(op.vector.dst.tensor).other = true;
            continue;
        }
        for (const Job& job : op.matmul.jobs) {
            of(job.dest).writers.insert(static_cast<int>(i));
            for (const Term& t : job.terms) of(t.source).readers.insert(static_cast<int>(i));
        }
    }
    for (const int o : lowered.output_tensor) of(o).other = true;
    return uses;
}

}  // namespace

bool spill_one(LoweredNetwork& lowered, const UbShortage& why) {
    const std::vector<Uses> uses = uses_of(lowered);
    std::set<int> streaming;  // ops that already stream a buffer in
    for (const Buffer& b : lowered.buffers)
        if (b.streamed_by >= 0) streaming.insert(b.streamed_by);
    for (const int id : why.live) {
        const Buffer& b = lowered.buffers[static_cast<std::size_t>(id)];
        const Uses& u = uses[static_cast<std::size_t>(id)];
        if (b.in_host() || b.staging_of >= 0 || b.order != Order::Map || u.other || u.writers.size() != 1 ||
            u.readers.size() != 1)
            continue;
        const int producer = *u.writers.begin(), reader = *u.readers.begin();
        const MatmulOp& r = lowered.ops[static_cast<std::size_t>(reader)].matmul;
        if (producer >= reader || std::uint64_t{r.grid_h} * r.grid_w < 2 || streaming.count(reader)) continue;
        Buffer staging;
        staging.name = b.name + " (staging out)";
        staging.order = Order::Map;
        staging.layer = b.layer;
        staging.first_op = staging.last_op = producer;
        staging.staging_of = id;
        lowered.buffers.push_back(staging);
        Buffer& spilled = lowered.buffers[static_cast<std::size_t>(id)];
        spilled.out_staging = static_cast<int>(lowered.buffers.size()) - 1;
        spilled.streamed_by = spilled.first_op = spilled.last_op = reader;
        lowered.ops[static_cast<std::size_t>(producer)].matmul.half_blocks = true;
        lowered.ops[static_cast<std::size_t>(reader)].matmul.half_blocks = true;
        return true;
    }
    return false;
}

bool shrink_staging(LoweredNetwork& lowered, const UbShortage& why) {
    for (const int id : why.live) {
        const Buffer& b = lowered.buffers[static_cast<std::size_t>(id)];
        const int op = b.staging_of >= 0 ? b.first_op : b.streamed_by;
        if (op < 0) continue;
        MatmulOp& m = lowered.ops[static_cast<std::size_t>(op)].matmul;
        const std::uint32_t row = m.pool.size * m.grid_w;  // the smallest block that is whole rows
        const std::uint64_t before = ub_rows_of(lowered, id, 1);
        const std::uint32_t saved = m.block_cap;
        std::uint32_t cap = m.block_cap > 0 ? m.block_cap : lowered.target.block_rows();
        while (cap / 2 >= row) {
            cap /= 2;
            m.block_cap = cap;
            if (ub_rows_of(lowered, id, 1) < before) return true;
        }
        if (cap > row) {  // between one row and twice that: one row
            m.block_cap = row;
            if (ub_rows_of(lowered, id, 1) < before) return true;
        }
        m.block_cap = saved;
    }
    return false;
}

}  // namespace tpusim::compiler
