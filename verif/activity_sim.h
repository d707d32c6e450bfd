// Switching activity of a mapped netlist: the netlist (with its liberty cell models) Verilated once with every
// net of its top module public, driven with a unit's vectors, and every net bit sampled once per clock cycle
// (per vector for a combinational unit) for its toggles and the cycles it is high. Zero-delay simulation: a net
// settles once per cycle, so glitches are not seen.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "generators/unit.h"
#include "verif/sim_build.h"

namespace nf::verif {

struct NetActivity {
  std::string name;  // as the netlist spells the net bit: "_0123_", "a[3]"
  uint64_t toggles = 0;
  uint64_t highCycles = 0;
};

struct ActivityRun {
  uint64_t cycles = 0;       // sampled cycles
  uint64_t validCycles = 0;  // cycles that fed a vector
  std::vector<NetActivity> nets;  // the clock net is left out: its activity is the clock's
  double seconds = 0;        // simulation only
  bool buildCached = false;
};

struct ActivityOptions {
  // Fraction of cycles without a vector (valid_in low; a combinational unit's inputs hold), spread evenly.
  double idleFraction = 0;
  std::string cacheDir;  // as BuildOptions::cacheDir
  int jobs = 2;
};

// Feeds the n = vectors.size() / unit.inputWords() vectors back to back (clocked units after two reset
// cycles), with bubbles as opt.idleFraction asks. Throws SimError with Verilator's output when the build fails,
// UsageError for an idle fraction outside [0, 1).
ActivityRun simulateActivity(const Unit& unit, const std::string& gateLevelVerilog,
                             const std::vector<uint32_t>& vectors, const ActivityOptions& opt = {});

// The netlist with every wire of module `top` marked public for Verilator (exposed for tests).
std::string withPublicNets(const std::string& netlistVerilog, const std::string& top);

}  // namespace nf::verif
