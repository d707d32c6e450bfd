// nf::fcvtModel against NVIDIA's host-side conversion code in the CUDA headers (cuda_fp8.h / cuda_fp6.h /
// cuda_fp4.h compile with a plain C++ compiler): fp32, fp16 and bf16 inputs to e4m3 / e5m2 (with and
// without __NV_SATFINITE, round to nearest even), e2m3 / e3m2 / e2m1 (cudaRoundNearest and cudaRoundZero), and
// fp32 / bf16 to e8m0 (cudaRoundZero and cudaRoundPosInf, with and without saturation). Exhaustive over all
// fp16 and bf16 inputs; 10^7 fp32 inputs (every exponent field, random bits, and values around each output's
// edges).
//
// Where CUDA's conventions differ from numforge's (compared as stated, nothing else is relaxed):
//   * NaN -> e4m3 (no saturation) gives 0x7F | sign, and overflow / Inf give 0x7F | sign too (0xFF for negative
//     values); numforge gives the canonical NaN 0x7F whatever the sign. NaN -> e5m2 gives 0x7E | payload bits
//     | sign; numforge 0x7E. Both sides are NaN: compared as "is NaN".
//   * fp6 / fp4 have no NaN or Inf: CUDA and numforge both give +max for NaN and +-max for +-Inf.
//   * e8m0 is unsigned: CUDA converts |x| (a scale from a signed value); numforge gives NaN (0xFF) with invalid
//     for negative nonzero inputs. Negative inputs are checked to be NaN in numforge and not compared.
//   * CUDA reports no flags; only encodings are compared.
#include <gtest/gtest.h>

#if defined(NF_HAVE_CUDA_FP_HEADERS)

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp4.h>
#include <cuda_fp6.h>
#include <cuda_fp8.h>

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "refmodels/fcvt.h"

namespace {

using nf::Rounding;

struct Target {
  std::string name;
  std::string out;  // numforge format
  Rounding mode;
  bool saturate;
  bool nanEncodingMayDiffer;
  bool absoluteValue;  // CUDA converts |x| (e8m0)
};

using Convert = std::function<uint32_t(uint32_t)>;

__half_raw halfRaw(uint32_t x) {
  __half_raw h;
  h.x = uint16_t(x);
  return h;
}
__nv_bfloat16_raw bfRaw(uint32_t x) {
  __nv_bfloat16_raw h;
  h.x = uint16_t(x);
  return h;
}
float asFloat(uint32_t x) { return std::bit_cast<float>(x); }

// The conversions each source format has in the headers, keyed by target.
std::vector<std::pair<Target, Convert>> conversions(const std::string& src) {
  std::vector<std::pair<Target, Convert>> v;
  for (bool sat : {false, true}) {
    const __nv_saturation_t s = sat ? __NV_SATFINITE : __NV_NOSAT;
    for (auto [name, interp] : {std::pair{"e4m3", __NV_E4M3}, std::pair{"e5m2", __NV_E5M2}}) {
      Target t{fmt::format("{} {}", name, sat ? "satfinite" : "nosat"), name, Rounding::RNE, sat, true, false};
      if (src == "fp32") v.push_back({t, [=](uint32_t x) { return uint32_t(__nv_cvt_float_to_fp8(asFloat(x), s, interp)); }});
      if (src == "fp16") v.push_back({t, [=](uint32_t x) { return uint32_t(__nv_cvt_halfraw_to_fp8(halfRaw(x), s, interp)); }});
      if (src == "bf16")
        v.push_back({t, [=](uint32_t x) { return uint32_t(__nv_cvt_bfloat16raw_to_fp8(bfRaw(x), s, interp)); }});
    }
  }
  for (auto [rname, rm, mode] : {std::tuple{"nearest", cudaRoundNearest, Rounding::RNE},
                                 std::tuple{"zero", cudaRoundZero, Rounding::RTZ}}) {
    for (auto [name, interp] : {std::pair{"e2m3", __NV_E2M3}, std::pair{"e3m2", __NV_E3M2}}) {
      Target t{fmt::format("{} {}", name, rname), name, mode, false, false, false};
      if (src == "fp32") v.push_back({t, [=](uint32_t x) { return uint32_t(__nv_cvt_float_to_fp6(asFloat(x), interp, rm)); }});
      if (src == "fp16") v.push_back({t, [=](uint32_t x) { return uint32_t(__nv_cvt_halfraw_to_fp6(halfRaw(x), interp, rm)); }});
      if (src == "bf16")
        v.push_back({t, [=](uint32_t x) { return uint32_t(__nv_cvt_bfloat16raw_to_fp6(bfRaw(x), interp, rm)); }});
    }
    Target t{fmt::format("e2m1 {}", rname), "e2m1", mode, false, false, false};
    if (src == "fp32") v.push_back({t, [=](uint32_t x) { return uint32_t(__nv_cvt_float_to_fp4(asFloat(x), __NV_E2M1, rm)); }});
    if (src == "fp16") v.push_back({t, [=](uint32_t x) { return uint32_t(__nv_cvt_halfraw_to_fp4(halfRaw(x), __NV_E2M1, rm)); }});
    if (src == "bf16")
      v.push_back({t, [=](uint32_t x) { return uint32_t(__nv_cvt_bfloat16raw_to_fp4(bfRaw(x), __NV_E2M1, rm)); }});
  }
  for (bool sat : {false, true}) {
    const __nv_saturation_t s = sat ? __NV_SATFINITE : __NV_NOSAT;
    for (auto [rname, rm, mode] : {std::tuple{"rz", cudaRoundZero, Rounding::RTZ},
                                   std::tuple{"rp", cudaRoundPosInf, Rounding::RUP}}) {
      Target t{fmt::format("e8m0 {} {}", rname, sat ? "satfinite" : "nosat"), "e8m0", mode, sat, false, true};
      if (src == "fp32") v.push_back({t, [=](uint32_t x) { return uint32_t(__nv_cvt_float_to_e8m0(asFloat(x), s, rm)); }});
      if (src == "bf16")
        v.push_back({t, [=](uint32_t x) { return uint32_t(__nv_cvt_bfloat16raw_to_e8m0(bfRaw(x), s, rm)); }});
    }
  }
  return v;
}

struct Compare {
  long checked = 0, bad = 0, negativeSkipped = 0;
  int reported = 0;
  void operator()(const nf::Format& a, const Target& t, const nf::FcvtFastModel& model, const nf::Format& out,
                  const Convert& cuda, uint32_t x) {
    ++checked;
    const nf::Packed z = model(x, t.mode);
    if (t.absoluteValue && a.isSigned && (x & a.signBit()) && !a.isNaN(x) && (x & a.magMask()) != 0) {
      ++negativeSkipped;
      if (!out.isNaN(z.bits) && reported++ < 8) ADD_FAILURE() << fmt::format("{} -> {}: negative 0x{:x} not NaN", a.name, t.name, x);
      return;
    }
    const uint32_t c = cuda(x) & out.mask();
    const bool ok = c == z.bits || (t.nanEncodingMayDiffer && out.isNaN(c) && out.isNaN(z.bits));
    if (ok) return;
    ++bad;
    if (reported++ < 8)
      ADD_FAILURE() << fmt::format("{} -> {}: a=0x{:x} ({:.9g})\n    CUDA  0x{:02x} ({})\n    model 0x{:02x} ({}) flags {}",
                                   a.name, t.name, x, a.toDouble(x), c, out.toDouble(c), z.bits, out.toDouble(z.bits),
                                   nf::flagsToString(z.flags));
  }
};

void runSource(const std::string& src, const std::vector<uint32_t>* samples) {
  const nf::Format a = nf::parseFormat(src);
  for (const auto& [t, cuda] : conversions(src)) {
    nf::FcvtSpec spec;
    spec.a = a;
    spec.out = nf::parseFormat(t.out);
    spec.round.mode = t.mode;
    spec.round.saturate = t.saturate;
    const nf::FcvtFastModel model(spec);
    Compare cmp;
    if (samples) {
      for (uint32_t x : *samples) cmp(a, t, model, spec.out, cuda, x);
    } else {
      for (uint32_t x = 0; x < (1u << a.width()); ++x) cmp(a, t, model, spec.out, cuda, x);
    }
    EXPECT_EQ(cmp.bad, 0) << src << " -> " << t.name << ": mismatches out of " << cmp.checked;
    EXPECT_GT(cmp.checked - cmp.negativeSkipped, 0);
  }
}

}  // namespace

TEST(CudaFcvt, Fp16Exhaustive) { runSource("fp16", nullptr); }
TEST(CudaFcvt, Bf16Exhaustive) { runSource("bf16", nullptr); }

// 10^7 fp32 inputs: every exponent field with assorted mantissas, values near each output's edges and ties
// (short mantissas), and random bits.
TEST(CudaFcvt, Fp32TenMillion) {
  std::mt19937_64 rng(0xc0da);
  std::vector<uint32_t> xs;
  xs.reserve(10000000);
  for (uint32_t e = 0; e < 256; ++e)
    for (int k = 0; k < 2048; ++k) {
      uint32_t man = uint32_t(rng()) & 0x7FFFFFu;
      if (k % 4 == 1) man &= 0x7F0000u | (uint32_t(rng()) & 0x10000u);  // few bits: exact values and ties
      if (k % 4 == 2) man = (man & 0x7E0000u) | (1u << 16) | ((k & 8) ? 1u : 0u);  // a half at fp8/fp6/fp4 positions
      if (k == 0) man = 0;
      if (k == 3) man = 0x7FFFFFu;
      xs.push_back(uint32_t(k & 1) << 31 | e << 23 | man);
    }
  while (xs.size() < 10000000) {
    if (xs.size() % 2) {
      xs.push_back(uint32_t(rng()));
    } else {
      // Exponents from e8m0's bottom to fp8's top: -133 .. 20 (subnormal fp32 included).
      const int e = -133 + int(rng() % 154);
      const float v = std::ldexp(1.0f + float(rng() % 1024) / 1024.0f, e) * ((rng() & 1) ? -1.0f : 1.0f);
      xs.push_back(std::bit_cast<uint32_t>(v));
    }
  }
  runSource("fp32", &xs);
}

#else

TEST(CudaFcvt, HeadersPresent) { GTEST_SKIP() << "CUDA headers absent (/usr/local/cuda/include/cuda_fp8.h); fcvt not compared with CUDA"; }

#endif
