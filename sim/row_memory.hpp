// What the unified buffer and the accumulators share: an on-chip SRAM of fixed-width rows,
// reached by the units through a port as whole rows. RowMemoryIf<T> is the boundary the
// units see (a memory's own interface may add to it); RowMemory<T, If> is the storage
// behind it. A unit asks for a row once and works
// on its elements in plain C++, so the functional path costs one interface call per row,
// never one per element. Storage only: every address was checked by the decode stage, and
// timing is the business of the units and of the UB's port book (sim/ub_ports.hpp).
#pragma once

#include <systemc>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

namespace tpusim::sim {

template <typename T>
class RowMemoryIf : public virtual sc_core::sc_interface {
public:
    /// The `width()` elements of row r, contiguous.
    virtual T* row(std::uint64_t r) = 0;
    virtual const T* row(std::uint64_t r) const = 0;
    virtual std::uint64_t rows() const = 0;
    virtual std::uint64_t width() const = 0;
};

template <typename T, typename If = RowMemoryIf<T>>
class RowMemory : public sc_core::sc_module, public If {
public:
    /// The storage starts zeroed. It comes from calloc, whose large blocks are fresh
    /// zero pages: a 24 MiB UB costs nothing until rows are written, which matters to
    /// sweeps and tests that run thousands of small programs on a big chip. Without data
    /// (timing-only runs) nothing is allocated.
    RowMemory(sc_core::sc_module_name name, std::uint64_t rows, std::uint64_t width, bool allocate)
        : sc_core::sc_module(name), rows_(rows), width_(width) {
        if (!allocate) return;
        data_.reset(static_cast<T*>(std::calloc(rows * width, sizeof(T))));
        if (!data_) throw std::bad_alloc();
    }
    T* row(std::uint64_t r) override { return data_.get() + r * width_; }
    const T* row(std::uint64_t r) const override { return data_.get() + r * width_; }
    std::uint64_t rows() const override { return rows_; }
    std::uint64_t width() const override { return width_; }
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

}  // namespace tpusim::sim
