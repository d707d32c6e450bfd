// Exact sums of products or values in a two's-complement fixed-point register wide enough for every term
// (a Kulisch accumulator), read out with one rounding through the shared roundPack. Used by the kulisch
// and fdot models; their Verilog mirror is generators/fixed_sum.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "refmodels/format.h"
#include "refmodels/operand.h"
#include "refmodels/rounding.h"

namespace nf {

// Where a term's bits can fall: value = integer * 2^lsbExp with |value| < 2^(msbExp + 1).
struct TermRange {
  int lsbExp = 0;
  int msbExp = 0;
};
TermRange valueRange(const Format& f);
TermRange productRange(const Format& a, const Format& b);
TermRange unionRange(const TermRange& x, const TermRange& y);

// A register of `width` bits (sign included) whose LSB weighs 2^lsbExp.
struct FixedLayout {
  int lsbExp = 0;
  int width = 0;
};
// Room for 2^carryBits worst-case terms of `r` without overflow.
FixedLayout fixedLayout(const TermRange& r, int carryBits);

// What the special operands did to a sum, and the signs of zero terms (IEEE: the sum of exact zeros is -0
// only when every zero is -0, or under rdn when any is; a cancellation to zero is +0, -0 under rdn).
struct SumSpecials {
  bool nan = false;
  bool posInf = false;
  bool negInf = false;
  bool invalid = false;  // signaling NaN operand or 0 x Inf
  bool anyNonzero = false;
  bool anyZero = false;
  bool allZerosNegative = true;
  bool anyZeroNegative = false;
  void addZero(bool negative) {
    anyZero = true;
    allZerosNegative = allZerosNegative && negative;
    anyZeroNegative = anyZeroNegative || negative;
  }
  void merge(const SumSpecials& o);
  // An empty sum is +0.
  bool zeroSign(Rounding mode) const {
    if (anyNonzero) return mode == Rounding::RDN;
    return anyZero && (allZerosNegative || (mode == Rounding::RDN && anyZeroNegative));
  }
};

class FixedSum {
 public:
  explicit FixedSum(FixedLayout layout);
  const FixedLayout& layout() const { return layout_; }
  void clear();
  // Adds (-1)^negative * mag * 2^exp (exp >= lsbExp); returns false when the register overflowed (the value
  // then wraps to `width` bits, as the hardware's does).
  bool add(bool negative, uint64_t mag, int exp);
  bool isZero() const;
  bool isNegative() const;
  // Rounds the exact value once to `out`.
  Packed round(const Format& out, const RoundOptions& opt, bool zeroSign) const;

 private:
  void wrap();
  FixedLayout layout_;
  std::vector<uint64_t> limbs_;  // two's complement, little-endian, sign-extended beyond `width`
};

// The operands of one product (or a value, with b absent) decoded and classified into a sum: finite
// terms are added to `sum`, specials recorded. Returns false when the register overflowed.
// (FpOperand is refmodels/operand.h's, shared with fadd and fma.)
FpOperand decodeOperand(const Format& f, uint32_t bits);
bool addProductTerm(FixedSum& sum, SumSpecials& sp, const FpOperand& a, const FpOperand& b);
bool addValueTerm(FixedSum& sum, SumSpecials& sp, const FpOperand& x);

// The rounded result of a sum with its specials: NaN (invalid when signaling, 0 x Inf or Inf - Inf),
// an infinity, or the rounded exact value.
Packed finishSum(const FixedSum& sum, const SumSpecials& sp, const Format& out, const RoundOptions& opt);

}  // namespace nf
