// Verilog blocks for exact and aligned sums (the mirror of refmodels/fixed_sum and the align semantics):
// a product term (class + exact significand product), a value term, and the read-out that rounds a
// two's-complement fixed-point sum once through the shared round-and-pack block.
#pragma once

#include <string>

#include "generators/blocks.h"
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
ProductTerm emitProductTerm(Design& d, const Format& a, const Format& b);

// Module ports: x -> sign, is_zero, is_nan, is_inf, invalid (signaling NaN), sig (M+1 bits, zero unless
// finite nonzero), exp (leading-bit exponent; value = sig * 2^(exp - M)).
struct ValueTerm {
  std::string module;
  int sigBits = 0, expBits = 0, fracBits = 0;
  int expMin = 0, expMax = 0;
};
ValueTerm emitValueTerm(Design& d, const Format& f);

struct ReadoutParams {
  int accBits = 0;      // two's complement input `acc`
  int baseExpBits = 0;  // signed `base_exp`: the exponent of acc's LSB
  int baseExpMin = 0, baseExpMax = 0;
  RoundPackParams round;  // out, rounding, saturate, ftz (expBits/sigBits are filled in)
};
// Ports: acc, base_exp, [rm] -> z, is_zero, inexact, underflow, overflow.
std::string emitReadout(Design& d, ReadoutParams p);

// Instantiates the read-out of `acc` (with `baseExp`) and drives z (and flags, or an unused sink) from it
// and a sum's specials: NaN (any NaN, 0 x Inf, Inf - Inf), infinity, the signed exact zero, or the rounded
// value. `nan`, `posInf`, `negInf`, `invalid` and `zeroSign` name 1-bit wires.
struct SumSpecialWires {
  std::string nan, posInf, negInf, invalid, zeroSign;
};
void emitSumResult(Design& d, vlog::Writer& w, const ReadoutParams& ro, const std::string& baseExp,
                   const SumSpecialWires& sp, bool saturate, bool flagsPort);

}  // namespace nf::blocks
