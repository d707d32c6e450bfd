// Dot products of 8-bit operands with align accumulation (a tensor core's alignment), as chained fdot groups:
// the operands come from 256-entry tables filled by the model's own operand decoder (decodeOperand; 1 KB each,
// so they stay in the L1 cache where a 64K product table would not stay in L2 under load), each group's
// aligned terms are summed in a 64-bit integer and rounded once by the shared roundPack, exactly the steps of
// fdotModel's align path, then the tensor-core rules (AlignRules: a zero's exponent in the operand tables, the
// overflow / NaN / zero rules on each group's result, z widened to its port format at the end). A group holding
// a NaN or Inf term, or whose aligned sum is zero (its sign rule needs the zero terms), goes to fdotModel itself. tests/test_fast_dot.cpp checks it against fdotModel (all 2^16
// operand pairs, corners and seeded random groups and chains).
#pragma once

#include <cstdint>
#include <vector>

#include "refmodels/fdot.h"

namespace nf {

class AlignDotTable {
 public:
  // align accumulation, a and b of at most 8 bits, align_bits <= 54 (33 aligned terms then sum within 63
  // bits), a fixed rounding mode.
  static bool applies(const FdotSpec& s);
  // s gives the formats, alignBits and rounding; s.c the first group's addend format (none: no addend).
  explicit AlignDotTable(const FdotSpec& s);  // std::invalid_argument unless applies(s)

  // K terms cut into groups of `group` (the last holds K mod group), group g an fdot of that many terms whose
  // addend is group g-1's result in s.out (group 0's: c in s.c, or none); flags are OR-ed over the groups; the
  // result in z's format (s.port when set).
  Packed dot(const uint8_t* a, const uint8_t* b, int k, int group, uint32_t c, Rounding mode) const;
  // The same over operands decoded once (a matmul decodes A's rows and B's columns once, not once per dot
  // product): the table entry of every code in planes the group loop reads without gathers, and the codes.
  struct Planes {
    std::vector<uint8_t> codes, sig, kind;
    std::vector<int16_t> exp;
  };
  Planes decode(const uint8_t* codes, size_t count, bool isA) const;
  // dot() of a's K terms from index aAt and b's from bAt.
  Packed dot(const Planes& a, size_t aAt, const Planes& b, size_t bAt, int k, int group, uint32_t c, Rounding mode) const;
  // One fused group of n <= 32 products with an addend in `addend` (nullptr: none).
  Packed group(const uint8_t* a, const uint8_t* b, int n, const Format* addend, uint32_t c, Rounding mode) const;

  // An operand as a group needs it (public for the group loops in fast_dot.cpp).
  struct Operand {
    uint8_t sig;       // significand (0 for zero)
    uint8_t kind;      // kNegative | kSpecial (NaN or Inf)
    int16_t alignExp;  // the model's alignment exponent; kZeroExp for zero, so a product with a zero sorts last
  };
  enum : uint8_t { kNegative = 1, kSpecial = 2 };
  static constexpr int kZeroExp = -16000;
 private:
  static std::vector<Operand> operandTable(const Format& f, const AlignRules& rules);
  bool fastGroup(const uint8_t* a, const uint8_t* b, int n, const Format* addend, uint32_t c, Rounding mode,
                 Packed& out) const;
  // The rest of a group once its products are gathered (groupTerms: fast_dot.cpp's GroupTerms, emax their
  // largest exponent); false: fdotModel decides (a NaN/Inf addend, a zero sum).
  bool finishGroup(const void* groupTerms, int emax, int n, const Format* addend, uint32_t c, Rounding mode,
                   Packed& out) const;
  Packed modelGroup(const uint8_t* a, const uint8_t* b, int n, const Format* addend, uint32_t c, Rounding mode) const;

  FdotSpec s_;
  int productManBits_ = 0;  // a.manBits + b.manBits: a product's alignExp - lsbExp
  bool narrowSums_ = false;  // aligned terms and their sums fit 32-bit lanes
  std::vector<Operand> a_, b_;
};

}  // namespace nf
