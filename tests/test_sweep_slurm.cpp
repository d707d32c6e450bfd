// The Slurm backend against real daemons: scripts/slurm-local.sh starts munged, slurmctld and slurmd under a
// temporary directory; a small sweep is submitted as a job array of shards, waited for and collected, and its
// merged results must equal a local run of the same config. If the daemons cannot start, the test is reported
// skipped with their reason (never passed).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/test_sweep_common.h"

namespace nf {
namespace {

namespace fs = std::filesystem;

constexpr const char* kConfig = R"([sweep]
name = "slurm"
[slurm]
shards = 2
time = "00:20:00"
[[operator]]
name = "fmul"
params.a = ["e2m1", "e3m2"]
params.round = ["rne", "rtz"]
verify = { count = 2000 }
accuracy = { samples = 2048 }
)";

const std::string kScript = NF_SOURCE_DIR "/scripts/slurm-local.sh";

class SweepSlurm : public test::SweepScratch {
 protected:
  void SetUp() override {
    SweepScratch::SetUp();
    cluster_ = dir_ / "cluster";
    std::string out;
    const int rc = test::runCommand(fmt::format("{} start {}", kScript, cluster_.string()), out);
    if (rc != 0) GTEST_SKIP() << "single-node Slurm could not start (exit " << rc << "): " << out;
    started_ = true;
    env_ = fmt::format("SLURM_CONF={}/slurm.conf ", cluster_.string());
  }
  void TearDown() override {
    if (started_) {
      std::string out;
      test::runCommand(fmt::format("{} stop {}", kScript, cluster_.string()), out);
    }
    SweepScratch::TearDown();
  }
  int slurmNumforge(const std::string& args, std::string& out) const {
    return test::runCommand(env_ + test::kSweepEnv + test::kNumforgeExe + " " + args, out);
  }
  fs::path cluster_;
  std::string env_;
  bool started_ = false;
};

// The figures a run produces (not its timings), by point id.
std::map<std::string, nlohmann::json> figuresOf(const nlohmann::json& results) {
  std::map<std::string, nlohmann::json> m;
  for (const nlohmann::json& p : results["points"]) {
    nlohmann::json f = p["figures"];
    f["status"] = p["status"];
    f["accuracy"] = p.value("accuracy", nlohmann::json());
    m[p["id"]] = f;
  }
  return m;
}

TEST_F(SweepSlurm, ShardsOnRealDaemonsCollectToTheLocalResults) {
  const fs::path cfg = write("sweep.toml", kConfig), viaSlurm = dir_ / "slurm-out", local = dir_ / "local-out";
  std::string log;
  ASSERT_EQ(slurmNumforge(fmt::format("sweep {} -o {} --backend slurm --dry-run", cfg.string(), viaSlurm.string()), log), 0) << log;
  const std::string script = read(viaSlurm / "slurm" / "sweep.sbatch");
  EXPECT_NE(script.find("#SBATCH --array=0-1\n"), std::string::npos) << script;
  EXPECT_NE(script.find("--shard \"$SLURM_ARRAY_TASK_ID/2\""), std::string::npos) << script;

  ASSERT_EQ(slurmNumforge(fmt::format("sweep {} -o {} --backend slurm --wait --jobs 1", cfg.string(), viaSlurm.string()), log), 0)
      << log << read(viaSlurm / "slurm" / "shard-0.log") << read(viaSlurm / "slurm" / "shard-1.log");
  EXPECT_NE(log.find("submitted job array"), std::string::npos) << log;
  // Each shard ran its own half of the points.
  for (int i = 0; i < 2; ++i)
    EXPECT_NE(read(viaSlurm / "slurm" / fmt::format("shard-{}.log", i)).find(fmt::format("2 points in shard {}/2", i)),
              std::string::npos) << i;
  ASSERT_EQ(numforge(fmt::format("sweep collect {}", viaSlurm.string()), log), 0) << log;
  ASSERT_EQ(numforge(fmt::format("sweep {} -o {} --quiet", cfg.string(), local.string()), log), 0) << log;

  const auto merged = figuresOf(readJson(viaSlurm / "results.json")), alone = figuresOf(readJson(local / "results.json"));
  ASSERT_EQ(merged.size(), 4u);
  ASSERT_EQ(alone.size(), 4u);
  for (const auto& [id, f] : alone) {
    ASSERT_TRUE(merged.count(id)) << id;
    EXPECT_EQ(merged.at(id), f) << id;
  }
  for (const char* file : {"results.csv", "pareto.svg", "roofline.svg", "index.html"}) EXPECT_TRUE(fs::exists(viaSlurm / file));
}

}  // namespace
}  // namespace nf
