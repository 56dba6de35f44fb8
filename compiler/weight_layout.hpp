// The weight image: every weight tile the program reads, stored compactly (tile_rows x
// tile_cols bytes, row-major) one after another in the order the compiler creates them.
// Layer weights give one tile per (K chunk, output chunk); tiles the compiler makes up
// (identity and 0/1 selection tiles for pools, copies and concatenations) are stored once
// per distinct content and shared.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tpusim::compiler {

struct WeightTile {
    std::uint32_t rows = 0, cols = 0;
    std::uint64_t address = 0;
    bool generated = false;  // made up by the compiler (identity, selection), not layer weights
    std::uint64_t bytes() const { return std::uint64_t{rows} * cols; }
};

class WeightImage {
public:
    /// A block of a row-major weight matrix with `row_length` columns: rows
    /// [row0, row0 + rows), columns [col0, col0 + cols).
    int dense(const std::vector<std::int8_t>& matrix, std::uint64_t row_length, std::uint64_t row0, std::uint32_t rows,
              std::uint64_t col0, std::uint32_t cols);
    /// An n x n tile with values[first + j] at (j, j) and zeros elsewhere (depthwise).
    int diagonal(const std::vector<std::int8_t>& values, std::uint64_t first, std::uint32_t n);
    /// A rows x cols 0/1 tile with a 1 at (r, to[r]) for every r whose to[r] >= 0.
    int selection(std::uint32_t rows, std::uint32_t cols, const std::vector<int>& to);
    int identity(std::uint32_t n);

    /// Makes room for `bytes` of tiles at once: the image of a large network is appended
    /// tile by tile, and growing it step by step would copy it and fault in its pages again.
    void reserve(std::uint64_t bytes) { bytes_.reserve(bytes); }

    const std::vector<WeightTile>& tiles() const { return tiles_; }
    const std::vector<std::uint8_t>& bytes() const { return bytes_; }
    std::vector<std::uint8_t> take_bytes() { return std::move(bytes_); }

private:
    int append(std::uint32_t rows, std::uint32_t cols, const std::uint8_t* data, bool generated);

    std::vector<WeightTile> tiles_;
    std::vector<std::uint8_t> bytes_;
    std::map<std::string, int> generated_;  // content -> tile, for the compiler's own tiles
};

}  // namespace tpusim::compiler
