// fcvt benchmarks: the model's conversion rate fp32 -> e4m3 (rne, satfinite) on one thread, with NVIDIA's
// host conversion (__nv_cvt_float_to_fp8) on the same data in the same run as the baseline when the CUDA
// headers exist; optionally PPA of a few fcvt units. Prints figures; asserts nothing.
//   bench_fcvt [--ppa] [--n N]
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <iostream>
#include <random>
#include <vector>

#if defined(NF_HAVE_CUDA_FP_HEADERS)
#include <cuda_fp8.h>
#endif

#include "generators/unit.h"
#include "refmodels/fcvt.h"
#include "synth/ppa.h"

using namespace nf;

namespace {

using Clock = std::chrono::steady_clock;

// Best of `reps` runs, in elements per second.
template <class F>
double rate(size_t n, int reps, F&& f) {
  double best = 0;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    f();
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::max(best, double(n) / s);
  }
  return best;
}

void benchModel(size_t n) {
  // Activations-like data: gaussian values over a spread of scales, plus some specials.
  std::mt19937_64 rng(1);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<uint32_t> in(n), out(n);
  for (size_t i = 0; i < n; ++i) {
    const float v = std::ldexp(g(rng), int(rng() % 24) - 12);
    in[i] = std::bit_cast<uint32_t>(v);
  }
  for (size_t i = 0; i < n; i += 4099) in[i] = 0x7FC00000u;  // NaNs
  FcvtSpec spec;
  spec.a = parseFormat("fp32");
  spec.out = parseFormat("e4m3");
  spec.round = {Rounding::RNE, true, false};
  const FcvtFastModel fast(spec);
  std::cout << fmt::format("fp32 -> e4m3 (rne, satfinite), {} elements, one thread:\n", n);
  const double rFast = rate(n, 5, [&] { fast.convertBits(in.data(), out.data(), n); });
  std::cout << fmt::format("  numforge model (FcvtFastModel::convertBits)          {:8.1f} M elements/s\n", rFast / 1e6);
  std::vector<uint32_t> direct(n);
  const size_t nd = std::min<size_t>(n, 1u << 22);
  const double rDirect = rate(nd, 2, [&] {
    for (size_t i = 0; i < nd; ++i) direct[i] = fcvtModel(spec, in[i], Rounding::RNE).bits;
  });
  std::cout << fmt::format("  numforge model (fcvtModel, decode + roundPack)       {:8.1f} M elements/s\n", rDirect / 1e6);
#if defined(NF_HAVE_CUDA_FP_HEADERS)
  std::vector<uint8_t> cuda(n);
  const double rCuda = rate(n, 5, [&] {
    for (size_t i = 0; i < n; ++i)
      cuda[i] = __nv_cvt_float_to_fp8(std::bit_cast<float>(in[i]), __NV_SATFINITE, __NV_E4M3);
  });
  std::cout << fmt::format("  CUDA __nv_cvt_float_to_fp8 (host code, baseline)     {:8.1f} M elements/s\n", rCuda / 1e6);
  size_t differ = 0;
  for (size_t i = 0; i < n; ++i) {
    const bool bothNaN = (out[i] & 0x7F) == 0x7F && (cuda[i] & 0x7F) == 0x7F;
    if (out[i] != cuda[i] && !bothNaN) ++differ;
  }
  std::cout << fmt::format("  model / CUDA: {:.2f}x; encodings differing (NaN sign aside): {}\n", rFast / rCuda, differ);
#else
  std::cout << "  CUDA headers absent: no baseline\n";
#endif
}

void benchPpa() {
  std::cout << "\nPPA, fcvt combinational (Yosys + ABC, NanGate45 typical):\n";
  const std::vector<std::vector<std::string>> units = {
      {"--a", "fp32", "--out", "e4m3", "--saturate"}, {"--a", "bf16", "--out", "e4m3"},
      {"--a", "fp32", "--out", "bf16"},               {"--a", "e4m3", "--out", "fp32"},
      {"--a", "fp32", "--out", "int8"},               {"--a", "bf16", "--out", "e2m1", "--round", "sr"},
      {"--a", "fp32", "--out", "e4m3", "--round", "sr", "--saturate"}};
  for (const auto& args : units) {
    const auto unit = buildUnit("fcvt", args);
    const GeneratedModule m = unit->emit();
    const synth::PpaResult r = synth::runPpa(m.verilog, m.name);
    std::cout << fmt::format("  {:<34} {:>9.1f} um2 {:>7.0f} NAND2-eq {:>8.0f} ps\n", m.name, r.areaUm2, r.areaNand2,
                             r.delayPs);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool ppa = false;
  size_t n = size_t(1) << 24;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--ppa") ppa = true;
    else if (a == "--n" && i + 1 < argc) n = size_t(std::atoll(argv[++i]));
    else {
      std::cerr << "usage: bench_fcvt [--ppa] [--n N]\n";
      return 2;
    }
  }
  try {
    benchModel(n);
    if (ppa) benchPpa();
  } catch (const std::exception& e) {
    std::cerr << "bench_fcvt: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
