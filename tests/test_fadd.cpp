// nf::faddModel against the MPFR oracle (exact sum, one rounding, tests/oracles/mpfr_oracle.*) for every pair
// of signed floating-point presets and every rounding mode (exhaustive when both inputs have at most 8 bits,
// sampled with cancellation / tie / overflow / underflow partners otherwise), the saturate / ftz / daz
// variants, the IEEE signed-zero rules and the special cases written out by hand, and the host FPU for fp32.
#include <gtest/gtest.h>

#include <fenv.h>

#include <cstring>

#include "oracles/mpfr_oracle.h"
#include "refmodels/fadd.h"
#include "model_sweep.h"
#include "sum_stimulus.h"
#include "generators/unit.h"
#include "tests/catalog.h"
#include "tests/quick_cosim.h"

namespace {

using nf::Rounding;

using nf::test::Variant;
const std::vector<std::string>& kPresets = nf::test::kFloatPresets;
const auto& kModes = nf::test::kDirectedModes;


using Stats = nf::test::SweepStats;

class Checker {
 public:
  Checker(const nf::Format& a, const nf::Format& b, const nf::Format& out, Variant v) : v_(v), cmp_(out) {
    spec_.a = a;
    spec_.b = b;
    spec_.out = out;
    spec_.round.saturate = v.saturate;
    spec_.round.ftz = v.ftz;
    spec_.daz = v.daz;
  }
  void check(uint32_t a, uint32_t b, Rounding mode) {
    const double x = nfo::toDoubleSpec(spec_.a, a), y = nfo::toDoubleSpec(spec_.b, b);
    if (x != 0 && std::fabs(x + y) < std::fabs(x) * 0x1p-4) cmp_.countCancellation();
    cmp_.check(
        nf::faddModel(spec_, a, b, mode),
        [&] { return nfo::faddOracle(spec_.a, spec_.b, spec_.out, a, b, {mode, v_.saturate, v_.ftz}, v_.daz); },
        [&] { return header(a, b, mode); });
  }
  std::string header(uint32_t a, uint32_t b, Rounding mode) const {
    return "fadd " + spec_.a.name + " + " + spec_.b.name + " -> " + spec_.out.name + " " + nfo::modeName(mode) +
           (v_.saturate ? " sat" : "") + (v_.ftz ? " ftz" : "") + (v_.daz ? " daz" : "") +
           ": a=" + nfo::showBits(spec_.a, a) + " b=" + nfo::showBits(spec_.b, b);
  }
  const Stats& stats() const { return cmp_.stats(); }

 private:
  nf::FaddSpec spec_;
  Variant v_;
  nf::test::OracleComparison cmp_;
};

Stats run(const nf::Format& fa, const nf::Format& fb, const nf::Format& out, Variant v, int samplesPerMode) {
  Checker c(fa, fb, out, v);
  const bool exhaustive = fa.width() + fb.width() <= 16;
  for (Rounding mode : kModes) {
    if (exhaustive) {
      for (uint32_t a = 0; a < (1u << fa.width()); ++a)
        for (uint32_t b = 0; b < (1u << fb.width()); ++b) c.check(a, b, mode);
      continue;
    }
    nft::SumStimulus s(nft::fnv1a(fa.name + "+" + fb.name + out.name + nfo::modeName(mode)));
    for (int i = 0; i < samplesPerMode; ++i) {
      const unsigned k = unsigned(s.rng()() % 10);
      uint32_t a = k < 2 ? s.corner(fa) : s.randomBits(fa);
      uint32_t b = k < 3 ? s.corner(fb) : k < 5 ? s.randomBits(fb) : s.partner(fb, nfo::toDoubleSpec(fa, a), out);
      if (!std::isfinite(nfo::toDoubleSpec(fa, a)) && k >= 5) b = s.randomBits(fb);
      c.check(a, b, mode);
    }
  }
  return c.stats();
}

class FaddPresets : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(FaddPresets, AllModesVsMpfr) {
  const auto& [an, bn] = GetParam();
  const nf::Format fa = nf::parseFormat(an), fb = nf::parseFormat(bn);
  const Stats st = run(fa, fb, fa, Variant{}, 3000);
  EXPECT_EQ(st.bad, 0) << "mismatches out of " << st.checked;
  EXPECT_GT(st.checked, 0);
  EXPECT_GT(st.cancellations, 0) << "the stimulus never cancelled";
  EXPECT_GT(st.inexact, 0);
}

INSTANTIATE_TEST_SUITE_P(Pairs, FaddPresets, ::testing::Combine(::testing::ValuesIn(kPresets), ::testing::ValuesIn(kPresets)),
                         [](const auto& info) { return std::get<0>(info.param) + "_plus_" + std::get<1>(info.param); });

// Every output preset for a few inputs, and the saturate / ftz / daz variants.
class FaddOutputs : public ::testing::TestWithParam<std::string> {};

TEST_P(FaddOutputs, OutputsAndVariantsVsMpfr) {
  const nf::Format f = nf::parseFormat(GetParam());
  long bad = 0, checked = 0, over = 0, under = 0;
  for (const std::string& out : kPresets)
    for (Variant v : {Variant{}, Variant{true, false, false}, Variant{false, true, false}, Variant{false, false, true},
                      Variant{true, true, true}}) {
      const Stats st = run(f, f, nf::parseFormat(out), v, f.width() <= 8 ? 0 : 400);
      bad += st.bad;
      checked += st.checked;
      over += st.overflows;
      under += st.underflows;
    }
  EXPECT_EQ(bad, 0) << "mismatches out of " << checked;
  EXPECT_GT(over, 0);
  EXPECT_GT(under, 0);
}

INSTANTIATE_TEST_SUITE_P(Inputs, FaddOutputs, ::testing::Values("fp32", "fp16", "bf16", "e4m3", "e5m2", "e2m1"));

// IEEE 754 6.3, written out: x - x is +0 in every mode but rdn, where it is -0; zeros of one sign keep it.
TEST(FaddRules, SignedZeros) {
  nf::FaddSpec s;
  s.a = s.b = s.out = nf::parseFormat("bf16");
  for (Rounding m : kModes) {
    const uint32_t negZero = m == Rounding::RDN ? 0x8000 : 0x0000;
    EXPECT_EQ(nf::faddModel(s, 0x3fc0, 0xbfc0, m), (nf::Packed{negZero, 0})) << nfo::modeName(m);   // 1.5 - 1.5
    EXPECT_EQ(nf::faddModel(s, 0x0001, 0x8001, m), (nf::Packed{negZero, 0})) << nfo::modeName(m);   // subnormals
    EXPECT_EQ(nf::faddModel(s, 0x0000, 0x8000, m), (nf::Packed{negZero, 0})) << nfo::modeName(m);   // +0 + -0
    EXPECT_EQ(nf::faddModel(s, 0x8000, 0x8000, m), (nf::Packed{0x8000, 0})) << nfo::modeName(m);    // -0 + -0
    EXPECT_EQ(nf::faddModel(s, 0x0000, 0x0000, m), (nf::Packed{0x0000, 0})) << nfo::modeName(m);    // +0 + +0
    EXPECT_EQ(nf::faddModel(s, 0x8000, 0x3fc0, m), (nf::Packed{0x3fc0, 0})) << nfo::modeName(m);    // -0 + 1.5
  }
  // fnuz formats have no -0: rdn cancellation gives +0.
  s.a = s.b = s.out = nf::parseFormat("e4m3fnuz");
  EXPECT_EQ(nf::faddModel(s, 0x40, 0xc0, Rounding::RDN), (nf::Packed{0x00, 0}));
  // ftz: a nonzero tiny sum flushes to zero of the sum's sign, flagged.
  s.a = s.b = s.out = nf::parseFormat("fp16");
  s.round.ftz = true;
  EXPECT_EQ(nf::faddModel(s, 0x8401, 0x0400, Rounding::RNE), (nf::Packed{0x8000, nf::kFlagUnderflow | nf::kFlagInexact}));
}

TEST(FaddRules, SpecialCases) {
  nf::FaddSpec s;
  s.a = s.b = s.out = nf::parseFormat("fp16");
  const uint8_t inv = nf::kFlagInvalid, ox = nf::kFlagOverflow | nf::kFlagInexact;
  EXPECT_EQ(nf::faddModel(s, 0x7c00, 0xfc00, Rounding::RNE), (nf::Packed{0x7e00, inv}));  // inf - inf
  EXPECT_EQ(nf::faddModel(s, 0x7c00, 0x7c00, Rounding::RNE), (nf::Packed{0x7c00, 0}));    // inf + inf
  EXPECT_EQ(nf::faddModel(s, 0xfc00, 0x7bff, Rounding::RNE), (nf::Packed{0xfc00, 0}));    // -inf + max
  EXPECT_EQ(nf::faddModel(s, 0x7d00, 0x3c00, Rounding::RNE), (nf::Packed{0x7e00, inv}));  // sNaN
  EXPECT_EQ(nf::faddModel(s, 0x3c00, 0x7e01, Rounding::RNE), (nf::Packed{0x7e00, 0}));    // qNaN, canonical out
  EXPECT_EQ(nf::faddModel(s, 0x7bff, 0x7bff, Rounding::RNE), (nf::Packed{0x7c00, ox}));   // max + max
  EXPECT_EQ(nf::faddModel(s, 0x7bff, 0x7bff, Rounding::RTZ), (nf::Packed{0x7bff, ox}));
  EXPECT_EQ(nf::faddModel(s, 0x7bff, 0x4c00, Rounding::RNE), (nf::Packed{0x7c00, ox}));   // max + half ulp: tie -> inf
  EXPECT_EQ(nf::faddModel(s, 0x7bff, 0x4bff, Rounding::RNE), (nf::Packed{0x7bff, nf::kFlagInexact}));
  // 1 + 2^-11 ties to 1 (even); 1 + 3*2^-11 ties up; 1 - 2^-12 rounds back to 1 (tie, even).
  EXPECT_EQ(nf::faddModel(s, 0x3c00, 0x1000, Rounding::RNE), (nf::Packed{0x3c00, nf::kFlagInexact}));
  EXPECT_EQ(nf::faddModel(s, 0x3c01, 0x1000, Rounding::RNE), (nf::Packed{0x3c02, nf::kFlagInexact}));
  EXPECT_EQ(nf::faddModel(s, 0x3c00, 0x8c00, Rounding::RNE), (nf::Packed{0x3c00, nf::kFlagInexact}));
  // Massive cancellation: 1.0009765625 - 1 = 2^-10 exactly.
  EXPECT_EQ(nf::faddModel(s, 0x3c01, 0xbc00, Rounding::RNE), (nf::Packed{0x1400, 0}));
  // Subnormal + subnormal reaching the smallest normal is exact (no underflow).
  EXPECT_EQ(nf::faddModel(s, 0x0200, 0x0200, Rounding::RNE), (nf::Packed{0x0400, 0}));
  // e4m3 (no Inf): overflow gives NaN, or max with --saturate.
  s.a = s.b = s.out = nf::parseFormat("e4m3");
  EXPECT_EQ(nf::faddModel(s, 0x7e, 0x7e, Rounding::RNE), (nf::Packed{0x7f, ox}));
  s.round.saturate = true;
  EXPECT_EQ(nf::faddModel(s, 0xfe, 0xfe, Rounding::RNE), (nf::Packed{0xfe, ox}));
}

// fp32 against the host's SSE adder and its exception flags (tininess after rounding on x86).
TEST(FaddHostFpu, Fp32VsSse) {
  nf::FaddSpec s;
  s.a = s.b = s.out = nf::parseFormat("fp32");
  const std::pair<int, Rounding> modes[] = {{FE_TONEAREST, Rounding::RNE}, {FE_TOWARDZERO, Rounding::RTZ},
                                            {FE_UPWARD, Rounding::RUP}, {FE_DOWNWARD, Rounding::RDN}};
  nft::SumStimulus st(99);
  long bad = 0;
  for (const auto& [fe, m] : modes) {
    for (int i = 0; i < 200000; ++i) {
      const uint32_t a = i % 3 ? st.randomBits(s.a) : st.corner(s.a);
      const uint32_t b = i % 2 ? st.partner(s.b, nfo::toDoubleSpec(s.a, a), s.out) : st.randomBits(s.b);
      float fa, fb;
      std::memcpy(&fa, &a, 4);
      std::memcpy(&fb, &b, 4);
      fesetround(fe);
      feclearexcept(FE_ALL_EXCEPT);
      volatile float va = fa, vb = fb;
      const float fz = va + vb;
      const int ex = fetestexcept(FE_ALL_EXCEPT);
      fesetround(FE_TONEAREST);
      uint32_t z;
      std::memcpy(&z, &fz, 4);
      const uint8_t flags = ((ex & FE_INEXACT) ? 1 : 0) | ((ex & FE_UNDERFLOW) ? 2 : 0) | ((ex & FE_OVERFLOW) ? 4 : 0) |
                            ((ex & FE_INVALID) ? 16 : 0);
      const nf::Packed got = nf::faddModel(s, a, b, m);
      const bool nan = std::isnan(fz);
      if ((nan ? !s.out.isNaN(got.bits) : got.bits != z) || got.flags != flags) {
        if (bad++ < 8)
          ADD_FAILURE() << nfo::modeName(m) << " " << nfo::showBits(s.a, a) << " + " << nfo::showBits(s.b, b) << ": sse "
                        << nfo::showBits(s.out, z) << " " << nfo::flagsString(flags) << ", model "
                        << nfo::showBits(s.out, got.bits) << " " << nfo::flagsString(got.flags);
      }
    }
  }
  EXPECT_EQ(bad, 0);
}

}  // namespace

// An IEEE-kind input with one trailing significand bit (e6m1): its unpack once took a bit-select of the scalar
// `man` for the quiet bit, which Icarus refuses (found by tests/test_fuzz.cpp). The unit must compile in Icarus
// and match its model.
TEST(FaddOneTrailingBit, IeeeInputCompilesAndMatchesTheModel) {
  const auto unit = nf::buildUnit("fadd", {"--a", "e4m3", "--b", "e6m1", "--out", "fp16", "--round", "rtz"});
  if (!nf::test::haveTool("iverilog")) GTEST_SKIP() << "iverilog is absent; not compiled";
  const std::string path = std::string(NF_BINARY_DIR) + "/fadd_e6m1_check.v";
  {
    std::ofstream(path) << unit->emit().verilog;
  }
  std::string out;
  EXPECT_EQ(nf::test::runCommand("iverilog -g2005 -Wall -o /dev/null " + path, out), 0) << out;
  if (!nf::test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  const nf::verif::CosimReport r = nf::test::quickRandomCosim(*unit, 20000, 3);
  EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
}
