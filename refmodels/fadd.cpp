#include "refmodels/fadd.h"

#include "refmodels/exact_sum.h"

namespace nf {

Packed faddDecoded(const FaddSpec& spec, const FpOperand& a, const FpOperand& b, Rounding mode) {
  const Decoded& da = a.d;
  const Decoded& db = b.d;
  RoundOptions opt = spec.round;
  opt.mode = mode;
  if (da.cls == FpClass::NaN || db.cls == FpClass::NaN)
    return packNaN(spec.out, a.signaling || b.signaling ? kFlagInvalid : 0);
  const bool aInf = da.cls == FpClass::Inf, bInf = db.cls == FpClass::Inf;
  if (aInf && bInf && da.sign != db.sign) return packNaN(spec.out, kFlagInvalid);  // inf - inf
  if (aInf || bInf) return packInfinity(aInf ? da.sign : db.sign, spec.out, opt);
  const WideValue s = exactSum(da.sign, da.exp, da.sig, db.sign, db.exp, db.sig);
  if (s.sig == 0) return packZero(exactZeroSumSign(da.sign, db.sign, mode), spec.out);
  return roundPack<WideSig>(s.sign, s.exp, s.sig, false, spec.out, opt);
}

}  // namespace nf
