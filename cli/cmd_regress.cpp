// numforge regress [--suite quick|full] [--jobs J] [--netlist] [--junit FILE]: co-simulates every module of the
// checked-in catalog (the files in rtl/, as shipped) against its model, prints a pass/fail table, the command
// that reproduces each failure, and exits 1 when any unit failed.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "generators/common_options.h"
#include "synth/ppa.h"
#include "verif/junit.h"
#include "verif/regression.h"

namespace fs = std::filesystem;

namespace nf::cli {
namespace {

std::string readFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return f ? s.str() : std::string();
}

// The catalog's entries (skipping comments), each with its unit; a bad line is bad input naming the line.
std::vector<verif::RegressionCase> readCases(const fs::path& dir, const std::string& match) {
  std::ifstream list(dir / "catalog.txt");
  if (!list) throw UsageError(fmt::format("--catalog: cannot read {}", (dir / "catalog.txt").string()));
  std::vector<verif::RegressionCase> cases;
  std::string line;
  for (int lineNo = 1; std::getline(list, line); ++lineNo) {
    std::istringstream ss(line);
    std::vector<std::string> words;
    for (std::string w; ss >> w;) words.push_back(w);
    if (words.empty() || words[0][0] == '#' || line.find(match) == std::string::npos) continue;
    verif::RegressionCase c;
    c.op = words[0];
    c.args.assign(words.begin() + 1, words.end());
    try {
      c.unit = nf::buildUnit(c.op, c.args);
    } catch (const UsageError& e) {
      throw UsageError(fmt::format("--catalog: {}:{}: {}", (dir / "catalog.txt").string(), lineNo, e.what()));
    }
    c.name = c.unit->moduleName();
    cases.push_back(std::move(c));
  }
  if (cases.empty()) throw UsageError(fmt::format("--match '{}': no catalog entry of {} matches", match, dir.string()));
  return cases;
}

class RegressCommand final : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("regress", "co-simulate every catalog module against its model");
    cmd->add_option("--suite", suite_, "quick (seeded, sampled: exhaustive up to 16 input bits, else 20000 random) "
                                       "or full (exhaustive up to 32 input bits, else 10^8 random)")
        ->check(CLI::IsMember({"quick", "full"}));
    cmd->add_option("--jobs", jobs_, "units co-simulated at a time")->check(integerIn(1, 64));
    addThreadsOption(*cmd, threads_)->description("threads per unit (default: the cores divided among the jobs)");
    addSeedOption(*cmd, seed_);
    cmd->add_flag("--netlist", netlist_, "co-simulate each module's mapped NanGate45 netlist (as verify --netlist)");
    cmd->add_option("--junit", junit_, "also write the results as JUnit XML to FILE");
    cmd->add_option("--catalog", catalog_, "catalog directory holding catalog.txt and the modules")->default_str("rtl");
    cmd->add_option("--match", match_, "only the catalog lines containing TEXT");
    return cmd;
  }

  int run() override {
    checkJunitPath();
    std::vector<verif::RegressionCase> cases = readCases(catalog_, match_);
    for (verif::RegressionCase& c : cases) c.verilog = verilogOf(c);
    verif::RegressionOptions o;
    o.suite = suite_ == "full" ? verif::Suite::Full : verif::Suite::Quick;
    o.jobs = jobs_;
    o.threads = threads_;
    o.seed = seed_;
    o.netlist = netlist_;
    const std::vector<verif::RegressionResult> results = verif::runRegression(cases, o);
    const size_t failed = printTable(cases, results, o);
    if (!junit_.empty()) writeJunit(cases, results, o);
    return failed ? kExitCheckFailed : kExitOk;
  }

 private:
  // The checked-in file is what is shipped, so it is what runs; when it is what the generator writes today (the
  // catalog test keeps it so), the generator's own build, shared with the tests through the cache, serves.
  std::function<std::string()> verilogOf(const verif::RegressionCase& c) const {
    const fs::path file = fs::path(catalog_) / (c.name + ".v");
    const Unit& unit = *c.unit;
    const bool netlist = netlist_;
    return [file, &unit, netlist] {
      std::string text = readFile(file);
      if (text.empty()) throw verif::SimError(fmt::format("cannot read {}", file.string()));
      const GeneratedModule m = unit.emit();
      if (netlist) return synth::gateLevelVerilog(text, m.name);
      return text == m.verilog ? std::string() : text;
    };
  }

  void checkJunitPath() const {
    if (junit_.empty()) return;
    const fs::path p = fs::absolute(junit_);
    if (p.filename().empty() || fs::is_directory(p) || !fs::is_directory(p.parent_path()))
      throw UsageError(fmt::format("--junit {}: expected a file name in an existing directory", junit_));
  }

  static std::string modeText(const verif::RegressionResult& r) {
    return r.mode == verif::CosimOptions::Mode::Exhaustive ? "exhaustive" : "random";
  }

  size_t printTable(const std::vector<verif::RegressionCase>& cases, const std::vector<verif::RegressionResult>& results,
                    const verif::RegressionOptions& o) const {
    size_t width = 6, failed = 0;
    double total = 0;
    for (const auto& c : cases) width = std::max(width, c.name.size());
    std::cout << fmt::format("{:<{}}  {:<6}  {:<10}  {:>11}  {:>10}  {:>20}  {:>8}\n", "module", width, "result",
                             "mode", "vectors", "M vec/s", "seed", "time s");
    for (size_t i = 0; i < cases.size(); ++i) {
      const verif::RegressionResult& r = results[i];
      total += r.seconds;
      failed += r.passed() ? 0 : 1;
      std::cout << fmt::format("{:<{}}  {:<6}  {:<10}  {:>11}  {:>10.2f}  {:>20}  {:>8.1f}\n", cases[i].name, width,
                               r.passed() ? "pass" : "FAIL", modeText(r), r.report.vectors, r.report.rate() / 1e6,
                               r.mode == verif::CosimOptions::Mode::Exhaustive ? std::string("-") : std::to_string(r.seed),
                               r.seconds);
    }
    std::cout << fmt::format("{} of {} units passed{} ({} suite, {:.1f} s of unit time)\n", cases.size() - failed,
                             cases.size(), netlist_ ? " as mapped netlists" : "", suite_, total);
    for (size_t i = 0; i < cases.size(); ++i)
      if (!results[i].passed())
        std::cout << fmt::format("\nFAIL {}\n{}\nreproduce: {}\n", cases[i].name, failureText(results[i]),
                                 verif::reproduceCommand(cases[i], results[i], o));
    return failed;
  }

  static std::string failureText(const verif::RegressionResult& r) {
    if (!r.error.empty()) return r.error;
    return fmt::format("{} mismatches; first:\n{}", r.report.mismatches, r.report.firstMismatch);
  }

  void writeJunit(const std::vector<verif::RegressionCase>& cases, const std::vector<verif::RegressionResult>& results,
                  const verif::RegressionOptions& o) const {
    std::vector<verif::JUnitCase> jc;
    for (size_t i = 0; i < cases.size(); ++i) {
      const verif::RegressionResult& r = results[i];
      verif::JUnitCase j;
      j.name = cases[i].name;
      j.className = fmt::format("numforge.regress.{}{}", suite_, netlist_ ? ".netlist" : "");
      j.seconds = r.seconds;
      j.output = fmt::format("{} {} vectors, {:.2f} M vectors/s, seed {}", modeText(r), r.report.vectors,
                             r.report.rate() / 1e6, r.seed);
      if (!r.passed()) {
        j.failed = true;
        j.failureMessage = r.error.empty() ? fmt::format("{} mismatches", r.report.mismatches) : "did not run to the end";
        j.failureDetail = failureText(r) + "\nreproduce: " + verif::reproduceCommand(cases[i], r, o);
      }
      jc.push_back(std::move(j));
    }
    const fs::path p = fs::absolute(junit_);
    writeFilesAtomically(p.parent_path(), {{p.filename().string(), verif::junitXml("numforge regress " + suite_, jc)}});
  }

  std::string suite_ = "quick", junit_, catalog_ = "rtl", match_;
  int jobs_ = 1, threads_ = 0;
  uint64_t seed_ = 1;
  bool netlist_ = false;
};

}  // namespace

std::unique_ptr<Command> makeRegressCommand() { return std::make_unique<RegressCommand>(); }

}  // namespace nf::cli
