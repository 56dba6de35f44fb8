// The unified buffer: on-chip SRAM for activations, `rows` rows of `width` int8 bytes
// (width = max(array rows, array cols), docs/isa.md). Storage only: every address was
// checked by the decode stage, and timing is the reading and writing units' business.
// Without data (timing-only runs) no storage is allocated.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

namespace tpusim::sim {

template <typename T>
class RowMemory {
public:
    /// The storage starts zeroed. It comes from calloc, whose large blocks are fresh
    /// zero pages: a 24 MiB UB costs nothing until rows are written, which matters to
    /// sweeps and tests that run thousands of small programs on a big chip.
    RowMemory(std::uint64_t rows, std::uint64_t width, bool allocate) : rows_(rows), width_(width) {
        if (!allocate) return;
        data_.reset(static_cast<T*>(std::calloc(rows * width, sizeof(T))));
        if (!data_) throw std::bad_alloc();
    }
    T* row(std::uint64_t r) { return data_.get() + r * width_; }
    const T* row(std::uint64_t r) const { return data_.get() + r * width_; }
    std::uint64_t rows() const { return rows_; }
    std::uint64_t width() const { return width_; }
    bool has_data() const { return data_ != nullptr; }
    /// A copy of the whole memory, row after row (empty without data).
    std::vector<T> contents() const {
        return data_ ? std::vector<T>(data_.get(), data_.get() + rows_ * width_) : std::vector<T>{};
    }

private:
    struct Free {
        void operator()(T* p) const { std::free(p); }
    };
    std::uint64_t rows_, width_;
    std::unique_ptr<T, Free> data_;
};

/// int8 activations, `width` bytes a row.
using UnifiedBuffer = RowMemory<std::int8_t>;

}  // namespace tpusim::sim
