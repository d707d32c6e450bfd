// fma: z = round(a * b + c) with one rounding; formats of a, b, c and z independent.
#pragma once

#include "refmodels/format.h"
#include "refmodels/operand.h"
#include "refmodels/rounding.h"

namespace nf {

struct FmaSpec {
  Format a, b, c, out;
  RoundOptions round;            // round.mode is used unless dynamicRounding
  bool dynamicRounding = false;  // an `rm` port selects the mode per operation
  bool daz = false;              // subnormal inputs (a, b and c) read as zero of the same sign
  bool flagsPort = false;
};

// The fma an accumulating unit steps with (facc --mac, fdot --accum chain): a * b + acc -> acc, flags kept
// so the stream's sticky flags can be read.
inline FmaSpec accumulatingFma(const Format& a, const Format& b, const Format& acc, const RoundOptions& round,
                               bool dynamicRounding) {
  FmaSpec f;
  f.a = a;
  f.b = b;
  f.c = f.out = acc;
  f.round = round;
  f.dynamicRounding = dynamicRounding;
  f.flagsPort = true;
  return f;
}

// The bit-accurate result of the generated unit for decoded operands.
Packed fmaDecoded(const FmaSpec& spec, const FpOperand& a, const FpOperand& b, const FpOperand& c, Rounding mode);

inline Packed fmaModel(const FmaSpec& spec, uint32_t a, uint32_t b, uint32_t c, Rounding mode) {
  return fmaDecoded(spec, fpOperand(spec.a, a, spec.daz), fpOperand(spec.b, b, spec.daz),
                    fpOperand(spec.c, c, spec.daz), mode);
}

class FmaFastModel {
 public:
  explicit FmaFastModel(const FmaSpec& spec)
      : spec_(spec), a_(spec.a, spec.daz), b_(spec.b, spec.daz), c_(spec.c, spec.daz) {}
  Packed operator()(uint32_t a, uint32_t b, uint32_t c, Rounding mode) const {
    return fmaDecoded(spec_, a_(a), b_(b), c_(c), mode);
  }

 private:
  FmaSpec spec_;
  OperandTable a_, b_, c_;
};

}  // namespace nf
