#include "cli/files.hpp"

#include "isa/error.hpp"
#include "isa/input_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace tpusim::cli {

std::string read_text_file(const std::string& path, const std::string& noun) {
    return isa::read_input_file(path, noun, isa::kMaxTextInputBytes);
}

std::vector<std::uint8_t> read_binary_file(const std::string& path, const std::string& noun) {
    const std::string bytes = isa::read_input_file(path, noun, isa::kMaxBinaryInputBytes);
    return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
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
