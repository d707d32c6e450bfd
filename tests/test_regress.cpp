// numforge regress: a catalog whose checked-in module was broken by hand (one output bit for one input pair)
// fails with the command that reproduces it and a JUnit <failure>; a sound catalog passes with a JUnit file
// free of failures; bad options exit 2 with a message and write no file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/catalog.h"

namespace nf {
namespace {

namespace fs = std::filesystem;

const std::string kNumforge = NF_BINARY_DIR "/numforge";
const fs::path kRtl = NF_SOURCE_DIR "/rtl";
// An 8-bit-input unit (exhaustive in the quick suite) and a stateful one (a seeded stream).
const std::string kCombinational = "fmul --a e4m3 --flags", kCombinationalModule = "fmul_e4m3_rne_flags";
const std::string kStateful = "facc --a e4m3 --out bf16 --flags", kStatefulModule = "facc_e4m3_bf16_rne_flags";

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// The table row of `module`.
std::string rowOf(const std::string& out, const std::string& module) {
  std::istringstream ss(out);
  for (std::string line; std::getline(ss, line);)
    if (line.rfind(module + " ", 0) == 0) return line + " ";
  return "";
}

class Regress : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::freshTestDir("nf_regress_");
    fs::create_directories(dir_ / "rtl");
    std::ofstream(dir_ / "rtl" / "catalog.txt") << "# two units\n" << kCombinational << "\n" << kStateful << "\n";
    for (const std::string& m : {kCombinationalModule, kStatefulModule}) fs::copy(kRtl / (m + ".v"), dir_ / "rtl" / (m + ".v"));
  }
  void TearDown() override { fs::remove_all(dir_); }

  int regress(const std::string& args, std::string& out) const {
    return test::runCommand("NUMFORGE_CACHE=" NF_BINARY_DIR "/vcache " + kNumforge + " regress --catalog " +
                                (dir_ / "rtl").string() + " " + args,
                            out);
  }
  fs::path dir_;
};

TEST_F(Regress, PassesASoundCatalogAndWritesJUnit) {
  std::string out;
  const fs::path xml = dir_ / "quick.xml";
  ASSERT_EQ(regress("--junit " + xml.string(), out), 0) << out;
  EXPECT_NE(out.find("2 of 2 units passed"), std::string::npos) << out;
  const std::string comb = rowOf(out, kCombinationalModule), stateful = rowOf(out, kStatefulModule);
  for (const char* word : {" pass ", " exhaustive ", " 65536 "}) EXPECT_NE(comb.find(word), std::string::npos) << out;
  for (const char* word : {" pass ", " random "}) EXPECT_NE(stateful.find(word), std::string::npos) << out;
  const std::string x = slurp(xml);
  EXPECT_NE(x.find("<testsuite name=\"numforge regress quick\" tests=\"2\" failures=\"0\""), std::string::npos) << x;
  EXPECT_NE(x.find("<testcase name=\"" + kStatefulModule + "\""), std::string::npos) << x;
  EXPECT_EQ(x.find("<failure"), std::string::npos) << x;
}

TEST_F(Regress, FailsAHandBrokenModuleWithItsReproducingCommand) {
  // The plant: the checked-in z flips its low bit for a = 1.5, b = 3.25 only.
  const fs::path v = dir_ / "rtl" / (kCombinationalModule + ".v");
  std::string text = slurp(v);
  const std::string good = "  assign z = z_c;\n";
  ASSERT_NE(text.find(good), std::string::npos);
  text.replace(text.find(good), good.size(), "  assign z = (a == 8'h3c && b == 8'h45) ? z_c ^ 8'h01 : z_c;\n");
  std::ofstream(v, std::ios::binary) << text;

  std::string out;
  const fs::path xml = dir_ / "broken.xml";
  EXPECT_EQ(regress("--junit " + xml.string(), out), 1) << out;
  EXPECT_NE(out.find("1 of 2 units passed"), std::string::npos) << out;
  EXPECT_NE(out.find("FAIL " + kCombinationalModule), std::string::npos) << out;
  EXPECT_NE(out.find("a=0x3c"), std::string::npos) << out;
  EXPECT_NE(out.find("reproduce: numforge verify " + kCombinational + " --exhaustive"), std::string::npos) << out;
  const std::string x = slurp(xml);
  EXPECT_NE(x.find("failures=\"1\""), std::string::npos) << x;
  const size_t failure = x.find("<failure message=\"1 mismatches\"");
  ASSERT_NE(failure, std::string::npos) << x;
  EXPECT_LT(x.find("<testcase name=\"" + kCombinationalModule + "\""), failure) << x;
  EXPECT_GT(x.find("<testcase name=\"" + kStatefulModule + "\""), failure) << x;
  EXPECT_NE(x.find("reproduce: numforge verify", failure), std::string::npos) << x;
}

TEST_F(Regress, RejectsBadOptionsWithoutWritingFiles) {
  struct Bad {
    std::string args, mention;
  };
  for (const Bad& b : {Bad{"--suite nightly", "--suite"}, Bad{"--jobs 0", "--jobs"}, Bad{"--jobs -3", "--jobs"},
                       Bad{"--seed x", "--seed"}, Bad{"--match nosuchunit", "--match"},
                       Bad{"--junit " + (dir_ / "no" / "such" / "r.xml").string(), "--junit"},
                       Bad{"--junit " + dir_.string(), "--junit"}}) {
    std::string out;
    EXPECT_EQ(regress(b.args, out), 2) << b.args << "\n" << out;
    EXPECT_NE(out.find(b.mention), std::string::npos) << b.args << "\n" << out;
  }
  std::ofstream(dir_ / "rtl" / "catalog.txt") << "fmul --a e9m9\n";
  std::string out;
  EXPECT_EQ(regress("", out), 2) << out;
  EXPECT_NE(out.find("catalog.txt:1"), std::string::npos) << out;
  size_t files = 0;
  for (auto it = fs::recursive_directory_iterator(dir_); it != fs::recursive_directory_iterator(); ++it) ++files;
  EXPECT_EQ(files, 4u);  // rtl/, its catalog and the two modules: nothing written
}

}  // namespace
}  // namespace nf
