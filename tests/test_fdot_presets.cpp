// fdot --emulate: the tensor-core presets against MMA-Sim's nv_fused_dot_add restated here from its definition
// with GMP integers (no code shared with refmodels/fdot.cpp): directed vectors that separate each preset from
// its neighbours (zero-operand exponent, overflow to Inf, +0, split k, F versus F +- 1), checked on the model
// and, through a vector file with the restatement's expected bits, on the RTL; then seeded random
// co-simulation of every preset's RTL against the model, and bad input.
#include <gmp.h>
#include <gtest/gtest.h>

#include <climits>
#include <fstream>
#include <algorithm>
#include <filesystem>
#include <functional>
#include <optional>
#include <random>

#include "generators/unit.h"
#include "oracles/mpfr_oracle.h"
#include "refmodels/tensor_presets.h"
#include "tests/catalog.h"
#include "tests/quick_cosim.h"
#include "verif/cosim.h"

namespace nf {
namespace {

// MMA-Sim's parameters per preset (mmasim/simulator/nv.py: arch_accum_fractional_bits, is_split_k, the fp8
// special case giving 13 bits and "f32_e8m13"), restated rather than read from the table under test.
struct Params {
  std::string name, in;
  int n, group, F, outFrac;
  bool zeroRule = true;  // a zero operand counts as 2^-126 (arithmetic.py extract_significand_exponent)
  // AMD CDNA3 (amd.py, arithmetic.py amd_fused_dot_rd_add): the knobs are the rule's parts, so that a
  // directed vector can be shown to depend on each.
  bool amd = false;
  int sumBits = 31, cBits = 24;  // the products' sum and c floored onto these fraction bits below max(e_p, e_c)
  bool floorSum = true;          // floor (toward -Inf); false: toward zero
  bool twoLevel = true;          // false: c aligned with the products as one more term (truncated)
  bool rne = true;               // each group's double converted to fp32 by RNE; false: RZ
  bool productInf = true;        // a product of 2^128 or more is Inf
};
Params amd(std::string name, std::string in) {
  Params p{std::move(name), std::move(in), 16, 8, 24, 23};
  p.amd = true;
  return p;
}
const std::vector<Params>& expectedParams() {
  static const std::vector<Params> v = {
      {"volta-mma-f16", "fp16", 4, 4, 23, 23},          {"ampere-mma-f16", "fp16", 16, 8, 24, 23},
      {"ampere-mma-bf16", "bf16", 16, 8, 24, 23},       {"ada-mma-e4m3", "e4m3", 32, 16, 13, 13},
      {"hopper-wgmma-e4m3", "e4m3", 32, 32, 13, 13},    {"hopper-wgmma-bf16", "bf16", 16, 16, 25, 23},
      {"hopper-mma-bf16", "bf16", 16, 16, 25, 23},      {"blackwell-tcgen05-e2m1", "e2m1", 32, 32, 25, 23},
      amd("cdna3-mfma-bf16", "bf16"),                   amd("cdna3-mfma-f16", "fp16"),
  };
  return v;
}

void PrintTo(const Params& p, std::ostream* os) { *os << p.name; }

const Format& fp32() {
  static const Format f = parseFormat("fp32");
  return f;
}

struct Term {
  bool neg;
  uint64_t sig;  // value = sig * 2^exp
  int exp;
  int lead;  // the exponent the maximum compares
};

// One nv_fused_dot_add: c (fp32 bits) plus products [first, first + count), fp32 result truncated to outFrac
// fraction bits (the low bits zero), overflow to Inf, NaN 0x7fffffff, zero +0.
uint32_t fusedStep(const Params& p, const Format& in, const uint32_t* a, const uint32_t* b, int first, int count,
                   uint32_t c) {
  bool nan = false, pinf = false, ninf = false;
  std::vector<Term> terms;
  const nfo::Val vc = nfo::decodeSpec(fp32(), c);
  if (vc.isNaN()) nan = true;
  else if (vc.cls == nfo::VClass::Inf) (vc.sign ? ninf : pinf) = true;
  else if (vc.cls == nfo::VClass::Zero) {
    if (p.zeroRule) terms.push_back({false, 0, 0, -126});
  } else {
    terms.push_back({vc.sign, vc.sig, vc.exp, vc.exp + 23});
  }
  for (int i = first; i < first + count; ++i) {
    const nfo::Val x = nfo::decodeSpec(in, a[i]), y = nfo::decodeSpec(in, b[i]);
    const bool xz = x.cls == nfo::VClass::Zero, yz = y.cls == nfo::VClass::Zero;
    const bool xi = x.cls == nfo::VClass::Inf, yi = y.cls == nfo::VClass::Inf;
    if (x.isNaN() || y.isNaN() || ((xi || yi) && (xz || yz))) {
      nan = true;
    } else if (xi || yi) {
      (x.sign != y.sign ? ninf : pinf) = true;
    } else if (xz || yz) {
      if (p.zeroRule)
        terms.push_back({false, 0, 0, (xz ? -126 : x.exp + in.manBits) + (yz ? -126 : y.exp + in.manBits)});
    } else {
      terms.push_back({x.sign != y.sign, x.sig * y.sig, x.exp + y.exp, x.exp + y.exp + 2 * in.manBits});
    }
  }
  if (nan || (pinf && ninf)) return 0x7fffffffu;
  if (pinf) return 0x7f800000u;
  if (ninf) return 0xff800000u;
  if (terms.empty()) return 0;
  int emax = terms[0].lead;
  for (const Term& t : terms) emax = std::max(emax, t.lead);
  const int unit = emax - p.F;
  mpz_t sum, t;
  mpz_init(sum);
  mpz_init(t);
  for (const Term& x : terms) {
    mpz_set_ui(t, x.sig);
    if (x.exp >= unit) mpz_mul_2exp(t, t, mp_bitcnt_t(x.exp - unit));
    else mpz_tdiv_q_2exp(t, t, mp_bitcnt_t(unit - x.exp));  // truncation toward zero of the magnitude
    (x.neg ? mpz_sub : mpz_add)(sum, sum, t);
  }
  uint32_t bits = 0;
  if (mpz_sgn(sum) != 0) {
    const bool neg = mpz_sgn(sum) < 0;
    mpz_abs(sum, sum);
    int e = int(mpz_sizeinbase(sum, 2)) - 1 + unit;  // the leading bit's exponent
    e = std::max(e, -126);                            // fp32's subnormals
    const uint32_t sign = neg ? 0x80000000u : 0u;
    if (e > 127) {
      bits = sign | 0x7f800000u;  // beyond fp32 after truncation: Inf
    } else {
      const int shift = (e - p.outFrac) - unit;  // keep the bits of weight 2^(e - outFrac) and up
      if (shift >= 0) mpz_tdiv_q_2exp(t, sum, mp_bitcnt_t(shift));
      else mpz_mul_2exp(t, sum, mp_bitcnt_t(-shift));
      const uint64_t m = mpz_get_ui(t);
      const uint64_t hidden = uint64_t(1) << p.outFrac;
      if (m == 0) bits = 0;
      else if (m >= hidden) bits = sign | (uint32_t(e + 127) << 23) | (uint32_t(m - hidden) << (23 - p.outFrac));
      else bits = sign | (uint32_t(m) << (23 - p.outFrac));  // subnormal: e is -126
    }
  }
  mpz_clear(sum);
  mpz_clear(t);
  return bits;
}

// value * 2^unit as fp32 by round to nearest even (MMA-Sim: torch.tensor(double, float32)) or toward zero;
// zero is +0 (the floors give Python integers).
uint32_t toFp32(mpz_t value, int unit, bool rne) {
  if (mpz_sgn(value) == 0) return 0;
  const uint32_t sign = mpz_sgn(value) < 0 ? 0x80000000u : 0u;
  mpz_t m, rest;
  mpz_init(m);
  mpz_init(rest);
  mpz_abs(m, value);
  const int e = std::max(int(mpz_sizeinbase(m, 2)) - 1 + unit, -126);
  const int shift = (e - 23) - unit;  // keep the bits of weight 2^(e - 23) and up
  if (shift > 0) {
    mpz_tdiv_r_2exp(rest, m, mp_bitcnt_t(shift));
    mpz_tdiv_q_2exp(m, m, mp_bitcnt_t(shift));
    if (rne) {
      mpz_mul_2exp(rest, rest, 1);  // rest * 2 against 2^shift: below, tie or above half
      mpz_t half;
      mpz_init_set_ui(half, 1);
      mpz_mul_2exp(half, half, mp_bitcnt_t(shift));
      const int cmp = mpz_cmp(rest, half);
      if (cmp > 0 || (cmp == 0 && mpz_odd_p(m))) mpz_add_ui(m, m, 1);
      mpz_clear(half);
    }
  } else {
    mpz_mul_2exp(m, m, mp_bitcnt_t(-shift));
  }
  uint64_t q = mpz_get_ui(m);
  int ex = e;
  if (q >> 24) q >>= 1, ++ex;  // rounded up to the next binade
  mpz_clear(m);
  mpz_clear(rest);
  if (ex > 127) return sign | (rne ? 0x7f800000u : 0x7f7fffffu);
  if (q >= (1u << 23)) return sign | (uint32_t(ex + 127) << 23) | uint32_t(q - (1u << 23));
  return sign | uint32_t(q);  // subnormal: ex is -126
}

// extract_significand_exponent's exponent: the leading bit's, at least the type's minimum; -126 for zero.
int amdExponent(const nfo::Val& v, int minExp) {
  if (v.cls == nfo::VClass::Zero) return -126;
  return std::max(63 - __builtin_clzll(v.sig) + v.exp, minExp);
}

// mpz_t x * 2^shift, a right shift flooring (or truncating toward zero).
void shiftBy(mpz_t x, int shift, bool floor) {
  if (shift >= 0) mpz_mul_2exp(x, x, mp_bitcnt_t(shift));
  else (floor ? mpz_fdiv_q_2exp : mpz_tdiv_q_2exp)(x, x, mp_bitcnt_t(-shift));
}

// One amd_fused_dot_rd_add: c (fp32 bits) plus products [first, first + count), then the conversion to fp32.
uint32_t amdStep(const Params& p, const Format& in, const uint32_t* a, const uint32_t* b, int first, int count,
                 uint32_t c) {
  const int minExp = p.in == "fp16" ? -14 : -126;  // dtype_min_exponent
  const nfo::Val vc = nfo::decodeSpec(fp32(), c);
  bool nan = vc.isNaN(), pinf = vc.cls == nfo::VClass::Inf && !vc.sign, ninf = vc.cls == nfo::VClass::Inf && vc.sign;
  std::vector<std::pair<nfo::Val, nfo::Val>> products;
  for (int i = first; i < first + count; ++i) {
    const nfo::Val x = nfo::decodeSpec(in, a[i]), y = nfo::decodeSpec(in, b[i]);
    const bool xi = x.cls == nfo::VClass::Inf, yi = y.cls == nfo::VClass::Inf;
    const bool zero = x.cls == nfo::VClass::Zero || y.cls == nfo::VClass::Zero;
    if (x.isNaN() || y.isNaN() || ((xi || yi) && zero)) nan = true;
    else if (xi || yi) (x.sign != y.sign ? ninf : pinf) = true;
    else products.push_back({x, y});
  }
  // The fp64 sum's NaN or Inf comes first, then products of 2^128 or more.
  if (nan || (pinf && ninf)) return 0x7fc00000u;
  if (pinf || ninf) return pinf ? 0x7f800000u : 0xff800000u;
  bool opos = false, oneg = false;
  for (const auto& [x, y] : products) {
    if (!p.productInf || x.cls == nfo::VClass::Zero || y.cls == nfo::VClass::Zero) continue;
    int bits = 0;  // of the exact product x.sig * y.sig * 2^(x.exp + y.exp)
    for (unsigned __int128 m = (unsigned __int128)x.sig * y.sig; m; m >>= 1) ++bits;
    if (bits - 1 + x.exp + y.exp >= 128) (x.sign != y.sign ? oneg : opos) = true;
  }
  if (opos && oneg) return 0x7fc00000u;
  if (opos || oneg) return opos ? 0x7f800000u : 0xff800000u;
  // fused_sum: the products aligned to their largest exponent, truncated toward zero to F fraction bits.
  int maxE = INT_MIN;
  for (const auto& [x, y] : products) {
    const bool zero = x.cls == nfo::VClass::Zero || y.cls == nfo::VClass::Zero;
    if (!zero || p.zeroRule) maxE = std::max(maxE, amdExponent(x, minExp) + amdExponent(y, minExp));
  }
  const bool cIn = vc.cls != nfo::VClass::Zero || p.zeroRule;
  const int ec = amdExponent(vc, -126);
  const int maxAll = maxE == INT_MIN ? ec : cIn ? std::max(maxE, ec) : maxE;
  const int G = std::max(p.sumBits, p.cBits);
  mpz_t sum, t;
  mpz_init(sum);
  mpz_init(t);
  auto addProducts = [&](int unit) {  // every product truncated toward zero onto 2^unit
    for (const auto& [x, y] : products) {
      if (x.cls == nfo::VClass::Zero || y.cls == nfo::VClass::Zero) continue;
      mpz_set_ui(t, x.sig);
      mpz_mul_ui(t, t, y.sig);
      shiftBy(t, x.exp + y.exp - unit, false);
      (x.sign != y.sign ? mpz_sub : mpz_add)(sum, sum, t);
    }
  };
  auto cOnto = [&](int unit, bool floor) {  // c * 2^-unit, floored or truncated
    mpz_set_ui(t, vc.cls == nfo::VClass::Zero ? 0 : vc.sig);
    if (vc.sign) mpz_neg(t, t);
    shiftBy(t, vc.exp - unit, floor);
  };
  uint32_t bits;
  if (!p.twoLevel) {  // the neighbour rule: c one more term of one alignment, truncated toward zero
    const int unit = maxAll - p.F;
    addProducts(unit);
    cOnto(unit, false);
    mpz_add(sum, sum, t);
    bits = toFp32(sum, unit, p.rne);
  } else {
    if (maxE != INT_MIN) {
      addProducts(maxE - p.F);
      shiftBy(sum, (maxE - p.F) - (maxAll - p.sumBits), p.floorSum);  // the 31-bit window, floored
      mpz_mul_2exp(sum, sum, mp_bitcnt_t(G - p.sumBits));
    }
    cOnto(maxAll - p.cBits, true);  // c floored onto 24 bits
    mpz_mul_2exp(t, t, mp_bitcnt_t(G - p.cBits));
    mpz_add(sum, sum, t);
    bits = toFp32(sum, maxAll - G, p.rne);
  }
  mpz_clear(sum);
  mpz_clear(t);
  return bits;
}

// The instruction: fused groups of p.group chained through c.
uint32_t restated(const Params& p, const uint32_t* a, const uint32_t* b, uint32_t c) {
  const Format in = parseFormat(p.in);
  for (int k = 0; k < p.n; k += p.group)
    c = p.amd ? amdStep(p, in, a, b, k, p.group, c) : fusedStep(p, in, a, b, k, p.group, c);
  return c;
}

struct Vec {
  std::vector<uint32_t> a, b;
  uint32_t c = 0;
  std::string why;
};

std::vector<uint32_t> inputsOf(const Vec& v) {
  std::vector<uint32_t> in = v.a;
  in.insert(in.end(), v.b.begin(), v.b.end());
  in.push_back(v.c);
  return in;
}

// The largest finite power of two of a format, positive.
uint32_t largestPow2(const Format& f) { return f.maxFiniteMag() & ~((1u << f.manBits) - 1u); }
uint32_t one(const Format& f) { return uint32_t(f.bias) << f.manBits; }

// Random operands near 1 (exponents within +-4 of it), random signs; c near 1 in fp32.
Vec nearOne(const Params& p, const Format& in, std::mt19937_64& rng) {
  Vec v;
  auto x = [&]() {
    const int e = std::clamp(in.bias + int(rng() % 9) - 4, 1, in.expFieldMax() - 1);
    uint32_t bits = (uint32_t(e) << in.manBits) | (uint32_t(rng()) & ((1u << in.manBits) - 1u));
    bits = std::min(bits, in.maxFiniteMag());
    return bits | ((rng() & 1) ? in.signBit() : 0u);
  };
  for (int i = 0; i < p.n; ++i) v.a.push_back(x()), v.b.push_back(x());
  v.c = (uint32_t(127 + int(rng() % 5) - 2) << 23) | (uint32_t(rng()) & 0x7fffffu) | ((rng() & 1) ? 0x80000000u : 0u);
  return v;
}

// The first of 20000 seeded vectors for which `differs` holds, if any.
std::optional<Vec> search(const Params& p, const std::function<bool(const Vec&)>& differs, uint64_t seed) {
  const Format in = parseFormat(p.in);
  std::mt19937_64 rng(seed);
  for (int k = 0; k < 20000; ++k) {
    Vec v = nearOne(p, in, rng);
    if (differs(v)) return v;
  }
  return std::nullopt;
}

uint32_t pow2(const Format& f, int e) {  // 2^e in f (normal or subnormal)
  return e >= f.emin() ? uint32_t(e + f.bias) << f.manBits : 1u << (f.manBits - (f.emin() - e));
}

// CDNA3's rule, part by part: each vector is kept only if the restated rule gives other bits without that part
// (a variant of the knobs), so each shows the part matters; ampere-mma-bf16 (one truncated alignment, RZ) is
// the NVIDIA neighbour, and the one-level variant is it with RNE.
void amdVectors(const Params& p, std::vector<Vec>& out) {
  const Format in = parseFormat(p.in);
  auto eval = [&](const Params& q, const Vec& v) { return restated(q, v.a.data(), v.b.data(), v.c); };
  auto products = [&](std::vector<std::pair<int, int>> exps, std::vector<bool> negative, uint32_t c) {
    Vec v;
    v.a.assign(size_t(p.n), 0);
    v.b.assign(size_t(p.n), 0);
    for (size_t i = 0; i < exps.size(); ++i) {
      v.a[i] = pow2(in, exps[i].first) | (negative[i] ? in.signBit() : 0u);
      v.b[i] = pow2(in, exps[i].second);
    }
    v.c = c;
    return v;
  };
  auto keep = [&](Vec v, const Params& without, const std::string& why) {
    if (eval(p, v) == eval(without, v)) return ADD_FAILURE() << p.name << ": '" << why << "' does not separate";
    v.why = why;
    out.push_back(v);
  };
  Params trunc = p, w30 = p, w32 = p, c23 = p, c25 = p, noProductInf = p, rz = p, oneLevel = p;
  trunc.floorSum = false;
  w30.sumBits = 30;
  w32.sumBits = 32;
  c23.cBits = 23;
  c25.cBits = 25;
  noProductInf.productInf = false;
  rz.rne = false;
  oneLevel.twoLevel = false;
  const Params& ampere = expectedParams()[p.in == "bf16" ? 2 : 1];  // ampere-mma-bf16 / -f16
  // 1 + 2^-22 - (2^-24 + 2^-33): the floor puts it below the tie 1 + 2^-23 + 2^-24, truncation on it (to even).
  const Vec neg = products({{-12, -12}, {-17, -16}}, {true, true}, 0x3f800002u);
  keep(neg, trunc, "negative product sum floored, not truncated");
  EXPECT_EQ(eval(p, neg), 0x3f800001u);
  // 1 + 2^-22 + 2^-24 + 2^-31 (2^-32): 31 bits keep it above the tie, 30 bits (31 bits) floor it onto the tie.
  keep(products({{-12, -12}, {-16, -15}}, {false, false}, 0x3f800002u), w30, "31-bit window vs 30");
  keep(products({{-12, -12}, {-16, -16}}, {false, false}, 0x3f800002u), w32, "31-bit window vs 32");
  // 2^8 - (1 + 2^-23): c floored onto 2^-16 gives 255 - 2^-16; onto 2^-15, 2^-17 or truncated, other bits.
  const Vec cFloor = products({{4, 4}}, {false}, 0xbf800001u);
  keep(cFloor, c23, "c floored onto 24 bits vs 23");
  keep(cFloor, c25, "c floored onto 24 bits vs 25");
  keep(cFloor, oneLevel, "c floored vs c truncated as a term (one-level alignment)");
  keep(cFloor, ampere, "c floored vs " + ampere.name);
  EXPECT_EQ(eval(p, cFloor), 0x437effffu);
  if (in.emax() >= 64) {  // bf16: products reach 2^128
    const Vec big = products({{64, 64}}, {false}, 0xff7fffffu);  // 2^128 - (2^128 - 2^104)
    keep(big, noProductInf, "a product of 2^128 is Inf although the sum is finite");
    EXPECT_EQ(eval(p, big), 0x7f800000u);
    const Vec both = products({{64, 64}, {64, 64}}, {false, true}, 0);
    keep(both, noProductInf, "products of +2^128 and -2^128 give NaN");
    EXPECT_EQ(eval(p, both), 0x7fc00000u);
  }
  if (auto v = search(p, [&](const Vec& x) { return eval(p, x) != eval(rz, x); }, 14))
    keep(*v, rz, "round to nearest even between groups and at the end, vs RZ");
  else
    ADD_FAILURE() << p.name << ": no vector separates RNE from RZ";
  if (auto v = search(p, [&](const Vec& x) { return eval(p, x) != eval(oneLevel, x); }, 15))
    keep(*v, oneLevel, "two-level vs one-level alignment");
  else
    ADD_FAILURE() << p.name << ": no vector separates the two-level alignment";
}

// Directed vectors of a preset, each checked to separate it from the neighbour it names.
std::vector<Vec> directedVectors(const Params& p, std::vector<std::string>& notes) {
  const Format in = parseFormat(p.in);
  std::vector<Vec> out;
  auto zeros = [&] {
    Vec v;
    v.a.assign(size_t(p.n), 0);
    v.b.assign(size_t(p.n), 0);
    return v;
  };
  auto eval = [&](const Params& q, const Vec& v) { return restated(q, v.a.data(), v.b.data(), v.c); };

  // A zero product with a large b sets the maximum exponent, truncating a tiny c (excluded zeros would not).
  {
    Vec v = zeros();
    v.b[0] = largestPow2(in);
    v.c = 0x00ffffffu;  // (2 - 2^-23) * 2^-126
    Params q = p;
    q.zeroRule = false;
    if (eval(p, v) != eval(q, v)) {
      v.why = "zero-operand exponent -126";
      out.push_back(v);
    } else {
      notes.push_back("zero-operand exponent: no effect for " + p.in + " at F " + std::to_string(p.F));
    }
  }
  // A sum beyond fp32's range: Inf, where IEEE truncation gives max finite (bf16 only; narrower products
  // cannot reach 2^128).
  if (in.emax() >= 64) {
    Vec v = zeros();
    for (int i = 0; i < 2; ++i) v.a[size_t(i)] = v.b[size_t(i)] = in.maxFiniteMag();
    v.why = "overflow to +Inf";
    EXPECT_EQ(eval(p, v), 0x7f800000u);
    out.push_back(v);
    v.a[0] |= in.signBit();
    v.a[1] |= in.signBit();
    v.why = "overflow to -Inf";
    EXPECT_EQ(eval(p, v), 0xff800000u);
    out.push_back(v);
  }
  // Every term -0: +0 (IEEE: -0).
  {
    Vec v = zeros();
    for (int i = 0; i < p.n; ++i) v.a[size_t(i)] = in.signBit();
    v.c = 0x80000000u;
    v.why = "-0 terms give +0";
    EXPECT_EQ(eval(p, v), 0u);
    out.push_back(v);
  }
  // 1 - 1 - tiny, the tiny product truncated away: +0.
  {
    Vec v = zeros();
    v.c = 0x3f800000u;
    v.a[0] = one(in) | in.signBit();
    v.b[0] = one(in);
    v.a[1] = in.signBit() | in.minSubnormalMag();
    v.b[1] = in.minSubnormalMag();
    const nfo::Val t = nfo::decodeSpec(in, in.minSubnormalMag());  // sig 1: the value is 2^exp
    if (2 * t.exp < -p.F) {  // the tiny product lies below 2^-F
      v.why = "negative sum truncated to zero gives +0";
      EXPECT_EQ(eval(p, v), 0u);
      out.push_back(v);
    } else {
      notes.push_back("truncation to zero: " + p.in + "'s smallest product is not below 2^-F");
    }
  }
  // Split k against one fused group, and F against F - 1 and F + 1.
  if (p.group < p.n) {
    Params q = p;
    q.group = p.n;
    if (auto v = search(p, [&](const Vec& x) { return eval(p, x) != eval(q, x); }, 11)) {
      v->why = "split k (groups of " + std::to_string(p.group) + ") vs one fused group";
      out.push_back(*v);
    } else {
      ADD_FAILURE() << p.name << ": no vector separates split k from one group";
    }
  }
  Params lo = p, hi = p;
  lo.F = p.F - 1;
  hi.F = p.F + 1;
  if (auto v = search(p, [&](const Vec& x) { return eval(p, x) != eval(lo, x); }, 12)) {
    v->why = "F " + std::to_string(p.F) + " vs F - 1";
    out.push_back(*v);
  } else {
    ADD_FAILURE() << p.name << ": no vector separates F from F - 1";
  }
  if (auto v = search(p, [&](const Vec& x) { return eval(p, x) != eval(hi, x); }, 13)) {
    v->why = "F " + std::to_string(p.F) + " vs F + 1";
    out.push_back(*v);
  } else {
    ADD_FAILURE() << p.name << ": no vector separates F from F + 1";
  }
  // Specials: NaN (canonical), 0 x Inf where the format has Inf, Inf - Inf.
  {
    Vec v = zeros();
    v.c = 0x7fc00001u;
    v.why = "NaN c gives 0x7fffffff";
    EXPECT_EQ(eval(p, v), p.amd ? 0x7fc00000u : 0x7fffffffu);  // AMD: MMA-Sim's NaN, IEEE's canonical here
    out.push_back(v);
    if (in.hasInf()) {
      v.c = 0;
      v.a[0] = in.infMag();
      v.why = "0 x Inf gives 0x7fffffff";
      out.push_back(v);
      v.b[0] = one(in);
      v.c = 0xff800000u;
      v.why = "Inf - Inf gives 0x7fffffff";
      out.push_back(v);
    }
  }
  if (p.amd) amdVectors(p, out);
  return out;
}

std::unique_ptr<Unit> presetUnit(const std::string& name) { return buildUnit("fdot", {"--emulate", name}); }

TEST(FdotPresets, TableStatesMmaSimParameters) {
  ASSERT_EQ(tensorCorePresets().size(), expectedParams().size());
  for (const Params& p : expectedParams()) {
    const TensorCorePreset* t = findTensorCorePreset(p.name);
    ASSERT_NE(t, nullptr) << p.name;
    if (p.amd) {  // amd.py: groups of min(8, k), n_fractional_bits 24, RNE; amd_fused_dot_rd_add's rules
      EXPECT_EQ(t->a, p.in);
      EXPECT_EQ(t->c, "fp32");
      EXPECT_EQ(t->out, "fp32");
      EXPECT_EQ(t->n, p.n);
      EXPECT_EQ(t->group, p.group);
      EXPECT_EQ(t->alignBits, p.F);
      EXPECT_EQ(t->outFracBits, 0);
      EXPECT_EQ(t->round, Rounding::RNE);
      EXPECT_EQ(t->rules.zeroExp, std::optional<int>(-126));
      ASSERT_TRUE(t->rules.twoLevel.has_value());
      EXPECT_EQ(t->rules.twoLevel->sumBits, p.sumBits);
      EXPECT_EQ(t->rules.twoLevel->addendBits, p.cBits);
      EXPECT_TRUE(t->rules.productOverflowToInf && t->rules.positiveZero);
      EXPECT_FALSE(t->rules.overflowToInf || t->rules.canonicalNaN || t->rules.convertC);  // amd.py: sum = C[i, j]
      EXPECT_NE(t->source.find("amd_fused_dot_rd_add"), std::string::npos);
      continue;
    }
    EXPECT_EQ(t->a, p.in);
    EXPECT_EQ(t->b, p.in);
    EXPECT_EQ(t->c, "fp32");
    EXPECT_EQ(t->out, "fp32");
    EXPECT_EQ(t->n, p.n);
    EXPECT_EQ(t->group ? t->group : t->n, p.group) << p.name;
    EXPECT_EQ(t->alignBits, p.F) << p.name;
    EXPECT_EQ(t->outFracBits ? t->outFracBits : 23, p.outFrac) << p.name;
    EXPECT_EQ(t->round, Rounding::RTZ);
    EXPECT_EQ(t->rules.zeroExp, std::optional<int>(-126));
    EXPECT_TRUE(t->rules.overflowToInf && t->rules.canonicalNaN && t->rules.positiveZero);
    // nv.py: MMASim (mma.sync) converts C to D's type first, WGMMASim and TCGen05MMASim do not.
    EXPECT_EQ(t->rules.convertC, p.name.find("-mma-") != std::string::npos) << p.name;
    EXPECT_NE(t->source.find("2511.10909"), std::string::npos);
  }
}

class FdotPreset : public ::testing::TestWithParam<Params> {};

// The model against the restatement: the directed vectors, the unit's corner vectors and seeded random ones;
// then the directed vectors through the RTL with the restatement's bits as expectations.
TEST_P(FdotPreset, DirectedVectorsMatchTheRestatedRule) {
  const Params& p = GetParam();
  const auto unit = presetUnit(p.name);
  std::vector<std::string> notes;
  const std::vector<Vec> directed = directedVectors(p, notes);
  for (const std::string& n : notes) std::cout << "[note] " << p.name << ": " << n << "\n";
  EXPECT_GE(directed.size(), 4u);
  int failures = 0;
  auto check = [&](const std::vector<uint32_t>& in, const std::string& why) {
    uint32_t out[2] = {0, 0};
    unit->emulate(in.data(), out);
    const uint32_t want = restated(p, in.data(), in.data() + p.n, in[size_t(2 * p.n)]);
    if (out[0] != want && ++failures <= 5)
      ADD_FAILURE() << p.name << " (" << why << ") inputs " << verif::describeInputs(*unit, in.data()) << "\n  model 0x"
                    << std::hex << out[0] << " restated 0x" << want << std::dec;
  };
  for (const Vec& v : directed) check(inputsOf(v), v.why);
  for (const auto& v : unit->cornerVectors()) check(v, "corner");
  std::mt19937_64 rng(5);
  const Format in = parseFormat(p.in);
  for (int k = 0; k < 3000; ++k) {
    std::vector<uint32_t> v = inputsOf(nearOne(p, in, rng));
    if (k % 2) for (int i = 0; i < 2 * p.n; ++i) v[size_t(i)] = uint32_t(rng()) & in.mask();
    check(v, "random");
  }
  EXPECT_EQ(failures, 0);

  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  const std::string path = std::string(NF_BINARY_DIR) + "/fdot_preset_" + p.name + ".vec";
  {
    std::ofstream f(path);
    for (const Vec& v : directed) {
      for (uint32_t w : inputsOf(v)) f << std::hex << w << " ";
      f << std::hex << restated(p, v.a.data(), v.b.data(), v.c) << "\n";
    }
  }
  verif::CosimOptions opt = test::quickCosimOptions();
  opt.mode = verif::CosimOptions::Mode::Vectors;
  opt.vectorsPath = path;
  opt.checkNans = true;
  const verif::CosimReport r = verif::runCosim(*unit, opt);
  EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
  EXPECT_EQ(r.vectors, directed.size());
}

// Seeded random co-simulation of the preset's RTL against the model (the model checked above).
TEST_P(FdotPreset, RtlMatchesTheModel) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  const auto unit = presetUnit(GetParam().name);
  verif::CosimOptions opt = test::quickCosimOptions();
  opt.mode = verif::CosimOptions::Mode::Random;
  opt.count = 3000;
  opt.seed = 9;
  opt.checkNans = true;
  const verif::CosimReport r = verif::runCosim(*unit, opt);
  EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
  EXPECT_GE(r.vectors, 3000u);
}

INSTANTIATE_TEST_SUITE_P(Presets, FdotPreset, ::testing::ValuesIn(expectedParams()), [](const auto& info) {
  std::string s = info.param.name;
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
});

// The rules one at a time, against IEEE defaults: each changes what its directed vector gives.
TEST(FdotPresets, RulesAreOrthogonalOptions) {
  const Format bf16 = parseFormat("bf16");
  std::vector<uint32_t> in(33, 0);
  in[0] = in[1] = in[16] = in[17] = bf16.maxFiniteMag();  // a0 a1, b0 b1: a sum beyond fp32
  const std::vector<std::string> base = {"--n", "16", "--a", "bf16", "--c", "fp32", "--out", "fp32", "--accum",
                                         "align", "--align-bits", "25"};
  auto run = [&](std::vector<std::string> extra, const std::vector<uint32_t>& v) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    uint32_t out[2];
    buildUnit("fdot", args)->emulate(v.data(), out);
    return out[0];
  };
  EXPECT_EQ(run({}, in), 0x7f7fffffu);                      // IEEE rtz: max finite
  EXPECT_EQ(run({"--overflow", "inf"}, in), 0x7f800000u);   // the rule
  std::vector<uint32_t> negZero(33, 0);
  for (int i = 0; i < 16; ++i) negZero[size_t(i)] = bf16.signBit();
  negZero[32] = 0x80000000u;
  EXPECT_EQ(run({}, negZero), 0x80000000u);
  EXPECT_EQ(run({"--zero-sign", "positive"}, negZero), 0u);
  std::vector<uint32_t> nan(33, 0);
  nan[32] = 0x7f800001u;
  EXPECT_EQ(run({}, nan), fp32().canonicalNaN());
  EXPECT_EQ(run({"--nan", "ones"}, nan), 0x7fffffffu);
  std::vector<uint32_t> tiny(33, 0);
  tiny[16] = largestPow2(bf16);
  tiny[32] = 0x00ffffffu;
  EXPECT_EQ(run({}, tiny), 0x00ffffffu);
  EXPECT_EQ(run({"--zero-exp", "-126"}, tiny), 0u);  // 2^-126 x 2^127: c lies below the kept bits
  std::vector<uint32_t> bigProduct(33, 0);
  bigProduct[0] = bigProduct[16] = 0x5f80;  // 2^64 x 2^64 = 2^128
  bigProduct[32] = 0xff7fffffu;             // - (2^128 - 2^104)
  EXPECT_EQ(run({}, bigProduct), 0x73800000u);  // 2^104, exact
  EXPECT_EQ(run({"--product-overflow", "inf"}, bigProduct), 0x7f800000u);
  std::vector<uint32_t> cBelow(33, 0);
  cBelow[0] = cBelow[16] = 0x4180;  // 2^4 x 2^4 = 2^8
  cBelow[32] = 0xbf800001u;         // -(1 + 2^-23)
  EXPECT_EQ(run({}, cBelow), 0x437f0000u);  // c truncated toward zero at 2^-17: 255
  EXPECT_EQ(run({"--two-level", "31,24"}, cBelow), 0x437effffu);  // c floored at 2^-16: 255 - 2^-16
}

// --c-to-out rne (c rounded to z's format first) against the default (c exact) where it matters: fp32 c
// 1 + 2^-11 is a tie in fp16 and rounds to 1, so with the product 2^-20 the sum rounds to 1 (0x3c00); taken
// exactly, 1 + 2^-11 + 2^-20 lies above the tie and rounds to 1 + 2^-10 (0x3c01). Model and RTL.
TEST(FdotPresets, CConversionRuleDirected) {
  const std::vector<std::string> base = {"--n", "2", "--a", "fp16", "--c", "fp32", "--out", "fp16", "--accum",
                                         "align", "--align-bits", "25", "--round", "rne"};
  const std::vector<uint32_t> in = {0x1400, 0, 0x1400, 0, 0x3f801000u};  // a0 = b0 = 2^-10; c = 1 + 2^-11
  for (const bool convert : {false, true}) {
    std::vector<std::string> args = base;
    if (convert) args.insert(args.end(), {"--c-to-out", "rne"});
    const auto unit = buildUnit("fdot", args);
    const uint32_t want = convert ? 0x3c00u : 0x3c01u;
    uint32_t out[2] = {0, 0};
    unit->emulate(in.data(), out);
    EXPECT_EQ(out[0], want) << "convert " << convert;
    if (!test::haveTool("verilator")) continue;
    const std::string path = std::string(NF_BINARY_DIR) + "/fdot_c_to_out_" + std::to_string(convert) + ".vec";
    {
      std::ofstream f(path);
      for (uint32_t w : in) f << std::hex << w << " ";
      f << std::hex << want << "\n";
    }
    verif::CosimOptions opt = test::quickCosimOptions();
    opt.mode = verif::CosimOptions::Mode::Vectors;
    opt.vectorsPath = path;
    verif::CosimReport r = verif::runCosim(*unit, opt);
    EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
    EXPECT_EQ(r.vectors, 1u);
    if (!convert) continue;
    opt.mode = verif::CosimOptions::Mode::Random;  // and the converting unit's RTL against its model
    opt.count = 3000;
    opt.seed = 11;
    r = verif::runCosim(*unit, opt);
    EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
  }
}

// The AMD rules' flags (a NaN input before products beyond range, which alone give Inf or NaN) co-simulated.
TEST(FdotPresets, AmdRulesWithFlagsCosimulate) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  const auto unit = buildUnit("fdot", {"--n", "4", "--a", "bf16", "--c", "bf16", "--out", "fp32", "--accum", "align",
                                       "--two-level", "31,24", "--product-overflow", "inf", "--zero-exp", "-126",
                                       "--flags"});
  verif::CosimOptions opt = test::quickCosimOptions();
  opt.mode = verif::CosimOptions::Mode::Random;
  opt.count = 3000;
  opt.seed = 10;
  const verif::CosimReport r = verif::runCosim(*unit, opt);
  EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
  EXPECT_GE(r.vectors, 3000u);
}

TEST(FdotPresets, BadInput) {
  try {
    presetUnit("hopper-wgmma-e9m9");
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("--emulate"), std::string::npos) << m;
    EXPECT_NE(m.find("hopper-wgmma-e4m3"), std::string::npos) << m;  // lists the accepted names
  }
  auto refused = [](std::vector<std::string> args, const std::vector<std::string>& mentions) {
    try {
      buildUnit("fdot", args);
      ADD_FAILURE() << "no error";
    } catch (const UsageError& e) {
      for (const std::string& w : mentions) EXPECT_NE(std::string(e.what()).find(w), std::string::npos) << e.what();
    }
  };
  refused({"--emulate", "hopper-wgmma-e4m3", "--align-bits", "24"}, {"--align-bits", "--emulate", "13"});
  refused({"--emulate", "ampere-mma-bf16", "--group", "16"}, {"--group", "ampere-mma-bf16", "8"});
  refused({"--emulate", "hopper-wgmma-bf16", "--a", "fp16"}, {"--a", "bf16"});
  refused({"--emulate", "hopper-wgmma-bf16", "--round", "rne"}, {"--round", "rtz"});
  refused({"--emulate", "hopper-wgmma-bf16", "--accum", "exact"}, {"--accum", "align"});
  refused({"--n", "4", "--a", "e4m3", "--out", "fp32", "--overflow", "inf"}, {"--overflow", "--accum align"});
  refused({"--n", "4", "--a", "e4m3", "--out", "fp32", "--accum", "align", "--nan", "canonical"}, {"--nan", "ones"});
  refused({"--n", "4", "--a", "e4m3", "--out", "fp32", "--accum", "align", "--zero-exp", "low"}, {"--zero-exp"});
  refused({"--n", "4", "--a", "e4m3", "--out", "fp32", "--accum", "align", "--out-frac-bits", "23"},
          {"--out-frac-bits", "1..22"});
  const std::vector<std::string> align = {"--n", "4", "--a", "bf16", "--out", "fp32", "--accum", "align"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> v = align;
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
  };
  refused(with({"--two-level", "31"}), {"--two-level", "S,C", "1..60"});
  refused(with({"--two-level", "0,24"}), {"--two-level", "1..60"});
  refused(with({"--two-level", "31,024"}), {"--two-level", "1..60"});
  refused(with({"--product-overflow", "yes"}), {"--product-overflow", "ieee", "inf"});
  refused(with({"--c-to-out", "yes"}), {"--c-to-out", "off", "rne"});
  refused({"--n", "4", "--a", "bf16", "--c", "fp32", "--out", "fp16", "--c-to-out", "rne"}, {"--c-to-out", "--accum align"});
  refused({"--n", "4", "--a", "bf16", "--out", "fp32", "--two-level", "31,24"}, {"--two-level", "--accum align"});
  refused({"--n", "4", "--a", "bf16", "--out", "e4m3", "--accum", "align", "--product-overflow", "inf"},
          {"--product-overflow", "Inf"});
  refused({"--emulate", "cdna3-mfma-bf16", "--two-level", "30,24"}, {"--two-level", "cdna3-mfma-bf16", "31,24"});
  refused({"--emulate", "cdna3-mfma-bf16", "--round", "rtz"}, {"--round", "rne"});
  EXPECT_NO_THROW(buildUnit("fdot", {"--emulate", "cdna3-mfma-f16", "--two-level", "31,24", "--round", "rne"}));
  // Repeating a preset's own value is accepted.
  EXPECT_NO_THROW(buildUnit("fdot", {"--emulate", "hopper-wgmma-e4m3", "--n", "32", "--align-bits", "13"}));
  // The command line: exit status 2, no output directory written.
  std::string out;
  const std::string dir = std::string(NF_BINARY_DIR) + "/fdot_presets_bad";
  EXPECT_EQ(test::runCommand(std::string(NF_BINARY_DIR) + "/numforge gen fdot --emulate volta -o " + dir, out), 2);
  EXPECT_NE(out.find("volta-mma-f16"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(FdotPresets, PresetsCommandListsThem) {
  std::string out;
  ASSERT_EQ(test::runCommand(std::string(NF_BINARY_DIR) + "/numforge presets", out), 0) << out;
  for (const Params& p : expectedParams()) EXPECT_NE(out.find(p.name), std::string::npos) << p.name;
  EXPECT_NE(out.find("2511.10909"), std::string::npos);
  ASSERT_EQ(test::runCommand(std::string(NF_BINARY_DIR) + "/numforge presets --json", out), 0) << out;
  const nlohmann::json j = nlohmann::json::parse(out);
  ASSERT_EQ(j.size(), expectedParams().size());
  EXPECT_EQ(j[4]["name"], "hopper-wgmma-e4m3");
  EXPECT_EQ(j[4]["align_bits"], 13);
  EXPECT_EQ(j[4]["out_frac_bits"], 13);
}

}  // namespace
}  // namespace nf
