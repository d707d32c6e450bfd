// nf::fmaModel against the MPFR oracle (exact product and sum, one rounding, tests/oracles/mpfr_oracle.*):
// for every signed floating-point preset as a and b with every preset as c and z (mixed formats such as
// bf16 x bf16 + fp32 -> fp32), every rounding mode, exhaustive when a, b and c have at most 18 bits together,
// sampled with cancellation / tie / overflow / underflow addends otherwise; variants; special cases by hand;
// and the host's fmaf for fp32 (correctly rounded in glibc).
#include <gtest/gtest.h>

#include <fenv.h>

#include <cmath>
#include <cstring>

#include "oracles/mpfr_oracle.h"
#include "refmodels/fma.h"
#include "model_sweep.h"
#include "sum_stimulus.h"

namespace {

using nf::Rounding;

using nf::test::Variant;
const std::vector<std::string>& kPresets = nf::test::kFloatPresets;
const auto& kModes = nf::test::kDirectedModes;


using Stats = nf::test::SweepStats;

class Checker {
 public:
  Checker(const nf::Format& ab, const nf::Format& c, const nf::Format& out, Variant v) : v_(v), cmp_(out) {
    spec_.a = spec_.b = ab;
    spec_.c = c;
    spec_.out = out;
    spec_.round.saturate = v.saturate;
    spec_.round.ftz = v.ftz;
    spec_.daz = v.daz;
  }
  void check(uint32_t a, uint32_t b, uint32_t c, Rounding mode) {
    const double p = nfo::toDoubleSpec(spec_.a, a) * nfo::toDoubleSpec(spec_.b, b), y = nfo::toDoubleSpec(spec_.c, c);
    if (p != 0 && std::fabs(p + y) < std::fabs(p) * 0x1p-4) cmp_.countCancellation();
    cmp_.check(
        nf::fmaModel(spec_, a, b, c, mode),
        [&] {
          return nfo::fmaOracle(spec_.a, spec_.b, spec_.c, spec_.out, a, b, c, {mode, v_.saturate, v_.ftz}, v_.daz);
        },
        [&] { return header(a, b, c, mode); });
  }
  std::string header(uint32_t a, uint32_t b, uint32_t c, Rounding mode) const {
    return "fma " + spec_.a.name + " x " + spec_.b.name + " + " + spec_.c.name + " -> " + spec_.out.name + " " +
           nfo::modeName(mode) + (v_.saturate ? " sat" : "") + (v_.ftz ? " ftz" : "") + (v_.daz ? " daz" : "") +
           ": a=" + nfo::showBits(spec_.a, a) + " b=" + nfo::showBits(spec_.b, b) + " c=" + nfo::showBits(spec_.c, c);
  }
  const Stats& stats() const { return cmp_.stats(); }

 private:
  nf::FmaSpec spec_;
  Variant v_;
  nf::test::OracleComparison cmp_;
};

Stats run(const nf::Format& fab, const nf::Format& fc, const nf::Format& out, Variant v, int samplesPerMode) {
  Checker ch(fab, fc, out, v);
  const bool exhaustive = 2 * fab.width() + fc.width() <= 18;
  for (Rounding mode : kModes) {
    if (exhaustive) {
      for (uint32_t a = 0; a < (1u << fab.width()); ++a)
        for (uint32_t b = 0; b < (1u << fab.width()); ++b)
          for (uint32_t c = 0; c < (1u << fc.width()); ++c) ch.check(a, b, c, mode);
      continue;
    }
    nft::SumStimulus s(nft::fnv1a(fab.name + "*+" + fc.name + out.name + nfo::modeName(mode)));
    for (int i = 0; i < samplesPerMode; ++i) {
      const unsigned k = unsigned(s.rng()() % 10);
      const uint32_t a = k < 2 ? s.corner(fab) : s.randomBits(fab);
      const uint32_t b = k < 3 ? s.corner(fab) : s.randomBits(fab);
      const double p = nfo::toDoubleSpec(fab, a) * nfo::toDoubleSpec(fab, b);
      const uint32_t c = k < 4 ? s.corner(fc) : (k < 5 || !std::isfinite(p)) ? s.randomBits(fc) : s.partner(fc, p, out);
      ch.check(a, b, c, mode);
    }
  }
  return ch.stats();
}

class FmaPresets : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(FmaPresets, AllModesVsMpfr) {
  const auto& [abn, cn] = GetParam();
  const nf::Format fab = nf::parseFormat(abn), fc = nf::parseFormat(cn);
  const Stats st = run(fab, fc, fc, Variant{}, 2500);
  EXPECT_EQ(st.bad, 0) << "mismatches out of " << st.checked;
  EXPECT_GT(st.cancellations, 0) << "the stimulus never cancelled";
  EXPECT_GT(st.inexact, 0);
}

INSTANTIATE_TEST_SUITE_P(Pairs, FmaPresets, ::testing::Combine(::testing::ValuesIn(kPresets), ::testing::ValuesIn(kPresets)),
                         [](const auto& info) { return std::get<0>(info.param) + "_fma_" + std::get<1>(info.param); });

class FmaOutputs : public ::testing::TestWithParam<std::string> {};

TEST_P(FmaOutputs, OutputsAndVariantsVsMpfr) {
  const nf::Format f = nf::parseFormat(GetParam());
  long bad = 0, checked = 0, over = 0, under = 0;
  for (const std::string& out : kPresets)
    for (Variant v : {Variant{}, Variant{true, false, false}, Variant{false, true, false}, Variant{false, false, true},
                      Variant{true, true, true}}) {
      const Stats st = run(f, f, nf::parseFormat(out), v, 300);
      bad += st.bad;
      checked += st.checked;
      over += st.overflows;
      under += st.underflows;
    }
  EXPECT_EQ(bad, 0) << "mismatches out of " << checked;
  EXPECT_GT(over, 0);
  EXPECT_GT(under, 0);
}

INSTANTIATE_TEST_SUITE_P(Inputs, FmaOutputs, ::testing::Values("fp32", "fp16", "bf16", "e4m3", "e5m2", "e2m1"));

TEST(FmaRules, SpecialCasesAndSignedZeros) {
  nf::FmaSpec s;
  s.a = s.b = s.c = s.out = nf::parseFormat("fp16");
  const uint8_t inv = nf::kFlagInvalid;
  EXPECT_EQ(nf::fmaModel(s, 0x0000, 0x7c00, 0x3c00, Rounding::RNE), (nf::Packed{0x7e00, inv}));  // 0 x inf + 1
  EXPECT_EQ(nf::fmaModel(s, 0x7c00, 0x8000, 0x7e00, Rounding::RNE), (nf::Packed{0x7e00, inv}));  // 0 x inf + qNaN
  EXPECT_EQ(nf::fmaModel(s, 0x7e00, 0x0000, 0x3c00, Rounding::RNE), (nf::Packed{0x7e00, 0}));    // qNaN x 0
  EXPECT_EQ(nf::fmaModel(s, 0x3c00, 0x3c00, 0x7d00, Rounding::RNE), (nf::Packed{0x7e00, inv}));  // sNaN addend
  EXPECT_EQ(nf::fmaModel(s, 0x7c00, 0x3c00, 0xfc00, Rounding::RNE), (nf::Packed{0x7e00, inv}));  // inf - inf
  EXPECT_EQ(nf::fmaModel(s, 0x7c00, 0xbc00, 0xfc00, Rounding::RNE), (nf::Packed{0xfc00, 0}));    // -inf - inf
  EXPECT_EQ(nf::fmaModel(s, 0x3c00, 0x3c00, 0xfc00, Rounding::RNE), (nf::Packed{0xfc00, 0}));    // 1 - inf
  for (Rounding m : kModes) {
    const uint32_t z = m == Rounding::RDN ? 0x8000 : 0x0000;
    EXPECT_EQ(nf::fmaModel(s, 0x3e00, 0x3c00, 0xbe00, m), (nf::Packed{z, 0})) << nfo::modeName(m);    // 1.5 - 1.5
    EXPECT_EQ(nf::fmaModel(s, 0x8000, 0x3c00, 0x0000, m), (nf::Packed{z, 0})) << nfo::modeName(m);    // -0 + +0
    EXPECT_EQ(nf::fmaModel(s, 0x8000, 0x3c00, 0x8000, m), (nf::Packed{0x8000, 0})) << nfo::modeName(m);  // -0 + -0
    EXPECT_EQ(nf::fmaModel(s, 0x0000, 0xbc00, 0x8000, m), (nf::Packed{0x8000, 0})) << nfo::modeName(m);  // +0*-1 + -0
  }
  // One rounding: (1 + 2^-10)^2 - 1 = 2^-9 + 2^-20 exactly representable? 2^-9 * (1 + 2^-11): rounds to 2^-9 (tie, even).
  EXPECT_EQ(nf::fmaModel(s, 0x3c01, 0x3c01, 0xbc00, Rounding::RNE), (nf::Packed{0x1800, nf::kFlagInexact}));
  EXPECT_EQ(nf::fmaModel(s, 0x3c01, 0x3c01, 0xbc00, Rounding::RUP), (nf::Packed{0x1801, nf::kFlagInexact}));
  // A tiny addend below the product's last bit still decides a directed rounding.
  EXPECT_EQ(nf::fmaModel(s, 0x3c00, 0x3c00, 0x0001, Rounding::RUP), (nf::Packed{0x3c01, nf::kFlagInexact}));
  EXPECT_EQ(nf::fmaModel(s, 0x3c00, 0x3c00, 0x8001, Rounding::RTZ), (nf::Packed{0x3bff, nf::kFlagInexact}));
}

// fp32 against the host's fmaf (correctly rounded) in the four IEEE modes; results only (libm's flags differ).
TEST(FmaHostLibm, Fp32VsFmaf) {
  nf::FmaSpec s;
  s.a = s.b = s.c = s.out = nf::parseFormat("fp32");
  const std::pair<int, Rounding> modes[] = {{FE_TONEAREST, Rounding::RNE}, {FE_TOWARDZERO, Rounding::RTZ},
                                            {FE_UPWARD, Rounding::RUP}, {FE_DOWNWARD, Rounding::RDN}};
  nft::SumStimulus st(7);
  long bad = 0;
  for (const auto& [fe, m] : modes) {
    for (int i = 0; i < 100000; ++i) {
      const uint32_t a = i % 3 ? st.randomBits(s.a) : st.corner(s.a);
      const uint32_t b = st.randomBits(s.b);
      const double p = nfo::toDoubleSpec(s.a, a) * nfo::toDoubleSpec(s.b, b);
      const uint32_t c = i % 2 && std::isfinite(p) ? st.partner(s.c, p, s.out) : st.randomBits(s.c);
      float fa, fb, fc;
      std::memcpy(&fa, &a, 4);
      std::memcpy(&fb, &b, 4);
      std::memcpy(&fc, &c, 4);
      fesetround(fe);
      volatile float va = fa, vb = fb, vc = fc;
      const float fz = std::fmaf(va, vb, vc);
      fesetround(FE_TONEAREST);
      uint32_t z;
      std::memcpy(&z, &fz, 4);
      const nf::Packed got = nf::fmaModel(s, a, b, c, m);
      if (std::isnan(fz) ? !s.out.isNaN(got.bits) : got.bits != z) {
        if (bad++ < 8)
          ADD_FAILURE() << nfo::modeName(m) << " fma(" << nfo::showBits(s.a, a) << ", " << nfo::showBits(s.b, b) << ", "
                        << nfo::showBits(s.c, c) << "): fmaf " << nfo::showBits(s.out, z) << ", model "
                        << nfo::showBits(s.out, got.bits);
      }
    }
  }
  EXPECT_EQ(bad, 0);
}

}  // namespace
