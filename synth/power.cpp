#include "synth/power.h"

#include <cstdlib>

#include "synth/sta.h"
#include "synth/tool_run.h"

namespace nf::synth {
namespace {

using namespace tools;

constexpr int kLogTailLines = 30;
constexpr std::string_view kMarker = "NF-POWER ";

std::optional<PowerBreakdown> parseBreakdown(std::string_view report, std::string_view what) {
  const std::string key = fmt::format("{}{} ", kMarker, what);
  for (std::string_view line : splitLines(report)) {
    if (!line.starts_with(key)) continue;
    std::string_view rest = line.substr(key.size());
    double v[3];
    for (double& x : v) {
      rest = trim(rest);
      const size_t end = rest.find(' ');
      std::optional<double> d = parseDouble(rest.substr(0, end));
      if (!d) return std::nullopt;
      x = *d;
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    }
    return PowerBreakdown{v[0], v[1], v[2]};
  }
  return std::nullopt;
}

void parseNetCounts(std::string_view report, PowerReport& r) {
  const std::string key = fmt::format("{}nets ", kMarker);
  for (std::string_view line : splitLines(report)) {
    if (!line.starts_with(key)) continue;
    std::string_view rest = trim(line.substr(key.size()));
    const size_t sp = rest.find(' ');
    r.netsMatched = parseInt(rest.substr(0, sp)).value_or(0);
    if (sp != std::string_view::npos) r.netsUnmatched = parseInt(trim(rest.substr(sp))).value_or(0);
  }
}

}  // namespace

std::string defaultStaPowerTool() {
  if (const char* t = std::getenv("NUMFORGE_STA_POWER"); t && *t) return t;
  return NF_STA_POWER_TOOL;
}

PowerReport runPower(const std::string& netlistVerilog, const std::string& top,
                     const std::vector<NetToggleRate>& nets, const PowerOptions& opt) {
  if (!isPlainIdentifier(top))
    throw PpaError(fmt::format("top module name '{}' is not a plain Verilog identifier", top));
  if (!(opt.clockPs > 0)) throw PpaError(fmt::format("clock period {} ps is not a positive number", opt.clockPs));
  const fs::path liberty = checkedInputFile(opt.liberty, defaultLiberty(), "liberty");
  const fs::path constraints = checkedInputFile(opt.constraints, defaultConstraints(), "constraints");
  const Environment env = readEnvironment(constraints.string());

  std::string script = staSetupScript(liberty, top, env, opt.clockPs, hasClockPort(netlistVerilog, top));
  script += fmt::format("set_power_activity -input -activity {} -duty {}\n", opt.vectorlessActivity, opt.vectorlessDuty);
  std::string activities;
  for (const NetToggleRate& n : nets) activities += fmt::format("{} {:.9g} {:.9g}\n", n.name, n.togglesPerCycle, n.duty);

  WorkDir work(opt.keepWorkDir);
  if (!writeFile(work.path() / "netlist.v", netlistVerilog) || !writeFile(work.path() / "power.tcl", script) ||
      !writeFile(work.path() / "activities.txt", activities))
    throw PpaError(fmt::format("cannot write the netlist, script and activities into '{}'", work.path().string()));
  const std::string tool = opt.tool.empty() ? defaultStaPowerTool() : opt.tool;
  const ExitStatus st = spawnAndWait(
      {"nf-sta-power", tool, "it is built with numforge from the Debian package opensta-dev (`make deps`)"},
      {"power.tcl", "activities.txt"}, work.path(), "power.out");
  PowerReport r;
  r.clockPs = opt.clockPs;
  r.vectorlessActivity = opt.vectorlessActivity;
  r.output = readFile(work.path() / "power.out").value_or("");
  std::optional<PowerBreakdown> simulated = parseBreakdown(r.output, "simulated");
  std::optional<PowerBreakdown> vectorless = parseBreakdown(r.output, "vectorless");
  if (!st.exited || st.code != 0 || !simulated || !vectorless || r.output.find("Error") != std::string::npos)
    throw PpaError(fmt::format("OpenSTA power ({}) failed ({}) on top module '{}'{}; its output:\n{}", tool,
                               st.describe(), top, work.note(), tail(r.output, kLogTailLines)));
  r.simulated = *simulated;
  r.vectorless = *vectorless;
  parseNetCounts(r.output, r);
  return r;
}

nlohmann::json toJson(const PowerBreakdown& b) {
  return {{"internal_w", b.internalW}, {"switching_w", b.switchingW}, {"leakage_w", b.leakageW},
          {"total_w", b.totalW()}};
}

nlohmann::json toJson(const PowerReport& r) {
  return {{"clock_ps", r.clockPs}, {"vectorless_input_activity", r.vectorlessActivity}, {"simulated", toJson(r.simulated)},
          {"vectorless", toJson(r.vectorless)}, {"nets_matched", r.netsMatched},
          {"nets_unmatched", r.netsUnmatched}};
}

}  // namespace nf::synth
