// nf::fmulModel against independent oracles:
//   * the MPFR oracle (tests/oracles/mpfr_oracle.*) for every signed floating-point preset with a zero, every
//     output preset and every rounding mode (exhaustive for <= 8-bit inputs, sampled otherwise), for
//     saturate / ftz / daz variants, mixed-format pairs and custom formats;
//   * special cases written out by hand from the contract (NaN / Inf / zero / overflow / underflow);
//   * the host FPU (x86 SSE: binary32 multiply, flags via fetestexcept; tininess after rounding).
#include <gtest/gtest.h>

#include <fenv.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "model_sweep.h"
#include "oracles/mpfr_oracle.h"
#include "refmodels/fmul.h"

namespace {

using nf::Rounding;

using nf::test::Variant;
const std::vector<std::string>& kPresets = nf::test::kFloatPresets;
const auto& kModes = nf::test::kDirectedModes;

// Sampled (input, output) pairs: vectors per rounding mode. 11 outputs * 6 modes * 16384 = 1.08e6 vectors
// per input format.
constexpr int kSamplesPerMode = 16384;

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string tagOf(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}


// Compares the model with the oracle vector by vector and keeps a readable record of the first mismatches.
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
    cmp_.check(
        nf::fmulModel(spec_, a, b, mode),
        [&] { return nfo::fmulOracle(spec_.a, spec_.b, spec_.out, a, b, {mode, v_.saturate, v_.ftz}, v_.daz); },
        [&] { return header(a, b, mode); });
  }
  std::string header(uint32_t a, uint32_t b, Rounding mode) const {
    const double pa = nfo::toDoubleSpec(spec_.a, a), pb = nfo::toDoubleSpec(spec_.b, b);
    return fmt::format("fmul {} x {} -> {} mode={} [{}]: a={} b={} (a*b ~ {:.17g})", spec_.a.name, spec_.b.name,
                       spec_.out.name, nfo::modeName(mode), v_.name(), nfo::showBits(spec_.a, a),
                       nfo::showBits(spec_.b, b), pa * pb);
  }
  const nf::test::SweepStats& stats() const { return cmp_.stats(); }

 private:
  nf::FmulSpec spec_;
  Variant v_;
  nf::test::OracleComparison cmp_;
};

// --------------------------------------------------------------------------------------------------------
// Stimulus: random bit patterns, corner encodings, products aimed at the output's overflow / underflow /
// subnormal boundaries, and products crafted to sit exactly on (or one bit off) a rounding tie.
class Sampler {
 public:
  Sampler(const nf::Format& a, const nf::Format& b, const nf::Format& out, uint64_t seed)
      : fa_(a), fb_(b), sa_(nfo::specOf(a)), sb_(nfo::specOf(b)), so_(nfo::specOf(out)), rng_(seed) {
    ca_ = corners(sa_);
    cb_ = corners(sb_);
  }

  std::pair<uint32_t, uint32_t> next() {
    const unsigned k = unsigned(rng_() % 100);
    if (k < 30) return {randomBits(sa_), randomBits(sb_)};
    if (k < 40) {
      const uint32_t a = ca_[rng_() % ca_.size()];
      const uint32_t b = (rng_() & 1) ? cb_[rng_() % cb_.size()] : randomBits(sb_);
      return (rng_() & 1) ? std::pair{a, b} : std::pair{randomBitsFromCorners(sa_, a), b};
    }
    if (k < 75) {
      if (auto p = targeted()) return *p;
    } else {
      if (auto p = crafted()) return *p;
    }
    return {randomBits(sa_), randomBits(sb_)};
  }

 private:
  static std::vector<uint32_t> corners(const nfo::Spec& s) {
    std::vector<uint32_t> mags = {0u, s.maxFiniteMag, s.maxFiniteMag - 1u, 1u << s.M, (1u << s.M) + 1u};
    if (s.M > 0) {
      mags.push_back(1u);
      mags.push_back((1u << s.M) - 1u);
      mags.push_back(1u << (s.M - 1));
    }
    if (s.bias > 0 && s.bias < (1 << s.E) - 1) {
      const uint32_t one = uint32_t(s.bias) << s.M;
      mags.insert(mags.end(), {one, one + 1u, one - 1u, one + (1u << s.M)});
    }
    if (s.kind == nf::NonFinite::IEEE) {
      const uint32_t inf = uint32_t((1u << s.E) - 1u) << s.M;
      mags.insert(mags.end(), {inf, inf | (1u << (s.M - 1)), inf | 1u, s.magMask});
    }
    if (s.kind == nf::NonFinite::FN) mags.push_back(s.magMask);
    std::vector<uint32_t> v;
    for (uint32_t m : mags) {
      v.push_back(m & s.magMask);
      if (s.signBit) v.push_back((m & s.magMask) | s.signBit);
    }
    return v;
  }
  uint32_t randomBits(const nfo::Spec& s) {
    const uint32_t mask = s.width >= 32 ? 0xFFFFFFFFu : ((1u << s.width) - 1u);
    return uint32_t(rng_()) & mask;
  }
  uint32_t randomBitsFromCorners(const nfo::Spec& s, uint32_t c) {
    // A corner's neighbour: +-1..3 encodings away (same sign).
    const int d = int(rng_() % 7) - 3;
    const int64_t m = int64_t(c & s.magMask) + d;
    if (m < 0 || m > int64_t(s.magMask)) return c;
    return (c & s.signBit) | uint32_t(m);
  }
  // The exponent of the leading bit of a finite nonzero value.
  static int leadExp(const nfo::Val& v) { return v.exp + (63 - std::countl_zero(v.sig)); }

  // A value of format s with leading-bit exponent e (normal or subnormal), random low bits; nullopt if none.
  std::optional<uint32_t> withExp(const nfo::Spec& s, int e, bool sign, uint64_t lowBits) {
    uint32_t mag = 0;
    const int maxField = s.emaxFinite + s.bias;
    if (e >= s.emin && e <= s.emaxFinite) {
      mag = (uint32_t(e + s.bias) << s.M) | uint32_t(lowBits & ((1u << s.M) - 1u));
      if (e + s.bias == maxField && mag > s.maxFiniteMag) mag = s.maxFiniteMag;
    } else if (s.subnormals && e < s.emin && e >= s.emin - s.M) {
      const int pos = e - (s.emin - s.M);  // bit index of the leading 1 in the mantissa field
      mag = (1u << pos) | uint32_t(lowBits & ((1u << pos) - 1u));
    } else {
      return std::nullopt;
    }
    if (sign && !s.signBit) return std::nullopt;
    return mag | (sign ? s.signBit : 0u);
  }
  std::optional<uint32_t> randomNormal(const nfo::Spec& s, const nf::Format& f, nfo::Val& v) {
    for (int tries = 0; tries < 16; ++tries) {
      const uint32_t x = randomBits(s);
      v = nfo::decodeSpec(f, x);
      if (v.isFiniteNonZero()) return x;
    }
    return std::nullopt;
  }
  int targetExp() {
    const int lo = so_.emin - so_.M - 3, hi = so_.emaxFinite + 2;
    switch (rng_() % 5) {
      case 0: return so_.emaxFinite - 1 + int(rng_() % 4);                  // overflow boundary
      case 1: return so_.emin - 2 + int(rng_() % 4);                        // normal / subnormal boundary
      case 2: return so_.emin - so_.M - 3 + int(rng_() % 5);                // below the smallest subnormal
      case 3: return so_.emin - so_.M + int(rng_() % (unsigned(so_.M) + 1));  // inside the subnormal range
      default: return lo + int(rng_() % unsigned(hi - lo + 1));
    }
  }
  std::optional<std::pair<uint32_t, uint32_t>> targeted() {
    nfo::Val va;
    const auto a = randomNormal(sa_, fa_, va);
    if (!a) return std::nullopt;
    const int eb = targetExp() - leadExp(va);
    const auto b = withExp(sb_, eb, sb_.signBit && (rng_() & 1), rng_());
    if (!b) return std::nullopt;
    return std::pair{*a, *b};
  }
  // x (format sx) with a significand whose bits below the output's kept precision form a tie-ish pattern,
  // times a power of two (format sy) that moves the product to the target exponent.
  std::optional<std::pair<uint32_t, uint32_t>> craftedIn(const nfo::Spec& sx, const nfo::Spec& sy, bool xIsA) {
    const int et = targetExp();
    int keep = so_.M + 1 - std::max(0, so_.emin - et);  // bits the output keeps at exponent et
    if (keep < 0) keep = 0;
    const int px = sx.M + 1;
    if (px <= keep) return std::nullopt;
    const int low = px - keep;
    uint64_t pattern = 0;
    const uint64_t lowMask = (uint64_t(1) << low) - 1u, half = uint64_t(1) << (low - 1);
    switch (rng_() % 6) {
      case 0: pattern = half; break;                     // exact tie
      case 1: pattern = half | 1u; break;                // just above the tie
      case 2: pattern = half - 1u; break;                // just below the tie
      case 3: pattern = 1u; break;                       // just above a representable value
      case 4: pattern = lowMask; break;                  // just below the next one
      default: pattern = 0; break;                       // exact
    }
    uint64_t sig = (uint64_t(rng_()) & ~lowMask) | pattern;
    sig = (sig & ((uint64_t(1) << px) - 1u)) | (uint64_t(1) << (px - 1));
    // x normal with a random exponent.
    const int ex = sx.emin + int(rng_() % unsigned(sx.emaxFinite - sx.emin + 1));
    const auto x = withExp(sx, ex, sx.signBit && (rng_() & 1), sig);
    const auto y = withExp(sy, et - ex, sy.signBit && (rng_() & 1), 0);
    if (!x || !y) return std::nullopt;
    return xIsA ? std::pair{*x, *y} : std::pair{*y, *x};
  }
  std::optional<std::pair<uint32_t, uint32_t>> crafted() {
    return (rng_() & 1) ? craftedIn(sa_, sb_, true) : craftedIn(sb_, sa_, false);
  }

  nf::Format fa_, fb_;
  nfo::Spec sa_, sb_, so_;
  std::mt19937_64 rng_;
  std::vector<uint32_t> ca_, cb_;
};

// Runs one (a, b, out, variant) combination over every mode: exhaustive when both inputs are <= 8 bits.
using RunStats = nf::test::SweepStats;
RunStats runPair(const nf::Format& fa, const nf::Format& fb, const nf::Format& out, Variant v, int samplesPerMode,
                 const std::vector<Rounding>& modes = {std::begin(kModes), std::end(kModes)}) {
  Checker c(fa, fb, out, v);
  const bool exhaustive = fa.width() <= 8 && fb.width() <= 8;
  for (Rounding mode : modes) {
    if (exhaustive) {
      for (uint32_t a = 0; a < (1u << fa.width()); ++a)
        for (uint32_t b = 0; b < (1u << fb.width()); ++b) c.check(a, b, mode);
    } else {
      Sampler s(fa, fb, out, fnv1a(fa.name + "*" + fb.name + "->" + out.name + v.name() + nfo::modeName(mode)));
      for (int i = 0; i < samplesPerMode; ++i) {
        const auto [a, b] = s.next();
        c.check(a, b, mode);
      }
    }
  }
  return c.stats();
}

}  // namespace

// ========================================================================================================
// 0. The oracle itself: hand-computed values, and its two MPFR implementations against each other.
TEST(MpfrOracle, HandComputedRoundings) {
  using nfo::kInexact, nfo::kUnderflow, nfo::kOverflow;
  const nf::Format e4m3 = nf::parseFormat("e4m3"), fp32 = nf::parseFormat("fp32"), e2m1 = nf::parseFormat("e2m1");
  const nf::Format e5m2 = nf::parseFormat("e5m2"), fz = nf::parseFormat("e4m3fnuz");
  auto r = [](bool s, uint64_t sig, int e, const nf::Format& f, Rounding m, bool sat = false, bool ftz = false) {
    const nfo::OResult o = nfo::roundExact(s, sig, e, f, {m, sat, ftz});
    return std::pair<uint32_t, int>{o.bits, o.flags};
  };
  using P = std::pair<uint32_t, int>;
  // e4m3: 448 = 0x7E; 464 is the tie between 448 and (480): ties-to-even keeps 448 (mantissa 110).
  EXPECT_EQ(r(false, 464, 0, e4m3, Rounding::RNE), (P{0x7E, kInexact}));
  EXPECT_EQ(r(false, 465, 0, e4m3, Rounding::RNE), (P{0x7F, kOverflow | kInexact}));     // -> NaN
  EXPECT_EQ(r(true, 465, 0, e4m3, Rounding::RNE, true), (P{0xFE, kOverflow | kInexact}));  // satfinite
  EXPECT_EQ(r(false, 464, 0, e4m3, Rounding::RNA), (P{0x7F, kOverflow | kInexact}));     // ties away -> 480
  EXPECT_EQ(r(false, 449, 0, e4m3, Rounding::ROD), (P{0x7E, kOverflow | kInexact}));     // odd -> 480 > max
  EXPECT_EQ(r(false, 449, 0, e4m3, Rounding::RTZ), (P{0x7E, kInexact}));
  EXPECT_EQ(r(false, 449, 0, e4m3, Rounding::RUP), (P{0x7F, kOverflow | kInexact}));
  EXPECT_EQ(r(true, 449, 0, e4m3, Rounding::RUP), (P{0xFE, kInexact}));
  // e4m3 subnormals: min 2^-9 = 0x01; 2^-10 is the tie between 0 and 2^-9.
  EXPECT_EQ(r(false, 1, -10, e4m3, Rounding::RNE), (P{0x00, kInexact | kUnderflow}));
  EXPECT_EQ(r(false, 1, -10, e4m3, Rounding::RNA), (P{0x01, kInexact | kUnderflow}));
  EXPECT_EQ(r(false, 1, -10, e4m3, Rounding::ROD), (P{0x01, kInexact | kUnderflow}));
  EXPECT_EQ(r(true, 3, -11, e4m3, Rounding::RNE), (P{0x81, kInexact | kUnderflow}));
  EXPECT_EQ(r(false, 1, -9, e4m3, Rounding::RNE), (P{0x01, 0}));  // exact subnormal: no underflow flag
  EXPECT_EQ(r(false, 1, -9, e4m3, Rounding::RNE, false, true), (P{0x00, kInexact | kUnderflow}));  // ftz
  // Just below the smallest normal 2^-6 = 0x08: 15/16 * 2^-6 rounds (4 bits) to 2^-6 -> not tiny after rounding.
  EXPECT_EQ(r(false, 31, -11, e4m3, Rounding::RNE), (P{0x08, kInexact}));
  EXPECT_EQ(r(false, 31, -11, e4m3, Rounding::RTZ), (P{0x07, kInexact | kUnderflow}));
  // fp32: 1 + 2^-24 ties to 1; 1 + 3*2^-24 ties to 1 + 2^-22.
  EXPECT_EQ(r(false, (1ull << 24) + 1, -24, fp32, Rounding::RNE), (P{0x3F800000, kInexact}));
  EXPECT_EQ(r(false, (1ull << 24) + 3, -24, fp32, Rounding::RNE), (P{0x3F800002, kInexact}));
  EXPECT_EQ(r(false, (1ull << 24) + 1, -24, fp32, Rounding::ROD), (P{0x3F800001, kInexact}));
  EXPECT_EQ(r(false, 1, 128, fp32, Rounding::RNE), (P{0x7F800000, kOverflow | kInexact}));
  EXPECT_EQ(r(false, 1, 128, fp32, Rounding::RTZ), (P{0x7F7FFFFF, kOverflow | kInexact}));
  EXPECT_EQ(r(true, 1, 128, fp32, Rounding::RUP), (P{0xFF7FFFFF, kOverflow | kInexact}));
  EXPECT_EQ(r(true, 1, 128, fp32, Rounding::RDN), (P{0xFF800000, kOverflow | kInexact}));
  // e2m1: 5 ties between 4 and 6 -> 4 (mantissa even); 7 -> overflow -> max (finite only).
  EXPECT_EQ(r(false, 5, 0, e2m1, Rounding::RNE), (P{0x6, kInexact}));
  EXPECT_EQ(r(true, 7, 0, e2m1, Rounding::RNE), (P{0xF, kOverflow | kInexact}));
  EXPECT_EQ(r(false, 1, -2, e2m1, Rounding::RNE), (P{0x0, kInexact | kUnderflow}));
  EXPECT_EQ(r(true, 1, -2, e2m1, Rounding::RNE), (P{0x8, kInexact | kUnderflow}));  // -0 exists in E2M1
  // e5m2 (IEEE): 61440 is the tie between max 57344 (odd mantissa 11) and 65536 -> Inf.
  EXPECT_EQ(r(false, 61440, 0, e5m2, Rounding::RNE), (P{0x7C, kOverflow | kInexact}));
  EXPECT_EQ(r(false, 61439, 0, e5m2, Rounding::RNE), (P{0x7B, kInexact}));
  // fnuz: negative underflow gives +0; overflow gives NaN 0x80.
  EXPECT_EQ(r(true, 1, -12, fz, Rounding::RNE), (P{0x00, kInexact | kUnderflow}));
  EXPECT_EQ(r(true, 1, 8, fz, Rounding::RNE), (P{0x80, kOverflow | kInexact}));
  EXPECT_EQ(r(true, 1, 8, fz, Rounding::RTZ), (P{0xFF, kOverflow | kInexact}));
}

TEST(MpfrOracle, SubnormalizePathAgreesWithQuantizePath) {
  std::mt19937_64 rng(12345);
  long bad = 0, n = 0;
  for (const std::string& name : kPresets) {
    const nf::Format f = nf::parseFormat(name);
    const nfo::Spec s = nfo::specOf(f);
    for (int i = 0; i < 20000; ++i) {
      const int bits = 1 + int(rng() % 60);
      const uint64_t sig = (rng() >> (64 - bits)) | uint64_t(1) << (rng() % unsigned(bits));
      const int lead = s.emin - s.M - 4 + int(rng() % unsigned(s.emaxFinite - s.emin + s.M + 8));
      const int exp = lead - (63 - std::countl_zero(sig));
      const bool sign = rng() & 1;
      for (Rounding m : {Rounding::RNE, Rounding::RTZ, Rounding::RUP, Rounding::RDN}) {
        ++n;
        const nfo::OResult a = nfo::roundExact(sign, sig, exp, f, {m});
        const nfo::OResult b = nfo::roundExactViaSubnormalize(sign, sig, exp, f, {m});
        if (a.bits != b.bits || a.flags != b.flags) {
          if (bad++ < 10)
            ADD_FAILURE() << name << " " << nfo::modeName(m) << " " << (sign ? "-" : "+") << sig << "*2^" << exp
                          << ": quantize " << nfo::showBits(f, a.bits) << " " << nfo::flagsString(a.flags)
                          << " vs subnormalize " << nfo::showBits(f, b.bits) << " " << nfo::flagsString(b.flags);
        }
      }
    }
  }
  EXPECT_EQ(bad, 0) << "of " << n;
}

// ========================================================================================================
// 1. Presets x presets x modes, against the MPFR oracle.
class FmulPresets : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(FmulPresets, AllModesVsMpfr) {
  const auto& [in, out] = GetParam();
  const nf::Format f = nf::parseFormat(in), o = nf::parseFormat(out);
  const RunStats st = runPair(f, f, o, Variant{}, kSamplesPerMode);
  EXPECT_EQ(st.bad, 0) << "mismatches out of " << st.checked;
  EXPECT_GT(st.checked, 0);
  // The stimulus must reach the output's overflow and underflow ranges whenever the inputs can.
  const nfo::Spec si = nfo::specOf(f), so = nfo::specOf(o);
  const double maxIn = nfo::toDoubleSpec(f, si.maxFiniteMag), maxOut = nfo::toDoubleSpec(o, so.maxFiniteMag);
  const double minIn = nfo::toDoubleSpec(f, si.subnormals ? 1u : (1u << si.M));
  if (maxIn * maxIn > 2 * maxOut) {
    EXPECT_GT(st.overflows, 100) << "overflow never reached";
  }
  if (minIn * minIn < std::ldexp(0.25, so.emin - so.M)) {
    EXPECT_GT(st.underflows, 100) << "underflow never reached";
  }
}

INSTANTIATE_TEST_SUITE_P(InOut, FmulPresets, ::testing::Combine(::testing::ValuesIn(kPresets), ::testing::ValuesIn(kPresets)),
                         [](const auto& info) { return std::get<0>(info.param) + "_to_" + std::get<1>(info.param); });

// 2. saturate / ftz / daz variants on a subset (exhaustive for the 8-bit inputs, sampled otherwise).
class FmulVariants : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

const Variant kVariants[] = {{true, false, false}, {false, true, false}, {false, false, true}, {true, true, true}};

TEST_P(FmulVariants, AllOutputsAllModesVsMpfr) {
  const auto& [in, vi] = GetParam();
  const Variant v = kVariants[vi];
  const nf::Format f = nf::parseFormat(in);
  const bool small = f.width() <= 8;
  long bad = 0, checked = 0;
  for (const std::string& out : kPresets) {
    // Exhaustive 8-bit inputs: outputs where saturation / flushing can happen (8-bit products never
    // overflow or underflow fp32 / bf16 / tf32).
    if (small && (out == "fp32" || out == "bf16" || out == "tf32") && f.width() == 8) continue;
    const RunStats st = runPair(f, f, nf::parseFormat(out), v, 4096);
    bad += st.bad;
    checked += st.checked;
  }
  EXPECT_EQ(bad, 0) << "mismatches out of " << checked;
}

INSTANTIATE_TEST_SUITE_P(Subset, FmulVariants,
                         ::testing::Combine(::testing::Values("fp32", "fp16", "bf16", "e5m2", "e4m3", "e4m3fnuz", "e2m1",
                                                              "e3m2"),
                                            ::testing::Range(0, 4)),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" + kVariants[std::get<1>(info.param)].name();
                         });

// 3. Mixed-format pairs.
class FmulMixed : public ::testing::TestWithParam<std::tuple<std::string, std::string, std::string>> {};

TEST_P(FmulMixed, AllModesVsMpfr) {
  const auto& [a, b, out] = GetParam();
  const RunStats st = runPair(nf::parseFormat(a), nf::parseFormat(b), nf::parseFormat(out), Variant{}, 8192);
  EXPECT_EQ(st.bad, 0) << "mismatches out of " << st.checked;
  const RunStats ss = runPair(nf::parseFormat(a), nf::parseFormat(b), nf::parseFormat(out), Variant{true, false, false}, 2048,
                              {Rounding::RNE, Rounding::RTZ});
  EXPECT_EQ(ss.bad, 0) << "(saturating) mismatches out of " << ss.checked;
}

INSTANTIATE_TEST_SUITE_P(
    Pairs, FmulMixed,
    ::testing::Values(std::tuple{"e4m3", "e5m2", "bf16"}, std::tuple{"e4m3", "e5m2", "e4m3"},
                      std::tuple{"e4m3", "e5m2", "e5m2"}, std::tuple{"e5m2", "e4m3", "fp16"},
                      std::tuple{"e4m3", "e5m2", "e2m1"}, std::tuple{"e4m3", "e4m3", "fp32"},
                      std::tuple{"e5m2", "e4m3fnuz", "e5m2fnuz"}, std::tuple{"e5m2fnuz", "e4m3fnuz", "e4m3"},
                      std::tuple{"e2m1", "e4m3", "e2m3"}, std::tuple{"e3m2", "e2m3", "e2m1"},
                      std::tuple{"e3m2", "e2m3", "e4m3"}, std::tuple{"fp16", "bf16", "fp32"},
                      std::tuple{"fp16", "bf16", "tf32"}, std::tuple{"fp32", "e4m3", "bf16"},
                      std::tuple{"fp32", "e4m3", "e4m3"}, std::tuple{"bf16", "fp32", "fp16"},
                      std::tuple{"tf32", "fp16", "e5m2"}, std::tuple{"fp32", "e2m1", "e2m1"}),
    [](const auto& info) {
      return std::get<0>(info.param) + "_x_" + std::get<1>(info.param) + "_to_" + std::get<2>(info.param);
    });

// e4m3 x e4m3 -> fp32 is always exact: rule check independent of any oracle.
TEST(FmulRules, E4m3ProductsAreExactInFp32) {
  const nf::Format e4m3 = nf::parseFormat("e4m3"), fp32 = nf::parseFormat("fp32");
  nf::FmulSpec spec{e4m3, e4m3, fp32, {}};
  long bad = 0;
  for (Rounding m : kModes)
    for (uint32_t a = 0; a < 256; ++a)
      for (uint32_t b = 0; b < 256; ++b) {
        const nf::Packed z = nf::fmulModel(spec, a, b, m);
        const double pa = nfo::toDoubleSpec(e4m3, a), pb = nfo::toDoubleSpec(e4m3, b);
        if (std::isnan(pa) || std::isnan(pb)) {
          if ((z.bits != 0x7FC00000u || z.flags != 0) && bad++ < 5) ADD_FAILURE() << std::hex << a << " " << b;
          continue;
        }
        const float want = float(pa * pb);  // exact: <= 8-bit significand product, exponent in range
        if ((z.bits != std::bit_cast<uint32_t>(want) || z.flags != 0) && bad++ < 5)
          ADD_FAILURE() << std::hex << "a=" << a << " b=" << b << " got " << z.bits << " flags " << int(z.flags);
      }
  EXPECT_EQ(bad, 0);
}

// 4. Custom formats.
const std::vector<std::string> kCustom = {"e5m4",          "e6m9,bias=20,nosub", "e4m3,fnuz", "e3m4,finite",
                                          "e5m2,fn",       "e4m3,fn,nosub",      "e2m1,bias=0", "e5m0,fn",
                                          "e4m3,bias=-3",  "e3m2,ieee",          "e2m3,fnuz",   "fp16,fn"};

class FmulCustom : public ::testing::TestWithParam<std::string> {};

TEST_P(FmulCustom, AsInputAndOutputVsMpfr) {
  const nf::Format c = nf::parseFormat(GetParam());
  long bad = 0, checked = 0;
  auto run = [&](const nf::Format& a, const nf::Format& b, const nf::Format& o, Variant v, int n) {
    const RunStats st = runPair(a, b, o, v, n);
    bad += st.bad;
    checked += st.checked;
  };
  run(c, c, c, {}, 8192);
  run(c, c, c, {true, false, false}, 4096);
  run(c, c, c, {false, true, true}, 4096);
  for (const char* p : {"fp32", "fp16", "bf16", "e4m3", "e5m2", "e2m1", "e4m3fnuz"}) {
    const nf::Format pf = nf::parseFormat(p);
    run(c, c, pf, {}, 2048);  // custom inputs into a preset
    run(pf, pf, c, {}, 2048); // preset inputs into the custom
    run(pf, c, c, {}, 2048);  // mixed
  }
  for (const std::string& other : kCustom) run(c, nf::parseFormat(other), nf::parseFormat(other), {}, 1024);
  EXPECT_EQ(bad, 0) << "mismatches out of " << checked;
  EXPECT_GT(checked, 100000);
}

INSTANTIATE_TEST_SUITE_P(Formats, FmulCustom, ::testing::ValuesIn(kCustom),
                         [](const auto& info) { return tagOf(info.param); });

// Unsigned inputs (products are never negative): ue4m3, exhaustive.
TEST(FmulUnsigned, Ue4m3InputsVsMpfr) {
  const nf::Format u = nf::parseFormat("ue4m3");
  long bad = 0, checked = 0;
  for (const char* out : {"ue4m3", "e4m3", "fp16", "e2m1", "e5m2fnuz"})
    for (const Variant& v : {Variant{}, Variant{true, false, false}, Variant{false, true, true}}) {
      const RunStats st = runPair(u, u, nf::parseFormat(out), v, 0);
      bad += st.bad;
      checked += st.checked;
    }
  EXPECT_EQ(bad, 0) << "mismatches out of " << checked;
  EXPECT_EQ(checked, 128L * 128 * 6 * 5 * 3);
}

// ========================================================================================================
// 5. Special cases written from the contract (no oracle).
namespace {
struct Expect {
  const char* a;
  const char* b;
  const char* out;
  uint32_t x, y;
  Rounding mode;
  Variant v;
  uint32_t bits;
  uint8_t flags;
  const char* why;
};
}  // namespace

TEST(FmulRules, SpecialCasesFromTheContract) {
  using nfo::kInexact, nfo::kUnderflow, nfo::kOverflow, nfo::kInvalid;
  const Variant P{}, S{true, false, false}, F{false, true, false}, D{false, false, true};
  const Rounding RNE = Rounding::RNE, RTZ = Rounding::RTZ, RUP = Rounding::RUP, RDN = Rounding::RDN,
                 ROD = Rounding::ROD, RNA = Rounding::RNA;
  const std::vector<Expect> cases = {
      // IEEE fp32.
      {"fp32", "fp32", "fp32", 0x7F800000, 0x00000000, RNE, P, 0x7FC00000, kInvalid, "Inf*0 = NaN + invalid"},
      {"fp32", "fp32", "fp32", 0x80000000, 0xFF800000, RNE, P, 0x7FC00000, kInvalid, "-0*-Inf = NaN + invalid"},
      {"fp32", "fp32", "fp32", 0x7F800000, 0xC0000000, RNE, P, 0xFF800000, 0, "Inf*-2 = -Inf exact"},
      {"fp32", "fp32", "fp32", 0xFF800000, 0xFF800000, RTZ, P, 0x7F800000, 0, "-Inf*-Inf = +Inf in every mode"},
      {"fp32", "fp32", "fp32", 0x7FC00001, 0x3F800000, RNE, P, 0x7FC00000, 0, "qNaN propagates as canonical NaN"},
      {"fp32", "fp32", "fp32", 0xFFC00000, 0x7F800000, RNE, P, 0x7FC00000, 0, "-qNaN*Inf = +canonical NaN"},
      {"fp32", "fp32", "fp32", 0x7F800001, 0x3F800000, RNE, P, 0x7FC00000, kInvalid, "sNaN operand: invalid"},
      {"fp32", "fp32", "fp32", 0x3F800000, 0xFFA00000, RNE, P, 0x7FC00000, kInvalid, "-sNaN operand: invalid"},
      {"fp32", "fp32", "fp32", 0x7F800001, 0x00000000, RNE, P, 0x7FC00000, kInvalid, "sNaN*0"},
      {"fp32", "fp32", "fp32", 0x80000000, 0x40A00000, RNE, P, 0x80000000, 0, "-0*5 = -0"},
      {"fp32", "fp32", "fp32", 0x80000000, 0xC0A00000, RDN, P, 0x00000000, 0, "-0*-5 = +0 even in rdn"},
      {"fp32", "fp32", "fp32", 0x7F7FFFFF, 0x40000000, RNE, P, 0x7F800000, kOverflow | kInexact, "max*2 rne"},
      {"fp32", "fp32", "fp32", 0x7F7FFFFF, 0x40000000, RNA, P, 0x7F800000, kOverflow | kInexact, "max*2 rna"},
      {"fp32", "fp32", "fp32", 0x7F7FFFFF, 0x40000000, RTZ, P, 0x7F7FFFFF, kOverflow | kInexact, "max*2 rtz"},
      {"fp32", "fp32", "fp32", 0x7F7FFFFF, 0x40000000, ROD, P, 0x7F7FFFFF, kOverflow | kInexact, "max*2 rod"},
      {"fp32", "fp32", "fp32", 0x7F7FFFFF, 0x40000000, RDN, P, 0x7F7FFFFF, kOverflow | kInexact, "max*2 rdn"},
      {"fp32", "fp32", "fp32", 0x7F7FFFFF, 0xC0000000, RDN, P, 0xFF800000, kOverflow | kInexact, "-max*2 rdn"},
      {"fp32", "fp32", "fp32", 0x7F7FFFFF, 0xC0000000, RUP, P, 0xFF7FFFFF, kOverflow | kInexact, "-max*2 rup"},
      {"fp32", "fp32", "fp32", 0x7F7FFFFF, 0x40000000, RNE, S, 0x7F7FFFFF, kOverflow | kInexact, "saturate"},
      {"fp32", "fp32", "fp32", 0x7F800000, 0xC0000000, RNE, S, 0xFF7FFFFF, kOverflow | kInexact, "sat: -Inf -> -max"},
      {"fp32", "fp32", "fp32", 0x00000001, 0x3F000000, RNE, P, 0x00000000, kUnderflow | kInexact, "minsub/2 tie -> 0"},
      {"fp32", "fp32", "fp32", 0x00000001, 0x3F000000, RUP, P, 0x00000001, kUnderflow | kInexact, "minsub/2 rup"},
      {"fp32", "fp32", "fp32", 0x80000001, 0x3F000000, RUP, P, 0x80000000, kUnderflow | kInexact, "-minsub/2 rup -0"},
      {"fp32", "fp32", "fp32", 0x00000001, 0x3F000000, ROD, P, 0x00000001, kUnderflow | kInexact, "rod jams lsb"},
      {"fp32", "fp32", "fp32", 0x00000003, 0x3F000000, RNA, P, 0x00000002, kUnderflow | kInexact, "1.5 ulp rna"},
      {"fp32", "fp32", "fp32", 0x00000002, 0x3F000000, RNE, P, 0x00000001, 0, "exact subnormal: no flags"},
      {"fp32", "fp32", "fp32", 0x00000002, 0x3F000000, RNE, F, 0x00000000, kUnderflow | kInexact, "ftz flushes"},
      {"fp32", "fp32", "fp32", 0x80800001, 0x3F7FFFFE, RNE, F, 0x80800000, kInexact, "-(1-2^-46)*2^-126 rounds to -minnormal: not tiny"},
      {"fp32", "fp32", "fp32", 0x80800001, 0x3F7FFFFE, RTZ, F, 0x80000000, kUnderflow | kInexact, "tiny after rtz: ftz -0"},
      {"fp32", "fp32", "fp32", 0x80800001, 0x3F7FFFFE, RTZ, P, 0x807FFFFF, kUnderflow | kInexact, "tiny after rtz"},
      {"fp32", "fp32", "fp32", 0x00800000, 0x3F7FFFFF, RNE, P, 0x00800000, kUnderflow | kInexact, "(1-2^-24)*2^-126: tiny, rounds up to minnormal"},
      {"fp32", "fp32", "fp32", 0x00000001, 0x7F800000, RNE, D, 0x7FC00000, kInvalid, "daz: subnormal*Inf = 0*Inf"},
      {"fp32", "fp32", "fp32", 0x807FFFFF, 0x3F800000, RNE, D, 0x80000000, 0, "daz keeps the sign"},
      // e4m3 (fn): NaN 0x7F, no Inf.
      {"e4m3", "e4m3", "e4m3", 0x7F, 0x38, RNE, P, 0x7F, 0, "NaN*1"},
      {"e4m3", "e4m3", "e4m3", 0xFF, 0x38, RNE, P, 0x7F, 0, "-NaN*1 = canonical +NaN (fn NaNs are quiet)"},
      {"e4m3", "e4m3", "e4m3", 0x7E, 0x40, RNE, P, 0x7F, kOverflow | kInexact, "448*2 -> NaN"},
      {"e4m3", "e4m3", "e4m3", 0x7E, 0xC0, RNE, P, 0x7F, kOverflow | kInexact, "-448*2 -> NaN (positive)"},
      {"e4m3", "e4m3", "e4m3", 0x7E, 0x40, RNE, S, 0x7E, kOverflow | kInexact, "sat"},
      {"e4m3", "e4m3", "e4m3", 0x7E, 0xC0, RTZ, P, 0xFE, kOverflow | kInexact, "rtz -> -max"},
      {"e4m3", "e4m3", "e4m3", 0x7E, 0xC0, RUP, P, 0xFE, kOverflow | kInexact, "rup negative -> -max"},
      {"e4m3", "e4m3", "e4m3", 0x7E, 0x40, RUP, P, 0x7F, kOverflow | kInexact, "rup positive -> NaN"},
      {"e4m3", "e4m3", "e4m3", 0x80, 0x7E, RNE, P, 0x80, 0, "-0*448 = -0"},
      {"e4m3", "e4m3", "e4m3", 0x01, 0x30, RNE, P, 0x00, kUnderflow | kInexact, "2^-9*0.5 tie -> 0"},
      {"e4m3", "e4m3", "e4m3", 0x01, 0x30, RNA, P, 0x01, kUnderflow | kInexact, "2^-9*0.5 rna -> 2^-9"},
      // e4m3fnuz: NaN 0x80, no -0, no Inf.
      {"e4m3fnuz", "e4m3fnuz", "e4m3fnuz", 0x80, 0x40, RNE, P, 0x80, 0, "NaN*x"},
      {"e4m3fnuz", "e4m3fnuz", "e4m3fnuz", 0xC0, 0x00, RNE, P, 0x00, 0, "-x*0 = +0 (no -0)"},
      {"e4m3fnuz", "e4m3fnuz", "e4m3fnuz", 0x81, 0x01, RNE, P, 0x00, kUnderflow | kInexact, "tiny negative -> +0"},
      {"e4m3fnuz", "e4m3fnuz", "e4m3fnuz", 0x7F, 0x50, RNE, P, 0x80, kOverflow | kInexact, "overflow -> NaN"},
      {"e4m3fnuz", "e4m3fnuz", "e4m3fnuz", 0x7F, 0xD0, RNE, S, 0xFF, kOverflow | kInexact, "sat -> -max"},
      // Finite-only formats: overflow and NaN -> +-max / +max.
      {"e2m1", "e2m1", "e2m1", 0x7, 0x7, RNE, P, 0x7, kOverflow | kInexact, "6*6 -> 6"},
      {"e2m1", "e2m1", "e2m1", 0xF, 0x7, RNE, P, 0xF, kOverflow | kInexact, "-6*6 -> -6"},
      {"e2m1", "e2m1", "e2m1", 0x8, 0x7, RNE, P, 0x8, 0, "-0*6 = -0"},
      {"fp32", "fp32", "e2m1", 0x7FC00000, 0x3F800000, RNE, P, 0x7, 0, "NaN -> +max"},
      {"fp32", "fp32", "e2m1", 0x7F800000, 0x00000000, RNE, P, 0x7, kInvalid, "Inf*0 -> +max + invalid"},
      {"fp32", "fp32", "e2m1", 0xFF800000, 0x3F800000, RNE, P, 0xF, kOverflow | kInexact, "-Inf -> -max"},
      {"fp32", "fp32", "e3m2", 0x7F800001, 0x3F800000, RNE, P, 0x1F, kInvalid, "sNaN -> +max + invalid"},
      // Infinite results into formats without Inf.
      {"fp32", "fp32", "e4m3", 0x7F800000, 0x3F800000, RNE, P, 0x7F, kInvalid, "Inf -> NaN (fn)"},
      {"fp32", "fp32", "e4m3", 0xFF800000, 0x3F800000, RNE, S, 0xFE, kOverflow | kInexact, "-Inf sat -> -max"},
      {"fp32", "fp32", "e4m3fnuz", 0xFF800000, 0x3F800000, RNE, P, 0x80, kInvalid, "-Inf -> NaN (fnuz)"},
      {"fp32", "fp32", "e5m2", 0xFF800000, 0x3F800000, RTZ, P, 0xFC, 0, "-Inf stays -Inf (exact) in rtz"},
      {"fp32", "fp32", "e5m2", 0x7FC00000, 0x3F800000, RNE, P, 0x7E, 0, "canonical e5m2 NaN"},
      {"fp32", "fp32", "fp16", 0x7FC00000, 0x3F800000, RNE, P, 0x7E00, 0, "canonical fp16 NaN"},
      {"fp32", "fp32", "bf16", 0x7FC00000, 0x3F800000, RNE, P, 0x7FC0, 0, "canonical bf16 NaN"},
      {"fp32", "fp32", "e5m2fnuz", 0x80000000, 0x3F800000, RNE, P, 0x00, 0, "-0 -> +0 (fnuz)"},
      // Rounding into narrow outputs.
      {"fp32", "fp32", "e4m3", 0x43E80000, 0x3F800000, RNE, P, 0x7E, kInexact, "464 ties to 448"},
      {"fp32", "fp32", "e4m3", 0x43E80000, 0x3F800000, RNA, P, 0x7F, kOverflow | kInexact, "464 rna -> NaN"},
      {"fp32", "fp32", "e4m3", 0x43E10000, 0x3F800000, ROD, P, 0x7E, kOverflow | kInexact, "450 rod -> overflow"},
      {"fp32", "fp32", "e2m1", 0x40A00000, 0x3F800000, RNE, P, 0x6, kInexact, "5 ties to 4"},
      {"fp32", "fp32", "e2m1", 0x40A00000, 0x3F800000, RNA, P, 0x7, kInexact, "5 rna -> 6"},
  };
  for (const Expect& c : cases) {
    const nf::Format a = nf::parseFormat(c.a), b = nf::parseFormat(c.b), out = nf::parseFormat(c.out);
    nf::FmulSpec spec{a, b, out, {}};
    spec.round.saturate = c.v.saturate;
    spec.round.ftz = c.v.ftz;
    spec.daz = c.v.daz;
    const nf::Packed z = nf::fmulModel(spec, c.x, c.y, c.mode);
    EXPECT_TRUE(z.bits == c.bits && z.flags == c.flags)
        << c.why << ": fmul " << c.a << " x " << c.b << " -> " << c.out << " " << nfo::modeName(c.mode) << " ["
        << c.v.name() << "] a=" << nfo::showBits(a, c.x) << " b=" << nfo::showBits(b, c.y) << "\n    expected "
        << nfo::showBits(out, c.bits) << " " << nfo::flagsString(c.flags) << "\n    got      "
        << nfo::showBits(out, z.bits) << " " << nfo::flagsString(z.flags);
    // The oracle must agree with the hand-written expectation too.
    const nfo::OResult o = nfo::fmulOracle(a, b, out, c.x, c.y, {c.mode, c.v.saturate, c.v.ftz}, c.v.daz);
    EXPECT_TRUE(o.bits == c.bits && o.flags == c.flags) << "ORACLE disagrees with the rule: " << c.why << " got "
                                                        << nfo::showBits(out, o.bits) << " " << nfo::flagsString(o.flags);
  }
}

// ========================================================================================================
// 6. Host FPU: binary32 multiply on x86 SSE (tininess after rounding; flags via fetestexcept).
namespace {
struct HostResult {
  uint32_t bits;
  uint8_t flags;
};

// The asm statements pin the multiply between feclearexcept and fetestexcept (GCC does not honour
// FENV_ACCESS), and hide the operands so nothing is folded at compile time.
__attribute__((noinline)) HostResult hostMul(uint32_t a, uint32_t b) {
  float x = std::bit_cast<float>(a), y = std::bit_cast<float>(b);
  feclearexcept(FE_ALL_EXCEPT);
  asm volatile("" : "+x"(x), "+x"(y)::"memory");
  float z = x * y;
  asm volatile("" : "+x"(z)::"memory");
  const int ex = fetestexcept(FE_ALL_EXCEPT);
  uint8_t fl = 0;
  if (ex & FE_INEXACT) fl |= nfo::kInexact;
  if (ex & FE_UNDERFLOW) fl |= nfo::kUnderflow;
  if (ex & FE_OVERFLOW) fl |= nfo::kOverflow;
  if (ex & FE_DIVBYZERO) fl |= nfo::kInfinite;
  if (ex & FE_INVALID) fl |= nfo::kInvalid;
  return {std::bit_cast<uint32_t>(z), fl};
}

int feMode(Rounding m) {
  switch (m) {
    case Rounding::RTZ: return FE_TOWARDZERO;
    case Rounding::RUP: return FE_UPWARD;
    case Rounding::RDN: return FE_DOWNWARD;
    default: return FE_TONEAREST;
  }
}
}  // namespace

class FmulHostFpu : public ::testing::TestWithParam<int> {};

TEST_P(FmulHostFpu, Fp32VsSse) {
  const Rounding mode = Rounding(GetParam());
  const nf::Format fp32 = nf::parseFormat("fp32");
  const nf::FmulSpec spec{fp32, fp32, fp32, {}};
  Sampler sampler(fp32, fp32, fp32, 0xF00D + GetParam());
  const int n = mode == Rounding::RNE ? 1200000 : 300000;
  long bad = 0;
  const int oldRound = fegetround();
  ASSERT_EQ(fesetround(feMode(mode)), 0);
  for (int i = 0; i < n; ++i) {
    const auto [a, b] = sampler.next();
    const HostResult h = hostMul(a, b);
    fesetround(oldRound);  // the model and the reporting run in the default mode
    const nf::Packed z = nf::fmulModel(spec, a, b, mode);
    fesetround(feMode(mode));
    const bool hostNaN = std::isnan(std::bit_cast<float>(h.bits));
    // x86 returns the first NaN operand (quieted) or the default NaN 0xFFC00000; the contract asks for the
    // canonical 0x7FC00000, so NaN results are compared as "is a NaN" plus the invalid flag.
    const bool ok = hostNaN ? (fp32.isNaN(z.bits) && z.bits == 0x7FC00000u && z.flags == h.flags)
                            : (z.bits == h.bits && z.flags == h.flags);
    if (!ok && bad++ < 8) {
      fesetround(oldRound);
      ADD_FAILURE() << "fp32 " << nfo::modeName(mode) << " a=" << nfo::showBits(fp32, a) << " b="
                    << nfo::showBits(fp32, b) << "\n    host  " << nfo::showBits(fp32, h.bits) << " "
                    << nfo::flagsString(h.flags) << "\n    model " << nfo::showBits(fp32, z.bits) << " "
                    << nfo::flagsString(z.flags);
      fesetround(feMode(mode));
    }
  }
  fesetround(oldRound);
  EXPECT_EQ(bad, 0) << "of " << n;
}

INSTANTIATE_TEST_SUITE_P(Modes, FmulHostFpu, ::testing::Values(0, 1, 2, 3),
                         [](const auto& info) { return std::string(nfo::modeName(Rounding(info.param))); });

// The same with MXCSR.FTZ (flush results that underflow) and MXCSR.DAZ (subnormal operands read as zero),
// against the model's ftz / daz options.
TEST(FmulHostFpuFtzDaz, Fp32VsSseMxcsr) {
  const nf::Format fp32 = nf::parseFormat("fp32");
  long bad = 0, n = 0;
  for (const Variant v : {Variant{false, true, false}, Variant{false, false, true}, Variant{false, true, true}}) {
    nf::FmulSpec spec{fp32, fp32, fp32, {}};
    spec.round.ftz = v.ftz;
    spec.daz = v.daz;
    Sampler sampler(fp32, fp32, fp32, 0xFADE + v.ftz * 2 + v.daz);
    const unsigned oldCsr = __builtin_ia32_stmxcsr();
    for (int i = 0; i < 200000; ++i) {
      const auto [a, b] = sampler.next();
      __builtin_ia32_ldmxcsr(oldCsr | (v.ftz ? 0x8000u : 0u) | (v.daz ? 0x40u : 0u));
      const HostResult h = hostMul(a, b);
      __builtin_ia32_ldmxcsr(oldCsr);
      ++n;
      const nf::Packed z = nf::fmulModel(spec, a, b, Rounding::RNE);
      const bool hostNaN = std::isnan(std::bit_cast<float>(h.bits));
      const bool ok = hostNaN ? (z.bits == 0x7FC00000u && z.flags == h.flags) : (z.bits == h.bits && z.flags == h.flags);
      if (!ok && bad++ < 8)
        ADD_FAILURE() << "[" << v.name() << "] a=" << nfo::showBits(fp32, a) << " b=" << nfo::showBits(fp32, b)
                      << "\n    host  " << nfo::showBits(fp32, h.bits) << " " << nfo::flagsString(h.flags)
                      << "\n    model " << nfo::showBits(fp32, z.bits) << " " << nfo::flagsString(z.flags);
    }
  }
  EXPECT_EQ(bad, 0) << "of " << n;
}

// Corner x corner exhaustively on the host (every fp32 corner pair, RNE).
TEST(FmulHostFpuCorners, CornerPairsRne) {
  const nf::Format fp32 = nf::parseFormat("fp32");
  const nf::FmulSpec spec{fp32, fp32, fp32, {}};
  std::vector<uint32_t> mags = {0x00000000, 0x00000001, 0x00000002, 0x003FFFFF, 0x00400000, 0x007FFFFF, 0x00800000,
                                0x00800001, 0x00FFFFFF, 0x01000000, 0x3F000000, 0x3F7FFFFF, 0x3F800000, 0x3F800001,
                                0x3FFFFFFF, 0x40000000, 0x5F000000, 0x5F800000, 0x7F000000, 0x7F7FFFFE, 0x7F7FFFFF,
                                0x7F800000, 0x7F800001, 0x7FC00000, 0x7FFFFFFF, 0x20000000, 0x1F800000, 0x1F7FFFFF,
                                0x34000000, 0x33800000, 0x33FFFFFF, 0x0B800000};
  std::vector<uint32_t> v;
  for (uint32_t m : mags) {
    v.push_back(m);
    v.push_back(m | 0x80000000u);
  }
  long bad = 0, n = 0;
  for (uint32_t a : v)
    for (uint32_t b : v) {
      ++n;
      const HostResult h = hostMul(a, b);
      const nf::Packed z = nf::fmulModel(spec, a, b, Rounding::RNE);
      const bool hostNaN = std::isnan(std::bit_cast<float>(h.bits));
      const bool ok = hostNaN ? (z.bits == 0x7FC00000u && z.flags == h.flags) : (z.bits == h.bits && z.flags == h.flags);
      if (!ok && bad++ < 8)
        ADD_FAILURE() << "a=" << nfo::showBits(fp32, a) << " b=" << nfo::showBits(fp32, b) << " host "
                      << nfo::showBits(fp32, h.bits) << " " << nfo::flagsString(h.flags) << " model "
                      << nfo::showBits(fp32, z.bits) << " " << nfo::flagsString(z.flags);
    }
  EXPECT_EQ(bad, 0) << "of " << n;
}

namespace nf {
namespace {

// The table-driven model the co-simulation uses must be the model, bit for bit.
TEST(FmulFastModel, AgreesWithTheDirectModel) {
  struct Spec {
    const char *a, *b, *out;
  };
  const Spec specs[] = {{"e4m3", "e4m3", "e4m3"}, {"e5m2", "e5m2", "e5m2"}, {"e2m1", "e2m1", "e2m1"},
                        {"e4m3", "e5m2", "bf16"}, {"e4m3fnuz", "e4m3fnuz", "e4m3fnuz"}, {"e3m2", "e2m3", "e4m3"},
                        {"bf16", "bf16", "bf16"}, {"fp16", "fp16", "fp16"}, {"bf16", "bf16", "e4m3,nosub"},
                        // Products far above and below the output's range: the sign-only results.
                        {"e5m2", "e5m2", "e4m3"}, {"e5m2", "e4m3", "e2m1"}, {"e5m2", "e5m2", "e3m2,nosub"}};
  std::mt19937_64 rng(9);
  for (const Spec& sp : specs)
    for (Rounding mode : {Rounding::RNE, Rounding::RTZ, Rounding::RUP, Rounding::RDN, Rounding::RNA, Rounding::ROD})
      for (int opt = 0; opt < 3; ++opt) {
        FmulSpec s;
        s.a = parseFormat(sp.a);
        s.b = parseFormat(sp.b);
        s.out = parseFormat(sp.out);
        s.round = {mode, opt == 1, opt == 2};
        s.daz = opt == 2;
        const FmulFastModel fast(s);
        const bool exhaustive = s.a.width() + s.b.width() <= 16;
        const uint64_t n = exhaustive ? (uint64_t(1) << (s.a.width() + s.b.width())) : 200000;
        for (uint64_t i = 0; i < n; ++i) {
          const uint32_t a = exhaustive ? uint32_t(i) & s.a.mask() : uint32_t(rng()) & s.a.mask();
          const uint32_t b = exhaustive ? uint32_t(i >> s.a.width()) & s.b.mask() : uint32_t(rng()) & s.b.mask();
          const Packed want = fmulModel(s, a, b, mode), got = fast(a, b, mode);
          ASSERT_TRUE(want == got) << sp.a << " x " << sp.b << " -> " << sp.out << " " << roundingName(mode) << " opt "
                                   << opt << ": a=" << a << " b=" << b << " direct " << want.bits << "/"
                                   << int(want.flags) << " table " << got.bits << "/" << int(got.flags);
        }
      }
}

}  // namespace
}  // namespace nf
