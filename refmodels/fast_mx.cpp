#include "refmodels/fast_mx.h"

#include <algorithm>
#include <stdexcept>

namespace nf {

namespace {

FcvtSpec elementConversion(const MxQuantSpec& spec) {
  FcvtSpec f;
  f.a = spec.in;
  f.out = spec.elem;
  f.round.mode = spec.mode;
  f.round.saturate = true;  // mxQuantizeElement's RoundOptions{mode, saturate, no ftz}
  return f;
}

}  // namespace

bool MxFp32Quantizer::applies(const MxQuantSpec& spec) {
  const Format& A = spec.in;
  const bool binary32 = A.isFloat() && A.width() == 32 && A.expBits == 8 && A.manBits == 23 && A.bias == 127 &&
                        A.nonFinite == NonFinite::IEEE && A.subnormals && A.isSigned;
  return binary32 && spec.elem.isFloat() && spec.block >= 1 && spec.block <= 64 && spec.mode != Rounding::SR &&
         Fp32ToByteEncoder::applies(elementConversion(spec)) && spec.elem.emin() - spec.elem.manBits > -120;
}

MxFp32Quantizer::MxFp32Quantizer(const MxQuantSpec& spec) : spec_(spec) {
  if (!applies(spec)) throw std::invalid_argument("MxFp32Quantizer: not an fp32 -> 8-bit float MX quantizer");
  elem_ = std::make_unique<const Fp32ToByteEncoder>(elementConversion(spec));
  auto shared = [&](uint32_t f, uint32_t man) {
    const Decoded amax = spec.in.decode((f << 23) | man);
    return mxSharedExponent(spec, &amax, 1);
  };
  for (uint32_t f = 1; f < 255; ++f) {
    low_[f] = shared(f, 0);
    high_[f] = shared(f, 0x7FFFFFu);
    uint32_t lo = 0, hi = 0x7FFFFFu;  // the first significand giving high_[f]
    while (lo < hi) {
      const uint32_t mid = lo + (hi - lo) / 2;
      if (shared(f, mid) == high_[f]) hi = mid;
      else lo = mid + 1;
    }
    step_[f] = lo;
  }
}

void MxFp32Quantizer::quantize(const uint32_t* x, size_t blocks, uint8_t* scales, uint8_t* q) const {
  const int K = spec_.block;
  for (size_t b = 0; b < blocks; ++b, x += K, q += K) {
    uint32_t maxMag = 0;
    bool subnormal = false;
    for (int i = 0; i < K; ++i) {
      const uint32_t m = x[i] & 0x7FFFFFFFu;
      maxMag = std::max(maxMag, m);
      subnormal |= m != 0 && m < 0x00800000u;
    }
    if (subnormal || maxMag >= 0x7F800000u || maxMag == 0) {
      uint32_t out[64], scale = 0;
      mxQuantize(spec_, x, scale, out);
      scales[b] = uint8_t(scale);
      for (int i = 0; i < K; ++i) q[i] = uint8_t(out[i]);
      continue;
    }
    const uint32_t f = maxMag >> 23;
    const int s = (maxMag & 0x7FFFFFu) >= step_[f] ? high_[f] : low_[f];
    scales[b] = uint8_t(s + kE8M0Bias);
    // x * 2^-s for a normal x: its exponent field minus s, which stays in 1..254 (s >= amax's exponent minus
    // the element's emax, and the clamp at -127 only arises for blocks below 2^(emax - 127)). A result below
    // fp32's normal range rounds as fp32's smallest subnormal of its sign does (element formats here have
    // round bits far above it); zeros stay zeros.
    const uint32_t shifted = uint32_t(s) << 23;
    const Fp32ToByteEncoder::Lookup code = elem_->lookup();
    for (int i = 0; i < K; ++i) {
      const uint32_t v = x[i], m = v & 0x7FFFFFFFu, sign = v & 0x80000000u;
      const int e = int(m >> 23) - s;
      const uint32_t scaled = m == 0 ? sign : e >= 1 ? v - shifted : sign | 1u;
      q[i] = code(scaled);
    }
  }
}

}  // namespace nf
