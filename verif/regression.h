// A regression over many units: each unit's co-simulation planned by the suite (quick: seeded and sampled,
// full: exhaustive up to 32 input bits, 10^8 seeded vectors above), run J units at a time, one result per unit.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "generators/unit.h"
#include "verif/cosim.h"

namespace nf::verif {

enum class Suite { Quick, Full };

// Vectors per unit. Quick: exhaustive up to 16 input bits, else the corner cases + this many random vectors.
constexpr int kQuickExhaustiveBits = 16;
constexpr uint64_t kQuickRandomCount = 20000;
constexpr uint64_t kFullRandomCount = 100'000'000;

struct RegressionCase {
  std::string name;                 // the module name
  std::string op;                   // operator, for the reproducing command
  std::vector<std::string> args;    // its option words as the catalog lists them
  std::unique_ptr<Unit> unit;
  // The Verilog to simulate in place of the generator's (the checked-in file, or its mapped netlist), made in
  // the job that runs the case; empty text or no function: the generator's own.
  std::function<std::string()> verilog;
};

struct RegressionResult {
  CosimOptions::Mode mode = CosimOptions::Mode::Random;
  uint64_t count = 0;  // random vectors asked for (Mode::Random)
  uint64_t seed = 0;
  CosimReport report;
  std::string error;   // a build or protocol failure (the unit did not run to the end)
  double seconds = 0;  // wall time of this unit, build included
  bool passed() const { return error.empty() && report.mismatches == 0; }
};

struct RegressionOptions {
  Suite suite = Suite::Quick;
  int jobs = 1;         // units at a time
  int threads = 0;      // threads per unit; 0: the cores divided among the jobs
  uint64_t seed = 1;
  bool netlist = false; // the cases simulate mapped netlists: reproducing commands say --netlist
  bool progress = true; // one line per finished unit on stderr
};

// The co-simulation options the suite gives this unit (mode, count, seed; threads and build left as given).
CosimOptions planCosim(const Unit& unit, const RegressionOptions& opt);

// Runs every case; results in the order of `cases`.
std::vector<RegressionResult> runRegression(const std::vector<RegressionCase>& cases, const RegressionOptions& opt);

// `numforge verify ...` that reruns one case's co-simulation exactly (same vectors, same seed).
std::string reproduceCommand(const RegressionCase& c, const RegressionResult& r, const RegressionOptions& opt);

}  // namespace nf::verif
