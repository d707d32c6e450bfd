// fdot: z = round(c + sum a_i * b_i) with the accumulation semantics as a parameter.
#pragma once

#include <optional>
#include <vector>

#include "refmodels/fixed_sum.h"

namespace nf {

struct FdotSpec {
  enum class Accum { Exact, Align };
  int n = 4;
  Format a, b;
  std::optional<Format> c;  // the addend, when present
  Format out;
  Accum accum = Accum::Exact;
  int alignBits = 24;  // align: fraction bits kept below the largest exponent
  int group = 0;       // products per fused group; 0 or n: one group
  RoundOptions round;
  bool flagsPort = false;

  int groupSize() const { return group > 0 ? group : n; }
  int groups() const { return n / groupSize(); }
};

// Inputs: a[0..n-1], b[0..n-1], c (ignored without an addend).
Packed fdotModel(const FdotSpec& s, const uint32_t* a, const uint32_t* b, uint32_t c);

// The alignment exponent of a finite nonzero term (align semantics): a value's leading-bit exponent
// (emin for subnormals); a product's is the sum of its operands', its significand product in [0, 4).
int alignExponentOfValue(const Format& f, const Decoded& d);

}  // namespace nf
