// Energy per operation of a unit on NanGate 45 nm: its mapped netlist simulated at gate level on a workload
// (verif/activity_sim), the measured activity turned into power by OpenSTA (synth/power), and the chip-level
// figures a co-design engineer compares formats by.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "generators/unit.h"
#include "synth/power.h"
#include "synth/ppa.h"

namespace nf::synth {

struct EnergyOptions {
  std::string workload = "uniform";  // verif::workloadChoices(); ignored with workloadFile
  std::string workloadFile;          // a float32 .npy tensor
  std::vector<float> workloadValues;  // that tensor already read (then workloadFile only names it)
  uint64_t vectors = 100000;
  uint64_t seed = 1;
  double idleFraction = 0;
  PowerOptions power;  // clockPs: the clock the unit runs at
  std::string cacheDir;
};

struct EnergyResult {
  PowerReport power;
  std::string workload;  // the name, or the .npy path
  uint64_t cycles = 0, validCycles = 0;
  double simSeconds = 0;
  double resultsPerCycle = 0;  // valid cycles / cycles
  double opsPerResult = 0;
  double pjPerResult = 0;      // total power x period / results per cycle
  double pjPerOp = 0;
  double vectorlessPjPerOp = 0;
};

// A float32 .npy tensor; UsageError naming --workload-file when it cannot be read or is not float32.
std::vector<float> readWorkloadFile(const std::string& path);

// Operations one input vector of the unit stands for: an fma (or MAC) 2, an N-term fdot 2N, a block quantizer
// one per element; any other unit 1.
double opsPerResult(const Unit& unit);

// gateLevel: the mapped netlist followed by its cell models (gateLevelVerilog); netlist: the netlist alone.
// Throws UsageError for a bad workload or idle fraction, PpaError or verif::SimError when a tool fails.
EnergyResult measureEnergy(const Unit& unit, const std::string& gateLevel, const std::string& netlist,
                           const EnergyOptions& opt);
// The same on runPpa's result (run with PpaOptions::cellModels).
EnergyResult measureEnergy(const Unit& unit, const PpaResult& ppa, const EnergyOptions& opt);

// Results per second at fmax (one result per cycle, back to back), operations per second and per mm^2,
// and, given an energy, pJ per operation and operations per joule.
struct ChipFigures {
  double resultsPerSecond = 0, opsPerSecond = 0, opsPerSecondPerMm2 = 0;
  std::optional<double> pjPerOp, opsPerJoule;
};
ChipFigures chipFigures(const Unit& unit, double areaUm2, double fmaxMHz, std::optional<double> pjPerOp);

nlohmann::json toJson(const EnergyResult& e);
nlohmann::json toJson(const ChipFigures& c);

}  // namespace nf::synth
