// The tensor-rate MX quantizer (refmodels/fast_mx) against mxQuantize, the mxquant unit's model: blocks spread
// over every fp32 binade (tiny blocks where the scale clamps at 2^-127, huge ones at 2^127), zeros, fp32
// subnormals, NaN and Inf, ties and values just off them, for each covered element format, scale rule and
// rounding mode and several block sizes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "refmodels/fast_mx.h"

namespace nf {
namespace {

MxQuantSpec mxSpec(const char* elem, MxScaleRule rule, Rounding mode, int block) {
  MxQuantSpec s;
  s.in = parseFormat("fp32");
  s.elem = parseFormat(elem);
  s.rule = rule;
  s.mode = mode;
  s.block = block;
  return s;
}

// One block: a binade for the block, values within a few binades below it, and now and then a corner value.
void drawBlock(std::mt19937& rng, int K, uint32_t* x) {
  const int top = int(rng() % 254) + 1;  // the block's largest exponent field
  const int spread = 1 + int(rng() % 40);
  for (int i = 0; i < K; ++i) {
    const int f = std::max(1, top - int(rng() % uint32_t(spread)));
    uint32_t man = uint32_t(rng()) & 0x7FFFFFu;
    if (rng() % 4 == 0) man &= 0x7F0000u;                   // short significands: exact and tie cases
    if (rng() % 8 == 0) man |= 0x00FFFFu >> (rng() % 16);  // just above them
    x[i] = (uint32_t(rng() & 1u) << 31) | (uint32_t(f) << 23) | man;
    switch (rng() % 64) {
      case 0: x[i] &= 0x80000000u; break;                   // signed zero
      case 1: x[i] = (x[i] & 0x80000000u) | 0x7F800000u; break;  // Inf
      case 2: x[i] = 0x7FC00000u | (rng() & 0xFFFFu); break;     // NaN
      case 3: x[i] = (x[i] & 0x80000000u) | (uint32_t(rng()) & 0x7FFFFFu); break;  // fp32 subnormal
      default: break;
    }
  }
  if (rng() % 50 == 0)
    for (int i = 0; i < K; ++i) x[i] &= 0x80000000u;  // an all-zero block
}

TEST(FastMx, EveryCoveredElementRuleAndModeMatchesMxQuantize) {
  std::mt19937 rng(3);
  int covered = 0;
  for (const char* elem : {"e4m3", "e5m2", "e2m1", "e3m2"}) {
    for (MxScaleRule rule : {MxScaleRule::Floor, MxScaleRule::RCeil, MxScaleRule::Ceil, MxScaleRule::Even}) {
      for (Rounding mode : {Rounding::RNE, Rounding::RTZ, Rounding::RUP, Rounding::RDN, Rounding::RNA, Rounding::ROD}) {
        for (int K : {32, 16, 1, 64}) {
          const MxQuantSpec s = mxSpec(elem, rule, mode, K);
          ASSERT_TRUE(MxFp32Quantizer::applies(s)) << elem;
          ++covered;
          const MxFp32Quantizer fast(s);
          const size_t blocks = 300;
          std::vector<uint32_t> x(blocks * size_t(K));
          for (size_t b = 0; b < blocks; ++b) drawBlock(rng, K, x.data() + b * size_t(K));
          std::vector<uint8_t> scales(blocks), q(x.size());
          fast.quantize(x.data(), blocks, scales.data(), q.data());
          for (size_t b = 0; b < blocks; ++b) {
            uint32_t scale = 0, want[64];
            mxQuantize(s, x.data() + b * size_t(K), scale, want);
            ASSERT_EQ(scales[b], scale) << elem << " rule " << int(rule) << " mode " << int(mode) << " K " << K << " block " << b;
            for (int i = 0; i < K; ++i)
              ASSERT_EQ(q[b * size_t(K) + size_t(i)], want[i])
                  << elem << " rule " << int(rule) << " mode " << int(mode) << " K " << K << " x 0x" << std::hex
                  << x[b * size_t(K) + size_t(i)] << " scale 0x" << scale;
          }
        }
      }
    }
  }
  EXPECT_EQ(covered, 4 * 4 * 6 * 4);
}

TEST(FastMx, RefusesWhatItDoesNotCover) {
  EXPECT_FALSE(MxFp32Quantizer::applies(mxSpec("int8", MxScaleRule::Floor, Rounding::RNE, 32)));
  EXPECT_FALSE(MxFp32Quantizer::applies(mxSpec("e4m3", MxScaleRule::Floor, Rounding::SR, 32)));
  MxQuantSpec bf = mxSpec("e4m3", MxScaleRule::Floor, Rounding::RNE, 32);
  bf.in = parseFormat("bf16");
  EXPECT_FALSE(MxFp32Quantizer::applies(bf));
  EXPECT_THROW(MxFp32Quantizer{bf}, std::invalid_argument);
}

}  // namespace
}  // namespace nf
