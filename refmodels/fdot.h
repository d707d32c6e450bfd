// fdot: z = round(c + sum a_i * b_i) with the accumulation semantics as a parameter.
#pragma once

#include <optional>
#include <vector>

#include "refmodels/fixed_sum.h"
#include "refmodels/fma.h"

namespace nf {

// The rules of `--accum align` that differ between tensor cores and from IEEE arithmetic (MMA-Sim's
// nv_fused_dot_add, arXiv 2511.10909). The defaults are numforge's IEEE-style behaviour.
struct AlignRules {
  // The exponent a zero operand counts with in the maximum exponent (a zero product: this plus the other
  // operand's exponent; a zero c: this); nullopt: zero terms take no part in the maximum.
  std::optional<int> zeroExp;
  bool overflowToInf = false;  // a result beyond max finite after truncation is +-Inf whatever the rounding
  bool canonicalNaN = false;   // every NaN result is + with all exponent and mantissa bits set (0x7fffffff)
  bool positiveZero = false;   // every zero result is +0
  // Two-level alignment (AMD CDNA3, MMA-Sim's amd_fused_dot_rd_add): the products alone are aligned to their
  // largest exponent and truncated to alignBits; c joins afterwards: the products' sum is floored (toward
  // -Inf) onto sumBits and c onto addendBits fraction bits below max(e_products, e_c). nullopt: c is a term
  // aligned with the products.
  struct TwoLevel {
    int sumBits = 31, addendBits = 24;
    bool operator==(const TwoLevel&) const = default;
  };
  std::optional<TwoLevel> twoLevel;
  // A finite product of magnitude 2^(out.emax + 1) or more (2^128 for fp32) is an infinity of its sign; an
  // infinite or NaN input still decides the result first (both signs of such products: NaN).
  bool productOverflowToInf = false;
  // c is first rounded to nearest even to z's format (MMA-Sim's C.to(d_type) in mma.sync), the conversion's
  // flags not raised; false: c enters exactly in its own format. A no-op when c has z's format.
  bool convertC = false;
  bool isDefault() const {
    return !zeroExp && !overflowToInf && !canonicalNaN && !positiveZero && !twoLevel && !productOverflowToInf &&
           !convertC;
  }
};

struct FdotSpec {
  enum class Accum { Exact, Align, Chain };
  int n = 4;
  Format a, b;
  std::optional<Format> c;  // the addend, when present
  Format out;
  Accum accum = Accum::Exact;
  int alignBits = 24;  // align: fraction bits kept below the largest exponent
  int group = 0;       // products per fused group; 0 or n: one group
  RoundOptions round;            // round.mode is used unless dynamicRounding
  bool dynamicRounding = false;  // an `rm` port selects the mode per dot product
  bool flagsPort = false;
  AlignRules rules;          // align only
  // align only: z's port format when the sum is rounded to fewer fraction bits (`out`, e.g. e8m13) than z
  // carries (fp32): z is `out` with zero low bits (a NaN all ones under canonicalNaN).
  std::optional<Format> port;

  const Format& zFormat() const { return port ? *port : out; }
  int groupSize() const { return group > 0 ? group : n; }
  int groups() const { return n / groupSize(); }
};

// chain: step i is an fma, acc <- round(a_i * b_i + acc), starting from c, or without an addend from the
// zero every sum leaves alone (-0; +0 under rdn). These are the fma specs of the first and later steps.
FmaSpec chainFirstStep(const FdotSpec& s);
FmaSpec chainLaterStep(const FdotSpec& s);
uint32_t chainIdentity(const FdotSpec& s, Rounding mode);

// Inputs: a[0..n-1], b[0..n-1], c (ignored without an addend); `mode` rounds (s.round.mode, or the rm
// port's mode with dynamic rounding).
Packed fdotModel(const FdotSpec& s, const uint32_t* a, const uint32_t* b, uint32_t c, Rounding mode);

// The same model through a table of products, for exact accumulation of narrow formats (a and b of at
// most 16 bits together, sums within 62 bits): the co-simulation's fast path. available() says whether
// the spec qualifies; results are identical to fdotModel's.
class FdotFastModel {
 public:
  explicit FdotFastModel(const FdotSpec& s);
  bool available() const { return !table_.empty(); }
  Packed operator()(const uint32_t* a, const uint32_t* b, Rounding mode) const;

 private:
  struct Entry {
    int64_t value;     // the exact product in units of 2^lsbExp_ (zero for zero and special products)
    uint8_t cls;       // kNan, kPosInf, kNegInf, kInvalid, kZero, kZeroNeg bits
  };
  enum : uint8_t { kNan = 1, kPosInf = 2, kNegInf = 4, kInvalid = 8, kZero = 16, kZeroNeg = 32 };
  FdotSpec s_;
  int lsbExp_ = 0;
  int bBits_ = 0;
  std::vector<Entry> table_;
};

// Whether c is converted to z's format before the first group (AlignRules::convertC with c of another format).
bool convertsAddend(const FdotSpec& s);

// The rules applied to one fused group's rounded result (overflow, NaN encoding, zero sign).
Packed applyAlignRules(const AlignRules& r, const Format& out, Packed p);
// `out`'s result as z's port format `port` (more fraction bits, the same exponents).
uint32_t widenResult(const AlignRules& r, const Format& out, const Format& port, uint32_t bits);

// The alignment exponent of a finite nonzero term (align semantics): a value's leading-bit exponent
// (emin for subnormals); a product's is the sum of its operands', its significand product in [0, 4).
int alignExponentOfValue(const Format& f, const Decoded& d);

}  // namespace nf
