// The SystemC bench: the Verilated RTL (verilator --sc) and the unit's SystemC model (generators/systemc) side by
// side on one clock, driven with the same stimulus (the co-simulation's corner cases, then seeded random vectors;
// clocked units with a bubble every fifth cycle and a reset in mid-stream), every output compared every cycle
// (a clocked unit's valid_out on every cycle, its data on every valid_out cycle).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "generators/unit.h"

namespace nf::verif {

struct ScBenchOptions {
  uint64_t count = 2000;  // random vectors after the corner cases
  uint64_t seed = 1;
  std::string cacheDir;   // empty: defaultCacheDir(); builds are keyed by a hash of everything they are made of
  // What the bench compiles against: -I directories (the numforge source and generated headers) and the link
  // line of the model library (nf_generators, nf_refmodels, fmt); the caller knows where its build put them.
  std::vector<std::string> includeDirs;
  std::vector<std::string> libraries;
  // Non-empty: this text stands in for <module>_sc.h (a test plants a difference here).
  std::string modelHeader;
  int jobs = 1;
};

struct ScBenchReport {
  uint64_t cycles = 0, compared = 0, mismatches = 0;
  std::string firstMismatch;  // the cycle, the inputs, the port, RTL and model values
  double buildSeconds = 0;
  bool buildCached = false;
};

// Throws SimError when a build fails, UsageError for units the bench does not cover (ports over 512 bits, or
// what systemcHeader refuses).
ScBenchReport runSystemcBench(const Unit& unit, const ScBenchOptions& opt);

// The bench's sc_main (exposed for tests).
std::string systemcBenchMain(const Unit& unit);

}  // namespace nf::verif
