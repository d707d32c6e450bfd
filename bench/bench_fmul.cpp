// fmul benchmarks: PPA against HardFloat / FPnew figures measured in this very flow, and the
// model rate, the co-simulation rate. Prints figures and ratios; asserts nothing (the machine is noisy).
//   bench_fmul [--ppa] [--model] [--cosim] [--exhaustive-bf16] [--lanes-sweep] [--threads T]
#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "generators/unit.h"
#include "refmodels/fmul.h"
#include "synth/ppa.h"
#include "verif/cosim.h"

using namespace nf;

namespace {

struct Anchor {
  const char* format;
  bool flags;  // the anchor has its exception-flags output (HardFloat's exceptionFlags, FPnew's status)
  const char* who;
  double area, delay;
};
// HardFloat release 1 mulRecFN with IEEE conversions in and out, and FPnew's fpnew_fma slice doing MUL, both
// with rounding tied to RNE, synthesized side by side with numforge's units in one run of this flow (Yosys
// 0.23 + ABC, NanGate45 typical; issue 14). Their sources are not part of this repository; rerun them beside
// this benchmark to compare in one run, since ABC moves a few percent with any text change.
const Anchor kAnchors[] = {
    {"bf16", false, "HardFloat", 916.9, 2006},  {"bf16", false, "FPnew", 1074.4, 2105},
    {"bf16", true, "HardFloat", 1052.3, 1985},  {"bf16", true, "FPnew", 1041.1, 2426},
    {"fp16", false, "HardFloat", 1515.7, 2316}, {"fp16", false, "FPnew", 1445.4, 2287},
    {"fp16", true, "HardFloat", 1514.1, 2275},  {"fp16", true, "FPnew", 1451.3, 2343},
    {"fp32", false, "HardFloat", 5371.6, 3885}, {"fp32", false, "FPnew", 5664.2, 3448},
    {"fp32", true, "HardFloat", 5372.7, 3613},  {"fp32", true, "FPnew", 5322.1, 3760},
};

void benchPpa() {
  std::cout << "PPA, fmul same-format rne, combinational (Yosys 0.23 + ABC, NanGate45 typical):\n";
  std::cout << fmt::format("{:<6} {:<5} {:<5} {:>10} {:>9} {:>7} {:>9}   {}\n", "format", "flags", "--opt", "area um2",
                           "NAND2eq", "cells", "delay ps", "vs reference (area ratio, delay ratio; < 1 is better)");
  for (const char* f : {"bf16", "fp16", "fp32", "e4m3", "e5m2", "e2m1"})
    for (bool flags : {false, true})
      for (const char* opt : {"area", "delay"}) {
        const bool anchored = std::strcmp(f, "bf16") == 0 || std::strcmp(f, "fp16") == 0 || std::strcmp(f, "fp32") == 0;
        if (!anchored && (flags || std::strcmp(opt, "delay") == 0)) continue;
        std::vector<std::string> args = {"--a", f, "--opt", opt};
        if (flags) args.push_back("--flags");
        const auto unit = buildUnit("fmul", args);
        const GeneratedModule m = unit->emit();
        const synth::PpaResult r = synth::runPpa(m.verilog, m.name);
        std::string cmp;
        for (const Anchor& a : kAnchors)
          if (std::strcmp(a.format, f) == 0 && a.flags == flags)
            cmp += fmt::format("  {} {:.1f}/{:.0f}: {:.3f}, {:.3f}", a.who, a.area, a.delay, r.areaUm2 / a.area,
                               r.delayPs / a.delay);
        std::cout << fmt::format("{:<6} {:<5} {:<5} {:>10.1f} {:>9.0f} {:>7} {:>9.0f}  {}\n", f, flags ? "yes" : "no",
                                 opt, r.areaUm2, r.areaNand2, r.cells, r.delayPs, cmp);
      }
}

// One thread, bf16 x bf16 in the exhaustive run's order (a in the low bits): the unit's batch model (the
// one co-simulation uses) against the direct model it is tested against, as the baseline.
void benchModel() {
  std::cout << "\nModel rate, bf16 x bf16 -> bf16 rne, exhaustive order, one thread:\n";
  const auto unit = buildUnit("fmul", {"--a", "bf16"});
  FmulSpec spec;
  spec.a = spec.b = spec.out = parseFormat("bf16");
  constexpr uint64_t kBatch = 1u << 15;
  std::vector<uint32_t> in(2 * kBatch), out(kBatch);
  auto rate = [&](uint64_t vectors, auto&& evaluate) {
    uint64_t checksum = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (uint64_t base = 0; base < vectors; base += kBatch) {
      for (uint64_t i = 0; i < kBatch; ++i) {
        // Stride through b so every exponent pair is visited, as in the whole exhaustive run.
        const uint64_t x = base * 61 + i;
        in[2 * i] = uint32_t(x & 0xffff);
        in[2 * i + 1] = uint32_t((x >> 16) & 0xffff);
      }
      evaluate();
      checksum += out[kBatch / 3];
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return std::make_pair(double(vectors) / s, checksum);
  };
  const auto [fast, c1] = rate(uint64_t(1) << 27, [&] { unit->emulateBatch(in.data(), out.data(), kBatch); });
  const auto [direct, c2] = rate(uint64_t(1) << 24, [&] {
    for (uint64_t i = 0; i < kBatch; ++i) out[i] = fmulModel(spec, in[2 * i], in[2 * i + 1], Rounding::RNE).bits;
  });
  std::cout << fmt::format("  batch model (tables)   {:>8.1f} M products/s\n", fast / 1e6);
  std::cout << fmt::format("  direct model           {:>8.1f} M products/s   (batch / direct: {:.2f}x; checksums {} {})\n",
                           direct / 1e6, fast / direct, c1 & 0xff, c2 & 0xff);
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

// The co-simulation top holds `lanes` copies of the unit; this prints what the lane count does to the rate.
void benchLanes(int threads) {
  std::cout << "\nCo-simulation rate by lane count (ratios against 32 lanes, the old default; 4 is the default):\n";
  struct Case {
    std::vector<std::string> args;
    verif::CosimOptions::Mode mode;
    uint64_t count;
  };
  const Case cases[] = {
      {{"--a", "bf16"}, verif::CosimOptions::Mode::Random, 1u << 25},
      {{"--a", "fp32", "--flags"}, verif::CosimOptions::Mode::Random, 1u << 23},
      {{"--a", "bf16", "--b", "e4m3", "--out", "bf16"}, verif::CosimOptions::Mode::Exhaustive, 0},
  };
  for (const Case& c : cases) {
    const auto unit = buildUnit("fmul", c.args);
    double rate32 = 0;  // the first row, the ratios' baseline
    for (int lanes : {32, 1, 2, 4, 8, 16}) {
      verif::CosimOptions o;
      o.mode = c.mode;
      o.count = c.count;
      o.threads = threads;
      o.build.lanes = lanes;
      const verif::CosimReport r = verif::runCosim(*unit, o);
      if (rate32 == 0) rate32 = r.rate();
      std::cout << fmt::format("{:<28} {:<10} lanes {:>2}  {:>7.2f} M/s  ratio {:>5.2f}  (build {:.1f} s{})\n",
                               unit->moduleName(), c.mode == verif::CosimOptions::Mode::Exhaustive ? "exhaustive" : "random",
                               lanes, r.rate() / 1e6, r.rate() / rate32, r.buildSeconds,
                               r.buildCached ? ", cached" : "")
                << std::flush;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool ppa = false, model = false, cosim = false, exhaustive = false, lanes = false;
  int threads = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--ppa") ppa = true;
    else if (a == "--model") model = true;
    else if (a == "--cosim") cosim = true;
    else if (a == "--exhaustive-bf16") exhaustive = cosim = true;
    else if (a == "--lanes-sweep") lanes = true;
    else if (a == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    else {
      std::cerr << "usage: bench_fmul [--ppa] [--model] [--cosim] [--exhaustive-bf16] [--lanes-sweep] [--threads T]\n";
      return 2;
    }
  }
  if (!ppa && !model && !cosim && !lanes) ppa = model = cosim = true;
  try {
    if (ppa) benchPpa();
    if (model) benchModel();
    if (cosim) benchCosim(exhaustive, threads);
    if (lanes) benchLanes(threads);
  } catch (const std::exception& e) {
    std::cerr << "bench_fmul: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
