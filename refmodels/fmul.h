// fmul: z = round(a * b) with independent formats for a, b and z.
#pragma once

#include <memory>
#include <vector>

#include "refmodels/format.h"
#include "refmodels/rounding.h"

namespace nf {

struct FmulSpec {
  Format a, b, out;
  RoundOptions round;            // round.mode is used unless dynamicRounding
  bool dynamicRounding = false;  // an `rm` port selects the mode per operation
  bool daz = false;              // subnormal inputs read as zero of the same sign
  bool flagsPort = false;
  int stages = 0;
};

// An operand as the multiplier sees it: decoded (daz applied) and whether it is a signaling NaN.
struct FmulOperand {
  Decoded d;
  bool signaling = false;
};
FmulOperand fmulOperand(const Format& f, uint32_t bits, bool daz);

// The bit-accurate result of the generated unit for decoded operands.
Packed fmulDecoded(const FmulSpec& spec, const FmulOperand& a, const FmulOperand& b, Rounding mode);

// The bit-accurate result of the generated unit for inputs a, b under rounding mode `mode`.
inline Packed fmulModel(const FmulSpec& spec, uint32_t a, uint32_t b, Rounding mode) {
  return fmulDecoded(spec, fmulOperand(spec.a, a, spec.daz), fmulOperand(spec.b, b, spec.daz), mode);
}

// The same model with operand decoding cached in tables (formats up to 16 bits), for co-simulation speed.
class FmulFastModel {
 public:
  explicit FmulFastModel(const FmulSpec& spec);
  Packed operator()(uint32_t a, uint32_t b, Rounding mode) const {
    return fmulDecoded(spec_, tableA_.empty() ? fmulOperand(spec_.a, a, spec_.daz) : tableA_[a & spec_.a.mask()],
                       tableB_.empty() ? fmulOperand(spec_.b, b, spec_.daz) : tableB_[b & spec_.b.mask()], mode);
  }

 private:
  FmulSpec spec_;
  std::vector<FmulOperand> tableA_, tableB_;
};

}  // namespace nf
