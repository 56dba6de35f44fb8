#include "isa/input_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tpusim::isa {
namespace {

/// Why a file that is not a regular one cannot be read: "it is a FIFO, not a regular file".
std::string not_regular(mode_t mode) {
    const char* kind = S_ISDIR(mode)    ? "a directory"
                       : S_ISFIFO(mode) ? "a FIFO"
                       : S_ISCHR(mode)  ? "a character device"
                       : S_ISBLK(mode)  ? "a block device"
                       : S_ISSOCK(mode) ? "a socket"
                                        : nullptr;
    return kind != nullptr ? fmt::format("it is {}, not a regular file", kind) : "it is not a regular file";
}

/// "256 MiB", "16 GiB": the limits are whole MiB or GiB.
std::string size_text(std::uint64_t bytes) {
    if (bytes % (std::uint64_t{1} << 30) == 0) return fmt::format("{} GiB", bytes >> 30);
    if (bytes % (std::uint64_t{1} << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
    return fmt::format("{} bytes", bytes);
}

/// Closes the descriptor however the read ends.
struct Descriptor {
    int fd;
    ~Descriptor() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

std::string read_input_file(const std::string& path, const std::string& noun, std::uint64_t max_bytes) {
    const std::string what = noun.empty() ? "" : " " + noun;
    const auto fail = [&](const std::string& verb, const std::string& reason) {
        throw InputFileError(fmt::format("{}: cannot {}{}: {}", path, verb, what, reason));
    };
    // Non-blocking, so that opening a FIFO nobody writes to returns at once and is refused
    // below, instead of waiting for a writer.
    const Descriptor file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
    if (file.fd < 0) fail("open", std::strerror(errno));
    struct stat st {};
    if (::fstat(file.fd, &st) != 0) fail("read", std::strerror(errno));
    if (!S_ISREG(st.st_mode)) fail("read", not_regular(st.st_mode));
    const std::string too_large = "it is larger than " + size_text(max_bytes);
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes) fail("read", too_large);

    // The size is only a hint (files in /proc report 0, a file may grow): read to the end,
    // but never past the limit.
    std::string text;
    text.reserve(static_cast<std::size_t>(st.st_size));
    char buffer[1 << 16];
    for (;;) {
        const ssize_t n = ::read(file.fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("read", std::strerror(errno));
        if (n == 0) break;
        if (text.size() + static_cast<std::size_t>(n) > max_bytes) fail("read", too_large);
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
}

}  // namespace tpusim::isa
