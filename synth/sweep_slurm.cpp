#include "synth/sweep_slurm.h"

#include <fmt/format.h>

#include "synth/sweep_point.h"
#include "synth/tool_run.h"

namespace fs = std::filesystem;

namespace nf::sweep {
namespace {

// Single quotes for the shell: the paths and flags are the user's, so nothing in them may be interpreted.
std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

std::string sbatchScript(const SlurmJob& job) {
  const SlurmSettings& s = job.settings;
  const fs::path out = fs::absolute(job.out).lexically_normal();
  std::string t = "#!/bin/bash\n# numforge sweep: one array task per shard; `numforge sweep collect OUT` merges them.\n";
  t += fmt::format("#SBATCH --job-name=numforge-sweep\n#SBATCH --array=0-{}\n", s.shards - 1);
  t += fmt::format("#SBATCH --output={}/slurm/shard-%a.log\n", out.string());
  t += fmt::format("#SBATCH --time={}\n", s.time);
  if (!s.partition.empty()) t += fmt::format("#SBATCH --partition={}\n", s.partition);
  if (!s.account.empty()) t += fmt::format("#SBATCH --account={}\n", s.account);
  for (const std::string& x : s.extra) t += fmt::format("#SBATCH {}\n", x);
  t += "set -euo pipefail\n";
  t += fmt::format("exec {} sweep {} -o {} --shard \"$SLURM_ARRAY_TASK_ID/{}\" --jobs {}{}\n", quoted(job.numforge),
                   quoted((out / "config.toml").string()), quoted(out.string()), s.shards,
                   job.jobsPerTask > 0 ? std::to_string(job.jobsPerTask) : std::string("\"${SLURM_CPUS_ON_NODE:-0}\""),
                   job.pointTimeoutS > 0 ? fmt::format(" --point-timeout {}", job.pointTimeoutS) : "");
  return t;
}

fs::path writeSbatchScript(const SlurmJob& job) {
  const fs::path dir = job.out / "slurm";
  fs::create_directories(dir);
  const fs::path script = dir / "sweep.sbatch";
  writeAtomically(script, sbatchScript(job));
  fs::permissions(script, fs::perms::owner_exec, fs::perm_options::add);
  return script;
}

std::string submitSbatch(const fs::path& script, bool wait) {
  std::vector<std::string> args = {"--parsable"};
  if (wait) args.push_back("--wait");
  args.push_back(fs::absolute(script).string());
  const fs::path log = script.parent_path() / "sbatch.out";
  const synth::tools::ExitStatus st =
      synth::tools::spawnAndWait({"sbatch", "sbatch", "install the Debian package slurm-client (slurm-wlm)"}, args,
                                 script.parent_path(), fs::absolute(log).string());
  const std::string text = synth::tools::readFile(log).value_or("");
  std::string id;
  for (std::string_view line : synth::tools::splitLines(text)) {
    line = synth::tools::trim(line);
    if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0]))) id = std::string(line.substr(0, line.find(';')));
  }
  // With --wait, sbatch fails when a task did (a failed point); collect then reports which.
  if (id.empty() || (!wait && (!st.exited || st.code != 0)))
    throw std::runtime_error(fmt::format("sbatch {} ({}):\n{}", script.string(), st.describe(), synth::tools::tail(text, 20)));
  return id;
}

}  // namespace nf::sweep
