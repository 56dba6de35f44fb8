#include "cli/files.hpp"

#include "isa/error.hpp"
#include "isa/input_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace tpusim::cli {

std::string read_text_file(const std::string& path, const std::string& noun) {
    return isa::read_input_file(path, noun, isa::kMaxTextInputBytes);
}

std::vector<std::uint8_t> read_binary_file(const std::string& path, const std::string& noun) {
    const std::string bytes = isa::read_input_file(path, noun, isa::kMaxBinaryInputBytes);
    return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

namespace {

/// Throws unless files can be created in `dir`: it exists, is a directory, and is writable.
void check_writable_dir(const std::string& path, const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(dir, ec)) throw Error(fmt::format("{}: cannot write: the directory {} does not exist", path, dir));
    if (!fs::is_directory(dir, ec)) throw Error(fmt::format("{}: cannot write: {} is not a directory", path, dir));
    if (::access(dir.c_str(), W_OK) != 0)
        throw Error(fmt::format("{}: cannot write into {}: {}", path, dir, std::strerror(errno)));
}

}  // namespace

void check_output_file(const std::string& path, bool overwrite) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw Error(fmt::format("{}: is a directory; expected a file name", path));
    if (!overwrite && fs::exists(path, ec)) throw Error(fmt::format("{}: exists; pass --force to overwrite it", path));
    const fs::path folder = fs::path(path).parent_path();
    check_writable_dir(path, folder.empty() ? "." : folder.string());
}

void write_file(const std::string& path, const std::string& data, bool overwrite) {
    check_output_file(path, overwrite);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) throw Error(fmt::format("{}: write failed: {}", path, std::strerror(errno)));
}

void check_out_dir(const std::string& dir, bool force) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec)) throw Error(fmt::format("{}: exists and is not a directory", dir));
        if (!force && !fs::is_empty(dir, ec))
            throw Error(fmt::format("{}: exists and is not empty; pass --force to overwrite the results in it", dir));
        check_writable_dir(dir, dir);
        return;
    }
    // It will be created with its missing parents: the nearest existing one must take it.
    fs::path parent = fs::path(dir).lexically_normal();
    do parent = parent.parent_path();
    while (!parent.empty() && !fs::exists(parent, ec));
    check_writable_dir(dir, parent.empty() ? "." : parent.string());
}

void prepare_out_dir(const std::string& dir, bool force) {
    namespace fs = std::filesystem;
    check_out_dir(dir, force);
    std::error_code ec;
    if (fs::exists(dir, ec)) return;
    fs::create_directories(dir, ec);
    if (ec) throw Error(fmt::format("{}: cannot create: {}", dir, ec.message()));
}

namespace {

constexpr const char* kOutputListHeader =
    "# The files tpusim wrote into this directory, one per line; tpusim run --out and tpusim compile -o\n"
    "# with --force remove them before they write their own (docs/reports.md).\n";

/// Removes the files that the list of an earlier command names, if there is one.
void remove_earlier_outputs(const std::string& dir) {
    namespace fs = std::filesystem;
    const fs::path list = fs::path(dir) / kOutputList;
    std::error_code ec;
    if (!fs::is_regular_file(list, ec)) return;
    std::istringstream lines(read_text_file(list.string(), "output list"));
    std::string name;
    for (int line = 1; std::getline(lines, name); ++line) {
        if (name.empty() || name[0] == '#') continue;
        const fs::path file = fs::path(dir) / name;
        if (name.find('/') != std::string::npos || name == "." || name == ".." || name == kOutputList) {
            std::cerr << fmt::format("note: {}:{}: '{}' is not a file name of this directory; left alone\n",
                                     list.string(), line, name);
            continue;
        }
        if (!fs::is_regular_file(fs::symlink_status(file, ec))) continue;  // gone already, or not a file we wrote
        if (!fs::remove(file, ec) || ec)
            throw Error(fmt::format("{}: cannot remove an earlier output: {}", file.string(), ec.message()));
    }
}

}  // namespace

Output text_output(std::string name, std::string data) {
    return {std::move(name), [data = std::move(data)](const std::string& path) { write_file(path, data, true); }};
}

void write_outputs(const std::string& dir, const std::vector<Output>& outputs) {
    remove_earlier_outputs(dir);
    // The list comes first: a command that fails half way leaves no file it does not name.
    std::string list = kOutputListHeader;
    for (const auto& output : outputs) list += output.first + "\n";
    write_file(dir + "/" + kOutputList, list, true);
    for (const auto& [name, write] : outputs) write(dir + "/" + name);
}

}  // namespace tpusim::cli
