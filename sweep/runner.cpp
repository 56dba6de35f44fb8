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

}  // namespace

SweepSummary run_sweep(const SweepFile& sweep, const RunnerOptions& options,
                       const std::function<void(const Progress&)>& on_progress) {
    const std::string& out = options.out_dir;
    prepare_sweep_dir(out, sweep, options.force);
    remove_partial_files(out);

    const std::string base_text = read_text(sweep.base);
    const config::ChipConfig base = config::parse_chip_config(base_text, sweep.base);
    const auto base_values = config::chip_config_values(base);
    std::vector<Workload> workloads;
    for (const auto& path : sweep.workloads)
        workloads.push_back({path, workload_name(path), read_text(path), compiler::load_workload(path)});

    const std::vector<Point> points = expand_grid(sweep, base);
    for (const char* d : {"points", "chips"}) {
        std::error_code ec;
        fs::create_directories(fs::path(out) / d, ec);
        if (ec) throw Error(fmt::format("{}/{}: cannot create: {}", out, d, ec.message()));
    }
    write_file_atomically(out + "/sweep.json", format_manifest(sweep, points));

    // Every point's chip file is written before it is read, so that a message about an
    // invalid point names a file the user can open.
    std::vector<PointChip> chips;
    std::set<std::string> chip_files;
    for (const auto& p : points) {
        PointChip c;
        c.file = "chips/" + p.id + ".yaml";
        const std::string path = out + "/" + c.file;
        const std::string text = point_chip_yaml(base_text, p.overrides, chip_comment(sweep, p, base_values));
        write_file_atomically(path, text);
        chip_files.insert(fs::path(path).filename().string());
        try {
            c.chip = config::parse_chip_config(text, path);
        } catch (const config::ConfigError& e) {
            c.error = e.what();
        }
        chips.push_back(std::move(c));
    }
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(out) / "chips", ec)) {  // chips of earlier grids
        if (entry.path().extension() == ".yaml" && chip_files.count(entry.path().filename().string()) == 0)
            fs::remove(entry.path(), ec);
    }

    std::vector<ResultRow> rows;
    std::vector<std::string> row_file;  // the record each row takes its result from; "" for invalid chips
    std::vector<Job> jobs;
    std::map<std::string, PointRecord> records;  // by file
    std::set<std::string> planned;
    Progress progress;
    for (std::size_t i = 0; i < points.size(); ++i) {
        for (std::size_t w = 0; w < workloads.size(); ++w) {
            ResultRow row;
            row.point = &points[i];
            row.chip_file = chips[i].file;
            row.record.workload = workloads[w].name;
            if (!chips[i].chip) {
                row.record.status = Status::InvalidConfig;
                row.record.reason = chips[i].error;
                rows.push_back(std::move(row));
                row_file.emplace_back();
                continue;
            }
            Job job;
            job.workload = w;
            job.chip = &*chips[i].chip;
            job.key = run_key(chip_key(*job.chip), workloads[w].path, workloads[w].text, sweep.data);
            job.file = fmt::format("{}/points/{}-{}.json", out, workloads[w].name, job.key);
            job.label = points[i].id + " " + workloads[w].name;
            rows.push_back(std::move(row));
            row_file.push_back(job.file);
            if (!planned.insert(job.file).second) continue;
            const auto earlier = read_point_record(job.file);
            if (earlier && earlier->key == job.key) {
                records[job.file] = *earlier;
                ++progress.resumed;
            } else {
                jobs.push_back(std::move(job));
            }
        }
    }

    progress.runs = jobs.size();
    on_progress(progress);
    Children children;
    const std::size_t parallel = std::max(1u, options.jobs);
    for (std::size_t next = 0; next < jobs.size() || children.size() > 0;) {
        while (children.size() < parallel && next < jobs.size()) {
            const Job& job = jobs[next];
            const Workload& workload = workloads[job.workload];
            const std::string log = job.file + ".log";
            children.start(next, [&] { return run_child(job, workload, sweep.data, log); });
            ++next;
        }
        progress.running = children.size();
        const auto [index, status] = children.wait();
        const Job& job = jobs[index];
        const std::string log = job.file + ".log";
        const bool exited_cleanly = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        auto record = exited_cleanly ? read_point_record(job.file) : std::nullopt;
        if (!record || record->key != job.key) {
            const std::string said = last_line(log);
            PointRecord crashed;
            crashed.key = job.key;
            crashed.workload = workloads[job.workload].name;
            crashed.status = Status::Crashed;
            crashed.reason = (exited_cleanly ? std::string("the run ended without writing its record")
                                             : "the run " + describe_exit(status)) +
                             (said.empty() ? "" : ": " + said);
            record = crashed;
        }
        fs::remove(log, ec);
        ++progress.finished;
        progress.running = children.size();
        if (record->status != Status::Ok) ++progress.failed;
        progress.last = job.label + ": " + status_name(record->status);
        records[job.file] = *record;
        on_progress(progress);
    }

    SweepSummary summary;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (!row_file[r].empty()) rows[r].record = records.at(row_file[r]);
        if (rows[r].record.status == Status::Ok) ++summary.ok;
    }
    summary.results_csv = out + "/results.csv";
    write_file_atomically(summary.results_csv, format_results_csv(sweep, rows));
    summary.rows = rows.size();
    summary.ran = jobs.size();
    summary.resumed = progress.resumed;
    summary.points = points.size();
    return summary;
}

}  // namespace tpusim::sweep
