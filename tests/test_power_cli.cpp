// Bad input to `numforge ppa --power` and tool failures: exit 2 with a message naming the option (before any
// synthesis), a missing nf-sta-power naming its Debian package, and OpenSTA's own output carried by the error.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "catalog.h"
#include "synth/power.h"

namespace {

struct CliRun {
  int rc = -1;
  std::string out;
};

CliRun numforge(const std::string& args, const std::string& env) {
  CliRun r;
  r.rc = nf::test::runCommand(fmt::format("{} {}/numforge {}", env, NF_BINARY_DIR, args), r.out);
  return r;
}

// Without a PATH, neither yosys nor sta can run: a refusal naming the option proves it came before any tool.
void expectRefused(const std::string& args, const std::string& option, const std::string& env = "") {
  const CliRun r = numforge("ppa " + args + " fmul --a e4m3", "PATH=/nonexistent " + env);
  EXPECT_EQ(r.rc, 2) << args << ": " << r.out;
  EXPECT_NE(r.out.find(option), std::string::npos) << args << ": " << r.out;
  EXPECT_EQ(r.out.find("area"), std::string::npos) << "synthesized before refusing " << args << ": " << r.out;
}

std::string writeFile(const std::string& name, const std::string& bytes) {
  const std::string path = fmt::format("{}/{}", ::testing::TempDir(), name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(PowerCli, BadOptionsExitTwoNamingTheOption) {
  for (const char* bad : {"0", "-5", "abc", "inf"}) expectRefused(fmt::format("--power --clock-ps {}", bad), "--clock-ps");
  expectRefused("--power --workload gaussian", "--workload");
  for (const char* bad : {"1", "-0.1", "1.5", "x", "nan"})
    expectRefused(fmt::format("--power --idle-fraction {}", bad), "--idle-fraction");
  expectRefused("--workload normal", "--power");
  expectRefused("--power --vectors 0", "--vectors");
}

TEST(PowerCli, UnreadableOrNotFloat32NpyIsRefused) {
  expectRefused("--power --workload-file /nonexistent/x.npy", "--workload-file");
  expectRefused("--power --workload-file " + writeFile("junk.npy", "not numpy at all"), "--workload-file");
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
  header += std::string(size_t(64 - (10 + header.size() + 1) % 64) % 64, ' ') + "\n";
  std::string f64 = std::string("\x93NUMPY\x01\x00", 8) + char(header.size() & 0xFF) + char(header.size() >> 8) + header;
  f64 += std::string(16, '\0');
  const std::string path = writeFile("f64.npy", f64);
  const CliRun r = numforge("ppa --power --workload-file " + path + " fmul --a e4m3", "PATH=/nonexistent");
  EXPECT_EQ(r.rc, 2) << r.out;
  EXPECT_NE(r.out.find("<f8"), std::string::npos) << r.out;
}

TEST(PowerCli, MissingPowerToolNamesTheDebianPackage) {
  expectRefused("--power", "opensta-dev", "NUMFORGE_STA_POWER=/nonexistent/nf-sta-power");
}

TEST(PowerCli, OpenStaFailureCarriesItsOutput) {
  nf::synth::PowerOptions po;
  po.clockPs = 1000;
  try {
    nf::synth::runPower("module bad(a, z);\n  input a;\n  output z\n  INV_X1 u0 (.A(a), .ZN(z));\nendmodule\n", "bad",
                        {}, po);
    ADD_FAILURE() << "expected a PpaError";
  } catch (const nf::synth::PpaError& e) {
    EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
  }
  po.tool = "/bin/false";
  EXPECT_THROW(nf::synth::runPower("module ok(a, z);\n  input a;\n  output z;\n  INV_X1 u0 (.A(a), .ZN(z));\nendmodule\n",
                                   "ok", {}, po),
               nf::synth::PpaError);
}

}  // namespace
