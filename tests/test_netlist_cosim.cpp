// Gate-level co-simulation: the Yosys/ABC-mapped NanGate netlist, its cells modelled from the liberty's
// `function` attributes, driven through the same harness as the RTL and compared with the model. A sample of the
// catalog (combinational, stateful) and a pipelined unit exhaustively run here; every entry with
//   NF_NETLIST_COSIM_ALL=1 build/tests/test_netlist_cosim
// A netlist with one cell swapped must fail, so the harness is seen to simulate the netlist it was given.
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "catalog.h"
#include "quick_cosim.h"
#include "synth/ppa.h"
#include "synth/tool_run.h"

namespace {

using nf::test::CatalogEntry;

#define REQUIRE_YOSYS()                                                                          \
  do {                                                                                           \
    if (!nf::synth::tools::executableExists("yosys"))                                            \
      GTEST_SKIP() << "yosys is absent from PATH; gate-level co-simulation not exercised";       \
  } while (0)

// The sample: the stateful harness paths, each small enough to verilate in seconds (the pipelined path is
// the exhaustive test's, the combinational one the swapped-cell test's).
const char* const kSample[] = {
    "fmul --a e2m1 --flags",
    "fcvt --a bf16 --out e4m3 --round sr --sr-source lfsr --sr-seed 12345 --flags",
    "facc --a fp16 --round rdn --stages 1 --flags",
};

nf::verif::CosimOptions netlistOptions(const nf::Unit& unit) {
  nf::verif::CosimOptions opt = nf::test::quickCosimOptions();
  const nf::GeneratedModule m = unit.emit();
  opt.build.netlistVerilog = nf::synth::gateLevelVerilog(m.verilog, m.name);
  return opt;
}

// 2^16 input pairs of the one-stage e4m3 multiplier with flags: every vector of an 8-bit-input pipelined unit.
TEST(NetlistCosim, E4m3PipelinedMultiplierExhaustive) {
  REQUIRE_YOSYS();
  auto unit = nf::buildUnit("fmul", {"--a", "e4m3", "--stages", "1", "--flags"});
  nf::verif::CosimOptions opt = netlistOptions(*unit);
  opt.mode = nf::verif::CosimOptions::Mode::Exhaustive;
  const nf::verif::CosimReport r = nf::verif::runCosim(*unit, opt);
  EXPECT_EQ(r.vectors, 65536u);
  EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
}

// One NAND turned into an AND somewhere in the netlist: the co-simulation must see it.
TEST(NetlistCosim, SwappedCellIsCaught) {
  REQUIRE_YOSYS();
  auto unit = nf::buildUnit("fmul", {"--a", "e2m1", "--flags"});
  nf::verif::CosimOptions opt = netlistOptions(*unit);
  std::string& v = opt.build.netlistVerilog;
  const size_t at = v.find("  NAND2_X1 ");
  ASSERT_NE(at, std::string::npos) << "no NAND2_X1 in the netlist to swap";
  v.replace(at, 11, "  AND2_X1 ");  // same pins (A1, A2, ZN), the output inverted
  opt.mode = nf::verif::CosimOptions::Mode::Exhaustive;
  const nf::verif::CosimReport r = nf::verif::runCosim(*unit, opt);
  EXPECT_GT(r.mismatches, 0u);
}

class NetlistCatalog : public ::testing::TestWithParam<CatalogEntry> {};

TEST_P(NetlistCatalog, MatchesModel) {
  REQUIRE_YOSYS();
  const CatalogEntry& e = GetParam();
  auto unit = nf::buildUnit(e.op, e.args);
  nf::verif::CosimOptions opt = netlistOptions(*unit);
  opt.mode = nf::verif::CosimOptions::Mode::Random;
  opt.count = 3000;
  const nf::verif::CosimReport r = nf::verif::runCosim(*unit, opt);
  EXPECT_GT(r.vectors, 3000u);
  EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
}

std::vector<CatalogEntry> sampledCatalog() {
  const std::vector<CatalogEntry> all = nf::test::readCatalog();
  if (const char* full = std::getenv("NF_NETLIST_COSIM_ALL"); full && std::string(full) == "1") return all;
  std::vector<CatalogEntry> picked;
  for (const char* line : kSample)
    for (const CatalogEntry& e : all)
      if (e.line == line) picked.push_back(e);
  // A sample line that left the catalog must not silently shrink the sample.
  EXPECT_EQ(picked.size(), std::size(kSample));
  return picked;
}

INSTANTIATE_TEST_SUITE_P(Sample, NetlistCatalog, ::testing::ValuesIn(sampledCatalog()),
                         [](const auto& info) { return nf::test::entryName(info.param); });

}  // namespace
