// Verilog blocks for exact and aligned sums (the mirror of refmodels/fixed_sum and the align semantics):
// a product term (class + exact significand product), a value term, and the read-out that rounds a
// two's-complement fixed-point sum once through the shared round-and-pack block.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "generators/blocks.h"
#include "generators/pipeline.h"
#include "generators/verilog.h"

namespace nf::blocks {

// Module ports: a, b -> sign, is_zero, is_nan, is_inf, invalid (signaling NaN or 0 x Inf), sig (product of
// the raw significands, PA+PB bits, zero for zero/special operands), exp (leading-bit exponent sum: the
// product is sig * 2^(exp - Ma - Mb), sig in [0, 4) * 2^(Ma+Mb)).
struct ProductTerm {
  std::string module;
  int sigBits = 0, expBits = 0, fracBits = 0;  // fracBits = Ma + Mb
  int expMin = 0, expMax = 0;
};
// zeroExp (align's zero-exponent rule): a zero operand's exponent reads as zeroExp in `exp`.
ProductTerm emitProductTerm(Design& d, const Format& a, const Format& b, std::optional<int> zeroExp = std::nullopt);

// Module ports: x -> sign, is_zero, is_nan, is_inf, invalid (signaling NaN), sig (M+1 bits, zero unless
// finite nonzero), exp (leading-bit exponent; value = sig * 2^(exp - M)).
struct ValueTerm {
  std::string module;
  int sigBits = 0, expBits = 0, fracBits = 0;
  int expMin = 0, expMax = 0;
};
ValueTerm emitValueTerm(Design& d, const Format& f, std::optional<int> zeroExp = std::nullopt);

struct ReadoutParams {
  int accBits = 0;      // two's complement input `acc`
  int baseExpBits = 0;  // signed `base_exp`: the exponent of acc's LSB
  int baseExpMin = 0, baseExpMax = 0;
  RoundPackParams round;  // out, rounding, saturate, ftz (expBits/sigBits are filled in)
};

// The wires a sum's result is made of, by name in the caller's module: the two's-complement sum
// `acc`, the exponent of its LSB (`baseExp`; empty when it is the constant baseExpMin), the specials (NaN:
// any NaN or 0 x Inf; infinities; invalid; the sign of an exact zero) and, with dynamic rounding, `rm`.
struct SumSpecialWires {
  std::string nan, posInf, negInf, invalid, zeroSign;
};
struct SumResultWires {
  std::string acc, baseExp;
  SumSpecialWires sp;
  std::string rm;
};
// Optional pipeline registers inside the read-out: after the magnitude (before the normalizer) and after
// the normalizer (before the round-and-pack).
struct ReadoutCuts {
  bool afterMagnitude = false;
  bool afterNormalize = false;
  int count() const { return int(afterMagnitude) + int(afterNormalize); }
};
// Rounds the sum once (magnitude, leading-zero normalization, the shared round-and-pack with the bits
// below as sticky) and declares z_c and flags_c: NaN, infinity, the signed exact zero or the rounded value,
// with their flags (flags_c only when flagsPort; otherwise the flags are sunk).
void emitSumResult(Design& d, vlog::Writer& w, const ReadoutParams& ro, const SumResultWires& in, ReadoutCuts cuts,
                   bool saturate, bool flagsPort);

// Declares `name`, the IEEE sign of an exact zero sum: -0 only when every zero term is -0 (or, under rdn,
// any is); a sum with a nonzero term that cancelled is +0 (-0 under rdn). `rm` is used with dynamic rounding.
void emitSumZeroSign(vlog::Writer& w, const RoundingSel& r, const std::string& rm, const std::string& name,
                     const std::string& anyNonzero, const std::string& anyZero, const std::string& allZerosNeg,
                     const std::string& anyZeroNeg);

}  // namespace nf::blocks
