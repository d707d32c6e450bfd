#include "refmodels/mxdequant.h"

#include "refmodels/mxquant.h"

namespace nf {

uint32_t mxDequantizeElement(const MxDequantSpec& spec, uint32_t q, int s) {
  const RoundOptions opt{spec.mode, false, false};
  const Format& E = spec.elem;
  if (E.kind == FormatKind::Int) {
    q &= E.mask();
    const bool neg = (q >> (E.intBits - 1)) & 1u;
    const uint64_t mag = neg ? ((~uint64_t(q) + 1u) & E.mask()) : q;  // -2^(N-1) gives 2^(N-1)
    if (mag == 0) return packZero(false, spec.out).bits;
    return roundPack<uint64_t>(neg, s - (E.intBits - 2), mag, false, spec.out, opt).bits;
  }
  const Decoded d = E.decode(q);
  switch (d.cls) {
    case FpClass::NaN: return packNaN(spec.out, 0).bits;
    case FpClass::Inf: return packInfinity(d.sign, spec.out, opt).bits;
    case FpClass::Zero: return packZero(d.sign, spec.out).bits;
    default: return roundPack<uint64_t>(d.sign, d.exp + s, d.sig, false, spec.out, opt).bits;
  }
}

void mxDequantize(const MxDequantSpec& spec, uint32_t scale, const uint32_t* q, uint32_t* z) {
  scale &= 0xFFu;
  for (int i = 0; i < spec.block; ++i)
    z[i] = scale == kE8M0NaN ? packNaN(spec.out, 0).bits : mxDequantizeElement(spec, q[i], int(scale) - kE8M0Bias);
}

}  // namespace nf
