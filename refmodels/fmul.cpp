#include "refmodels/fmul.h"

namespace nf {

Packed fmulDecoded(const FmulSpec& spec, const FpOperand& a, const FpOperand& b, Rounding mode) {
  const Decoded& da = a.d;
  const Decoded& db = b.d;
  RoundOptions opt = spec.round;
  opt.mode = mode;
  const bool sign = da.sign != db.sign;
  if (da.cls == FpClass::NaN || db.cls == FpClass::NaN)
    return packNaN(spec.out, a.signaling || b.signaling ? kFlagInvalid : 0);
  const bool aInf = da.cls == FpClass::Inf, bInf = db.cls == FpClass::Inf;
  const bool aZero = da.cls == FpClass::Zero, bZero = db.cls == FpClass::Zero;
  if (aInf || bInf) {
    if (aZero || bZero) return packNaN(spec.out, kFlagInvalid);
    return packInfinity(sign, spec.out, opt);
  }
  if (aZero || bZero) return packZero(sign, spec.out);
  return roundPack<uint64_t>(sign, da.exp + db.exp, da.sig * db.sig, false, spec.out, opt);
}

FmulFastModel::FmulFastModel(const FmulSpec& spec) : spec_(spec), tableA_(spec.a, spec.daz), tableB_(spec.b, spec.daz) {
  const Format& z = spec.out;
  productBits_ = spec.a.manBits + spec.b.manBits + 2;
  if (!tableA_.tabled() || !tableB_.tabled() || spec.dynamicRounding || productBits_ > 18 ||
      z.kind != FormatKind::Float || !z.isSigned || z.zeroExpIsNormal || z.manBits > 23 || z.manBits < 1)
    return;
  outBias_ = z.bias;
  outMan_ = z.manBits;
  outWidth_ = z.width();
  // Strictly below the top binade: formats whose top binade holds NaN encodings (fn) stay on the full path.
  maxBiasedFast_ = z.emax() + z.bias;
  // A rounded product of biased exponent e is below 2^(e - bias + 1); with e <= -(manBits + 1) that is below
  // half the smallest subnormal, 2^(emin - manBits - 1), where every mode rounds every value alike.
  tinyBiasedFast_ = -(z.manBits + 1);
  for (uint32_t sign = 0; sign < 2; ++sign) {
    overflowResult_[sign] = roundPack<uint64_t>(sign, z.emax() + 8, 1, false, z, spec.round);
    tinyResult_[sign] = roundPack<uint64_t>(sign, z.emin() - z.manBits - 8, 1, false, z, spec.round);
  }
  roundTable_.assign(size_t(2) << productBits_, 0);
  for (uint32_t sign = 0; sign < 2; ++sign) {
    for (uint64_t p = 1; p < (uint64_t(1) << productBits_); ++p) {
      // Round p * 2^k with k chosen so the result is a mid-range normal, then read back where its
      // leading bit ended up: the same roundPack every model uses.
      const int msb = 63 - __builtin_clzll(p);
      const int k = -msb;  // p * 2^k in [1, 2)
      const Packed r = roundPack<uint64_t>(sign, k, p, false, z, spec.round);
      const int biased = int((r.bits & z.magMask()) >> z.manBits);
      const int lead = biased - z.bias - k;  // leading-bit position relative to p's lsb, after rounding
      if (lead < 0 || lead > 63) continue;   // cannot happen for a mid-range normal
      roundTable_[(size_t(sign) << productBits_) | p] =
          (r.bits & ((1u << z.manBits) - 1u)) | (uint32_t(lead) << 24) | (uint32_t(r.flags & kFlagInexact) << 31);
    }
  }
}

}  // namespace nf
