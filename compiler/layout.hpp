// How activation tensors sit in the unified buffer (docs/compiler.md, "Data layout").
//
// A tensor has `features` values per position, cut into chunks of T = min(R, C) features;
// one UB row holds one chunk of one position of one sample. Positions form a grid
// height x width (a vector is 1 x 1, a sequence steps x 1, a feature map H x W). A buffer
// is chunk-major, so any run of whole chunks is a contiguous range of rows (which is what
// lets a concatenation place its inputs side by side without copying):
//
//   map       row(c, n, y, x) = base + ((c*N + n)*Hs + y + top)*Ws + x + left
//                                 (Hs, Ws: height and width including the zero border)
//   sequence  row(c, n, t)    = base + (c*steps + t)*N + n   (all samples of a step adjacent)
//   vector    row(c, n)       = base + c*N + n
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::compiler {

enum class Order { Vector, Sequence, Map };

/// A zero border around a feature map, for convolutions that read padding.
struct Frame {
    std::uint32_t top = 0, bottom = 0, left = 0, right = 0;
    bool empty() const { return top == 0 && bottom == 0 && left == 0 && right == 0; }
};

std::uint32_t chunk_count(std::uint32_t features, std::uint32_t chunk);
/// Features in chunk `c` of a tensor with `features` features.
std::uint32_t chunk_features(std::uint32_t features, std::uint32_t chunk, std::uint32_t c);

/// UB rows shared by one tensor, or by the inputs of a concatenation and its output.
struct Buffer {
    std::string name;
    Order order = Order::Vector;
    std::uint32_t chunks = 0;
    std::uint32_t height = 1, width = 1;  // positions, without the border
    Frame frame;
    bool from_host = false;         // a network input: the host image holds it whole, border included
    int layer = -1;                 // the layer that writes it (zero fill is charged to it); -1 for inputs
    int first_op = 0, last_op = 0;  // liveness, in lowered-op indices (inclusive)
    /// A tensor in host memory read by this op alone is streamed: brought in block by block
    /// (compiler/streaming.hpp) instead of loaded whole; -1 if not. Such a tensor is a
    /// network input, or a spilled tensor (compiler/spilling.hpp).
    int streamed_by = -1;
    /// A spilled tensor lives in host memory: its producer activates each block into the
    /// staging buffer `out_staging` and writes it out from there; -1 if not spilled.
    int out_staging = -1;
    /// This buffer is the producer's staging area of spilled buffer `staging_of`; -1 if not.
    int staging_of = -1;

    bool spilled() const { return out_staging >= 0; }
    /// Comes from host memory (a network input, a spilled tensor): its zero border arrives
    /// with it from the host image and is never cleared in the UB.
    bool in_host() const { return from_host || spilled(); }

    std::uint64_t rows(std::uint32_t batch) const;
};

/// Row strides of a buffer for one batch size; origin is the row of chunk 0, sample 0,
/// position (0, 0) of the interior (the border lies at negative y and x).
struct Geometry {
    std::int64_t origin = 0;
    std::int64_t chunk = 0, sample = 0, y = 0, x = 0;

    std::int64_t row(std::int64_t c, std::int64_t n, std::int64_t py, std::int64_t px) const {
        return origin + c * chunk + n * sample + py * y + px * x;
    }
};
Geometry geometry_of(const Buffer& buffer, std::uint32_t batch, std::uint64_t base);

/// One loop of a multi-stream access pattern: `count` steps, each advancing stream s by
/// stride[s] rows. Streams are e.g. (UB source, accumulators) or (a, b, destination).
struct Dim {
    std::uint64_t count = 1;
    std::array<std::int64_t, 3> stride{};
};

/// Drops loops of one step and fuses a loop into the one inside it wherever every stream
/// continues contiguously (outer stride = inner count x inner stride). Outermost first.
std::vector<Dim> merge_dims(const std::vector<Dim>& dims, std::size_t streams);

/// A run of consecutive rows in every stream: start rows and length.
struct Run {
    std::array<std::int64_t, 3> start{};
    std::uint64_t length = 0;
};

/// Splits the access pattern into the fewest runs in which every stream advances by one row
/// per step (after merge_dims; the innermost loop becomes a run where its strides are all 1).
std::vector<Run> contiguous_runs(const std::array<std::int64_t, 3>& start, const std::vector<Dim>& dims,
                                 std::size_t streams);

/// The row ranges in [first, first + count) that are not covered by `used` (sorted, disjoint
/// [begin, end) ranges inside it).
std::vector<std::pair<std::uint64_t, std::uint64_t>> gaps(
    std::uint64_t first, std::uint64_t count, const std::vector<std::pair<std::uint64_t, std::uint64_t>>& used);

}  // namespace tpusim::compiler
