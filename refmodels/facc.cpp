#include "refmodels/facc.h"

namespace nf {

FaddSpec FaccSpec::addSpec() const {
  FaddSpec s;
  s.a = out;
  s.b = a;
  s.out = out;
  s.round = round;
  s.dynamicRounding = dynamicRounding;
  s.flagsPort = true;
  return s;
}

FmaSpec FaccSpec::macSpec() const { return accumulatingFma(a, b ? *b : a, out, round, dynamicRounding); }

uint32_t FaccSpec::identity(Rounding mode) const {
  return mode == Rounding::RDN || !out.hasNegZero() ? 0u : out.signBit();
}

Packed FaccModel::step(uint32_t a, uint32_t b, bool clear, Rounding mode) {
  const uint32_t base = clear ? s_.identity(mode) : acc_;
  const Packed r = s_.b ? fmaModel(mac_, a, b, base, mode) : faddModel(add_, base, a, mode);
  acc_ = r.bits;
  return r;
}

}  // namespace nf
