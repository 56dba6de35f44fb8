// `tpusim sweep`: runs every point of a sweep file in parallel, shows progress, writes
// results.csv and draws the speedup plot (docs/sweeps.md).
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "sweep/runner.hpp"
#include "sweep/sweep_dir.hpp"
#include "sweep/sweep_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace tpusim::cli {

namespace {

/// One line that rewrites itself on a terminal; a line per finished run otherwise, so
/// that logs of batch jobs stay readable.
class ProgressDisplay {
public:
    explicit ProgressDisplay(unsigned jobs) : jobs_(jobs), terminal_(::isatty(STDERR_FILENO) == 1) {}

    void operator()(const sweep::Progress& p) {
        if (!started_) {
            started_ = true;
            start_ = std::chrono::steady_clock::now();
            std::fprintf(stderr, "sweep: %zu runs to do, %u at a time%s\n", p.runs, jobs_,
                         p.resumed ? fmt::format(" ({} already done)", p.resumed).c_str() : "");
        }
        if (p.runs == 0) return;
        const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start_);
        const std::string counts = fmt::format("{}/{} runs{}  {}:{:02}", p.finished, p.runs,
                                               p.failed ? fmt::format(", {} not ok", p.failed) : std::string(),
                                               elapsed.count() / 60, elapsed.count() % 60);
        if (terminal_) {
            constexpr std::size_t kWidth = 30;
            const std::size_t filled = p.finished * kWidth / p.runs;
            std::fprintf(stderr, "\r[%s%s] %s  %zu running\033[K", std::string(filled, '#').c_str(),
                         std::string(kWidth - filled, '.').c_str(), counts.c_str(), p.running);
            if (p.finished == p.runs) std::fprintf(stderr, "\n");
        } else if (!p.last.empty()) {
            std::fprintf(stderr, "[%s] %s\n", counts.c_str(), p.last.c_str());
        }
        std::fflush(stderr);
    }

private:
    unsigned jobs_;
    bool terminal_;
    bool started_ = false;
    std::chrono::steady_clock::time_point start_;
};

/// The plotting script: $TPUSIM_PLOT_SCRIPT, else the one in the source tree tpusim was
/// built from.
std::string plot_script() {
    const char* env = std::getenv("TPUSIM_PLOT_SCRIPT");
    return env != nullptr && *env != '\0' ? env : TPUSIM_PLOT_SCRIPT;
}

struct Plot {
    int status = -1;       // the script's exit status
    std::string messages;  // what it printed on stderr: notes, or why it failed
};

/// Runs `python3 SCRIPT sweep DIR -o OUT` (Debian's python3, which has Debian's
/// matplotlib), capturing its messages. Its stdout, the list of the files it wrote, is
/// dropped: plot_sweep says where they are.
Plot run_plot(const std::string& python, const std::string& script, const std::string& dir, const std::string& out) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) throw Error(fmt::format("cannot start the plot: {}", std::strerror(errno)));
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw Error(fmt::format("cannot start the plot: {}", std::strerror(errno)));
    if (pid == 0) {
        const int null = ::open("/dev/null", O_WRONLY);
        if (null >= 0) ::dup2(null, STDOUT_FILENO);
        ::dup2(pipe_fds[1], STDERR_FILENO);
        ::close(pipe_fds[0]);
        ::close(pipe_fds[1]);
        // The plot belongs to the sweep's own directory: it is redrawn on every run.
        const char* argv[] = {python.c_str(), script.c_str(), "sweep", dir.c_str(), "-o", out.c_str(), "--force", nullptr};
        ::execv(python.c_str(), const_cast<char* const*>(argv));
        std::fprintf(stderr, "cannot run %s: %s\n", python.c_str(), std::strerror(errno));
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    Plot plot;
    char buffer[4096];
    for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        plot.messages.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(pipe_fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    plot.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    while (!plot.messages.empty() && plot.messages.back() == '\n') plot.messages.pop_back();
    return plot;
}

/// Says where the plot is, or why there is none. Returns false when plotting broke.
bool plot_sweep(const std::string& dir) {
    const std::string python = "/usr/bin/python3";
    const std::string script = plot_script();
    const std::string out = dir + "/" + sweep::kPlotName;
    std::error_code ec;
    if (!std::filesystem::exists(python, ec)) {
        std::printf("plot: skipped: %s is not installed (scripts/install-deps installs it)\n", python.c_str());
        return true;
    }
    if (!std::filesystem::exists(script, ec)) {
        std::printf("plot: skipped: no plot script at %s (set TPUSIM_PLOT_SCRIPT to scripts/plot)\n", script.c_str());
        return true;
    }
    const Plot plot = run_plot(python, script, dir, out);
    if (plot.status == 0) {
        // Its notes (a workload whose base run failed has no line) belong with the plot.
        if (!plot.messages.empty()) std::fprintf(stderr, "%s\n", plot.messages.c_str());
        std::printf("plot: %s.svg and %s.png\n", out.c_str(), out.c_str());
        return true;
    }
    constexpr int kNoMatplotlib = 3;  // scripts/plot's status when matplotlib is missing
    if (plot.status == kNoMatplotlib) {
        std::printf("plot: skipped: %s\n", plot.messages.c_str());
        return true;
    }
    if (!plot.messages.empty()) std::fprintf(stderr, "%s\n", plot.messages.c_str());
    std::fprintf(stderr, "error: %s sweep %s exited with status %d; results.csv is complete\n", script.c_str(),
                 dir.c_str(), plot.status);
    return false;
}

int default_jobs() {
    const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<int>(std::min(n, 1024L)) : 1;
}

}  // namespace

int run_sweep(const std::vector<std::string>& args) {
    const std::string usage = "tpusim sweep SWEEP.yaml --out DIR [-j N] [--force] [--no-plot]";
    po::options_description options("sweep options");
    options.add_options()
        ("out,o", po::value<std::string>()->required(),
         "output directory: results.csv, the plot, a chip file per point and a record per run; "
         "an interrupted sweep started again with the same directory resumes")
        // Signed, so that -1 is refused rather than read as 4294967295.
        ("jobs,j", po::value<int>()->default_value(default_jobs()), "runs at once, each in its own process")
        ("force", po::bool_switch(), "discard the results of an earlier run of this sweep in DIR and start over")
        ("no-plot", po::bool_switch(), "do not draw the speedup plot");
    po::variables_map vm;
    if (!parse_options("sweep", usage, options, {{"sweep", "SWEEP.yaml", "sweep file (docs/sweeps.md)"}}, args, vm)) return 0;
    const int jobs = vm["jobs"].as<int>();
    if (jobs < 1) throw UsageError{fmt::format("--jobs: expected at least 1, got {}", jobs)};

    const sweep::SweepFile sweep = sweep::load_sweep(vm["sweep"].as<std::string>());
    sweep::RunnerOptions runner;
    runner.out_dir = vm["out"].as<std::string>();
    runner.jobs = static_cast<unsigned>(jobs);
    runner.force = vm["force"].as<bool>();
    ProgressDisplay display(runner.jobs);
    const auto summary = sweep::run_sweep(sweep, runner, [&](const sweep::Progress& p) { display(p); });

    std::printf("results: %s (%zu points x %zu workloads: %zu ok, %zu not ok; %zu runs done now, %zu earlier)\n",
                summary.results_csv.c_str(), summary.points, sweep.workloads.size(), summary.ok,
                summary.rows - summary.ok, summary.ran, summary.resumed);
    if (vm["no-plot"].as<bool>()) return 0;
    return plot_sweep(runner.out_dir) ? 0 : 1;
}

}  // namespace tpusim::cli
