// Area and delay of a Verilog design on NanGate 45 nm, measured with the project's one fixed Yosys + ABC flow,
// so that numbers from different generators and runs are comparable with the reference figures.
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace nf::synth {

struct PpaOptions {
  std::string liberty;      // empty: the vendored synth/nangate45/NangateOpenCellLibrary_typical.lib
  std::string constraints;  // empty: constraints/nangate45_typical.constr
  std::string yosys = "yosys";
  bool keepWorkDir = false;
  bool cellModels = false;   // also write the liberty's cells as Verilog modules (PpaResult::cellModelsVerilog)  // for debugging: the directory is left behind and its path printed on stderr
};

struct PpaResult {
  double areaUm2 = 0;    // "Chip area for module" from `stat -liberty`
  double areaNand2 = 0;  // areaUm2 / 0.798 (NAND2_X1)
  int cells = 0;         // "Number of cells" from stat
  int flops = 0;         // cells whose type starts with "DFF" or "SDFF"
  double delayPs = 0;    // ABC's critical path; for pipelined designs the worst register-to-register stage
  std::string yosysLog;  // full log text
  // The mapped netlist (NanGate cells, every bus split into bits inside, ports kept whole), as OpenSTA times it
  // and gate-level co-simulation and power simulate it.
  std::string netlistVerilog;
  std::string cellModelsVerilog;  // with PpaOptions::cellModels: every cell as a module, from its `function`
  // What a gate-level simulation compiles: the netlist followed by its cell models.
  std::string simulationVerilog() const { return netlistVerilog + "\n" + cellModelsVerilog; }
};

// The only exception runPpa lets escape.
struct PpaError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr double kNand2AreaUm2 = 0.798;  // NAND2_X1 in the NanGate 45 nm typical library

std::string defaultLiberty();
std::string defaultConstraints();

// Synthesizes verilogText with top module topModule in a fresh temporary directory (under $TMPDIR or /tmp),
// removed afterwards unless opt.keepWorkDir. Throws PpaError if an input file is missing, yosys cannot be
// started or fails, or the report lacks the area/delay figures. A design with nothing for ABC to map (only
// wires and registers) has delayPs 0, and one without cells areaUm2 0, since Yosys prints no figure for those.
PpaResult runPpa(const std::string& verilogText, const std::string& topModule, const PpaOptions& opt = {});

// The mapped netlist of verilogText followed by the liberty's cells as Verilog modules: what gate-level
// co-simulation and power simulation verilate in place of the RTL (its top keeps the name topModule).
std::string gateLevelVerilog(const std::string& verilogText, const std::string& topModule, PpaOptions opt = {});

// Keys: area_um2, area_nand2, cells, flops, delay_ps.
nlohmann::json toJson(const PpaResult& r);

}  // namespace nf::synth
