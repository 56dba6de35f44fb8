#include "cli/files.hpp"

#include "isa/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace tpusim::cli {

namespace {

std::ifstream open_for_reading(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw Error(fmt::format("{}: is a directory, expected a file", path));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    return in;
}

}  // namespace

std::string read_text_file(const std::string& path) {
    auto in = open_for_reading(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::uint8_t> read_binary_file(const std::string& path) {
    auto in = open_for_reading(path);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void refuse_existing(const std::string& path, bool overwrite) {
    std::error_code ec;
    if (!overwrite && std::filesystem::exists(path, ec))
        throw Error(fmt::format("{}: exists; pass --force to overwrite it", path));
}

void write_file(const std::string& path, const std::string& data, bool overwrite) {
    refuse_existing(path, overwrite);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) throw Error(fmt::format("{}: write failed: {}", path, std::strerror(errno)));
}

void prepare_out_dir(const std::string& dir, bool force) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec)) throw Error(fmt::format("{}: exists and is not a directory", dir));
        if (!force && !fs::is_empty(dir, ec))
            throw Error(fmt::format("{}: exists and is not empty; pass --force to overwrite the results in it", dir));
        return;
    }
    fs::create_directories(dir, ec);
    if (ec) throw Error(fmt::format("{}: cannot create: {}", dir, ec.message()));
}

}  // namespace tpusim::cli
