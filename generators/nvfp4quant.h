#pragma once

#include "generators/unit.h"
#include "refmodels/nvfp4quant.h"

namespace nf {

// The spec of an nvfp4quant unit, or nullptr for another operator (for `numforge accuracy`).
const Nvfp4QuantSpec* nvfp4QuantSpecOf(const Unit& unit);

// Vectors {tensor_scale, x0..x15} that stress an NVFP4 quantizer reading `in`: the block quantizer stimulus
// (zero blocks, NaN/Inf, huge among tiny, subnormals, ties, random) each paired with the tensor scale NVIDIA's
// recipe gives it and with scales pushing s_b past 448 and below 2^-9; every fp32 corner as tensor scale;
// blocks whose amax / (6 t) is exactly a UE4M3 value or a rounding midpoint; element ties x = m s_b t.
std::vector<std::vector<uint32_t>> nvfp4QuantStimulus(const Format& in, uint64_t seed);

}  // namespace nf
