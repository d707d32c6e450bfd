// Energy from simulated activity, validated against what can be known without our code: OpenSTA's own
// propagation on netlists where it is exact (an inverter/buffer chain and an AND tree whose inputs flip one at a
// time), a cell's switching energy computed by hand from the numbers in the liberty text, the order of zeros and
// random bits on a real unit, and an idle clocked unit that may cost its clock and leakage only.
#include <cmath>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "generators/unit.h"
#include "synth/energy.h"
#include "synth/power.h"
#include "synth/ppa.h"
#include "synth/tool_run.h"
#include "verif/activity_sim.h"

namespace {

using namespace nf;

#define REQUIRE_TOOLS()                                                                                     \
  do {                                                                                                      \
    if (!synth::tools::executableExists("yosys") || !synth::tools::executableExists("verilator"))          \
      GTEST_SKIP() << "yosys or verilator is absent from PATH; power not exercised";                       \
  } while (0)

// A combinational unit of plain ports, wrapping a hand-written netlist (only its ports matter to the harness).
class HandUnit final : public Unit {
 public:
  HandUnit(std::string name, std::vector<PortInfo> in, std::vector<PortInfo> out)
      : name_(std::move(name)), in_(std::move(in)), out_(std::move(out)) {}
  std::string operatorName() const override { return "hand"; }
  std::string moduleName() const override { return name_; }
  std::vector<std::string> canonicalArgs() const override { return {}; }
  const std::vector<PortInfo>& inputs() const override { return in_; }
  const std::vector<PortInfo>& outputs() const override { return out_; }
  int latency() const override { return 0; }
  GeneratedModule emit() const override { return {name_, "", {}}; }
  void emulate(const uint32_t*, uint32_t* out) const override { out[0] = 0; }
  std::vector<std::vector<uint32_t>> cornerVectors() const override { return {}; }

 private:
  std::string name_;
  std::vector<PortInfo> in_, out_;
};

// The liberty's cells as Verilog modules from their `function` attributes (Yosys), once per test binary.
const std::string& cellModels() {
  static const std::string cells = [] {
    synth::PpaOptions o;
    o.cellModels = true;
    return synth::runPpa("module t(input a, output z); assign z = ~a; endmodule\n", "t", o).cellModelsVerilog;
  }();
  return cells;
}

std::vector<synth::NetToggleRate> rates(const verif::ActivityRun& run) {
  std::vector<synth::NetToggleRate> r;
  for (const verif::NetActivity& n : run.nets)
    r.push_back({n.name, double(n.toggles) / double(run.cycles), double(n.highCycles) / double(run.cycles)});
  return r;
}

const verif::NetActivity& net(const verif::ActivityRun& run, const std::string& name) {
  for (const verif::NetActivity& n : run.nets)
    if (n.name == name) return n;
  throw std::runtime_error("no net " + name);
}

// a[0] through INV, BUF, INV to y; an AND2 tree over a[7:0] to z. In Yosys's netlist style (one wire a line).
const char* kTreeNetlist = R"(module pw_tree(a, y, z);
  input [7:0] a;
  wire [7:0] a;
  output y;
  wire y;
  output z;
  wire z;
  wire c1;
  wire c2;
  wire t0;
  wire t1;
  wire t2;
  wire t3;
  wire u0;
  wire u1;
  INV_X1 i1 (.A(a[0]), .ZN(c1));
  BUF_X1 i2 (.A(c1), .Z(c2));
  INV_X1 i3 (.A(c2), .ZN(y));
  AND2_X1 g0 (.A1(a[0]), .A2(a[1]), .ZN(t0));
  AND2_X1 g1 (.A1(a[2]), .A2(a[3]), .ZN(t1));
  AND2_X1 g2 (.A1(a[4]), .A2(a[5]), .ZN(t2));
  AND2_X1 g3 (.A1(a[6]), .A2(a[7]), .ZN(t3));
  AND2_X1 g4 (.A1(t0), .A2(t1), .ZN(u0));
  AND2_X1 g5 (.A1(t2), .A2(t3), .ZN(u1));
  AND2_X1 g6 (.A1(u0), .A2(u1), .ZN(z));
endmodule
)";

TEST(PowerValidation, ChainAndTreeMatchOpenStasExactPropagation) {
  REQUIRE_TOOLS();
  const HandUnit unit("pw_tree", {{"a", 8, std::nullopt}}, {{"y", 1, std::nullopt}, {"z", 1, std::nullopt}});
  // One input bit, chosen at random, flips per vector: every input toggles 1/8 per cycle with duty 1/2, and no
  // two inputs of a gate toggle together, which is when OpenSTA's probabilistic propagation is exact.
  const uint64_t n = 200000;
  std::vector<uint32_t> v(n);
  std::mt19937_64 rng(5);
  uint32_t state = uint32_t(rng()) & 0xFF;
  for (uint64_t i = 0; i < n; ++i) v[i] = state ^= 1u << (rng() % 8);
  const verif::ActivityRun run = verif::simulateActivity(unit, std::string(kTreeNetlist) + cellModels(), v);
  ASSERT_EQ(run.cycles, n);
  // The simulation itself, against the stimulus' known rates.
  EXPECT_NEAR(double(net(run, "a[3]").toggles) / double(n), 0.125, 0.125 * 0.02);
  EXPECT_EQ(net(run, "c2").toggles, net(run, "a[0]").toggles);
  EXPECT_EQ(net(run, "y").highCycles, net(run, "a[0]").highCycles);  // y = !!!a[0] through INV, BUF, INV
  EXPECT_EQ(net(run, "c1").highCycles, n - net(run, "a[0]").highCycles);

  synth::PowerOptions po;
  po.clockPs = 1000;
  po.vectorlessActivity = 0.125;
  const synth::PowerReport p = synth::runPower(kTreeNetlist, "pw_tree", rates(run), po);
  EXPECT_EQ(p.netsUnmatched, 0);
  EXPECT_EQ(p.netsMatched, 18);  // 8 input bits, y, z and 8 internal nets
  EXPECT_GT(p.vectorless.switchingW, 0);
  EXPECT_NEAR(p.simulated.switchingW, p.vectorless.switchingW, 0.01 * p.vectorless.switchingW);
  EXPECT_NEAR(p.simulated.internalW, p.vectorless.internalW, 0.01 * p.vectorless.internalW);
  EXPECT_NEAR(p.simulated.totalW(), p.vectorless.totalW(), 0.01 * p.vectorless.totalW());
}

// The first number after `key` in text at or after `from`.
double libNumber(const std::string& text, size_t from, const std::string& key) {
  const size_t at = text.find(key, from);
  if (at == std::string::npos) throw std::runtime_error("liberty lacks " + key);
  std::smatch m;
  const std::string rest = text.substr(at + key.size(), 200);
  if (!std::regex_search(rest, m, std::regex("[-+0-9.eE]+")) || m.position(0) > 20)
    throw std::runtime_error("no number after " + key);
  return std::stod(m.str(0));
}

TEST(PowerValidation, OneCellsSwitchingEnergyIsTheLibertysByHand) {
  REQUIRE_TOOLS();
  // u1 toggles every vector; z = n1 & 0 never moves, and a port net has no driving cell to charge it.
  const char* netlist = R"(module pw_one(a, b, z);
  input a;
  wire a;
  input b;
  wire b;
  output z;
  wire z;
  wire n1;
  INV_X1 u1 (.A(a), .ZN(n1));
  AND2_X1 u2 (.A1(n1), .A2(b), .ZN(z));
endmodule
)";
  const HandUnit unit("pw_one", {{"a", 1, std::nullopt}, {"b", 1, std::nullopt}}, {{"z", 1, std::nullopt}});
  std::vector<uint32_t> v;
  for (int i = 0; i < 1000; ++i) v.insert(v.end(), {uint32_t(i & 1), 0u});
  const verif::ActivityRun run = verif::simulateActivity(unit, std::string(netlist) + cellModels(), v);
  ASSERT_EQ(net(run, "n1").toggles, 999u);  // every vector but the first, which repeats the settled a = 0
  synth::PowerOptions po;
  po.clockPs = 2000;
  const synth::PowerReport p = synth::runPower(netlist, "pw_one", rates(run), po);

  // By hand from the liberty text: the load of n1 is AND2_X1's A1 (its larger, rise, capacitance: OpenSTA's
  // max analysis) plus the default wire load's capacitance per unit length times its length at fanout 1.
  std::ifstream f(synth::defaultLiberty());
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string lib = ss.str();
  const double volts = libNumber(lib, 0, "nom_voltage");
  const size_t and2 = lib.find("cell (AND2_X1)");
  const double pinFf = libNumber(lib, lib.find("pin (A1)", and2), "rise_capacitance");
  const std::string wl = lib.substr(lib.find("default_wire_load"), 80);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(wl, m, std::regex("\"([^\"]+)\"")));
  const size_t wlAt = lib.find("wire_load(\"" + m.str(1) + "\")");
  const double wireFf = libNumber(lib, wlAt, "capacitance :") * libNumber(lib, wlAt, "fanout_length( 1,");
  const double togglesPerSecond = double(net(run, "n1").toggles) / double(run.cycles) / (po.clockPs * 1e-12);
  const double expected = 0.5 * (pinFf + wireFf) * 1e-15 * volts * volts * togglesPerSecond;
  EXPECT_NEAR(p.simulated.switchingW, expected, 1e-4 * expected);
}

synth::EnergyResult energyOf(const Unit& unit, const std::string& workload, uint64_t vectors, double idle = 0,
                             double vectorlessDuty = 0.5) {
  const GeneratedModule m = unit.emit();
  synth::PpaOptions o;
  o.cellModels = true;
  static std::map<std::string, synth::PpaResult> synthesized;
  auto it = synthesized.find(m.name);
  if (it == synthesized.end()) it = synthesized.emplace(m.name, synth::runPpa(m.verilog, m.name, o)).first;
  synth::EnergyOptions eo;
  eo.workload = workload;
  eo.vectors = vectors;
  eo.power.clockPs = 2000;
  eo.idleFraction = idle;
  eo.power.vectorlessActivity = 0;
  eo.power.vectorlessDuty = vectorlessDuty;
  return synth::measureEnergy(unit, it->second, eo);
}

TEST(PowerValidation, ZerosCostFarLessThanRandomBits) {
  REQUIRE_TOOLS();
  const auto unit = buildUnit("fmul", {"--a", "e4m3"});
  const synth::EnergyResult uniform = energyOf(*unit, "uniform", 3000);
  const synth::EnergyResult zeros = energyOf(*unit, "zeros", 3000);
  const synth::EnergyResult normal = energyOf(*unit, "normal", 3000);
  EXPECT_EQ(uniform.power.netsUnmatched, 0);
  EXPECT_EQ(zeros.power.simulated.switchingW, 0);  // constant inputs: nothing moves
  EXPECT_LT(zeros.pjPerOp, 0.05 * uniform.pjPerOp);
  EXPECT_GT(normal.pjPerOp, 10 * zeros.pjPerOp);
  // Leakage does not depend on the data in this OpenSTA (state-averaged), so it is the floor of both.
  EXPECT_DOUBLE_EQ(zeros.power.simulated.leakageW, uniform.power.simulated.leakageW);
}

TEST(PowerValidation, AnIdleClockedUnitCostsItsClockAndLeakageOnly) {
  REQUIRE_TOOLS();
  const auto unit = buildUnit("fmul", {"--a", "e4m3", "--stages", "1"});
  const synth::EnergyResult busy = energyOf(*unit, "uniform", 3000);
  // Five vectors of zeros in 10^4 cycles: valid_in, rst and the data all but always 0.
  const synth::EnergyResult idle = energyOf(*unit, "zeros", 5, 0.9995, 0.0);
  ASSERT_GT(idle.cycles, 9990u);
  // OpenSTA's vectorless figure with every input constant at 0 (activity 0, duty 0): its own estimate of the
  // clock's internal power plus leakage, with every net's state exact.
  const synth::PowerBreakdown& clockOnly = idle.power.vectorless;
  EXPECT_GT(clockOnly.internalW, 0);
  EXPECT_EQ(clockOnly.switchingW, 0);
  EXPECT_LT(idle.power.simulated.switchingW, 1e-3 * busy.power.simulated.switchingW);
  EXPECT_NEAR(idle.power.simulated.internalW, clockOnly.internalW, 0.01 * clockOnly.internalW);
  EXPECT_LT(idle.power.simulated.totalW(), 0.2 * busy.power.simulated.totalW());
}

}  // namespace
