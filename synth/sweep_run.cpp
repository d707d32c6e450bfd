#include "synth/sweep_run.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <thread>

#include "generators/unit.h"
#include "synth/tool_run.h"

namespace fs = std::filesystem;

namespace nf::sweep {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kStages[] = {"generate", "verilate", "simulate", "synthesize", "time", "power", "accuracy"};

// Process groups of the running points, for the signal handler: Ctrl-C or kill takes them down with us.
constexpr int kMaxJobs = 256;
volatile sig_atomic_t g_groups[kMaxJobs];

void killPointsAndDie(int sig) {
  for (int i = 0; i < kMaxJobs; ++i)
    if (g_groups[i] > 0) ::kill(-pid_t(g_groups[i]), SIGTERM);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// In a point's child: SIGTERM (from the sweep on --point-timeout, or PR_SET_PDEATHSIG when the sweep dies,
// kill -9 included) goes to the point's whole group: the verilator/make/compiler it started and the tool
// supervisors, which take their Yosys / OpenSTA groups down with them.
void termPointGroup(int) {
  ::signal(SIGTERM, SIG_DFL);
  ::kill(0, SIGTERM);
}

std::optional<nlohmann::json> readJson(const fs::path& p) {
  const std::optional<std::string> text = synth::tools::readFile(p);
  if (!text) return std::nullopt;
  try {
    return nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // cannot happen with atomic writes; treated as not finished
  }
}

struct Running {
  const SweepPoint* point;
  std::string id;
  pid_t pid;
  int slot;
  Clock::time_point start;
  bool timedOut = false;
  Clock::time_point killAt{};
};

pid_t startPoint(const SweepPoint& p, const std::string& id, const ToolVersions& tools, const fs::path& dir,
                 int threads) {
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(fmt::format("sweep: fork failed: {}", std::strerror(errno)));
  if (pid == 0) {
    ::setpgid(0, 0);
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGTERM, termPointGroup);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);
    int status = 0;
    try {
      const nlohmann::json r = runPoint(p, id, tools, dir, {threads});
      writeAtomically(dir / "result.json", r.dump(2) + "\n");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "sweep: point %s: %s\n", id.c_str(), e.what());
      status = 1;
    }
    std::fflush(nullptr);
    ::_exit(status);
  }
  ::setpgid(pid, pid);  // also here: the group exists whichever of the two runs first
  return pid;
}

std::string duration(double s) {
  if (s < 60) return fmt::format("{:.0f}s", s);
  return fmt::format("{}m{:02d}s", int(s) / 60, int(s) % 60);
}

class Progress {
 public:
  Progress(size_t total, size_t toRun, bool on) : total_(total), toRun_(toRun), on_(on), start_(Clock::now()) {}
  void finished(const nlohmann::json& r, RunSummary& s, size_t running) {
    ++s.ran;
    if (r.value("status", "") != "ok") ++s.failed;
    for (const char* st : kStages)
      if (r["stage_seconds"].contains(st))
        s.stageSeconds[st] = s.stageSeconds.value(st, 0.0) + r["stage_seconds"][st].get<double>();
    print(s, running);
  }
  void print(const RunSummary& s, size_t running) const {
    if (!on_) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    std::string stages;
    for (const char* st : kStages)
      stages += s.stageSeconds.contains(st) ? fmt::format(" {} {:.1f}s", st, s.stageSeconds[st].get<double>())
                                             : fmt::format(" {} -", st);
    const size_t left = toRun_ - s.ran;
    const std::string eta = s.ran ? duration(elapsed / double(s.ran) * double(left)) : "?";
    fmt::print(stderr, "sweep: {}/{} done ({} cached), {} failed, {} running |{} | elapsed {} ETA {}\n",
               s.cached + s.ran, total_, s.cached, s.failed, running, stages, duration(elapsed), eta);
  }

 private:
  size_t total_, toRun_;
  bool on_;
  Clock::time_point start_;
};

// Reaps finished children, kills those past the timeout; returns when one finished or 100 ms passed.
void reap(std::vector<Running>& running, const SweepConfig& cfg, const ToolVersions& tools, const RunOptions& opt,
          Progress& progress, RunSummary& s) {
  int status = 0;
  const pid_t pid = ::waitpid(-1, &status, WNOHANG);
  if (pid <= 0) {
    const auto now = Clock::now();
    for (Running& r : running) {
      if (opt.pointTimeoutS > 0 && !r.timedOut &&
          std::chrono::duration<double>(now - r.start).count() > opt.pointTimeoutS) {
        r.timedOut = true;
        r.killAt = now + std::chrono::seconds(2);
        ::kill(-r.pid, SIGTERM);
      } else if (r.timedOut && now > r.killAt) {
        ::kill(-r.pid, SIGKILL);  // whatever ignored SIGTERM
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return;
  }
  for (size_t i = 0; i < running.size(); ++i) {
    if (running[i].pid != pid) continue;
    const Running r = running[i];
    running.erase(running.begin() + ptrdiff_t(i));
    g_groups[r.slot] = 0;
    ::kill(-r.pid, SIGKILL);  // nothing the point started outlives it
    const fs::path dir = opt.out / "points" / r.id;
    std::optional<nlohmann::json> rec = readJson(dir / "result.json");
    if (!rec) {
      const std::string why =
          r.timedOut ? fmt::format("exceeded --point-timeout {} s", opt.pointTimeoutS)
          : WIFSIGNALED(status) ? fmt::format("the point's process was killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)))
                                : fmt::format("the point's process exited with status {} without a result", WEXITSTATUS(status));
      rec = failedRecord(*r.point, r.id, tools, r.timedOut ? "timeout" : "crash", why);
      fs::create_directories(dir);
      writeAtomically(dir / "result.json", rec->dump(2) + "\n");
    }
    progress.finished(*rec, s, running.size());
    (void)cfg;
    return;
  }
}

}  // namespace

void prepareOut(const SweepConfig& cfg, const fs::path& out, bool force, const ToolVersions& tools) {
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec || !fs::is_directory(out))
    throw UsageError(fmt::format("-o {}: cannot create the output directory: {}", out.string(),
                                 ec ? ec.message() : "not a directory"));
  if (const std::optional<nlohmann::json> old = readJson(out / "sweep.json")) {
    if (old->value("config", nlohmann::json()) != cfg.canonical) {
      if (!force)
        throw UsageError(fmt::format("-o {}: holds the results of a different sweep config ({}); use another "
                                     "directory, or --force to replace them",
                                     out.string(), old->value("config_file", std::string("?"))));
      for (const char* name : {"points", "results.csv", "results.json", "pareto.svg", "roofline.svg", "index.html"})
        fs::remove_all(out / name, ec);
    }
  } else if (fs::exists(out / "points") && !force) {
    throw UsageError(fmt::format("-o {}: holds a points/ directory but no sweep.json; use --force to replace it",
                                 out.string()));
  }
  fs::create_directories(out / "points");
  const nlohmann::json meta = {{"config", cfg.canonical}, {"config_file", cfg.path}, {"tools", tools.toJson()}};
  writeAtomically(out / "sweep.json", meta.dump(2) + "\n");
  const std::optional<std::string> text = synth::tools::readFile(cfg.path);
  if (!text) throw UsageError(fmt::format("{}: cannot read the sweep config", cfg.path));
  if (fs::absolute(cfg.path).lexically_normal() != fs::absolute(out / "config.toml").lexically_normal())
    writeAtomically(out / "config.toml", *text);
}

RunSummary runSweep(const SweepConfig& cfg, const ToolVersions& tools, const RunOptions& opt) {
  const auto t0 = Clock::now();
  RunSummary s;
  std::vector<std::pair<const SweepPoint*, std::string>> todo;
  for (const SweepPoint& p : cfg.points) {
    if (int(p.index % size_t(opt.shardCount)) != opt.shardIndex) continue;
    ++s.total;
    const std::string id = pointId(p, tools);
    const std::optional<nlohmann::json> cached = readJson(opt.out / "points" / id / "result.json");
    if (cached && (cached->value("status", "") == "ok" || !opt.retryFailed)) {
      ++s.cached;
      if (cached->value("status", "") != "ok") ++s.failed;
      continue;
    }
    todo.emplace_back(&p, id);
  }
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  const int jobs = std::min(kMaxJobs, opt.jobs > 0 ? opt.jobs : cores);
  const int threads = std::max(1, cores / jobs);
  for (int i = 0; i < kMaxJobs; ++i) g_groups[i] = 0;
  struct sigaction sa {}, oldInt{}, oldTerm{};
  sa.sa_handler = killPointsAndDie;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &oldInt);
  ::sigaction(SIGTERM, &sa, &oldTerm);
  Progress progress(s.total, todo.size(), opt.progress);
  if (opt.progress) progress.print(s, 0);
  std::vector<Running> running;
  size_t next = 0;
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && int(running.size()) < jobs) {
      int slot = 0;
      while (g_groups[slot] > 0) ++slot;
      const auto& [p, id] = todo[next++];
      fs::remove_all(opt.out / "points" / id);  // a half-finished earlier attempt
      const pid_t pid = startPoint(*p, id, tools, opt.out / "points" / id, threads);
      g_groups[slot] = pid;
      running.push_back({p, id, pid, slot, Clock::now()});
    }
    reap(running, cfg, tools, opt, progress, s);
  }
  ::sigaction(SIGINT, &oldInt, nullptr);
  ::sigaction(SIGTERM, &oldTerm, nullptr);
  s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return s;
}

std::vector<nlohmann::json> readResults(const SweepConfig& cfg, const ToolVersions& tools, const fs::path& out) {
  std::vector<nlohmann::json> rows;
  for (const SweepPoint& p : cfg.points) {
    const std::string id = pointId(p, tools);
    std::optional<nlohmann::json> r = readJson(out / "points" / id / "result.json");
    if (!r) r = failedRecord(p, id, tools, "missing", "no result in OUT/points (not run yet, or its shard failed)");
    if (!r->value("status", "").empty() && r->value("failed_stage", "") == "missing") (*r)["status"] = "missing";
    rows.push_back(std::move(*r));
  }
  return rows;
}

}  // namespace nf::sweep
