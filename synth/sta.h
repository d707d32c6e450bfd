// Sign-off timing of a mapped netlist with OpenSTA (Debian package opensta): the setup slack of every kind of
// stage at a clock, fmax, and the hold check of clocked units, in the same drive/load environment as ABC.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "synth/ppa.h"

namespace nf::synth {

struct StaOptions {
  std::string sta = "sta";
  std::string liberty;      // empty: defaultLiberty()
  std::string constraints;  // empty: defaultConstraints(); its set_driving_cell / set_load apply here too
  double clockPs = 0;       // 0: the clock is the netlist's own worst path (slack 0 there)
  bool keepWorkDir = false;
};

enum class StageKind { InputToRegister, RegisterToRegister, RegisterToOutput, InputToOutput };
const char* stageKindName(StageKind k);  // "input-to-register", ...

// The worst path of one stage kind.
struct StagePath {
  StageKind kind{};
  std::string startpoint, endpoint;  // as OpenSTA names them (a port, or a flop instance pin)
  double slackPs = 0;
  double delayPs = 0;  // the clock period at which this path has zero slack (setup time included)
};

struct StaResult {
  double clockPs = 0;
  bool clockFromWorstPath = false;
  bool clocked = false;             // the netlist has a clk port (a real clock, not a virtual one)
  std::vector<StagePath> stages;    // one per kind that has a path, worst first
  double worstSlackPs = 0;          // stages.front().slackPs (0 without any path)
  double fmaxMHz = 0;               // 1e6 / stages.front().delayPs (0 without any path)
  std::optional<double> holdSlackPs;  // clocked units: the worst hold slack over all paths
  std::string report;               // OpenSTA's output
};

// Times netlistVerilog (top module top) with OpenSTA. Inputs and outputs have zero external delay against the
// clock ("clk" when the netlist has that port, else a virtual one), are driven by the constraints' cell and
// load the constraints' capacitance. Throws PpaError when sta is missing (naming the Debian package), fails or
// reports an error; the message carries its output.
StaResult runSta(const std::string& netlistVerilog, const std::string& top, const StaOptions& opt = {});

// Keys: clock_ps, clock_from_worst_path, worst_slack_ps, fmax_mhz, worst_stage {kind, from, to, delay_ps,
// slack_ps}, stages [...], hold_slack_ps (clocked units).
nlohmann::json toJson(const StaResult& r);

// The environment of a constraints file (`set_driving_cell CELL`, `set_load CAP`); PpaError if malformed.
struct Environment {
  std::string drivingCell;
  double loadFf = 0;
};
Environment readEnvironment(const std::string& constraintsPath);

// Whether the netlist's top module has a clk port.
bool hasClockPort(const std::string& netlist, const std::string& top);
// The OpenSTA commands that read the liberty and netlist.v and set the clock, input/output delays, drive and load
// (shared by sign-off timing and power, so both see one environment).
std::string staSetupScript(const std::filesystem::path& liberty, const std::string& top, const Environment& env,
                           double periodPs, bool clocked);

}  // namespace nf::synth
