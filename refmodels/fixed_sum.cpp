// Exact fixed-point sums; see fixed_sum.h.
#include "refmodels/fixed_sum.h"

#include <algorithm>
#include <bit>

namespace nf {

TermRange valueRange(const Format& f) { return {f.emin() - f.manBits, f.emax()}; }

TermRange productRange(const Format& a, const Format& b) {
  const TermRange ra = valueRange(a), rb = valueRange(b);
  // Each factor is below 2^(msb+1), so the product is below 2^(msbA+msbB+2).
  return {ra.lsbExp + rb.lsbExp, ra.msbExp + rb.msbExp + 1};
}

TermRange unionRange(const TermRange& x, const TermRange& y) {
  return {std::min(x.lsbExp, y.lsbExp), std::max(x.msbExp, y.msbExp)};
}

FixedLayout fixedLayout(const TermRange& r, int carryBits) {
  return {r.lsbExp, r.msbExp - r.lsbExp + 1 + carryBits + 1};
}

void SumSpecials::merge(const SumSpecials& o) {
  nan = nan || o.nan;
  posInf = posInf || o.posInf;
  negInf = negInf || o.negInf;
  invalid = invalid || o.invalid;
  anyNonzero = anyNonzero || o.anyNonzero;
  anyZero = anyZero || o.anyZero;
  allZerosNegative = allZerosNegative && o.allZerosNegative;
  anyZeroNegative = anyZeroNegative || o.anyZeroNegative;
}

FixedSum::FixedSum(FixedLayout layout) : layout_(layout) {
  // One spare limb above the register so a 64-bit term shifted to its top still fits before wrapping.
  limbs_.assign(size_t(layout.width + 63) / 64 + 2, 0);
}

void FixedSum::clear() { std::fill(limbs_.begin(), limbs_.end(), 0); }

bool FixedSum::isNegative() const { return limbs_.back() >> 63; }

bool FixedSum::isZero() const {
  return std::all_of(limbs_.begin(), limbs_.end(), [](uint64_t x) { return x == 0; });
}

void FixedSum::wrap() {
  const int top = layout_.width - 1;  // the sign bit
  const size_t limb = size_t(top / 64);
  const int bit = top % 64;
  const bool neg = (limbs_[limb] >> bit) & 1u;
  const uint64_t above = bit == 63 ? 0 : ~uint64_t(0) << (bit + 1);
  limbs_[limb] = neg ? (limbs_[limb] | above) : (limbs_[limb] & ~above);
  for (size_t i = limb + 1; i < limbs_.size(); ++i) limbs_[i] = neg ? ~uint64_t(0) : 0;
}

bool FixedSum::add(bool negative, uint64_t mag, int exp) {
  const int offset = exp - layout_.lsbExp;
  const size_t limb = size_t(offset / 64);
  const int bit = offset % 64;
  const uint64_t lo = mag << bit, hi = bit ? mag >> (64 - bit) : 0;
  const size_t n = limbs_.size();
  if (!negative) {
    unsigned __int128 carry = 0;
    for (size_t i = limb; i < n; ++i) {
      const uint64_t addend = i == limb ? lo : i == limb + 1 ? hi : 0;
      const unsigned __int128 s = (unsigned __int128)limbs_[i] + addend + carry;
      limbs_[i] = uint64_t(s);
      carry = s >> 64;
      if (i > limb + 1 && carry == 0) break;
    }
  } else {
    uint64_t borrow = 0;
    for (size_t i = limb; i < n; ++i) {
      const uint64_t sub = i == limb ? lo : i == limb + 1 ? hi : 0;
      const uint64_t x = limbs_[i];
      const uint64_t d = x - sub - borrow;
      borrow = (x < sub) || (x - sub < borrow) ? 1 : 0;
      limbs_[i] = d;
      if (i > limb + 1 && borrow == 0) break;
    }
  }
  // In range iff every bit from the sign bit up agrees.
  const int top = layout_.width - 1;
  const size_t tl = size_t(top / 64);
  const int tb = top % 64;
  const bool neg = (limbs_[tl] >> tb) & 1u;
  const uint64_t above = tb == 63 ? 0 : ~uint64_t(0) << (tb + 1);
  bool ok = (limbs_[tl] & above) == (neg ? above : 0);
  for (size_t i = tl + 1; ok && i < n; ++i) ok = limbs_[i] == (neg ? ~uint64_t(0) : 0);
  if (!ok) wrap();
  return ok;
}

Packed FixedSum::round(const Format& out, const RoundOptions& opt, bool zeroSign) const {
  if (isZero()) return packZero(zeroSign, out);
  const bool neg = isNegative();
  std::vector<uint64_t> mag = limbs_;
  if (neg) {
    uint64_t carry = 1;
    for (uint64_t& x : mag) {
      x = ~x + carry;
      carry = carry && x == 0;
    }
  }
  size_t top = mag.size() - 1;
  while (mag[top] == 0) --top;
  const int msb = int(top) * 64 + 63 - std::countl_zero(mag[top]);
  auto bitsFrom = [&](int lo) {  // 64 bits starting at bit lo
    const size_t l = size_t(lo / 64);
    const int b = lo % 64;
    uint64_t v = mag[l] >> b;
    if (b && l + 1 < mag.size()) v |= mag[l + 1] << (64 - b);
    return v;
  };
  if (msb < 64) return roundPack<uint64_t>(neg, layout_.lsbExp, mag[0], false, out, opt);
  const int lo = msb - 63;
  bool sticky = false;
  for (int l = 0; l < lo / 64 && !sticky; ++l) sticky = mag[size_t(l)] != 0;
  if (lo % 64) sticky = sticky || (mag[size_t(lo / 64)] & ((uint64_t(1) << (lo % 64)) - 1u)) != 0;
  return roundPack<uint64_t>(neg, layout_.lsbExp + lo, bitsFrom(lo), sticky, out, opt);
}

FpOperand decodeOperand(const Format& f, uint32_t bits) { return {f.decode(bits), f.isSignalingNaN(bits)}; }

bool addProductTerm(FixedSum& sum, SumSpecials& sp, const FpOperand& a, const FpOperand& b) {
  const bool sign = a.d.sign != b.d.sign;
  if (a.d.cls == FpClass::NaN || b.d.cls == FpClass::NaN) {
    sp.nan = true;
    sp.invalid = sp.invalid || a.signaling || b.signaling;
    return true;
  }
  const bool aInf = a.d.cls == FpClass::Inf, bInf = b.d.cls == FpClass::Inf;
  const bool aZero = a.d.cls == FpClass::Zero, bZero = b.d.cls == FpClass::Zero;
  if (aInf || bInf) {
    if (aZero || bZero) {
      sp.nan = sp.invalid = true;
    } else {
      (sign ? sp.negInf : sp.posInf) = true;
    }
    return true;
  }
  if (aZero || bZero) {
    sp.addZero(sign);
    return true;
  }
  sp.anyNonzero = true;
  return sum.add(sign, a.d.sig * b.d.sig, a.d.exp + b.d.exp);
}

bool addValueTerm(FixedSum& sum, SumSpecials& sp, const FpOperand& x) {
  switch (x.d.cls) {
    case FpClass::NaN:
      sp.nan = true;
      sp.invalid = sp.invalid || x.signaling;
      return true;
    case FpClass::Inf: (x.d.sign ? sp.negInf : sp.posInf) = true; return true;
    case FpClass::Zero: sp.addZero(x.d.sign); return true;
    default: sp.anyNonzero = true; return sum.add(x.d.sign, x.d.sig, x.d.exp);
  }
}

Packed finishSum(const FixedSum& sum, const SumSpecials& sp, const Format& out, const RoundOptions& opt) {
  const bool infMinusInf = sp.posInf && sp.negInf;
  if (sp.nan || infMinusInf) return packNaN(out, sp.invalid || infMinusInf ? kFlagInvalid : 0);
  if (sp.posInf || sp.negInf) return packInfinity(sp.negInf, out, opt);
  return sum.round(out, opt, sp.zeroSign(opt.mode));
}

}  // namespace nf
