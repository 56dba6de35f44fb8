// Where the program needs an explicit `sync`: the unified-buffer rows that one unit has
// written and no sync has waited for since. Before an instruction reads such rows written
// by ANOTHER unit (the matrix unit reading the activations a layer wrote or an input the
// host brought in; a vector step reading host input), the emitter puts a `sync
// mode=ub_range` over them right in front of it, as late as possible, so that the weight
// reads and host transfers issued before it stay in flight (docs/compiler.md, "Syncs").
#pragma once

#include "isa/instruction.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace tpusim::compiler {

/// The unit an instruction runs on, as far as UB writes and reads go.
enum class UbUnit : std::uint8_t { HostIn, HostOut, Matrix, Activation, Other };

class SyncPoints {
public:
    using Range = std::pair<std::uint64_t, std::uint64_t>;  // rows [first, second)

    /// The sync ranges `in` needs before it (at most one per operand range it reads, merged
    /// where they overlap). A range sync waits until every write to its rows is done, and a
    /// write is done with all its rows at once: so every row of the writes it waits for
    /// counts as waited for from then on.
    std::vector<Range> before(const isa::Instruction& in);
    /// Records the UB rows `in` writes (`out_rows`: what an Activate writes after pooling).
    void wrote(const isa::Instruction& in, std::uint64_t out_rows);

private:
    /// A run of rows whose latest write is instruction `write` (which wrote `rows`).
    struct Written {
        std::uint64_t end;
        UbUnit unit;
        std::uint64_t write;
        Range rows;
    };
    /// The hull of rows in [lo, hi) written by a unit other than `reader` and not yet
    /// synced, and the writes that own them.
    std::optional<Range> pending(std::uint64_t lo, std::uint64_t hi, UbUnit reader,
                                 std::vector<std::pair<std::uint64_t, Range>>& writes) const;
    /// Cuts [lo, hi) out of the written rows (only the runs of `write`, if given).
    void erase(std::uint64_t lo, std::uint64_t hi, std::optional<std::uint64_t> write = std::nullopt);

    std::map<std::uint64_t, Written> written_;  // disjoint runs of rows, by first row
    std::uint64_t writes_ = 0;                  // writes recorded so far
};

}  // namespace tpusim::compiler
