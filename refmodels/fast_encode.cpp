#include "refmodels/fast_encode.h"

#include <stdexcept>

namespace nf {

bool Fp32ToByteEncoder::applies(const FcvtSpec& spec) {
  const Format& A = spec.a;
  const Format& Z = spec.out;
  const bool binary32 = A.isFloat() && A.width() == 32 && A.expBits == 8 && A.manBits == 23;
  // A subnormal input's bits below the cut weigh under 2^(-127 - M): below Z's smallest round bit when emin > -127.
  return binary32 && Z.isFloat() && Z.width() <= 8 && Z.manBits <= 6 && Z.emin() > -127 && !spec.dynamicRounding &&
         spec.round.mode != Rounding::SR;
}

Fp32ToByteEncoder::Fp32ToByteEncoder(const FcvtSpec& spec) {
  if (!applies(spec)) throw std::invalid_argument("Fp32ToByteEncoder: the conversion is not fp32 -> 8 bits, non-SR");
  low_ = 22 - spec.out.manBits;
  lowMask_ = (1u << low_) - 1u;
  bits_.resize(size_t(1) << (33 - low_));
  flags_.resize(bits_.size());
  for (uint32_t i = 0; i < bits_.size(); ++i) {
    const Packed p = fcvtModel(spec, ((i >> 1) << low_) | (i & 1u), spec.round.mode);
    bits_[i] = uint8_t(p.bits);
    flags_[i] = p.flags;
  }
}

void Fp32ToByteEncoder::encode(const uint32_t* in, uint8_t* out, size_t n) const {
  const Lookup code = lookup();
  for (size_t i = 0; i < n; ++i) out[i] = code(in[i]);
}

}  // namespace nf
