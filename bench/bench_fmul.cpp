// fmul benchmarks: PPA against the published HardFloat / FPnew figures for this very flow, and the
// co-simulation rate. Prints figures and ratios; asserts nothing (the machine is noisy).
//   bench_fmul [--ppa] [--cosim] [--exhaustive-bf16] [--threads T]
#include <fmt/format.h>

#include <cstring>
#include <iostream>

#include "generators/unit.h"
#include "synth/ppa.h"
#include "verif/cosim.h"

using namespace nf;

namespace {

struct Anchor {
  const char* format;
  const char* who;
  double area, delay;
};
// Reference figures measured with the same Yosys 0.23 + ABC flow on NanGate45 (DEVELOPERS notes).
const Anchor kAnchors[] = {{"bf16", "HardFloat", 1006, 2004}, {"fp16", "HardFloat", 1468, 2276},
                           {"fp32", "HardFloat", 5571, 3733}, {"fp16", "FPnew", 1550, 2192},
                           {"fp32", "FPnew", 5457, 3639}};

void benchPpa() {
  std::cout << "PPA, fmul same-format rne, combinational (Yosys 0.23 + ABC, NanGate45 typical):\n";
  std::cout << fmt::format("{:<6} {:<5} {:>10} {:>9} {:>7} {:>9}   {}\n", "format", "--opt", "area um2", "NAND2eq",
                           "cells", "delay ps", "vs reference (area ratio, delay ratio; < 1 is better)");
  const std::pair<const char*, const char*> rows[] = {{"bf16", "area"}, {"fp16", "area"}, {"fp16", "delay"},
                                                      {"fp32", "area"}, {"fp32", "delay"}, {"e4m3", "area"},
                                                      {"e5m2", "area"}, {"e2m1", "area"}};
  for (const auto& [f, opt] : rows) {
    const auto unit = buildUnit("fmul", {"--a", f, "--opt", opt});
    const GeneratedModule m = unit->emit();
    const synth::PpaResult r = synth::runPpa(m.verilog, m.name);
    std::string cmp;
    for (const Anchor& a : kAnchors)
      if (std::strcmp(a.format, f) == 0)
        cmp += fmt::format("  {} {:.0f}/{:.0f}: {:.3f}, {:.3f}", a.who, a.area, a.delay, r.areaUm2 / a.area,
                           r.delayPs / a.delay);
    std::cout << fmt::format("{:<6} {:<5} {:>10.1f} {:>9.0f} {:>7} {:>9.0f}  {}\n", f, opt, r.areaUm2, r.areaNand2,
                             r.cells, r.delayPs, cmp);
  }
}

void benchCosim(bool exhaustiveBf16, int threads) {
  std::cout << "\nCo-simulation rate (model + Verilated RTL + compare, all threads):\n";
  struct Case {
    std::vector<std::string> args;
    verif::CosimOptions::Mode mode;
    uint64_t count;
  };
  std::vector<Case> cases = {
      {{"--a", "e4m3", "--round", "dyn", "--flags"}, verif::CosimOptions::Mode::Exhaustive, 0},
      {{"--a", "bf16", "--flags"}, verif::CosimOptions::Mode::Random, 100000000},
      {{"--a", "fp32", "--flags"}, verif::CosimOptions::Mode::Random, 20000000},
  };
  if (exhaustiveBf16) cases.push_back({{"--a", "bf16"}, verif::CosimOptions::Mode::Exhaustive, 0});
  for (const Case& c : cases) {
    const auto unit = buildUnit("fmul", c.args);
    verif::CosimOptions o;
    o.mode = c.mode;
    o.count = c.count;
    o.threads = threads;
    o.progress = true;
    const verif::CosimReport r = verif::runCosim(*unit, o);
    std::cout << fmt::format("{:<28} {:>12} vectors {:<10} {:>7.2f} M/s  {:>7.2f} s  mismatches {}\n",
                             unit->moduleName(), r.vectors,
                             c.mode == verif::CosimOptions::Mode::Exhaustive ? "exhaustive" : "random", r.rate() / 1e6,
                             r.seconds, r.mismatches);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool ppa = false, cosim = false, exhaustive = false;
  int threads = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--ppa") ppa = true;
    else if (a == "--cosim") cosim = true;
    else if (a == "--exhaustive-bf16") exhaustive = cosim = true;
    else if (a == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    else {
      std::cerr << "usage: bench_fmul [--ppa] [--cosim] [--exhaustive-bf16] [--threads T]\n";
      return 2;
    }
  }
  if (!ppa && !cosim) ppa = cosim = true;
  try {
    if (ppa) benchPpa();
    if (cosim) benchCosim(exhaustive, threads);
  } catch (const std::exception& e) {
    std::cerr << "bench_fmul: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
