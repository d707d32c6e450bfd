// Corner-case values every format defines by its descriptor: signed zeros, subnormal extremes, min/max
// normal, values one ulp from the binade edges, infinities and each NaN encoding.
#pragma once

#include <cstdint>
#include <vector>

#include "refmodels/format.h"

namespace nf {

std::vector<uint32_t> formatCorners(const Format& f);
// Encodings adjacent to `bits` in magnitude order (same sign), staying inside finite values.
std::vector<uint32_t> neighbours(const Format& f, uint32_t bits, int radius);

// The corner stream of an accumulator with inputs {a, [b], clear}: every corner pair as a one-term sum and
// as a running sum; `growth` copies of the largest term of one sign, then `shrink` of the other (carry
// bits and overflow, then cancellation); then huge and tiny terms alternating, starting from `tinyStart`.
// With `rmPort` each vector ends with a rounding-mode word, the modes 0..5 in turn.
std::vector<std::vector<uint32_t>> accumulatorCornerStream(const Format& a, const Format* b, int growth, int shrink,
                                                           uint32_t tinyStart, bool rmPort = false);

}  // namespace nf
