// fp32 -> a format of at most 8 bits, one table lookup per value: the fcvt model's result for every
// combination of the input's top 10 + M bits (sign, exponent, the M significand bits the output keeps and its
// round bit) and whether any lower bit is set, filled by fcvtModel itself (2^(11 + M) entries: 16 KB for
// e4m3, within the L1 cache). The lower bits lie below the output's round bit at every input exponent (and,
// for subnormal inputs, below its smallest round bit when its emin is above -127), so they can change the result
// (rounding direction, inexact flag, NaN versus Inf) only through their OR.
// tests/test_fast_encode.cpp checks every table entry against fcvtModel with several lower halves, plus seeded
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
  // bits and emin above -127 out, a fixed rounding mode other than SR (SR reads per-value random bits).
  static bool applies(const FcvtSpec& spec);
  explicit Fp32ToByteEncoder(const FcvtSpec& spec);  // std::invalid_argument unless applies(spec)

  // The input bits below the table's index (they enter only as their OR).
  int lowBits() const { return low_; }
  uint32_t index(uint32_t a) const { return ((a >> low_) << 1) | uint32_t((a & lowMask_) != 0); }
  Packed operator()(uint32_t a) const { return {bits_[index(a)], flags_[index(a)]}; }
  // The hot loops' view: the table and the cut in locals, so stores through a uint8_t* do not reload them.
  struct Lookup {
    const uint8_t* table;
    int low;
    uint32_t mask;
    uint8_t operator()(uint32_t a) const { return table[((a >> low) << 1) | uint32_t((a & mask) != 0)]; }
  };
  Lookup lookup() const { return {bits_.data(), low_, lowMask_}; }
  // Result encodings of n binary32 values (the flags port is not computed here).
  void encode(const uint32_t* in, uint8_t* out, size_t n) const;

 private:
  int low_ = 0;
  uint32_t lowMask_ = 0;
  std::vector<uint8_t> bits_, flags_;  // bits_ alone is the hot loop's table
};

}  // namespace nf
