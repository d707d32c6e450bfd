// Accuracy of a quantizer on a tensor, measured with the same bit-accurate model the RTL matches: quantize
// block by block (MX, NVFP4) or element by element with one tensor scale (fcvt), dequantize exactly (element
// value times the effective scale, in double), and compare with the input as the unit receives it (the
// tensor's float32 values rounded to the input format).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "refmodels/distributions.h"  // the tensors the accuracy command draws
#include "refmodels/fcvt.h"
#include "refmodels/mxquant.h"
#include "refmodels/npy.h"  // the tensors it reads
#include "refmodels/nvfp4quant.h"

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

// One block through a quantizer and back: the input encodings of a block in; out, the dequantized values
// (exact, in double) and the block's effective scale X (its element grid is X times the element format's);
// false for a block that quantizes to NaN (it is counted in nanBlocks and nowhere else).
using BlockQuantizer = std::function<bool(const uint32_t* in, double* y, double& X)>;
// The statistics of any block quantizer: x (n float32 values) is read into the input format `in` (rne), cut
// into blocks of `block` values (a short last block is padded with zeros, which count nowhere), quantized and
// compared. An element counts as saturated when |x| > elemMax * X. threads <= 0: all cores.
QuantStats blockQuantStats(const Format& in, size_t block, double elemMax, const float* x, size_t n, int threads,
                           const BlockQuantizer& quantize);

// OCP MX (mxquant's model): blocks of spec.block values.
QuantStats mxQuantStats(const MxQuantSpec& spec, const float* x, size_t n, int threads = 0);

// The largest magnitude of the tensor read into `in` (rne); Inf if it holds an infinity, NaNs ignored.
double tensorAmax(const Format& in, const float* x, size_t n);
// A per-tensor fp32 decode scale: fp32_rne(amax / elemMax), the exact quotient rounded once. A tensor of zeros
// (or a non-finite amax) gets 1.0; a quotient below fp32's subnormals gets the smallest subnormal.
uint32_t perTensorScaleFp32(double amax, double elemMax);

// NVFP4 (nvfp4quant's model) with NVIDIA's per-tensor scale t = perTensorScaleFp32(amax_tensor, 6 * 448);
// the effective scale of a block is s_b * t. tensorScale (optional) receives t's encoding.
QuantStats nvfp4QuantStats(const Nvfp4QuantSpec& spec, const float* x, size_t n, int threads = 0,
                           uint32_t* tensorScale = nullptr);

// Per-tensor scaling through an fcvt unit (fcvt's model): t = perTensorScaleFp32(amax_tensor, max finite of
// spec.out); each x becomes x / t rounded once (rne) into the unit's input format spec.a, then spec's
// conversion with satfinite forced (whatever spec says); dequantized as q * t. tensorScale receives t.
QuantStats perTensorQuantStats(const FcvtSpec& spec, const float* x, size_t n, int threads = 0,
                               uint32_t* tensorScale = nullptr);

// Quantizes a float32 tensor (the spec's input format must be fp32): scales[n/K rounded up] E8M0 bytes and
// q[n] element encodings (one byte each; element formats up to 8 bits). threads <= 0: all cores.
void mxQuantizeTensor(const MxQuantSpec& spec, const float* x, size_t n, uint8_t* scales, uint8_t* q, int threads = 0);

}  // namespace nf
