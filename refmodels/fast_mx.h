// OCP MX quantization of float32 blocks at tensor rate, from the mxquant model's own pieces: the block's shared
// exponent is mxSharedExponent (the model's function) of the block's largest magnitude, and each element is
// the fp32 value x * 2^-s (exact: an exponent-field subtraction that stays within fp32's normal range) through
// an Fp32ToByteEncoder table filled by fcvtModel with satfinite, the rounding mxQuantizeElement does. Blocks
// holding NaN, Inf, an fp32 subnormal or only zeros go to mxQuantize itself. tests/test_fast_mx.cpp checks
// every covered element format, scale rule and rounding against mxQuantize.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "refmodels/fast_encode.h"
#include "refmodels/mxquant.h"

namespace nf {

class MxFp32Quantizer {
 public:
  // binary32 input, a float element format the byte encoder covers (at most 8 bits, M <= 6) whose smallest
  // subnormal is above 2^-120 (values that fall below fp32's normal range after scaling all round alike),
  // blocks of 1..64, not SR.
  static bool applies(const MxQuantSpec& spec);
  explicit MxFp32Quantizer(const MxQuantSpec& spec);  // std::invalid_argument unless applies(spec)

  // blocks * spec.block values in, one E8M0 scale per block and one element code per value out.
  void quantize(const uint32_t* x, size_t blocks, uint8_t* scales, uint8_t* q) const;

 private:
  MxQuantSpec spec_;
  std::unique_ptr<const Fp32ToByteEncoder> elem_;
  // The shared exponent of a block by its amax's exponent field f: mxSharedExponent rises by at most one
  // inside a binade (at the rule's significand threshold), so s = low_[f], or high_[f] from significand
  // step_[f] on; all three found with mxSharedExponent itself.
  int low_[256] = {}, high_[256] = {};
  uint32_t step_[256] = {};
};

}  // namespace nf
