// nvfp4quant: NVIDIA NVFP4 block quantization with two-level scaling. A block of 16 values of one input format
// (fp32, bf16, fp16) and a per-tensor fp32 decode scale t become one UE4M3 block scale s_b and 16 E2M1
// elements q_i, so that x_i ~ q_i * s_b * t.
//
// Rules (also the README's; the generated RTL implements exactly these, bit for bit):
// - amax = max |x_i| over the block (exact; subnormal inputs count with their value).
// - s_b = RNE_ue4m3(amax / (6 t)): the exact quotient rounded once to nearest-even UE4M3, saturating at 448
//   (satfinite). The scale always rounds to nearest even, whatever --round says.
// - Quotients below UE4M3's smallest normal 2^-6 give subnormal scales k * 2^-9 (k = 1..7, nearest even on that
//   grid): they are legal UE4M3 values and kept. A nonzero block whose s_b rounds to zero takes the smallest
//   UE4M3 value 2^-9 (0x01) instead, so that the elements keep a finite divisor. (TorchAO clamps amax / (6 t) to
//   [2^-6, 448] before the cast, so its scales are never subnormal: docs/operators/mxquant.md (scale rules).)
// - q_i = round_e2m1(x_i / (s_b * t)): the exact quotient of x_i by the exact product s_b * t (a 28-bit
//   significand, never rounded to fp32), rounded once in the chosen mode (rne default; rna, rtz, rup, rdn),
//   saturating at +-6 (E2M1 has no Inf or NaN). The hardware compares the element's significand with
//   j/8 times the divisor's (j = 5..14, formed once per block), which gives the quotient bits the rounding
//   needs plus an exact is-it-exact sticky, so it is the same number.
// - A block of zeros gives s_b = 0 (0x00) and zero elements keeping their signs.
// - A block holding any NaN or Inf, or a tensor scale t that is not a positive finite number (zero of either
//   sign, negative, NaN, Inf), gives the UE4M3 NaN scale 0x7F (the block decodes as NaN) and zero elements.
//
// How this differs from the software recipes (TensorRT Model Optimizer / TorchAO: s_b = fp8(fp32(fp32(amax /
// 6) / t)), q_i = fp4(fp32(x_i / fp32(s_b * t))); Transformer Engine: the encode scale 6*448/amax_tensor and
// a reciprocal block scale multiplied in fp32): those round every intermediate to fp32, so a quotient lying
// within an fp32 ulp of an E2M1 or UE4M3 rounding boundary may round the other way there; here every quotient
// is exact and rounded once. Transformer Engine also gives a NaN block the scale 448 (fminf drops the NaN)
// and a zero-rounded block scale 0 with saturated elements; here they give 0x7F and 2^-9 as above.
#pragma once

#include <cstdint>

#include "refmodels/format.h"
#include "refmodels/rounding.h"

namespace nf {

inline constexpr int kNvfp4Block = 16;
inline constexpr double kNvfp4ElemMax = 6.0, kNvfp4ScaleMax = 448.0;

struct Nvfp4QuantSpec {
  Format in;                     // fp32, bf16 or fp16
  Format elem;                   // e2m1
  Format scale;                  // ue4m3
  Format tensorScale;            // fp32
  Rounding mode = Rounding::RNE; // element rounding
};
Nvfp4QuantSpec nvfp4QuantSpec(const Format& in, Rounding mode);

// x[0..16) input encodings and the fp32 tensor scale encoding -> scale (UE4M3 encoding) and q[0..16).
void nvfp4Quantize(const Nvfp4QuantSpec& spec, const uint32_t* x, uint32_t tensorScale, uint32_t& scale, uint32_t* q);

// The per-tensor decode scale NVIDIA's recipe computes from the tensor's amax: t = fp32_rne(amax / (6 * 448))
// (perTensorScaleFp32 in refmodels/quant_stats.h with this divisor).
inline constexpr double kNvfp4TensorDivisor = kNvfp4ElemMax * kNvfp4ScaleMax;

}  // namespace nf
