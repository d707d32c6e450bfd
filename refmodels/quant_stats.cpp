#include "refmodels/quant_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

#include "refmodels/fcvt.h"
#include "refmodels/nvfp4quant.h"

namespace nf {

namespace {

struct Partial {
  uint64_t elements = 0, saturated = 0, flushed = 0, nanBlocks = 0;
  double sumSq = 0, sumErrSq = 0, maxAbs = 0, maxRel = 0;
  void add(const Partial& o) {
    elements += o.elements;
    saturated += o.saturated;
    flushed += o.flushed;
    nanBlocks += o.nanBlocks;
    sumSq += o.sumSq;
    sumErrSq += o.sumErrSq;
    maxAbs = std::max(maxAbs, o.maxAbs);
    maxRel = std::max(maxRel, o.maxRel);
  }
};

}  // namespace

QuantStats blockQuantStats(const Format& in, size_t K, double elemMax, const float* x, size_t n, int threads,
                           const BlockQuantizer& quantize) {
  const size_t blocks = (n + K - 1) / K;
  const int T = std::max(1, threads > 0 ? threads : int(std::thread::hardware_concurrency()));
  const RoundOptions toInput{Rounding::RNE, false, false};
  const bool inputIsFp32 = in.expBits == 8 && in.manBits == 23 && in.nonFinite == NonFinite::IEEE && in.subnormals;
  std::vector<Partial> parts(static_cast<size_t>(T));
  auto work = [&](int t) {
    Partial& p = parts[size_t(t)];
    std::vector<uint32_t> bits(K);
    std::vector<double> xv(K), y(K);
    for (size_t b = size_t(t); b < blocks; b += size_t(T)) {
      const size_t first = b * K, cnt = std::min(K, n - first);
      for (size_t i = 0; i < K; ++i) {
        if (i >= cnt) {
          bits[i] = 0;
          xv[i] = 0;
          continue;
        }
        if (inputIsFp32) std::memcpy(&bits[i], &x[first + i], 4);
        else bits[i] = roundFromDouble(double(x[first + i]), in, toInput).bits;
        xv[i] = in.toDouble(bits[i]);
      }
      double X = 0;
      if (!quantize(bits.data(), y.data(), X)) {
        ++p.nanBlocks;
        continue;
      }
      for (size_t i = 0; i < cnt; ++i) {
        const double e = std::fabs(xv[i] - y[i]);
        ++p.elements;
        p.sumSq += xv[i] * xv[i];
        p.sumErrSq += e * e;
        p.maxAbs = std::max(p.maxAbs, e);
        if (xv[i] != 0) p.maxRel = std::max(p.maxRel, e / std::fabs(xv[i]));
        if (std::fabs(xv[i]) > elemMax * X) ++p.saturated;
        if (xv[i] != 0 && y[i] == 0) ++p.flushed;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < T; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  Partial all;
  for (const Partial& p : parts) all.add(p);
  QuantStats s;
  s.elements = all.elements;
  s.nanBlocks = all.nanBlocks;
  if (all.elements == 0) return s;
  s.mse = all.sumErrSq / double(all.elements);
  s.qsnrDb = all.sumErrSq == 0 ? std::numeric_limits<double>::infinity() : 10 * std::log10(all.sumSq / all.sumErrSq);
  s.maxAbsErr = all.maxAbs;
  s.maxRelErr = all.maxRel;
  s.saturatedFrac = double(all.saturated) / double(all.elements);
  s.zeroFlushedFrac = double(all.flushed) / double(all.elements);
  return s;
}

namespace {

// Element encodings to values, once; MX integer elements are 1.(N-2) fixed point.
std::vector<double> valueTable(const Format& f) {
  std::vector<double> v(size_t(f.mask()) + 1);
  const int fractionBits = f.kind == FormatKind::Int ? f.intBits - 2 : 0;
  for (uint32_t q = 0; q < v.size(); ++q) v[q] = std::ldexp(f.toDouble(q), -fractionBits);
  return v;
}

}  // namespace

QuantStats mxQuantStats(const MxQuantSpec& spec, const float* x, size_t n, int threads) {
  const std::vector<double> elemValue = valueTable(spec.elem);
  return blockQuantStats(spec.in, size_t(spec.block), mxElemMax(spec.elem), x, n, threads,
                         [&](const uint32_t* in, double* y, double& X) {
                           uint32_t q[64], scale = 0;
                           std::vector<uint32_t> heap;
                           uint32_t* qp = q;
                           if (spec.block > 64) {
                             heap.resize(size_t(spec.block));
                             qp = heap.data();
                           }
                           mxQuantize(spec, in, scale, qp);
                           if (scale == kE8M0NaN) return false;
                           X = std::ldexp(1.0, int(scale) - kE8M0Bias);
                           for (int i = 0; i < spec.block; ++i) y[i] = elemValue[qp[i]] * X;
                           return true;
                         });
}

double tensorAmax(const Format& in, const float* x, size_t n) {
  const RoundOptions rne{Rounding::RNE, false, false};
  double amax = 0;
  for (size_t i = 0; i < n; ++i) {
    const double v = std::fabs(in.toDouble(roundFromDouble(double(x[i]), in, rne).bits));
    if (v > amax) amax = v;  // NaN never compares greater; an Inf makes amax Inf
  }
  return amax;
}

uint32_t perTensorScaleFp32(double amax, double elemMax) {
  const Format fp32 = parseFormat("fp32");
  const RoundOptions rne{Rounding::RNE, false, false};
  if (!(amax > 0) || !std::isfinite(amax)) return roundFromDouble(1.0, fp32, rne).bits;
  int ea = 0, em = 0;
  const uint64_t sigA = uint64_t(std::ldexp(std::frexp(amax, &ea), 53));  // amax = sigA * 2^(ea - 53), exactly
  const uint64_t sigM = uint64_t(std::ldexp(std::frexp(elemMax, &em), 40));  // elemMax has at most 40 bits here
  const uint32_t t = roundQuotient(false, sigA, ea - 53, sigM, em - 40, fp32, rne).bits;
  return t == 0 ? fp32.minSubnormalMag() : t;
}

QuantStats nvfp4QuantStats(const Nvfp4QuantSpec& spec, const float* x, size_t n, int threads, uint32_t* tensorScale) {
  const uint32_t t = perTensorScaleFp32(tensorAmax(spec.in, x, n), kNvfp4TensorDivisor);
  if (tensorScale) *tensorScale = t;
  const double tv = spec.tensorScale.toDouble(t);
  const std::vector<double> elemValue = valueTable(spec.elem), scaleValue = valueTable(spec.scale);
  return blockQuantStats(spec.in, kNvfp4Block, kNvfp4ElemMax, x, n, threads,
                         [&](const uint32_t* in, double* y, double& X) {
                           uint32_t q[kNvfp4Block], scale = 0;
                           nvfp4Quantize(spec, in, t, scale, q);
                           if (scale == spec.scale.canonicalNaN()) return false;
                           X = scaleValue[scale] * tv;  // exact: 4 x 24 significant bits
                           for (int i = 0; i < kNvfp4Block; ++i) y[i] = elemValue[q[i]] * X;
                           return true;
                         });
}

QuantStats perTensorQuantStats(const FcvtSpec& spec, const float* x, size_t n, int threads, uint32_t* tensorScale) {
  const double elemMax = spec.out.toDouble(spec.out.maxFiniteMag());
  const uint32_t t = perTensorScaleFp32(tensorAmax(spec.a, x, n), elemMax);
  if (tensorScale) *tensorScale = t;
  const Format fp32 = parseFormat("fp32");
  const Decoded td = fp32.decode(t);
  const double X = fp32.toDouble(t);
  FcvtSpec sat = spec;
  sat.round.saturate = true;
  return blockQuantStats(spec.a, 1, elemMax, x, n, threads, [&](const uint32_t* in, double* y, double& scale) {
    const Decoded d = spec.a.decode(in[0]);
    if (d.cls == FpClass::NaN || d.cls == FpClass::Inf) return false;
    // x / t rounded once into the unit's input format, then the unit's conversion (satfinite).
    const uint32_t scaled = d.cls == FpClass::Zero
                                ? in[0]
                                : roundQuotient(d.sign, d.sig, d.exp, td.sig, td.exp, spec.a, {Rounding::RNE, false, false}).bits;
    y[0] = spec.out.toDouble(fcvtModel(sat, scaled, sat.round.mode).bits) * X;
    scale = X;
    return true;
  });
}

namespace {

// The model's results for fp32 blocks of normal values and zeros into a float element format of at most 8
// bits, from tables filled by roundPack itself: an element's result depends only on its sign, its exponent
// less s, its top M+1 mantissa bits (the kept bits and the round bit at every alignment) and the OR of the
// rest. Blocks holding subnormals, NaN or Inf take mxQuantize.
class MxFp32Fast {
 public:
  explicit MxFp32Fast(const MxQuantSpec& spec) : spec_(spec) {
    const Format& E = spec.elem;
    usable_ = spec.in.expBits == 8 && spec.in.manBits == 23 && spec.in.nonFinite == NonFinite::IEEE &&
              spec.in.subnormals && E.kind == FormatKind::Float && E.width() <= 8;
    if (!usable_) return;
    M_ = E.manBits;
    lim_ = mxElemLimits(E);
    dHi_ = lim_.emax;
    dLo_ = E.emin() - M_ - 2;
    const RoundOptions opt{spec.mode, true, false};
    const int keys = (dHi_ - dLo_ + 1) << (M_ + 3);
    table_.resize(size_t(keys));
    for (int k = 0; k < keys; ++k) {
      const bool sign = k & 1, sticky = (k >> 1) & 1;
      const uint32_t top = uint32_t(k >> 2) & ((1u << (M_ + 1)) - 1u);
      const int d = dLo_ + (k >> (M_ + 3));
      const uint64_t sig = (uint64_t(1) << (M_ + 2)) | (uint64_t(top) << 1) | (sticky ? 1u : 0u);
      table_[size_t(k)] = uint8_t(roundPack<uint64_t>(sign, d - (M_ + 2), sig, false, E, opt).bits);
    }
    for (int sg = 0; sg < 2; ++sg) {
      tiny_[sg] = uint8_t(roundPack<uint64_t>(sg, dLo_ - 4, 1, false, E, opt).bits);
      sat_[sg] = uint8_t(E.maxFiniteMag() | (sg ? E.signBit() : 0u));
      zero_[sg] = uint8_t(packZero(sg, E).bits);
    }
    thrMan_ = uint32_t((mxScaleThreshold(spec.rule, lim_) >> 40) & 0x7FFFFFu);  // fp32 amax: the top 24 bits
  }
  bool usable() const { return usable_; }

  void block(const uint32_t* x, uint32_t& scale, uint8_t* q) const {
    const int K = spec_.block;
    uint32_t maxMag = 0;
    bool odd = false;
    for (int i = 0; i < K; ++i) {
      const uint32_t m = x[i] & 0x7FFFFFFFu;
      maxMag = std::max(maxMag, m);
      odd |= m != 0 && m < 0x00800000u;  // subnormal
    }
    if (odd || maxMag >= 0x7F800000u || maxMag == 0) {
      uint32_t out[64];
      mxQuantize(spec_, x, scale, out);
      for (int i = 0; i < K; ++i) q[i] = uint8_t(out[i]);
      return;
    }
    int s = int(maxMag >> 23) - 127 - lim_.emax;
    if (spec_.rule != MxScaleRule::Floor && (maxMag & 0x7FFFFFu) > thrMan_) ++s;
    s = std::clamp(s, kMxScaleMin, kMxScaleMax);
    scale = uint32_t(s + kE8M0Bias);
    for (int i = 0; i < K; ++i) {
      const uint32_t b = x[i];
      const int sg = int(b >> 31);
      const uint32_t f = (b >> 23) & 0xFFu;
      if (f == 0) {
        q[i] = zero_[sg];
        continue;
      }
      const int d = int(f) - 127 - s;
      if (d > dHi_) {
        q[i] = sat_[sg];
      } else if (d < dLo_) {
        q[i] = tiny_[sg];
      } else {
        const uint32_t top = (b >> (22 - M_)) & ((1u << (M_ + 1)) - 1u);
        const uint32_t sticky = (b & ((1u << (22 - M_)) - 1u)) != 0;
        q[i] = table_[size_t(((d - dLo_) << (M_ + 3)) | int(top << 2) | int(sticky << 1) | sg)];
      }
    }
  }

 private:
  MxQuantSpec spec_;
  bool usable_ = false;
  int M_ = 0, dHi_ = 0, dLo_ = 0;
  MxElemLimits lim_;
  uint32_t thrMan_ = 0;
  std::vector<uint8_t> table_;
  uint8_t tiny_[2] = {0, 0}, sat_[2] = {0, 0}, zero_[2] = {0, 0};
};

}  // namespace

void mxQuantizeTensor(const MxQuantSpec& spec, const float* x, size_t n, uint8_t* scales, uint8_t* q, int threads) {
  const size_t K = size_t(spec.block);
  const size_t blocks = (n + K - 1) / K;
  const int T = std::max(1, threads > 0 ? threads : int(std::thread::hardware_concurrency()));
  const MxFp32Fast fast(spec);
  auto work = [&](int t) {
    std::vector<uint32_t> in(K), out(K);
    std::vector<uint8_t> q8(K);
    const size_t lo = blocks * size_t(t) / size_t(T), hi = blocks * size_t(t + 1) / size_t(T);
    for (size_t b = lo; b < hi; ++b) {
      const size_t first = b * K, cnt = std::min(K, n - first);
      std::memcpy(in.data(), x + first, cnt * 4);
      std::fill(in.begin() + std::ptrdiff_t(cnt), in.end(), 0u);
      uint32_t scale = 0;
      if (fast.usable() && cnt == K && K <= 64) {
        fast.block(in.data(), scale, q + first);
      } else {
        mxQuantize(spec, in.data(), scale, out.data());
        for (size_t i = 0; i < cnt; ++i) q[first + i] = uint8_t(out[i]);
      }
      scales[b] = uint8_t(scale);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < T; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
}

}  // namespace nf
