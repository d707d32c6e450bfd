#include "refmodels/fast_encode.h"

#include <stdexcept>

namespace nf {

bool Fp32ToByteEncoder::applies(const FcvtSpec& spec) {
  const Format& A = spec.a;
  const Format& Z = spec.out;
  const bool binary32 = A.isFloat() && A.width() == 32 && A.expBits == 8 && A.manBits == 23;
  // Bit 15 of a subnormal input weighs 2^(-149 + 15): it must lie below the output's smallest round bit too.
  const bool belowRoundBit = Z.emin() - Z.manBits - 1 > -134;
  return binary32 && Z.isFloat() && Z.width() <= 8 && Z.manBits <= 6 && belowRoundBit && !spec.dynamicRounding &&
         spec.round.mode != Rounding::SR;
}

Fp32ToByteEncoder::Fp32ToByteEncoder(const FcvtSpec& spec) {
  if (!applies(spec)) throw std::invalid_argument("Fp32ToByteEncoder: the conversion is not fp32 -> 8 bits, non-SR");
  bits_.resize(size_t(1) << 17);
  flags_.resize(bits_.size());
  for (uint32_t i = 0; i < bits_.size(); ++i) {
    const Packed p = fcvtModel(spec, ((i >> 1) << 16) | (i & 1u), spec.round.mode);
    bits_[i] = uint8_t(p.bits);
    flags_[i] = p.flags;
  }
}

void Fp32ToByteEncoder::encode(const uint32_t* in, uint8_t* out, size_t n) const {
  const uint8_t* t = bits_.data();
  for (size_t i = 0; i < n; ++i) out[i] = t[index(in[i])];
}

}  // namespace nf
