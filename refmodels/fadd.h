// fadd: z = round(a + b) with independent formats for a, b and z.
#pragma once

#include "refmodels/format.h"
#include "refmodels/operand.h"
#include "refmodels/rounding.h"

namespace nf {

struct FaddSpec {
  Format a, b, out;
  RoundOptions round;            // round.mode is used unless dynamicRounding
  bool dynamicRounding = false;  // an `rm` port selects the mode per operation
  bool daz = false;              // subnormal inputs read as zero of the same sign
  bool flagsPort = false;
};

// The sign of an exact zero sum (IEEE 754 6.3): the operands' common sign when they agree, otherwise +0,
// or -0 when rounding toward -inf.
inline bool exactZeroSumSign(bool sx, bool sy, Rounding mode) { return sx == sy ? sx : mode == Rounding::RDN; }

// The bit-accurate result of the generated unit for decoded operands.
Packed faddDecoded(const FaddSpec& spec, const FpOperand& a, const FpOperand& b, Rounding mode);

inline Packed faddModel(const FaddSpec& spec, uint32_t a, uint32_t b, Rounding mode) {
  return faddDecoded(spec, fpOperand(spec.a, a, spec.daz), fpOperand(spec.b, b, spec.daz), mode);
}

class FaddFastModel {
 public:
  explicit FaddFastModel(const FaddSpec& spec) : spec_(spec), a_(spec.a, spec.daz), b_(spec.b, spec.daz) {}
  Packed operator()(uint32_t a, uint32_t b, Rounding mode) const { return faddDecoded(spec_, a_(a), b_(b), mode); }

 private:
  FaddSpec spec_;
  OperandTable a_, b_;
};

}  // namespace nf
