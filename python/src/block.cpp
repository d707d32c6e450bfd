// Block formats: OCP MX (mxquant / mxdequant models) and NVFP4 (nvfp4quant / nvfp4dequant models), block by
// block over arrays whose last axis the Python layer has cut into whole blocks.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "python/src/binding.h"
#include "refmodels/fast_mx.h"
#include "refmodels/fcvt.h"
#include "refmodels/mxdequant.h"
#include "refmodels/mxquant.h"
#include "refmodels/nvfp4dequant.h"
#include "refmodels/nvfp4quant.h"
#include "refmodels/quant_stats.h"

namespace nf::py {

namespace {

size_t wholeBlocks(const std::string& func, const CodeView& v, size_t block) {
  if (v.size() % block != 0)
    valueError(fmt::format("{}: {} values are not whole blocks of {}", func, v.size(), block));
  return v.size() / block;
}

pyb::tuple mxQuantizeCodes(const pyb::array& x, const Format& in, const Format& elem, int block,
                           const std::string& rule, const std::string& rounding, const pyb::object& srBits, int srWidth) {
  const std::string func = "mx_quantize";
  MxQuantSpec s;
  s.in = in;
  s.elem = elem;
  s.block = block;
  s.rule = rule == "rceil" ? MxScaleRule::RCeil : MxScaleRule::Floor;
  s.mode = parseRoundingArg(func, rounding, true);
  std::vector<std::string> args = {"--a", in.name, "--out", elem.name, "--block", std::to_string(block),
                                   "--scale-rule", rule, "--round", rounding};
  if (s.mode == Rounding::SR) {
    s.srBits = srWidth > 0 ? srWidth : fcvtDefaultSrBits(in);
    args.insert(args.end(), {"--sr-bits", std::to_string(s.srBits)});
  } else if (srWidth > 0) {
    valueError(fmt::format("{}: sr_width needs rounding='sr' (the rounding is '{}')", func, rounding));
  }
  validateUnit(func, "mxquant", args,
               {{"--a", "x (its dtype)"}, {"--out", "elem"}, {"--block", "block"}, {"--scale-rule", "scale_rule"},
                {"--round", "rounding"}, {"--sr-bits", "sr_width"}});
  const CodeView xv(x, func + ": x");
  const size_t blocks = wholeBlocks(func, xv, size_t(block));
  const uint32_t* sr = srBitsArg(func, srBits, xv.size(), s.srBits);
  if ((s.mode == Rounding::SR) != (sr != nullptr))
    valueError(func + (sr ? ": sr_bits needs rounding='sr'" : ": rounding='sr' needs sr_bits or rng"));
  pyb::array scales(pyb::dtype::of<uint8_t>(), std::vector<ssize_t>{ssize_t(blocks)});
  pyb::array q = newCodes(elem, {ssize_t(xv.size())});
  uint8_t* sc = static_cast<uint8_t*>(scales.mutable_data());
  const CodeView qv(q, func);
  if (MxFp32Quantizer::applies(s) && !sr) {
    // The tensor-rate path of refmodels/fast_mx (the model's shared exponent, element tables filled by
    // fcvtModel; tests/test_fast_mx.cpp checks it against mxQuantize), chunks of blocks across the threads.
    const MxFp32Quantizer fast(s);
    const uint32_t* xb = static_cast<const uint32_t*>(xv.data());
    uint8_t* q8 = static_cast<uint8_t*>(qv.data());
    parallelFor(blocks, 2048, [&](size_t begin, size_t end) {
      fast.quantize(xb + begin * size_t(block), end - begin, sc + begin, q8 + begin * size_t(block));
    });
    return pyb::make_tuple(scales, q);
  }
  parallelFor(blocks, 1024, [&](size_t begin, size_t end) {
    std::vector<uint32_t> xb(static_cast<size_t>(block)), qb(static_cast<size_t>(block));
    for (size_t b = begin; b < end; ++b) {
      for (int i = 0; i < block; ++i) xb[size_t(i)] = xv[b * size_t(block) + size_t(i)];
      uint32_t scale = 0;
      mxQuantize(s, xb.data(), scale, qb.data(), sr ? sr + b * size_t(block) : nullptr);
      sc[b] = uint8_t(scale);
      for (int i = 0; i < block; ++i) qv.set(b * size_t(block) + size_t(i), qb[size_t(i)]);
    }
  });
  return pyb::make_tuple(scales, q);
}

pyb::array mxDequantizeCodes(const pyb::array& scales, const pyb::array& q, const Format& elem, const Format& out,
                             int block, const std::string& rounding) {
  const std::string func = "mx_dequantize";
  MxDequantSpec s{elem, out, block, parseRoundingArg(func, rounding, false)};
  validateUnit(func, "mxdequant", {"--a", elem.name, "--out", out.name, "--block", std::to_string(block), "--round", rounding},
               {{"--a", "elem"}, {"--out", "dtype"}, {"--block", "block"}, {"--round", "rounding"}});
  const CodeView sv(scales, func + ": scales"), qv(q, func + ": codes");
  const size_t blocks = wholeBlocks(func, qv, size_t(block));
  if (sv.size() != blocks)
    valueError(fmt::format("{}: scales has {} values; accepted: one per block ({})", func, sv.size(), blocks));
  pyb::array z = newCodes(out, {ssize_t(qv.size())});
  const CodeView zv(z, func);
  parallelFor(blocks, 1024, [&](size_t begin, size_t end) {
    std::vector<uint32_t> qb(static_cast<size_t>(block)), zb(static_cast<size_t>(block));
    for (size_t b = begin; b < end; ++b) {
      for (int i = 0; i < block; ++i) qb[size_t(i)] = qv[b * size_t(block) + size_t(i)] & elem.mask();
      mxDequantize(s, sv[b] & 0xFFu, qb.data(), zb.data());
      for (int i = 0; i < block; ++i) zv.set(b * size_t(block) + size_t(i), zb[size_t(i)]);
    }
  });
  return z;
}

// NVIDIA's per-tensor decode scale from the tensor's amax (NaNs ignored) as the unit reads it.
uint32_t nvfp4DefaultTensorScale(const CodeView& x, const Format& in) {
  double amax = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double v = std::fabs(in.toDouble(x[i]));
    if (!std::isnan(v)) amax = std::max(amax, v);
  }
  return perTensorScaleFp32(amax, kNvfp4TensorDivisor);
}

pyb::tuple nvfp4QuantizeCodes(const pyb::array& x, const Format& in, const pyb::object& tensorScale,
                              const std::string& rounding) {
  const std::string func = "nvfp4_quantize";
  const Nvfp4QuantSpec s = nvfp4QuantSpec(in, parseRoundingArg(func, rounding, false));
  validateUnit(func, "nvfp4quant", {"--a", in.name, "--round", rounding}, {{"--a", "x (its dtype)"}, {"--round", "rounding"}});
  const CodeView xv(x, func + ": x");
  const size_t blocks = wholeBlocks(func, xv, kNvfp4Block);
  const uint32_t t = tensorScale.is_none() ? nvfp4DefaultTensorScale(xv, in) : tensorScale.cast<uint32_t>();
  pyb::array scales = newCodes(s.scale, {ssize_t(blocks)});
  pyb::array q = newCodes(s.elem, {ssize_t(xv.size())});
  const CodeView sv(scales, func), qv(q, func);
  parallelFor(blocks, 1024, [&](size_t begin, size_t end) {
    uint32_t xb[kNvfp4Block], qb[kNvfp4Block];
    for (size_t b = begin; b < end; ++b) {
      for (int i = 0; i < kNvfp4Block; ++i) xb[i] = xv[b * kNvfp4Block + size_t(i)];
      uint32_t scale = 0;
      nvfp4Quantize(s, xb, t, scale, qb);
      sv.set(b, scale);
      for (int i = 0; i < kNvfp4Block; ++i) qv.set(b * kNvfp4Block + size_t(i), qb[i]);
    }
  });
  return pyb::make_tuple(scales, q, t);
}

pyb::array nvfp4DequantizeCodes(uint32_t tensorScale, const pyb::array& scales, const pyb::array& q, const Format& out,
                                const std::string& rounding) {
  const std::string func = "nvfp4_dequantize";
  const Nvfp4DequantSpec s = nvfp4DequantSpec(out, parseRoundingArg(func, rounding, false));
  validateUnit(func, "nvfp4dequant", {"--out", out.name, "--round", rounding}, {{"--out", "dtype"}, {"--round", "rounding"}});
  const CodeView sv(scales, func + ": scales"), qv(q, func + ": codes");
  const size_t blocks = wholeBlocks(func, qv, kNvfp4Block);
  if (sv.size() != blocks)
    valueError(fmt::format("{}: scales has {} values; accepted: one per block ({})", func, sv.size(), blocks));
  pyb::array z = newCodes(out, {ssize_t(qv.size())});
  const CodeView zv(z, func);
  parallelFor(blocks, 1024, [&](size_t begin, size_t end) {
    uint32_t qb[kNvfp4Block], zb[kNvfp4Block];
    for (size_t b = begin; b < end; ++b) {
      for (int i = 0; i < kNvfp4Block; ++i) qb[i] = qv[b * kNvfp4Block + size_t(i)] & s.elem.mask();
      nvfp4Dequantize(s, tensorScale, sv[b] & s.scale.mask(), qb, zb);
      for (int i = 0; i < kNvfp4Block; ++i) zv.set(b * kNvfp4Block + size_t(i), zb[i]);
    }
  });
  return z;
}

}  // namespace

void bindBlock(pyb::module_& m) {
  m.def("_mx_quantize", &mxQuantizeCodes);
  m.def("_mx_dequantize", &mxDequantizeCodes);
  m.def("_nvfp4_quantize", &nvfp4QuantizeCodes);
  m.def("_nvfp4_dequantize", &nvfp4DequantizeCodes);
}

}  // namespace nf::py
