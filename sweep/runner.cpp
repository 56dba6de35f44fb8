#include "sweep/runner.hpp"

#include "compiler/workload.hpp"
#include "config/chip_config.hpp"
#include "sweep/grid.hpp"
#include "sweep/point_record.hpp"
#include "sweep/point_run.hpp"
#include "sweep/results_table.hpp"
#include "sweep/sweep_dir.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

namespace tpusim::sweep {

namespace fs = std::filesystem;

namespace {

struct Workload {
    std::string path;
    std::string name;
    std::string text;  // for the run key
    compiler::Network network;
};

struct PointChip {
    std::string file;  // relative to the output directory
    std::optional<config::ChipConfig> chip;
    std::string error;  // why the chip file is not a valid chip
};

/// One child process's work: a workload on a chip. Points with equal chips share it.
struct Job {
    std::size_t workload = 0;
    const config::ChipConfig* chip = nullptr;
    std::string key;
    std::string file;   // its record
    std::string label;  // "p003 mlp0", for progress
};

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string chip_comment(const SweepFile& sweep, const Point& point, const std::vector<config::ParamValue>& base) {
    std::string out = fmt::format("Chip of point {} of sweep \"{}\" ({}), written by tpusim sweep:\n", point.id,
                                  sweep.name, sweep.source);
    out += fmt::format("the base chip {} with\n", sweep.base);
    for (const auto& o : point.overrides) {
        std::string was;
        for (const auto& v : base)
            if (v.spec.path() == o.spec.path()) was = v.text;
        out += fmt::format("  {} = {} (base {})\n", o.spec.path(), o.text(), was);
    }
    return out;
}

/// "exited with status 1", "killed by signal 11 (Segmentation fault)".
std::string describe_exit(int status) {
    if (WIFSIGNALED(status))
        return fmt::format("killed by signal {} ({})", WTERMSIG(status), ::strsignal(WTERMSIG(status)));
    return fmt::format("exited with status {}", WEXITSTATUS(status));
}

/// The last non-empty line of a child's output, which is where it reports what went wrong.
std::string last_line(const std::string& path) {
    std::ifstream in(path);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty()) last = line;
    return last;
}

/// Two sweeps writing one directory would each take the other's half-written state for
/// its own; the second one is refused. The lock is on the directory itself, so nothing is
/// left behind, and it goes with the processes holding it, however they end.
class DirectoryLock {
public:
    explicit DirectoryLock(const std::string& dir) {
        fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd_ < 0) throw Error(fmt::format("{}: cannot open: {}", dir, std::strerror(errno)));
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd_);
            throw SweepError(fmt::format("{}: another tpusim sweep is writing this directory", dir));
        }
    }
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;
    ~DirectoryLock() { ::close(fd_); }

private:
    int fd_ = -1;
};

/// Child processes still running when the parent leaves early (an exception) are stopped
/// and reaped, so that none outlives the sweep.
class Children {
public:
    Children() = default;
    Children(const Children&) = delete;
    Children& operator=(const Children&) = delete;
    ~Children() {
        for (const auto& c : running_) ::kill(c.first, SIGTERM);
        for (const auto& c : running_) ::waitpid(c.first, nullptr, 0);
    }

    std::size_t size() const { return running_.size(); }

    /// Forks; the child runs `body` and ends with its result, never returning here.
    template <typename Body>
    void start(std::size_t job, Body body) {
        std::fflush(nullptr);  // nothing buffered in the parent may be written twice
        std::cout.flush();
        std::cerr.flush();
        const pid_t pid = ::fork();
        if (pid < 0) throw Error(fmt::format("cannot start a process for a sweep run: {}", std::strerror(errno)));
        if (pid == 0) ::_exit(body());  // _exit: the parent's atexit handlers and buffers are not the child's
        running_[pid] = job;
    }

    /// Waits for any child; returns its job and wait status.
    std::pair<std::size_t, int> wait() {
        for (;;) {
            int status = 0;
            const pid_t pid = ::waitpid(-1, &status, 0);
            if (pid < 0 && errno == EINTR) continue;
            if (pid < 0) throw Error(fmt::format("waiting for sweep runs: {}", std::strerror(errno)));
            const auto it = running_.find(pid);
            if (it == running_.end()) continue;  // not one of ours
            const std::size_t job = it->second;
            running_.erase(it);
            return {job, status};
        }
    }

private:
    std::map<pid_t, std::size_t> running_;
};

/// The child's side of a run: compile, simulate, write the record. Its output goes to a
/// log that the parent reads when the run does not finish.
int run_child(const Job& job, const Workload& workload, bool data, const std::string& log) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        ::close(fd);
    }
    try {
        const PointRecord record = run_point(workload.network, *job.chip, data, job.key, workload.name);
        write_file_atomically(job.file, format_point_record(record));
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
    }
    std::fflush(stderr);
    return 1;
}

/// Writes every point's chip file, then reads it back. Written first, so that a message
/// about an invalid point names a file the user can open.
std::vector<PointChip> write_point_chips(const SweepFile& sweep, const std::vector<Point>& points,
                                         const std::string& base_text, const config::ChipConfig& base,
                                         const std::string& out) {
    const auto base_values = config::chip_config_values(base);
    std::vector<PointChip> chips;
    std::set<std::string> names;
    for (const auto& p : points) {
        PointChip c;
        c.file = "chips/" + p.id + ".yaml";
        const std::string path = out + "/" + c.file;
        const std::string text = point_chip_yaml(base_text, p.overrides, chip_comment(sweep, p, base_values));
        write_file_atomically(path, text);
        names.insert(p.id + ".yaml");
        try {
            c.chip = config::parse_chip_config(text, path);
        } catch (const config::ConfigError& e) {
            c.error = e.what();
        }
        chips.push_back(std::move(c));
    }
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(out) / "chips", ec)) {  // points of an earlier grid
        if (entry.path().extension() == ".yaml" && names.count(entry.path().filename().string()) == 0)
            fs::remove(entry.path(), ec);
    }
    return chips;
}

/// The rows of results.csv and the runs they need. Rows of invalid chips are complete
/// already; the others take their record from `row_file`, which the runs or an earlier
/// invocation provide.
struct Plan {
    std::vector<ResultRow> rows;
    std::vector<std::string> row_file;  // per row: its record's file ("" for invalid chips)
    std::vector<Job> jobs;              // runs to do now
    std::map<std::string, PointRecord> records;  // by file: finished runs
    std::size_t resumed = 0;
};

Plan plan_runs(const SweepFile& sweep, const std::vector<Point>& points, const std::vector<PointChip>& chips,
               const std::vector<Workload>& workloads, const std::string& out) {
    Plan plan;
    std::set<std::string> planned;
    for (std::size_t i = 0; i < points.size(); ++i) {
        for (std::size_t w = 0; w < workloads.size(); ++w) {
            ResultRow row;
            row.point = &points[i];
            row.chip_file = chips[i].file;
            row.record.workload = workloads[w].name;
            if (!chips[i].chip) {
                row.record.status = Status::InvalidConfig;
                row.record.reason = chips[i].error;
                plan.rows.push_back(std::move(row));
                plan.row_file.emplace_back();
                continue;
            }
            Job job;
            job.workload = w;
            job.chip = &*chips[i].chip;
            job.key = run_key(chip_key(*job.chip), workloads[w].path, workloads[w].text, sweep.data);
            job.file = fmt::format("{}/points/{}-{}.json", out, workloads[w].name, job.key);
            job.label = points[i].id + " " + workloads[w].name;
            plan.rows.push_back(std::move(row));
            plan.row_file.push_back(job.file);
            if (!planned.insert(job.file).second) continue;  // an equal chip earlier in the grid
            const auto earlier = read_point_record(job.file);
            if (earlier && earlier->key == job.key) {
                plan.records[job.file] = *earlier;
                ++plan.resumed;
            } else {
                plan.jobs.push_back(std::move(job));
            }
        }
    }
    return plan;
}

/// The record of a finished child: what it wrote, or a Crashed record saying how it ended.
PointRecord collect(const Job& job, const std::string& workload, int status) {
    const std::string log = job.file + ".log";
    const bool exited_cleanly = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    auto record = exited_cleanly ? read_point_record(job.file) : std::nullopt;
    if (!record || record->key != job.key) {
        const std::string said = last_line(log);
        record = PointRecord{};
        record->key = job.key;
        record->workload = workload;
        record->status = Status::Crashed;
        record->reason = (exited_cleanly ? std::string("the run ended without writing its record")
                                         : "the run " + describe_exit(status)) +
                         (said.empty() ? "" : ": " + said);
    }
    std::error_code ec;
    fs::remove(log, ec);
    return *record;
}

/// Runs the plan's jobs, at most `parallel` at once, adding their records to the plan.
void run_jobs(Plan& plan, const std::vector<Workload>& workloads, bool data, unsigned parallel,
              const std::function<void(const Progress&)>& on_progress) {
    Progress progress;
    progress.runs = plan.jobs.size();
    progress.resumed = plan.resumed;
    Children children;
    std::size_t next = 0;
    const auto start_more = [&] {
        while (children.size() < std::max(1u, parallel) && next < plan.jobs.size()) {
            const Job& job = plan.jobs[next];
            const Workload& workload = workloads[job.workload];
            children.start(next, [&] { return run_child(job, workload, data, job.file + ".log"); });
            ++next;
        }
        progress.running = children.size();
    };
    start_more();
    on_progress(progress);
    while (children.size() > 0) {
        const auto [index, status] = children.wait();
        const Job& job = plan.jobs[index];
        const PointRecord record = collect(job, workloads[job.workload].name, status);
        plan.records[job.file] = record;
        ++progress.finished;
        if (record.status != Status::Ok) ++progress.failed;
        progress.last = job.label + ": " + status_name(record.status);
        start_more();
        on_progress(progress);
    }
}

}  // namespace

SweepSummary run_sweep(const SweepFile& sweep, const RunnerOptions& options,
                       const std::function<void(const Progress&)>& on_progress) {
    // Every input is read before the directory is touched: a workload that cannot be read
    // must not cost the results --force would discard, nor leave an empty directory.
    const std::string base_text = read_text(sweep.base);
    const config::ChipConfig base = config::parse_chip_config(base_text, sweep.base);
    std::vector<Workload> workloads;  // read once here; every child inherits them
    for (const auto& path : sweep.workloads)
        workloads.push_back({path, workload_name(path), read_text(path), compiler::load_workload(path)});
    const std::vector<Point> points = expand_grid(sweep, base);

    const std::string& out = options.out_dir;
    prepare_sweep_dir(out, sweep);
    const DirectoryLock lock(out);
    if (options.force) clear_sweep_results(out);
    remove_partial_files(out);

    for (const char* d : {"points", "chips"}) {
        std::error_code ec;
        fs::create_directories(fs::path(out) / d, ec);
        if (ec) throw Error(fmt::format("{}/{}: cannot create: {}", out, d, ec.message()));
    }
    write_file_atomically(out + "/sweep.json", format_manifest(sweep, points));
    const std::vector<PointChip> chips = write_point_chips(sweep, points, base_text, base, out);

    Plan plan = plan_runs(sweep, points, chips, workloads, out);
    run_jobs(plan, workloads, sweep.data, options.jobs, on_progress);

    SweepSummary summary;
    for (std::size_t r = 0; r < plan.rows.size(); ++r) {
        if (!plan.row_file[r].empty()) plan.rows[r].record = plan.records.at(plan.row_file[r]);
        if (plan.rows[r].record.status == Status::Ok) ++summary.ok;
    }
    summary.results_csv = out + "/results.csv";
    write_file_atomically(summary.results_csv, format_results_csv(sweep, plan.rows));
    summary.rows = plan.rows.size();
    summary.ran = plan.jobs.size();
    summary.resumed = plan.resumed;
    summary.points = points.size();
    return summary;
}

}  // namespace tpusim::sweep
