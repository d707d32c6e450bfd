// Builds a unit into a Verilated shared object: many copies ("lanes") of the unit in one top, driven
// through a tiny C ABI, so one eval() serves a whole batch. Builds are cached by a content hash.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "generators/unit.h"

namespace nf::verif {

struct SimError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One Verilated model instance; create one per thread.
class SimInstance {
 public:
  virtual ~SimInstance() = default;
  // Runs n vectors (in: n * inputWords words, out: n * outputWords words). Pipelined units are streamed with
  // bubbles and checked for valid_out; returns false (and sets *error) when valid_out misbehaves.
  virtual bool run(const uint32_t* in, uint32_t* out, uint64_t n, std::string* error) = 0;
};

class SimLibrary {
 public:
  virtual ~SimLibrary() = default;
  virtual std::unique_ptr<SimInstance> create() = 0;
  virtual const std::string& path() const = 0;
  virtual bool fromCache() const = 0;
};

struct BuildOptions {
  std::string cacheDir;  // empty: $NUMFORGE_CACHE, else $XDG_CACHE_HOME/numforge, else ~/.cache/numforge
  // Copies of the unit per eval, at most (units with many port bits get fewer, see buildSim). Verilator
  // emits every lane as straight-line code in one function, so lanes trade eval overhead against the
  // instruction cache: the bf16 multiplier's Verilated lanes alone ran about 2x faster at 4 lanes than at 32,
  // its whole exhaustive co-simulation 1.4-1.5x (bench_fmul --lanes-sweep prints the figures).
  int lanes = 4;
  int jobs = 2;
  bool quickBuild = false;  // -O1 instead of -O3 -march=native: for runs of a few hundred thousand vectors
  bool quiet = true;
  // Non-empty: simulate this Verilog (a mapped netlist whose top is the unit's module name, with its cell
  // models) in place of the unit's RTL, through the same lanes top and glue.
  std::string netlistVerilog;
};

// Generates, verilates, compiles and loads the unit. Throws SimError with Verilator's output on failure.
std::unique_ptr<SimLibrary> buildSim(const Unit& unit, const BuildOptions& opt = {});

// Text of the lanes wrapper and the C ABI glue (exposed for tests).
std::string lanesVerilog(const Unit& unit, const std::string& unitModule, int lanes);
std::string glueCpp(const Unit& unit, int lanes);
std::string defaultCacheDir();
// Runs a shell command, capturing stdout+stderr; returns its exit status (-1 when it did not exit).
int runCapture(const std::string& cmd, std::string& output);
// `verilator --version`, empty when Verilator is absent (asked once per process).
const std::string& verilatorVersion();
uint64_t fnv1a64(const std::string& s, uint64_t h = 1469598103934665603ull);

}  // namespace nf::verif
