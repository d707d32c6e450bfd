// numforge sweep with the real tools on tiny configs: the figures, the cache (a rerun redoes nothing, a kill -9
// redoes only what had not finished, and no process of the sweep survives it), --point-timeout, an OUT holding
// another config, and the report checked in headless Chromium (no console errors, sorting reorders the rows,
// the screenshot is not blank).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <regex>
#include <thread>

#include "tests/test_sweep_common.h"

namespace nf {
namespace {

namespace fs = std::filesystem;
using test::SweepScratch;

// Two small multipliers of clearly different size, so sorting by area has an order to find.
constexpr const char* kTiny = R"([sweep]
name = "tiny"
[[operator]]
name = "fmul"
params.a = ["e2m1", "e3m2"]
params.round = ["rne"]
verify = { count = 2000 }
accuracy = { samples = 2048 }
energy = { workloads = ["uniform", "normal"], vectors = 2000 }
)";

// Processes whose environment holds `marker`: the sweep and everything it started.
std::vector<int> processesWith(const std::string& marker) {
  std::vector<int> pids;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos || std::stoi(name) == ::getpid()) continue;
    const std::string env = test::readText(e.path() / "environ");
    if (env.find(marker) != std::string::npos) pids.push_back(std::stoi(name));
  }
  return pids;
}

bool noneLeftWithin(const std::string& marker, double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!processesWith(marker).empty()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

std::string chromium(const std::string& args, const fs::path& profile) {
  std::string out;
  test::runCommand(fmt::format("timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic "
                               "--no-first-run --disable-background-networking --disable-component-update "
                               "--disable-sync --user-data-dir={} --enable-logging=stderr --v=0 {}",
                               profile.string(), args),
                   out);
  return out;
}

// Pixels that differ from the page background (white) in an RGB(A) PNG: decoded with python3's zlib, the
// five PNG row filters undone.
long nonWhitePixels(const fs::path& png) {
  const std::string script = R"PY(
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read(); assert d[:8] == b'\x89PNG\r\n\x1a\n'
i, idat = 8, b''
while i < len(d):
    n, t = struct.unpack('>I4s', d[i:i+8]); c = d[i+8:i+8+n]; i += 12 + n
    if t == b'IHDR': w, h, bits, ct = struct.unpack('>IIBB', c[:10])
    if t == b'IDAT': idat += c
assert bits == 8 and ct in (2, 6)
bpp = 3 if ct == 2 else 4; raw = zlib.decompress(idat); stride = w * bpp
prev = bytearray(stride); count = 0; p = 0
for y in range(h):
    f = raw[p]; line = bytearray(raw[p+1:p+1+stride]); p += 1 + stride
    for x in range(stride):
        a = line[x-bpp] if x >= bpp else 0; b = prev[x]; cc = prev[x-bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            pa, pb, pc = abs(b - cc), abs(a - cc), abs(a + b - 2 * cc)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else cc)) & 255
    count += sum(1 for x in range(0, stride, bpp) if line[x:x+3] != b'\xff\xff\xff')
    prev = line
print(count)
)PY";
  const fs::path py = png.parent_path() / "count.py";
  std::ofstream(py) << script;
  std::string out;
  if (test::runCommand("python3 " + py.string() + " " + png.string(), out) != 0) return -1;
  return std::stol(out);
}

class SweepRun : public SweepScratch {};

TEST_F(SweepRun, FiguresCacheAndReportInABrowser) {
  const fs::path cfg = write("tiny.toml", kTiny), out = dir_ / "out";
  std::string log;
  ASSERT_EQ(numforge(fmt::format("sweep {} -o {} --jobs 2", cfg.string(), out.string()), log), 0) << log;
  EXPECT_NE(log.find("sweep: 2/2 done (0 cached), 0 failed"), std::string::npos) << "progress on stderr:\n" << log;
  const nlohmann::json results = readJson(out / "results.json");
  ASSERT_EQ(results["points"].size(), 2u);
  for (const char* tool : {"numforge", "yosys", "abc", "verilator", "opensta"}) {
    const std::string v = results["tools"][tool];
    EXPECT_FALSE(v.empty() || v == "unknown") << tool;
  }
  for (const nlohmann::json& p : results["points"]) {
    ASSERT_EQ(p["status"], "ok") << p.dump(2);
    const nlohmann::json& f = p["figures"];
    EXPECT_GT(f["area_um2"].get<double>(), 0);
    EXPECT_GT(f["fmax_mhz"].get<double>(), 0);
    EXPECT_GE(f["verify_vectors"].get<uint64_t>(), 2000u);
    ASSERT_TRUE(f["energy_pj"].is_number()) << p.dump(2);
    EXPECT_GT(f["energy_pj"].get<double>(), 0);
    for (const char* w : {"uniform", "normal"}) EXPECT_GT(p["energy"][w]["pj_per_op"].get<double>(), 0) << w;
    EXPECT_EQ(f["energy_pj"], p["energy"]["uniform"]["pj_per_op"]) << "the plots' energy: the first workload";
    EXPECT_TRUE(f["accuracy_bits"].is_number());
    for (const char* file : {"result.json", "netlist.v", "yosys.log", "sta.log"})
      EXPECT_TRUE(fs::exists(out / "points" / p["id"].get<std::string>() / file)) << file;
    // The recorded command reproduces the figure: the ppa command's own JSON gives the same area.
    std::string ppa;
    ASSERT_EQ(numforge(p["commands"]["ppa"].get<std::string>().substr(9) + " --json", ppa), 0) << ppa;
    const nlohmann::json j = nlohmann::json::parse(ppa.substr(ppa.find('{')));
    EXPECT_DOUBLE_EQ(j["area_um2"].get<double>(), f["area_um2"].get<double>());
    // ... and the same sign-off and energy: the recorded ppa command is `ppa --power` on the first workload,
    // the second workload's command is in commands.power; both run through the CLI, as a user would.
    EXPECT_DOUBLE_EQ(j["signoff"]["worst_slack_ps"].get<double>(), f["worst_slack_ps"].get<double>());
    EXPECT_DOUBLE_EQ(j["power"]["pj_per_op"].get<double>(), f["energy_pj"].get<double>());
    ASSERT_EQ(p["commands"]["power"].size(), 2u);
    if (p["module"] == "fmul_e2m1_rne") {
      ASSERT_EQ(numforge(p["commands"]["power"][1].get<std::string>().substr(9) + " --json", ppa), 0) << ppa;
      const nlohmann::json n = nlohmann::json::parse(ppa.substr(ppa.find('{')));
      EXPECT_EQ(n["power"]["workload"], "normal");
      EXPECT_DOUBLE_EQ(n["power"]["pj_per_op"].get<double>(), p["energy"]["normal"]["pj_per_op"].get<double>());
    }
  }
  const std::string csv = read(out / "results.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  const std::string header = csv.substr(0, csv.find('\n'));
  for (const char* c : {",energy_pj,", ",energy_uniform_pj,", ",energy_normal_pj,", ",worst_slack_ps,", ",fmax_mhz,"})
    EXPECT_NE(header.find(c), std::string::npos) << c << " in " << header;
  // The energy vs accuracy panel has its dots (one per point) and no "no figure" note.
  const std::string pareto = read(out / "pareto.svg");
  const size_t panel = pareto.find(">energy vs accuracy<"), next = pareto.find("<g class=\"panel\">", panel);
  ASSERT_NE(panel, std::string::npos);
  const std::string energyPanel = pareto.substr(panel, next - panel);
  const std::regex circle("<circle ");
  EXPECT_EQ(std::distance(std::sregex_iterator(energyPanel.begin(), energyPanel.end(), circle), std::sregex_iterator()), 2);
  EXPECT_EQ(pareto.find("no point has an energy figure"), std::string::npos);

  // All cached: nothing reruns, the same results, well within 5 s.
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(numforge(fmt::format("sweep {} -o {}", cfg.string(), out.string()), log), 0) << log;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
  EXPECT_NE(log.find("2 points (2 cached, 0 run, 0 failed)"), std::string::npos) << log;
  EXPECT_EQ(read(out / "results.csv"), csv);

  // The page in a real browser: it loads without console messages, sorting by area (descending, from the URL)
  // puts the larger e3m2 multiplier first (it is second in the config), and the screenshot shows the plots.
  const std::string dom = chromium(fmt::format("--dump-dom 'file://{}/index.html#sort=area_um2&dir=desc'", out.string()),
                                   dir_ / "profile");
  EXPECT_EQ(dom.find("CONSOLE"), std::string::npos) << dom.substr(0, 3000);
  EXPECT_NE(dom.find("data-ready=\"1\""), std::string::npos) << "the script ran to its end";
  EXPECT_NE(dom.find("data-sorted=\"area_um2 desc\""), std::string::npos);
  EXPECT_NE(dom.find("<pre id=\"errors\"></pre>"), std::string::npos);
  const size_t e2m1 = dom.find("<td>fmul_e2m1_rne</td>"), e3m2 = dom.find("<td>fmul_e3m2_rne</td>");
  ASSERT_NE(e2m1, std::string::npos);
  ASSERT_NE(e3m2, std::string::npos);
  EXPECT_LT(e3m2, e2m1) << "sorting by area descending reorders the rows";
  const std::string html = read(out / "index.html");
  EXPECT_LT(html.find("<td>fmul_e2m1_rne</td>"), html.find("<td>fmul_e3m2_rne</td>")) << "unsorted: config order";
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg")) << "nothing fetched from the network";
  const fs::path shot = dir_ / "shot.png";
  chromium(fmt::format("--window-size=1200,900 --screenshot={} 'file://{}/index.html'", shot.string(), out.string()),
           dir_ / "profile");
  ASSERT_TRUE(fs::exists(shot));
  EXPECT_GT(nonWhitePixels(shot), 20000) << "the plots are drawn";
}

TEST_F(SweepRun, KillNineRedoesOnlyWhatHadNotFinishedAndLeavesNoProcess) {
  const fs::path cfg = write("tiny.toml", kTiny), out = dir_ / "out";
  const std::string marker = fmt::format("NF_SWEEP_TEST_MARK={}", ::getpid());
  // Started in the background through the shell, with a marker every process it starts inherits.
  std::string pidText;
  test::runCommand(fmt::format("{} {}{} sweep {} -o {} --jobs 1 > {} 2>&1 & echo $!", marker, test::kSweepEnv,
                               test::kNumforgeExe, cfg.string(), out.string(), (dir_ / "log").string()),
                   pidText);
  const int pid = std::stoi(pidText);
  // Wait for the first point's result, then kill -9 while the second is running.
  const auto until = std::chrono::steady_clock::now() + std::chrono::minutes(4);
  auto finished = [&] {
    size_t n = 0;
    if (fs::exists(out / "points"))
      for (const auto& d : fs::directory_iterator(out / "points")) n += fs::exists(d.path() / "result.json");
    return n;
  };
  while (finished() == 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(finished(), 1u) << read(dir_ / "log");
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  EXPECT_TRUE(noneLeftWithin(marker, 10)) << "still running after kill -9: " << processesWith(marker).size();
  EXPECT_FALSE(fs::exists(out / "results.csv")) << "no report from an interrupted run";
  std::string log;
  ASSERT_EQ(numforge(fmt::format("sweep {} -o {} --jobs 1", cfg.string(), out.string()), log), 0) << log;
  EXPECT_NE(log.find("2 points (1 cached, 1 run, 0 failed)"), std::string::npos) << log;
}

TEST_F(SweepRun, TimeoutFailsThePointTheSweepGoesOnAndAnotherConfigIsRefused) {
  const fs::path cfg = write("tiny.toml", kTiny), out = dir_ / "out";
  const std::string marker = fmt::format("NF_SWEEP_TEST_MARK=t{}", ::getpid());
  std::string log;
  EXPECT_EQ(test::runCommand(fmt::format("{} {}{} sweep {} -o {} --jobs 2 --point-timeout 0.3", marker, test::kSweepEnv,
                                         test::kNumforgeExe, cfg.string(), out.string()),
                             log),
            1)
      << log;
  EXPECT_TRUE(noneLeftWithin(marker, 10)) << "a timed-out point's tools outlived it";
  const nlohmann::json results = readJson(out / "results.json");
  ASSERT_EQ(results["points"].size(), 2u) << "both points recorded";
  for (const nlohmann::json& p : results["points"]) {
    EXPECT_EQ(p["status"], "failed");
    EXPECT_EQ(p["failed_stage"], "timeout");
    EXPECT_NE(p["message"].get<std::string>().find("--point-timeout 0.3"), std::string::npos);
  }
  EXPECT_NE(read(out / "results.csv").find(",failed,"), std::string::npos);

  // Another config into the same OUT: refused with exit 2 naming --force, then replaced with it.
  const fs::path other = write("other.toml", std::string(kTiny).replace(std::string(kTiny).find("\"rne\""), 5, "\"rtz\""));
  EXPECT_EQ(numforge(fmt::format("sweep {} -o {}", other.string(), out.string()), log), 2) << log;
  EXPECT_NE(log.find("different sweep config"), std::string::npos) << log;
  EXPECT_NE(log.find("--force"), std::string::npos) << log;
  EXPECT_EQ(numforge(fmt::format("sweep {} -o {} --force --point-timeout 0.3", other.string(), out.string()), log), 1) << log;
  EXPECT_NE(read(out / "results.csv").find("fmul_e2m1_rtz"), std::string::npos);
  EXPECT_EQ(read(out / "results.csv").find("fmul_e2m1_rne"), std::string::npos) << "the old results are gone";
}

}  // namespace
}  // namespace nf
