// nf::fcvtModel against independent oracles:
//   * the MPFR oracle (tests/oracles/mpfr_oracle.*: fcvtOracle) for every preset input x every preset output
//     (floats with and without zero, unsigned, integers) x every rounding mode, exhaustive for inputs of at
//     most 16 bits and sampled (random bits, every exponent, values aimed at the output's edges) above, with
//     saturate / ftz / daz variants and custom formats;
//   * stochastic rounding: exact agreement with the oracle's floor(|x|/lsb + r/2^R) for given random bits, and a
//     statistical test that the mean of sr(x) over many uniform draws is x within a bound;
//   * the lookup-table fast model against the direct model (10^7 fp32 inputs, every exponent);
//   * special cases written out by hand from the contract.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "oracles/mpfr_oracle.h"
#include "refmodels/fcvt.h"

namespace {

using nf::Rounding;

const std::vector<std::string> kPresets = {"fp32", "fp16",  "bf16", "tf32", "e5m2",  "e4m3",  "e5m2fnuz", "e4m3fnuz",
                                           "e3m2", "e2m3",  "e2m1", "e8m0", "ue4m3", "int8",  "uint8",    "int4", "int32"};
const Rounding kModes[] = {Rounding::RNE, Rounding::RTZ, Rounding::RDN, Rounding::RUP, Rounding::RNA, Rounding::ROD};

std::string tagOf(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

struct Checker {
  nf::FcvtSpec spec;
  long checked = 0, bad = 0;
  int reported = 0;
  void check(uint32_t a, Rounding mode, uint32_t r = 0) {
    ++checked;
    const nf::Packed got = nf::fcvtModel(spec, a, mode, r);
    nfo::OOptions o{mode, spec.round.saturate, spec.round.ftz};
    o.srBits = spec.round.srBits;
    o.srRandom = r;
    nfo::OResult want;
    try {
      want = nfo::fcvtOracle(spec.a, spec.out, a, o, spec.daz);
    } catch (const std::exception& e) {
      ++bad;
      if (reported++ < 8) ADD_FAILURE() << head(a, mode, r) << ": oracle threw: " << e.what();
      return;
    }
    if (got.bits == want.bits && got.flags == want.flags) return;
    ++bad;
    if (reported++ < 8)
      ADD_FAILURE() << head(a, mode, r) << fmt::format("\n    expected 0x{:x} flags {}\n    got      0x{:x} flags {}",
                                                       want.bits, nfo::flagsString(want.flags), got.bits,
                                                       nfo::flagsString(got.flags));
  }
  std::string head(uint32_t a, Rounding mode, uint32_t r) const {
    return fmt::format("fcvt {} -> {} mode={}{}{}{}: a=0x{:x} ({:.17g}){}", spec.a.name, spec.out.name,
                       nf::roundingName(mode), spec.round.saturate ? " sat" : "", spec.round.ftz ? " ftz" : "",
                       spec.daz ? " daz" : "", a, spec.a.toDouble(a),
                       mode == Rounding::SR ? fmt::format(" r=0x{:x}/2^{}", r, spec.round.srBits) : "");
  }
};

// Inputs for formats over 16 bits: random bits, every exponent field with random mantissas, and values
// aimed at the output's edges.
std::vector<uint32_t> sampleInputs(const nf::Format& a, const nf::Format& out, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> v;
  if (a.isFloat()) {
    for (uint32_t field = 0; field <= uint32_t(a.expFieldMax()); ++field)
      for (int k = 0; k < 8; ++k) {
        const uint32_t man = k == 0 ? 0u : k == 1 ? (1u << a.manBits) - 1u : uint32_t(rng()) & ((1u << a.manBits) - 1u);
        v.push_back((uint32_t(rng() & 1) ? a.signBit() : 0u) | (field << a.manBits) | man);
      }
    if (out.isFloat()) {
      // Around out's emin - M - 2 .. emax + 2, with short mantissas (ties) half the time.
      const int lo = out.emin() - out.manBits - 2, hi = out.emax() + 2;
      while (v.size() < n / 2) {
        const int e = std::clamp(lo + int(rng() % uint64_t(hi - lo + 1)), a.emin(), a.emax());
        uint32_t man = uint32_t(rng()) & ((1u << a.manBits) - 1u);
        if (rng() & 1) {
          const int keep = out.manBits + 1 + int(rng() % 3);
          if (keep < a.manBits) man &= ~((1u << (a.manBits - keep)) - 1u);
        }
        v.push_back((uint32_t(rng() & 1) ? a.signBit() : 0u) | (uint32_t(e + a.bias) << a.manBits) | man);
      }
    } else {
      while (v.size() < n / 2) {
        const double x = std::ldexp(double(rng() % (uint64_t(1) << 34)), -int(rng() % 30)) * ((rng() & 1) ? -1 : 1);
        v.push_back(uint32_t(rng() & 1) ? nf::roundFromDouble(x, a, {}).bits : nf::roundFromDouble(std::round(x * 2) / 2, a, {}).bits);
      }
    }
  }
  while (v.size() < n) v.push_back(uint32_t(rng()) & a.mask());
  return v;
}

class FcvtVsMpfr : public ::testing::TestWithParam<std::string> {};

// Every output preset and rounding mode, plain; saturate and ftz for rne and rtz; daz for rne.
TEST_P(FcvtVsMpfr, EveryOutputAndMode) {
  const nf::Format a = nf::parseFormat(GetParam());
  long total = 0;
  for (const std::string& outName : kPresets) {
    const nf::Format out = nf::parseFormat(outName);
    struct V {
      bool sat, ftz, daz;
      std::vector<Rounding> modes;
    };
    const std::vector<V> variants = {{false, false, false, {std::begin(kModes), std::end(kModes)}},
                                     {true, false, false, {Rounding::RNE, Rounding::RTZ}},
                                     {false, true, false, {Rounding::RNE, Rounding::RUP}},
                                     {false, false, true, {Rounding::RNE}}};
    const std::vector<uint32_t> inputs =
        a.width() <= 16 ? std::vector<uint32_t>() : sampleInputs(a, out, 12000, std::hash<std::string>{}(a.name + outName));
    for (const V& v : variants) {
      Checker c;
      c.spec.a = a;
      c.spec.out = out;
      c.spec.round.saturate = v.sat;
      c.spec.round.ftz = v.ftz;
      c.spec.daz = v.daz;
      for (Rounding m : v.modes) {
        if (a.width() <= 16) {
          for (uint32_t x = 0; x < (1u << a.width()); ++x) c.check(x, m);
        } else {
          for (uint32_t x : inputs) c.check(x, m);
        }
      }
      EXPECT_EQ(c.bad, 0) << a.name << " -> " << out.name << ": mismatches out of " << c.checked;
      total += c.checked;
    }
  }
  EXPECT_GT(total, 0);
}

INSTANTIATE_TEST_SUITE_P(Inputs, FcvtVsMpfr, ::testing::ValuesIn(kPresets),
                         [](const auto& info) { return tagOf(info.param); });

// Custom formats: odd biases, no subnormals, fn / fnuz / finite, unsigned, no zero, wide integers.
TEST(FcvtVsMpfr, CustomFormats) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"e5m4", "e3m1"},           {"e6m9,bias=20,nosub", "e4m3,fnuz"}, {"e4m3,finite", "e5m2"},
      {"bf16", "e6m9,bias=20,nosub"}, {"e3m4,unsigned", "int6"},        {"int12", "e5m4"},
      {"fp16", "e4m2,nozero,fn"}, {"e5m2", "e3m3,unsigned,fn"},          {"uint16", "fp16"},
      {"int16", "e8m7,finite"},   {"fp16", "int2"}};
  for (const auto& [an, zn] : pairs) {
    Checker c;
    c.spec.a = nf::parseFormat(an);
    c.spec.out = nf::parseFormat(zn);
    for (Rounding m : kModes)
      for (uint32_t x = 0; x < (1u << c.spec.a.width()); ++x) c.check(x, m);
    c.spec.round.saturate = true;
    for (uint32_t x = 0; x < (1u << c.spec.a.width()); ++x) c.check(x, Rounding::RNE);
    EXPECT_EQ(c.bad, 0) << an << " -> " << zn << ": mismatches out of " << c.checked;
  }
}

// Stochastic rounding, bit for bit: the oracle's floor(|x| / lsb + r / 2^R) with the same r.
TEST(FcvtStochastic, MatchesTheDefinitionForGivenBits) {
  struct Case {
    std::string a, out;
    int R;
    bool saturate;
  };
  const std::vector<Case> cases = {{"bf16", "e2m1", 8, false}, {"bf16", "e2m1", 3, true}, {"fp16", "e4m3", 10, false},
                                   {"fp32", "e4m3", 16, true}, {"fp32", "bf16", 16, false}, {"fp32", "fp16", 12, false},
                                   {"fp16", "int8", 11, false},  {"int8", "e2m1", 8, false},  {"fp32", "uint8", 16, false},
                                   {"bf16", "e8m0", 8, true},  {"e4m3", "e2m1", 2, false},  {"fp16", "e5m2", 1, false}};
  std::mt19937_64 rng(20261123);
  for (const Case& k : cases) {
    Checker c;
    c.spec.a = nf::parseFormat(k.a);
    c.spec.out = nf::parseFormat(k.out);
    c.spec.round = {Rounding::SR, k.saturate, false, k.R};
    const std::vector<uint32_t> xs = c.spec.a.width() <= 16 ? std::vector<uint32_t>() : sampleInputs(c.spec.a, c.spec.out, 200000, 7);
    const uint32_t rMask = (1u << k.R) - 1u;
    if (c.spec.a.width() <= 16) {
      for (uint32_t x = 0; x < (1u << c.spec.a.width()); ++x)
        for (uint32_t r : {0u, rMask, uint32_t(rng()) & rMask, uint32_t(rng()) & rMask}) c.check(x, Rounding::SR, r);
    } else {
      for (uint32_t x : xs) c.check(x, Rounding::SR, uint32_t(rng()) & rMask);
    }
    EXPECT_EQ(c.bad, 0) << k.a << " -> " << k.out << " R=" << k.R << ": mismatches out of " << c.checked;
  }
}

// E[sr(x)] = x up to the truncation of x below R bits under the lsb: |mean - x| <= 2^(lsb-R) + 6 sigma/sqrt(n).
TEST(FcvtStochastic, IsUnbiasedOnAverage) {
  struct Case {
    std::string a, out;
    int R;
  };
  const std::vector<Case> cases = {{"fp32", "e4m3", 16}, {"bf16", "e2m1", 8}, {"fp32", "bf16", 12}, {"fp16", "int8", 11}};
  std::mt19937_64 rng(99);
  constexpr int kDraws = 1 << 16;
  for (const Case& k : cases) {
    nf::FcvtSpec spec;
    spec.a = nf::parseFormat(k.a);
    spec.out = nf::parseFormat(k.out);
    spec.round = {Rounding::SR, false, false, k.R};
    int tested = 0;
    for (int i = 0; tested < 40 && i < 100000; ++i) {
      // Values inside out's finite range (away from overflow), normal and subnormal.
      const double maxZ = spec.out.isFloat() ? spec.out.toDouble(spec.out.maxFiniteMag()) : 100.0;
      const double minZ = spec.out.isFloat() ? spec.out.toDouble(spec.out.minSubnormalMag()) : 0.01;
      const double mag = std::exp(std::log(minZ) + (std::log(maxZ * 0.9) - std::log(minZ)) * double(rng() % 100000) / 1e5);
      const double xv = (rng() & 1) ? -mag : mag;
      const uint32_t x = nf::roundFromDouble(xv, spec.a, {}).bits;
      const double exact = spec.a.toDouble(x);
      if (!std::isfinite(exact) || exact == 0) continue;
      // The lsb of x's result binade in out: the spacing around |x|.
      double lsb = 1.0;
      if (spec.out.isFloat()) {
        int e = 0;
        std::frexp(std::fabs(exact), &e);
        lsb = std::ldexp(1.0, std::max(e - 1, spec.out.emin()) - spec.out.manBits);
      }
      double sum = 0;
      for (int d = 0; d < kDraws; ++d) {
        const nf::Packed p = nf::fcvtModel(spec, x, Rounding::SR, uint32_t(rng()) & ((1u << k.R) - 1u));
        sum += spec.out.toDouble(p.bits);
      }
      const double mean = sum / kDraws;
      const double bound = std::ldexp(lsb, -k.R) + 6 * (lsb / 2) / std::sqrt(double(kDraws));
      EXPECT_LE(std::fabs(mean - exact), bound)
          << fmt::format("{} -> {} R={}: x={:.17g} mean {:.17g} lsb {:g}", k.a, k.out, k.R, exact, mean, lsb);
      ++tested;
    }
    EXPECT_EQ(tested, 40) << k.a << " -> " << k.out;
  }
}

// The fast paths equal the direct model: the lookup table (bits and flags) and the table-free arithmetic
// bits-only path, on 10^7 fp32 inputs for e4m3 (10^6 for the others), every exponent field included.
TEST(FcvtFastModel, FastPathsEqualTheDirectModel) {
  for (const char* out : {"e4m3", "e5m2", "e2m1", "e3m2", "e2m3", "e8m0"}) {
    for (bool sat : {false, true}) {
      nf::FcvtSpec spec;
      spec.a = nf::parseFormat("fp32");
      spec.out = nf::parseFormat(out);
      spec.round.saturate = sat;
      const nf::FcvtFastModel fast(spec);
      ASSERT_TRUE(fast.hasTable()) << out;
      std::mt19937_64 rng(std::string(out).size() * 31 + sat);
      const size_t n = std::string(out) == "e4m3" ? 10000000 : 1000000;
      std::vector<uint32_t> xs(n), bits(n);
      for (size_t i = 0; i < n; ++i) {
        uint32_t x = uint32_t(rng());
        if (i < 256 * 64) x = (x & 0x807FFFFFu) | (uint32_t(i % 256) << 23);  // every exponent field
        if (i % 7 == 0) x &= 0xFFFF0000u | (uint32_t(rng()) & 1u);           // low half empty or one bit
        if (i % 7 == 1) x &= 0xFFF00000u | (uint32_t(rng()) & 0x80000u);     // exact values and ties
        if (i % 7 == 2) x = (x & 0x80000000u) | (uint32_t(rng() % (1u << 30)) + (0x3Fu << 24)) % 0x7F800000u;  // near 1
        xs[i] = x;
      }
      fast.convertBits(xs.data(), bits.data(), n);
      long bad = 0;
      for (size_t i = 0; i < n; ++i) {
        const uint32_t x = xs[i];
        const nf::Packed f = fast(x, Rounding::RNE), d = nf::fcvtModel(spec, x, Rounding::RNE);
        if ((f.bits != d.bits || f.flags != d.flags || bits[i] != d.bits) && bad++ < 5)
          ADD_FAILURE() << fmt::format("fp32 -> {} sat={} a=0x{:08x}: table 0x{:x}/{} convertBits 0x{:x} direct 0x{:x}/{}",
                                       out, sat, x, f.bits, f.flags, bits[i], d.bits, d.flags);
      }
      EXPECT_EQ(bad, 0) << out << (sat ? " sat" : "");
    }
  }
}

// Hand-written from the contract.
TEST(FcvtContract, SpecialCases) {
  auto cvt = [](const char* a, const char* z, uint32_t x, Rounding m = Rounding::RNE, bool sat = false) {
    nf::FcvtSpec s;
    s.a = nf::parseFormat(a);
    s.out = nf::parseFormat(z);
    s.round.saturate = sat;
    return nf::fcvtModel(s, x, m);
  };
  using nf::kFlagInexact, nf::kFlagInvalid, nf::kFlagOverflow, nf::kFlagUnderflow;
  EXPECT_EQ(cvt("fp32", "int8", 0x7FC00000u), (nf::Packed{0x00, kFlagInvalid}));         // NaN -> 0
  EXPECT_EQ(cvt("fp32", "int8", 0xFF800000u), (nf::Packed{0x80, kFlagInvalid}));         // -Inf -> -128
  EXPECT_EQ(cvt("fp32", "int8", 0x43000000u), (nf::Packed{0x7F, kFlagInvalid}));         // 128 -> 127
  EXPECT_EQ(cvt("fp32", "int8", 0xC3000000u), (nf::Packed{0x80, 0}));                    // -128 exact
  EXPECT_EQ(cvt("fp32", "int8", 0x42FF0000u), (nf::Packed{0x7F, kFlagInvalid}));         // 127.5 rne -> 128: out
  EXPECT_EQ(cvt("fp32", "int8", 0x42FF0000u, Rounding::RTZ), (nf::Packed{0x7F, kFlagInexact}));
  EXPECT_EQ(cvt("fp32", "uint8", 0xBF000000u), (nf::Packed{0x00, kFlagInexact}));        // -0.5 rne -> -0 = 0
  EXPECT_EQ(cvt("fp32", "uint8", 0xBF400000u), (nf::Packed{0x00, kFlagInvalid}));        // -0.75 -> -1: out
  EXPECT_EQ(cvt("fp32", "e4m3", 0x43E80000u), (nf::Packed{0x7E, kFlagInexact}));  // 464: a tie, to even 448
  EXPECT_EQ(cvt("fp32", "e4m3", 0x43F00000u), (nf::Packed{0x7F, kFlagOverflow | kFlagInexact}));  // 480 -> NaN
  EXPECT_EQ(cvt("fp32", "e4m3", 0x43F00000u, Rounding::RNE, true), (nf::Packed{0x7E, kFlagOverflow | kFlagInexact}));
  EXPECT_EQ(cvt("fp32", "e4m3", 0xFFC00000u), (nf::Packed{0x7F, 0}));                    // -NaN -> canonical +NaN
  EXPECT_EQ(cvt("fp32", "e2m1", 0x7FC00000u), (nf::Packed{0x07, 0}));                    // NaN -> +max (no NaN)
  EXPECT_EQ(cvt("fp32", "e8m0", 0x00000000u), (nf::Packed{0x00, kFlagUnderflow | kFlagInexact}));  // 0 -> 2^-127
  EXPECT_EQ(cvt("fp32", "e8m0", 0xBF800000u), (nf::Packed{0xFF, kFlagInvalid}));         // -1 -> NaN
  EXPECT_EQ(cvt("fp32", "e8m0", 0x3FC00000u, Rounding::RUP), (nf::Packed{0x80, kFlagInexact}));  // 1.5 -> 2
  EXPECT_EQ(cvt("int8", "bf16", 0x80), (nf::Packed{0xC300, 0}));                         // -128 exact
  EXPECT_EQ(cvt("e4m3", "fp32", 0x7F), (nf::Packed{0x7FC00000u, 0}));
  EXPECT_EQ(cvt("e4m3", "fp32", 0x01), (nf::Packed{0x3B000000u, 0}));                    // 2^-9 exact
  EXPECT_TRUE(nf::fcvtIsExact(nf::parseFormat("e4m3"), nf::parseFormat("bf16"), false));
  EXPECT_TRUE(nf::fcvtIsExact(nf::parseFormat("int8"), nf::parseFormat("bf16"), false));
  EXPECT_FALSE(nf::fcvtIsExact(nf::parseFormat("int16"), nf::parseFormat("bf16"), false));
  EXPECT_FALSE(nf::fcvtIsExact(nf::parseFormat("fp16"), nf::parseFormat("bf16"), false));
  EXPECT_TRUE(nf::fcvtIsExact(nf::parseFormat("fp16"), nf::parseFormat("fp32"), false));
  EXPECT_FALSE(nf::fcvtIsExact(nf::parseFormat("e5m2"), nf::parseFormat("e4m3"), false));
}

}  // namespace
