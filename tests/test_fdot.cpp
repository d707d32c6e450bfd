// fdot: the model against independent references (MPFR for exact accumulation; a from-the-definition
// big-integer implementation for align) and its table-driven fast path. The catalog's fdot units are
// co-simulated by test_catalog_cosim.
#include <gmp.h>
#include <gtest/gtest.h>
#include <mpfr.h>

#include <random>

#include "generators/unit.h"
#include "oracles/mpfr_oracle.h"
#include "refmodels/corners.h"
#include "refmodels/fdot.h"
#include "tests/catalog.h"
#include "tests/quick_cosim.h"
#include "verif/cosim.h"

namespace nf {
namespace {

// Specials and zero signs straight from IEEE 754's rules for a sum of products.
struct RefSpecials {
  bool nan = false, invalid = false, posInf = false, negInf = false, nonzero = false, zero = false,
       allZeroNeg = true, anyZeroNeg = false;
};

struct RefTerm {
  bool neg;
  uint64_t sig;
  int exp;      // value = sig * 2^exp
  int leadExp;  // align: the exponent the terms are aligned to
};

void classifyProduct(const Format& fa, const Format& fb, uint32_t a, uint32_t b, RefSpecials& sp,
                     std::vector<RefTerm>& terms) {
  const nfo::Val x = nfo::decodeSpec(fa, a), y = nfo::decodeSpec(fb, b);
  const bool neg = x.sign != y.sign;
  if (x.isNaN() || y.isNaN()) {
    sp.nan = true;
    sp.invalid |= x.cls == nfo::VClass::SNaN || y.cls == nfo::VClass::SNaN;
    return;
  }
  const bool xi = x.cls == nfo::VClass::Inf, yi = y.cls == nfo::VClass::Inf;
  const bool xz = x.cls == nfo::VClass::Zero, yz = y.cls == nfo::VClass::Zero;
  if (xi || yi) {
    if (xz || yz) sp.nan = sp.invalid = true;
    else (neg ? sp.negInf : sp.posInf) = true;
    return;
  }
  if (xz || yz) {
    sp.zero = true;
    sp.allZeroNeg &= neg;
    sp.anyZeroNeg |= neg;
    return;
  }
  sp.nonzero = true;
  // Leading-bit exponent of an operand: its binade's exponent (emin for subnormals).
  const int la = x.exp + fa.manBits, lb = y.exp + fb.manBits;
  terms.push_back({neg, x.sig * y.sig, x.exp + y.exp, la + lb});
}

void classifyValue(const Format& f, uint32_t v, RefSpecials& sp, std::vector<RefTerm>& terms) {
  const nfo::Val x = nfo::decodeSpec(f, v);
  if (x.isNaN()) {
    sp.nan = true;
    sp.invalid |= x.cls == nfo::VClass::SNaN;
  } else if (x.cls == nfo::VClass::Inf) {
    (x.sign ? sp.negInf : sp.posInf) = true;
  } else if (x.cls == nfo::VClass::Zero) {
    sp.zero = true;
    sp.allZeroNeg &= x.sign;
    sp.anyZeroNeg |= x.sign;
  } else {
    sp.nonzero = true;
    terms.push_back({x.sign, x.sig, x.exp, x.exp + f.manBits});
  }
}

// Rounds sum_i terms (exact: all bits; align: truncated below 2^(emax - F)) to out.
nfo::OResult referenceGroup(const FdotSpec& s, const Format* addendFormat, uint32_t addend, const uint32_t* a,
                            const uint32_t* b, int first, int count) {
  RefSpecials sp;
  std::vector<RefTerm> terms;
  if (addendFormat) classifyValue(*addendFormat, addend, sp, terms);
  for (int i = first; i < first + count; ++i) classifyProduct(s.a, s.b, a[i], b[i], sp, terms);
  const nfo::OOptions opt{s.round.mode, s.round.saturate, s.round.ftz};
  if (sp.nan || (sp.posInf && sp.negInf))
    return nfo::nanResult(s.out, sp.invalid || (sp.posInf && sp.negInf) ? nfo::kInvalid : 0);
  if (sp.posInf || sp.negInf) return nfo::infResult(sp.negInf, s.out, opt);
  const bool rdn = s.round.mode == Rounding::RDN;
  const bool zeroSign = sp.nonzero ? rdn : (sp.zero && (sp.allZeroNeg || (rdn && sp.anyZeroNeg)));

  mpz_t acc, t;
  mpz_init(acc);
  mpz_init(t);
  int unitExp = 0;
  if (s.accum == FdotSpec::Accum::Exact) {
    unitExp = 0;
    for (const RefTerm& r : terms) unitExp = std::min(unitExp, r.exp);
    for (const RefTerm& r : terms) {
      mpz_set_ui(t, r.sig);
      mpz_mul_2exp(t, t, mp_bitcnt_t(r.exp - unitExp));
      (r.neg ? mpz_sub : mpz_add)(acc, acc, t);
    }
  } else {
    int emax = INT32_MIN;
    for (const RefTerm& r : terms) emax = std::max(emax, r.leadExp);
    unitExp = emax - s.alignBits;
    for (const RefTerm& r : terms) {
      mpz_set_ui(t, r.sig);
      if (r.exp >= unitExp) mpz_mul_2exp(t, t, mp_bitcnt_t(r.exp - unitExp));
      else mpz_tdiv_q_2exp(t, t, mp_bitcnt_t(unitExp - r.exp));  // toward zero on the magnitude
      (r.neg ? mpz_sub : mpz_add)(acc, acc, t);
    }
  }
  nfo::OResult res;
  if (mpz_sgn(acc) == 0) {
    res = nfo::zeroResult(zeroSign, s.out);
  } else {
    mpfr_t v;
    mpfr_init2(v, mpfr_prec_t(std::max<size_t>(64, mpz_sizeinbase(acc, 2) + 2)));
    mpfr_set_z_2exp(v, acc, unitExp, MPFR_RNDN);  // exact: the precision holds every bit
    res = nfo::roundValue(v, s.out, opt);
    mpfr_clear(v);
  }
  mpz_clear(acc);
  mpz_clear(t);
  return res;
}

nfo::OResult reference(const FdotSpec& s, const uint32_t* a, const uint32_t* b, uint32_t c) {
  if (s.accum == FdotSpec::Accum::Chain) {
    // N fmas through MPFR, starting from c or from the zero that leaves any sum alone (-0; +0 under rdn).
    const nfo::OOptions opt{s.round.mode, s.round.saturate, s.round.ftz};
    const nfo::Spec so = nfo::specOf(s.out);
    const bool negZeroIdentity = s.round.mode != Rounding::RDN && so.signBit != 0 && so.kind != NonFinite::FNUZ;
    nfo::OResult acc = nfo::fmaOracle(s.a, s.b, s.c ? *s.c : s.out, s.out, a[0], b[0],
                                      s.c ? c : (negZeroIdentity ? so.signBit : 0u), opt, false);
    uint8_t flags = acc.flags;
    for (int i = 1; i < s.n; ++i) {
      acc = nfo::fmaOracle(s.a, s.b, s.out, s.out, a[i], b[i], acc.bits, opt, false);
      flags |= acc.flags;
    }
    acc.flags = flags;
    return acc;
  }
  nfo::OResult acc;
  uint8_t flags = 0;
  const int g = s.groupSize();
  for (int k = 0; k < s.groups(); ++k) {
    acc = referenceGroup(s, k == 0 ? (s.c ? &*s.c : nullptr) : &s.out, k == 0 ? c : acc.bits, a, b, k * g, g);
    flags |= acc.flags;
  }
  acc.flags = flags;
  return acc;
}

struct Case {
  std::string args;
  uint64_t samples;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.args; }

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream ss(text);
  for (std::string w; ss >> w;) v.push_back(w);
  return v;
}

// The reference's view of a unit: what its manifest says, rounded with `mode`.
FdotSpec specFromManifest(const nlohmann::json& man, Rounding mode) {
  FdotSpec s;
  s.n = man["n"];
  s.a = parseFormat(man["formats"]["a"]);
  s.b = parseFormat(man["formats"]["b"]);
  s.out = parseFormat(man["formats"]["out"]);
  if (man["formats"].contains("c")) s.c = parseFormat(man["formats"]["c"]);
  s.accum = man["accumulation"] == "exact"   ? FdotSpec::Accum::Exact
            : man["accumulation"] == "align" ? FdotSpec::Accum::Align
                                             : FdotSpec::Accum::Chain;
  if (s.accum == FdotSpec::Accum::Align) s.alignBits = man["align_bits"];
  s.group = man["group"];
  s.round = {mode, man["saturate"], man["ftz"]};
  return s;
}

class FdotModel : public ::testing::TestWithParam<Case> {};

// The model's spec comes from the factory (as the CLI builds it); vectors from the unit's corner cases
// and seeded random words.
TEST_P(FdotModel, MatchesIndependentReference) {
  const std::vector<std::string> args = words(GetParam().args);
  for (Rounding mode : {Rounding::RNE, Rounding::RTZ, Rounding::RUP, Rounding::RDN, Rounding::RNA, Rounding::ROD}) {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--round", roundingName(mode), "--flags"});
    const auto unit = buildUnit("fdot", a);
    const FdotSpec s = specFromManifest(unit->emit().manifest, mode);
    std::vector<std::vector<uint32_t>> vecs = unit->cornerVectors();
    std::mt19937_64 rng(7);
    for (uint64_t i = 0; i < GetParam().samples; ++i) {
      std::vector<uint32_t> v;
      for (const PortInfo& p : unit->inputs()) v.push_back(uint32_t(rng()) & ((1u << p.width) - 1u));
      vecs.push_back(v);
    }
    int failures = 0;
    for (const auto& v : vecs) {
      uint32_t out[2];
      unit->emulate(v.data(), out);
      const nfo::OResult want = reference(s, v.data(), v.data() + s.n, s.c ? v[size_t(2 * s.n)] : 0);
      if ((out[0] != want.bits || out[1] != want.flags) && ++failures <= 5)
        ADD_FAILURE() << roundingName(mode) << " inputs " << verif::describeInputs(*unit, v.data()) << "\n  model "
                      << nfo::showBits(s.out, out[0]) << " " << nfo::flagsString(uint8_t(out[1])) << "\n  reference "
                      << nfo::showBits(s.out, want.bits) << " " << nfo::flagsString(want.flags);
    }
    EXPECT_EQ(failures, 0) << roundingName(mode);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fdot, FdotModel,
    ::testing::Values(Case{"--n 4 --a e4m3 --out fp32", 30000}, Case{"--n 4 --a e4m3 --out bf16", 30000},
                      Case{"--n 8 --a e5m2 --out e4m3 --saturate", 30000}, Case{"--n 4 --a e2m1 --out e4m3", 30000},
                      Case{"--n 2 --a bf16 --c fp32 --out fp32", 30000}, Case{"--n 4 --a fp16 --out fp16", 30000},
                      Case{"--n 4 --a e4m3 --out fp32 --accum align --align-bits 13", 30000},
                      Case{"--n 16 --a e4m3 --out fp32 --accum align --align-bits 24", 20000},
                      Case{"--n 4 --a bf16 --c fp32 --out fp32 --accum align --align-bits 24", 30000},
                      Case{"--n 8 --a e4m3 --out e8m13 --accum align --align-bits 13 --group 4", 30000},
                      Case{"--n 8 --a e4m3 --out bf16 --group 2", 30000},
                      Case{"--n 4 --a e4m3 --out fp32 --accum chain", 20000},
                      Case{"--n 4 --a bf16 --c fp32 --out fp32 --accum chain", 20000},
                      Case{"--n 8 --a e5m2 --out e4m3 --accum chain --saturate", 20000}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

// --round dyn: one unit, the mode taken from its rm word vector by vector (every corner vector under each
// of the eight encodings, then random words), against the reference in that mode.
class FdotDynamic : public ::testing::TestWithParam<Case> {};

TEST_P(FdotDynamic, RmPortSelectsTheModePerVector) {
  std::vector<std::string> args = words(GetParam().args);
  args.insert(args.end(), {"--round", "dyn", "--flags"});
  const auto unit = buildUnit("fdot", args);
  ASSERT_EQ(unit->inputs().back().name, "rm");
  const nlohmann::json man = unit->emit().manifest;
  EXPECT_EQ(man["rounding"], "dyn");
  std::vector<std::vector<uint32_t>> vecs = unit->cornerVectors();
  std::mt19937_64 rng(17);
  for (uint64_t i = 0; i < GetParam().samples; ++i) {
    std::vector<uint32_t> v;
    for (const PortInfo& p : unit->inputs()) v.push_back(uint32_t(rng()) & ((1u << p.width) - 1u));
    vecs.push_back(v);
  }
  int failures = 0, perMode[8] = {};
  for (const auto& v : vecs) {
    const uint32_t rm = v.back();
    const FdotSpec s = specFromManifest(man, test::modeOfRm(rm));
    uint32_t out[2];
    unit->emulate(v.data(), out);
    const nfo::OResult want = reference(s, v.data(), v.data() + s.n, s.c ? v[size_t(2 * s.n)] : 0);
    ++perMode[rm];
    if ((out[0] != want.bits || out[1] != want.flags) && ++failures <= 5)
      ADD_FAILURE() << "rm " << rm << " inputs " << verif::describeInputs(*unit, v.data()) << "\n  model "
                    << nfo::showBits(s.out, out[0]) << " " << nfo::flagsString(uint8_t(out[1])) << "\n  reference "
                    << nfo::showBits(s.out, want.bits) << " " << nfo::flagsString(want.flags);
  }
  EXPECT_EQ(failures, 0);
  for (int rm = 0; rm < 8; ++rm) EXPECT_GT(perMode[rm], 1000) << "rm " << rm << " barely exercised";
}

INSTANTIATE_TEST_SUITE_P(Fdot, FdotDynamic,
                         ::testing::Values(Case{"--n 4 --a e4m3 --out fp32", 40000},
                                           Case{"--n 4 --a e2m1 --out e4m3 --saturate", 40000},
                                           Case{"--n 4 --a bf16 --c fp32 --out fp32 --accum align --align-bits 24", 40000},
                                           Case{"--n 8 --a e4m3 --out bf16 --group 2", 40000},
                                           Case{"--n 4 --a e4m3 --out fp32 --accum chain", 20000}),
                         [](const auto& info) { return "case" + std::to_string(info.index); });

// Pipelined units (--stages) in every accumulation mode, with and without the rm port, co-simulated
// against the model: a wrong register placement (a signal of the wrong cycle) shows as mismatches, a
// wrong latency as a valid_out error.
struct PipeCase {
  std::string args;
  int stages;
};
void PrintTo(const PipeCase& c, std::ostream* os) { *os << c.args << " --stages " << c.stages; }
class FdotPipelined : public ::testing::TestWithParam<PipeCase> {};

TEST_P(FdotPipelined, MatchesTheModelCycleForCycle) {
  std::vector<std::string> args = words(GetParam().args);
  args.insert(args.end(), {"--flags", "--stages", std::to_string(GetParam().stages)});
  const auto unit = buildUnit("fdot", args);
  EXPECT_EQ(unit->latency(), GetParam().stages);
  EXPECT_EQ(unit->emit().manifest["latency"], GetParam().stages);
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  const verif::CosimReport r = test::quickRandomCosim(*unit, 30000, 4);
  EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
  EXPECT_GE(r.vectors, 30000u);
}

INSTANTIATE_TEST_SUITE_P(
    Fdot, FdotPipelined,
    ::testing::Values(PipeCase{"--n 4 --a e4m3 --out fp32 --accum align --align-bits 13 --round dyn", 3},
                      PipeCase{"--n 4 --a e2m1 --out e4m3 --group 2 --round dyn", 5},
                      PipeCase{"--n 4 --a e5m2 --out e4m3 --accum chain --round dyn", 3},
                      PipeCase{"--n 2 --a e4m3 --c bf16 --out bf16 --round rdn", 4},
                      PipeCase{"--n 4 --a e4m3 --c fp32 --out bf16 --accum chain --round dyn", 2}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

// The table-driven fast path the co-simulation uses must agree with the model bit for bit.
TEST(FdotFastModel, AgreesWithTheModel) {
  int specs = 0;
  for (const char* out : {"fp32", "bf16", "e4m3"})
    for (const char* in : {"e2m1", "e4m3", "e2m3", "e3m2"})  // e5m2 products need more than 62 bits
      for (Rounding mode : {Rounding::RNE, Rounding::RDN, Rounding::ROD}) {
        FdotSpec s;
        s.n = 8;
        s.a = s.b = parseFormat(in);
        s.out = parseFormat(out);
        s.round = {mode, std::string(out) == "e4m3", false};
        const FdotFastModel fast(s);
        ASSERT_TRUE(fast.available()) << in << " -> " << out;
        ++specs;
        std::mt19937_64 rng(3);
        const std::vector<uint32_t> corners = formatCorners(s.a);
        for (int k = 0; k < 20000; ++k) {
          uint32_t a[8], b[8];
          for (int i = 0; i < 8; ++i) {
            a[i] = k % 2 ? corners[rng() % corners.size()] : uint32_t(rng()) & s.a.mask();
            b[i] = uint32_t(rng()) & s.b.mask();
          }
          const Packed want = fdotModel(s, a, b, 0, mode), got = fast(a, b, mode);
          ASSERT_EQ(got.bits, want.bits) << in << " -> " << out << " " << roundingName(mode) << " vector " << k;
          ASSERT_EQ(got.flags, want.flags) << in << " -> " << out << " " << roundingName(mode) << " vector " << k;
        }
      }
  EXPECT_EQ(specs, 36);
}

}  // namespace
}  // namespace nf
