#include "refmodels/fma.h"

#include "refmodels/exact_sum.h"
#include "refmodels/fadd.h"

namespace nf {

Packed fmaDecoded(const FmaSpec& spec, const FpOperand& a, const FpOperand& b, const FpOperand& c, Rounding mode) {
  const Decoded& da = a.d;
  const Decoded& db = b.d;
  const Decoded& dc = c.d;
  RoundOptions opt = spec.round;
  opt.mode = mode;
  const bool aInf = da.cls == FpClass::Inf, bInf = db.cls == FpClass::Inf, cInf = dc.cls == FpClass::Inf;
  const bool aZero = da.cls == FpClass::Zero, bZero = db.cls == FpClass::Zero;
  const bool anyNaN = da.cls == FpClass::NaN || db.cls == FpClass::NaN || dc.cls == FpClass::NaN;
  // 0 x Inf is invalid even when c is a quiet NaN (SoftFloat, RISC-V); a NaN a or b is not 0 x Inf.
  const bool zeroTimesInf = da.cls != FpClass::NaN && db.cls != FpClass::NaN && ((aInf && bZero) || (aZero && bInf));
  if (anyNaN || zeroTimesInf)
    return packNaN(spec.out, a.signaling || b.signaling || c.signaling || zeroTimesInf ? kFlagInvalid : 0);
  const bool pSign = da.sign != db.sign;
  const bool pInf = aInf || bInf;
  if (pInf && cInf && pSign != dc.sign) return packNaN(spec.out, kFlagInvalid);  // inf - inf
  if (pInf || cInf) return packInfinity(pInf ? pSign : dc.sign, spec.out, opt);
  const WideValue s = exactSum(pSign, da.exp + db.exp, da.sig * db.sig, dc.sign, dc.exp, dc.sig);
  if (s.sig == 0) return packZero(exactZeroSumSign(pSign, dc.sign, mode), spec.out);
  return roundPack<WideSig>(s.sign, s.exp, s.sig, false, spec.out, opt);
}

}  // namespace nf
