#include "refmodels/fdot.h"

#include "refmodels/fcvt.h"

#include <algorithm>
#include <array>
#include <climits>

namespace nf {

int alignExponentOfValue(const Format& f, const Decoded& d) { return d.exp + f.manBits; }

Packed applyAlignRules(const AlignRules& r, const Format& out, Packed p) {
  const FpClass cls = out.classify(p.bits);
  const uint32_t sign = p.bits & out.signBit();
  if (r.overflowToInf && (p.flags & kFlagOverflow) && cls != FpClass::Inf && cls != FpClass::NaN)
    p.bits = sign | out.infMag();
  else if (r.canonicalNaN && cls == FpClass::NaN)
    p.bits = out.magMask();
  else if (r.positiveZero && cls == FpClass::Zero)
    p.bits = 0;
  return p;
}

bool convertsAddend(const FdotSpec& s) {
  return s.accum == FdotSpec::Accum::Align && s.rules.convertC && s.c && s.c->name != s.zFormat().name;
}

uint32_t widenResult(const AlignRules& r, const Format& out, const Format& port, uint32_t bits) {
  if (r.canonicalNaN && out.classify(bits) == FpClass::NaN) return port.magMask();
  return bits << (port.manBits - out.manBits);
}

namespace {

struct Term {
  bool negative;
  unsigned __int128 mag;
  int lsbExp;    // value = mag * 2^lsbExp
  int alignExp;  // the exponent the alignment compares
  bool addend;   // c (or the previous group's result), not a product
};

// v * 2^shift rounded toward -Inf (an arithmetic right shift floors).
__int128 floorShift(__int128 v, int shift) {
  if (shift >= 0) return v << shift;
  if (shift <= -127) return v < 0 ? -1 : 0;
  return v >> -shift;
}

// Whether the exact product sig * 2^lsbExp reaches 2^threshold.
bool productReaches(uint64_t sig, int lsbExp, int threshold) {
  return sig != 0 && 63 - __builtin_clzll(sig) + lsbExp >= threshold;
}

// The two-level alignment (AlignRules::TwoLevel): the products truncated toward zero to alignBits below
// their own largest exponent and summed; that sum floored onto sumBits and the addend floored onto
// addendBits fraction bits below max(e_products, e_addend); the two added and rounded once.
Packed twoLevelSum(const FdotSpec& s, const Term* begin, const Term* end, const RoundOptions& opt, bool zeroSign) {
  const AlignRules::TwoLevel& tl = *s.rules.twoLevel;
  int eProducts = INT_MIN;
  const Term* addend = nullptr;
  for (const Term* t = begin; t != end; ++t)
    if (t->addend) addend = t;
    else eProducts = std::max(eProducts, t->alignExp);
  const int emax = addend ? std::max(eProducts, addend->alignExp) : eProducts;
  const int unitExp = emax - std::max(tl.sumBits, tl.addendBits);  // the finer of the two grids
  __int128 acc = 0;
  if (eProducts != INT_MIN) {
    const int productUnit = eProducts - s.alignBits;
    __int128 products = 0;
    for (const Term* t = begin; t != end; ++t) {
      if (t->addend) continue;
      const __int128 q = floorShift(__int128(t->mag), t->lsbExp - productUnit);  // magnitudes: toward zero
      products += t->negative ? -q : q;
    }
    const int sumUnit = emax - tl.sumBits;
    acc += floorShift(floorShift(products, productUnit - sumUnit), sumUnit - unitExp);
  }
  if (addend) {
    const int addendUnit = emax - tl.addendBits;
    const __int128 c = addend->negative ? -__int128(addend->mag) : __int128(addend->mag);
    acc += floorShift(floorShift(c, addend->lsbExp - addendUnit), addendUnit - unitExp);
  }
  if (acc == 0) return packZero(zeroSign, s.out);
  const bool neg = acc < 0;
  return roundPack<unsigned __int128>(neg, unitExp, neg ? (unsigned __int128)(-acc) : (unsigned __int128)acc, false,
                                      s.out, opt);
}

// One fused group: `addend` (decoded in its format, or absent) plus products [first, first + count).
Packed fusedGroup(const FdotSpec& s, const Format* addendFormat, uint32_t addendBits, const uint32_t* a,
                  const uint32_t* b, int first, int count, Rounding mode) {
  RoundOptions opt = s.round;
  opt.mode = mode;
  SumSpecials sp;
  // At most 32 products and an addend: a fixed array keeps the co-simulation's hot loop free of allocation.
  struct Terms {
    std::array<Term, 40> v;
    size_t n = 0;
    void push_back(const Term& t) { v[n++] = t; }
    bool empty() const { return n == 0; }
    const Term* begin() const { return v.data(); }
    const Term* end() const { return v.data() + n; }
  } terms;
  auto classify = [&](const FpOperand& x) {  // value terms
    switch (x.d.cls) {
      case FpClass::NaN: sp.nan = true; sp.invalid = sp.invalid || x.signaling; return false;
      case FpClass::Inf: (x.d.sign ? sp.negInf : sp.posInf) = true; return false;
      case FpClass::Zero: sp.addZero(x.d.sign); return false;
      default: sp.anyNonzero = true; return true;
    }
  };
  // align with a zero-exponent rule: a zero takes part in the maximum with that exponent (a zero term).
  const std::optional<int> zeroExp = s.accum == FdotSpec::Accum::Align ? s.rules.zeroExp : std::nullopt;
  auto alignExp = [&](const Format& f, const FpOperand& x) {
    return x.d.cls == FpClass::Zero ? *zeroExp : alignExponentOfValue(f, x.d);
  };
  if (addendFormat) {
    const FpOperand x = decodeOperand(*addendFormat, addendBits);
    if (classify(x))
      terms.push_back({x.d.sign, x.d.sig, x.d.exp, alignExponentOfValue(*addendFormat, x.d), true});
    else if (zeroExp && x.d.cls == FpClass::Zero)
      terms.push_back({x.d.sign, 0, 0, *zeroExp, true});
  }
  const bool align = s.accum == FdotSpec::Accum::Align;
  bool overflowPos = false, overflowNeg = false;  // products beyond out's range under productOverflowToInf
  for (int i = first; i < first + count; ++i) {
    const FpOperand x = decodeOperand(s.a, a[i]), y = decodeOperand(s.b, b[i]);
    // The specials of a product are the exact sum's; a finite nonzero product is a term.
    if (x.d.cls == FpClass::NaN || y.d.cls == FpClass::NaN || x.d.cls == FpClass::Inf ||
        y.d.cls == FpClass::Inf || x.d.cls == FpClass::Zero || y.d.cls == FpClass::Zero) {
      static thread_local FixedSum unused({0, 2});  // never added to: a special product adds no bits
      addProductTerm(unused, sp, x, y);
      if (zeroExp && (x.d.cls == FpClass::Zero || y.d.cls == FpClass::Zero) && x.d.cls != FpClass::NaN &&
          y.d.cls != FpClass::NaN && x.d.cls != FpClass::Inf && y.d.cls != FpClass::Inf)
        terms.push_back({false, 0, 0, alignExp(s.a, x) + alignExp(s.b, y), false});
      continue;
    }
    sp.anyNonzero = true;
    const bool negative = x.d.sign != y.d.sign;
    if (align && s.rules.productOverflowToInf && productReaches(x.d.sig * y.d.sig, x.d.exp + y.d.exp, s.out.emax() + 1)) {
      (negative ? overflowNeg : overflowPos) = true;
      continue;
    }
    terms.push_back({negative, (unsigned __int128)(x.d.sig * y.d.sig), x.d.exp + y.d.exp,
                     alignExponentOfValue(s.a, x.d) + alignExponentOfValue(s.b, y.d), false});
  }
  const bool infMinusInf = sp.posInf && sp.negInf;
  if (sp.nan || infMinusInf) return packNaN(s.out, sp.invalid || infMinusInf ? kFlagInvalid : 0);
  if (sp.posInf || sp.negInf) return packInfinity(sp.negInf, s.out, opt);
  if (overflowPos && overflowNeg) return packNaN(s.out, kFlagInvalid);
  if (overflowPos || overflowNeg) return packInfinity(overflowNeg, s.out, opt);
  if (terms.empty()) return packZero(sp.zeroSign(mode), s.out);

  if (s.accum == FdotSpec::Accum::Exact) {
    TermRange r = productRange(s.a, s.b);
    if (addendFormat) r = unionRange(r, valueRange(*addendFormat));
    if (r.msbExp - r.lsbExp + 8 < 126) {  // the exact sum fits a 128-bit integer
      __int128 acc = 0;
      for (const Term& t : terms) {
        const __int128 v = __int128(t.mag) << (t.lsbExp - r.lsbExp);
        acc += t.negative ? -v : v;
      }
      if (acc == 0) return packZero(sp.zeroSign(mode), s.out);
      const bool neg = acc < 0;
      return roundPack<unsigned __int128>(neg, r.lsbExp, neg ? (unsigned __int128)(-acc) : (unsigned __int128)acc,
                                          false, s.out, opt);
    }
    FixedSum sum(fixedLayout(r, 6));
    for (const Term& t : terms) sum.add(t.negative, uint64_t(t.mag), t.lsbExp);
    return sum.round(s.out, opt, sp.zeroSign(mode));
  }
  // align: every term truncated toward zero to alignBits fraction bits below the largest exponent.
  if (!sp.anyNonzero) return packZero(sp.zeroSign(mode), s.out);
  if (s.rules.twoLevel) return twoLevelSum(s, terms.begin(), terms.end(), opt, sp.zeroSign(mode));
  int emax = INT_MIN;
  for (const Term& t : terms) emax = std::max(emax, t.alignExp);
  const int unitExp = emax - s.alignBits;
  __int128 acc = 0;
  for (const Term& t : terms) {
    const int shift = unitExp - t.lsbExp;
    const unsigned __int128 q = shift <= 0 ? t.mag << -shift : shift >= 127 ? 0 : t.mag >> shift;
    acc += t.negative ? -__int128(q) : __int128(q);
  }
  if (acc == 0) return packZero(sp.zeroSign(mode), s.out);
  const bool neg = acc < 0;
  unsigned __int128 mag = neg ? (unsigned __int128)(-acc) : (unsigned __int128)acc;
  return roundPack<unsigned __int128>(neg, unitExp, mag, false, s.out, opt);
}

}  // namespace

FmaSpec chainLaterStep(const FdotSpec& s) { return accumulatingFma(s.a, s.b, s.out, s.round, s.dynamicRounding); }

FmaSpec chainFirstStep(const FdotSpec& s) {
  FmaSpec f = chainLaterStep(s);
  if (s.c) f.c = *s.c;
  return f;
}

uint32_t chainIdentity(const FdotSpec& s, Rounding mode) {
  return mode == Rounding::RDN || !s.out.hasNegZero() ? 0u : s.out.signBit();
}

Packed fdotModel(const FdotSpec& s, const uint32_t* a, const uint32_t* b, uint32_t c, Rounding mode) {
  if (s.accum == FdotSpec::Accum::Chain) {
    const FmaSpec first = chainFirstStep(s), later = chainLaterStep(s);
    Packed acc = fmaModel(first, a[0], b[0], s.c ? c : chainIdentity(s, mode), mode);
    uint8_t flags = acc.flags;
    for (int i = 1; i < s.n; ++i) {
      acc = fmaModel(later, a[i], b[i], acc.bits, mode);
      flags |= acc.flags;
    }
    acc.flags = flags;
    return acc;
  }
  const int g = s.groupSize();
  Packed acc;
  uint8_t flags = 0;
  const Format* firstAddend = s.c ? &*s.c : nullptr;
  if (convertsAddend(s)) {  // c rounded to z's format first; a narrower sum format (e8m13) reads it exactly
    FcvtSpec cvt;
    cvt.a = *s.c;
    cvt.out = s.zFormat();
    cvt.round.mode = Rounding::RNE;
    c = fcvtModel(cvt, c, Rounding::RNE).bits;
    firstAddend = &s.zFormat();
  }
  for (int k = 0; k < s.groups(); ++k) {
    const Format* addend = k == 0 ? firstAddend : &s.out;
    acc = fusedGroup(s, addend, k == 0 ? c : acc.bits, a, b, k * g, g, mode);
    if (s.accum == FdotSpec::Accum::Align) acc = applyAlignRules(s.rules, s.out, acc);
    flags |= acc.flags;
  }
  acc.flags = flags;
  if (s.port) acc.bits = widenResult(s.rules, s.out, *s.port, acc.bits);
  return acc;
}

FdotFastModel::FdotFastModel(const FdotSpec& s) : s_(s) {
  if (s.accum != FdotSpec::Accum::Exact || s.c || s.groups() != 1 || s.a.width() + s.b.width() > 16) return;
  const TermRange r = productRange(s.a, s.b);
  if (r.msbExp - r.lsbExp + 1 + 6 > 62) return;
  lsbExp_ = r.lsbExp;
  bBits_ = s.b.width();
  table_.resize(size_t(1) << (s.a.width() + s.b.width()));
  for (uint32_t a = 0; a <= s.a.mask(); ++a) {
    for (uint32_t b = 0; b <= s.b.mask(); ++b) {
      const FpOperand x = decodeOperand(s.a, a), y = decodeOperand(s.b, b);
      Entry e{0, 0};
      const bool neg = x.d.sign != y.d.sign;
      const bool xn = x.d.cls == FpClass::NaN, yn = y.d.cls == FpClass::NaN;
      const bool xi = x.d.cls == FpClass::Inf, yi = y.d.cls == FpClass::Inf;
      const bool xz = x.d.cls == FpClass::Zero, yz = y.d.cls == FpClass::Zero;
      if (xn || yn) {
        e.cls = kNan | ((x.signaling || y.signaling) ? kInvalid : 0);
      } else if (xi || yi) {
        e.cls = (xz || yz) ? (kNan | kInvalid) : (neg ? kNegInf : kPosInf);
      } else if (xz || yz) {
        e.cls = kZero | (neg ? kZeroNeg : 0);
      } else {
        const int64_t v = int64_t(x.d.sig * y.d.sig) << (x.d.exp + y.d.exp - lsbExp_);
        e.value = neg ? -v : v;
      }
      table_[(size_t(a) << bBits_) | b] = e;
    }
  }
}

Packed FdotFastModel::operator()(const uint32_t* a, const uint32_t* b, Rounding mode) const {
  RoundOptions opt = s_.round;
  opt.mode = mode;
  int64_t acc = 0;
  uint8_t any = 0;
  bool allZeroNeg = true, nonzero = false;
  for (int i = 0; i < s_.n; ++i) {
    const Entry& e = table_[(size_t(a[i]) << bBits_) | b[i]];
    acc += e.value;
    any |= e.cls;
    const bool zero = e.cls & kZero;
    allZeroNeg = allZeroNeg && (!zero || (e.cls & kZeroNeg));
    nonzero = nonzero || (e.cls & (kNan | kPosInf | kNegInf | kZero)) == 0;
  }
  const bool infMinusInf = (any & kPosInf) && (any & kNegInf);
  if ((any & kNan) || infMinusInf) return packNaN(s_.out, (any & kInvalid) || infMinusInf ? kFlagInvalid : 0);
  if (any & (kPosInf | kNegInf)) return packInfinity(any & kNegInf, s_.out, opt);
  if (acc == 0) {
    const bool rdn = mode == Rounding::RDN;
    const bool sign = nonzero ? rdn : ((any & kZero) && (allZeroNeg || (rdn && (any & kZeroNeg))));
    return packZero(sign, s_.out);
  }
  const bool neg = acc < 0;
  return roundPack<uint64_t>(neg, lsbExp_, neg ? uint64_t(-acc) : uint64_t(acc), false, s_.out, opt);
}

}  // namespace nf
