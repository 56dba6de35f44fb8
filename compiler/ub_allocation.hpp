// Unified-buffer allocation: each buffer gets a fixed range of rows for the whole program.
// Two buffers may share rows when their lifetimes (lowered-op intervals, from the graph)
// do not overlap. Placement is greedy by size: largest buffer first, each at the lowest row
// where it overlaps no already placed buffer that is alive at the same time. A few rows at
// the top are kept zero for clearing the borders of padded feature maps.
#pragma once

#include "compiler/lowered.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace tpusim::compiler {

struct UbPlan {
    std::uint32_t batch = 0;          // samples per pass this plan is for
    std::vector<std::uint64_t> base;  // first row of each buffer
    std::vector<bool> zero_fill;      // border must be cleared: the rows held other data before
    std::uint64_t rows_used = 0;      // highest row used + 1
    /// Rows no instruction writes, so they stay zero from reset: the source that vector
    /// instructions copy into borders that must be cleared. At the top of the UB.
    std::uint64_t zero_first = 0, zero_rows = 0;
};

/// Why a plan failed: at op `op` the buffers alive need `rows_needed` rows.
struct UbShortage {
    int op = 0;
    std::uint64_t rows_needed = 0;
    std::vector<int> live;  // buffers alive at that op, largest first
};

std::optional<UbPlan> plan_ub(const LoweredNetwork& lowered, std::uint32_t batch, UbShortage* why);

/// A pass that runs under `later` after a pass under `earlier` (the last, smaller pass of a
/// split batch) finds written every row that `earlier` gave a buffer: a border there is no
/// longer zero from reset and must be cleared too. (`later`'s zero rows are safe: with fewer
/// samples no border run is longer, so it keeps no more zero rows than `earlier` did.)
void clear_after(const LoweredNetwork& lowered, UbPlan& later, const UbPlan& earlier);

}  // namespace tpusim::compiler

namespace tpusim::compiler {

/// Row addressing of one tensor under a plan.
struct TensorRows {
    Geometry g;
    std::uint32_t chunk0 = 0;
    std::int64_t row(std::int64_t c, std::int64_t n, std::int64_t y, std::int64_t x) const {
        return g.row(chunk0 + c, n, y, x);
    }
};
TensorRows rows_of(const LoweredNetwork& lowered, const UbPlan& plan, int tensor);

/// The rows a host transfer of the tensor moves: all rows of its chunks, borders included.
std::pair<std::uint64_t, std::uint64_t> transfer_rows(const LoweredNetwork& lowered, const UbPlan& plan, int tensor);

/// The UB row and byte within it of element `e` (row-major in the tensor's logical shape)
/// of sample `n`.
std::pair<std::int64_t, std::uint32_t> element_place(const UbTensor& tensor, const TensorRows& rows,
                                                     std::uint32_t chunk, std::uint32_t n, std::uint64_t e);

/// Rows of a map buffer's zero border (everything outside the interior positions), as runs.
std::vector<std::pair<std::uint64_t, std::uint64_t>> border_runs(const Buffer& buffer, std::uint32_t batch,
                                                                 std::uint64_t base);

}  // namespace tpusim::compiler
