#include "refmodels/fmul.h"

namespace nf {

FmulOperand fmulOperand(const Format& f, uint32_t bits, bool daz) {
  FmulOperand o;
  o.d = f.decode(bits);
  o.signaling = f.isSignalingNaN(bits);
  if (daz && o.d.cls == FpClass::Subnormal) {
    o.d.cls = FpClass::Zero;
    o.d.sig = 0;
  }
  return o;
}

Packed fmulDecoded(const FmulSpec& spec, const FmulOperand& a, const FmulOperand& b, Rounding mode) {
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

FmulFastModel::FmulFastModel(const FmulSpec& spec) : spec_(spec) {
  auto table = [&](const Format& f, std::vector<Entry>& t) {
    if (f.width() > 16) return;
    t.resize(size_t(1) << f.width());
    for (uint32_t x = 0; x < t.size(); ++x) {
      const FmulOperand o = fmulOperand(f, x, spec.daz);
      t[x] = {uint32_t(o.d.sig), int16_t(o.d.exp), uint8_t(o.d.cls), uint8_t((o.d.sign ? 1 : 0) | (o.signaling ? 2 : 0))};
    }
  };
  table(spec.a, tableA_);
  table(spec.b, tableB_);
}

}  // namespace nf
