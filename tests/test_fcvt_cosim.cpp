// fcvt units holding an LFSR (--sr-source lfsr) are stateful: co-simulated in order against the stream model,
// and the harness must notice when the model's random stream is not the RTL's.
#include <gtest/gtest.h>

#include <cstdlib>

#include "refmodels/fcvt.h"
#include "tests/catalog.h"
#include "tests/other_model.h"
#include "tests/quick_cosim.h"
#include "verif/cosim.h"

namespace nf {
namespace {

// Marsaglia's xorshift32 (13, 17, 5), written out here from "Xorshift RNGs" (J. Stat. Software, 2003).
uint32_t xorshift32(uint32_t x) {
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return x;
}

TEST(FcvtLfsr, IsMarsagliasXorshift32) {
  SrLfsr l(1);
  l.step();
  EXPECT_EQ(l.state(), 270369u);  // the first value from seed 1
  uint32_t x = 0x2545F491u;
  SrLfsr m(x);
  for (int i = 0; i < 100000; ++i) {
    x = xorshift32(x);
    m.step();
    ASSERT_EQ(m.state(), x) << "step " << i;
  }
  EXPECT_EQ(m.bits(8), x >> 24);
}

// The stream model reads the LFSR's top R bits for each input, then advances: the i-th result is the
// conversion with the i-th state's bits, independently of the inputs.
TEST(FcvtLfsr, StreamModelUsesOneStatePerInput) {
  const auto unit = buildUnit("fcvt", {"--a", "bf16", "--out", "e2m1", "--round", "sr", "--sr-source", "lfsr",
                                       "--sr-seed", "777", "--sr-bits", "8"});
  ASSERT_TRUE(unit->stateful());
  auto stream = unit->streamModel();
  FcvtSpec spec;
  spec.a = parseFormat("bf16");
  spec.out = parseFormat("e2m1");
  spec.round = {Rounding::SR, false, false, 8};
  uint32_t state = 777;
  for (uint32_t i = 0; i < 2000; ++i) {
    const uint32_t a = 0x3F80u + (i & 0x7Fu);  // [1, 2): e2m1's lsb is 0.5 there
    uint32_t out[1];
    stream->step(&a, out);
    EXPECT_EQ(out[0], fcvtModel(spec, a, Rounding::SR, state >> 24).bits) << i;
    state = xorshift32(state);
  }
}

TEST(FcvtLfsr, CosimMatchesAndNoticesAnotherSeed) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  ::setenv("NUMFORGE_CACHE", NF_BINARY_DIR "/vcache", 0);
  for (const char* stages : {"0", "2"}) {
    const std::vector<std::string> base = {"--a", "fp16", "--out", "e4m3", "--round", "sr", "--sr-source", "lfsr",
                                           "--flags", "--stages", stages};
    auto with = [&](const char* seed) {
      std::vector<std::string> v = base;
      v.insert(v.end(), {"--sr-seed", seed});
      return buildUnit("fcvt", v);
    };
    verif::CosimOptions opt = test::quickCosimOptions();
    opt.mode = verif::CosimOptions::Mode::Exhaustive;
    opt.build.jobs = 1;
    const auto good = with("99");
    const verif::CosimReport r = verif::runCosim(*good, opt);
    EXPECT_EQ(r.mismatches, 0u) << "stages " << stages << "\n" << r.firstMismatch;
    EXPECT_EQ(r.vectors, 65536u);
    test::RtlWithOtherModel wrong(with("99"), with("100"));
    const verif::CosimReport w = verif::runCosim(wrong, opt);
    EXPECT_GT(w.mismatches, 0u) << "stages " << stages << ": a model with another seed went unnoticed";
  }
}

}  // namespace
}  // namespace nf
