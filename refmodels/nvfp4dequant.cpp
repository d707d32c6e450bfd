#include "refmodels/nvfp4dequant.h"

namespace nf {

Nvfp4DequantSpec nvfp4DequantSpec(const Format& out, Rounding mode) {
  Nvfp4DequantSpec s;
  s.elem = parseFormat("e2m1");
  s.scale = parseFormat("ue4m3");
  s.tensorScale = parseFormat("fp32");
  s.out = out;
  s.mode = mode;
  return s;
}

uint32_t nvfp4DequantizeElement(const Nvfp4DequantSpec& spec, uint32_t tensorScale, uint32_t scale, uint32_t q) {
  const RoundOptions opt{spec.mode, false, false};
  const Decoded t = spec.tensorScale.decode(tensorScale);
  const Decoded s = spec.scale.decode(scale);
  const Decoded e = spec.elem.decode(q);
  const bool sign = e.sign != t.sign;
  if (s.cls == FpClass::NaN || t.cls == FpClass::NaN) return packNaN(spec.out, 0).bits;
  const bool zero = s.cls == FpClass::Zero || e.cls == FpClass::Zero;
  if (t.cls == FpClass::Inf) return zero ? packNaN(spec.out, 0).bits : packInfinity(sign, spec.out, opt).bits;
  if (zero || t.cls == FpClass::Zero) return packZero(sign, spec.out).bits;
  return roundPack<uint64_t>(sign, e.exp + s.exp + t.exp, e.sig * s.sig * t.sig, false, spec.out, opt).bits;
}

void nvfp4Dequantize(const Nvfp4DequantSpec& spec, uint32_t tensorScale, uint32_t scale, const uint32_t* q, uint32_t* z) {
  for (int i = 0; i < kNvfp4Block; ++i) z[i] = nvfp4DequantizeElement(spec, tensorScale, scale, q[i]);
}

}  // namespace nf
