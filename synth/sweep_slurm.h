// The Slurm backend: an sbatch job-array script with one array task per shard, each task running
// `numforge sweep OUT/config.toml --shard i/n -o OUT` on the shared filesystem; `numforge sweep collect OUT`
// merges the shards' points into the report afterwards.
#pragma once

#include <filesystem>
#include <string>

#include "synth/sweep_config.h"

namespace nf::sweep {

struct SlurmJob {
  std::string numforge;  // absolute path of the numforge executable the tasks run
  std::filesystem::path out;
  SlurmSettings settings;  // the config's [slurm], with the command line's overrides applied
  int jobsPerTask = 0;     // --jobs of each task (0: its cores, i.e. SLURM_CPUS_ON_NODE)
  double pointTimeoutS = 0;
};

// The script text (deterministic for a given job).
std::string sbatchScript(const SlurmJob& job);
// Writes OUT/slurm/sweep.sbatch (atomically) and returns its path.
std::filesystem::path writeSbatchScript(const SlurmJob& job);
// Runs `sbatch --parsable [--wait] script`; returns the job id. Throws std::runtime_error with sbatch's output.
std::string submitSbatch(const std::filesystem::path& script, bool wait);

}  // namespace nf::sweep
