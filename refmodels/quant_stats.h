// Accuracy of a block quantizer on a tensor, measured with the same bit-accurate model the RTL matches:
// quantize block by block, dequantize exactly (element value times the power-of-two scale, in double), and
// compare with the input as the unit receives it (the tensor's float32 values rounded to the input format).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "refmodels/mxquant.h"

namespace nf {

struct QuantStats {
  uint64_t elements = 0;
  double mse = 0;             // mean of (x - y)^2
  double qsnrDb = 0;          // 10 log10(sum x^2 / sum (x - y)^2); +inf when exact
  double maxAbsErr = 0;
  double maxRelErr = 0;       // over nonzero x
  double saturatedFrac = 0;   // |x| / X above the element's max normal (clamped)
  double zeroFlushedFrac = 0; // x != 0 quantized to zero
  uint64_t nanBlocks = 0;     // blocks holding NaN/Inf (excluded from the error figures)
};

// x: n float32 values; blocks of spec.block consecutive values (a short last block is padded with zeros,
// which count nowhere). threads <= 0: all cores.
QuantStats mxQuantStats(const MxQuantSpec& spec, const float* x, size_t n, int threads = 0);

// Quantizes a float32 tensor (the spec's input format must be fp32): scales[n/K rounded up] E8M0 bytes and
// q[n] element encodings (one byte each; element formats up to 8 bits). threads <= 0: all cores.
void mxQuantizeTensor(const MxQuantSpec& spec, const float* x, size_t n, uint8_t* scales, uint8_t* q, int threads = 0);

// Seeded test tensors: normal(0,1), laplace(0,1), uniform(-1,1), or outliers (normal(0,1) with one value in a
// thousand multiplied by 100). Throws std::invalid_argument for another name.
std::vector<float> makeDistribution(const std::string& dist, size_t n, uint64_t seed);
const char* distributionChoices();  // "normal, laplace, uniform, outliers"

// A NumPy .npy file of little-endian float32 ('<f4'), C order, format version 1.0 or 2.0. Throws
// std::runtime_error naming what is wrong (anything else is refused).
std::vector<float> readNpyFloat32(const std::string& path);

}  // namespace nf
