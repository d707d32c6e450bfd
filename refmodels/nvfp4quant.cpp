#include "refmodels/nvfp4quant.h"

#include <algorithm>
#include <cmath>

#include "refmodels/operand.h"

namespace nf {

Nvfp4QuantSpec nvfp4QuantSpec(const Format& in, Rounding mode) {
  Nvfp4QuantSpec s;
  s.in = in;
  s.elem = parseFormat("e2m1");
  s.scale = parseFormat("ue4m3");
  s.tensorScale = parseFormat("fp32");
  s.mode = mode;
  return s;
}

void nvfp4Quantize(const Nvfp4QuantSpec& spec, const uint32_t* x, uint32_t tensorScale, uint32_t& scale, uint32_t* q) {
  const Decoded t = spec.tensorScale.decode(tensorScale);
  const bool badScale = t.sign || (t.cls != FpClass::Normal && t.cls != FpClass::Subnormal);
  Decoded v[kNvfp4Block];
  bool special = badScale;
  int amax = -1;  // index of the largest magnitude among the nonzero elements
  for (int i = 0; i < kNvfp4Block; ++i) {
    v[i] = spec.in.decode(x[i]);
    if (v[i].cls == FpClass::NaN || v[i].cls == FpClass::Inf) special = true;
    if (v[i].cls != FpClass::Normal && v[i].cls != FpClass::Subnormal) continue;
    if (amax < 0 || magnitudeOf(v[i]) > magnitudeOf(v[amax])) amax = i;
  }
  if (special) {
    scale = spec.scale.canonicalNaN();
    std::fill(q, q + kNvfp4Block, 0u);
    return;
  }
  if (amax < 0) {
    scale = 0;
    for (int i = 0; i < kNvfp4Block; ++i) q[i] = packZero(v[i].sign, spec.elem).bits;
    return;
  }
  // s_b = RNE(amax / (6 t)), 6 t = 3 t_sig * 2^(t_exp + 1); never zero for a nonzero block.
  scale = roundQuotient(false, v[amax].sig, v[amax].exp, 3 * t.sig, t.exp + 1, spec.scale,
                        {Rounding::RNE, true, false})
              .bits;
  if (scale == 0) scale = spec.scale.minSubnormalMag();
  // The exact divisor s_b * t.
  const Decoded sb = spec.scale.decode(scale);
  const uint64_t dSig = sb.sig * t.sig;
  const int dExp = sb.exp + t.exp;
  const RoundOptions opt{spec.mode, true, false};
  for (int i = 0; i < kNvfp4Block; ++i) {
    if (v[i].cls == FpClass::Zero) q[i] = packZero(v[i].sign, spec.elem).bits;
    else q[i] = roundQuotient(v[i].sign, v[i].sig, v[i].exp, dSig, dExp, spec.elem, opt).bits;
  }
}

}  // namespace nf
