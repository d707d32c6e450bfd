// mxquant (OCP MX v1.0 block quantizer) against an independent oracle written here from the spec text:
// amax and floor(log2 amax) in exact double arithmetic, the ceil / rceil powers of two found by search, even's
// rounding of amax to the element precision in exact double arithmetic, the E8M0
// clamp, and element rounding by the MPFR oracle (tests/oracles) or, for int8, by the C library's integer
// rounding functions. Nothing here calls the model's helpers. Plus hand-computed blocks, bad options, and
// co-simulation of configurations the catalog does not hold.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "generators/block_stimulus.h"
#include "generators/mxquant.h"
#include "oracles/mpfr_oracle.h"
#include "refmodels/fcvt.h"
#include "refmodels/quant_stats.h"
#include "tests/catalog.h"
#include "tests/other_model.h"
#include "tests/quick_cosim.h"
#include "verif/cosim.h"

namespace nf {
namespace {

// The element formats' facts as the OCP MX v1.0 spec tables state them (not derived from Format).
struct ElemFacts {
  const char* name;
  int emax;        // largest normal exponent
  double maxNorm;  // largest normal value
  bool isInt;
  int emin = 0;    // smallest normal exponent (float elements)
  int man = 0;     // mantissa bits (float elements)
};
const ElemFacts kElems[] = {{"e4m3", 8, 448.0, false, -6, 3}, {"e5m2", 15, 57344.0, false, -14, 2},
                            {"e3m2", 4, 28.0, false, -2, 2},  {"e2m3", 2, 7.5, false, 0, 3},
                            {"e2m1", 2, 6.0, false, 0, 1},    {"int8", 0, 127.0 / 64, true}};

const ElemFacts& factsOf(const std::string& name) {
  for (const ElemFacts& f : kElems)
    if (name == f.name) return f;
  throw std::logic_error("no facts for " + name);
}

double roundIntOracle(double t, Rounding m) {
  switch (m) {
    case Rounding::RNE: return std::nearbyint(t);  // default FE_TONEAREST
    case Rounding::RNA: return std::round(t);
    case Rounding::RTZ: return std::trunc(t);
    case Rounding::RUP: return std::ceil(t);
    case Rounding::RDN: return std::floor(t);
    case Rounding::ROD: {
      const double r = std::trunc(t);
      return (r != t && std::fmod(r, 2.0) == 0) ? r + (t > 0 ? 1 : -1) : r;
    }
    case Rounding::SR: break;  // not for int elements (refused by the factory)
  }
  return t;
}

struct OracleBlock {
  uint32_t scale = 0;
  std::vector<uint32_t> q;
};

// The spec's conversion (OCP MX v1.0 section 6.3) with this project's documented NaN/zero/clamp choices.
// Stochastic rounding from its definition, in exact integer arithmetic: with lsb the exponent of the element's
// last place at |t| (subnormal results included) and u = 2^(lsb - R), the magnitude is
// floor((floor(|t| / u) + r) / 2^R) * 2^lsb (bits of |t| below u cannot carry into the sum's integer part),
// saturated at the largest normal.
uint32_t srOracle(double t, const ElemFacts& ef, const Format& elem, int R, uint32_t r) {
  const double mag = std::fabs(t);
  uint64_t k = 0;
  int lsb = ef.emin - ef.man;
  if (mag != 0) {
    lsb = std::max(std::ilogb(mag), ef.emin) - ef.man;
    const uint64_t a = uint64_t(std::floor(std::ldexp(mag, R - lsb)));  // below 2^(R + man + 2): exact
    k = (a + r) >> R;
  }
  const double result = std::min(std::ldexp(double(k), lsb), ef.maxNorm);
  if (result == 0) return std::signbit(t) ? (1u << (elem.width() - 1)) : 0u;
  int e = 0;
  const double m = std::frexp(result, &e);
  return nfo::roundExact(std::signbit(t), uint64_t(std::ldexp(m, 53)), e - 53, elem, {Rounding::RTZ, true, false}).bits;
}

OracleBlock mxOracle(const Format& in, const Format& elem, MxScaleRule rule, Rounding mode, const std::vector<uint32_t>& x,
                     int srBits = 0, const std::vector<uint32_t>& sr = {}) {
  const ElemFacts& ef = factsOf(elem.name);
  OracleBlock r;
  r.q.assign(x.size(), 0u);
  std::vector<double> v;
  double amax = 0;
  for (uint32_t b : x) {
    const double d = nfo::toDoubleSpec(in, b);
    if (std::isnan(d) || std::isinf(d)) {
      r.scale = 0xFF;
      return r;
    }
    v.push_back(d);
    amax = std::max(amax, std::fabs(d));
  }
  int s;
  if (amax == 0) {
    s = -127;
  } else if (rule == MxScaleRule::Floor) {
    s = std::ilogb(amax) - ef.emax;
  } else if (rule == MxScaleRule::Ceil) {
    int c = std::ilogb(amax) - 2;  // the smallest c with 2^c >= amax
    while (std::ldexp(1.0, c) < amax) ++c;
    s = c - ef.emax;
  } else if (rule == MxScaleRule::Even) {
    // amax to p = man + 1 significant bits, ties away from zero (exact in doubles: at most 17 bits).
    const int man = ef.isInt ? 6 : ef.man;
    const double ulp = std::ldexp(1.0, std::ilogb(amax) - man);
    s = std::ilogb(std::floor(amax / ulp + 0.5) * ulp) - ef.emax;
  } else {
    s = std::ilogb(amax) - ef.emax - 2;
    while (std::ldexp(amax, -s) > ef.maxNorm) ++s;
  }
  s = std::max(-127, std::min(127, s));
  r.scale = uint32_t(s + 127);
  for (size_t i = 0; i < v.size(); ++i) {
    const double t = std::ldexp(v[i], -s);  // exact: doubles span every fp32 value times 2^+-127
    if (ef.isInt) {
      const double q = std::max(-127.0, std::min(127.0, roundIntOracle(std::ldexp(t, 6), mode)));
      r.q[i] = uint32_t(int32_t(q)) & 0xFFu;
    } else if (mode == Rounding::SR) {
      r.q[i] = srOracle(t, ef, elem, srBits, sr[i]);
    } else if (t == 0) {
      r.q[i] = std::signbit(t) ? (1u << (elem.width() - 1)) : 0u;
    } else {
      int e = 0;
      const double m = std::frexp(std::fabs(t), &e);
      const uint64_t sig = uint64_t(std::ldexp(m, 53));
      r.q[i] = nfo::roundExact(std::signbit(t), sig, e - 53, elem, {mode, true, false}).bits;
    }
  }
  return r;
}

struct Config {
  std::string in, out;
  MxScaleRule rule;
  Rounding mode;
};

std::string configName(const Config& c) {
  return fmt::format("{}_{}_{}_{}", c.in, c.out, mxScaleRuleName(c.rule), roundingName(c.mode));
}

void PrintTo(const Config& c, std::ostream* os) { *os << configName(c); }

class MxQuantOracle : public ::testing::TestWithParam<Config> {};

TEST_P(MxQuantOracle, ModelMatchesSpecOracle) {
  const Config& c = GetParam();
  MxQuantSpec s;
  s.in = parseFormat(c.in);
  s.elem = parseFormat(c.out);
  s.block = 32;
  s.rule = c.rule;
  s.mode = c.mode;
  const ElemFacts& ef = factsOf(c.out);
  const int elemMan = ef.isInt ? 6 : s.elem.manBits;
  const auto blocks = quantizerStimulus(s.in, 32, ef.emax, elemMan, ef.maxNorm, 99);
  ASSERT_GT(blocks.size(), 2000u);
  int mismatches = 0, nanBlocks = 0, clampedLow = 0, clampedHigh = 0, saturated = 0;
  std::vector<uint32_t> q(32);
  for (const auto& x : blocks) {
    uint32_t scale = 0;
    mxQuantize(s, x.data(), scale, q.data());
    const OracleBlock want = mxOracle(s.in, s.elem, c.rule, c.mode, x);
    nanBlocks += want.scale == 0xFF;
    clampedLow += want.scale == 0;
    clampedHigh += want.scale == 254;
    for (uint32_t e : want.q) saturated += (e & 0x7F) == (s.elem.maxFiniteMag() & 0x7F) && !ef.isInt;
    if (scale != want.scale || q != want.q) {
      if (++mismatches <= 3) {
        std::string in, got, exp;
        for (size_t i = 0; i < x.size(); ++i) {
          in += fmt::format(" {:x}", x[i]);
          got += fmt::format(" {:x}", q[i]);
          exp += fmt::format(" {:x}", want.q[i]);
        }
        ADD_FAILURE() << "block:" << in << "\nscale model 0x" << std::hex << scale << " oracle 0x" << want.scale
                      << "\nmodel: " << got << "\noracle:" << exp;
      }
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << blocks.size() << " blocks";
  // The stimulus must have reached the rules under test.
  EXPECT_GT(nanBlocks, 10);
  EXPECT_GT(clampedLow, 10);
}

std::vector<Config> oracleConfigs() {
  std::vector<Config> v;
  for (const char* in : {"fp32", "bf16", "fp16"})
    for (const ElemFacts& e : kElems)
      for (MxScaleRule rule : {MxScaleRule::Floor, MxScaleRule::Ceil, MxScaleRule::Even, MxScaleRule::RCeil})
        v.push_back({in, e.name, rule, Rounding::RNE});
  for (Rounding m : {Rounding::RNA, Rounding::RTZ, Rounding::RUP, Rounding::RDN, Rounding::ROD})
    for (const char* out : {"e4m3", "e2m1", "int8"}) v.push_back({"bf16", out, MxScaleRule::Floor, m});
  v.push_back({"fp32", "e5m2", MxScaleRule::RCeil, Rounding::RNA});
  v.push_back({"fp16", "e3m2", MxScaleRule::RCeil, Rounding::RNA});
  v.push_back({"fp32", "int8", MxScaleRule::Even, Rounding::RNA});
  v.push_back({"bf16", "e2m3", MxScaleRule::Ceil, Rounding::RTZ});
  return v;
}

INSTANTIATE_TEST_SUITE_P(Mx, MxQuantOracle, ::testing::ValuesIn(oracleConfigs()),
                         [](const auto& info) { return configName(info.param); });

// Stochastic rounding: the model against srOracle for given random bits, every input x float element format x rule,
// R from 1 to 16; the random bits of a block are all zeros, all ones, a half or seeded random.
struct SrConfig {
  std::string in, out;
  bool rceil;
  int R;
};

void PrintTo(const SrConfig& c, std::ostream* os) { *os << c.in << "_" << c.out << (c.rceil ? "_rceil_r" : "_floor_r") << c.R; }

class MxQuantSr : public ::testing::TestWithParam<SrConfig> {};

TEST_P(MxQuantSr, ModelMatchesDefinitionForGivenRandomBits) {
  const SrConfig& c = GetParam();
  MxQuantSpec s;
  s.in = parseFormat(c.in);
  s.elem = parseFormat(c.out);
  s.rule = c.rceil ? MxScaleRule::RCeil : MxScaleRule::Floor;
  s.mode = Rounding::SR;
  s.srBits = c.R;
  const ElemFacts& ef = factsOf(c.out);
  const auto blocks = quantizerStimulus(s.in, 32, ef.emax, ef.man, ef.maxNorm, 1234);
  std::mt19937_64 rng(77);
  const uint32_t rMax = (1u << c.R) - 1u;
  int mismatches = 0, roundedUp = 0, roundedDown = 0;
  std::vector<uint32_t> q(32), sr(32);
  for (size_t k = 0; k < blocks.size(); ++k) {
    for (uint32_t& r : sr) r = k % 4 == 0 ? 0u : k % 4 == 1 ? rMax : k % 4 == 2 ? (rMax >> 1) + 1u : uint32_t(rng()) & rMax;
    uint32_t scale = 0;
    mxQuantize(s, blocks[k].data(), scale, q.data(), sr.data());
    const MxScaleRule rule = c.rceil ? MxScaleRule::RCeil : MxScaleRule::Floor;
    const OracleBlock want = mxOracle(s.in, s.elem, rule, Rounding::SR, blocks[k], c.R, sr);
    // How often SR chose each neighbour (the oracle's rtz result tells which).
    const OracleBlock down = mxOracle(s.in, s.elem, rule, Rounding::RTZ, blocks[k]);
    for (size_t i = 0; i < q.size(); ++i) (want.q[i] == down.q[i] ? roundedDown : roundedUp) += 1;
    if ((scale != want.scale || q != want.q) && ++mismatches <= 3) {
      std::string in, got, exp;
      for (size_t i = 0; i < q.size(); ++i) {
        in += fmt::format(" {:x}/{:x}", blocks[k][i], sr[i]);
        got += fmt::format(" {:x}", q[i]);
        exp += fmt::format(" {:x}", want.q[i]);
      }
      ADD_FAILURE() << "block (x/r):" << in << "\nmodel: " << got << "\noracle:" << exp;
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << blocks.size() << " blocks";
  EXPECT_GT(roundedUp, 1000);  // the random bits did move results up, and not always
  EXPECT_GT(roundedDown, 1000);
}

std::vector<SrConfig> srConfigs() {
  std::vector<SrConfig> v;
  for (const char* in : {"fp32", "bf16", "fp16"})
    for (const char* out : {"e4m3", "e5m2", "e3m2", "e2m3", "e2m1"})
      for (bool rceil : {false, true}) v.push_back({in, out, rceil, 8});
  for (int R : {1, 3, 16}) v.push_back({"fp32", "e4m3", false, R});
  v.push_back({"fp32", "e2m1", true, 16});
  return v;
}

INSTANTIATE_TEST_SUITE_P(Mx, MxQuantSr, ::testing::ValuesIn(srConfigs()), [](const auto& info) {
  return fmt::format("{}_{}_{}_r{}", info.param.in, info.param.out, info.param.rceil ? "rceil" : "floor", info.param.R);
});

// E[sr(x)] = x: the unit's own random source (the LFSR stream model, as the RTL steps it) over 40000 blocks of
// the same values. Each mean must lie within 5 standard errors (an element's result is one of two neighbours
// lsb apart, so sigma <= lsb / 2) plus the 2^(lsb - R) truncation of x below the random bits. Round-to-nearest
// or truncation would miss 0.3 by 0.2 and 1.1 by 0.1.
TEST(MxQuantSr, MeanOfStochasticRoundingIsTheValue) {
  const auto unit = buildUnit("mxquant", {"--a", "fp32", "--out", "e2m1", "--block", "4", "--round", "sr", "--sr-bits",
                                          "8", "--sr-source", "lfsr", "--sr-seed", "4242"});
  ASSERT_TRUE(unit->stateful());
  auto stream = unit->streamModel();
  const float x[4] = {6.0f, 0.3f, 1.1f, -2.7f};  // amax 6: s = 0; e2m1 grid 0.5 below 2, 1 in [2, 4)
  const double lsb[4] = {2.0, 0.5, 0.5, 1.0};
  uint32_t in[4], out[5];
  std::memcpy(in, x, sizeof in);
  const int N = 40000;
  double sum[4] = {0, 0, 0, 0};
  const double e2m1[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};  // the OCP table
  for (int n = 0; n < N; ++n) {
    stream->step(in, out);
    ASSERT_EQ(out[0], 127u);
    for (int i = 0; i < 4; ++i) sum[i] += (out[1 + i] & 8 ? -1 : 1) * e2m1[out[1 + i] & 7];
  }
  for (int i = 0; i < 4; ++i) {
    const double bound = 5 * (lsb[i] / 2) / std::sqrt(double(N)) + std::ldexp(lsb[i], -8);
    EXPECT_NEAR(sum[i] / N, double(x[i]), bound) << "element " << i;
  }
}

// A block worked by hand through `eval`, whose sr_bits port (8 x 5 bits) spans two words. amax 0.19: s = -3 - 4
// = -7. x3 * 2^7 = 0.8317 (lsb 1/8): floor(0.8317 * 2^8) = 212, r3 = 15, (212 + 15) >> 5 = 7 -> 0.875 (0x0b);
// x6 * 2^7 = 0.3104 (lsb 1/16): floor(0.3104 * 2^9) = 158, r6 = 2, 160 >> 5 = 5 -> 0.3125 (0x05).
TEST(MxQuantSr, EvalTakesTheWideRandomPort) {
  std::string out;
  ASSERT_EQ(test::runCommand(NF_BINARY_DIR "/numforge eval mxquant --a fp32 --out e3m2 --block 8 --round sr --sr-bits 5 "
                                           "0 0xbbfc40ad 0xbe433612 0x3bd4ed3d 0x3d30a004 0xbb82e3e4 0x3b1ee72e "
                                           "0xbb189f1f 0x408647c7c5",
                             out),
            0)
      << out;
  EXPECT_NE(out.find("scale=0x78"), std::string::npos) << out;
  EXPECT_NE(out.find("q3=0x0b"), std::string::npos) << out;
  EXPECT_NE(out.find("q6=0x05"), std::string::npos) << out;
}

// The bank of generators behind an LFSR source, from its documented definition: generator g starts at
// seed * (2 * 0x9e3779b9 * g + 1) mod 2^32 and steps as Marsaglia's xorshift32; fields are read from the top
// of the concatenated states, generator 0 first.
TEST(MxQuantSr, LfsrBankFieldsFollowTheDefinition) {
  auto xorshift = [](uint32_t x) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
  };
  const uint32_t seed = 99;
  SrLfsrBank bank(seed, 5, 12);  // 60 bits: two generators, field 2 straddles them
  ASSERT_EQ(bank.generators(), 2);
  uint32_t g0 = seed, g1 = uint32_t(uint64_t(seed) * ((2ull * 0x9e3779b9ull + 1ull) & 0xffffffffull));
  for (int step = 0; step < 50; ++step) {
    const unsigned __int128 w = (unsigned __int128)(uint64_t(g0) << 32 | g1);
    for (int i = 0; i < 5; ++i)
      ASSERT_EQ(bank.field(i), uint32_t((w >> (64 - 12 * (i + 1))) & 0xfff)) << "step " << step << " field " << i;
    bank.step();
    g0 = xorshift(g0);
    g1 = xorshift(g1);
  }
  SrLfsrBank one(7, 1, 8);
  SrLfsr ref(7);
  for (int step = 0; step < 10; ++step, one.step(), ref.step()) EXPECT_EQ(one.field(0), ref.bits(8));
}

// Blocks worked out by hand from the spec (expected encodings written out, not computed).
std::vector<uint32_t> block4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) { return {a, b, c, d}; }

struct HandCase {
  const char* what;
  std::vector<std::string> args;
  std::vector<uint32_t> x;
  uint32_t scale;
  std::vector<uint32_t> q;
};

TEST(MxQuantHand, WorkedExamples) {
  const HandCase cases[] = {
      // amax 1.0: floor(log2 1) - 8 = -8 -> scale 119; 1.0 * 2^8 = 256 = e4m3 0x78; 0.5 -> 128 = 0x70.
      {"bf16 ones", {"--a", "bf16", "--out", "e4m3", "--block", "4"}, block4(0x3F80, 0x3F00, 0x0000, 0x8000),
       0x77, {0x78, 0x70, 0x00, 0x80}},
      // amax 1.875: floor keeps s = -8 and 480 clamps to 448 (0x7e); rceil takes s = -7, 240 = 0x77.
      {"floor clamps", {"--a", "bf16", "--out", "e4m3", "--block", "4"}, block4(0x3FF0, 0, 0, 0xBFF0), 0x77,
       {0x7E, 0, 0, 0xFE}},
      {"rceil", {"--a", "bf16", "--out", "e4m3", "--block", "4", "--scale-rule", "rceil"}, block4(0x3FF0, 0, 0, 0xBFF0),
       0x78, {0x77, 0, 0, 0xF7}},
      // NaN anywhere: scale 0xFF, elements 0.
      {"nan", {"--a", "bf16", "--out", "e4m3", "--block", "4"}, block4(0x3F80, 0x7FC0, 0, 0), 0xFF, {0, 0, 0, 0}},
      {"inf", {"--a", "bf16", "--out", "e2m1", "--block", "4"}, block4(0xFF80, 0x3F80, 0, 0), 0xFF, {0, 0, 0, 0}},
      // Zero block: scale 2^-127 (0x00), signed zeros kept.
      {"zeros", {"--a", "fp16", "--out", "e2m1", "--block", "4"}, block4(0, 0x8000, 0, 0x8000), 0x00,
       {0, 8, 0, 8}},
      // fp32 max 0x7f7fffff: E = 127, int8 emax 0 -> s = 127 (0xFE); 1.99999988 rne -> 128/64 saturates at 127.
      {"int8 top", {"--a", "fp32", "--out", "int8", "--block", "4"}, block4(0x7F7FFFFF, 0xFF7FFFFF, 0x7F000000, 0),
       0xFE, {0x7F, 0x81, 0x40, 0}},
      // fp32 subnormal amax 2^-149: s = -149 - 2 clamps to -127; 2^-149 * 2^127 = 2^-22 flushes to e2m1 0.
      {"subnormal amax", {"--a", "fp32", "--out", "e2m1", "--block", "4"}, block4(1, 0x80000001, 0, 0), 0x00,
       {0, 8, 0, 0}},
      // e2m1 ties: amax 4 -> s = 0; 2.5 ties to 2 (even, 0x4), 5 ties to 4 (0x6); 0.25 ties to 0.
      {"e2m1 ties", {"--a", "bf16", "--out", "e2m1", "--block", "4"}, block4(0x4080, 0x4020, 0x40A0, 0x3E80), 0x7F,
       {0x6, 0x4, 0x6, 0x0}},
      {"e2m1 ties rna", {"--a", "bf16", "--out", "e2m1", "--block", "4", "--round", "rna"},
       block4(0x4080, 0x4020, 0x40A0, 0x3E80), 0x7F, {0x6, 0x5, 0x7, 0x1}},
  };
  for (const HandCase& c : cases) {
    const auto unit = buildUnit("mxquant", c.args);
    std::vector<uint32_t> out(unit->outputWords());
    unit->emulate(c.x.data(), out.data());
    EXPECT_EQ(out[0], c.scale) << c.what;
    EXPECT_EQ(std::vector<uint32_t>(out.begin() + 1, out.end()), c.q) << c.what;
  }
}

// The four scale rules on blocks worked out by hand (bf16 -> e4m3: emax 8, 4 significant bits, max 448 =
// 1.75 * 2^8), amax = m * 2^0 with m chosen to separate them:
//   m = 1.5:    floor -8; ceil -7 (not a power of two); even -8 (1.5 has 4 bits); rceil -8 (384 <= 448)
//   m = 1.8125: floor -8; ceil -7; even -8 (1.1101b ties to 1.111b = 1.875 < 2); rceil -7 (464 > 448)
//   m = 1.9375: floor -8; ceil -7; even -7 (1.1111b ties away to 2); rceil -7 (496 > 448)
//   m = 1.0:    -8 for all four.
// Elements (second value 0.75 and the amax itself): x * 2^-s in e4m3, rne, saturating at 448 (0x7e).
TEST(MxQuantHand, ScaleRules) {
  struct RuleCase {
    uint32_t amax;  // bf16
    const char* rule;
    uint32_t scale;
    uint32_t q0, q1;  // amax and 0.75 as elements
  };
  const RuleCase cases[] = {
      // 1.5 * 2^8 = 384 (0x7c); 0.75 * 2^8 = 192 (0x74). s = -7: 192 (0x74), 96 (0x6c).
      {0x3FC0, "floor", 0x77, 0x7C, 0x74}, {0x3FC0, "ceil", 0x78, 0x74, 0x6C},
      {0x3FC0, "even", 0x77, 0x7C, 0x74},  {0x3FC0, "rceil", 0x77, 0x7C, 0x74},
      // 1.8125 * 2^8 = 464: ties 448 | 480, and 448 is max (0x7e) either way; s = -7: 232 ties 224 | 240 -> 224 (0x76).
      {0x3FE8, "floor", 0x77, 0x7E, 0x74}, {0x3FE8, "ceil", 0x78, 0x76, 0x6C},
      {0x3FE8, "even", 0x77, 0x7E, 0x74},  {0x3FE8, "rceil", 0x78, 0x76, 0x6C},
      // 1.9375 * 2^8 = 496 -> clamped 448 (0x7e); s = -7: 248 ties 240 | 256 -> 256 (0x78).
      {0x3FF8, "floor", 0x77, 0x7E, 0x74}, {0x3FF8, "ceil", 0x78, 0x78, 0x6C},
      {0x3FF8, "even", 0x78, 0x78, 0x6C},  {0x3FF8, "rceil", 0x78, 0x78, 0x6C},
      // 1.0: 256 (0x78), 192 (0x74) under every rule.
      {0x3F80, "floor", 0x77, 0x78, 0x74}, {0x3F80, "ceil", 0x77, 0x78, 0x74},
      {0x3F80, "even", 0x77, 0x78, 0x74},  {0x3F80, "rceil", 0x77, 0x78, 0x74},
  };
  for (const RuleCase& c : cases) {
    const auto unit = buildUnit("mxquant", {"--a", "bf16", "--out", "e4m3", "--block", "4", "--scale-rule", c.rule});
    const std::vector<uint32_t> x = {c.amax, 0x3F40, 0, 0};
    std::vector<uint32_t> out(unit->outputWords());
    unit->emulate(x.data(), out.data());
    EXPECT_EQ(out[0], c.scale) << c.rule << " amax 0x" << std::hex << c.amax;
    EXPECT_EQ(out[1], c.q0) << c.rule << " amax 0x" << std::hex << c.amax;
    EXPECT_EQ(out[2], c.q1) << c.rule << " amax 0x" << std::hex << c.amax;
  }
}

TEST(MxQuantOptions, BadParametersNameTheField) {
  struct Bad {
    std::vector<std::string> args;
    std::string mention;
  };
  const Bad bad[] = {
      {{"--a", "int8"}, "--a"},
      {{"--a", "bf16", "--out", "e8m0"}, "--out"},
      {{"--a", "bf16", "--out", "uint8"}, "--out"},
      {{"--a", "bf16", "--block", "0"}, "--block"},
      {{"--a", "bf16", "--block", "65"}, "--block"},
      {{"--a", "bf16", "--scale-rule", "round"}, "floor, ceil, even, rceil"},
      {{"--a", "bf16", "--round", "dyn"}, "--round"},
      {{"--a", "bf16", "--out", "int8", "--round", "sr"}, "float elements"},
      {{"--a", "bf16", "--sr-bits", "8"}, "--round sr"},
      {{"--a", "bf16", "--round", "sr", "--sr-bits", "0"}, "1..24"},
      {{"--a", "bf16", "--round", "sr", "--sr-seed", "5"}, "--sr-source lfsr"},
      {{"--a", "bf16", "--round", "sr", "--sr-source", "dice"}, "port, lfsr"},
      {{"--a", "bf16", "--lanes", "5"}, "1, 2, 4, 8, 16, 32"},
      {{"--a", "bf16", "--lanes", "0"}, "--lanes"},
      {{"--a", "bf16", "--block", "8", "--lanes", "16"}, "1, 2, 4, 8"},
      {{"--a", "bf16", "--name", "1x"}, "--name"},
  };
  for (const Bad& b : bad) {
    try {
      buildUnit("mxquant", b.args);
      ADD_FAILURE() << "accepted: " << fmt::format("{}", fmt::join(b.args, " "));
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(b.mention), std::string::npos) << e.what();
    }
  }
  std::string out;
  EXPECT_EQ(test::runCommand(NF_BINARY_DIR "/numforge gen mxquant --a bf16 --block 0 -o /tmp/nf_mx_never", out), 2) << out;
  EXPECT_NE(out.find("--block"), std::string::npos) << out;
  EXPECT_EQ(test::runCommand(NF_BINARY_DIR "/numforge eval mxquant --a bf16 --block 4 --lanes 2 0x3f80 0x3f80", out), 2)
      << out;
  EXPECT_NE(out.find("--lanes"), std::string::npos) << out;
  EXPECT_EQ(test::runCommand(NF_BINARY_DIR "/numforge accuracy mxquant --a fp32 --round sr --samples 64", out), 2) << out;
  EXPECT_NE(out.find("--round"), std::string::npos) << out;
}


// Accuracy figures on a tensor worked out by hand: e2m1, blocks of 2, fp32 input. Block {6, 0.25}: amax 6,
// s = 2 - 2 = 0, 6 exact, 0.25 ties between 0 and 0.5 and goes to 0 (rne). Block {-1, 1.5}: exact.
TEST(MxQuantAccuracy, HandComputedFigures) {
  MxQuantSpec s;
  s.in = parseFormat("fp32");
  s.elem = parseFormat("e2m1");
  s.block = 2;
  const std::vector<float> x = {6.0f, 0.25f, -1.0f, 1.5f};
  const QuantStats st = mxQuantStats(s, x.data(), x.size(), 2);
  EXPECT_EQ(st.elements, 4u);
  EXPECT_DOUBLE_EQ(st.mse, 0.0625 / 4);
  EXPECT_NEAR(st.qsnrDb, 10 * std::log10((36 + 0.0625 + 1 + 2.25) / 0.0625), 1e-9);
  EXPECT_DOUBLE_EQ(st.maxAbsErr, 0.25);
  EXPECT_DOUBLE_EQ(st.maxRelErr, 1.0);
  EXPECT_DOUBLE_EQ(st.zeroFlushedFrac, 0.25);
  EXPECT_DOUBLE_EQ(st.saturatedFrac, 0.0);
  // floor on {7, 0}: amax 7, s = 0, 7 > 6 saturates to 6.
  const std::vector<float> y = {7.0f, 0.0f};
  const QuantStats sat = mxQuantStats(s, y.data(), y.size(), 1);
  EXPECT_DOUBLE_EQ(sat.saturatedFrac, 0.5);
  EXPECT_DOUBLE_EQ(sat.maxAbsErr, 1.0);
  // int8 elements are 1.6 fixed point: {1.5, -0.25, 0.75, 1/64} has amax 1.5, s = 0, q = 96, -16, 48, 1, all
  // exact, so the dequantized block is the input (the figures once read q as an integer, 64 times too large).
  s.elem = parseFormat("int8");
  s.block = 4;
  const std::vector<float> z = {1.5f, -0.25f, 0.75f, 1.0f / 64};
  const QuantStats fixedPoint = mxQuantStats(s, z.data(), z.size(), 1);
  EXPECT_EQ(fixedPoint.mse, 0.0);
  EXPECT_EQ(fixedPoint.maxAbsErr, 0.0);
}


// The tensor-rate path (tables filled by roundPack) must give the model's results block for block; the
// model itself is checked against the spec oracle above.
TEST(MxQuantTensor, FastPathMatchesModel) {
  for (const char* e : {"e4m3", "e5m2", "e3m2", "e2m3", "e2m1"})
    for (MxScaleRule rule : {MxScaleRule::Floor, MxScaleRule::Ceil, MxScaleRule::Even, MxScaleRule::RCeil})
      for (Rounding m : {Rounding::RNE, Rounding::RNA, Rounding::RTZ, Rounding::RUP, Rounding::RDN, Rounding::ROD}) {
        MxQuantSpec s;
        s.in = parseFormat("fp32");
        s.elem = parseFormat(e);
        s.rule = rule;
        s.mode = m;
        const ElemFacts& ef = factsOf(e);
        std::vector<float> x;
        for (const auto& b : quantizerStimulus(s.in, 32, ef.emax, s.elem.manBits, ef.maxNorm, 5))
          for (uint32_t v : b) {
            float f;
            std::memcpy(&f, &v, 4);
            x.push_back(f);
          }
        const std::vector<float> g = makeDistribution("outliers", 32 * 500, 3);
        x.insert(x.end(), g.begin(), g.end());
        std::vector<uint8_t> scales(x.size() / 32), q(x.size());
        mxQuantizeTensor(s, x.data(), x.size(), scales.data(), q.data(), 2);
        int bad = 0;
        for (size_t b = 0; b < scales.size(); ++b) {
          uint32_t in[32], out[32], scale = 0;
          std::memcpy(in, &x[b * 32], sizeof in);
          mxQuantize(s, in, scale, out);
          bool same = scale == scales[b];
          for (int i = 0; i < 32; ++i) same = same && out[i] == q[b * 32 + size_t(i)];
          if (!same && ++bad <= 2) ADD_FAILURE() << e << " " << mxScaleRuleName(rule) << " " << roundingName(m) << " block " << b;
        }
      }
}

std::string npyBytes(int major, const std::string& dict, const std::vector<float>& v) {
  std::string h = dict;
  const size_t pre = major == 1 ? 10 : 12;
  while ((pre + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string out = std::string("\x93NUMPY", 6) + char(major) + char(0);
  const uint32_t len = uint32_t(h.size());
  out += char(len & 0xFF);
  out += char((len >> 8) & 0xFF);
  if (major == 2) {
    out += char((len >> 16) & 0xFF);
    out += char(len >> 24);
  }
  out += h;
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * 4);
  return out;
}

TEST(MxQuantAccuracy, NpyReaderAcceptsFloat32COrderOnly) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("nf_npy_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return (dir / name).string();
  };
  const std::vector<float> v = {1.5f, -2.0f, 0.125f, 3.0f, 4.0f, 5.0f};
  const std::string d = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_EQ(readNpyFloat32(write("v1.npy", npyBytes(1, d, v))), v);
  EXPECT_EQ(readNpyFloat32(write("v2.npy", npyBytes(2, d, v))), v);
  EXPECT_EQ(readNpyFloat32(write("flat.npy", npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", v))), v);
  const std::pair<std::string, std::string> bad[] = {
      {"f8.npy", npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", v)},
      {"be.npy", npyBytes(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (6,), }", v)},
      {"fortran.npy", npyBytes(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", v)},
      {"short.npy", npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }", v)},
      {"v3.npy", npyBytes(3, d, v)},
      {"magic.npy", "not numpy at all"},
  };
  for (const auto& [name, bytes] : bad) {
    const std::string path = write(name, bytes);
    try {
      readNpyFloat32(path);
      ADD_FAILURE() << "accepted " << name;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();  // the message names the file
    }
  }
  std::string out;
  EXPECT_EQ(test::runCommand(NF_BINARY_DIR "/numforge accuracy mxquant --a fp32 --input " + (dir / "be.npy").string(), out), 2)
      << out;
  EXPECT_NE(out.find("'<f4'"), std::string::npos) << out;
  EXPECT_EQ(test::runCommand(NF_BINARY_DIR "/numforge accuracy mxquant --a fp32 --out e2m1 --block 2 --input " +
                                 (dir / "v1.npy").string(), out), 0) << out;
  EXPECT_NE(out.find("elements      6"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

// Configurations beyond the catalog's, co-simulated with small blocks (corner blocks + seeded random).
class MxQuantCosim : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(MxQuantCosim, RtlMatchesModel) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  ::setenv("NUMFORGE_CACHE", NF_BINARY_DIR "/vcache", 0);
  const auto unit = buildUnit("mxquant", GetParam());
  const verif::CosimReport r = test::quickRandomCosim(*unit, 50000, 7);
  EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
  EXPECT_GE(r.vectors, 50000u + 2000);
}

// The lanes protocol in an event-driven simulator: blocks of K/L = 4 beats (one back to back, one with a bubble);
// each block's output beats must be exactly the 4 cycles after its last input beat, last_out on the fourth.
TEST(MxQuantLanes, OutputBeatsFollowTheBlocksLastBeat) {
  if (!test::haveTool("iverilog")) GTEST_SKIP() << "iverilog is absent; protocol simulation not run";
  const auto unit = buildUnit("mxquant", {"--a", "fp32", "--out", "e4m3", "--block", "8", "--lanes", "2"});
  const GeneratedModule m = unit->emit();
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("nf_lanes_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "unit.v") << m.verilog;
  std::ofstream(dir / "tb.v") << "module tb;\n"
                                 "  reg clk = 0, rst = 1, valid_in = 0;\n"
                                 "  reg [31:0] x0 = 32'h3f800000, x1 = 32'hc0400000;\n"
                                 "  wire valid_out, last_out;\n  wire [7:0] scale, q0, q1;\n  "
                              << m.name
                              << " u (.clk(clk), .rst(rst), .valid_in(valid_in), .x0(x0), .x1(x1), .valid_out(valid_out), "
                                 ".scale(scale), .q0(q0), .q1(q1), .last_out(last_out));\n"
                                 "  always #5 clk = ~clk;\n  integer c;\n"
                                 "  initial begin\n    for (c = 0; c < 20; c = c + 1) begin\n      @(negedge clk);\n"
                                 "      rst = c < 2;\n"
                                 "      valid_in = (c >= 2 && c <= 6) || (c >= 8 && c <= 10);\n"
                                 "      #1 $display(\"%0d %b %b %h %h %h\", c, valid_out, last_out, scale, q0, q1);\n"
                                 "    end\n    $finish;\n  end\nendmodule\n";
  std::string out;
  ASSERT_EQ(test::runCommand("cd " + dir.string() + " && iverilog -g2005 -o sim tb.v unit.v && vvp -n sim", out), 0) << out;
  std::filesystem::remove_all(dir);
  // Block A: beats in cycles 2-5, outputs 6-9. Block B: beats 6, 8, 9, 10, outputs 11-14. {1, -3} x 4: amax 3,
  // s = 1 - 8 = -7 (scale 0x78); 1 * 2^7 = 128 = 0x70, -3 * 2^7 = -384 = -1.5 * 2^8 = 0xfc.
  std::istringstream lines(out);
  int cycles = 0;
  for (std::string line; std::getline(lines, line);) {
    int c = 0, v = 0, last = 0;
    char scale[3] = {}, q0[3] = {}, q1[3] = {};
    if (std::sscanf(line.c_str(), "%d %d %d %2s %2s %2s", &c, &v, &last, scale, q0, q1) != 6) continue;
    ++cycles;
    const bool want = (c >= 6 && c <= 9) || (c >= 11 && c <= 14);
    EXPECT_EQ(v, want ? 1 : 0) << "valid_out in cycle " << c;
    EXPECT_EQ(last, c == 9 || c == 14 ? 1 : 0) << "last_out in cycle " << c;
    if (want) {
      EXPECT_EQ(std::string(scale) + q0 + q1, "7870fc") << "cycle " << c;
    }
  }
  EXPECT_EQ(cycles, 20) << out;
}

// The lanes harness compares every valid_out beat: a model one LFSR seed off must be caught.
TEST(MxQuantLanes, CosimMatchesAndNoticesAnotherSeed) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  ::setenv("NUMFORGE_CACHE", NF_BINARY_DIR "/vcache", 0);
  const std::vector<std::string> base = {"--a", "bf16", "--out", "e2m1", "--block", "8", "--round", "sr", "--sr-bits",
                                         "8", "--sr-source", "lfsr", "--lanes", "4", "--sr-seed"};
  auto with = [&](const char* seed) {
    std::vector<std::string> a = base;
    a.push_back(seed);
    return buildUnit("mxquant", a);
  };
  verif::CosimOptions opt = test::quickCosimOptions();
  opt.count = 30001;  // not a multiple of the 2 beats per block: the harness rounds up
  opt.seed = 3;
  const auto unit = with("5");
  EXPECT_EQ(unit->streamGroup(), 2);
  const verif::CosimReport good = verif::runCosim(*unit, opt);
  EXPECT_EQ(good.mismatches, 0u) << good.firstMismatch;
  EXPECT_EQ(good.vectors % 2, 0u);
  EXPECT_GE(good.vectors, opt.count);
  test::RtlWithOtherModel wrong(with("5"), with("6"));
  EXPECT_GT(verif::runCosim(wrong, opt).mismatches, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Mx, MxQuantCosim,
    ::testing::Values(std::vector<std::string>{"--a", "fp16", "--out", "int8", "--block", "8", "--round", "rtz"},
                      std::vector<std::string>{"--a", "bf16", "--out", "e5m2", "--block", "8", "--scale-rule", "rceil",
                                               "--round", "rna"},
                      std::vector<std::string>{"--a", "fp16", "--out", "e2m3", "--block", "5", "--round", "rod"},
                      // torchao's ceil and even rules (bf16's short significand hits even's threshold often).
                      std::vector<std::string>{"--a", "bf16", "--out", "e4m3", "--block", "8", "--scale-rule", "ceil"},
                      std::vector<std::string>{"--a", "bf16", "--out", "e2m1", "--block", "8", "--scale-rule", "even",
                                               "--round", "rna"},
                      std::vector<std::string>{"--a", "fp16", "--out", "int8", "--block", "8", "--scale-rule", "even",
                                               "--lanes", "4"},
                      std::vector<std::string>{"--a", "fp32", "--out", "e3m2", "--block", "4", "--scale-rule", "rceil",
                                               "--round", "rdn"},
                      std::vector<std::string>{"--a", "bf16", "--out", "int8", "--block", "3", "--scale-rule", "rceil",
                                               "--round", "rup"},
                      // Stochastic rounding: random bits from the port (R = 5 straddles words) and from an LFSR bank.
                      std::vector<std::string>{"--a", "fp32", "--out", "e3m2", "--block", "8", "--round", "sr",
                                               "--sr-bits", "5"},
                      std::vector<std::string>{"--a", "fp16", "--out", "e2m1", "--block", "8", "--scale-rule", "rceil",
                                               "--round", "sr", "--sr-source", "lfsr", "--sr-seed", "31"},
                      // Lanes: a block over K/L beats (rceil; int with the buffer's sticky bit; L of 1 and K/L of 3).
                      std::vector<std::string>{"--a", "bf16", "--out", "int8", "--block", "8", "--scale-rule", "rceil",
                                               "--round", "rtz", "--lanes", "2"},
                      std::vector<std::string>{"--a", "fp32", "--out", "e2m3", "--block", "3", "--round", "rod",
                                               "--lanes", "1"},
                      std::vector<std::string>{"--a", "fp16", "--out", "e4m3", "--block", "12", "--round", "sr",
                                               "--sr-bits", "6", "--lanes", "4"}),
    [](const auto& info) { return test::argsName(info.param); });

}  // namespace
}  // namespace nf
