// Co-simulation of every catalog unit, whatever its operator, against its model: exhaustive up to 24 input
// bits (every 8-bit fmul and fadd, fma of three 8-bit operands), the operator's corner cases + seeded random
// above; plus a check that the harness reports a deliberately wrong model with two and with three inputs.
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/catalog.h"
#include "tests/other_model.h"
#include "tests/quick_cosim.h"
#include "verif/cosim.h"

namespace nf {
namespace {

class CatalogCosim : public ::testing::TestWithParam<test::CatalogEntry> {
 protected:
  static void SetUpTestSuite() { ::setenv("NUMFORGE_CACHE", NF_BINARY_DIR "/vcache", 0); }
};

TEST_P(CatalogCosim, MatchesModel) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  const auto unit = buildUnit(GetParam().op, GetParam().args);
  verif::CosimOptions opt = test::quickCosimOptions();
  opt.build.cacheDir.clear();  // NUMFORGE_CACHE, set above
  if (unit->stateful()) {
    // Accumulators: one long stream (corner streams, then random terms with rare clears), every cycle compared.
    opt.mode = verif::CosimOptions::Mode::Random;
    opt.count = 200000;
    opt.seed = 20261123;
  } else if (unit->inputBits() <= 24) {
    opt.threads = unit->inputBits() > 16 ? 2 : 1;  // the 2^24 runs are worth both cores for a few seconds
    opt.mode = verif::CosimOptions::Mode::Exhaustive;
  } else {
    opt.mode = verif::CosimOptions::Mode::Random;
    opt.count = 300000;
    opt.seed = 20261123;
  }
  const verif::CosimReport r = verif::runCosim(*unit, opt);
  EXPECT_EQ(r.mismatches, 0u) << GetParam().line << "\n" << r.firstMismatch;
  if (opt.mode == verif::CosimOptions::Mode::Exhaustive) EXPECT_EQ(r.vectors, uint64_t(1) << unit->inputBits());
  else EXPECT_GE(r.vectors, opt.count);
}

INSTANTIATE_TEST_SUITE_P(Catalog, CatalogCosim, ::testing::ValuesIn(test::readCatalog()),
                         [](const auto& info) { return test::entryName(info.param); });

// A unit whose model is wrong in one bit for one input class: the harness must notice.
class WrongModel final : public test::ForwardingUnit {
 public:
  using ForwardingUnit::ForwardingUnit;
  void emulate(const uint32_t* in, uint32_t* out) const override {
    wrapped().emulate(in, out);
    if (in[0] == 0x3c && in[1] == 0x45 && (inputs().size() == 2 || in[2] == 0x30)) out[0] ^= 1;  // e4m3: 1.5, 3.25, 0.5
  }
};

TEST(CosimHarness, ReportsAWrongModel) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  ::setenv("NUMFORGE_CACHE", NF_BINARY_DIR "/vcache", 0);
  for (const char* stages : {"0", "2"}) {
    WrongModel unit(buildUnit("fmul", {"--a", "e4m3", "--stages", stages}));
    verif::CosimOptions opt;
    opt.mode = verif::CosimOptions::Mode::Exhaustive;
    opt.threads = 1;
    opt.build.jobs = 1;
    const verif::CosimReport r = verif::runCosim(unit, opt);
    EXPECT_EQ(r.mismatches, 1u) << "stages " << stages;
    EXPECT_NE(r.firstMismatch.find("a=0x3c"), std::string::npos) << r.firstMismatch;
    EXPECT_NE(r.firstMismatch.find("b=0x45"), std::string::npos) << r.firstMismatch;
  }
}

TEST(CosimHarness, ReportsAWrongThreeInputModel) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  ::setenv("NUMFORGE_CACHE", NF_BINARY_DIR "/vcache", 0);
  WrongModel unit(buildUnit("fma", {"--a", "e4m3", "--flags"}));
  verif::CosimOptions opt;
  opt.mode = verif::CosimOptions::Mode::Exhaustive;
  opt.threads = 2;
  opt.build.jobs = 1;
  opt.build.quickBuild = true;
  const verif::CosimReport r = verif::runCosim(unit, opt);
  EXPECT_EQ(r.mismatches, 1u);
  EXPECT_NE(r.firstMismatch.find("c=0x30"), std::string::npos) << r.firstMismatch;
}

TEST(CosimHarness, RefusesExhaustiveOverThirtyTwoBits) {
  const auto unit = buildUnit("fmul", {"--a", "fp32"});
  verif::CosimOptions opt;
  opt.mode = verif::CosimOptions::Mode::Exhaustive;
  EXPECT_THROW(verif::runCosim(*unit, opt), UsageError);
}

}  // namespace
}  // namespace nf
