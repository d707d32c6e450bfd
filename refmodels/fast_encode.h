// fp32 -> a format of at most 8 bits, one table lookup per value: the fcvt model's result for every
// combination of the input's top 16 bits and whether any of its low 16 bits is set, filled by fcvtModel itself.
// That is the whole input when the output keeps at most 6 significand bits: the low 16 bits of a binary32
// value then lie below the output's round bit at every exponent (and below its smallest subnormal's), so
// they can change the result (rounding direction, inexact flag, NaN versus Inf) only through their OR.
// tests/test_fast_encode.cpp checks every table entry against fcvtModel with several low halves, plus seeded
// random inputs; the same test with NF_FAST_EXHAUSTIVE=1 runs all 2^32 inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "refmodels/fcvt.h"

namespace nf {

class Fp32ToByteEncoder {
 public:
  // The conversions this covers: binary32 in, a float format of at most 8 bits with at most 6 significand
  // bits out, a fixed rounding mode other than SR (SR reads per-value random bits: no table).
  static bool applies(const FcvtSpec& spec);
  explicit Fp32ToByteEncoder(const FcvtSpec& spec);  // std::invalid_argument unless applies(spec)

  static uint32_t index(uint32_t a) { return ((a >> 16) << 1) | uint32_t((a & 0xFFFFu) != 0); }
  Packed operator()(uint32_t a) const { return {bits_[index(a)], flags_[index(a)]}; }
  // Result encodings of n binary32 values (the flags port is not computed here).
  void encode(const uint32_t* in, uint8_t* out, size_t n) const;

 private:
  std::vector<uint8_t> bits_, flags_;  // 2^17 entries each; bits_ alone is the hot loop's 128 KB
};

}  // namespace nf
