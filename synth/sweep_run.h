// Runs a sweep's points into OUT: each point in a child process of its own (so a hung tool can be killed on
// --point-timeout and a crash fails one point only), --jobs at a time, cached under OUT/points/<content hash>/
// (result.json is written last and atomically, so an interrupted run, even kill -9, redoes only unfinished
// points), progress on stderr. OUT layout:
//   OUT/sweep.json            the canonical config (which OUT holds which config), tool versions
//   OUT/config.toml           a copy of the config (what `sweep collect OUT` and Slurm tasks read)
//   OUT/points/<id>/          result.json, <module>.v, <module>.json (manifest), yosys.log, sta.log, netlist.v
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "synth/sweep_config.h"
#include "synth/sweep_point.h"

namespace nf::sweep {

struct RunOptions {
  std::filesystem::path out;
  int jobs = 0;               // 0: the machine's cores
  double pointTimeoutS = 0;   // 0: none
  bool retryFailed = false;   // rerun points whose cached result failed
  int shardIndex = 0, shardCount = 1;  // this run takes the points with index % shardCount == shardIndex
  bool progress = true;
};

struct RunSummary {
  size_t total = 0, cached = 0, ran = 0, failed = 0;
  double seconds = 0;
  nlohmann::json stageSeconds = nlohmann::json::object();  // summed over the points this run executed
};

// Makes OUT hold this config: refuses (UsageError naming -o and --force) an OUT with another config's results
// unless force, in which case those results are removed first; writes sweep.json and config.toml.
void prepareOut(const SweepConfig& cfg, const std::filesystem::path& out, bool force, const ToolVersions& tools);

RunSummary runSweep(const SweepConfig& cfg, const ToolVersions& tools, const RunOptions& opt);

// Every point's result record in config order; a point without one gets status "missing".
std::vector<nlohmann::json> readResults(const SweepConfig& cfg, const ToolVersions& tools,
                                        const std::filesystem::path& out);

}  // namespace nf::sweep
