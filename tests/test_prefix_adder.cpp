// The prefix-adder generator (generators/prefix_adder.cpp): every network, widths 1..8 and 24, proven equal
// to Yosys's own `a + b + cin` by a miter and SAT (Yosys `miter -equiv`, `sat -prove`), and lint-clean.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>

#include "catalog.h"
#include "generators/prefix_adder.h"

namespace nf {
namespace {

using blocks::AdderKind;

const AdderKind kKinds[] = {AdderKind::Ripple, AdderKind::KoggeStone, AdderKind::BrentKung, AdderKind::Sklansky,
                            AdderKind::HanCarlson};

// The adder module in its own file (returned) and a reference module ref_add in `ref` beside it.
std::string writePair(const std::filesystem::path& dir, int width, AdderKind kind, std::string& dut, std::string& ref) {
  blocks::Design d("t");
  dut = blocks::emitPrefixAdder(d, width, kind);
  const std::string f = (dir / fmt::format("{}.v", dut)).string();
  std::ofstream(f) << d.text();
  ref = (dir / fmt::format("ref_add{}.v", width)).string();
  std::ofstream o(ref);
  o << fmt::format(
      "module ref_add (input wire [{0}:0] a, input wire [{0}:0] b, input wire cin, output wire [{0}:0] s, output wire cout);\n"
      "  assign {{cout, s}} = a + b + cin;\nendmodule\n",
      width - 1);
  return f;
}

TEST(PrefixAdder, EveryNetworkIsProvenEqualToPlus) {
  if (!test::haveTool("yosys")) GTEST_SKIP() << "yosys is absent; equivalence not proven";
  const auto dir = test::freshTestDir("nf_prefix_");
  for (AdderKind kind : kKinds)
    for (int width : {1, 2, 3, 4, 5, 6, 7, 8, 24}) {
      std::string dut, ref, out;
      const std::string f = writePair(dir, width, kind, dut, ref);
      const int rc = test::runCommand(
          fmt::format("yosys -q -p 'read_verilog {} {}; prep; miter -equiv -flatten -make_assert ref_add {} miter; "
                      "sat -verify -prove-asserts miter'",
                      f, ref, dut),
          out);
      EXPECT_EQ(rc, 0) << adderKindName(kind) << " width " << width << "\n" << out;
    }
}

TEST(PrefixAdder, LintClean) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent";
  const auto dir = test::freshTestDir("nf_prefix_lint_");
  for (AdderKind kind : kKinds)
    for (int width : {1, 5, 8}) {
      std::string dut, ref, out;
      const std::string f = writePair(dir, width, kind, dut, ref);
      EXPECT_EQ(test::runCommand(fmt::format("verilator --lint-only -Wall --top-module {} {}", dut, f), out), 0)
          << adderKindName(kind) << " width " << width << "\n" << out;
      EXPECT_EQ(out, "") << adderKindName(kind) << " width " << width;
    }
}

TEST(PrefixAdder, NamesRoundTrip) {
  for (AdderKind kind : kKinds) {
    AdderKind k = AdderKind::Ripple;
    ASSERT_TRUE(blocks::parseAdderKind(adderKindName(kind), k));
    EXPECT_EQ(k, kind);
  }
  AdderKind k;
  EXPECT_FALSE(blocks::parseAdderKind("carry-select", k));
}

}  // namespace
}  // namespace nf
