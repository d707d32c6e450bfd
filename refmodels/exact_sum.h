// The exact sum of two terms, compressed into a 128-bit window with a sticky bit, for every adding model
// (fadd, fma, and the accumulating operators after them). Rounding the window with roundPack gives the
// correctly rounded sum.
#pragma once

#include <bit>
#include <cstdint>

namespace nf {

using WideSig = unsigned __int128;

// (-1)^sign * sig * 2^exp; sig == 0 is an exact zero (its sign is the caller's rule to apply).
struct WideValue {
  bool sign = false;
  int exp = 0;
  WideSig sig = 0;
};

// x + y for x = (-1)^sx * mx * 2^ex and y likewise, mx and my below 2^62 (a zero term is mx == 0).
//
// Why the window is enough (SoftFloat's sticky compression): the term with the larger leading exponent
// ("big") is placed with its leading bit at window bit 125, so its lowest set bit is at bit >= 64 and it is
// an even integer in window units. The other term ("small") is shifted to the same grid; only when its bits
// would fall below bit 0 is it truncated, and then the bits it loses are jammed into bit 0 (the truncated
// value OR 1). A jammed small lies in the same open interval (2k, 2k+2) as the true one and is odd, so the
// computed and the true sum also lie in one such interval: every bit from bit 1 up is the same and bit 0 says
// "inexact". Truncation means small's leading bit is below bit 62, so |sum| > 2^125 - 2^62 > 2^124: the
// leading bit is 124 or higher, and a rounding to p <= 64 bits of precision takes its kept and round bits
// from bit 124 - p >= 60 up and counts bit 0 only as sticky, exactly as for the true sum.
inline WideValue exactSum(bool sx, int ex, uint64_t mx, bool sy, int ey, uint64_t my) {
  if (mx == 0) return {sy, ey, WideSig(my)};
  if (my == 0) return {sx, ex, WideSig(mx)};
  const int msbX = 63 - std::countl_zero(mx), msbY = 63 - std::countl_zero(my);
  const bool xBig = ex + msbX >= ey + msbY;
  const bool sBig = xBig ? sx : sy, sSmall = xBig ? sy : sx;
  const uint64_t mBig = xBig ? mx : my, mSmall = xBig ? my : mx;
  const int eBig = xBig ? ex : ey, eSmall = xBig ? ey : ex;
  const int up = 125 - (xBig ? msbX : msbY);
  const WideSig big = WideSig(mBig) << up;
  const int lsbExp = eBig - up;
  const int pos = eSmall - lsbExp;  // window bit of small's lsb
  WideSig small;
  if (pos >= 0) {
    small = WideSig(mSmall) << pos;  // fits: small's leading exponent is at most big's
  } else if (pos > -64) {
    const uint64_t kept = mSmall >> -pos;
    small = WideSig(kept | ((kept << -pos) != mSmall ? 1u : 0u));
  } else {
    small = 1;  // entirely below bit 0, nonzero
  }
  WideValue r;
  r.exp = lsbExp;
  if (sBig == sSmall) {
    r.sign = sBig;
    r.sig = big + small;  // < 2^127
  } else if (big >= small) {
    r.sign = sBig;
    r.sig = big - small;
  } else {
    r.sign = sSmall;
    r.sig = small - big;
  }
  return r;
}

}  // namespace nf
