// A design-space sweep as configured in TOML (toml++): per operator the values each option takes, the exclude
// rules, verification and accuracy settings, and the report's roofline and Slurm settings. Everything is checked
// here, before any work starts: unknown keys, wrong types, unknown operators, an option value the operator's own
// factory refuses, and an empty product fail with a UsageError naming the file, line and key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace nf::sweep {

struct VerifySettings {
  bool exhaustive = false;
  uint64_t count = 100000;  // random vectors after the corner cases (when not exhaustive)
};

struct AccuracySettings {
  std::vector<std::string> dists = {"normal"};  // refmodels/distributions names
  uint64_t samples = 65536;                     // quantizers: values per distribution; others: vectors
};

// Energy per operation (synth/energy, what `ppa --power` measures) on each workload (verif::workloadChoices()),
// simulated for `vectors` vectors with the fixed seed 1 of `ppa --power`. No workloads: no energy stage.
struct EnergySettings {
  std::vector<std::string> workloads = {"uniform"};
  uint64_t vectors = 20000;
};

// One point of the product: an operator and its option words, exactly as the CLI spells them.
struct SweepPoint {
  size_t index = 0;  // position in the product (shards take index % n == i)
  std::string op;
  std::vector<std::pair<std::string, std::string>> params;  // option name (no "--") -> value, key order
  std::vector<std::string> args;                            // the operator's option words: --a e4m3 --round rne
  double clockPs = 0;                                       // "clock-ps" parameter; 0: the worst path
  VerifySettings verify;
  AccuracySettings accuracy;
  EnergySettings energy;
  uint64_t seed = 1;
  std::string module;     // the unit's module name (filled by validation)
  std::string canonical;  // the unit's canonical arguments, joined (what the cache hash covers)
};

// The roofline's machine: how many units fit, how fast they run, how fast memory feeds them.
struct RooflineSettings {
  double areaBudgetMm2 = 1.0;
  double clockGHz = 1.0;
  double bandwidthGBs = 100.0;
  double opsPerElement = 64;        // the workload marker: operations per element loaded (a GEMM's 2K)
  double tensorElements = 1 << 20;  // NVFP4's per-tensor fp32 scale is amortised over this many elements
};

struct SlurmSettings {
  int shards = 4;
  std::string partition, account, time = "00:30:00";
  std::vector<std::string> extra;  // more sbatch flags, verbatim
};

struct SweepConfig {
  std::string path;  // the file it came from
  std::string name;
  std::vector<SweepPoint> points;
  RooflineSettings roofline;
  SlurmSettings slurm;
  nlohmann::json canonical;  // the parsed config as JSON: what "the same config" means for an OUT directory
};

// Parses and validates path; throws UsageError("<path>:<line>: <key>: ...") on any problem.
SweepConfig loadSweepConfig(const std::string& path);

}  // namespace nf::sweep
