// The shared rounding core (refmodels/rounding.h: roundPack, roundToInt, roundFromDouble) on its own:
//   * roundPack against a from-the-definition restatement written here: each format's finite values are
//     enumerated from its encoding rules (written out below, not taken from nf::Format), values are exact
//     128-bit integers, and a value rounds to the grid neighbour its mode picks (ties, round-to-odd, overflow
//     by the IEEE 754 per-mode rule, tininess after rounding). Inputs: every midpoint and its two neighbours
//     (ties, the subnormal boundary, the overflow boundary), with and without a sticky bit, both signs;
//   * roundToInt, full and symmetric clamp and as fixed point, against integer rounding from the definition;
//   * roundFromDouble against the MPFR oracle (moved here from test_fmul_model.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "model_sweep.h"
#include "oracles/mpfr_oracle.h"
#include "refmodels/rounding.h"

namespace {

using nf::Rounding;
using i128 = __int128;
using u128 = unsigned __int128;

// Values are integers in units of 2^-kUnit: every format below has its smallest subnormal above 2^-40.
constexpr int kUnit = 80;

// A small float format from its encoding rules: sign, E exponent bits, M fraction bits, bias 2^(E-1)-1, field 0
// subnormal; `top` says what the all-ones exponent field holds.
enum class Top { IeeeSpecials, NanAtAllOnes, Finite };  // fp16/e5m2 | e4m3 (OCP fn) | e2m1, e3m2 (OCP fp6/fp4)
struct RefFormat {
  std::string name;
  int E, M;
  Top top;
};
const RefFormat kRefFormats[] = {
    {"fp16", 5, 10, Top::IeeeSpecials}, {"e5m2", 5, 2, Top::IeeeSpecials}, {"e4m3", 4, 3, Top::NanAtAllOnes},
    {"e3m2", 3, 2, Top::Finite},        {"e2m1", 2, 1, Top::Finite},
};

struct GridPoint {
  i128 value;     // magnitude in units
  uint32_t code;  // positive encoding
  bool odd;       // last significand bit set
};

// Every finite non-negative value, ascending, plus the value one ulp above the largest (the first value an
// unbounded exponent range would have next), flagged by `beyond`.
struct Grid {
  std::vector<GridPoint> pts;
  i128 beyond = 0;
  bool beyondOdd = false;
  i128 minNormal = 0;
  int lsbExpMinNormal = 0;  // exponent of the last place in the lowest normal binade
  uint32_t signBit = 0, infCode = 0, nanCode = 0;
  bool hasInf = false, hasNan = false;
};

Grid buildGrid(const RefFormat& f) {
  Grid g;
  const int bias = (1 << (f.E - 1)) - 1, fieldMax = (1 << f.E) - 1;
  g.signBit = 1u << (f.E + f.M);
  for (uint32_t field = 0; field <= uint32_t(fieldMax); ++field)
    for (uint32_t man = 0; man < (1u << f.M); ++man) {
      const uint32_t code = (field << f.M) | man;
      if (field == uint32_t(fieldMax) && f.top == Top::IeeeSpecials) continue;
      if (field == uint32_t(fieldMax) && f.top == Top::NanAtAllOnes && man == (1u << f.M) - 1u) continue;
      const int lsbExp = (field == 0 ? 1 : int(field)) - bias - f.M;
      const uint64_t sig = field == 0 ? man : (man | (1u << f.M));
      g.pts.push_back({i128(sig) << (kUnit + lsbExp), code, (sig & 1u) != 0});
    }
  const GridPoint& top = g.pts.back();
  const int topField = int(top.code >> f.M);
  const i128 ulpTop = i128(1) << (kUnit + topField - bias - f.M);
  g.beyond = top.value + ulpTop;
  g.beyondOdd = ((g.beyond / ulpTop) & 1) != 0;
  g.lsbExpMinNormal = 1 - bias - f.M;
  g.minNormal = i128(1) << (kUnit + 1 - bias);
  g.hasInf = f.top == Top::IeeeSpecials;
  g.infCode = uint32_t(fieldMax) << f.M;
  g.hasNan = f.top != Top::Finite;
  g.nanCode = f.top == Top::IeeeSpecials ? (uint32_t(fieldMax) << f.M) | (1u << (f.M - 1)) : (1u << (f.E + f.M)) - 1u;
  return g;
}

// Between neighbours lo < a < hi (parities loOdd, hiOdd): does `mode` pick hi?
bool picksHigh(Rounding mode, bool negative, i128 a, i128 lo, i128 hi, bool loOdd, bool hiOdd) {
  const i128 below = a - lo, above = hi - a;
  switch (mode) {
    case Rounding::RNE: return above < below || (above == below && !hiOdd);  // a tie goes to the even one
    case Rounding::RNA: return above <= below;
    case Rounding::RTZ: return false;
    case Rounding::RUP: return !negative;
    case Rounding::RDN: return negative;
    case Rounding::ROD: return hiOdd;
    case Rounding::SR: break;
  }
  return false;
}

// roundPack's contract restated: the result encoding and flags of rounding (-1)^negative * a (a >= 0 in units,
// `sticky`: plus a positive amount below every grid step) to the format, with `saturate`.
nf::Packed referenceRound(const Grid& g, bool negative, i128 a, bool sticky, Rounding mode, bool saturate) {
  const uint32_t s = negative ? g.signBit : 0u;
  const GridPoint& maxPt = g.pts.back();
  auto overflow = [&]() -> nf::Packed {
    const uint8_t fl = nf::kFlagOverflow | nf::kFlagInexact;
    const bool toInf = mode == Rounding::RNE || mode == Rounding::RNA || (mode == Rounding::RUP && !negative) ||
                       (mode == Rounding::RDN && negative);
    if (saturate || !toInf || (!g.hasInf && !g.hasNan)) return {s | maxPt.code, fl};
    return {g.hasInf ? s | g.infCode : g.nanCode, fl};
  };
  if (a >= g.beyond) return overflow();  // rounds, whatever the mode, to at least the first value past max
  // Neighbours on the grid extended by `beyond`.
  const auto it = std::lower_bound(g.pts.begin(), g.pts.end(), a, [](const GridPoint& p, i128 v) { return p.value < v; });
  const bool exact = !sticky && it != g.pts.end() && it->value == a;
  if (exact) return {a == 0 ? s : (s | it->code), 0};
  // sticky with a on the grid: a itself is lo and the next point hi.
  const auto loIt = (it != g.pts.end() && it->value == a) ? it : std::prev(it);
  const auto hiIt = std::next(loIt);
  const i128 hiVal = hiIt == g.pts.end() ? g.beyond : hiIt->value;
  const bool hiOdd = hiIt == g.pts.end() ? g.beyondOdd : hiIt->odd;
  // A sticky bit puts the value strictly inside (lo, hi): move it a quarter of the smallest step, which keeps
  // its side of every midpoint (steps and a are multiples of 4 units here).
  const i128 av = sticky ? 4 * a + 1 : 4 * a;
  const bool up = picksHigh(mode, negative, av, 4 * loIt->value, 4 * hiVal, loIt->odd, hiOdd);
  if (up && hiIt == g.pts.end()) return overflow();
  const GridPoint& r = up ? *hiIt : *loIt;
  uint8_t flags = nf::kFlagInexact;
  // Tininess after rounding: round at full precision with an unbounded exponent range, compare with 2^emin.
  if (a < g.minNormal) {
    const i128 q = i128(1) << (kUnit + g.lsbExpMinNormal - 1);  // last place of the binade just below 2^emin
    bool tiny = true;  // below 2^emin and exact at full precision, or rounding there stays below it
    if (av > 4 * (g.minNormal - q)) tiny = !picksHigh(mode, negative, av, 4 * (g.minNormal - q), 4 * g.minNormal, true, false);
    if (tiny) flags |= nf::kFlagUnderflow;
  }
  return {r.value == 0 ? s : (s | r.code), flags};
}

constexpr Rounding kModes[] = {Rounding::RNE, Rounding::RTZ, Rounding::RDN, Rounding::RUP, Rounding::RNA, Rounding::ROD};

// Every midpoint of the grid (and past its top) with its neighbours one unit either side: ties, and the
// boundaries where subnormals begin and overflow starts.
std::vector<i128> probeValues(const Grid& g) {
  std::vector<i128> v;
  for (size_t i = 0; i < g.pts.size(); ++i) {
    const i128 lo = g.pts[i].value, hi = i + 1 < g.pts.size() ? g.pts[i + 1].value : g.beyond;
    const i128 mid = (lo + hi) / 2;
    for (i128 x : {lo, mid - 4, mid, mid + 4}) v.push_back(x);
  }
  for (i128 x : {g.beyond - 4, g.beyond, g.beyond + 4, 2 * g.beyond}) v.push_back(x);
  return v;
}

std::string show(const nf::Packed& p) { return fmt::format("0x{:x} {}", p.bits, nf::flagsToString(p.flags)); }

TEST(RoundPack, EveryModeAgainstTheDefinition) {
  for (const RefFormat& rf : kRefFormats) {
    const nf::Format out = nf::parseFormat(rf.name);
    const Grid g = buildGrid(rf);
    const std::vector<i128> probes = probeValues(g);
    long n = 0, bad = 0;
    for (Rounding mode : kModes)
      for (bool saturate : {false, true})
        for (bool negative : {false, true})
          for (bool sticky : {false, true})
            for (i128 a : probes) {
              if (a == 0 && !sticky) continue;
              // The value as sig * 2^exp with exp = 2 - kUnit (every probe is a multiple of 4 units).
              const u128 sig = u128(a / 4);
              ++n;
              const nf::Packed got = nf::roundPack<u128>(negative, 2 - kUnit, sig, sticky, out, {mode, saturate, false});
              const nf::Packed want = referenceRound(g, negative, a, sticky, mode, saturate);
              if (got != want && bad++ < 6)
                ADD_FAILURE() << fmt::format("{} {}{} {}value {}{:.6g} units 2^-{}: want {}, got {}", rf.name,
                                             nf::roundingName(mode), saturate ? " sat" : "", sticky ? "sticky " : "",
                                             negative ? "-" : "", double(a), kUnit, show(want), show(got));
            }
    EXPECT_EQ(bad, 0) << rf.name << ": " << bad << " of " << n;
    EXPECT_GT(n, 1000) << rf.name;
  }
}

// Hand-worked anchors, so the restatement above is itself pinned down: e4m3 (max 448, ulp 32 at the top,
// 480 would be next; min normal 2^-6, min subnormal 2^-9).
TEST(RoundPack, HandWorkedE4m3) {
  const nf::Format e4m3 = nf::parseFormat("e4m3");
  auto rp = [&](double v, Rounding m, bool sticky = false, bool sat = false) {
    int e = 0;
    const double f = std::frexp(std::fabs(v), &e);
    return nf::roundPack<uint64_t>(v < 0, e - 40, uint64_t(std::ldexp(f, 40)), sticky, e4m3, {m, sat, false});
  };
  EXPECT_EQ(rp(464, Rounding::RNE), (nf::Packed{0x7e, nf::kFlagInexact}));  // tie 448|480: 448 (even)
  EXPECT_EQ(rp(464, Rounding::RNE, true), (nf::Packed{0x7f, nf::kFlagOverflow | nf::kFlagInexact}));  // NaN
  EXPECT_EQ(rp(464, Rounding::RNA), (nf::Packed{0x7f, nf::kFlagOverflow | nf::kFlagInexact}));
  EXPECT_EQ(rp(464, Rounding::RNA, false, true), (nf::Packed{0x7e, nf::kFlagOverflow | nf::kFlagInexact}));
  EXPECT_EQ(rp(500, Rounding::RTZ), (nf::Packed{0x7e, nf::kFlagOverflow | nf::kFlagInexact}));
  EXPECT_EQ(rp(-470, Rounding::RUP), (nf::Packed{0xfe, nf::kFlagInexact}));  // toward +inf: -448
  EXPECT_EQ(rp(17, Rounding::RNE), (nf::Packed{0x58, nf::kFlagInexact}));    // tie 16|18: 16 (2^4: field 11)
  EXPECT_EQ(rp(19, Rounding::RNE), (nf::Packed{0x5a, nf::kFlagInexact}));    // tie 18|20: 20 (1.010b)
  EXPECT_EQ(rp(17, Rounding::ROD), (nf::Packed{0x59, nf::kFlagInexact}));    // odd: 18 (1.001b)
  EXPECT_EQ(rp(std::ldexp(1.0, -10), Rounding::RNE),                          // half the min subnormal: 0
            (nf::Packed{0x00, nf::kFlagUnderflow | nf::kFlagInexact}));
  EXPECT_EQ(rp(std::ldexp(1.0, -10), Rounding::RNE, true), (nf::Packed{0x01, nf::kFlagUnderflow | nf::kFlagInexact}));
  // Just below 2^-6 by less than half a subnormal step rounds up to min normal: not tiny after rounding.
  EXPECT_EQ(rp(std::ldexp(1.0, -6) - std::ldexp(1.0, -11), Rounding::RNE), (nf::Packed{0x08, nf::kFlagInexact}));
}

// roundToInt from the definition: the integer neighbours of x = sig * 2^exp, picked per mode, then clamped.
struct IntCase {
  const char* format;
  nf::IntRange range;
  int64_t lo, hi;  // the clamp range
};

TEST(RoundToInt, FullAndSymmetricClampAgainstTheDefinition) {
  const IntCase cases[] = {{"int8", nf::IntRange::Full, -128, 127},
                           {"int8", nf::IntRange::Symmetric, -127, 127},
                           {"int4", nf::IntRange::Symmetric, -7, 7},
                           {"uint8", nf::IntRange::Full, 0, 255}};
  long bad = 0;
  for (const IntCase& c : cases) {
    const nf::Format f = nf::parseFormat(c.format);
    // x = k / 8 for k in [-2200, 2200]: |x| up to 275, past every clamp, with every fraction of an eighth.
    for (int k = -2200; k <= 2200; ++k) {
      if (k == 0) continue;
      const bool neg = k < 0;
      const uint64_t mag = uint64_t(neg ? -k : k);
      for (Rounding mode : kModes) {
        // Neighbours floor and floor+1 of |x| = mag / 8.
        const int64_t fl = int64_t(mag / 8);
        const uint64_t rem = mag % 8;
        int64_t r = fl;
        if (rem != 0) {
          r = fl + (picksHigh(mode, neg, i128(mag), i128(fl) * 8, i128(fl + 1) * 8, fl % 2 != 0, fl % 2 == 0) ? 1 : 0);
        }
        const int64_t sv = neg ? -r : r;
        nf::Packed want;
        if (sv > c.hi || sv < c.lo) {
          want = {uint32_t(sv > c.hi ? c.hi : c.lo) & f.mask(), nf::kFlagInvalid};
        } else {
          want = {uint32_t(sv) & f.mask(), uint8_t(rem != 0 ? nf::kFlagInexact : 0)};
        }
        const nf::Packed got = nf::roundToInt<uint64_t>(neg, -3, mag, f, {mode, false, false}, 0, c.range);
        if (got != want && bad++ < 8)
          ADD_FAILURE() << fmt::format("{} {} {} x = {}/8: want {}, got {}", c.format,
                                       c.range == nf::IntRange::Symmetric ? "symmetric" : "full", nf::roundingName(mode),
                                       k, show(want), show(got));
      }
    }
  }
  EXPECT_EQ(bad, 0);
}

// Fixed point: OCP MX int8 elements are 1.6 fixed point, q = round(x * 2^6), |q| <= 127.
TEST(RoundToInt, SymmetricFixedPointHandWorked) {
  const nf::Format int8 = nf::parseFormat("int8");
  auto q = [&](double x, Rounding m) {
    int e = 0;
    const double f = std::frexp(std::fabs(x), &e);
    return nf::roundToInt<uint64_t>(x < 0, e - 30 + 6, uint64_t(std::ldexp(f, 30)), int8, {m, false, false}, 0,
                                    nf::IntRange::Symmetric).bits;
  };
  EXPECT_EQ(q(1.5, Rounding::RNE), 96u);                // 1.5 * 64
  EXPECT_EQ(q(-1.5, Rounding::RNE), uint32_t(-96) & 0xffu);
  EXPECT_EQ(q(1.9921875, Rounding::RNE), 127u);         // 127.5 -> 128 -> clamped 127
  EXPECT_EQ(q(-1.9921875, Rounding::RNE), 0x81u);       // -127, never -128
  EXPECT_EQ(q(-3.0, Rounding::RTZ), 0x81u);
  EXPECT_EQ(q(0.5 / 64, Rounding::RNE), 0u);            // tie 0|1: 0
  EXPECT_EQ(q(1.5 / 64, Rounding::RNE), 2u);            // tie 1|2: 2
  EXPECT_EQ(q(1.5 / 64, Rounding::RNA), 2u);
  EXPECT_EQ(q(0.5 / 64, Rounding::RNA), 1u);
}

using nf::test::Variant;

// The shared rounding core through its other entry point, nf::roundFromDouble (used by stimulus generators):
// random finite doubles around each output's range, every mode, plain / saturate / ftz.
TEST(RoundFromDouble, PresetsVsMpfr) {
  std::mt19937_64 rng(777);
  long bad = 0, n = 0;
  mpfr_t x;
  mpfr_init2(x, 53);
  for (const std::string& name : nf::test::kFloatPresets) {
    const nf::Format out = nf::parseFormat(name);
    const nfo::Spec s = nfo::specOf(out);
    for (int i = 0; i < 20000; ++i) {
      const int e = s.emin - s.M - 4 + int(rng() % unsigned(s.emaxFinite - s.emin + s.M + 8));
      uint64_t sig = (rng() >> 11) | (uint64_t(1) << 52);
      if (rng() & 1) sig &= ~((uint64_t(1) << (rng() % 52)) - 1u);  // short significands: exact values, ties
      const double d = std::ldexp(double(sig), e - 52) * ((rng() & 1) ? -1.0 : 1.0);
      mpfr_set_d(x, d, MPFR_RNDN);
      for (Rounding m : nf::test::kDirectedModes)
        for (const Variant v : {Variant{}, Variant{true, false, false}, Variant{false, true, false}}) {
          ++n;
          const nf::Packed got = nf::roundFromDouble(d, out, {m, v.saturate, v.ftz});
          const nfo::OResult want = nfo::roundValue(x, out, {m, v.saturate, v.ftz});
          if ((got.bits != want.bits || got.flags != want.flags) && bad++ < 8)
            ADD_FAILURE() << fmt::format("roundFromDouble({:a} = {:.17g}) -> {} {} [{}]\n    expected {} {}\n    got      {} {}",
                                         d, d, name, nfo::modeName(m), v.name(), nfo::showBits(out, want.bits),
                                         nfo::flagsString(want.flags), nfo::showBits(out, got.bits),
                                         nfo::flagsString(got.flags));
        }
    }
  }
  mpfr_clear(x);
  EXPECT_EQ(bad, 0) << "of " << n;
}

}  // namespace
