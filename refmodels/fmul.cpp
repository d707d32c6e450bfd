#include "refmodels/fmul.h"

namespace nf {

namespace {
Decoded decodeInput(const Format& f, uint32_t bits, bool daz) {
  Decoded d = f.decode(bits);
  if (daz && d.cls == FpClass::Subnormal) {
    d.cls = FpClass::Zero;
    d.sig = 0;
  }
  return d;
}
}  // namespace

Packed fmulModel(const FmulSpec& spec, uint32_t a, uint32_t b, Rounding mode) {
  const Decoded da = decodeInput(spec.a, a, spec.daz);
  const Decoded db = decodeInput(spec.b, b, spec.daz);
  RoundOptions opt = spec.round;
  opt.mode = mode;
  const bool sign = da.sign != db.sign;
  if (da.cls == FpClass::NaN || db.cls == FpClass::NaN) {
    const bool signaling = spec.a.isSignalingNaN(a) || spec.b.isSignalingNaN(b);
    return packNaN(spec.out, signaling ? kFlagInvalid : 0);
  }
  const bool aInf = da.cls == FpClass::Inf, bInf = db.cls == FpClass::Inf;
  const bool aZero = da.cls == FpClass::Zero, bZero = db.cls == FpClass::Zero;
  if (aInf || bInf) {
    if (aZero || bZero) return packNaN(spec.out, kFlagInvalid);
    return packInfinity(sign, spec.out, opt);
  }
  if (aZero || bZero) return packZero(sign, spec.out);
  return roundPack<uint64_t>(sign, da.exp + db.exp, da.sig * db.sig, false, spec.out, opt);
}

}  // namespace nf
