#include "verif/regression.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>

namespace nf::verif {

CosimOptions planCosim(const Unit& unit, const RegressionOptions& opt) {
  CosimOptions o;
  o.seed = opt.seed;
  const uint64_t bits = unit.inputBits();
  // Stateful units are one in-order stream: "exhaustive" would mean nothing for them.
  const int exhaustiveBits = opt.suite == Suite::Quick ? kQuickExhaustiveBits : kMaxExhaustiveBits;
  if (!unit.stateful() && bits <= uint64_t(exhaustiveBits)) {
    o.mode = CosimOptions::Mode::Exhaustive;
  } else {
    o.mode = CosimOptions::Mode::Random;
    o.count = opt.suite == Suite::Quick ? kQuickRandomCount : kFullRandomCount;
  }
  // A quick run is a few ten thousand vectors: compile time is the cost (and the tests' Verilator builds,
  // made with the same flags, are reused from the cache).
  o.build.quickBuild = opt.suite == Suite::Quick;
  return o;
}

namespace {

RegressionResult runCase(const RegressionCase& c, const RegressionOptions& opt, int threads) {
  RegressionResult r;
  const auto t0 = std::chrono::steady_clock::now();
  CosimOptions o = planCosim(*c.unit, opt);
  o.threads = threads;
  o.build.jobs = opt.jobs > 1 ? 1 : 2;
  r.mode = o.mode;
  r.count = o.count;
  r.seed = o.seed;
  try {
    if (c.verilog) o.build.netlistVerilog = c.verilog();
    r.report = runCosim(*c.unit, o);
  } catch (const std::exception& e) {  // a failed build or protocol error fails this unit, not the run
    r.error = e.what();
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace

std::vector<RegressionResult> runRegression(const std::vector<RegressionCase>& cases, const RegressionOptions& opt) {
  std::vector<RegressionResult> results(cases.size());
  const int jobs = std::max(1, std::min(opt.jobs, int(cases.size())));
  const int cores = std::max(1, int(std::thread::hardware_concurrency()));
  const int threads = opt.threads > 0 ? opt.threads : std::max(1, cores / jobs);
  std::atomic<size_t> next{0};
  std::atomic<size_t> finished{0};
  std::mutex printMu;
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < cases.size();) {
      results[i] = runCase(cases[i], opt, threads);
      const size_t k = finished.fetch_add(1) + 1;
      if (!opt.progress) continue;
      std::lock_guard<std::mutex> lock(printMu);
      std::cerr << fmt::format("[{}/{}] {} {} ({:.1f} s)\n", k, cases.size(), cases[i].name,
                               results[i].passed() ? "pass" : "FAIL", results[i].seconds);
    }
  };
  std::vector<std::thread> pool;
  for (int j = 0; j < jobs; ++j) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  return results;
}

std::string reproduceCommand(const RegressionCase& c, const RegressionResult& r, const RegressionOptions& opt) {
  std::string cmd = "numforge verify " + c.op;
  for (const std::string& a : c.args) cmd += " " + a;
  cmd += r.mode == CosimOptions::Mode::Exhaustive ? std::string(" --exhaustive")
                                                  : fmt::format(" --count {} --seed {}", r.count, r.seed);
  if (opt.netlist) cmd += " --netlist";
  return cmd;
}

}  // namespace nf::verif
