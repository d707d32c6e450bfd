// The stimulus every block quantizer is co-simulated with (mxquant, nvfp4quant): corner blocks and seeded
// random blocks over the input format's range, placed on the element grid's edges and ties.
#include "generators/block_stimulus.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "refmodels/corners.h"
#include "refmodels/mxquant.h"
#include "refmodels/rounding.h"

namespace nf {

std::vector<std::vector<uint32_t>> quantizerStimulus(const Format& A, int K, int elemEmax, int elemMan, double elemMax,
                                                     uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<uint32_t>> v;
  const RoundOptions rne{Rounding::RNE, false, false};
  auto enc = [&](double x) { return roundFromDouble(x, A, rne).bits; };
  auto uni = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto gauss = [&]() { return std::normal_distribution<double>(0, 1)(rng); };
  auto idx = [&]() { return int(rng() % uint64_t(K)); };
  const uint32_t mask = A.mask();
  const std::vector<uint32_t> corners = formatCorners(A);
  const double maxA = A.toDouble(A.maxFiniteMag()), minSubA = A.toDouble(A.minSubnormalMag());
  const int eLo = A.emin() - A.manBits, eHi = A.emax();
  auto randomBlock = [&](int g, double spread) {
    std::vector<uint32_t> b(static_cast<size_t>(K), 0u);
    for (uint32_t& x : b) x = enc(gauss() * std::ldexp(1.0, g) * (spread > 0 ? std::exp2(uni(-spread, 0)) : 1.0));
    return b;
  };

  v.push_back(std::vector<uint32_t>(size_t(K), 0u));
  {
    std::vector<uint32_t> b(static_cast<size_t>(K), 0u);
    for (uint32_t& x : b) x = (rng() & 1) ? A.signBit() : 0u;
    v.push_back(b);
  }
  // Every corner encoding of the input format: alone among zeros, among random values, and filling a block.
  for (uint32_t c : corners) {
    std::vector<uint32_t> b(size_t(K), 0u);
    b[size_t(idx())] = c;
    v.push_back(b);
    b = randomBlock(int(rng() % 8) - 4, 6);
    b[size_t(idx())] = c;
    v.push_back(b);
    v.push_back(std::vector<uint32_t>(size_t(K), c));
  }
  // NaN/Inf at random places in ordinary blocks.
  for (uint32_t c : corners) {
    if (A.classify(c) != FpClass::NaN && A.classify(c) != FpClass::Inf) continue;
    for (int r = 0; r < 4; ++r) {
      std::vector<uint32_t> b = randomBlock(int(rng() % 20) - 10, 4);
      b[size_t(idx())] = c;
      v.push_back(b);
    }
  }
  // One huge value among tiny ones (the tiny ones flush), and the reverse of the scale clamp.
  for (int r = 0; r < 24; ++r) {
    std::vector<uint32_t> b(static_cast<size_t>(K), 0u);
    for (uint32_t& x : b) x = (uint32_t(rng()) & ((1u << A.manBits) - 1u)) | ((rng() & 1) ? A.signBit() : 0u);
    b[size_t(idx())] = r % 3 == 0 ? A.maxFiniteMag() : enc(std::ldexp(uni(1, 2), eHi - int(rng() % 16)));
    v.push_back(b);
  }
  // amax at the edges where the shared exponent reaches -127 / +127, and subnormal amax.
  for (int target : {kMxScaleMin, kMxScaleMax}) {
    for (int dE = -3; dE <= 3; ++dE) {
      const int e = target + elemEmax + dE;
      if (e < eLo || e > eHi) continue;
      for (double f : {1.0, elemMax / std::ldexp(1.0, elemEmax), 1.9999999}) {
        std::vector<uint32_t> b = randomBlock(e - 2, 8);
        b[size_t(idx())] = enc(std::ldexp(f, e) * ((rng() & 1) ? -1 : 1));
        v.push_back(b);
      }
    }
  }
  for (int r = 0; r < 16; ++r) {
    std::vector<uint32_t> b(static_cast<size_t>(K), 0u);
    for (uint32_t& x : b) x = uint32_t(rng() >> (64 - A.manBits + int(rng() % uint64_t(A.manBits)))) | ((rng() & 1) ? A.signBit() : 0u);
    v.push_back(b);
  }
  // rceil boundary: amax's significand at, just below and just above max normal's.
  for (int r = 0; r < 48; ++r) {
    const int e = int(rng() % uint64_t(eHi - A.emin())) + A.emin();
    const double m = elemMax / std::ldexp(1.0, elemEmax);
    const uint32_t at = enc(std::ldexp(m, e));
    std::vector<uint32_t> b = randomBlock(e - 1, 6);
    b[size_t(idx())] = (at + uint32_t(r % 3) - 1u) | ((rng() & 1) ? A.signBit() : 0u);
    v.push_back(b);
  }
  // Ties: amax = 2^(s + emax) fixes s; other elements are odd multiples of half an element ulp.
  for (int r = 0; r < 200; ++r) {
    const int s = int(rng() % 40) - 20;
    std::vector<uint32_t> b(static_cast<size_t>(K), 0u);
    for (uint32_t& x : b) {
      const int binade = elemEmax - int(rng() % uint64_t(elemEmax + elemMan + 3));
      const double ulp = std::ldexp(1.0, std::max(binade, elemEmax - 40) - elemMan);
      const double k = double(rng() % uint64_t(uint64_t(1) << (elemMan + 1)));
      x = enc((k + 0.5) * ulp * std::ldexp(1.0, s) * ((rng() & 1) ? -1 : 1));
    }
    b[size_t(idx())] = enc(std::ldexp(1.0, s + elemEmax));
    v.push_back(b);
  }
  // Seeded random blocks: Gaussian values at an exponent anywhere in the input range, with spread.
  for (int r = 0; r < 1500; ++r) v.push_back(randomBlock(int(rng() % uint64_t(eHi - eLo + 1)) + eLo, r % 2 ? 30 : 3));
  // Raw encodings with the exponent field near a random centre (NaN/Inf only occasionally).
  for (int r = 0; r < 500; ++r) {
    std::vector<uint32_t> b(static_cast<size_t>(K), 0u);
    const int centre = int(rng() % uint64_t(A.expFieldMax()));
    for (uint32_t& x : b) {
      const int field = std::clamp(centre + int(rng() % 5) - 2, 0, A.expFieldMax() - 1);
      x = ((uint32_t(field) << A.manBits) | (uint32_t(rng()) & ((1u << A.manBits) - 1u)) | ((rng() & 1) ? A.signBit() : 0u)) & mask;
    }
    v.push_back(b);
  }
  (void)maxA;
  (void)minSubA;
  return v;
}

}  // namespace nf
