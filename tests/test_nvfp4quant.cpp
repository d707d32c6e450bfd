// nvfp4quant / nvfp4dequant (NVIDIA NVFP4) against oracles written here from the definition, sharing no code with
// the models: the block scale is the UE4M3 value nearest amax / (6 t), found by exact comparisons of amax with
// 6 t times every midpoint of the UE4M3 table (MPFR products, checked exact), and each element the E2M1 grid
// point chosen by comparing |x| with grid points and midpoints times s_b * t, per rounding mode. Dequantization
// against the MPFR oracle's rounding of the exact triple product. Then NVIDIA's own host conversions
// (cuda_fp8.h / cuda_fp4.h) as a second opinion on realistic blocks, hand-worked blocks, bad options, the
// accuracy figures recomputed from their definition, and co-simulation beyond the catalog.
#include <gtest/gtest.h>

#include <mpfr.h>

#if defined(NF_HAVE_CUDA_FP_HEADERS)
#include <cuda_fp4.h>
#include <cuda_fp8.h>
#endif

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>

#include <fmt/format.h>

#include "generators/fcvt.h"
#include "generators/nvfp4quant.h"
#include "oracles/mpfr_oracle.h"
#include "refmodels/nvfp4dequant.h"
#include "refmodels/quant_stats.h"
#include "tests/catalog.h"
#include "tests/quick_cosim.h"
#include "verif/cosim.h"

namespace nf {
namespace {

// E2M1 magnitudes by encoding (OCP MX v1.0 table 5 / NVIDIA's FP4): 0, 0.5, 1, 1.5, 2, 3, 4, 6.
const double kE2M1[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};

// a * b * c, exactly (asserted), in MPFR.
struct Exact {
  mpfr_t v;
  Exact(double a, double b, double c) {
    mpfr_init2(v, 256);
    mpfr_set_d(v, a, MPFR_RNDN);
    EXPECT_EQ(mpfr_mul_d(v, v, b, MPFR_RNDN), 0);
    EXPECT_EQ(mpfr_mul_d(v, v, c, MPFR_RNDN), 0);
  }
  ~Exact() { mpfr_clear(v); }
};
// sign of |a| - b * c * d
int cmpProduct(double a, double b, double c, double d) {
  Exact p(b, c, d);
  return -mpfr_cmp_d(p.v, std::fabs(a));
}

// a / b rounded once to 24 significant bits (fp32's precision; the results here are fp32-normal).
double div24(double a, double b) {
  mpfr_t m;
  mpfr_init2(m, 24);
  mpfr_set_d(m, a, MPFR_RNDN);  // a has at most 24 bits here
  mpfr_div_d(m, m, b, MPFR_RNDN);
  const double r = mpfr_get_d(m, MPFR_RNDN);
  mpfr_clear(m);
  return r;
}

struct Coverage {
  int zeroBlocks = 0, nanBlocks = 0, badScale = 0, scaleSaturated = 0, scaleClampedUp = 0, scaleTies = 0;
  int elemTies = 0, elemSaturated = 0, subnormalInputs = 0, subnormalScales = 0;
};

struct OracleOut {
  uint32_t scale = 0;
  std::vector<uint32_t> q;
};

// The definition (README / refmodels/nvfp4quant.h), evaluated by exact comparisons.
OracleOut nvfp4Oracle(const Format& in, Rounding mode, uint32_t tBits, const std::vector<uint32_t>& x, Coverage& cov) {
  const Format fp32 = parseFormat("fp32"), ue4m3 = parseFormat("ue4m3");
  OracleOut r;
  r.q.assign(x.size(), 0u);
  const double t = nfo::toDoubleSpec(fp32, tBits);
  bool special = !(t > 0) || std::isinf(t);
  if (special) ++cov.badScale;
  double amax = 0;
  std::vector<double> v;
  for (uint32_t b : x) {
    const double d = nfo::toDoubleSpec(in, b);
    special = special || std::isnan(d) || std::isinf(d);
    v.push_back(d);
    if (!std::isnan(d)) amax = std::max(amax, std::fabs(d));
    if (nfo::decodeSpec(in, b).cls == nfo::VClass::Subnormal) ++cov.subnormalInputs;
  }
  if (special) {
    ++cov.nanBlocks;
    r.scale = 0x7F;
    return r;
  }
  if (amax == 0) {
    ++cov.zeroBlocks;
    for (size_t i = 0; i < x.size(); ++i) r.q[i] = std::signbit(v[i]) ? 0x8u : 0x0u;
    return r;
  }
  // UE4M3 finite values, ascending by encoding 0x00..0x7E.
  uint32_t s = 0x7E;
  if (cmpProduct(amax, 6, t, 448) >= 0) {
    ++cov.scaleSaturated;
  } else {
    uint32_t k = 0;
    while (cmpProduct(amax, 6, t, nfo::toDoubleSpec(ue4m3, k + 1)) >= 0) ++k;  // 6 t g_k <= amax < 6 t g_k+1
    const double mid = (nfo::toDoubleSpec(ue4m3, k) + nfo::toDoubleSpec(ue4m3, k + 1)) / 2;
    const int c = cmpProduct(amax, 6, t, mid);
    if (c == 0) ++cov.scaleTies;
    s = c < 0 ? k : c > 0 ? k + 1 : (k % 2 == 0 ? k : k + 1);
  }
  if (s == 0) {
    ++cov.scaleClampedUp;
    s = 1;
  }
  if (s < 8) ++cov.subnormalScales;
  r.scale = s;
  const double sv = nfo::toDoubleSpec(ue4m3, s);
  for (size_t i = 0; i < x.size(); ++i) {
    const bool neg = std::signbit(v[i]);
    uint32_t e;
    if (v[i] == 0) {
      e = 0;
    } else if (cmpProduct(v[i], 6, sv, t) >= 0) {
      e = 7;  // satfinite in every mode
      cov.elemSaturated += cmpProduct(v[i], 6, sv, t) > 0;
    } else {
      uint32_t k = 0;
      while (cmpProduct(v[i], kE2M1[k + 1], sv, t) >= 0) ++k;
      const bool exact = cmpProduct(v[i], kE2M1[k], sv, t) == 0;
      const int c = cmpProduct(v[i], (kE2M1[k] + kE2M1[k + 1]) / 2, sv, t);
      cov.elemTies += c == 0;
      const bool awayFromZeroUp = neg ? mode == Rounding::RDN : mode == Rounding::RUP;
      if (exact) e = k;
      else if (mode == Rounding::RTZ) e = k;
      else if (mode == Rounding::RUP || mode == Rounding::RDN) e = awayFromZeroUp ? k + 1 : k;
      else if (c != 0) e = c < 0 ? k : k + 1;
      else e = mode == Rounding::RNA ? k + 1 : (k % 2 == 0 ? k : k + 1);
    }
    r.q[i] = e | (neg ? 0x8u : 0u);
  }
  return r;
}

struct Config {
  std::string in;
  Rounding mode;
};
void PrintTo(const Config& c, std::ostream* os) { *os << c.in << "_" << roundingName(c.mode); }

class Nvfp4QuantOracle : public ::testing::TestWithParam<Config> {};

TEST_P(Nvfp4QuantOracle, ModelMatchesDefinition) {
  const Config& c = GetParam();
  const Nvfp4QuantSpec spec = nvfp4QuantSpec(parseFormat(c.in), c.mode);
  const auto vectors = nvfp4QuantStimulus(spec.in, 99);
  ASSERT_GT(vectors.size(), 5000u);
  Coverage cov;
  int mismatches = 0;
  uint32_t q[16];
  for (const auto& vec : vectors) {
    const std::vector<uint32_t> x(vec.begin() + 1, vec.end());
    uint32_t scale = 0;
    nvfp4Quantize(spec, x.data(), vec[0], scale, q);
    const OracleOut want = nvfp4Oracle(spec.in, c.mode, vec[0], x, cov);
    const bool same = scale == want.scale && std::equal(want.q.begin(), want.q.end(), q);
    if (!same && ++mismatches <= 3) {
      std::string xs;
      for (uint32_t b : x) xs += fmt::format(" {:#x}", b);
      ADD_FAILURE() << fmt::format("t={:#010x} x={}\n  model scale {:#x} q {:x}\n  oracle scale {:#x} q {:x}", vec[0], xs,
                                   scale, fmt::join(q, q + 16, " "), want.scale, fmt::join(want.q, " "));
    }
  }
  EXPECT_EQ(mismatches, 0);
  // The stimulus reached every corner the rules name.
  EXPECT_GT(cov.zeroBlocks, 0);
  EXPECT_GT(cov.nanBlocks, 10);
  EXPECT_GT(cov.badScale, 5);
  EXPECT_GT(cov.scaleSaturated, 50);
  EXPECT_GT(cov.scaleClampedUp, 20);
  EXPECT_GT(cov.scaleTies, 50);
  EXPECT_GT(cov.elemTies, 200);
  EXPECT_GT(cov.elemSaturated, 50);
  EXPECT_GT(cov.subnormalInputs, 100);
  EXPECT_GT(cov.subnormalScales, 50);
}

INSTANTIATE_TEST_SUITE_P(All, Nvfp4QuantOracle, ::testing::ValuesIn([] {
                           std::vector<Config> v;
                           for (const char* in : {"fp32", "bf16", "fp16"})
                             for (Rounding m : {Rounding::RNE, Rounding::RNA, Rounding::RTZ, Rounding::RUP, Rounding::RDN})
                               v.push_back({in, m});
                           return v;
                         }()),
                         [](const auto& info) { return info.param.in + "_" + roundingName(info.param.mode); });

// Blocks worked out by hand.
TEST(Nvfp4Quant, HandWorkedBlocks) {
  const Nvfp4QuantSpec spec = nvfp4QuantSpec(parseFormat("bf16"), Rounding::RNE);
  uint32_t scale = 0, q[16];
  // t = 1: amax 12 -> 12 / 6 = 2 exactly (ue4m3 0x40); 12/2 = 6 (0x7), 1/2 = 0.5 (0x1), -3/2 = -1.5 (0xB),
  // 0.75/2 = 0.375 rounds to 0.5 (0x1), -0.25/2 = -0.125 rounds to -0 (0x8), 5/2 = 2.5 ties to 2 (0x4).
  std::vector<uint32_t> x(16, 0u);
  x[0] = 0x4140;  // 12
  x[1] = 0x3F80;  // 1
  x[2] = 0xC040;  // -3
  x[3] = 0x3F40;  // 0.75
  x[4] = 0xBE80;  // -0.25
  x[5] = 0x40A0;  // 5
  x[6] = 0x8000;  // -0
  nvfp4Quantize(spec, x.data(), 0x3F800000, scale, q);
  EXPECT_EQ(scale, 0x40u);
  const uint32_t want[16] = {0x7, 0x1, 0xB, 0x1, 0x8, 0x4, 0x8, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(std::equal(want, want + 16, q)) << fmt::format("{:x}", fmt::join(q, q + 16, " "));
  // t = 2^-10: amax 1 / (6 * 2^-10) = 170.67 -> ue4m3 176 (0x73: 2^7 * 1.375); s_b t = 176 * 2^-10 = 0.171875;
  // x = 1 -> 5.818 -> 6 (0x7).
  std::vector<uint32_t> y(16, 0u);
  y[3] = 0x3F80;
  nvfp4Quantize(spec, y.data(), 0x3A800000, scale, q);
  EXPECT_EQ(scale, 0x73u);
  EXPECT_EQ(q[3], 0x7u);
  // amax / (6 t) = 1e-6 (t = 1): rounds to 0 in ue4m3 (below 2^-10), so the scale is 2^-9 (0x01); x = 6e-6 / 2^-9
  // = 0.003 rounds to 0.
  std::vector<uint32_t> z(16, 0u);
  z[0] = roundFromDouble(6e-6, parseFormat("bf16"), {}).bits;
  nvfp4Quantize(spec, z.data(), 0x3F800000, scale, q);
  EXPECT_EQ(scale, 0x01u);
  EXPECT_EQ(q[0], 0x0u);
  // t negative, zero or NaN: NaN scale, zero elements.
  for (uint32_t t : {0xBF800000u, 0x00000000u, 0x80000000u, 0x7FC00000u, 0x7F800000u}) {
    nvfp4Quantize(spec, x.data(), t, scale, q);
    EXPECT_EQ(scale, 0x7Fu) << std::hex << t;
    EXPECT_EQ(q[0], 0u);
  }
}

// Block scales below UE4M3's smallest normal 2^-6 stay subnormal (k * 2^-9, k = 1..7; rounded to nearest even on
// that grid), and a nonzero block whose scale rounds to 0 takes 2^-9 (0x01). t = 1, so s_b = RNE(amax / 6).
// (torchao clamps amax / (6 t) to 2^-6 first: its scales are never subnormal; docs/operators/mxquant.md (scale rules).)
TEST(Nvfp4Quant, SubnormalBlockScales) {
  const Nvfp4QuantSpec spec = nvfp4QuantSpec(parseFormat("bf16"), Rounding::RNE);
  const Format bf16 = parseFormat("bf16");
  struct Case {
    double amax, other;
    uint32_t scale, qAmax, qOther;
  };
  const Case cases[] = {
      // 6 * 2^-8 / 6 = 2 * 2^-9 (0x02); elements / 2^-8: 6 (0x7), 1.5 * 2^-8 -> 1.5 (0x3).
      {6 * std::ldexp(1.0, -8), 1.5 * std::ldexp(1.0, -8), 0x02, 0x7, 0x3},
      // 9 * 2^-9 / 6 = 1.5 * 2^-9: ties 0x01 | 0x02 -> 0x02 (even); 9 * 2^-9 / 2^-8 = 4.5 ties 4 | 6 -> 4 (0x6).
      {9 * std::ldexp(1.0, -9), -std::ldexp(1.0, -9), 0x02, 0x6, 0x9},  // -2^-9 / 2^-8 = -0.5 (0x9)
      // 42 * 2^-9 / 6 = 7 * 2^-9, the largest subnormal (0x07); 42 / 7 = 6 (0x7); 2^-9 / (7 * 2^-9) = 1/7 -> 0.
      {42 * std::ldexp(1.0, -9), std::ldexp(1.0, -9), 0x07, 0x7, 0x0},
      // 45 * 2^-9 / 6 = 7.5 * 2^-9: ties 0x07 | 0x08 (2^-6, normal) -> 0x08; 45 * 2^-9 / 2^-6 = 5.625 -> 6 (0x7).
      {45 * std::ldexp(1.0, -9), 0, 0x08, 0x7, 0x0},
      // 6 * 2^-10 / 6 = 2^-10: ties 0 | 2^-9 -> 0, so 0x01; 6 * 2^-10 / 2^-9 = 3 (0x5).
      {6 * std::ldexp(1.0, -10), 0, 0x01, 0x5, 0x0},
  };
  for (const Case& c : cases) {
    std::vector<uint32_t> x(16, 0u);
    x[2] = roundFromDouble(c.amax, bf16, {}).bits;
    x[9] = roundFromDouble(c.other, bf16, {}).bits;
    ASSERT_EQ(bf16.toDouble(x[2]), c.amax);
    uint32_t scale = 0, q[16];
    nvfp4Quantize(spec, x.data(), 0x3F800000, scale, q);
    EXPECT_EQ(scale, c.scale) << c.amax;
    EXPECT_EQ(q[2], c.qAmax) << c.amax;
    EXPECT_EQ(q[9], c.qOther) << c.amax;
  }
  // The co-simulated stimulus (the catalog's nvfp4quant units and Nvfp4Cosim run it) reaches subnormal scales.
  const auto unit = buildUnit("nvfp4quant", {"--a", "bf16"});
  int subnormal = 0;
  std::vector<uint32_t> out(unit->outputWords());
  for (const auto& v : unit->cornerVectors()) {
    unit->emulate(v.data(), out.data());
    subnormal += out[0] >= 1 && out[0] <= 7;
  }
  EXPECT_GT(subnormal, 20);
}

// Dequantization: every (scale, element) pair times tensor scales from every fp32 class, all modes, against the
// MPFR oracle's single rounding of the exact product, with IEEE specials decided here.
TEST(Nvfp4Dequant, ModelMatchesMpfrOracle) {
  const Format fp32 = parseFormat("fp32"), ue4m3 = parseFormat("ue4m3"), e2m1 = parseFormat("e2m1");
  std::mt19937_64 rng(11);
  std::vector<uint32_t> ts = {0x00000000, 0x80000000, 0x00000001, 0x007FFFFF, 0x00800000, 0x3F800000, 0xBF800000,
                              0x3A800000, 0x7F7FFFFF, 0x7F000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0x7F800001,
                              0x0C000000, 0x73800000, 0x1F000001};
  for (int r = 0; r < 40; ++r) ts.push_back(uint32_t(rng()));
  int mismatches = 0, checked = 0;
  for (const char* outName : {"fp32", "bf16", "fp16"}) {
    const Format out = parseFormat(outName);
    for (Rounding m : {Rounding::RNE, Rounding::RTZ, Rounding::RUP, Rounding::RDN, Rounding::RNA, Rounding::ROD}) {
      const Nvfp4DequantSpec spec = nvfp4DequantSpec(out, m);
      for (uint32_t t : ts)
        for (uint32_t s = 0; s < 128; ++s)
          for (uint32_t e = 0; e < 16; ++e) {
            const nfo::Val tv = nfo::decodeSpec(fp32, t), sv = nfo::decodeSpec(ue4m3, s), ev = nfo::decodeSpec(e2m1, e);
            const bool sign = ev.sign != tv.sign;
            uint32_t want;
            const bool zero = sv.cls == nfo::VClass::Zero || ev.cls == nfo::VClass::Zero;
            if (sv.isNaN() || tv.isNaN()) want = nfo::nanResult(out, 0).bits;
            else if (tv.cls == nfo::VClass::Inf) want = zero ? nfo::nanResult(out, 0).bits : nfo::infResult(sign, out, {m}).bits;
            else if (zero || tv.cls == nfo::VClass::Zero) want = nfo::zeroResult(sign, out).bits;
            else want = nfo::roundExact(sign, ev.sig * sv.sig * tv.sig, ev.exp + sv.exp + tv.exp, out, {m}).bits;
            const uint32_t got = nvfp4DequantizeElement(spec, t, s, e);
            ++checked;
            if (got != want && ++mismatches <= 3)
              ADD_FAILURE() << fmt::format("{} {}: t={:#x} s={:#x} q={:#x}: model {:#x}, oracle {:#x}", outName,
                                           roundingName(m), t, s, e, got, want);
          }
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(checked, 3 * 6 * int(ts.size()) * 128 * 16);
}

// Quantize then dequantize: in-range values come back within half an element step of s_b t (rne).
TEST(Nvfp4, RoundTripErrorIsBounded) {
  const Nvfp4QuantSpec qs = nvfp4QuantSpec(parseFormat("fp32"), Rounding::RNE);
  const Nvfp4DequantSpec ds = nvfp4DequantSpec(parseFormat("fp32"), Rounding::RNE);
  std::mt19937_64 rng(5);
  std::normal_distribution<float> g(0, 1);
  for (int b = 0; b < 2000; ++b) {
    uint32_t x[16], q[16], z[16], scale = 0;
    double amax = 0;
    const float mag = std::ldexp(1.0f, int(rng() % 40) - 20);
    for (uint32_t& v : x) {
      const float f = g(rng) * mag;
      std::memcpy(&v, &f, 4);
      amax = std::max(amax, double(std::fabs(f)));
    }
    const uint32_t t = perTensorScaleFp32(amax, kNvfp4TensorDivisor);
    nvfp4Quantize(qs, x, t, scale, q);
    nvfp4Dequantize(ds, t, scale, q, z);
    const double step = parseFormat("ue4m3").toDouble(scale) * parseFormat("fp32").toDouble(t);
    for (int i = 0; i < 16; ++i) {
      float xf, zf;
      std::memcpy(&xf, &x[i], 4);
      std::memcpy(&zf, &z[i], 4);
      // E2M1 steps are at most 2 (between 4 and 6), so the error is at most 1 grid unit of s_b t.
      EXPECT_LE(std::fabs(double(xf) - double(zf)), 1.0 * step * (1 + 1e-6)) << b << " " << i;
    }
  }
}

TEST(Nvfp4Options, BadParametersNameTheField) {
  struct Bad {
    std::string op;
    std::vector<std::string> args;
    std::string mention;
  };
  const Bad bad[] = {
      {"nvfp4quant", {"--a", "e4m3"}, "--a"},
      {"nvfp4quant", {"--a", "int8"}, "--a"},
      {"nvfp4quant", {"--a", "bf16", "--block", "32"}, "--block"},
      {"nvfp4quant", {"--a", "bf16", "--round", "sr"}, "--round"},
      {"nvfp4quant", {"--a", "bf16", "--round", "dyn"}, "--round"},
      {"nvfp4quant", {"--a", "bf16", "--round", "rod"}, "rne, rna, rtz, rup, rdn"},
      {"nvfp4quant", {"--a", "bf16", "--name", "9x"}, "--name"},
      {"nvfp4dequant", {"--out", "int8"}, "--out"},
      {"nvfp4dequant", {"--out", "fp32", "--block", "8"}, "--block"},
      {"nvfp4dequant", {"--round", "sr"}, "--round"},
  };
  for (const Bad& b : bad) {
    try {
      buildUnit(b.op, b.args);
      ADD_FAILURE() << "accepted: " << b.op << " " << fmt::format("{}", fmt::join(b.args, " "));
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(b.mention), std::string::npos) << e.what();
    }
  }
  std::string out;
  EXPECT_EQ(test::runCommand(NF_BINARY_DIR "/numforge gen nvfp4quant --a e4m3 -o /tmp/nf_nvfp4_never", out), 2) << out;
  EXPECT_NE(out.find("--a"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists("/tmp/nf_nvfp4_never"));
  EXPECT_EQ(test::runCommand(NF_BINARY_DIR "/numforge accuracy fmul --a bf16", out), 2) << out;
  EXPECT_NE(out.find("nvfp4quant"), std::string::npos) << out;
}

// QuantStats from the definition, recomputed here in double on a small tensor: NVFP4 with t = fp32(amax/2688),
// and per-tensor fcvt e4m3 with t = fp32(amax/448) and x / t rounded to fp32 (exact in double here) then
// to e4m3 by the MPFR oracle.
TEST(Nvfp4Accuracy, FiguresMatchADirectRecomputation) {
  const std::vector<float> x = makeDistribution("outliers", 4096, 21);
  double amax = 0;
  for (float f : x) amax = std::max(amax, double(std::fabs(f)));
  const Format fp32 = parseFormat("fp32"), e4m3 = parseFormat("e4m3");
  {
    const Nvfp4QuantSpec spec = nvfp4QuantSpec(fp32, Rounding::RNE);
    uint32_t tBits = 0;
    const QuantStats st = nvfp4QuantStats(spec, x.data(), x.size(), 2, &tBits);
    const double t = div24(amax, 2688);  // t from its definition: amax / (6 * 448) rounded to fp32
    EXPECT_EQ(nfo::toDoubleSpec(fp32, tBits), t);
    Coverage cov;
    double num = 0, den = 0, maxAbs = 0;
    for (size_t b = 0; b < x.size(); b += 16) {
      std::vector<uint32_t> bits(16);
      std::memcpy(bits.data(), &x[b], 64);
      const OracleOut o = nvfp4Oracle(fp32, Rounding::RNE, tBits, bits, cov);
      const double X = nfo::toDoubleSpec(parseFormat("ue4m3"), o.scale) * t;
      for (int i = 0; i < 16; ++i) {
        const double y = (o.q[size_t(i)] & 8 ? -1 : 1) * kE2M1[o.q[size_t(i)] & 7] * X;
        const double e = double(x[b + size_t(i)]) - y;
        num += double(x[b + size_t(i)]) * double(x[b + size_t(i)]);
        den += e * e;
        maxAbs = std::max(maxAbs, std::fabs(e));
      }
    }
    EXPECT_EQ(st.elements, x.size());
    EXPECT_NEAR(st.qsnrDb, 10 * std::log10(num / den), 1e-9);
    EXPECT_NEAR(st.mse, den / double(x.size()), 1e-15);
    EXPECT_EQ(st.maxAbsErr, maxAbs);
  }
  {
    const auto unit = buildUnit("fcvt", {"--a", "fp32", "--out", "e4m3"});
    uint32_t tBits = 0;
    const QuantStats st = perTensorQuantStats(*fcvtSpecOf(*unit), x.data(), x.size(), 2, &tBits);
    const double t = div24(amax, 448);
    EXPECT_EQ(nfo::toDoubleSpec(fp32, tBits), t);
    double num = 0, den = 0;
    int saturated = 0;
    for (float f : x) {
      const double scaled = f == 0 ? 0.0 : div24(double(f), t);  // x / t rounded once to fp32
      double y = 0;
      if (scaled != 0) {
        int e = 0;
        const double mm = std::frexp(std::fabs(scaled), &e);
        y = nfo::toDoubleSpec(e4m3, nfo::roundExact(scaled < 0, uint64_t(std::ldexp(mm, 53)), e - 53, e4m3,
                                                    {Rounding::RNE, true, false}).bits) * t;
      }
      saturated += std::fabs(double(f)) > 448 * t;
      num += double(f) * double(f);
      den += (double(f) - y) * (double(f) - y);
    }
    EXPECT_NEAR(st.qsnrDb, 10 * std::log10(num / den), 1e-9);
    EXPECT_NEAR(st.saturatedFrac, double(saturated) / double(x.size()), 1e-12);
    // The figures the command prints are these.
    std::string out;
    ASSERT_EQ(test::runCommand(NF_BINARY_DIR "/numforge accuracy fcvt --a fp32 --out e4m3 --dist outliers --samples 4096 "
                               "--seed 21",
                               out),
              0)
        << out;
    EXPECT_NE(out.find(fmt::format("QSNR          {:.2f} dB", 10 * std::log10(num / den))), std::string::npos) << out;
  }
}

#if defined(NF_HAVE_CUDA_FP_HEADERS)

// NVIDIA's recipe in fp32 as TorchAO / Model Optimizer run it, with CUDA's own conversions: s = e4m3(satfinite,
// rne)((amax / 6) / t) clamped up to 2^-9, q_i = e2m1(rne)(x_i / (t * s)). Its intermediate fp32 roundings may
// move a quotient lying within about 2^-22 of a rounding midpoint across it; every disagreement must be such a
// case, and they must be rare.
TEST(Nvfp4Cuda, AgreesWithTheFp32RecipeExceptAtMidpoints) {
  const Nvfp4QuantSpec spec = nvfp4QuantSpec(parseFormat("fp32"), Rounding::RNE);
  const Format ue4m3 = parseFormat("ue4m3");
  auto nearMidpoint = [](double v, const std::vector<double>& grid) {
    for (size_t k = 0; k + 1 < grid.size(); ++k) {
      const double mid = (grid[k] + grid[k + 1]) / 2;
      if (std::fabs(v - mid) <= mid * 0x1p-21) return true;
    }
    return false;
  };
  std::vector<double> scaleGrid, elemGrid(kE2M1, kE2M1 + 8);
  for (uint32_t e = 0; e < 0x7F; ++e) scaleGrid.push_back(nfo::toDoubleSpec(ue4m3, e));
  uint64_t blocks = 0, scaleDiff = 0, elemDiff = 0, elems = 0;
  for (const char* dist : {"normal", "laplace", "outliers", "uniform"}) {
    const std::vector<float> x = makeDistribution(dist, 16 * 20000, 3);
    float amax = 0;
    for (float f : x) amax = std::max(amax, std::fabs(f));
    for (double shrink : {1.0, 1.0 / 64, 1.0 / 3000}) {  // also tensor scales that push block scales far down
      const float t = float(double(amax) / 2688 * shrink);
      uint32_t tBits;
      std::memcpy(&tBits, &t, 4);
      for (size_t b = 0; b < x.size(); b += 16) {
        uint32_t in[16], q[16], scale = 0;
        std::memcpy(in, &x[b], 64);
        nvfp4Quantize(spec, in, tBits, scale, q);
        float bamax = 0;
        for (int i = 0; i < 16; ++i) bamax = std::max(bamax, std::fabs(x[b + size_t(i)]));
        uint32_t cs = uint32_t(__nv_cvt_float_to_fp8(bamax / 6.0f / t, __NV_SATFINITE, __NV_E4M3));
        if (cs == 0) cs = 1;
        ++blocks;
        if (cs != scale) {
          ++scaleDiff;
          EXPECT_TRUE(nearMidpoint(double(bamax) / 6 / double(t), scaleGrid))
              << dist << " block " << b << ": scale " << scale << " vs CUDA " << cs;
          continue;
        }
        const float total = t * float(nfo::toDoubleSpec(ue4m3, cs));
        for (int i = 0; i < 16; ++i) {
          const float xi = x[b + size_t(i)];
          const uint32_t cq = uint32_t(__nv_cvt_float_to_fp4(xi / total, __NV_E2M1, cudaRoundNearest)) & 0xF;
          ++elems;
          // -0 and +0: CUDA keeps the sign of the quotient, so does the model.
          if (cq != q[i]) {
            ++elemDiff;
            EXPECT_TRUE(nearMidpoint(std::fabs(double(xi) / (double(t) * nfo::toDoubleSpec(ue4m3, cs))), elemGrid))
                << dist << " x=" << xi << ": q " << q[i] << " vs CUDA " << cq;
          }
        }
      }
    }
  }
  EXPECT_GT(blocks, 200000u);
  EXPECT_LE(scaleDiff, blocks / 1000);
  EXPECT_LE(elemDiff, elems / 10000);
  std::cout << fmt::format("[ info ] {} blocks, {} elements: scale differs in {}, elements in {} (fp32 midpoints)\n",
                           blocks, elems, scaleDiff, elemDiff);
}

#else

TEST(Nvfp4Cuda, HeadersPresent) {
  GTEST_SKIP() << "CUDA headers absent (/usr/local/cuda/include/cuda_fp8.h); NVFP4 not compared with CUDA";
}

#endif

// Configurations beyond the catalog's, co-simulated (corner vectors + seeded random).
class Nvfp4Cosim : public ::testing::TestWithParam<std::pair<std::string, std::vector<std::string>>> {};

TEST_P(Nvfp4Cosim, RtlMatchesModel) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  ::setenv("NUMFORGE_CACHE", NF_BINARY_DIR "/vcache", 0);
  const auto unit = buildUnit(GetParam().first, GetParam().second);
  const verif::CosimReport r = test::quickRandomCosim(*unit, 20000, 7);
  EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
  EXPECT_GE(r.vectors, 20000u + 5000);
}

INSTANTIATE_TEST_SUITE_P(
    Nv, Nvfp4Cosim,
    ::testing::Values(std::make_pair(std::string("nvfp4quant"), std::vector<std::string>{"--a", "fp16", "--round", "rdn"}),
                      // With the catalog's bf16 rne and fp32 rna, every element rounding mode of the comparison RTL,
                      // and the element ties (which only rne tells apart) for a 24-bit input significand too.
                      std::make_pair(std::string("nvfp4quant"), std::vector<std::string>{"--a", "fp32", "--round", "rne"}),
                      std::make_pair(std::string("nvfp4quant"), std::vector<std::string>{"--a", "bf16", "--round", "rtz"}),
                      std::make_pair(std::string("nvfp4quant"), std::vector<std::string>{"--a", "fp32", "--round", "rup"}),
                      std::make_pair(std::string("nvfp4dequant"), std::vector<std::string>{"--out", "fp16", "--round", "rup"})),
    [](const auto& info) { return test::argsName(info.param.second, info.param.first); });

}  // namespace
}  // namespace nf
