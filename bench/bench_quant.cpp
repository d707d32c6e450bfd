// Block quantizer benchmarks: accuracy (QSNR) of per-tensor e4m3/e5m2/e2m1 against MX (floor and rceil) next
// to area per element and delay, and the model's quantization rate. Prints figures; asserts nothing.
//   bench_quant [--ppa] [--samples N] [--threads T]
// --ppa synthesizes every row (Yosys + ABC on a K = 32 block takes minutes per unit on a 2-core machine).
#include <fmt/format.h>

#include <time.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <iostream>
#include <limits>

#include "generators/unit.h"
#include "refmodels/mxquant.h"
#include "refmodels/quant_stats.h"
#include "synth/ppa.h"

using namespace nf;

namespace {

// Per-tensor scaling: one fp32 scale amax / max normal for the whole tensor, elements rounded (rne,
// satfinite) from x / scale. Its hardware is an fmul by the reciprocal scale, saturating into the element.
double perTensorQsnr(const std::vector<float>& x, const Format& in, const Format& elem) {
  const RoundOptions rne{Rounding::RNE, false, false}, sat{Rounding::RNE, true, false};
  std::vector<double> v(x.size());
  double amax = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    v[i] = in.toDouble(roundFromDouble(x[i], in, rne).bits);
    amax = std::max(amax, std::fabs(v[i]));
  }
  const double scale = double(float(amax / elem.toDouble(elem.maxFiniteMag())));
  double num = 0, den = 0;
  for (double xv : v) {
    const double y = elem.toDouble(roundFromDouble(xv / scale, elem, sat).bits) * scale;
    num += xv * xv;
    den += (xv - y) * (xv - y);
  }
  return den == 0 ? std::numeric_limits<double>::infinity() : 10 * std::log10(num / den);
}

}  // namespace

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
  const Format bf16 = parseFormat("bf16");

  std::cout << fmt::format("QSNR in dB on {} samples per distribution (bf16 input, rne elements, K = 32){}:\n", samples,
                           ppa ? "; PPA: Yosys 0.23 + ABC, NanGate45 typical, combinational" : "");
  std::cout << fmt::format("{:<34} {:>8} {:>8} {:>9}{}\n", "scheme", "normal", "laplace", "outliers",
                           ppa ? fmt::format(" {:>12} {:>9}", "um2/element", "delay ps") : "");
  struct Row {
    std::string label, op;
    std::vector<std::string> args;
    int elements;
    std::string elem;
    bool mx;
    MxScaleRule rule;
  };
  std::vector<Row> rows;
  for (const char* e : {"e4m3", "e5m2", "e2m1"})
    rows.push_back({fmt::format("per-tensor {} (fmul by 1/scale)", e), "fmul",
                    {"--a", "bf16", "--out", e, "--saturate"}, 1, e, false, MxScaleRule::Floor});
  for (const char* e : {"e4m3", "e5m2", "e2m1"})
    for (MxScaleRule r : {MxScaleRule::Floor, MxScaleRule::RCeil}) {
      const char* rn = r == MxScaleRule::Floor ? "floor" : "rceil";
      rows.push_back({fmt::format("MX {} {}", e, rn), "mxquant", {"--a", "bf16", "--out", e, "--scale-rule", rn}, 32, e,
                      true, r});
    }
  for (const Row& row : rows) {
    std::string line = fmt::format("{:<34}", row.label);
    for (const auto& x : data) {
      double q;
      if (row.mx) {
        MxQuantSpec s;
        s.in = bf16;
        s.elem = parseFormat(row.elem);
        s.rule = row.rule;
        q = mxQuantStats(s, x.data(), x.size(), threads).qsnrDb;
      } else {
        q = perTensorQsnr(x, bf16, parseFormat(row.elem));
      }
      line += fmt::format(" {:>8.2f}", q);
    }
    if (ppa) {
      const auto unit = buildUnit(row.op, row.args);
      const GeneratedModule m = unit->emit();
      const synth::PpaResult r = synth::runPpa(m.verilog, m.name);
      line += fmt::format(" {:>12.1f} {:>9.0f}", r.areaUm2 / row.elements, r.delayPs);
    }
    std::cout << line << std::endl;
  }
  std::cout << "NVFP4 (e2m1 + ue4m3 block scale): not built yet (nvfp4quant is open work)\n";

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
