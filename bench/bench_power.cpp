// Energy per operation on NanGate 45 nm typical (1.1 V): each unit's mapped netlist simulated at gate level on
// `uniform` (random bits) and `normal` (N(0,1) values) workloads, powered by OpenSTA at its own fmax, beside
// Horowitz's 45 nm figures (ISSCC 2014, 0.9 V) as ratios: a sanity anchor across libraries, voltages and
// activities, not a target. Also the time `ppa --power` adds on bf16 fmul with 10^5 vectors, cold (fresh
// Verilator build) and cached. Prints figures; asserts nothing.
//   bench_power [--vectors N] [--skip-mxquant]
#include <fmt/format.h>

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>

#include "generators/unit.h"
#include "synth/energy.h"
#include "synth/ppa.h"
#include "synth/sta.h"

using namespace nf;
using Clock = std::chrono::steady_clock;

namespace {

struct Row {
  std::string label, op;
  std::vector<std::string> args;
  std::optional<double> horowitzPjPerOp;  // the 45 nm figure per operation, where one exists
};

double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Mapped {
  synth::PpaResult ppa;
  synth::StaResult sta;
};

Mapped synthesize(const Unit& unit) {
  const GeneratedModule m = unit.emit();
  synth::PpaOptions o;
  o.cellModels = true;
  Mapped r{synth::runPpa(m.verilog, m.name, o), {}};
  r.sta = synth::runSta(r.ppa.netlistVerilog, m.name);
  return r;
}

synth::EnergyResult energy(const Unit& unit, const Mapped& m, const std::string& workload, uint64_t vectors,
                           const std::string& cacheDir = "") {
  synth::EnergyOptions eo;
  eo.workload = workload;
  eo.vectors = vectors;
  eo.cacheDir = cacheDir;
  eo.power.clockPs = m.sta.clockPs;
  return synth::measureEnergy(unit, m.ppa, eo);
}

void timePpaPower(uint64_t vectors) {
  const auto unit = buildUnit("fmul", {"--a", "bf16"});
  auto t0 = Clock::now();
  const Mapped m = synthesize(*unit);
  const double ppaSeconds = seconds(t0);
  const std::string fresh = (std::filesystem::temp_directory_path() / fmt::format("nf-bench-power-{}", ::getpid())).string();
  t0 = Clock::now();
  const synth::EnergyResult cold = energy(*unit, m, "uniform", vectors, fresh);
  const double coldSeconds = seconds(t0);
  t0 = Clock::now();
  energy(*unit, m, "uniform", vectors, fresh);
  const double warmSeconds = seconds(t0);
  std::filesystem::remove_all(fresh);
  std::cout << fmt::format(
      "ppa --power on fmul bf16, {} vectors: synthesis + sign-off {:.1f} s; --power adds {:.1f} s with a fresh "
      "Verilator build ({:.2f} s of it simulating), {:.1f} s cached; {:.3f} pJ/op\n\n",
      vectors, ppaSeconds, coldSeconds, cold.simSeconds, warmSeconds, cold.pjPerOp);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t vectors = 20000;
  bool skipMxquant = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--vectors") && i + 1 < argc) vectors = std::stoull(argv[++i]);
    else if (!std::strcmp(argv[i], "--skip-mxquant")) skipMxquant = true;
    else {
      std::cerr << "usage: bench_power [--vectors N] [--skip-mxquant]\n";
      return 2;
    }
  }
  timePpaPower(100000);
  std::vector<Row> rows = {
      {"fmul fp32", "fmul", {"--a", "fp32"}, 3.7},
      {"fmul bf16", "fmul", {"--a", "bf16"}, std::nullopt},
      {"fmul fp16", "fmul", {"--a", "fp16"}, 1.1},
      {"fmul e4m3", "fmul", {"--a", "e4m3"}, std::nullopt},
      {"fmul e2m1", "fmul", {"--a", "e2m1"}, std::nullopt},
      {"fadd fp32", "fadd", {"--a", "fp32"}, 0.9},
      {"fadd fp16", "fadd", {"--a", "fp16"}, 0.4},
      // An fma is a multiply and an add: Horowitz's fp32 pair, 3.7 + 0.9 pJ, over 2 operations.
      {"fma fp32", "fma", {"--a", "fp32"}, (3.7 + 0.9) / 2},
      {"fdot N=4 e4m3->fp32 exact", "fdot", {"--n", "4", "--a", "e4m3", "--out", "fp32", "--accum", "exact"}, std::nullopt},
      {"fdot N=4 e4m3->fp32 align 13", "fdot",
       {"--n", "4", "--a", "e4m3", "--out", "fp32", "--accum", "align", "--align-bits", "13"}, std::nullopt},
      {"mxquant bf16->e4m3 K=32 /element", "mxquant", {"--a", "bf16", "--out", "e4m3"}, std::nullopt},
  };
  std::cout << fmt::format("Energy per operation, NanGate45 typical, zero-delay gate-level activity over {} vectors, "
                           "clock = each unit's own OpenSTA worst path (fma/MAC = 2 ops, N-term fdot = 2N, "
                           "quantizer = 1 per element):\n",
                           vectors);
  std::cout << fmt::format("{:<34} {:>6} {:>9} {:>10} {:>10} {:>11} {:>9} {:>8} {:>8}\n", "unit", "cells", "clock ps",
                           "uniform", "normal", "vectorless", "Horowitz", "uni/H", "norm/H");
  for (const Row& row : rows) {
    if (skipMxquant && row.op == "mxquant") continue;
    const auto unit = buildUnit(row.op, row.args);
    const Mapped m = synthesize(*unit);
    const synth::EnergyResult u = energy(*unit, m, "uniform", vectors);
    const synth::EnergyResult n = energy(*unit, m, "normal", vectors);
    auto ratio = [&](double pj) { return row.horowitzPjPerOp ? fmt::format("{:.2f}", pj / *row.horowitzPjPerOp) : "-"; };
    std::cout << fmt::format("{:<34} {:>6} {:>9.0f} {:>10.3f} {:>10.3f} {:>11.3f} {:>9} {:>8} {:>8}\n", row.label,
                             m.ppa.cells, m.sta.clockPs, u.pjPerOp, n.pjPerOp, u.vectorlessPjPerOp,
                             row.horowitzPjPerOp ? fmt::format("{:.2f}", *row.horowitzPjPerOp) : "-", ratio(u.pjPerOp),
                             ratio(n.pjPerOp))
              << std::flush;
  }
  std::cout << "(pJ per operation; vectorless: OpenSTA's propagation from 0.1 toggles/cycle on every input)\n";
  return 0;
}
