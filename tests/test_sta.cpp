// OpenSTA sign-off timing: hand-written NanGate netlists whose path kinds and endpoints are known in advance, a
// chain whose delay must grow linearly with its length, a pipelined unit through the whole flow, and the errors
// (missing sta, a netlist OpenSTA rejects, bad --clock-ps on the command line).
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "generators/unit.h"
#include "synth/ppa.h"
#include "synth/sta.h"
#include "synth/tool_run.h"

namespace {

using nf::synth::PpaError;
using nf::synth::StageKind;
using nf::synth::StaOptions;
using nf::synth::StaResult;
using nf::synth::runSta;

#define REQUIRE_STA()                                                                                   \
  do {                                                                                                  \
    if (!nf::synth::tools::executableExists("sta") || !nf::synth::tools::executableExists("yosys"))      \
      GTEST_SKIP() << "sta (Debian opensta) or yosys is absent from PATH; sign-off timing not exercised"; \
  } while (0)

// n inverters from a to z.
std::string inverterChain(int n) {
  std::string v = "module chain(a, z);\n  input a;\n  output z;\n";
  for (int i = 1; i < n; ++i) v += fmt::format("  wire n{};\n", i);
  for (int i = 0; i < n; ++i)
    v += fmt::format("  INV_X1 u{} (.A({}), .ZN({}));\n", i, i == 0 ? "a" : fmt::format("n{}", i),
                     i + 1 == n ? "z" : fmt::format("n{}", i + 1));
  return v + "endmodule\n";
}

// a -> INV -> flop r1 -> INV -> z: one input-to-register and one register-to-output path, no register-to-register.
const char* kRegistered = R"(module reg1(clk, a, z);
  input clk;
  input a;
  output z;
  wire d, q, qn;
  INV_X1 u1 (.A(a), .ZN(d));
  DFF_X1 r1 (.D(d), .CK(clk), .Q(q), .QN(qn));
  INV_X1 u2 (.A(q), .ZN(z));
endmodule
)";

const nf::synth::StagePath* stage(const StaResult& r, StageKind k) {
  for (const auto& s : r.stages)
    if (s.kind == k) return &s;
  return nullptr;
}

TEST(Sta, CombinationalChainIsOneInputToOutputPath) {
  REQUIRE_STA();
  const StaResult r = runSta(inverterChain(4), "chain");
  EXPECT_FALSE(r.clocked);
  ASSERT_EQ(r.stages.size(), 1u);
  EXPECT_EQ(r.stages[0].kind, StageKind::InputToOutput);
  EXPECT_EQ(r.stages[0].startpoint, "a");
  EXPECT_EQ(r.stages[0].endpoint, "z");
  EXPECT_TRUE(r.clockFromWorstPath);
  EXPECT_DOUBLE_EQ(r.clockPs, r.stages[0].delayPs);
  EXPECT_DOUBLE_EQ(r.worstSlackPs, 0.0);
  EXPECT_NEAR(r.fmaxMHz, 1e6 / r.clockPs, 1e-9);
  EXPECT_FALSE(r.holdSlackPs.has_value());
}

// Inside the chain every inverter sees the same slew and load, so each added pair adds the same delay: a
// parser reading the wrong column, or a script timing the wrong path, breaks the linearity.
TEST(Sta, ChainDelayGrowsLinearly) {
  REQUIRE_STA();
  const double d4 = runSta(inverterChain(4), "chain").clockPs;
  const double d8 = runSta(inverterChain(8), "chain").clockPs;
  const double d12 = runSta(inverterChain(12), "chain").clockPs;
  EXPECT_GT(d4, 20.0);  // a few ps per FO1 inverter plus the driving buffer and the output load
  EXPECT_GT(d8, d4);
  EXPECT_NEAR(d12 - d8, d8 - d4, 0.02 * (d8 - d4)) << d4 << " " << d8 << " " << d12;
}

TEST(Sta, RegisteredPathsHaveTheirKindsAndHold) {
  REQUIRE_STA();
  const StaResult r = runSta(kRegistered, "reg1");
  EXPECT_TRUE(r.clocked);
  ASSERT_EQ(r.stages.size(), 2u);
  const auto* in = stage(r, StageKind::InputToRegister);
  const auto* out = stage(r, StageKind::RegisterToOutput);
  ASSERT_TRUE(in && out);
  EXPECT_EQ(in->startpoint, "a");
  EXPECT_EQ(in->endpoint, "r1");
  EXPECT_EQ(out->startpoint, "r1");
  EXPECT_EQ(out->endpoint, "z");
  EXPECT_EQ(stage(r, StageKind::RegisterToRegister), nullptr);
  EXPECT_EQ(stage(r, StageKind::InputToOutput), nullptr);
  EXPECT_GE(r.stages[0].delayPs, r.stages[1].delayPs);  // worst first
  ASSERT_TRUE(r.holdSlackPs.has_value());
  EXPECT_GT(*r.holdSlackPs, 0.0);
}

// A given clock moves only the slacks: the path delays are the netlist's.
TEST(Sta, GivenClockSetsSlackNotDelay) {
  REQUIRE_STA();
  const StaResult own = runSta(kRegistered, "reg1");
  StaOptions o;
  o.clockPs = 50;
  const StaResult at50 = runSta(kRegistered, "reg1", o);
  EXPECT_FALSE(at50.clockFromWorstPath);
  EXPECT_DOUBLE_EQ(at50.clockPs, 50.0);
  ASSERT_EQ(at50.stages.size(), own.stages.size());
  for (size_t i = 0; i < own.stages.size(); ++i) {
    EXPECT_NEAR(at50.stages[i].delayPs, own.stages[i].delayPs, 0.01);
    EXPECT_NEAR(at50.stages[i].slackPs, 50.0 - own.stages[i].delayPs, 0.01);
  }
  EXPECT_LT(at50.worstSlackPs, 0.0);  // the stage needs more than 50 ps
}

// The whole flow on a pipelined unit: Yosys's netlist is accepted by OpenSTA and its register stages are timed.
TEST(Sta, PipelinedUnitNetlistIsSignedOff) {
  REQUIRE_STA();
  auto unit = nf::buildUnit("fmul", {"--a", "e4m3", "--stages", "2"});
  const nf::GeneratedModule m = unit->emit();
  const nf::synth::PpaResult p = nf::synth::runPpa(m.verilog, m.name);
  ASSERT_NE(p.netlistVerilog.find("DFF_X"), std::string::npos);
  EXPECT_EQ(p.netlistVerilog.find("assign {"), std::string::npos) << "a concatenated assign OpenSTA cannot parse";
  const StaResult r = runSta(p.netlistVerilog, m.name);
  EXPECT_TRUE(r.clocked);
  EXPECT_NE(stage(r, StageKind::RegisterToRegister), nullptr);
  EXPECT_TRUE(r.holdSlackPs.has_value());
  // ABC's own estimate and OpenSTA's sign-off are of one netlist: the same order of magnitude.
  EXPECT_GT(r.clockPs, 0.3 * p.delayPs);
  EXPECT_LT(r.clockPs, 3.0 * p.delayPs);
}

TEST(StaErrors, MissingStaNamesTheDebianPackage) {
  StaOptions o;
  o.sta = "nf-no-such-sta";
  try {
    runSta(inverterChain(2), "chain", o);
    ADD_FAILURE() << "expected a PpaError";
  } catch (const PpaError& e) {
    EXPECT_NE(std::string(e.what()).find("opensta"), std::string::npos) << e.what();
  }
}

TEST(StaErrors, RejectedNetlistShowsOpenStaOutput) {
  REQUIRE_STA();
  try {
    runSta("module chain(a, z);\n  input a;\n  output z;\n  NOT_A_CELL u0 (.A(a), .ZN(z));\nendmodule\n", "chain");
    ADD_FAILURE() << "expected a PpaError";
  } catch (const PpaError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("OpenSTA failed"), std::string::npos) << msg;
    EXPECT_NE(msg.find("NOT_A_CELL"), std::string::npos) << msg;
  }
  try {
    runSta("module chain(a, z);\n  input a;\n  output z\n  INV_X1 u0 (.A(a), .ZN(z));\nendmodule\n", "chain");
    ADD_FAILURE() << "expected a PpaError";
  } catch (const PpaError& e) {
    EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
  }
}

struct CliRun {
  int rc = -1;
  std::string out;
};

CliRun numforge(const std::string& args, const std::string& env = "") {
  const std::string cmd = fmt::format("{} {}/numforge {} 2>&1", env, NF_BINARY_DIR, args);
  CliRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = ::pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

TEST(StaCli, BadClockPeriodNamesTheOption) {
  for (const char* bad : {"0", "-5", "abc", "1e999", "nan"}) {
    const CliRun r = numforge(fmt::format("ppa fmul --a e4m3 --clock-ps {}", bad));
    EXPECT_EQ(r.rc, 2) << bad << ": " << r.out;
    EXPECT_NE(r.out.find("--clock-ps"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("area"), std::string::npos) << "synthesized before rejecting: " << r.out;
  }
}

TEST(StaCli, MissingStaExitsTwoNamingThePackage) {
  // yosys stays reachable through its absolute directory, sta does not.
  const CliRun r = numforge("ppa fmul --a e4m3", "PATH=/nonexistent");
  EXPECT_EQ(r.rc, 2) << r.out;
  EXPECT_NE(r.out.find("opensta"), std::string::npos) << r.out;
}

TEST(StaCli, PpaPrintsSignoffBesideAbc) {
  REQUIRE_STA();
  const CliRun r = numforge("ppa fmul --a e4m3 --stages 1 --clock-ps 2000");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("sign-off (OpenSTA): clock 2000.0 ps"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ABC's estimate"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("worst hold slack"), std::string::npos) << r.out;
  const CliRun j = numforge("ppa fmul --a e4m3 --json");
  ASSERT_EQ(j.rc, 0) << j.out;
  EXPECT_NE(j.out.find("\"worst_stage\""), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"input-to-output\""), std::string::npos) << j.out;
}

}  // namespace
