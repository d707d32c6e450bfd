#include "refmodels/corners.h"

#include <algorithm>

namespace nf {

std::vector<uint32_t> formatCorners(const Format& f) {
  std::vector<uint32_t> mags;
  if (f.kind == FormatKind::Int) {
    const uint32_t m = f.mask();
    std::vector<uint32_t> v = {0u, 1u, 2u, m, m - 1u, m >> 1, (m >> 1) + 1u, (m >> 1) - 1u};
    for (uint32_t& x : v) x &= m;
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }
  const uint32_t M = uint32_t(f.manBits);
  const uint32_t one = uint32_t(f.bias) << M;  // 1.0 when it is in range
  if (f.hasZero()) mags.push_back(0);
  if (f.subnormals && M > 0) {
    mags.push_back(1);
    mags.push_back(2);
    mags.push_back((1u << M) - 1u);
    mags.push_back(1u << (M - 1));
  }
  mags.push_back(f.minNormalMag());
  mags.push_back(f.minNormalMag() + 1u);
  if (f.bias > 0 && f.bias < f.expFieldMax()) {
    mags.push_back(one);
    mags.push_back(one + 1u);
    mags.push_back(one - 1u);
    if (M > 0) mags.push_back(one | (1u << (M - 1)));
  }
  mags.push_back(f.maxFiniteMag());
  mags.push_back(f.maxFiniteMag() - 1u);
  if (f.isP3109()) {
    mags.push_back(f.magMask());      // +Inf (extended) or max finite; the unsigned NaN
    mags.push_back(f.magMask() - 1u);
  } else if (f.hasInf()) {
    mags.push_back(f.infMag());
    mags.push_back(f.infMag() | (1u << (M - 1)));             // quiet NaN
    mags.push_back(f.infMag() | (1u << (M - 1)) | 1u);        // quiet NaN with payload
    if (M > 1) mags.push_back(f.infMag() | 1u);               // signaling NaN
    mags.push_back(f.magMask());
  } else if (f.nonFinite == NonFinite::FN) {
    mags.push_back(f.magMask());
  }
  std::vector<uint32_t> v;
  for (uint32_t m : mags) {
    m &= f.magMask();
    v.push_back(m);
    if (f.isSigned) v.push_back(m | f.signBit());
  }
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::vector<uint32_t> neighbours(const Format& f, uint32_t bits, int radius) {
  std::vector<uint32_t> v;
  const uint32_t sign = bits & f.signBit();
  const int64_t mag = bits & f.magMask();
  for (int d = -radius; d <= radius; ++d) {
    const int64_t m = mag + d;
    if (m < 0 || m > int64_t(f.magMask())) continue;
    v.push_back(sign | uint32_t(m));
  }
  return v;
}

std::vector<std::vector<uint32_t>> accumulatorCornerStream(const Format& a, const Format* b, int growth, int shrink,
                                                           uint32_t tinyStart, bool rmPort) {
  std::vector<std::vector<uint32_t>> v;
  const std::vector<uint32_t> ca = formatCorners(a), cb = b ? formatCorners(*b) : std::vector<uint32_t>{0};
  auto push = [&](uint32_t x, uint32_t y, bool clear) {
    std::vector<uint32_t> in = {x};
    if (b) in.push_back(y);
    in.push_back(clear);
    if (rmPort) in.push_back(uint32_t(v.size() % 6));  // the modes in turn: each term rounds its own way
    v.push_back(in);
  };
  for (uint32_t x : ca)
    for (uint32_t y : cb) push(x, y, true);
  for (uint32_t x : ca)
    for (uint32_t y : cb) push(x, y, false);
  const uint32_t big = a.maxFiniteMag(), bigB = b ? b->maxFiniteMag() : 0;
  push(big, bigB, true);
  for (int i = 0; i < growth; ++i) push(big, bigB, false);
  for (int i = 0; i < shrink; ++i) push(big | a.signBit(), bigB, false);
  push(tinyStart, b ? 1u : 0u, true);
  for (int i = 0; i < 64; ++i) push(i % 2 ? big : 1u, b ? (i % 2 ? bigB : 1u) : 0u, false);
  for (int i = 0; i < 32; ++i) push(big | a.signBit(), bigB, false);
  return v;
}

}  // namespace nf
