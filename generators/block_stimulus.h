// Stimulus shared by the block quantizers (mxquant, nvfp4quant): the blocks their corner vectors and tests
// start from.
#pragma once

#include <cstdint>
#include <vector>

#include "refmodels/format.h"

namespace nf {

// Blocks of `width`-bit words that stress a block quantizer reading `in`: zero blocks, one huge value among
// tiny ones, NaN/Inf at every position class, amax at the E8M0 clamp edges and at the rceil boundary,
// exact rounding ties, and seeded random blocks across the exponent range. `elemMax`/`elemEmax`/`elemMan`
// describe the element grid the ties are placed on.
std::vector<std::vector<uint32_t>> quantizerStimulus(const Format& in, int block, int elemEmax, int elemMan,
                                                     double elemMax, uint64_t seed);

}  // namespace nf
