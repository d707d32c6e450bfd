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

}  // namespace nf
