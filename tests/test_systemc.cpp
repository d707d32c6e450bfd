// SystemC models (gen --systemc) and the SystemC bench: every catalog model the writer covers compiles under
// g++ -Wall -Wextra -Werror with only the SystemC headers and the model library; the Verilated RTL and the model
// agree every cycle for a combinational, a pipelined and a stateful unit (clears, bubbles, a reset in
// mid-stream); a planted difference in the model's data, and one in its latency, fail.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "generators/systemc.h"
#include "tests/catalog.h"
#include "verif/systemc_bench.h"

namespace nf {
namespace {

namespace fs = std::filesystem;

verif::ScBenchOptions benchOptions() {
  verif::ScBenchOptions o;
  o.cacheDir = NF_BINARY_DIR "/vcache";
  o.includeDirs = {NF_SOURCE_DIR, NF_BINARY_DIR "/generated"};
  o.libraries = {NF_GENERATORS_LIB, NF_REFMODELS_LIB, "-lfmt", "-pthread", NF_SC_LINK_FLAGS};
  return o;
}

bool haveSystemc() { return fs::exists("/usr/include/systemc") && test::haveTool("verilator"); }

TEST(SystemcModel, PortsMirrorTheRtl) {
  const auto comb = buildUnit("fmul", {"--a", "e4m3", "--flags"});
  const std::string c = systemcHeader(*comb);
  EXPECT_NE(c.find("SC_MODULE(fmul_e4m3_rne_flags_sc)"), std::string::npos) << c;
  EXPECT_NE(c.find("sc_core::sc_in<sc_dt::sc_uint<8>> a{\"a\"};"), std::string::npos) << c;
  EXPECT_NE(c.find("sc_core::sc_out<sc_dt::sc_uint<5>> flags{\"flags\"};"), std::string::npos) << c;
  EXPECT_EQ(c.find("clk"), std::string::npos) << "a combinational model has no clock:\n" << c;
  const auto acc = buildUnit("facc", {"--a", "e4m3", "--out", "bf16", "--flags"});
  const std::string s = systemcHeader(*acc);
  EXPECT_NE(s.find("sc_core::sc_in<bool> clk{\"clk\"}, rst{\"rst\"}, valid_in{\"valid_in\"};"), std::string::npos) << s;
  EXPECT_NE(s.find("sc_core::sc_in<bool> clear{\"clear\"};"), std::string::npos) << s;
  EXPECT_NE(s.find("kLatency = 1;"), std::string::npos) << s;
  EXPECT_EQ(systemcPortType(64), "sc_dt::sc_uint<64>");
  EXPECT_EQ(systemcPortType(65), "sc_dt::sc_biguint<65>");
}

// Every catalog model in one translation unit, each constructed in sc_main, compiled (not linked) with warnings
// as errors: one compiler run instead of one per model.
TEST(SystemcModel, EveryCatalogModelCompilesWithoutWarnings) {
  if (!fs::exists("/usr/include/systemc")) GTEST_SKIP() << "libsystemc-dev is absent";
  const fs::path dir = fs::temp_directory_path() / ("nf_sc_models_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string tu = "#include <systemc>\n", body;
  int models = 0;
  for (const test::CatalogEntry& e : test::readCatalog()) {
    const auto unit = buildUnit(e.op, e.args);
    // Not covered, and the writer says so: blocks over several beats, and stateful units whose output shows before
    // the edge that consumes the input (LFSR fcvt at 0 stages).
    if (unit->streamGroup() > 1 || (unit->stateful() && unit->latency() == 0)) {
      EXPECT_THROW(systemcHeader(*unit), UsageError) << e.line;
      continue;
    }
    std::ofstream(dir / (systemcModuleName(*unit) + ".h")) << systemcHeader(*unit);
    tu += "#include \"" + systemcModuleName(*unit) + ".h\"\n";
    body += "  " + systemcModuleName(*unit) + " m" + std::to_string(models) + "(\"m" + std::to_string(models) + "\");\n";
    ++models;
  }
  std::ofstream(dir / "all.cpp") << tu << "int sc_main(int, char**) {\n" << body << "  return 0;\n}\n";
  std::string out;
  const int rc = test::runCommand("g++ -std=c++20 -Wall -Wextra -Werror -O0 -c -I" NF_SOURCE_DIR " -I" NF_BINARY_DIR
                                  "/generated -o " + (dir / "all.o").string() + " " + (dir / "all.cpp").string(),
                                  out);
  EXPECT_EQ(rc, 0) << out.substr(0, 6000);
  EXPECT_GT(models, 40);
  fs::remove_all(dir);
}

TEST(SystemcModel, RefusesUnitsTakingBlocksOverSeveralBeats) {
  const auto unit = buildUnit("mxquant", {"--a", "fp32", "--out", "e4m3", "--lanes", "8"});
  ASSERT_GT(unit->streamGroup(), 1);
  EXPECT_THROW(systemcHeader(*unit), UsageError);
}

struct BenchCase {
  std::string op;
  std::vector<std::string> args;
};
void PrintTo(const BenchCase& c, std::ostream* os) { *os << c.op << " " << ::testing::PrintToString(c.args); }

class SystemcBench : public ::testing::TestWithParam<BenchCase> {};

TEST_P(SystemcBench, RtlAndModelAgreeEveryCycle) {
  if (!haveSystemc()) GTEST_SKIP() << "libsystemc-dev or verilator is absent";
  const auto unit = buildUnit(GetParam().op, GetParam().args);
  const verif::ScBenchReport r = verif::runSystemcBench(*unit, benchOptions());
  EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
  // Every vector (corner cases + 2000 random) shows exactly once: bubbles and the reset add cycles, no results.
  EXPECT_EQ(r.compared, unit->cornerVectors().size() + benchOptions().count);
  if (unit->latency() > 0 || unit->stateful()) EXPECT_GT(r.cycles, r.compared);  // resets, bubbles, the drain
  else EXPECT_EQ(r.cycles, r.compared);
}

INSTANTIATE_TEST_SUITE_P(Units, SystemcBench,
                         ::testing::Values(BenchCase{"fmul", {"--a", "e4m3", "--flags"}},
                                           BenchCase{"fmul", {"--a", "bf16", "--stages", "2", "--flags"}},
                                           BenchCase{"facc", {"--a", "e4m3", "--out", "bf16", "--flags"}}));

std::string replaced(std::string text, const std::string& what, const std::string& with) {
  const size_t at = text.find(what);
  EXPECT_NE(at, std::string::npos) << what;
  if (at != std::string::npos) text.replace(at, what.size(), with);
  return text;
}

TEST(SystemcBenchPlant, ADataDifferenceFails) {
  if (!haveSystemc()) GTEST_SKIP() << "libsystemc-dev or verilator is absent";
  const auto unit = buildUnit("fmul", {"--a", "e4m3", "--flags"});
  verif::ScBenchOptions o = benchOptions();
  o.modelHeader = replaced(systemcHeader(*unit), "unit_->emulate(in_.data(), out_.data());",
                           "unit_->emulate(in_.data(), out_.data());\n    if (in_[0] == 0x3c) out_[0] ^= 1u;");
  const verif::ScBenchReport r = verif::runSystemcBench(*unit, o);
  EXPECT_GT(r.mismatches, 0u);
  EXPECT_NE(r.firstMismatch.find(" z RTL"), std::string::npos) << r.firstMismatch;
}

TEST(SystemcBenchPlant, ALatencyDifferenceFails) {
  if (!haveSystemc()) GTEST_SKIP() << "libsystemc-dev or verilator is absent";
  const auto unit = buildUnit("facc", {"--a", "e4m3", "--out", "bf16", "--flags"});
  verif::ScBenchOptions o = benchOptions();
  o.modelHeader = replaced(systemcHeader(*unit), "kLatency = 1;", "kLatency = 2;");
  const verif::ScBenchReport r = verif::runSystemcBench(*unit, o);
  EXPECT_GT(r.mismatches, 0u);
  EXPECT_NE(r.firstMismatch.find("valid_out"), std::string::npos) << r.firstMismatch;
}

}  // namespace
}  // namespace nf
