// IEEE P3109 binaryKpP formats (interim report v4.0) against the report's definitions restated here:
// the encoding (decoded from K, P, signedness and domain alone), the projection Saturate(Round(x)) with its
// three saturation modes, the arithmetic rules (single NaN, no -0), the stochastic variants A/B/C; rounding
// itself by the MPFR oracle on a carrier format with the same precision and emin and a far larger emax, so
// the overflow rules are this file's, not the model's. Then exhaustive co-simulation of the 8-bit units.
#include <gtest/gtest.h>
#include <mpfr.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <tuple>
#include <random>

#include <algorithm>
#include <cstring>
#include <functional>

#include "refmodels/facc.h"
#include "refmodels/fadd.h"
#include "refmodels/fcvt.h"
#include "refmodels/fdot.h"
#include "refmodels/fma.h"
#include "generators/unit.h"
#include "refmodels/fmul.h"
#include "refmodels/kulisch.h"
#include "refmodels/mxquant.h"
#include "tests/catalog.h"
#include "tests/other_model.h"
#include "tests/oracles/mpfr_oracle.h"
#include "tests/quick_cosim.h"
#include "verif/cosim.h"

namespace nf {
namespace {

enum class Sat { Finite, Propagate, None };
enum class Cls { Finite, Inf, NaN };

// A P3109 format from its four parameters, with every fact derived from the definition (clause 3).
struct Def {
  int K, P;
  bool isSigned, extended;
  int T() const { return P - 1; }                                    // trailing significand bits
  int W() const { return K - P + (isSigned ? 0 : 1); }               // exponent bits
  int bias() const { return 1 << (W() - 1); }                        // 2^(K-P-1) signed, 2^(K-P) unsigned
  uint32_t nan() const { return isSigned ? 1u << (K - 1) : (1u << K) - 1u; }
  // The value of code c, or its class.
  Cls decode(uint32_t c, double& v) const {
    if (c == nan()) return Cls::NaN;
    const uint32_t magBits = isSigned ? K - 1 : K;
    const bool neg = isSigned && (c >> (K - 1));
    const uint32_t mag = c & ((1u << magBits) - 1u);
    const uint32_t infMag = isSigned ? (1u << (K - 1)) - 1u : (1u << K) - 2u;
    if (extended && mag == infMag) {
      v = neg ? -HUGE_VAL : HUGE_VAL;
      return Cls::Inf;
    }
    const uint32_t field = mag >> T(), t = mag & ((1u << T()) - 1u);
    v = field == 0 ? std::ldexp(double(t), 1 - bias() - T()) : std::ldexp(double((1u << T()) + t), int(field) - bias() - T());
    if (neg) v = -v;
    return Cls::Finite;
  }
  double maxFinite() const {
    double m = 0, v = 0;
    for (uint32_t c = 0; c < (1u << K); ++c)
      if (decode(c, v) == Cls::Finite) m = std::max(m, v);
    return m;
  }
  // The code of every finite value (0 for zero: there is no -0).
  std::map<double, uint32_t> codes() const {
    std::map<double, uint32_t> m;
    double v = 0;
    for (uint32_t c = 0; c < (1u << K); ++c)
      if (decode(c, v) == Cls::Finite && (v != 0 || c == 0)) m[v] = c;
    return m;
  }
  uint32_t infCode(bool neg) const { return isSigned ? (neg ? (1u << K) - 1u : (1u << (K - 1)) - 1u) : (1u << K) - 2u; }
};

// The formats the issue names plus the ends of the binary8 family.
const std::vector<std::pair<std::string, Def>>& testFormats() {
  static const std::vector<std::pair<std::string, Def>> v = {
      {"binary8p3se", {8, 3, true, true}}, {"binary8p4se", {8, 4, true, true}}, {"binary8p4sf", {8, 4, true, false}},
      {"binary8p5se", {8, 5, true, true}}, {"binary8p4ue", {8, 4, false, true}}, {"binary8p3uf", {8, 3, false, false}},
      {"binary8p1se", {8, 1, true, true}}, {"binary8p7sf", {8, 7, true, false}}};
  return v;
}

Def defNamed(const std::string& name) {
  for (const auto& [n, d] : testFormats())
    if (n == name) return d;
  ADD_FAILURE() << "no definition for " << name;
  return Def{8, 3, true, true};
}

// A format with the same precision and emin whose range no 8-bit operation leaves: MPFR rounds onto it.
Format carrierOf(const Def& d) {
  Format c;
  c.name = "carrier";
  c.expBits = d.W() + 3;
  c.manBits = d.T();
  c.bias = d.bias();
  c.nonFinite = NonFinite::Finite;
  return c;
}

bool towardSide(Rounding m, bool neg) {
  return m == Rounding::RTZ || (m == Rounding::RDN && !neg) || (m == Rounding::RUP && neg);
}

// Saturate(rounded) (clause 4.7): `rounded` the value at precision P with an unbounded exponent range.
uint32_t saturate(const Def& d, Cls cls, double rounded, bool neg, Rounding mode, Sat sat) {
  if (cls == Cls::NaN) return d.nan();
  const bool zero = cls == Cls::Finite && rounded == 0;
  if (!d.isSigned && neg && !zero)  // v4.0: negative into unsigned is NaN, 0 toward zero and +Inf
    return mode == Rounding::RTZ || mode == Rounding::RUP ? 0u : d.nan();
  // The definition's tables, built once per format.
  struct Tables {
    double maxF;
    std::map<double, uint32_t> codes;
  };
  static std::map<std::tuple<int, int, bool, bool>, Tables> cache;
  const auto key = std::make_tuple(d.K, d.P, d.isSigned, d.extended);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, Tables{d.maxFinite(), d.codes()}).first;
  const double maxF = it->second.maxF;
  const std::map<double, uint32_t>& codes = it->second.codes;
  auto maxCode = [&] { return codes.at(neg ? -maxF : maxF); };
  if (cls == Cls::Inf) return sat == Sat::Finite ? maxCode() : d.extended ? d.infCode(neg) : d.nan();
  if (std::fabs(rounded) > maxF) {
    if (sat != Sat::None || towardSide(mode, neg)) return maxCode();
    if (mode == Rounding::ROD && d.extended && !d.isSigned) return maxCode();  // the odd code of the two
    return d.extended ? d.infCode(neg) : d.nan();
  }
  if (zero) return 0;
  return codes.at(rounded);
}

// Project(x) for an exact finite MPFR value (deterministic modes).
uint32_t project(const Def& d, mpfr_srcptr x, Rounding mode, Sat sat) {
  if (mpfr_zero_p(x)) return 0;
  const Format c = carrierOf(d);
  nfo::OOptions o;
  o.mode = mode;
  const nfo::OResult r = nfo::roundValue(x, c, o);
  return saturate(d, Cls::Finite, nfo::toDoubleSpec(c, r.bits), mpfr_signbit(x) != 0, mode, sat);
}

// Stochastic rounding from the definition (report v4.0.3 clause 4.7.4): eta the fraction of |x| below its last
// place (exponent max(E, emin) - T), R the N random bits; the signed result at precision T + 1 with an unbounded
// exponent range, before saturation.
double stochasticValue(mpfr_srcptr x, int emin, int T, SrVariant v, int N, uint32_t R) {
  mpfr_t a, k, eta, t;
  mpfr_inits2(400, a, k, eta, t, (mpfr_ptr)0);
  mpfr_abs(a, x, MPFR_RNDN);
  const long E = std::max(long(mpfr_get_exp(a)) - 1, long(emin));
  const long L = E - T;  // exponent of the last place
  mpfr_mul_2si(a, a, -L, MPFR_RNDN);
  mpfr_floor(k, a);
  mpfr_sub(eta, a, k, MPFR_RNDN);
  bool up = false;
  const double twoN = std::ldexp(1.0, N);
  if (v == SrVariant::A) {
    mpfr_mul_2si(t, eta, N, MPFR_RNDN);
    mpfr_floor(t, t);
    up = mpfr_get_d(t, MPFR_RNDN) + R >= twoN;
  } else if (v == SrVariant::B) {
    mpfr_mul_2si(t, eta, N + 1, MPFR_RNDN);
    mpfr_floor(t, t);
    up = mpfr_get_d(t, MPFR_RNDN) + 2.0 * R + 1 >= 2 * twoN;
  } else {
    mpfr_mul_2si(t, eta, N, MPFR_RNDN);
    mpfr_rint(t, t, MPFR_RNDN);
    up = mpfr_get_d(t, MPFR_RNDN) + R >= twoN;
  }
  const double rounded = std::ldexp(mpfr_get_d(k, MPFR_RNDN) + (up ? 1 : 0), int(L)) * (mpfr_signbit(x) ? -1 : 1);
  mpfr_clears(a, k, eta, t, (mpfr_ptr)0);
  return rounded;
}

uint32_t projectStochastic(const Def& d, mpfr_srcptr x, SrVariant v, int N, uint32_t R, Sat sat) {
  if (mpfr_zero_p(x)) return 0;
  const double rounded = stochasticValue(x, 1 - d.bias(), d.T(), v, N, R);
  return saturate(d, Cls::Finite, rounded, mpfr_signbit(x) != 0, Rounding::SR, sat);
}

constexpr Rounding kModes[] = {Rounding::RNE, Rounding::RTZ, Rounding::RUP, Rounding::RDN, Rounding::RNA, Rounding::ROD};
constexpr Sat kSats[] = {Sat::Finite, Sat::Propagate, Sat::None};

RoundOptions optionsFor(Rounding m, Sat s) {
  RoundOptions o;
  o.mode = m;
  o.saturate = s == Sat::Finite;
  o.satPropagate = s == Sat::Propagate;
  return o;
}

const char* satName(Sat s) { return s == Sat::Finite ? "satfinite" : s == Sat::Propagate ? "satpropagate" : "satnone"; }

// ---------------------------------------------------------------------------------------------------------
TEST(P3109Format, EveryCodeDecodesAsDefined) {
  for (const auto& [name, d] : testFormats()) {
    SCOPED_TRACE(name);
    const Format f = parseFormat(name);
    EXPECT_EQ(f.name, name);
    EXPECT_EQ(f.width(), d.K);
    EXPECT_EQ(f.precision(), d.P);
    EXPECT_FALSE(f.hasNegZero());
    EXPECT_EQ(f.hasInf(), d.extended);
    EXPECT_EQ(f.canonicalNaN(), d.nan());
    EXPECT_EQ(f.toDouble(f.maxFiniteMag()), d.maxFinite());
    for (uint32_t c = 0; c < (1u << d.K); ++c) {
      double v = 0;
      const Cls cls = d.decode(c, v);
      const FpClass got = f.classify(c);
      if (cls == Cls::NaN) {
        EXPECT_EQ(got, FpClass::NaN) << c;
      } else if (cls == Cls::Inf) {
        EXPECT_EQ(got, FpClass::Inf) << c;
        EXPECT_EQ(f.toDouble(c), v) << c;
      } else {
        EXPECT_TRUE(got != FpClass::NaN && got != FpClass::Inf) << c;
        EXPECT_EQ(f.toDouble(c), v) << c;
      }
    }
  }
  // The report's tables: binary8p3se max 49152, binary8p4se 224, binary8p4sf 240, binary8p5se 15, p1 2^62.
  EXPECT_EQ(parseFormat("binary8p3se").toDouble(0x7E), 49152.0);
  EXPECT_EQ(parseFormat("binary8p4se").toDouble(0x7E), 224.0);
  EXPECT_EQ(parseFormat("binary8p4sf").toDouble(0x7F), 240.0);
  EXPECT_EQ(parseFormat("binary8p5se").toDouble(0x7E), 15.0);
  EXPECT_EQ(parseFormat("binary8p1se").toDouble(0x7E), std::ldexp(1.0, 62));
  EXPECT_EQ(parseFormat("binary8p3se").toDouble(0x01), std::ldexp(1.0, -17));
  EXPECT_TRUE(std::isinf(parseFormat("binary8p3se").toDouble(0xFF)));
}

TEST(P3109Format, SpellingsAndErrors) {
  EXPECT_EQ(parseFormat("p3109:8,3").name, "binary8p3se");
  EXPECT_EQ(parseFormat("p3109:8,4,s,f").name, "binary8p4sf");
  EXPECT_EQ(parseFormat("P3109:8,4,u").name, "binary8p4ue");
  EXPECT_EQ(parseFormat("p3109:6,2,f,u").name, "binary6p2uf");
  EXPECT_EQ(parseFormat("Binary8P5SE").name, "binary8p5se");
  EXPECT_EQ(p3109Presets().size(), 30u);
  for (const char* bad : {"p3109:8,8", "p3109:8,0", "p3109:8", "p3109:8,3,x", "p3109:8,3,s,u", "binary8p8se",
                          "binary8p3se,nosub", "p3109:40,3"}) {
    try {
      parseFormat(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

// fcvt from fp16 (every input) and bf16 / fp32 (samples), every mode and saturation, to every test format.
TEST(P3109Fcvt, NarrowingMatchesProjection) {
  mpfr_t x;
  mpfr_init2(x, 64);
  std::mt19937 rng(3109);
  for (const auto& [name, d] : testFormats()) {
    for (const char* from : {"fp16", "bf16", "fp32"}) {
      FcvtSpec spec;
      spec.a = parseFormat(from);
      spec.out = parseFormat(name);
      std::vector<uint32_t> inputs;
      if (spec.a.width() == 16) {
        for (uint32_t a = 0; a < 65536; a += (std::string(from) == "bf16" ? 5 : 1)) inputs.push_back(a);
      } else {
        for (int i = 0; i < 5000; ++i) inputs.push_back(uint32_t(rng()));
      }
      for (Rounding m : kModes)
        for (Sat s : kSats) {
          spec.round = optionsFor(m, s);
          int bad = 0;
          for (uint32_t a : inputs) {
            const double v = spec.a.toDouble(a);
            uint32_t want = 0;
            if (std::isnan(v)) want = d.nan();
            else if (std::isinf(v)) want = saturate(d, Cls::Inf, v, v < 0, m, s);
            else {
              mpfr_set_d(x, v, MPFR_RNDN);
              want = project(d, x, m, s);
            }
            const uint32_t got = fcvtModel(spec, a, m).bits;
            if (got != want && ++bad <= 3)
              ADD_FAILURE() << from << " 0x" << std::hex << a << " -> " << name << " " << roundingName(m) << " "
                            << satName(s) << ": model 0x" << got << ", definition 0x" << want;
          }
        }
    }
  }
  mpfr_clear(x);
}

// Widening from P3109 to fp32 / bf16 / fp16: every code, every mode (fp16 and bf16 round p1 and p7).
TEST(P3109Fcvt, WideningMatchesOracle) {
  mpfr_t x;
  mpfr_init2(x, 64);
  for (const auto& [name, d] : testFormats())
    for (const char* to : {"fp32", "bf16", "fp16"})
      for (Rounding m : kModes) {
        FcvtSpec spec;
        spec.a = parseFormat(name);
        spec.out = parseFormat(to);
        spec.round.mode = m;
        nfo::OOptions o;
        o.mode = m;
        for (uint32_t c = 0; c < (1u << d.K); ++c) {
          double v = 0;
          const Cls cls = d.decode(c, v);
          nfo::OResult want;
          if (cls == Cls::NaN) want = nfo::nanResult(spec.out, 0);
          else if (cls == Cls::Inf) want = nfo::infResult(v < 0, spec.out, o);
          else if (v == 0) want = nfo::zeroResult(false, spec.out);
          else {
            mpfr_set_d(x, v, MPFR_RNDN);
            want = nfo::roundValue(x, spec.out, o);
          }
          const Packed got = fcvtModel(spec, c, m);
          EXPECT_EQ(got.bits, want.bits) << name << " 0x" << std::hex << c << " -> " << to << " " << roundingName(m);
          EXPECT_EQ(got.flags, want.flags) << name << " 0x" << std::hex << c << " -> " << to << " " << roundingName(m);
        }
      }
  mpfr_clear(x);
}

// The three stochastic variants with N = 4 random bits, every fp16 input in [2^-20, 2^17) and every R.
TEST(P3109Fcvt, StochasticVariantsMatchDefinition) {
  mpfr_t x;
  mpfr_init2(x, 64);
  const int N = 4;
  for (const char* name : {"binary8p3se", "binary8p4ue", "binary8p4sf"}) {
    const Def d = defNamed(name);
    for (SrVariant v : {SrVariant::A, SrVariant::B, SrVariant::C})
      for (Sat s : kSats) {
        FcvtSpec spec;
        spec.a = parseFormat("fp16");
        spec.out = parseFormat(name);
        spec.round = optionsFor(Rounding::SR, s);
        spec.round.srBits = N;
        spec.round.srVariant = v;
        int bad = 0;
        for (uint32_t a = 0; a < 65536; a += 7) {
          const double val = spec.a.toDouble(a);
          if (!std::isfinite(val)) continue;
          mpfr_set_d(x, val, MPFR_RNDN);
          for (uint32_t R = 0; R < (1u << N); ++R) {
            const uint32_t want = !d.isSigned && val < 0 ? saturate(d, Cls::Finite, val, true, Rounding::SR, s)
                                                         : projectStochastic(d, x, v, N, R, s);
            // Negative into unsigned: NaN unless it rounds to zero, which the model decides with R too.
            if (!d.isSigned && val < 0) continue;
            const uint32_t got = fcvtModel(spec, a, Rounding::SR, R).bits;
            if (got != want && ++bad <= 3)
              ADD_FAILURE() << "fp16 0x" << std::hex << a << " -> " << name << " variant " << int(v) << " R " << R
                            << ": model 0x" << got << ", definition 0x" << want;
          }
        }
      }
  }
  mpfr_clear(x);
}

// fmul and fadd over every pair, fma over corners and seeded random triples: the exact result in MPFR, the
// P3109 rules for specials (NaN in: NaN; 0 x Inf and Inf - Inf: NaN; exact zero: +0), then Project.
struct ArithCase {
  const char* op;
  int arity;
};

uint32_t arithDefinition(const Def& d, const char* op, const uint32_t* in, Rounding m, Sat s, mpfr_ptr acc,
                         mpfr_ptr tmp) {
  double v[3] = {0, 0, 0};
  Cls c[3] = {Cls::Finite, Cls::Finite, Cls::Finite};
  const int n = std::string(op) == "fma" ? 3 : 2;
  for (int i = 0; i < n; ++i) {
    c[i] = d.decode(in[i], v[i]);
    if (c[i] == Cls::NaN) return d.nan();
  }
  const std::string o = op;
  if (o == "fadd") {
    if (c[0] == Cls::Inf && c[1] == Cls::Inf && (v[0] < 0) != (v[1] < 0)) return d.nan();
    if (c[0] == Cls::Inf || c[1] == Cls::Inf) return saturate(d, Cls::Inf, 0, (c[0] == Cls::Inf ? v[0] : v[1]) < 0, m, s);
    mpfr_set_d(acc, v[0], MPFR_RNDN);
    mpfr_set_d(tmp, v[1], MPFR_RNDN);
    mpfr_add(acc, acc, tmp, MPFR_RNDN);
  } else {
    const bool pInf = c[0] == Cls::Inf || c[1] == Cls::Inf, pZero = v[0] == 0 || v[1] == 0;
    if (pInf && pZero) return d.nan();
    const bool pNeg = (v[0] < 0) != (v[1] < 0);
    if (o == "fmul") {
      if (pInf) return saturate(d, Cls::Inf, 0, pNeg, m, s);
      mpfr_set_d(acc, v[0] * v[1], MPFR_RNDN);  // exact: at most 16 significant bits, exponents within +-130
    } else {
      if (pInf && c[2] == Cls::Inf && pNeg != (v[2] < 0)) return d.nan();
      if (pInf || c[2] == Cls::Inf) return saturate(d, Cls::Inf, 0, pInf ? pNeg : v[2] < 0, m, s);
      mpfr_set_d(acc, v[0] * v[1], MPFR_RNDN);
      mpfr_set_d(tmp, v[2], MPFR_RNDN);
      mpfr_add(acc, acc, tmp, MPFR_RNDN);
    }
  }
  return project(d, acc, m, s);
}

TEST(P3109Arith, ModelsMatchDefinition) {
  mpfr_t acc, tmp;
  mpfr_inits2(400, acc, tmp, (mpfr_ptr)0);
  std::mt19937 rng(17);
  for (const auto& [name, d] : testFormats()) {
    const Format f = parseFormat(name);
    for (Rounding m : kModes)
      for (Sat s : kSats) {
        FmulSpec sm;
        sm.a = sm.b = sm.out = f;
        FaddSpec sa;
        sa.a = sa.b = sa.out = f;
        FmaSpec sf;
        sf.a = sf.b = sf.c = sf.out = f;
        sm.round = sa.round = sf.round = optionsFor(m, s);
        int bad = 0;
        auto check = [&](const char* op, const uint32_t* in, uint32_t got) {
          const uint32_t want = arithDefinition(d, op, in, m, s, acc, tmp);
          if (got != want && ++bad <= 3)
            ADD_FAILURE() << op << " " << name << " " << roundingName(m) << " " << satName(s) << " 0x" << std::hex
                          << in[0] << " 0x" << in[1] << " 0x" << in[2] << ": model 0x" << got << ", definition 0x"
                          << want;
        };
        // Every pair for the five formats, a quarter of them for the others.
        const uint32_t step = name.find("p1") != std::string::npos || name.find("p7") != std::string::npos ||
                                      name.find("uf") != std::string::npos
                                  ? 8
                                  : 1;
        for (uint32_t a = 0; a < 256; ++a)
          for (uint32_t b = a % step; b < 256; b += step) {
            const uint32_t in[3] = {a, b, 0};
            check("fmul", in, fmulModel(sm, a, b, m).bits);
            check("fadd", in, faddModel(sa, a, b, m).bits);
          }
        for (int i = 0; i < 3000; ++i) {
          const uint32_t in[3] = {uint32_t(rng() & 0xFFu), uint32_t(rng() & 0xFFu), uint32_t(rng() & 0xFFu)};
          check("fma", in, fmaModel(sf, in[0], in[1], in[2], m).bits);
        }
      }
  }
  mpfr_clears(acc, tmp, (mpfr_ptr)0);
}

// The accumulators on P3109 formats, from the definition: facc rounds after every term (acc <- Project(acc + a),
// or Project(a * b + acc) with --mac; a clear starts from +0, the only zero), kulisch sums its terms exactly and
// projects the sum once (any NaN, 0 x Inf or Inf - Inf: NaN; an infinity: Saturate's; an exact zero: +0). Each
// runs seeded streams with clears for every rounding mode and saturation mode.
struct ExactTerms {
  bool nan = false, posInf = false, negInf = false;
  void add(const Def& d, uint32_t a, const uint32_t* b, mpfr_ptr sum, mpfr_ptr tmp) {
    double va = 0, vb = 1;
    const Cls ca = d.decode(a, va);
    const Cls cb = b ? d.decode(*b, vb) : Cls::Finite;
    if (ca == Cls::NaN || cb == Cls::NaN) {
      nan = true;
      return;
    }
    const bool inf = ca == Cls::Inf || cb == Cls::Inf;
    if (inf && (va == 0 || vb == 0)) {
      nan = true;
      return;
    }
    const bool neg = (va < 0) != (vb < 0);
    if (inf) {
      (neg ? negInf : posInf) = true;
      return;
    }
    mpfr_set_d(tmp, va, MPFR_RNDN);
    mpfr_mul_d(tmp, tmp, vb, MPFR_RNDN);  // exact: 400 bits hold any 8-bit product
    mpfr_add(sum, sum, tmp, MPFR_RNDN);
  }
  uint32_t project(const Def& out, mpfr_srcptr sum, Rounding m, Sat s) const {
    if (nan || (posInf && negInf)) return out.nan();
    if (posInf || negInf) return saturate(out, Cls::Inf, 0, negInf, m, s);
    return nf::project(out, sum, m, s);
  }
};

TEST(P3109Accumulators, ModelsMatchDefinition) {
  mpfr_t sum, step, tmp;
  mpfr_inits2(400, sum, step, tmp, (mpfr_ptr)0);
  std::mt19937 rng(3109);
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"binary8p3se", "binary8p3se"}, {"binary8p4sf", "binary8p4sf"}, {"binary8p4se", "binary8p5se"},
      {"binary8p5se", "binary8p3se"}};  // (facc and kulisch refuse unsigned formats: requireFloat)
  for (const auto& [inName, outName] : pairs) {
    const Def din = defNamed(inName), dout = defNamed(outName);
    const Format fin = parseFormat(inName), fout = parseFormat(outName);
    for (Rounding m : kModes)
      for (Sat s : kSats)
        for (bool mac : {false, true}) {
          FaccSpec fs;
          fs.a = fin;
          if (mac) fs.b = fin;
          fs.out = fout;
          fs.round = optionsFor(m, s);
          KulischSpec ks;
          ks.a = fin;
          if (mac) ks.b = fin;
          ks.out = fout;
          ks.round = optionsFor(m, s);
          FaccModel facc(fs);
          KulischModel kulisch(ks);
          uint32_t acc = 0;
          ExactTerms terms;
          mpfr_set_zero(sum, 1);
          int bad = 0;
          for (int i = 0; i < 600; ++i) {
            const bool clear = i == 0 || rng() % 16 == 0;
            // Mostly finite codes near the middle of the range, so sums run long before they overflow.
            const uint32_t a = rng() % 8 == 0 ? rng() & 0xFFu : (rng() & 0x9Fu) | 0x20u;
            const uint32_t b = rng() % 8 == 0 ? rng() & 0xFFu : (rng() & 0x9Fu) | 0x20u;
            if (clear) {
              acc = 0;
              terms = {};
              mpfr_set_zero(sum, 1);
            }
            // facc: one rounding per term, the exact acc + term (or acc + a * b) projected onto `out`.
            {
              ExactTerms one;
              mpfr_set_zero(step, 1);
              one.add(din, a, mac ? &b : nullptr, step, tmp);
              one.add(dout, acc, nullptr, step, tmp);
              acc = one.project(dout, step, m, s);
            }
            terms.add(din, a, mac ? &b : nullptr, sum, tmp);
            const uint32_t wantK = terms.project(dout, sum, m, s);
            const uint32_t gotF = facc.step(a, b, clear, m).bits;
            const uint32_t gotK = kulisch.step(a, b, clear, m).z.bits;
            if ((gotF != acc || gotK != wantK) && ++bad <= 3)
              ADD_FAILURE() << inName << "->" << outName << (mac ? " mac " : " add ") << roundingName(m) << " "
                            << satName(s) << " term " << i << " a=0x" << std::hex << a << " b=0x" << b
                            << ": facc model 0x" << gotF << " definition 0x" << acc << "; kulisch model 0x"
                            << gotK << " definition 0x" << wantK;
          }
        }
  }
  mpfr_clears(sum, step, tmp, (mpfr_ptr)0);
}

// ---------------------------------------------------------------------------------------------------------
// Exhaustive co-simulation of the 8-bit units, every rounding mode through the rm port (fma: rne, 2^24), and
// fcvt to and from fp32, bf16 and fp16 for each of the five formats (exhaustive up to 24 input bits;
// from fp32: corners + seeded random). Each format takes one saturation mode, so all three are covered without
// tripling the builds.
struct CosimCase {
  std::string op;
  std::vector<std::string> args;
  bool exhaustive = true;
};

std::vector<CosimCase> cosimCases() {
  const std::vector<std::pair<std::string, std::string>> formats = {{"binary8p3se", "satnone"},
                                                                    {"binary8p4se", "satfinite"},
                                                                    {"binary8p4sf", "satnone"},
                                                                    {"binary8p5se", "satpropagate"},
                                                                    {"binary8p4ue", "satnone"}};
  std::vector<CosimCase> v;
  for (const auto& [f, sat] : formats) {
    for (const char* op : {"fmul", "fadd"}) v.push_back({op, {"--a", f, "--round", "dyn", "--sat", sat, "--flags"}});
    v.push_back({"fma", {"--a", f, "--round", "rne", "--sat", sat, "--flags"}});
    v.push_back({"fcvt", {"--a", "fp16", "--out", f, "--round", "dyn", "--sat", sat, "--flags"}});
    v.push_back({"fcvt", {"--a", f, "--out", "fp32", "--round", "dyn", "--flags"}});
    v.push_back({"fcvt", {"--a", "fp32", "--out", f, "--round", "dyn", "--sat", sat, "--flags"}});
    v.push_back({"fcvt", {"--a", "bf16", "--out", f, "--round", "dyn", "--sat", sat, "--flags"}});
    for (const char* wide : {"bf16", "fp16"}) v.push_back({"fcvt", {"--a", f, "--out", wide, "--round", "dyn", "--flags"}});
  }
  // The accumulators and dot products on P3109 formats (stateful or wider than 24 input bits: corners + seeded
  // random), one saturation mode each.
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"facc", "--a", "binary8p3se", "--round", "dyn", "--sat", "satpropagate", "--flags"},
           {"facc", "--a", "binary8p4sf", "--mac", "--round", "rne", "--sat", "satfinite", "--flags"},
           {"kulisch", "--a", "binary8p4se", "--out", "binary8p5se", "--round", "dyn", "--sat", "satpropagate", "--flags"},
           {"kulisch", "--a", "binary8p3se", "--b", "binary8p3se", "--out", "binary8p4sf", "--round", "dyn", "--flags"},
           {"fdot", "--n", "2", "--a", "binary8p3se", "--out", "binary8p3se", "--round", "dyn", "--saturate", "--flags"},
           {"fdot", "--n", "4", "--a", "binary8p4sf", "--out", "fp32", "--accum", "align", "--align-bits", "13",
            "--flags"},
           // MX blocks with P3109 elements (8 per block: the element path is the same at any K).
           {"mxquant", "--a", "bf16", "--out", "binary8p3se", "--block", "8", "--scale-rule", "rceil"},
           {"mxquant", "--a", "fp16", "--out", "binary8p4sf", "--block", "8", "--round", "rtz"},
           {"mxdequant", "--a", "binary8p3se", "--out", "bf16", "--block", "8"},
           // Issue 17: fdot --sat satpropagate (exact, chain, align), the units P3109Fdot.SatPropagateRtlMatchesDefinition
           // runs on directed vectors; mxquant's variants B and C through the --lanes buffer.
           {"fdot", "--n", "4", "--a", "binary8p3se", "--out", "binary8p3se", "--round", "dyn", "--sat", "satpropagate"},
           {"fdot", "--n", "4", "--a", "binary8p4se", "--out", "binary8p4se", "--round", "dyn", "--sat", "satpropagate"},
           {"fdot", "--n", "4", "--a", "e5m2", "--out", "fp16", "--round", "dyn", "--sat", "satpropagate"},
           {"fdot", "--n", "4", "--a", "binary8p4se", "--out", "binary8p4se", "--accum", "chain", "--sat", "satpropagate",
            "--flags"},
           {"fdot", "--n", "4", "--a", "binary8p3se", "--out", "binary8p3se", "--accum", "align", "--align-bits", "6",
            "--round", "rne", "--sat", "satpropagate", "--flags"},
           {"mxquant", "--a", "fp32", "--out", "e4m3", "--block", "8", "--round", "sr", "--sr-bits", "3", "--sr-variant", "c",
            "--lanes", "2"},
           {"mxquant", "--a", "fp32", "--out", "binary8p3se", "--block", "8", "--round", "sr", "--sr-bits", "4",
            "--sr-variant", "b", "--lanes", "4"}})
    v.push_back({args[0], {args.begin() + 1, args.end()}, false});
  // The stochastic variants in RTL.
  for (const char* variant : {"b", "c"})
    v.push_back({"fcvt", {"--a", "fp16", "--out", "binary8p3se", "--round", "sr", "--sr-bits", "3", "--sr-variant",
                          variant, "--flags"}});
  return v;
}

class P3109Cosim : public ::testing::TestWithParam<CosimCase> {};

TEST_P(P3109Cosim, MatchesModel) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  const auto unit = buildUnit(GetParam().op, GetParam().args);
  verif::CosimOptions opt = test::quickCosimOptions();
  if (unit->inputBits() <= 24 && GetParam().exhaustive) {
    opt.mode = verif::CosimOptions::Mode::Exhaustive;
    opt.threads = unit->inputBits() > 20 ? 2 : 1;
  } else {
    opt.mode = verif::CosimOptions::Mode::Random;  // fp32 inputs: corners + seeded random
    opt.count = 200000;
    opt.seed = 3109;
  }
  const verif::CosimReport r = verif::runCosim(*unit, opt);
  EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
  if (opt.mode == verif::CosimOptions::Mode::Exhaustive) {
    EXPECT_EQ(r.vectors, uint64_t(1) << unit->inputBits());
  } else {
    EXPECT_GE(r.vectors, opt.count);
  }
}

INSTANTIATE_TEST_SUITE_P(P3109, P3109Cosim, ::testing::ValuesIn(cosimCases()), [](const auto& info) {
  std::string s = info.param.op;
  for (const std::string& a : info.param.args)
    for (char c : a) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s;
});

// ---------------------------------------------------------------------------------------------------------
// fdot's saturation modes and mxquant's stochastic variants (issue 17): the models against this file's
// definitions on directed and seeded random vectors, then the RTL on the directed vectors with the definition's
// bits as the expectation.

// A unit whose model is a definition written in this file and whose corner vectors are given: a random run with
// no random vectors drives the RTL with exactly those vectors and compares it with the definition, not the model.
class DefinitionUnit final : public test::ForwardingUnit {
 public:
  using Definition = std::function<void(const uint32_t* in, uint32_t* out)>;
  DefinitionUnit(std::unique_ptr<Unit> rtl, Definition def, std::vector<std::vector<uint32_t>> vectors)
      : ForwardingUnit(std::move(rtl)), def_(std::move(def)), vectors_(std::move(vectors)) {}
  void emulate(const uint32_t* in, uint32_t* out) const override { def_(in, out); }
  std::vector<std::vector<uint32_t>> cornerVectors() const override { return vectors_; }

 private:
  Definition def_;
  std::vector<std::vector<uint32_t>> vectors_;
};

void expectRtlMatchesDefinition(std::unique_ptr<Unit> rtl, DefinitionUnit::Definition def,
                                std::vector<std::vector<uint32_t>> vectors) {
  const size_t n = vectors.size();
  const DefinitionUnit unit(std::move(rtl), std::move(def), std::move(vectors));
  verif::CosimOptions opt = test::quickCosimOptions();
  opt.mode = verif::CosimOptions::Mode::Random;
  opt.count = 0;
  const verif::CosimReport r = verif::runCosim(unit, opt);
  EXPECT_EQ(r.mismatches, 0u) << unit.moduleName() << ": " << r.firstMismatch;
  EXPECT_EQ(r.vectors, n) << unit.moduleName();
}

// fdot on P3109 formats from the definition: exact accumulation projects the exact sum once (any NaN, 0 x Inf or
// Inf - Inf: NaN; an infinite term: Saturate's infinity, clause 4.7.5; an exact zero: +0); chain projects every
// step, acc <- Project(a_i b_i + acc) from +0.
uint32_t fdotP3109Definition(const Def& din, const Def& dout, const uint32_t* a, const uint32_t* b, int n, bool chain,
                             Rounding m, Sat s) {
  mpfr_t sum, tmp;
  mpfr_inits2(400, sum, tmp, (mpfr_ptr)0);
  uint32_t z = 0;
  ExactTerms terms;
  mpfr_set_zero(sum, 1);
  for (int i = 0; i < n; ++i) {
    terms.add(din, a[i], &b[i], sum, tmp);
    if (chain) {
      terms.add(dout, z, nullptr, sum, tmp);
      z = terms.project(dout, sum, m, s);
      terms = {};
      mpfr_set_zero(sum, 1);
    }
  }
  if (!chain) z = terms.project(dout, sum, m, s);
  mpfr_clears(sum, tmp, (mpfr_ptr)0);
  return z;
}

// fdot into fp16 from IEEE 754's rules, fp16's codes spelled here (+-Inf 0x7c00/0xfc00, +-max 0x7bff/0xfbff,
// canonical NaN 0x7e00): any NaN, 0 x Inf, Inf - Inf: NaN; an infinite term: Inf (satfinite: max finite); an
// exact zero sum: a cancellation is +0 (-0 under rdn), zero terms alone -0 when all are -0 or, under rdn, any is;
// otherwise the MPFR oracle's rounding of the exact sum, whose overflow satfinite and satpropagate clamp.
uint32_t fdotFp16Definition(const Format& in, const uint32_t* a, const uint32_t* b, int n, Rounding m, Sat s) {
  static const Format fp16 = parseFormat("fp16");  // its parameters only, for the oracle
  mpfr_t sum, tmp;
  mpfr_inits2(200, sum, tmp, (mpfr_ptr)0);
  mpfr_set_zero(sum, 1);
  bool nan = false, posInf = false, negInf = false, nonzero = false, zeroPos = false, zeroNeg = false;
  for (int i = 0; i < n; ++i) {
    const double va = nfo::toDoubleSpec(in, a[i]), vb = nfo::toDoubleSpec(in, b[i]);
    const bool neg = std::signbit(va) != std::signbit(vb);
    if (std::isnan(va) || std::isnan(vb) || ((std::isinf(va) || std::isinf(vb)) && (va == 0 || vb == 0))) {
      nan = true;
    } else if (std::isinf(va) || std::isinf(vb)) {
      (neg ? negInf : posInf) = true;
    } else if (va == 0 || vb == 0) {
      (neg ? zeroNeg : zeroPos) = true;
    } else {
      nonzero = true;
      mpfr_set_d(tmp, va * vb, MPFR_RNDN);  // exact: two 3-bit significands
      mpfr_add(sum, sum, tmp, MPFR_RNDN);
    }
  }
  uint32_t z = 0;
  if (nan || (posInf && negInf)) {
    z = 0x7e00;
  } else if (posInf || negInf) {
    z = (negInf ? 0x8000u : 0u) | (s == Sat::Finite ? 0x7bffu : 0x7c00u);
  } else if (mpfr_zero_p(sum)) {
    const bool rdn = m == Rounding::RDN;
    z = (nonzero ? rdn : (zeroNeg && !zeroPos) || (rdn && zeroNeg)) ? 0x8000u : 0u;
  } else {
    nfo::OOptions o;
    o.mode = m;
    z = nfo::roundValue(sum, fp16, o).bits;
    if (s != Sat::None && (z & 0x7fffu) == 0x7c00u) z = (z & 0x8000u) | 0x7bffu;
  }
  mpfr_clears(sum, tmp, (mpfr_ptr)0);
  return z;
}

struct FdotCase {
  std::string in, out;
  bool chain = false;
};

uint32_t fdotDefinition(const FdotCase& c, const uint32_t* a, const uint32_t* b, int n, Rounding m, Sat s) {
  if (c.out == "fp16") return fdotFp16Definition(parseFormat(c.in), a, b, n, m, s);
  return fdotP3109Definition(defNamed(c.in), defNamed(c.out), a, b, n, c.chain, m, s);
}

// Codes of an 8-bit input format as the definitions above read them: 1, +-max finite, +-Inf (0 when none).
struct DotCodes {
  uint32_t one, max, negMax, inf, negInf;
};

DotCodes dotCodesOf(const std::string& in) {
  if (in == "e5m2") return {0x3c, 0x7b, 0xfb, 0x7c, 0xfc};  // IEEE-style E5M2
  const Def d = defNamed(in);
  const auto codes = d.codes();
  const double maxF = d.maxFinite();
  return {codes.at(1.0), codes.at(maxF), codes.at(-maxF), d.extended ? d.infCode(false) : 0u,
          d.extended ? d.infCode(true) : 0u};
}

// Four-term dot products (a then b): an overflowing finite sum of either sign, one exactly at max finite, an
// infinite term beside an overflowing finite sum (either sign), Inf - Inf, 0 x Inf, cancellations; then seeded
// random codes.
std::vector<std::vector<uint32_t>> fdotVectors(const std::string& in, int randomCount) {
  const DotCodes k = dotCodesOf(in);
  std::vector<std::vector<uint32_t>> v = {
      {k.max, k.max, k.max, k.max, k.one, k.one, k.one, k.one},
      {k.negMax, k.negMax, k.negMax, k.negMax, k.one, k.one, k.one, k.one},
      {k.max, 0, 0, 0, k.one, k.one, k.one, k.one},
      {k.max, k.negMax, k.one, 0, k.one, k.one, k.one, 0},
      {k.max, k.max, k.negMax, k.negMax, k.one, k.one, k.one, k.one},
      {k.max, k.max, k.max, k.max, k.max, k.max, k.negMax, k.one},
  };
  if (k.inf) {
    v.push_back({k.inf, k.max, k.max, k.max, k.one, k.one, k.one, k.one});
    v.push_back({k.negInf, k.max, k.max, k.max, k.one, k.one, k.one, k.one});
    v.push_back({k.inf, k.negMax, k.negMax, 0, k.one, k.one, k.one, k.one});
    v.push_back({k.inf, k.negInf, 0, 0, k.one, k.one, 0, 0});
    v.push_back({k.inf, k.one, 0, 0, 0, k.one, 0, 0});
    v.push_back({k.inf, k.one, 0, 0, k.max, k.max, 0, 0});
  }
  std::mt19937 rng(1717);
  for (int i = 0; i < randomCount; ++i) {
    std::vector<uint32_t> x(8);
    for (uint32_t& c : x) c = rng() % 4 == 0 ? rng() & 0xFFu : (rng() & 0x9Fu) | 0x40u;  // mostly from 1 or 2 up
    v.push_back(std::move(x));
  }
  return v;
}

const std::vector<FdotCase>& fdotCases() {
  static const std::vector<FdotCase> v = {{"binary8p3se", "binary8p3se"},
                                          {"binary8p4se", "binary8p4se"},
                                          {"binary8p4sf", "binary8p4sf"},
                                          {"binary8p4se", "binary8p4se", true},
                                          {"e5m2", "fp16"}};
  return v;
}

TEST(P3109Fdot, ModelsMatchDefinition) {
  for (const FdotCase& c : fdotCases()) {
    const auto vectors = fdotVectors(c.in, 1500);
    for (Rounding m : kModes)
      for (Sat s : kSats) {
        FdotSpec spec;
        spec.n = 4;
        spec.a = spec.b = parseFormat(c.in);
        spec.out = parseFormat(c.out);
        spec.accum = c.chain ? FdotSpec::Accum::Chain : FdotSpec::Accum::Exact;
        spec.round = optionsFor(m, s);
        int bad = 0;
        for (const auto& x : vectors) {
          const uint32_t got = fdotModel(spec, x.data(), x.data() + 4, 0, m).bits;
          const uint32_t want = fdotDefinition(c, x.data(), x.data() + 4, 4, m, s);
          if (got != want && ++bad <= 3)
            ADD_FAILURE() << "fdot " << c.in << "->" << c.out << (c.chain ? " chain " : " exact ") << roundingName(m)
                          << " " << satName(s) << " a,b = " << std::hex << x[0] << " " << x[1] << " " << x[2] << " "
                          << x[3] << ", " << x[4] << " " << x[5] << " " << x[6] << " " << x[7] << ": model 0x" << got
                          << ", definition 0x" << want;
        }
      }
  }
}

// The generated fdot units with --sat satpropagate on the directed vectors (and some random ones), every rm value
// 0..5, against the definition: on two P3109 formats and an IEEE one.
TEST(P3109Fdot, SatPropagateRtlMatchesDefinition) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  for (const FdotCase& c : {fdotCases()[0], fdotCases()[1], fdotCases()[4]}) {
    std::vector<std::vector<uint32_t>> vectors;
    for (const auto& x : fdotVectors(c.in, 100))
      for (uint32_t rm = 0; rm < 6; ++rm) {
        vectors.push_back(x);
        vectors.back().push_back(rm);
      }
    auto unit = buildUnit("fdot", {"--n", "4", "--a", c.in, "--out", c.out, "--round", "dyn", "--sat", "satpropagate"});
    expectRtlMatchesDefinition(std::move(unit),
                               [c](const uint32_t* in, uint32_t* out) {
                                 out[0] = fdotDefinition(c, in, in + 4, 4, test::modeOfRm(in[8]), Sat::Propagate);
                               },
                               std::move(vectors));
  }
}

// An MX element format's facts written here: a P3109 one from its definition above, e4m3 from OCP OFP8 (bias 7,
// subnormals, 0x7f/0xff NaN, no Inf, max 448, -0 = 0x80).
struct ElemDef {
  double maxF = 0;
  int emin = 0, T = 0;
  uint32_t negZero = 0;
  std::map<double, uint32_t> codes;  // every finite value (+0 for zero)
};

ElemDef elemDefOf(const std::string& name) {
  ElemDef e;
  if (name == "e4m3") {
    e.emin = -6;
    e.T = 3;
    e.negZero = 0x80;
    for (uint32_t c = 0; c < 256; ++c) {
      if ((c & 0x7fu) == 0x7fu) continue;
      const uint32_t field = (c >> 3) & 15u, t = c & 7u;
      double v = field == 0 ? std::ldexp(double(t), -9) : std::ldexp(double(8 + t), int(field) - 10);
      if (c & 0x80u) v = -v;
      if (v == 0 && c != 0) continue;
      e.codes[v] = c;
      e.maxF = std::max(e.maxF, v);
    }
    return e;
  }
  const Def d = defNamed(name);
  e.emin = 1 - d.bias();
  e.T = d.T();
  e.codes = d.codes();
  e.maxF = d.maxFinite();
  return e;
}

// One element: t = x_i / 2^s rounded by the stochastic variant from its definition, then clamped at +-max finite
// (OCP MX elements saturate: satfinite); a zero keeps its sign where the format has -0.
uint32_t mxElementDefinition(const ElemDef& e, double t, SrVariant v, int N, uint32_t R) {
  if (t == 0) return std::signbit(t) ? e.negZero : 0u;
  mpfr_t x;
  mpfr_init2(x, 64);
  mpfr_set_d(x, t, MPFR_RNDN);
  double r = stochasticValue(x, e.emin, e.T, v, N, R);
  mpfr_clear(x);
  if (std::fabs(r) > e.maxF) r = std::copysign(e.maxF, r);
  if (r == 0) return std::signbit(t) ? e.negZero : 0u;
  return e.codes.at(r);
}

// A block of K fp32 values (OCP MX v1.0 section 6.3, floor rule): a NaN or Inf gives scale 0xFF and zero elements;
// otherwise s = floor(log2 amax) - emax_elem (the exponent of the element's max finite), -127 for a zero block,
// clamped to [-127, 127]; out = {scale, q_0 .. q_{K-1}}.
void mxDefinition(const ElemDef& e, const uint32_t* x, const uint32_t* r, int K, SrVariant v, int N, uint32_t* out) {
  std::vector<double> val(static_cast<size_t>(K));
  double amax = 0;
  for (int i = 0; i < K; ++i) {
    float f;
    std::memcpy(&f, &x[i], 4);
    if (!std::isfinite(f)) {
      out[0] = 0xFF;
      std::fill(out + 1, out + 1 + K, 0u);
      return;
    }
    val[size_t(i)] = f;
    amax = std::max(amax, std::fabs(double(f)));
  }
  const int s = amax == 0 ? -127 : std::clamp(std::ilogb(amax) - std::ilogb(e.maxF), -127, 127);
  out[0] = uint32_t(s + 127);
  for (int i = 0; i < K; ++i) out[1 + i] = mxElementDefinition(e, std::ldexp(val[size_t(i)], -s), v, N, r[i]);
}

uint32_t fp32Bits(double d) {
  const float f = float(d);
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// Blocks of four fp32 values with N-bit random fields, as the unit's vector {x0..x3, sr_bits}. Directed: the block's
// largest value 2^emax_elem (s = 0) and elements whose eta (fraction below the last place) is 0, tiny, 2^-(N+1),
// 3 2^-(N+1) (the ties of variant C's RNE(eta 2^N)), 1/2, 1 - 2^-(N+1), 1 - tiny, in a normal binade (both signs)
// and on the subnormal grid, every element with R = 0 or with R = 2^N - 1; a block past max finite (clamped); then
// seeded random blocks and bits.
std::vector<std::vector<uint32_t>> mxVectors(const ElemDef& e, int N, int randomCount) {
  const uint32_t rMax = (1u << N) - 1u;
  const double top = std::ldexp(1.0, std::ilogb(e.maxF)), ulp = std::ldexp(1.0, 2 - e.T),
               sub = std::ldexp(1.0, e.emin - e.T);
  auto vec = [&](const std::vector<double>& x, const std::vector<uint32_t>& r) {
    std::vector<uint32_t> v;
    uint32_t word = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      v.push_back(fp32Bits(x[i]));
      word |= r[i] << (N * int(i));
    }
    v.push_back(word);
    return v;
  };
  std::vector<std::vector<uint32_t>> v;
  const double tiny = std::ldexp(1.0, -10), half = std::ldexp(1.0, -(N + 1));
  for (double eta : {0.0, tiny, half, 3 * half, 0.5, 1 - half, 1 - tiny})
    for (uint32_t r : {0u, rMax})
      v.push_back(vec({top, 4 + ulp * (1 + eta), -(4 + ulp * (2 + eta)), sub * (1 + eta)}, {0, r, r, r}));
  // amax above max finite in max finite's binade: floor keeps s = 0 and the elements clamp.
  v.push_back(vec({e.maxF * 1.0625, -e.maxF * 1.03125, e.maxF * (1 - 1.0 / 64), 1}, {rMax, rMax, rMax, rMax}));
  std::mt19937 rng(3109);
  for (int i = 0; i < randomCount; ++i) {
    std::vector<double> x(4);
    std::vector<uint32_t> r(4);
    for (int k = 0; k < 4; ++k) {
      x[size_t(k)] = std::ldexp(double(rng() & 0xFFFFFFu), int(rng() % 40) - 44) * (rng() & 1u ? -1 : 1);
      r[size_t(k)] = rng() & rMax;
    }
    v.push_back(vec(x, r));
  }
  return v;
}

std::vector<uint32_t> srFields(uint32_t word, int N) {
  std::vector<uint32_t> r(4);
  for (int i = 0; i < 4; ++i) r[size_t(i)] = (word >> (N * i)) & ((1u << N) - 1u);
  return r;
}

constexpr int kMxSrBits = 3;

TEST(P3109MxQuant, StochasticVariantsMatchDefinition) {
  const int N = kMxSrBits;
  for (const char* elem : {"binary8p3se", "binary8p4se", "binary8p4sf", "e4m3"}) {
    const ElemDef e = elemDefOf(elem);
    const auto vectors = mxVectors(e, N, 3000);
    for (SrVariant v : {SrVariant::A, SrVariant::B, SrVariant::C}) {
      MxQuantSpec spec;
      spec.in = parseFormat("fp32");
      spec.elem = parseFormat(elem);
      spec.block = 4;
      spec.mode = Rounding::SR;
      spec.srBits = N;
      spec.srVariant = v;
      int bad = 0;
      for (const auto& x : vectors) {
        const std::vector<uint32_t> r = srFields(x[4], N);
        uint32_t got[5], want[5];
        mxQuantize(spec, x.data(), got[0], got + 1, r.data());
        mxDefinition(e, x.data(), r.data(), 4, v, N, want);
        if (!std::equal(got, got + 5, want) && ++bad <= 3)
          ADD_FAILURE() << "mxquant fp32 -> " << elem << " variant " << "ABC"[int(v)] << " x = " << std::hex
                        << x[0] << " " << x[1] << " " << x[2] << " " << x[3] << " r = " << x[4] << ": model " << got[0]
                        << " " << got[1] << " " << got[2] << " " << got[3] << " " << got[4] << ", definition "
                        << want[0] << " " << want[1] << " " << want[2] << " " << want[3] << " " << want[4];
      }
    }
  }
}

// The generated mxquant units with variants B and C on the directed blocks (and some random ones), against the
// definition, on a P3109 element and e4m3.
TEST(P3109MxQuant, StochasticVariantsRtlMatchDefinition) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  const int N = kMxSrBits;
  for (const char* elem : {"binary8p3se", "e4m3"})
    for (SrVariant v : {SrVariant::B, SrVariant::C}) {
      const ElemDef e = elemDefOf(elem);
      auto unit = buildUnit("mxquant", {"--a", "fp32", "--out", elem, "--block", "4", "--round", "sr", "--sr-bits", "3",
                                        "--sr-variant", v == SrVariant::B ? "b" : "c"});
      expectRtlMatchesDefinition(std::move(unit),
                                 [e, v](const uint32_t* in, uint32_t* out) {
                                   const std::vector<uint32_t> r = srFields(in[4], kMxSrBits);
                                   mxDefinition(e, in, r.data(), 4, v, kMxSrBits, out);
                                 },
                                 mxVectors(e, N, 200));
    }
}

}  // namespace
}  // namespace nf
