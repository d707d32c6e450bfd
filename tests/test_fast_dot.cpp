// The align-mode dot product of 8-bit operands (refmodels/fast_dot) against fdotModel: every operand pair as a
// one-product group (with and without an addend), corner-laden and random groups of every size for several
// align widths and formats, and K-term chains against the groups composed here from fdotModel calls.
#include <gtest/gtest.h>

#include <random>

#include "refmodels/corners.h"
#include "refmodels/fast_dot.h"

namespace nf {
namespace {

FdotSpec alignSpec(const std::string& a, const std::string& b, int alignBits, const char* c, Rounding mode) {
  FdotSpec s;
  s.a = parseFormat(a);
  s.b = parseFormat(b);
  s.out = parseFormat("fp32");
  if (c) s.c = parseFormat(c);
  s.accum = FdotSpec::Accum::Align;
  s.alignBits = alignBits;
  s.round.mode = mode;
  return s;
}

// fdotModel on one group of n terms with an addend in `addend` (nullptr: none), as the fdot unit of n terms.
Packed modelGroup(FdotSpec s, const uint8_t* a, const uint8_t* b, int n, const Format* addend, uint32_t c,
                  Rounding mode) {
  s.n = n;
  s.group = 0;
  s.c = addend ? std::optional<Format>(*addend) : std::nullopt;
  std::vector<uint32_t> a32(a, a + n), b32(b, b + n);
  return fdotModel(s, a32.data(), b32.data(), c, mode);
}

void expectEqual(const Packed& got, const Packed& want, const std::string& what) {
  EXPECT_TRUE(got.bits == want.bits && got.flags == want.flags)
      << what << ": fast 0x" << std::hex << got.bits << "/" << int(got.flags) << ", fdotModel 0x" << want.bits << "/"
      << int(want.flags);
}

TEST(FastDot, EveryOperandPairAsOneProduct) {
  for (const char* fmt : {"e4m3", "e5m2"}) {
    const FdotSpec s = alignSpec(fmt, fmt, 13, "fp32", Rounding::RTZ);
    const AlignDotTable t(s);
    const Format fp32 = parseFormat("fp32");
    int failures = 0;
    for (uint32_t x = 0; x < 256 && failures < 5; ++x) {
      for (uint32_t y = 0; y < 256; ++y) {
        const uint8_t a = uint8_t(x), b = uint8_t(y);
        for (uint32_t c : {0x00000000u, 0x3F800000u, 0xC1200000u}) {
          const Format* add = c ? &fp32 : nullptr;
          const Packed got = t.group(&a, &b, 1, add, c, Rounding::RTZ);
          const Packed want = modelGroup(s, &a, &b, 1, add, c, Rounding::RTZ);
          if (got.bits != want.bits || got.flags != want.flags) {
            ++failures;
            expectEqual(got, want, std::string(fmt) + " pair " + std::to_string(x) + "," + std::to_string(y));
          }
        }
      }
    }
  }
}

// Groups of 1..32 drawn from each format's corners and random codes, every align width in the list.
TEST(FastDot, CornerAndRandomGroupsMatchFdotModel) {
  std::mt19937 rng(5);
  const Format fp32 = parseFormat("fp32");
  const std::vector<uint32_t> cCorners = formatCorners(fp32);
  for (const char* fmt : {"e4m3", "e5m2", "e2m1", "e3m2"}) {
    const std::vector<uint32_t> corners = formatCorners(parseFormat(fmt));
    for (int alignBits : {0, 3, 6, 13, 24, 40, 54}) {
      for (Rounding mode : {Rounding::RTZ, Rounding::RNE, Rounding::RUP}) {
        const FdotSpec s = alignSpec(fmt, fmt, alignBits, "fp32", mode);
        const AlignDotTable t(s);
        const uint32_t mask = s.a.mask();
        for (int trial = 0; trial < 300; ++trial) {
          const int n = 1 + int(rng() % 32);
          uint8_t a[32], b[32];
          for (int i = 0; i < n; ++i) {
            const bool corner = rng() % 4 == 0;
            a[i] = uint8_t(corner ? corners[rng() % corners.size()] : rng() & mask);
            b[i] = uint8_t(rng() % 8 == 0 ? corners[rng() % corners.size()] : rng() & mask);
          }
          const uint32_t c = trial % 3 == 0 ? cCorners[rng() % cCorners.size()] : uint32_t(rng());
          const Format* add = trial % 5 == 0 ? nullptr : &fp32;
          expectEqual(t.group(a, b, n, add, c, mode), modelGroup(s, a, b, n, add, c, mode),
                      std::string(fmt) + " align " + std::to_string(alignBits) + " n " + std::to_string(n));
          if (HasFailure()) return;
        }
      }
    }
  }
}

// K terms in groups chained through fp32: the composition restated here with fdotModel per group.
TEST(FastDot, ChainedGroupsMatchComposedFdotModel) {
  std::mt19937 rng(9);
  const FdotSpec s = alignSpec("e4m3", "e4m3", 13, nullptr, Rounding::RTZ);
  const AlignDotTable t(s);
  for (int trial = 0; trial < 200; ++trial) {
    const int k = 1 + int(rng() % 200), group = 1 + int(rng() % 32);
    std::vector<uint8_t> a(static_cast<size_t>(k)), b(static_cast<size_t>(k));
    for (int i = 0; i < k; ++i) a[size_t(i)] = uint8_t(rng() & 0x7E), b[size_t(i)] = uint8_t(rng());
    Packed want;
    uint8_t flags = 0;
    for (int first = 0; first < k; first += group) {
      const int n = std::min(group, k - first);
      want = modelGroup(s, a.data() + first, b.data() + first, n, first == 0 ? nullptr : &s.out,
                        first == 0 ? 0u : want.bits, Rounding::RTZ);
      flags |= want.flags;
    }
    want.flags = flags;
    expectEqual(t.dot(a.data(), b.data(), k, group, 0, Rounding::RTZ), want,
                "k " + std::to_string(k) + " group " + std::to_string(group));
    if (HasFailure()) return;
  }
}

// The tensor-core rules (a zero's exponent, overflow to Inf, NaN all ones, +0) and an e8m13 sum widened to fp32,
// through both entry points (codes, and planes decoded once), against fdotModel of the whole chain (n = K in groups:
// the model applies the rules per group and widens once). Operands: any code, with runs of zeros, 448s and NaNs.
// Zero exponents: NVIDIA's -126, and 4, above e4m3's products, so that zeros (c too) decide the truncation.
TEST(FastDot, TensorCoreRulesAndPlanesMatchFdotModel) {
  std::mt19937 rng(18);
  for (const int setting : {0, 1, 2, 3}) {
    const bool port = setting & 1;
    FdotSpec s = alignSpec("e4m3", "e4m3", 13, "fp32", Rounding::RTZ);
    s.rules.zeroExp = setting & 2 ? 4 : -126;
    s.rules.overflowToInf = s.rules.canonicalNaN = s.rules.positiveZero = true;
    if (port) s.port = s.out, s.out = parseFormat("e8m13");
    const AlignDotTable t(s);
    for (int trial = 0; trial < 300; ++trial) {
      const int group = 16 << (trial % 2), k = group * (1 + int(rng() % 4));
      std::vector<uint8_t> a(static_cast<size_t>(k)), b(static_cast<size_t>(k));
      for (int i = 0; i < k; ++i) a[size_t(i)] = uint8_t(rng()), b[size_t(i)] = uint8_t(rng());
      const int kind = trial % 5;  // zeros in a, big products, cancellations, random, a few NaNs
      for (int i = 0; i < k; ++i) {
        if (kind == 0 && rng() % 2) a[size_t(i)] = uint8_t(rng() & 0x80);
        if (kind == 1) a[size_t(i)] = 0x7E, b[size_t(i)] = uint8_t(0x7E | (i & 1 ? 0 : 0x80));
        if (kind == 2) a[size_t(i)] &= 0x87;
        if (kind != 4 && (a[size_t(i)] & 0x7F) == 0x7F) a[size_t(i)] = 0x38;
        if (kind != 4 && (b[size_t(i)] & 0x7F) == 0x7F) b[size_t(i)] = 0x38;
      }
      const uint32_t c = trial % 7 == 0 ? 0x7F7FFFFFu : trial % 7 == 1 ? 0x80000000u : uint32_t(rng());
      FdotSpec whole = s;
      whole.n = k;
      whole.group = group;
      std::vector<uint32_t> a32(a.begin(), a.end()), b32(b.begin(), b.end());
      const Packed want = fdotModel(whole, a32.data(), b32.data(), c, Rounding::RTZ);
      const AlignDotTable::Planes pa = t.decode(a.data(), a.size(), true), pb = t.decode(b.data(), b.size(), false);
      const std::string what = "k " + std::to_string(k) + " group " + std::to_string(group) + (port ? " e8m13" : "") +
                               " zero exp " + std::to_string(*s.rules.zeroExp);
      expectEqual(t.dot(a.data(), b.data(), k, group, c, Rounding::RTZ), want, what + " codes");
      expectEqual(t.dot(pa, 0, pb, 0, k, group, c, Rounding::RTZ), want, what + " planes");
      if (HasFailure()) return;
    }
  }
}

TEST(FastDot, RefusesWhatItDoesNotCover) {
  EXPECT_FALSE(AlignDotTable::applies(alignSpec("bf16", "e4m3", 13, nullptr, Rounding::RTZ)));
  EXPECT_FALSE(AlignDotTable::applies(alignSpec("e4m3", "e4m3", 55, nullptr, Rounding::RTZ)));
  FdotSpec exact = alignSpec("e4m3", "e4m3", 13, nullptr, Rounding::RNE);
  exact.accum = FdotSpec::Accum::Exact;
  EXPECT_FALSE(AlignDotTable::applies(exact));
  EXPECT_THROW(AlignDotTable{exact}, std::invalid_argument);
}

}  // namespace
}  // namespace nf
