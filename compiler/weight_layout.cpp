#include "compiler/weight_layout.hpp"

namespace tpusim::compiler {

int WeightImage::append(std::uint32_t rows, std::uint32_t cols, const std::uint8_t* data, bool generated) {
    WeightTile t;
    t.rows = rows;
    t.cols = cols;
    t.address = bytes_.size();
    t.generated = generated;
    bytes_.insert(bytes_.end(), data, data + t.bytes());
    tiles_.push_back(t);
    return static_cast<int>(tiles_.size() - 1);
}

int WeightImage::dense(const std::vector<std::int8_t>& matrix, std::uint64_t row_length, std::uint64_t row0,
                       std::uint32_t rows, std::uint64_t col0, std::uint32_t cols) {
    std::vector<std::uint8_t> tile(std::size_t{rows} * cols);
    for (std::uint32_t r = 0; r < rows; ++r) {
        const std::int8_t* from = matrix.data() + (row0 + r) * row_length + col0;
        for (std::uint32_t c = 0; c < cols; ++c) tile[std::size_t{r} * cols + c] = static_cast<std::uint8_t>(from[c]);
    }
    return append(rows, cols, tile.data(), false);
}

int WeightImage::diagonal(const std::vector<std::int8_t>& values, std::uint64_t first, std::uint32_t n) {
    std::vector<std::uint8_t> tile(std::size_t{n} * n, 0);
    for (std::uint32_t j = 0; j < n; ++j) tile[std::size_t{j} * n + j] = static_cast<std::uint8_t>(values[first + j]);
    return append(n, n, tile.data(), false);
}

int WeightImage::selection(std::uint32_t rows, std::uint32_t cols, const std::vector<int>& to) {
    std::string key = std::to_string(rows) + "x" + std::to_string(cols) + ":";
    key.resize(key.size() + std::size_t{rows} * cols, '\0');
    const std::size_t head = key.size() - std::size_t{rows} * cols;
    for (std::uint32_t r = 0; r < rows; ++r)
        if (to[r] >= 0) key[head + std::size_t{r} * cols + static_cast<std::size_t>(to[r])] = 1;
    const auto it = generated_.find(key);
    if (it != generated_.end()) return it->second;
    const int id = append(rows, cols, reinterpret_cast<const std::uint8_t*>(key.data() + head), true);
    generated_.emplace(std::move(key), id);
    return id;
}

int WeightImage::identity(std::uint32_t n) {
    std::vector<int> to(n);
    for (std::uint32_t j = 0; j < n; ++j) to[j] = static_cast<int>(j);
    return selection(n, n, to);
}

}  // namespace tpusim::compiler
