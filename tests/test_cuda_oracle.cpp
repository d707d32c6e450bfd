// nf::fmulModel (and nf::Format decoding) against NVIDIA's host-side conversion code in the CUDA headers
// (cuda_fp8.h / cuda_fp6.h / cuda_fp4.h compile with a plain C++ compiler; their __nv_cvt_double_to_*
// functions are the reference the GPU conversions are specified by).
//
// For a product that is exact in binary64 (both significands <= 12 bits here: e4m3, e5m2, fp16, bf16 inputs),
// round(a*b) in the model must equal __nv_cvt_double_to_fpX(a*b): fp8 with __NV_SATFINITE and __NV_NOSAT
// (model: saturate = true / false, rne), fp6 / fp4 with cudaRoundNearest and cudaRoundZero (model rne / rtz;
// these conversions always saturate, which is what the model's finite-only formats do).
//
// Where the CUDA headers differ from the numforge contract (read from the CUDA 13.0 headers):
//   * e4m3 __NV_NOSAT: a NaN input, +-Inf and overflow all give 0x7F | sign, i.e. 0xFF for negative values.
//     The model gives the canonical NaN 0x7F (positive). Both are NaN; compared as "is NaN".
//   * e5m2: a NaN input gives 0x7E | (top 2 double-mantissa bits) | sign (e.g. 0xFF for the x86 default NaN);
//     the model gives the canonical 0x7E. Compared as "is NaN". NaN wins over __NV_SATFINITE in both.
//   * e5m2 __NV_SATFINITE: an infinite input gives +-max (0x7B/0xFB); the model with saturate does the same
//     (the model also raises overflow|inexact, which CUDA does not report: flags are not compared here).
//   * fp6 / fp4: NaN -> +max (sign dropped), +-Inf -> +-max: same as the model's finite-only formats.
//   * No flags at all come from CUDA; only the encodings are compared.
#include <gtest/gtest.h>

#if defined(NF_HAVE_CUDA_FP_HEADERS)

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

#include "refmodels/fmul.h"

namespace {

using nf::Rounding;

double halfToDouble(uint16_t h) {
  // IEEE binary16, decoded from its definition.
  const int s = h >> 15, e = (h >> 10) & 0x1F, m = h & 0x3FF;
  if (e == 0x1F) return m ? std::nan("") : (s ? -INFINITY : INFINITY);
  const double v = e == 0 ? std::ldexp(double(m), -24) : std::ldexp(double(m | 0x400), e - 25);
  return s ? -v : v;
}

bool sameDouble(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

// One CUDA output: how to convert, which model spec/mode it corresponds to, and whether a NaN result may
// differ in encoding (see the header comment).
struct CudaOut {
  std::string name;    // for messages
  std::string format;  // numforge format name
  bool saturate;
  Rounding mode;
  bool nanEncodingMayDiffer;
  std::function<uint32_t(double)> convert;
};

std::vector<CudaOut> cudaOutputs() {
  return {
      {"fp8 e4m3 satfinite", "e4m3", true, Rounding::RNE, true,
       [](double x) { return uint32_t(__nv_cvt_double_to_fp8(x, __NV_SATFINITE, __NV_E4M3)); }},
      {"fp8 e4m3 nosat", "e4m3", false, Rounding::RNE, true,
       [](double x) { return uint32_t(__nv_cvt_double_to_fp8(x, __NV_NOSAT, __NV_E4M3)); }},
      {"fp8 e5m2 satfinite", "e5m2", true, Rounding::RNE, true,
       [](double x) { return uint32_t(__nv_cvt_double_to_fp8(x, __NV_SATFINITE, __NV_E5M2)); }},
      {"fp8 e5m2 nosat", "e5m2", false, Rounding::RNE, true,
       [](double x) { return uint32_t(__nv_cvt_double_to_fp8(x, __NV_NOSAT, __NV_E5M2)); }},
      {"fp6 e2m3 nearest", "e2m3", false, Rounding::RNE, false,
       [](double x) { return uint32_t(__nv_cvt_double_to_fp6(x, __NV_E2M3, cudaRoundNearest)); }},
      {"fp6 e2m3 zero", "e2m3", false, Rounding::RTZ, false,
       [](double x) { return uint32_t(__nv_cvt_double_to_fp6(x, __NV_E2M3, cudaRoundZero)); }},
      {"fp6 e3m2 nearest", "e3m2", false, Rounding::RNE, false,
       [](double x) { return uint32_t(__nv_cvt_double_to_fp6(x, __NV_E3M2, cudaRoundNearest)); }},
      {"fp6 e3m2 zero", "e3m2", false, Rounding::RTZ, false,
       [](double x) { return uint32_t(__nv_cvt_double_to_fp6(x, __NV_E3M2, cudaRoundZero)); }},
      {"fp4 e2m1 nearest", "e2m1", false, Rounding::RNE, false,
       [](double x) { return uint32_t(__nv_cvt_double_to_fp4(x, __NV_E2M1, cudaRoundNearest)); }},
      {"fp4 e2m1 zero", "e2m1", false, Rounding::RTZ, false,
       [](double x) { return uint32_t(__nv_cvt_double_to_fp4(x, __NV_E2M1, cudaRoundZero)); }},
  };
}

struct Compare {
  long checked = 0, bad = 0;
  int reported = 0;
  void operator()(const nf::Format& fa, const nf::Format& fb, const CudaOut& co, const nf::Format& out, uint32_t a,
                  uint32_t b) {
    ++checked;
    const double pa = fa.toDouble(a), pb = fb.toDouble(b);
    const double prod = pa * pb;  // exact: both significands <= 11 bits, exponents well inside binary64
    const uint32_t cuda = co.convert(prod) & out.mask();
    nf::FmulSpec spec{fa, fb, out, {}};
    spec.round.saturate = co.saturate;
    const nf::Packed z = nf::fmulModel(spec, a, b, co.mode);
    const bool ok = cuda == z.bits || (co.nanEncodingMayDiffer && out.isNaN(cuda) && out.isNaN(z.bits));
    if (!ok && reported++ < 8)
      ADD_FAILURE() << fmt::format(
          "fmul {} x {} -> {} (CUDA {}, model mode {}{}): a=0x{:x} ({}) b=0x{:x} ({}) exact product {:.17g}\n"
          "    CUDA  0x{:02x} ({})\n    model 0x{:02x} ({}) flags {}",
          fa.name, fb.name, out.name, co.name, nf::roundingName(co.mode), spec.round.saturate ? " saturate" : "", a, pa, b,
          pb, prod, cuda, out.toDouble(cuda), z.bits, out.toDouble(z.bits), nf::flagsToString(z.flags));
    if (!ok) ++bad;
  }
};

// A finite-biased sampler for the 16-bit inputs: products land in and around the narrow outputs' ranges.
uint32_t sampleNear(const nf::Format& f, std::mt19937_64& rng, int targetExp) {
  const int e = std::clamp(targetExp, f.emin(), f.emax());
  const uint32_t field = uint32_t(e + f.bias);
  const uint32_t man = uint32_t(rng()) & ((1u << f.manBits) - 1u);
  return ((rng() & 1) ? f.signBit() : 0u) | (field << f.manBits) | man;
}

}  // namespace

// Decoding of every fp8 / fp6 / fp4 encoding: Format::toDouble vs CUDA's own fpX -> half conversion.
TEST(CudaOracle, DecodeEveryNarrowEncoding) {
  struct Row {
    const char* format;
    std::function<uint16_t(uint32_t)> toHalf;
  };
  const std::vector<Row> rows = {
      {"e4m3", [](uint32_t x) { return __half_raw(__nv_cvt_fp8_to_halfraw(__nv_fp8_storage_t(x), __NV_E4M3)).x; }},
      {"e5m2", [](uint32_t x) { return __half_raw(__nv_cvt_fp8_to_halfraw(__nv_fp8_storage_t(x), __NV_E5M2)).x; }},
      {"e2m3", [](uint32_t x) { return __half_raw(__nv_cvt_fp6_to_halfraw(__nv_fp6_storage_t(x), __NV_E2M3)).x; }},
      {"e3m2", [](uint32_t x) { return __half_raw(__nv_cvt_fp6_to_halfraw(__nv_fp6_storage_t(x), __NV_E3M2)).x; }},
      {"e2m1", [](uint32_t x) { return __half_raw(__nv_cvt_fp4_to_halfraw(__nv_fp4_storage_t(x), __NV_E2M1)).x; }},
  };
  for (const Row& r : rows) {
    const nf::Format f = nf::parseFormat(r.format);
    int bad = 0;
    for (uint32_t x = 0; x < (1u << f.width()); ++x) {
      const double cuda = halfToDouble(r.toHalf(x));
      if (!sameDouble(f.toDouble(x), cuda) && bad++ < 8)
        ADD_FAILURE() << r.format << " 0x" << std::hex << x << ": Format::toDouble " << f.toDouble(x) << " CUDA "
                      << cuda;
      // Re-encoding an exactly representable value must give the same encoding back (NaN: any NaN).
      if (!std::isnan(cuda) && !std::isinf(cuda)) {
        uint32_t back = 0;
        if (f.width() == 8) back = __nv_cvt_double_to_fp8(cuda, __NV_NOSAT, f.name == "e4m3" ? __NV_E4M3 : __NV_E5M2);
        else if (f.width() == 6) back = __nv_cvt_double_to_fp6(cuda, f.name == "e2m3" ? __NV_E2M3 : __NV_E3M2, cudaRoundNearest);
        else back = __nv_cvt_double_to_fp4(cuda, __NV_E2M1, cudaRoundNearest);
        if (back != x && bad++ < 8) ADD_FAILURE() << r.format << " 0x" << std::hex << x << " re-encodes as 0x" << back;
      }
    }
    EXPECT_EQ(bad, 0) << r.format;
  }
}

class CudaFmul : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

// Exhaustive over all input pairs for 8-bit inputs; sampled (random bits + products aimed at the output
// ranges) for 16-bit inputs.
TEST_P(CudaFmul, ModelMatchesCudaConversionOfExactProduct) {
  const auto& [an, bn] = GetParam();
  const nf::Format fa = nf::parseFormat(an), fb = nf::parseFormat(bn);
  Compare cmp;
  for (const CudaOut& co : cudaOutputs()) {
    const nf::Format out = nf::parseFormat(co.format);
    if (fa.width() <= 8 && fb.width() <= 8) {
      for (uint32_t a = 0; a < (1u << fa.width()); ++a)
        for (uint32_t b = 0; b < (1u << fb.width()); ++b) cmp(fa, fb, co, out, a, b);
    } else {
      std::mt19937_64 rng(std::hash<std::string>{}(an + bn + co.name) ^ 0x5eed);
      for (int i = 0; i < 40000; ++i) {
        uint32_t a = 0, b = 0;
        if (i % 4 == 0) {
          a = uint32_t(rng()) & fa.mask();
          b = uint32_t(rng()) & fb.mask();
        } else {
          // Product exponent from below the output's smallest subnormal to above its largest finite.
          const int lo = out.emin() - out.manBits - 3, hi = out.emax() + 2;
          const int target = lo + int(rng() % unsigned(hi - lo + 1));
          const int ea = -8 + int(rng() % 17);
          a = sampleNear(fa, rng, ea);
          b = sampleNear(fb, rng, target - ea);
          if (i % 4 == 1) b &= ~((1u << fb.manBits) - 1u) | (uint32_t(rng()) & 1u);  // short mantissas: ties
        }
        cmp(fa, fb, co, out, a, b);
      }
    }
  }
  EXPECT_EQ(cmp.bad, 0) << "mismatches out of " << cmp.checked;
  EXPECT_GT(cmp.checked, 0);
}

INSTANTIATE_TEST_SUITE_P(Inputs, CudaFmul,
                         ::testing::Values(std::tuple{"e4m3", "e4m3"}, std::tuple{"e5m2", "e5m2"},
                                           std::tuple{"e4m3", "e5m2"}, std::tuple{"bf16", "bf16"},
                                           std::tuple{"fp16", "fp16"}, std::tuple{"fp16", "bf16"}),
                         [](const auto& info) { return std::get<0>(info.param) + "_x_" + std::get<1>(info.param); });

#else

TEST(CudaOracle, HeadersPresent) { GTEST_SKIP() << "CUDA headers absent (/usr/local/cuda/include/cuda_fp8.h)"; }

#endif
