// fmul: z = round(a * b) with independent formats for a, b and z.
#pragma once

#include <memory>
#include <vector>

#include "refmodels/format.h"
#include "refmodels/operand.h"
#include "refmodels/rounding.h"

namespace nf {

struct FmulSpec {
  Format a, b, out;
  RoundOptions round;            // round.mode is used unless dynamicRounding
  bool dynamicRounding = false;  // an `rm` port selects the mode per operation
  bool daz = false;              // subnormal inputs read as zero of the same sign
  bool flagsPort = false;
};

// The bit-accurate result of the generated unit for decoded operands (refmodels/operand.h: daz applied).
Packed fmulDecoded(const FmulSpec& spec, const FpOperand& a, const FpOperand& b, Rounding mode);

// The bit-accurate result of the generated unit for inputs a, b under rounding mode `mode`.
inline Packed fmulModel(const FmulSpec& spec, uint32_t a, uint32_t b, Rounding mode) {
  return fmulDecoded(spec, fpOperand(spec.a, a, spec.daz), fpOperand(spec.b, b, spec.daz), mode);
}

// The same model with operand decoding cached in tables (formats up to 16 bits), for co-simulation speed.
class FmulFastModel {
 public:
  explicit FmulFastModel(const FmulSpec& spec);
  Packed operator()(uint32_t a, uint32_t b, Rounding mode) const {
    if (!roundTable_.empty() && mode == spec_.round.mode) {
      // Finite nonzero operands whose rounded product lands strictly inside the normal range: the
      // rounding is a function of the sign and the significand product alone.
      const OperandTable::Entry& ea = tableA_.entry(a);
      const OperandTable::Entry& eb = tableB_.entry(b);
      const bool finite = (ea.cls == uint8_t(FpClass::Normal) || ea.cls == uint8_t(FpClass::Subnormal)) &&
                          (eb.cls == uint8_t(FpClass::Normal) || eb.cls == uint8_t(FpClass::Subnormal));
      if (finite) {
        const uint32_t sign = (ea.signAndSignaling ^ eb.signAndSignaling) & 1u;
        const uint32_t r = roundTable_[(size_t(sign) << productBits_) | (ea.sig * eb.sig)];
        const int e = ea.exp + eb.exp + int(r >> 24 & 0x3f) + outBias_;  // biased exponent of the result
        if (e >= 1 && e < maxBiasedFast_)
          return {(sign << (outWidth_ - 1)) | (uint32_t(e) << outMan_) | (r & 0xffffffu), uint8_t(r >> 31)};
        // Far outside the range, the result depends on the sign alone: a rounded binade above the top one
        // overflows, and a product below half the smallest subnormal rounds like any other such product.
        if (e > maxBiasedFast_) return overflowResult_[sign];
        if (e <= tinyBiasedFast_) return tinyResult_[sign];
      }
    }
    return fmulDecoded(spec_, tableA_(a), tableB_(b), mode);
  }

 private:
  FmulSpec spec_;
  OperandTable tableA_, tableB_;
  // [sign][significand product] -> mantissa (bits 0..23), leading-bit position after rounding relative to
  // the product's lsb plus the output's mantissa width (bits 24..29), inexact (bit 31). Empty when unused.
  std::vector<uint32_t> roundTable_;
  int productBits_ = 0, outBias_ = 0, outMan_ = 0, outWidth_ = 0, maxBiasedFast_ = 0, tinyBiasedFast_ = 0;
  Packed overflowResult_[2] = {}, tinyResult_[2] = {};  // by sign
};

}  // namespace nf
