// The PPA flow against tiny designs whose relative figures are known in advance (wider is larger, deeper is
// slower, register bits are flops), plus every error path the flow promises to report as PpaError.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "synth/ppa.h"

namespace {

namespace fs = std::filesystem;
using nf::synth::PpaError;
using nf::synth::PpaOptions;
using nf::synth::PpaResult;
using nf::synth::runPpa;

bool yosysOnPath() {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::string_view rest = path;
  while (true) {
    size_t colon = rest.find(':');
    std::string_view dir = rest.substr(0, colon);
    fs::path candidate = fs::path(dir.empty() ? std::string_view(".") : dir) / "yosys";
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) return false;
    rest.remove_prefix(colon + 1);
  }
}

// A skipped run must say why, so a machine without Yosys never reports these tests as passed.
#define REQUIRE_YOSYS()                                                                    \
  do {                                                                                     \
    if (!yosysOnPath()) GTEST_SKIP() << "yosys is absent from PATH; PPA flow not exercised"; \
  } while (0)

::testing::AssertionResult contains(const std::string& haystack, const std::string& needle) {
  if (haystack.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << needle << "' not found in:\n" << haystack;
}

// The message of the PpaError f throws; any other outcome fails the test.
std::string ppaErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const PpaError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a PpaError";
  return {};
}

// An explicit full-adder chain, so the width really is the length of the carry path in the source.
std::string rippleAdder(const std::string& name, int width) {
  return fmt::format(R"(
module {0}(input [{1}:0] a, input [{1}:0] b, input cin, output [{1}:0] s, output cout);
  wire [{2}:0] c;
  assign c[0] = cin;
  genvar i;
  generate for (i = 0; i < {2}; i = i + 1) begin : fa
    assign s[i] = a[i] ^ b[i] ^ c[i];
    assign c[i + 1] = (a[i] & b[i]) | (c[i] & (a[i] ^ b[i]));
  end endgenerate
  assign cout = c[{2}];
endmodule
)",
                     name, width - 1, width);
}

// n XORs, each consuming the previous one's output.
std::string xorChain(const std::string& name, int n) {
  std::string body = fmt::format("module {}(input [{}:0] x, output y);\n  wire [{}:0] t;\n  assign t[0] = x[0];\n",
                                 name, n, n);
  for (int i = 1; i <= n; ++i) body += fmt::format("  assign t[{0}] = t[{1}] ^ x[{0}];\n", i, i - 1);
  body += fmt::format("  assign y = t[{}];\nendmodule\n", n);
  return body;
}

// Two stages: 16 input register bits with asynchronous reset (DFFR cells), then a 9-bit sum register (DFF).
const std::string kRegisteredAdder = R"(
module regadd(input clk, input rst_n, input [7:0] a, input [7:0] b, output reg [8:0] s);
  reg [7:0] ra, rb;
  always @(posedge clk or negedge rst_n)
    if (!rst_n) begin ra <= 8'd0; rb <= 8'd0; end
    else begin ra <= a; rb <= b; end
  always @(posedge clk) s <= ra + rb;
endmodule
)";

void expectSane(const PpaResult& r) {
  EXPECT_GT(r.areaUm2, 0);
  EXPECT_GT(r.delayPs, 0);
  EXPECT_GT(r.cells, 0);
  EXPECT_NEAR(r.areaNand2, r.areaUm2 / 0.798, 1e-9);
  EXPECT_FALSE(r.yosysLog.empty());
}

// Runs the flow on one module, prints its record (so a failing comparison shows the figures) and checks
// the record is sane.
PpaResult runSane(const std::string& verilog, const std::string& top) {
  PpaResult r = runPpa(verilog, top);
  fmt::print("{}: {}\n", top, nf::synth::toJson(r).dump());
  expectSane(r);
  return r;
}

TEST(Ppa, WiderAdderHasMoreArea) {
  REQUIRE_YOSYS();
  const PpaResult r8 = runSane(rippleAdder("add8", 8), "add8");
  const PpaResult r16 = runSane(rippleAdder("add16", 16), "add16");
  EXPECT_GT(r16.areaUm2, r8.areaUm2);
  EXPECT_GT(r16.cells, r8.cells);
  EXPECT_EQ(r8.flops, 0);
  EXPECT_EQ(r16.flops, 0);
}

TEST(Ppa, CountsEveryRegisterBitAsAFlop) {
  REQUIRE_YOSYS();
  const PpaResult r = runSane(kRegisteredAdder, "regadd");
  EXPECT_EQ(r.flops, 8 + 8 + 9);
  EXPECT_GT(r.cells, r.flops);  // the adder itself is there too
}

TEST(Ppa, LongerDependentChainIsSlower) {
  REQUIRE_YOSYS();
  const PpaResult one = runSane(xorChain("xor1", 1), "xor1");
  const PpaResult sixteen = runSane(xorChain("xor16", 16), "xor16");
  EXPECT_GT(sixteen.delayPs, one.delayPs);
  EXPECT_GT(sixteen.areaUm2, one.areaUm2);
}

// With nothing combinational for ABC to map, Yosys skips it: the path is zero rather than unparseable.
TEST(Ppa, RegistersOnlyHaveZeroDelay) {
  REQUIRE_YOSYS();
  PpaResult r = runPpa("module regs(input clk, input [3:0] d, output reg [3:0] q);\n"
                       "  always @(posedge clk) q <= d;\nendmodule\n",
                       "regs");
  EXPECT_EQ(r.flops, 4);
  EXPECT_EQ(r.cells, 4);
  EXPECT_GT(r.areaUm2, 0);
  EXPECT_EQ(r.delayPs, 0);
}

// stat prints no area line for a design without cells; that is a zero, not a parse failure.
TEST(Ppa, WiresOnlyAreAllZero) {
  REQUIRE_YOSYS();
  PpaResult r = runPpa("module wires(input [3:0] a, output [3:0] y);\n  assign y = a;\nendmodule\n", "wires");
  EXPECT_EQ(r.cells, 0);
  EXPECT_EQ(r.flops, 0);
  EXPECT_EQ(r.areaUm2, 0);
  EXPECT_EQ(r.delayPs, 0);
}

TEST(Ppa, JsonCarriesEveryFigure) {
  PpaResult r;
  r.areaUm2 = 12.5;
  r.areaNand2 = 12.5 / 0.798;
  r.cells = 7;
  r.flops = 3;
  r.delayPs = 321.25;
  nlohmann::json j = nf::synth::toJson(r);
  EXPECT_EQ(j.size(), 5u);
  EXPECT_EQ(j.at("area_um2").get<double>(), 12.5);
  EXPECT_EQ(j.at("area_nand2").get<double>(), 12.5 / 0.798);
  EXPECT_EQ(j.at("cells").get<int>(), 7);
  EXPECT_EQ(j.at("flops").get<int>(), 3);
  EXPECT_EQ(j.at("delay_ps").get<double>(), 321.25);
}

TEST(Ppa, DefaultInputsAreVendored) {
  EXPECT_TRUE(fs::is_regular_file(nf::synth::defaultLiberty())) << nf::synth::defaultLiberty();
  EXPECT_TRUE(fs::is_regular_file(nf::synth::defaultConstraints())) << nf::synth::defaultConstraints();
}

TEST(PpaErrors, MissingLibertyIsNamed) {
  PpaOptions opt;
  opt.liberty = "/nonexistent/nf-test/missing_corner.lib";
  std::string msg = ppaErrorOf([&] { runPpa(rippleAdder("add8", 8), "add8", opt); });
  EXPECT_TRUE(contains(msg, opt.liberty));
}

TEST(PpaErrors, MissingConstraintsAreNamed) {
  PpaOptions opt;
  opt.constraints = "/nonexistent/nf-test/missing_corner.constr";
  std::string msg = ppaErrorOf([&] { runPpa(rippleAdder("add8", 8), "add8", opt); });
  EXPECT_TRUE(contains(msg, opt.constraints));
}

TEST(PpaErrors, MissingYosysExecutableIsNamed) {
  PpaOptions opt;
  opt.yosys = "/nonexistent/nf-test/yosys";
  std::string msg = ppaErrorOf([&] { runPpa(rippleAdder("add8", 8), "add8", opt); });
  EXPECT_TRUE(contains(msg, opt.yosys));
  opt.yosys = "nf-test-no-such-yosys";
  msg = ppaErrorOf([&] { runPpa(rippleAdder("add8", 8), "add8", opt); });
  EXPECT_TRUE(contains(msg, "not found on PATH"));
}

// The name goes into a Yosys script, so anything beyond an identifier must be refused, not run.
TEST(PpaErrors, TopThatIsNotAnIdentifierIsRefused) {
  std::string msg = ppaErrorOf([&] { runPpa(rippleAdder("add8", 8), "add8; shell touch /tmp/x"); });
  EXPECT_TRUE(contains(msg, "not a plain Verilog identifier"));
}

TEST(PpaErrors, SyntaxErrorReportsYosysDiagnosis) {
  REQUIRE_YOSYS();
  std::string msg = ppaErrorOf([] { runPpa("module bad(input a, output y);\n  assign y = a +;\nendmodule\n", "bad"); });
  EXPECT_TRUE(contains(msg, "yosys"));
  EXPECT_TRUE(contains(msg, "syntax error"));
}

TEST(PpaErrors, UnknownTopIsReported) {
  REQUIRE_YOSYS();
  std::string msg = ppaErrorOf([] { runPpa(rippleAdder("add8", 8), "no_such_top"); });
  EXPECT_TRUE(contains(msg, "yosys"));
  EXPECT_TRUE(contains(msg, "no_such_top"));
}

// A process is gone when /proc no longer lists it or lists it as a zombie (dead, only not yet reaped).
bool processAlive(pid_t pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string text;
  if (!std::getline(stat, text)) return false;
  const size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

std::optional<pid_t> readPid(const fs::path& file) {
  std::ifstream f(file);
  long pid = 0;
  if (f >> pid && pid > 0) return pid_t(pid);
  return std::nullopt;
}

// A caller killed with SIGKILL in mid-synthesis must not leave yosys or what yosys started (ABC) running.
// The stand-in for yosys starts a long sleep as its own child, as yosys starts berkeley-abc, and records both.
TEST(PpaSupervision, KillingTheCallerLeavesNoYosysOrItsChildrenRunning) {
  const fs::path dir = fs::path(::testing::TempDir()) / fmt::format("nf-test-ppa-kill-{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path fake = dir / "fake-yosys";
  {
    std::ofstream f(fake);
    f << "#!/bin/sh\nsleep 300 &\necho $! > \"$NF_TEST_PIDDIR/abc.pid.tmp\"\n"
         "mv \"$NF_TEST_PIDDIR/abc.pid.tmp\" \"$NF_TEST_PIDDIR/abc.pid\"\n"
         "echo $$ > \"$NF_TEST_PIDDIR/yosys.pid.tmp\"\nmv \"$NF_TEST_PIDDIR/yosys.pid.tmp\" \"$NF_TEST_PIDDIR/yosys.pid\"\n"
         "wait\n";
  }
  fs::permissions(fake, fs::perms::owner_all);
  ::setenv("NF_TEST_PIDDIR", dir.c_str(), 1);
  const pid_t caller = ::fork();
  ASSERT_GE(caller, 0);
  if (caller == 0) {
    PpaOptions opt;
    opt.yosys = fake.string();
    try {
      runPpa(rippleAdder("add8", 8), "add8", opt);
    } catch (...) {
    }
    ::_exit(0);
  }
  std::optional<pid_t> yosysPid, abcPid;
  for (int i = 0; i < 200 && !(yosysPid && abcPid); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    yosysPid = readPid(dir / "yosys.pid");
    abcPid = readPid(dir / "abc.pid");
  }
  ASSERT_TRUE(yosysPid && abcPid) << "the stand-in yosys never started";
  EXPECT_TRUE(processAlive(*yosysPid));
  EXPECT_TRUE(processAlive(*abcPid));
  ::kill(caller, SIGKILL);
  ::waitpid(caller, nullptr, 0);
  for (int i = 0; i < 100 && (processAlive(*yosysPid) || processAlive(*abcPid)); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(processAlive(*yosysPid)) << "yosys outlived its caller";
  EXPECT_FALSE(processAlive(*abcPid)) << "a process yosys started outlived its caller";
  for (pid_t p : {*yosysPid, *abcPid})
    if (processAlive(p)) ::kill(p, SIGKILL);
  fs::remove_all(dir);
}

// Work directories go under $TMPDIR and vanish afterwards, on success and on failure, unless asked to stay.
class PpaWorkDir : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* old = std::getenv("TMPDIR")) oldTmpdir_ = old;
    tmp_ = fs::path(::testing::TempDir()) / fmt::format("nf-test-ppa-{}", ::getpid());
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
    ::setenv("TMPDIR", tmp_.c_str(), 1);
  }
  void TearDown() override {
    if (oldTmpdir_)
      ::setenv("TMPDIR", oldTmpdir_->c_str(), 1);
    else
      ::unsetenv("TMPDIR");
    fs::remove_all(tmp_);
  }
  std::vector<fs::path> entries() const {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(tmp_)) out.push_back(e.path());
    return out;
  }

  fs::path tmp_;
  std::optional<std::string> oldTmpdir_;
};

TEST_F(PpaWorkDir, RemovedUnlessKept) {
  REQUIRE_YOSYS();
  runPpa(xorChain("xor1", 1), "xor1");
  EXPECT_TRUE(entries().empty());
  ppaErrorOf([] { runPpa(xorChain("xor1", 1), "no_such_top"); });
  EXPECT_TRUE(entries().empty());

  PpaOptions keep;
  keep.keepWorkDir = true;
  runPpa(xorChain("xor1", 1), "xor1", keep);
  std::vector<fs::path> kept = entries();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_TRUE(fs::is_regular_file(kept[0] / "yosys.log"));
  EXPECT_TRUE(fs::is_regular_file(kept[0] / "stat.txt"));
}

}  // namespace
