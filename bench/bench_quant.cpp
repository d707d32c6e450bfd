// Quantizer benchmarks: accuracy (QSNR) of per-tensor e4m3/e5m2/e2m1 (fcvt), MX (floor and rceil) and NVFP4
// next to area per element and delay, and the model's quantization rate. Prints figures; asserts nothing.
// Every QSNR comes from the same functions as `numforge accuracy` (refmodels/quant_stats).
//   bench_quant [--ppa] [--samples N] [--threads T]
// --ppa synthesizes every row (Yosys + ABC on a K = 32 block takes minutes per unit on a 2-core machine).
#include <fmt/format.h>

#include <time.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <iostream>
#include <limits>

#include "generators/fcvt.h"
#include "generators/mxquant.h"
#include "generators/nvfp4quant.h"
#include "generators/unit.h"
#include "refmodels/mxquant.h"
#include "refmodels/quant_stats.h"
#include "synth/ppa.h"

using namespace nf;

int main(int argc, char** argv) {
  bool ppa = false;
  size_t samples = size_t(1) << 22;
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--ppa")) ppa = true;
    else if (!std::strcmp(argv[i], "--samples") && i + 1 < argc) samples = std::stoull(argv[++i]);
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::stoi(argv[++i]);
    else {
      std::cerr << "usage: bench_quant [--ppa] [--samples N] [--threads T]\n";
      return 2;
    }
  }
  const char* dists[] = {"normal", "laplace", "outliers"};
  std::vector<std::vector<float>> data;
  for (const char* d : dists) data.push_back(makeDistribution(d, samples, 1));

  std::cout << fmt::format("QSNR in dB on {} samples per distribution (bf16 input; rne elements){}:\n", samples,
                           ppa ? "; PPA: Yosys 0.23 + ABC, NanGate45 typical, combinational" : "");
  std::cout << fmt::format("{:<34} {:>8} {:>8} {:>9}{}\n", "scheme", "normal", "laplace", "outliers",
                           ppa ? fmt::format(" {:>12} {:>9}", "um2/element", "delay ps") : "");
  struct Row {
    std::string label, op;
    std::vector<std::string> args;
    int elements;  // per cycle
  };
  std::vector<Row> rows;
  // Per-tensor: one fp32 scale amax / max normal, x / scale into bf16, then fcvt (satfinite). The area is the
  // fcvt unit's alone: applying the scale (a multiplier per element, or nothing for a power-of-two scale) is
  // not in it.
  for (const char* e : {"e4m3", "e5m2", "e2m1"})
    rows.push_back({fmt::format("per-tensor {} (fcvt)", e), "fcvt", {"--a", "bf16", "--out", e, "--saturate"}, 1});
  rows.push_back({"NVFP4 (K=16, ue4m3 x fp32 scale)", "nvfp4quant", {"--a", "bf16"}, kNvfp4Block});
  for (const char* e : {"e4m3", "e2m1"})
    for (const char* r : {"floor", "rceil"})
      rows.push_back({fmt::format("MX {} {} (K=32)", e, r), "mxquant", {"--a", "bf16", "--out", e, "--scale-rule", r}, 32});
  for (const Row& row : rows) {
    const auto unit = buildUnit(row.op, row.args);
    std::string line = fmt::format("{:<34}", row.label);
    for (const auto& x : data) {
      QuantStats st;
      if (const MxQuantSpec* mx = mxQuantSpecOf(*unit)) st = mxQuantStats(*mx, x.data(), x.size(), threads);
      else if (const Nvfp4QuantSpec* nv = nvfp4QuantSpecOf(*unit)) st = nvfp4QuantStats(*nv, x.data(), x.size(), threads);
      else st = perTensorQuantStats(*fcvtSpecOf(*unit), x.data(), x.size(), threads);
      line += fmt::format(" {:>8.2f}", st.qsnrDb);
    }
    if (ppa) {
      const GeneratedModule m = unit->emit();
      const synth::PpaResult r = synth::runPpa(m.verilog, m.name);
      line += fmt::format(" {:>12.1f} {:>9.0f}", r.areaUm2 / row.elements, r.delayPs);
    }
    std::cout << line << std::endl;
  }

  // The model's quantization rate: fp32 -> MX e4m3 (floor), 10^8 elements.
  const size_t n = 100000000;
  std::vector<float> x = makeDistribution("normal", n, 7);
  std::vector<uint8_t> scales(n / 32 + 1), q(n);
  MxQuantSpec s;
  s.in = parseFormat("fp32");
  s.elem = parseFormat("e4m3");
  auto cpuNow = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
  };
  const double c0 = cpuNow();
  const auto t0 = std::chrono::steady_clock::now();
  mxQuantizeTensor(s, x.data(), n, scales.data(), q.data(), threads);
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpuNow() - c0;
  // CPU time shows the rate an unshared machine would reach (the wall time includes other users' load).
  std::cout << fmt::format("\nModel rate: MX e4m3 quantize of {} fp32 elements on {} threads: {:.3f} s wall, "
                           "{:.1f} M elements/s; {:.3f} s CPU ({:.1f} M elements/s per core)\n",
                           n, threads, sec, double(n) / sec / 1e6, cpu, double(n) / cpu / 1e6);
  return 0;
}
