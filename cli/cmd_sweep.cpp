// numforge sweep CONFIG -o OUT: every point of a TOML design-space config generated, co-simulated, synthesized,
// timed and measured for accuracy, cached per point, in parallel or as a Slurm job array; `numforge sweep collect
// OUT` merges shards into the report (results.csv/json, pareto.svg, roofline.svg, index.html).
#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "generators/common_options.h"
#include "synth/power.h"
#include "synth/sweep_report.h"
#include "synth/sweep_run.h"
#include "synth/sweep_slurm.h"
#include "synth/tool_run.h"

namespace fs = std::filesystem;

namespace nf::cli {
namespace {

// "i/n" with 0 <= i < n, or UsageError naming --shard.
std::pair<int, int> parseShard(const std::string& text) {
  const size_t slash = text.find('/');
  int i = -1, n = 0;
  const bool ok = slash != std::string::npos &&
                  std::from_chars(text.data(), text.data() + slash, i).ptr == text.data() + slash &&
                  std::from_chars(text.data() + slash + 1, text.data() + text.size(), n).ptr == text.data() + text.size();
  if (!ok || n < 1 || n > 10000 || i < 0 || i >= n)
    throw UsageError(fmt::format("--shard '{}': accepted values are i/n with 0 <= i < n <= 10000", text));
  return {i, n};
}

double parseSeconds(const std::string& text) {
  const std::optional<double> v = parseWholeNumber(text);
  if (!v || !std::isfinite(*v) || *v <= 0)
    throw UsageError(fmt::format("--point-timeout '{}': accepted values are a positive number of seconds", text));
  return *v;
}

void requireTools() {
  for (const auto& [exe, pkg] : {std::pair{"yosys", "yosys"}, {"sta", "opensta"}, {"verilator", "verilator"}})
    if (!synth::tools::executableExists(exe))
      throw UsageError(fmt::format("sweep: `{}` is not on PATH; install the Debian package {} (`make deps`)", exe, pkg));
  if (!synth::tools::executableExists(synth::defaultStaPowerTool()))
    throw UsageError(fmt::format("sweep: {} (the energy stage) is missing; it is built with numforge and needs the "
                                 "Debian package opensta-dev (`make deps`)", synth::defaultStaPowerTool()));
}

std::string selfExecutable() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("numforge") : p.string();
}

class SweepCommand final : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("sweep", "run a design-space sweep from a TOML config (docs/sweeps.md)");
    cmd->add_option("config", config_, "the sweep config (TOML)");
    cmd->add_option("-o,--out", out_, "output directory (results, report, per-point cache)");
    cmd->add_option("--jobs", jobs_, "points run in parallel (default: the cores)")->check(integerIn(0, 256));
    cmd->add_option("--point-timeout", timeout_, "seconds a point may take before it is killed and recorded as failed");
    cmd->add_flag("--force", force_, "replace the results of a different config in OUT");
    cmd->add_flag("--retry-failed", retryFailed_, "rerun points whose cached result failed");
    cmd->add_option("--shard", shard_, "run only shard i of n (points with index % n == i), without the report");
    cmd->add_option("--backend", backend_, "local (default) or slurm (an sbatch job array, one task per shard)")
        ->check(CLI::IsMember({"local", "slurm"}));
    cmd->add_flag("--dry-run", dryRun_, "with --backend slurm: write the sbatch script, do not submit it");
    cmd->add_flag("--wait", wait_, "with --backend slurm: wait for the job array, then collect");
    cmd->add_option("--shards", shards_, "with --backend slurm: array tasks (default: the config's slurm.shards)")
        ->check(integerIn(1, 10000));
    cmd->add_option("--partition", partition_, "with --backend slurm: the partition");
    cmd->add_option("--account", account_, "with --backend slurm: the account");
    cmd->add_option("--time", time_, "with --backend slurm: each task's time limit (sbatch --time)");
    cmd->add_option("--sbatch-flag", sbatchFlags_, "with --backend slurm: one more sbatch flag (repeatable)");
    cmd->add_flag("--quiet", quiet_, "no progress lines on stderr");
    collect_ = cmd->add_subcommand("collect", "merge the points in OUT (e.g. Slurm shards) into its report");
    collect_->add_option("out", collectOut_, "the sweep's output directory")->required();
    return cmd;
  }

  int run() override {
    if (collect_->parsed()) return collect(collectOut_);
    if (config_.empty()) throw UsageError("sweep: CONFIG is required (or `sweep collect OUT`)");
    if (out_.empty()) throw UsageError("sweep: -o OUT is required");
    sweep::RunOptions opt;
    opt.out = out_;
    opt.jobs = jobs_;
    opt.retryFailed = retryFailed_;
    opt.progress = !quiet_;
    if (!timeout_.empty()) opt.pointTimeoutS = parseSeconds(timeout_);
    if (!shard_.empty()) std::tie(opt.shardIndex, opt.shardCount) = parseShard(shard_);
    if (backend_ != "slurm" && (dryRun_ || wait_))
      throw UsageError("--dry-run and --wait: accepted only with --backend slurm");
    sweep::SweepConfig cfg = sweep::loadSweepConfig(config_);  // every check before any work
    requireTools();
    const sweep::ToolVersions tools = sweep::readToolVersions();
    sweep::prepareOut(cfg, opt.out, force_, tools);
    if (backend_ == "slurm") return submit(cfg, opt);
    const sweep::RunSummary s = sweep::runSweep(cfg, tools, opt);
    std::string stages;
    for (const auto& [k, v] : s.stageSeconds.items()) stages += fmt::format(" {} {:.1f}s", k, v.get<double>());
    std::cout << fmt::format("sweep {}: {} points{} ({} cached, {} run, {} failed) in {:.1f} s; stage totals:{}\n",
                             cfg.name, s.total, opt.shardCount > 1 ? fmt::format(" in shard {}", shard_) : "", s.cached,
                             s.ran, s.failed, s.seconds, stages.empty() ? " (all cached)" : stages);
    if (opt.shardCount > 1) return s.failed ? kExitCheckFailed : kExitOk;
    return report(cfg, tools, opt.out);
  }

 private:
  int report(const sweep::SweepConfig& cfg, const sweep::ToolVersions& tools, const fs::path& out) {
    const std::vector<nlohmann::json> rows = sweep::readResults(cfg, tools, out);
    const size_t bad = sweep::writeReport(cfg, tools, rows, out);
    std::cout << fmt::format("report: {}/index.html, results.csv, results.json, pareto.svg, roofline.svg ({} of {} "
                             "points ok)\n", out.string(), rows.size() - bad, rows.size());
    for (const nlohmann::json& r : rows)
      if (r.value("status", "") != "ok")
        std::cout << fmt::format("  {} {} {}: {}\n", r.value("status", ""), r.value("module", ""),
                                 r.value("failed_stage", ""), r.value("message", "").substr(0, 300));
    return bad ? kExitCheckFailed : kExitOk;
  }

  int collect(const std::string& out) {
    const fs::path config = fs::path(out) / "config.toml";
    if (!fs::is_regular_file(config))
      throw UsageError(fmt::format("sweep collect {}: no config.toml there (not a sweep output directory)", out));
    const sweep::SweepConfig cfg = sweep::loadSweepConfig(config.string());
    return report(cfg, sweep::readToolVersions(), out);
  }

  int submit(const sweep::SweepConfig& cfg, const sweep::RunOptions& opt) {
    sweep::SlurmJob job;
    job.numforge = selfExecutable();
    job.out = opt.out;
    job.settings = cfg.slurm;
    if (shards_) job.settings.shards = shards_;
    if (!partition_.empty()) job.settings.partition = partition_;
    if (!account_.empty()) job.settings.account = account_;
    if (!time_.empty()) job.settings.time = time_;
    for (const std::string& f : sbatchFlags_) job.settings.extra.push_back(f);
    job.jobsPerTask = jobs_;
    job.pointTimeoutS = opt.pointTimeoutS;
    const fs::path script = sweep::writeSbatchScript(job);
    if (dryRun_) {
      std::cout << fmt::format("sbatch script: {} ({} array tasks; not submitted: --dry-run)\n", script.string(),
                               job.settings.shards);
      return kExitOk;
    }
    const std::string id = sweep::submitSbatch(script, wait_);
    std::cout << fmt::format("submitted job array {} ({} tasks): {}\n", id, job.settings.shards, script.string());
    if (!wait_) {
      std::cout << fmt::format("when it has finished: numforge sweep collect {}\n", opt.out.string());
      return kExitOk;
    }
    return collect(opt.out.string());
  }

  std::string config_, out_, timeout_, shard_, backend_ = "local", partition_, account_, time_, collectOut_;
  std::vector<std::string> sbatchFlags_;
  int jobs_ = 0, shards_ = 0;
  bool force_ = false, retryFailed_ = false, dryRun_ = false, wait_ = false, quiet_ = false;
  CLI::App* collect_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> makeSweepCommand() { return std::make_unique<SweepCommand>(); }

}  // namespace nf::cli
