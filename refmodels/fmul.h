// fmul: z = round(a * b) with independent formats for a, b and z.
#pragma once

#include "refmodels/format.h"
#include "refmodels/rounding.h"

namespace nf {

struct FmulSpec {
  Format a, b, out;
  RoundOptions round;            // round.mode is used unless dynamicRounding
  bool dynamicRounding = false;  // an `rm` port selects the mode per operation
  bool daz = false;              // subnormal inputs read as zero of the same sign
  bool flagsPort = false;
  int stages = 0;
};

// The bit-accurate result of the generated unit for inputs a, b under rounding mode `mode`.
Packed fmulModel(const FmulSpec& spec, uint32_t a, uint32_t b, Rounding mode);

}  // namespace nf
