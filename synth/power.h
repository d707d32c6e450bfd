// Power of a mapped netlist with OpenSTA's models of its liberty (internal power from the cells' tables at the
// slews and loads OpenSTA computes, switching power from the net capacitances, leakage), from per-net activities
// a simulation measured, beside OpenSTA's own vectorless estimate.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "synth/ppa.h"

namespace nf::synth {

struct PowerOptions {
  std::string liberty;      // empty: defaultLiberty()
  std::string constraints;  // empty: defaultConstraints()
  double clockPs = 0;       // the clock the activities are per cycle of; must be positive
  // Toggles per cycle OpenSTA's vectorless estimate gives every input (duty 0.5); 0.1 is its own default.
  double vectorlessActivity = 0.1;
  double vectorlessDuty = 0.5;  // the inputs' fraction of time high in that estimate
  std::string tool;  // empty: the nf-sta-power built with numforge ($NUMFORGE_STA_POWER overrides)
  bool keepWorkDir = false;
};

// One net bit of the netlist's top module as the simulation saw it.
struct NetToggleRate {
  std::string name;
  double togglesPerCycle = 0;
  double duty = 0;  // fraction of cycles high
};

struct PowerBreakdown {
  double internalW = 0, switchingW = 0, leakageW = 0;
  double totalW() const { return internalW + switchingW + leakageW; }
};

struct PowerReport {
  double clockPs = 0;
  double vectorlessActivity = 0;  // PowerOptions::vectorlessActivity
  PowerBreakdown simulated;   // from the given activities (nets OpenSTA knows; the clock net is OpenSTA's clock)
  PowerBreakdown vectorless;  // OpenSTA's propagation from PowerOptions::vectorlessActivity
  long netsMatched = 0, netsUnmatched = 0;  // given nets OpenSTA found, and did not find, in the netlist
  std::string output;  // the tool's output
};

// Throws PpaError when a file is missing, the tool cannot be run (naming the Debian package opensta-dev it is
// built from), fails, or prints no figures; the message carries its output.
PowerReport runPower(const std::string& netlistVerilog, const std::string& top,
                     const std::vector<NetToggleRate>& nets, const PowerOptions& opt);

std::string defaultStaPowerTool();

// Keys: clock_ps, simulated {internal_w, switching_w, leakage_w, total_w}, vectorless {...}, nets_matched,
// nets_unmatched.
nlohmann::json toJson(const PowerReport& r);
nlohmann::json toJson(const PowerBreakdown& b);

}  // namespace nf::synth
