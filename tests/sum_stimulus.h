// Stimulus for the adding operators' model tests: random encodings, corner encodings, and operands built
// around another value (its negation for cancellation, scaled copies whose sum lands on or beside a rounding
// tie, neighbours of the output's overflow edge). Only the oracle's decoding/rounding helpers are used.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "oracles/mpfr_oracle.h"

namespace nft {

inline uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

class SumStimulus {
 public:
  SumStimulus(uint64_t seed) : rng_(seed) {}

  uint32_t randomBits(const nf::Format& f) { return uint32_t(rng_()) & mask(f); }

  uint32_t corner(const nf::Format& f) {
    const nfo::Spec s = nfo::specOf(f);
    const uint32_t mags[] = {0u, 1u, 2u, (1u << s.M) - 1u, 1u << s.M, (1u << s.M) + 1u, s.maxFiniteMag,
                             s.maxFiniteMag - 1u, uint32_t(s.bias) << s.M, s.magMask, s.magMask - 1u};
    const uint32_t m = mags[rng_() % std::size(mags)] & s.magMask;
    return m | ((rng_() & 1) ? s.signBit : 0u);
  }

  // An encoding of f near value v: v rounded toward zero, then moved up to `radius` steps in magnitude.
  uint32_t near(const nf::Format& f, double v, int radius) {
    const nfo::Spec s = nfo::specOf(f);
    if (v == 0 || !std::isfinite(v)) return randomBits(f);
    int e;
    const double m = std::frexp(std::fabs(v), &e);
    const uint64_t sig = uint64_t(std::ldexp(m, 53));
    const nfo::OResult r = nfo::roundExact(v < 0, sig, e - 53, f, {nf::Rounding::RTZ, true, false});
    int64_t mag = int64_t(r.bits & s.magMask) + int64_t(rng_() % unsigned(2 * radius + 1)) - radius;
    if (mag < 0) mag = 0;
    if (mag > int64_t(s.maxFiniteMag)) mag = s.maxFiniteMag;
    return (r.bits & s.signBit) | uint32_t(mag);
  }

  // A second operand for x (format fx) in format fy: cancellation, tie-producing, or overflow-edge partners.
  uint32_t partner(const nf::Format& fy, double x, const nf::Format& out) {
    const nfo::Spec so = nfo::specOf(out);
    switch (rng_() % 4) {
      case 0: return near(fy, -x, 3);  // massive cancellation
      case 1: {
        // A smaller addend whose bits straddle the output's rounding point.
        const int k = int(rng_() % unsigned(so.M + 5));
        const double y = std::ldexp(x, -k) * ((rng_() & 1) ? 1 : -1);
        return near(fy, y, 1);
      }
      case 2: {
        const double maxOut = std::ldexp(double(so.maxSig), so.emaxFinite - so.M);
        return near(fy, (x >= 0 ? 1 : -1) * (maxOut - std::fabs(x)) * (1 + std::ldexp(1.0, -so.M - 1)), 2);
      }
      default: {
        // Near the output's smallest normal, above or below, from either side.
        const double minNormal = std::ldexp(1.0, so.emin);
        return near(fy, ((rng_() & 1) ? 1 : -1) * minNormal * (1 + double(rng_() % 5) / 4) - x, 2);
      }
    }
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  static uint32_t mask(const nf::Format& f) { return nfo::specOf(f).width >= 32 ? 0xFFFFFFFFu : ((1u << nfo::specOf(f).width) - 1u); }
  std::mt19937_64 rng_;
};

}  // namespace nft
