#include "synth/energy.h"

#include <fmt/format.h>

#include <regex>
#include <stdexcept>

#include "refmodels/npy.h"
#include "verif/activity_sim.h"
#include "verif/workload.h"

namespace nf::synth {
namespace {

int portsNamed(const Unit& unit, const char* pattern) {
  const std::regex re(pattern);
  int n = 0;
  for (const PortInfo& p : unit.inputs()) n += std::regex_match(p.name, re) ? 1 : 0;
  return n;
}

std::vector<uint32_t> stimulus(const Unit& unit, const EnergyOptions& opt) {
  if (opt.workloadFile.empty() && opt.workloadValues.empty())
    return verif::workloadVectors(unit, opt.workload, opt.vectors, opt.seed);
  if (!opt.workloadValues.empty()) return verif::tensorVectors(unit, opt.workloadValues, opt.vectors);
  return verif::tensorVectors(unit, readWorkloadFile(opt.workloadFile), opt.vectors);
}

}  // namespace

std::vector<float> readWorkloadFile(const std::string& path) {
  try {
    return readNpyFloat32(path);
  } catch (const std::exception& e) {
    // The reader names `accuracy`'s option; this one is --workload-file.
    std::string why = e.what();
    const std::string theirs = fmt::format("--input {}: ", path);
    if (why.rfind(theirs, 0) == 0) why = why.substr(theirs.size());
    throw UsageError(fmt::format("--workload-file {}: {}", path, why));
  }
}

double opsPerResult(const Unit& unit) {
  const std::string op = unit.operatorName();
  if (op == "fma") return 2;
  if (op == "fdot") return 2.0 * portsNamed(unit, "a[0-9]+");
  if (op == "mxquant" || op == "nvfp4quant") return portsNamed(unit, "x[0-9]+");
  return 1;
}

EnergyResult measureEnergy(const Unit& unit, const PpaResult& ppa, const EnergyOptions& opt) {
  return measureEnergy(unit, ppa.simulationVerilog(), ppa.netlistVerilog, opt);
}

EnergyResult measureEnergy(const Unit& unit, const std::string& gateLevel, const std::string& netlist,
                           const EnergyOptions& opt) {
  const std::vector<uint32_t> vectors = stimulus(unit, opt);
  verif::ActivityOptions ao;
  ao.idleFraction = opt.idleFraction;
  ao.cacheDir = opt.cacheDir;
  const verif::ActivityRun run = verif::simulateActivity(unit, gateLevel, vectors, ao);

  std::vector<NetToggleRate> nets;
  nets.reserve(run.nets.size());
  const double cycles = double(std::max<uint64_t>(run.cycles, 1));
  for (const verif::NetActivity& n : run.nets)
    nets.push_back({n.name, double(n.toggles) / cycles, double(n.highCycles) / cycles});

  EnergyResult e;
  e.power = runPower(netlist, unit.moduleName(), nets, opt.power);
  e.workload = opt.workloadFile.empty() ? (opt.workloadValues.empty() ? opt.workload : "tensor") : opt.workloadFile;
  e.cycles = run.cycles;
  e.validCycles = run.validCycles;
  e.simSeconds = run.seconds;
  e.resultsPerCycle = double(run.validCycles) / cycles;
  e.opsPerResult = opsPerResult(unit);
  // W x ps = 1e-12 J = 1 pJ.
  const double perCycle = e.power.simulated.totalW() * e.power.clockPs;
  e.pjPerResult = e.resultsPerCycle > 0 ? perCycle / e.resultsPerCycle : 0;
  e.pjPerOp = e.opsPerResult > 0 ? e.pjPerResult / e.opsPerResult : 0;
  // OpenSTA's vectorless estimate assumes a result every cycle.
  e.vectorlessPjPerOp = e.opsPerResult > 0 ? e.power.vectorless.totalW() * e.power.clockPs / e.opsPerResult : 0;
  return e;
}

ChipFigures chipFigures(const Unit& unit, double areaUm2, double fmaxMHz, std::optional<double> pjPerOp) {
  ChipFigures c;
  c.resultsPerSecond = fmaxMHz * 1e6;
  c.opsPerSecond = c.resultsPerSecond * opsPerResult(unit);
  c.opsPerSecondPerMm2 = areaUm2 > 0 ? c.opsPerSecond / (areaUm2 * 1e-6) : 0;
  if (pjPerOp && *pjPerOp > 0) {
    c.pjPerOp = pjPerOp;
    c.opsPerJoule = 1e12 / *pjPerOp;
  }
  return c;
}

nlohmann::json toJson(const EnergyResult& e) {
  nlohmann::json j = toJson(e.power);
  j["workload"] = e.workload;
  j["cycles"] = e.cycles;
  j["valid_cycles"] = e.validCycles;
  j["results_per_cycle"] = e.resultsPerCycle;
  j["ops_per_result"] = e.opsPerResult;
  j["pj_per_result"] = e.pjPerResult;
  j["pj_per_op"] = e.pjPerOp;
  j["vectorless_pj_per_op"] = e.vectorlessPjPerOp;
  return j;
}

nlohmann::json toJson(const ChipFigures& c) {
  nlohmann::json j{{"results_per_s", c.resultsPerSecond}, {"ops_per_s", c.opsPerSecond},
                   {"ops_per_s_per_mm2", c.opsPerSecondPerMm2}};
  if (c.pjPerOp) j["pj_per_op"] = *c.pjPerOp;
  if (c.opsPerJoule) j["ops_per_j"] = *c.opsPerJoule;
  return j;
}

}  // namespace nf::synth
