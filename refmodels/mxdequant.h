// mxdequant: an OCP MX v1.0 block back to floating point: z_i = P_i * 2^(scale - 127), rounded to the output
// format (only needed at its range edges: MX elements have at most 8 significant bits).
// Rules: scale 0xFF (NaN) makes every z_i NaN; a NaN element gives NaN, an infinite one (e5m2) +-Inf (or
// +-max finite with a finite-only output); zero elements give signed zeros (integer zero: +0). An intN element
// is 1.(N-2) fixed point (int8: q / 64, -128 read as -2.0). NaN results are the output's canonical NaN.
#pragma once

#include <cstdint>

#include "refmodels/format.h"
#include "refmodels/rounding.h"

namespace nf {

struct MxDequantSpec {
  Format elem;  // element format (float or signed intN)
  Format out;   // fp32, bf16, ...
  int block = 32;
  Rounding mode = Rounding::RNE;
};

// One element: the decoded value times 2^s, rounded to `out`.
uint32_t mxDequantizeElement(const MxDequantSpec& spec, uint32_t q, int s);
// scale: E8M0 encoding; q[0..block) elements -> z[0..block).
void mxDequantize(const MxDequantSpec& spec, uint32_t scale, const uint32_t* q, uint32_t* z);

}  // namespace nf
