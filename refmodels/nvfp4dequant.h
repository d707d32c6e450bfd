// nvfp4dequant: an NVFP4 block back to floating point: z_i = q_i * s_b * t, the exact product of the E2M1
// element, the UE4M3 block scale and the fp32 tensor scale, rounded once to the output format (fp32 or bf16)
// in the chosen mode; overflow and underflow as every IEEE rounding here (Inf under rne unless the output is
// finite-only).
// Specials follow IEEE multiplication: the NaN scale 0x7F or a NaN tensor scale gives NaN; an infinite tensor
// scale gives +-Inf, or NaN when multiplied by a zero element or a zero block scale; a zero factor gives a
// zero whose sign is sign(q_i) xor sign(t). NaN results are the output's canonical NaN.
#pragma once

#include <cstdint>

#include "refmodels/format.h"
#include "refmodels/nvfp4quant.h"
#include "refmodels/rounding.h"

namespace nf {

struct Nvfp4DequantSpec {
  Format elem;         // e2m1
  Format scale;        // ue4m3
  Format tensorScale;  // fp32
  Format out;          // fp32, bf16, fp16
  Rounding mode = Rounding::RNE;
};
Nvfp4DequantSpec nvfp4DequantSpec(const Format& out, Rounding mode);

// One element: q_i * s_b * t rounded to `out`.
uint32_t nvfp4DequantizeElement(const Nvfp4DequantSpec& spec, uint32_t tensorScale, uint32_t scale, uint32_t q);
// tensorScale (fp32 encoding), scale (UE4M3 encoding), q[0..16) -> z[0..16).
void nvfp4Dequantize(const Nvfp4DequantSpec& spec, uint32_t tensorScale, uint32_t scale, const uint32_t* q, uint32_t* z);

}  // namespace nf
