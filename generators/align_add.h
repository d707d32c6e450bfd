// The adding core every summing operator shares (fadd, fma, and the dot products and accumulators after them):
// swap by exponent, align the smaller term with a sticky jam, add or subtract, and normalize with a
// leading-zero count, giving a normalized sum for the one round-and-pack block.
#pragma once

#include <string>

#include "generators/blocks.h"

namespace nf::blocks {

struct AlignAddParams {
  int sigBits = 0;       // P: width of x_sig and y_sig; bit P-1 has the weight 2^exp
  int expBits = 0;       // signed width of x_exp and y_exp
  int expMin = 0, expMax = 0;  // range of x_exp and y_exp over nonzero operands
  // How many leading zeros a nonzero operand's significand may have (a [1,4) product: 1). Unnormalized
  // operands are also allowed where the one with the larger exponent having leading zeros implies equal
  // exponents (raw subnormals of one format: both exponents are then emin), since nothing is shifted out.
  int leadingZeros = 0;
  int roundPrecision = 0;  // Q: the precision of the rounding that follows (M + 1 of the output)
  bool unnormalized = false;  // operands may be raw subnormals (see leadingZeros)
  // true: near/far paths (the classic delay win: the long alignment shift and the leading-zero normalizer
  // are never in series); false: one path, shift then add then normalize (smaller).
  bool nearFar = false;
};

struct AlignAdd {
  std::string module;
  int sumBits = 0;   // W: width of `sig`
  int expBits = 0;   // signed width of `exp`
  int expMin = 0, expMax = 0;  // range of `exp` for a nonzero sum
};

// Ports: x_sign, x_zero, x_exp, x_sig, y_sign, y_zero, y_exp, y_sig -> sign, zero, exp, sig. `sig` is the
// magnitude of x + y normalized (MSB set unless zero), `exp` the exponent of its MSB, `sign` its sign; the
// bits below the window are jammed into sig's LSB, which lies below the rounding's round bit (see the .cpp).
// `zero` says the sum is exactly zero (its sign is the operator's rule); zero operands may carry any sig/exp.
AlignAdd emitAlignAdd(Design& d, const AlignAddParams& p);

// Instance u_add of `aa` adding operand x (<x>_sign, <x>_zero and the given exponent and significand wires) and
// y alike: declares sum_sign, sum_zero, sum_sig and sum_exp (sign-extended to expBits).
struct AlignAddOperand {
  std::string sign, zero, exp, sig;
};
void instantiateAlignAdd(vlog::Writer& w, const Design& d, const AlignAdd& aa, const AlignAddOperand& x,
                         const AlignAddOperand& y, int expBits);

// The sign of an exact zero sum (IEEE 754 6.3) of terms with signs sx and sy: their common sign when they
// agree, else +0, or -0 when rounding toward -inf (`rm` names the port when r.dynamic).
std::string exactZeroSumSignExpr(const RoundingSel& r, const std::string& rm, const std::string& sx,
                                 const std::string& sy);

}  // namespace nf::blocks
