// The unified buffer: on-chip SRAM for activations, `rows` rows of `width` int8 bytes
// (width = max(array rows, array cols), docs/isa.md). Storage only: every address was
// checked by the decode stage, and timing is the reading and writing units' business.
// Without data (timing-only runs) no storage is allocated.
#pragma once

#include <cstdint>
#include <vector>

namespace tpusim::sim {

template <typename T>
class RowMemory {
public:
    RowMemory(std::uint64_t rows, std::uint64_t width, bool allocate)
        : rows_(rows), width_(width), data_(allocate ? rows * width : 0) {}
    T* row(std::uint64_t r) { return data_.data() + r * width_; }
    const T* row(std::uint64_t r) const { return data_.data() + r * width_; }
    std::uint64_t rows() const { return rows_; }
    std::uint64_t width() const { return width_; }
    bool has_data() const { return !data_.empty(); }
    const std::vector<T>& data() const { return data_; }

private:
    std::uint64_t rows_, width_;
    std::vector<T> data_;
};

/// int8 activations, `width` bytes a row.
using UnifiedBuffer = RowMemory<std::int8_t>;

}  // namespace tpusim::sim
