// The sweep's config, point list, cache key and report, without running any tool: bad configs are refused
// naming file, line and key; the product minus the exclusions is the list a test restates by hand; the Pareto
// fronts and roofline bytes are hand-worked; the CSV quotes what needs quoting.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "generators/unit.h"

#include "synth/sweep_config.h"
#include "synth/sweep_point.h"
#include "synth/sweep_report.h"
#include "tests/test_sweep_common.h"

namespace nf {
namespace {

namespace fs = std::filesystem;
using test::SweepScratch;

class SweepConfigTest : public SweepScratch {};

struct BadConfig {
  const char* what;
  std::string toml;
  std::vector<std::string> needles;  // all must appear in the message
};

TEST_F(SweepConfigTest, BadConfigsAreRefusedNamingFileLineAndKey) {
  const char* good = "[[operator]]\nname = \"fmul\"\nparams.a = [\"e4m3\"]\n";
  const std::vector<BadConfig> cases = {
      {"unknown top-level key", "colour = 1\n[[operator]]\nname = \"fmul\"\n", {":1:", "colour", "unknown key", "operator"}},
      {"unknown operator key", "[[operator]]\nname = \"fmul\"\nverfy = { count = 1 }\n", {":3:", "operator[0].verfy", "unknown key"}},
      {"unknown operator", "[[operator]]\nname = \"fmull\"\n", {":2:", "operator[0].name", "unknown operator 'fmull'", "fmul"}},
      {"unknown format", "[[operator]]\nname = \"fmul\"\nparams.round = [\"rne\"]\nparams.a = [\"e4m3\", \"e9m9\"]\n",
       {":4:", "operator[0].params.a", "e9m9"}},
      {"unknown rounding", "[[operator]]\nname = \"fmul\"\nparams.a = [\"e4m3\"]\nparams.round = [\"rnx\"]\n",
       {":4:", "operator[0].params.round", "rnx"}},
      {"unknown option", "[[operator]]\nname = \"fmul\"\nparams.a = [\"e4m3\"]\nparams.colour = [\"red\"]\n",
       {":4:", "operator[0].params.colour"}},
      {"wrong type", "[[operator]]\nname = \"fmul\"\nparams.a = [\"e4m3\"]\nverify = { count = \"many\" }\n",
       {":4:", "operator[0].verify.count", "integer"}},
      {"wrong type in roofline", std::string(good) + "[roofline]\nclock_ghz = \"fast\"\n",
       {":5:", "roofline.clock_ghz", "positive number"}},
      {"empty values", "[[operator]]\nname = \"fmul\"\nparams.a = []\n", {":3:", "operator[0].params.a", "empty"}},
      {"everything excluded", "[[operator]]\nname = \"fmul\"\nparams.a = [\"e4m3\"]\nexclude = [{ a = \"e4m3\" }]\n",
       {":1:", "operator[0]", "empty"}},
      {"exclude on no param", "[[operator]]\nname = \"fmul\"\nparams.a = [\"e4m3\"]\nexclude = [{ b = \"e4m3\" }]\n",
       {":4:", "operator[0].exclude.b"}},
      {"no operator", "[sweep]\nname = \"x\"\n", {"operator", "missing"}},
      {"unknown distribution", std::string(good) + "accuracy = { dists = [\"cauchy\"] }\n",
       {":4:", "operator[0].accuracy.dists", "cauchy", "normal"}},
      {"unknown workload", std::string(good) + "energy = { workloads = [\"gauss\"] }\n",
       {":4:", "operator[0].energy.workloads", "gauss", "uniform"}},
      {"workload twice", std::string(good) + "energy = { workloads = [\"normal\", \"normal\"] }\n",
       {":4:", "operator[0].energy.workloads", "twice"}},
      {"unknown energy key", std::string(good) + "energy = { vector = 5 }\n", {":4:", "operator[0].energy.vector", "unknown key"}},
      {"energy vectors type", std::string(good) + "energy = { vectors = 1.5 }\n", {":4:", "operator[0].energy.vectors", "integer"}},
      {"bad clock", std::string(good) + "params.clock-ps = [-5]\n", {":4:", "clock-ps", "positive"}},
      {"exhaustive too wide", "[[operator]]\nname = \"fmul\"\nparams.a = [\"fp32\"]\nverify = { exhaustive = true }\n",
       {"operator[0].verify.exhaustive", "64 input bits"}},
      {"TOML syntax", "[[operator]\nname = \"fmul\"\n", {"cfg.toml:1:"}},
  };
  for (const BadConfig& c : cases) {
    const fs::path p = write("cfg.toml", c.toml);
    try {
      sweep::loadSweepConfig(p.string());
      ADD_FAILURE() << c.what << ": accepted";
    } catch (const UsageError& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.rfind(p.string(), 0), 0u) << c.what << ": " << msg;
      for (const std::string& n : c.needles) EXPECT_NE(msg.find(n), std::string::npos) << c.what << ": '" << n << "' not in: " << msg;
    }
  }
}

TEST_F(SweepConfigTest, BadConfigExitsTwoBeforeAnyWork) {
  const fs::path p = write("cfg.toml", "[[operator]]\nname = \"fmul\"\nparams.a = [\"e4m3\", \"e9m9\"]\n");
  std::string out;
  EXPECT_EQ(numforge(fmt::format("sweep {} -o {}", p.string(), (dir_ / "out").string()), out), 2) << out;
  EXPECT_NE(out.find("cfg.toml:3: operator[0].params.a"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(dir_ / "out")) << "no output for a bad config";
}

TEST_F(SweepConfigTest, PointsAreTheProductMinusTheExclusions) {
  const fs::path p = write("cfg.toml", R"(
[sweep]
seed = 7
[[operator]]
name = "fmul"
params.a = ["e4m3", "e2m1"]
params.round = ["rne", "rtz", "rup"]
params.saturate = [false, true]
exclude = [{ a = "e2m1", round = ["rtz", "rup"] }, { saturate = true, round = "rup" }]
[[operator]]
name = "fdot"
params.n = [4]
params.a = ["e4m3"]
params.out = ["fp32"]
params.accum = ["exact", "align"]
params.align-bits = ["", 13]
exclude = [{ accum = "exact", align-bits = 13 }, { accum = "align", align-bits = "" }]
)");
  const sweep::SweepConfig cfg = sweep::loadSweepConfig(p.string());
  // Restated by hand: 2 x 3 x 2 = 12 fmul points, minus e2m1 with rtz/rup (4), minus saturate+rup for e4m3
  // (1 more; e2m1's is gone already) = 7; fdot: 2 x 2 minus 2 = 2. Parameters vary in key order (TOML tables
  // are maps), the last fastest.
  const std::vector<std::string> expected = {
      "fmul --a e4m3 --round rne",        "fmul --a e4m3 --round rne --saturate", "fmul --a e4m3 --round rtz",
      "fmul --a e4m3 --round rtz --saturate", "fmul --a e4m3 --round rup",       "fmul --a e2m1 --round rne",
      "fmul --a e2m1 --round rne --saturate", "fdot --a e4m3 --accum exact --n 4 --out fp32",
      "fdot --a e4m3 --accum align --align-bits 13 --n 4 --out fp32"};
  ASSERT_EQ(cfg.points.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    std::string got = cfg.points[i].op;
    for (const std::string& a : cfg.points[i].args) got += " " + a;
    EXPECT_EQ(got, expected[i]) << i;
    EXPECT_EQ(cfg.points[i].index, i);
    EXPECT_EQ(cfg.points[i].seed, 7u);
    EXPECT_FALSE(cfg.points[i].module.empty());
  }
}

TEST_F(SweepConfigTest, CacheKeyCoversParametersSettingsAndToolVersions) {
  const fs::path p = write("cfg.toml", "[[operator]]\nname = \"fmul\"\nparams.a = [\"e4m3\", \"e5m2\"]\n"
                                       "params.clock-ps = [500, 600]\n");
  const sweep::SweepConfig cfg = sweep::loadSweepConfig(p.string());
  ASSERT_EQ(cfg.points.size(), 4u);
  EXPECT_EQ(cfg.points[1].clockPs, 600);
  EXPECT_TRUE(std::find(cfg.points[1].args.begin(), cfg.points[1].args.end(), "--clock-ps") == cfg.points[1].args.end());
  sweep::ToolVersions t{"numforge 1", "Yosys 1", "ABC 1", "Verilator 1", "2.0"};
  std::set<std::string> ids;
  for (const sweep::SweepPoint& pt : cfg.points) ids.insert(sweep::pointId(pt, t));
  EXPECT_EQ(ids.size(), 4u) << "format and clock are in the key";
  sweep::SweepPoint q = cfg.points[0];
  const std::string base = sweep::pointId(q, t);
  EXPECT_EQ(sweep::pointId(q, t), base) << "deterministic";
  auto differs = [&](auto change) {
    sweep::SweepPoint r = q;
    sweep::ToolVersions u = t;
    change(r, u);
    return sweep::pointId(r, u) != base;
  };
  EXPECT_TRUE(differs([](auto& r, auto&) { r.verify.count += 1; }));
  EXPECT_TRUE(differs([](auto& r, auto&) { r.seed += 1; }));
  EXPECT_TRUE(differs([](auto& r, auto&) { r.accuracy.samples += 1; }));
  EXPECT_TRUE(differs([](auto& r, auto&) { r.energy.vectors += 1; }));
  EXPECT_TRUE(differs([](auto& r, auto&) { r.energy.workloads.push_back("normal"); }));
  EXPECT_TRUE(differs([](auto&, auto& u) { u.yosys = "Yosys 2"; }));
  EXPECT_TRUE(differs([](auto&, auto& u) { u.opensta = "2.1"; }));
  EXPECT_TRUE(differs([](auto&, auto& u) { u.verilator = "Verilator 2"; }));
}

nlohmann::json record(size_t index, double delay, double area, std::optional<double> acc) {
  nlohmann::json r = {{"index", index},   {"id", fmt::format("id{}", index)}, {"operator", "fmul"},
                      {"module", fmt::format("m{}", index)}, {"status", "ok"}, {"params", {{"a", "e4m3"}}}};
  r["figures"] = {{"sta_delay_ps", delay}, {"area_um2", area}, {"energy_pj", nullptr}};
  if (acc) r["figures"]["accuracy_bits"] = *acc;
  return r;
}

std::set<std::string> frontRows(const std::string& svg, const std::string& panelTitle) {
  // The panel's circles follow its title up to the next panel.
  const size_t from = svg.find(">" + panelTitle + "<"), to = svg.find("<g class=\"panel\">", from);
  const std::string part = svg.substr(from, to == std::string::npos ? std::string::npos : to - from);
  std::set<std::string> rows;
  const std::regex re("class=\"pt front\" data-row=\"([0-9]+)\"");
  for (auto it = std::sregex_iterator(part.begin(), part.end(), re); it != std::sregex_iterator(); ++it)
    rows.insert((*it)[1]);
  return rows;
}

TEST(SweepReport, ParetoFrontsAreTheUndominatedPoints) {
  // (delay, area, accuracy bits), worked by hand: area vs delay, both smaller is better: row 2 (3, 6) is beaten
  // by row 1 (2, 5); rows 0, 1, 3 form the front. Area vs accuracy (smaller area, more bits): row 3 (area 1,
  // 2 bits) and row 1 (area 5, 6 bits) and row 2 (area 6, 7 bits); row 0 (area 10, 3 bits) is beaten.
  const std::vector<nlohmann::json> recs = {record(0, 1, 10, 3), record(1, 2, 5, 6), record(2, 3, 6, 7),
                                            record(3, 4, 1, 2)};
  const std::string svg = sweep::paretoSvg(recs);
  EXPECT_EQ(frontRows(svg, "area vs delay"), (std::set<std::string>{"0", "1", "3"}));
  EXPECT_EQ(frontRows(svg, "area vs accuracy"), (std::set<std::string>{"1", "2", "3"}));
  EXPECT_NE(svg.find("no point has an energy figure"), std::string::npos) << "no energy in these records";
  EXPECT_NE(svg.find("<title>fmul a=e4m3 (m2)"), std::string::npos) << "hover labels";
}

TEST(SweepReport, RooflineBytesIncludeBlockScales) {
  sweep::RooflineSettings r;
  r.tensorElements = 1 << 20;
  nlohmann::json mx = {{"figures", {{"element_bits", 8}, {"scale_bits_per_element", 8.0 / 32}, {"tensor_scale_bits", 0}}}};
  nlohmann::json nv = {{"figures", {{"element_bits", 4}, {"scale_bits_per_element", 8.0 / 16}, {"tensor_scale_bits", 32}}}};
  EXPECT_DOUBLE_EQ(sweep::bytesPerElement(r, mx), (8 + 0.25) / 8);                       // MX: 8 bits per K = 32
  EXPECT_DOUBLE_EQ(sweep::bytesPerElement(r, nv), (4 + 0.5 + 32.0 / (1 << 20)) / 8);     // NVFP4: + tensor scale
  // Peak: floor(1 mm^2 / 1000 um^2) = 1000 units x 2 ops x min(1 GHz, 800 MHz).
  nlohmann::json u = {{"figures", {{"area_um2", 1000}, {"ops_per_cycle", 2}, {"fmax_mhz", 800}}}};
  EXPECT_DOUBLE_EQ(sweep::peakOpsPerSecond(r, u), 1000 * 2 * 800e6);
}

TEST(SweepReport, CsvQuotesWhatNeedsQuotingAndHasEveryColumn) {
  nlohmann::json r = record(0, 1, 2, std::nullopt);
  r["status"] = "failed";
  r["message"] = "mismatch, \"z\"\nsecond line";
  r["tools"] = {{"numforge", "numforge 0.1"}, {"yosys", "Yosys 0.23"}, {"abc", "ABC"}, {"verilator", "V"}, {"opensta", "2"}};
  const sweep::Table t = sweep::flatten({r});
  for (const char* c : {"a", "area_um2", "sta_delay_ps", "energy_pj", "accuracy_bits", "yosys_version",
                        "opensta_version", "cmd_ppa", "seconds_synthesize", "message"})
    EXPECT_GE(t.column(c), 0) << c;
  const std::string csv = sweep::resultsCsv(t);
  EXPECT_NE(csv.find("\"mismatch, \"\"z\"\"\nsecond line\""), std::string::npos) << csv;
  EXPECT_EQ(t.rows[0][size_t(t.column("energy_pj"))], "") << "no energy: an empty cell";
  // Each workload's energy gets its own column, in first-seen order.
  r["energy"] = {{"uniform", {{"pj_per_op", 0.5}}}, {"zeros", {{"pj_per_op", 0.25}}}};
  const sweep::Table e = sweep::flatten({r});
  ASSERT_GE(e.column("energy_uniform_pj"), 0);
  ASSERT_GE(e.column("energy_zeros_pj"), 0);
  EXPECT_EQ(e.rows[0][size_t(e.column("energy_uniform_pj"))], "0.5");
  EXPECT_EQ(e.rows[0][size_t(e.column("energy_zeros_pj"))], "0.25");
}

}  // namespace
}  // namespace nf

namespace nf {
namespace {

// The example configs the docs and README use stay valid: every point builds through its operator's factory.
TEST(SweepExamples, EveryExampleConfigLoads) {
  const std::map<std::string, size_t> points = {
      {"fmul_formats.toml", 35}, {"fmul_bench.toml", 20}, {"accumulation.toml", 10}, {"quantizers.toml", 7}};
  for (const auto& [name, n] : points) {
    const std::string path = std::string(NF_SOURCE_DIR) + "/synth/sweeps/" + name;
    try {
      EXPECT_EQ(sweep::loadSweepConfig(path).points.size(), n) << name;
    } catch (const UsageError& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

}  // namespace
}  // namespace nf
