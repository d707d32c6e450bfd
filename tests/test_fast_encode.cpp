// The fp32 -> 8-bit encoder's table (refmodels/fast_encode) against the fcvt model it is filled from, on
// inputs the table does not see as such: every table index combined with several lower parts, corners and seeded
// random values, for every 8-bit float preset it covers, every fixed rounding mode, with and without
// saturation / ftz / daz. NF_FAST_EXHAUSTIVE=1 adds all 2^32 inputs for fp32 -> e4m3 / e5m2 / e2m1 rne
// (minutes; the documented command in docs/python.md).
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "refmodels/corners.h"
#include "refmodels/fast_encode.h"

namespace nf {
namespace {

FcvtSpec specOf(const std::string& out, Rounding mode, bool saturate, bool ftz, bool daz) {
  FcvtSpec s;
  s.a = parseFormat("fp32");
  s.out = parseFormat(out);
  s.round.mode = mode;
  s.round.saturate = saturate;
  s.round.ftz = ftz;
  s.daz = daz;
  return s;
}

// Every index of the table, each with lower bits other than the table's two (0 and 1): the edges of the low
// part and a random one; then fp32's corners and seeded random encodings.
std::vector<uint32_t> probeInputs(int lowBits, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint32_t> v = formatCorners(parseFormat("fp32"));
  const uint32_t mask = (1u << lowBits) - 1u;
  for (uint32_t hi = 0; hi < (1u << (32 - lowBits)); ++hi)
    for (uint32_t lo : {0u, 1u, 1u << (lowBits - 1), mask >> 1, mask, uint32_t(rng()) & mask}) v.push_back((hi << lowBits) | lo);
  for (int i = 0; i < 100000; ++i) v.push_back(uint32_t(rng()));
  return v;
}

void expectSameAsModel(const FcvtSpec& s, uint32_t seed) {
  const Fp32ToByteEncoder enc(s);
  const std::vector<uint32_t> inputs = probeInputs(enc.lowBits(), seed);
  std::vector<uint8_t> bulk(inputs.size());
  enc.encode(inputs.data(), bulk.data(), inputs.size());
  int bad = 0;
  for (size_t i = 0; i < inputs.size() && bad < 5; ++i) {
    const Packed want = fcvtModel(s, inputs[i], s.round.mode);
    const Packed got = enc(inputs[i]);
    if (got.bits != want.bits || got.flags != want.flags || bulk[i] != want.bits) {
      ++bad;
      ADD_FAILURE() << s.out.name << " mode " << int(s.round.mode) << " sat " << s.round.saturate << " ftz "
                    << s.round.ftz << " daz " << s.daz << " input 0x" << std::hex << inputs[i] << ": model 0x"
                    << want.bits << " flags 0x" << int(want.flags) << ", table 0x" << got.bits << " flags 0x"
                    << int(got.flags) << ", bulk 0x" << int(bulk[i]);
    }
  }
}

TEST(FastEncode, EveryCoveredPresetAndModeMatchesTheModel) {
  int covered = 0;
  for (const Format& f : presetFormats()) {
    for (Rounding mode : {Rounding::RNE, Rounding::RTZ, Rounding::RDN, Rounding::RUP, Rounding::RNA, Rounding::ROD}) {
      const FcvtSpec s = specOf(f.name, mode, false, false, false);
      if (!Fp32ToByteEncoder::applies(s)) continue;
      ++covered;
      expectSameAsModel(s, 7);
    }
  }
  EXPECT_GE(covered, 6 * 4) << "e4m3, e5m2, e2m1, e3m2 at least, in every mode";
}

TEST(FastEncode, SaturateFtzDazMatchTheModel) {
  for (const char* out : {"e4m3", "e5m2", "e2m1", "e3m2"})
    for (int opts = 1; opts < 8; ++opts) {
      const FcvtSpec s = specOf(out, opts & 4 ? Rounding::RUP : Rounding::RNE, opts & 1, opts & 2, opts & 4);
      if (Fp32ToByteEncoder::applies(s)) expectSameAsModel(s, 11);
    }
}

TEST(FastEncode, RefusesWhatItCannotTable) {
  EXPECT_FALSE(Fp32ToByteEncoder::applies(specOf("e4m3", Rounding::SR, false, false, false)));
  EXPECT_FALSE(Fp32ToByteEncoder::applies(specOf("bf16", Rounding::RNE, false, false, false)));
  EXPECT_THROW(Fp32ToByteEncoder(specOf("fp16", Rounding::RNE, false, false, false)), std::invalid_argument);
}

// All 2^32 inputs (documented command: NF_FAST_EXHAUSTIVE=1 build/tests/test_fast_encode).
TEST(FastEncode, ExhaustiveWhenAsked) {
  if (!std::getenv("NF_FAST_EXHAUSTIVE")) GTEST_SKIP() << "set NF_FAST_EXHAUSTIVE=1 for all 2^32 inputs";
  for (const char* out : {"e4m3", "e5m2", "e2m1"}) {
    const FcvtSpec s = specOf(out, Rounding::RNE, std::string(out) == "e4m3", false, false);
    const Fp32ToByteEncoder enc(s);
    uint64_t bad = 0;
    for (uint64_t x = 0; x <= 0xFFFFFFFFull; ++x) {
      const Packed want = fcvtModel(s, uint32_t(x), s.round.mode), got = enc(uint32_t(x));
      if (got.bits != want.bits || got.flags != want.flags) {
        if (bad++ < 5) ADD_FAILURE() << out << " input 0x" << std::hex << x;
      }
    }
    EXPECT_EQ(bad, 0u) << out;
  }
}

}  // namespace
}  // namespace nf
