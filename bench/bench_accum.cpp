// Accumulation architectures side by side, in one run: fdot with exact vs align (F = 13, 24) vs chained
// FMAs, for e4m3 -> fp32 at N = 4 and 16; an exact Kulisch MAC vs a rounding MAC for bf16. Prints area,
// delay, area per term and ratios against the first row of each table. Figures, not assertions.
//   bench_accum [--only N] [--chain16]
// The first row of each fdot table is N separately synthesized fma units in a cascade (area N times one unit's,
// delay N times its critical path: an upper bound, the c-to-z path being shorter than the worst). The second
// is the whole chain flattened into one netlist, where Yosys and ABC may also remove what the whole chain
// provably never uses (e4m3 products summed in fp32 reach neither fp32 subnormals nor overflow); ABC's SAT
// sweeping of the flattened chain takes seconds at N=4, over 20 minutes at N=8 and over 75 at N=16, so the
// N=16 chain runs only with --chain16. The pipelined chain (--stages 8: a register after every
// other fma at N=16, one at N=4) cuts those cones and synthesizes in minutes; its delay is its worst stage.
#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "generators/unit.h"
#include "synth/ppa.h"

namespace nf {
namespace {

struct Row {
  Row(std::string l, std::string o, std::vector<std::string> a, int t, int c = 1)
      : label(std::move(l)), op(std::move(o)), args(std::move(a)), terms(t), copies(c) {}
  std::string label;
  std::string op;
  std::vector<std::string> args;
  int terms;       // products per result
  int copies = 1;  // > 1: the unit stands for that many separate copies in a cascade (area and delay times copies)
  std::string skip;  // not synthesized, and why
};

// Every row is synthesized up front on all cores (the N=16 chain alone takes over an hour); the tables
// print in order as their rows finish.
class PpaPool {
 public:
  explicit PpaPool(unsigned threads) {
    for (unsigned t = 0; t < std::max(1u, threads); ++t)
      workers_.emplace_back([this] {
        for (;;) {
          std::packaged_task<synth::PpaResult()> job;
          {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
            if (jobs_.empty()) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
          }
          job();
        }
      });
  }
  ~PpaPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }
  std::future<synth::PpaResult> submit(GeneratedModule m) {
    std::packaged_task<synth::PpaResult()> job([m = std::move(m)] { return synth::runPpa(m.verilog, m.name); });
    std::future<synth::PpaResult> f = job.get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
    return f;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::packaged_task<synth::PpaResult()>> jobs_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

struct Table {
  std::string title;
  std::vector<Row> rows;
  std::vector<std::string> unavailable;  // per row: why it could not be built, or empty
  std::vector<std::future<synth::PpaResult>> results;
};

Table submit(PpaPool& pool, std::string title, std::vector<Row> rows) {
  Table t{std::move(title), std::move(rows), {}, {}};
  for (const Row& r : t.rows) {
    if (!r.skip.empty()) {
      t.results.emplace_back();
      t.unavailable.push_back(r.skip);
      continue;
    }
    try {
      t.results.push_back(pool.submit(buildUnit(r.op, r.args)->emit()));
      t.unavailable.emplace_back();
    } catch (const std::exception& e) {
      t.results.emplace_back();
      t.unavailable.emplace_back(e.what());
    }
  }
  return t;
}

void print(Table& t) {
  std::cout << "\n" << t.title << "\n";
  std::cout << fmt::format("{:<34} {:>10} {:>8} {:>9} {:>6} {:>12} {:>11} {:>11}\n", "unit", "area um2", "NAND2eq",
                           "delay ps", "flops", "um2 / term", "area ratio", "delay ratio");
  double area0 = 0, delay0 = 0;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const Row& r = t.rows[i];
    if (!t.unavailable[i].empty()) {
      std::cout << fmt::format("{:<34} not measured: {}\n", r.label, t.unavailable[i]);
      continue;
    }
    synth::PpaResult p;
    try {
      p = t.results[i].get();
    } catch (const std::exception& e) {
      std::cout << fmt::format("{:<34} synthesis failed: {}\n", r.label, e.what());
      continue;
    }
    p.areaUm2 *= r.copies;
    p.areaNand2 *= r.copies;
    p.delayPs *= r.copies;
    p.flops *= r.copies;
    if (area0 == 0) area0 = p.areaUm2, delay0 = p.delayPs;
    std::cout << fmt::format("{:<34} {:>10.1f} {:>8.0f} {:>9.0f} {:>6} {:>12.1f} {:>11.3f} {:>11.3f}\n", r.label,
                             p.areaUm2, p.areaNand2, p.delayPs, p.flops, p.areaUm2 / r.terms, p.areaUm2 / area0,
                             p.delayPs / delay0)
              << std::flush;
  }
}

}  // namespace
}  // namespace nf

int main(int argc, char** argv) {
  using nf::Row;
  int only = 0;
  bool chain16 = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--chain16") == 0) chain16 = true;
    else {
      std::cerr << "usage: bench_accum [--only 4|16] [--chain16]\n";
      return 2;
    }
  }
  try {
    std::cout << "PPA (Yosys 0.23 + ABC, NanGate45 typical), rtz for align as the hardware it emulates, rne otherwise"
              << std::endl;
    nf::PpaPool pool(std::thread::hardware_concurrency());
    std::vector<nf::Table> tables;
    for (int n : {4, 16}) {
      if (only && n != only) continue;
      const std::string N = std::to_string(n);
      const std::vector<std::string> base = {"--n", N, "--a", "e4m3", "--out", "fp32"};
      auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> v = base;
        v.insert(v.end(), extra.begin(), extra.end());
        return v;
      };
      Row chain{"chain, flattened (one netlist)", "fdot", with({"--accum", "chain"}), n};
      if (n == 16 && !chain16) chain.skip = "ABC ran over 75 minutes on it (--chain16 runs it)";
      tables.push_back(nf::submit(pool, fmt::format("fdot N={} e4m3 x e4m3 -> fp32 (ratios against N separate FMA units):", n),
                                  {Row{fmt::format("{} x fma unit, cascaded", n), "fma",
                                       {"--a", "e4m3", "--c", "fp32", "--out", "fp32"}, n, n},
                                   chain,
                                   Row{"chain, --stages 8 (delay: a stage)", "fdot",
                                       with({"--accum", "chain", "--stages", "8"}), n},
                                   Row{"exact (one rounding)", "fdot", with({"--accum", "exact"}), n},
                                   Row{"align F=24", "fdot", with({"--accum", "align", "--align-bits", "24"}), n},
                                   Row{"align F=13", "fdot", with({"--accum", "align", "--align-bits", "13"}), n}}));
    }
    if (!only)
      tables.push_back(nf::submit(
          pool, "bf16 MAC into an fp32 read-out, one term per cycle (ratios against the rounding MAC):",
          {Row{"facc --mac (fp32 accumulator)", "facc", {"--a", "bf16", "--b", "bf16", "--out", "fp32", "--mac"}, 1},
           Row{"kulisch, 16 carry bits", "kulisch", {"--a", "bf16", "--b", "bf16", "--out", "fp32"}, 1},
           Row{"kulisch, e4m3 products, 16 carry", "kulisch", {"--a", "e4m3", "--b", "e4m3", "--out", "fp32"}, 1}}));
    for (nf::Table& t : tables) nf::print(t);
  } catch (const std::exception& e) {
    std::cerr << "bench_accum: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
