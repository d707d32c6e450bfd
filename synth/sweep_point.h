// One sweep point, start to finish: generate -> verify (a mismatch fails the point) -> ppa (area, ABC delay,
// OpenSTA sign-off) -> energy per workload (synth/energy) -> accuracy, with each stage's wall time, recorded as JSON in
// the point's directory together with its Verilog, manifest and logs.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "synth/sweep_config.h"

namespace nf::sweep {

// Versions of every tool a figure depends on, read once per sweep; part of every point's cache key.
struct ToolVersions {
  std::string numforge, yosys, abc, verilator, opensta;
  nlohmann::json toJson() const;
  std::string key() const;  // all of them, in one line
};
ToolVersions readToolVersions();

// The point's content hash (hex): its operator, canonical arguments, clock, verification, accuracy settings,
// seed and the tool versions. Equal hashes mean equal results, so a cached result is reused.
std::string pointId(const SweepPoint& p, const ToolVersions& tools);

// The exact commands that reproduce the point's figures (numforge gen / verify / ppa / accuracy).
nlohmann::json reproducingCommands(const SweepPoint& p);

struct PointRunOptions {
  int threads = 1;  // co-simulation and accuracy threads of this point
};

// Runs every stage of p in dir (created), writing its files there, and returns the result record
// ("status": "ok" or "failed" with "failed_stage" and "message"). Never throws for a failing stage.
nlohmann::json runPoint(const SweepPoint& p, const std::string& id, const ToolVersions& tools,
                        const std::filesystem::path& dir, const PointRunOptions& opt);

// The record of a point that never reported (killed on --point-timeout, crashed): same shape, failed.
nlohmann::json failedRecord(const SweepPoint& p, const std::string& id, const ToolVersions& tools,
                            const std::string& stage, const std::string& message);

// Writes text to path through a temporary name and a rename, so readers never see a partial file.
void writeAtomically(const std::filesystem::path& path, const std::string& text);

}  // namespace nf::sweep
