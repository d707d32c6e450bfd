#include "synth/sta.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "synth/tool_run.h"

namespace nf::synth {
namespace {

using namespace tools;

constexpr int kLogTailLines = 30;
// Without --clock-ps the netlist is timed at this period and the clock is then its worst path; any period
// gives the same path delays (period - slack), this one just keeps every slack positive on our units.
constexpr double kNominalPeriodPs = 100000;
constexpr std::string_view kSectionMarker = "NF-SECTION ";

// Each setup section: its kind and the -from/-to of report_checks.
struct KindQuery {
  StageKind kind;
  const char* from;
  const char* to;
  bool needsRegisters;
};
constexpr KindQuery kKindQueries[] = {
    {StageKind::InputToRegister, "$data_in", "[all_registers -data_pins]", true},
    {StageKind::RegisterToRegister, "[all_registers -clock_pins]", "[all_registers -data_pins]", true},
    {StageKind::RegisterToOutput, "[all_registers -clock_pins]", "[all_outputs]", true},
    {StageKind::InputToOutput, "$data_in", "[all_outputs]", false},
};

}  // namespace

bool hasClockPort(const std::string& netlist, const std::string& top) {
  // The module header lists the ports: `module top(clk, rst, ...);`
  const std::regex header("module\\s+" + top + "\\s*\\(([^)]*)\\)");
  std::smatch m;
  if (!std::regex_search(netlist, m, header)) return false;
  return std::regex_search(m[1].first, m[1].second, std::regex("(^|[\\s,])clk([\\s,]|$)"));
}

std::string staSetupScript(const std::filesystem::path& liberty, const std::string& top, const Environment& env,
                          double periodPs, bool clocked) {
  std::string s = fmt::format(
      "read_liberty \"{}\"\n"
      "read_verilog netlist.v\n"
      "link_design {}\n"
      "set_cmd_units -time ps -capacitance fF\n",
      liberty.string(), top);
  if (clocked)
    s += fmt::format(
        "create_clock -name clk -period {} [get_ports clk]\n"
        "set data_in [delete_from_list [all_inputs] [get_ports clk]]\n",
        periodPs);
  else
    s += fmt::format("create_clock -name clk -period {}\nset data_in [all_inputs]\n", periodPs);
  s += fmt::format(
      "set_input_delay 0 -clock clk $data_in\n"
      "set_output_delay 0 -clock clk [all_outputs]\n"
      "set_driving_cell -lib_cell {} $data_in\n"
      "set_load {} [all_outputs]\n",
      env.drivingCell, env.loadFf);
  return s;
}

namespace {

std::string staScript(const fs::path& liberty, const std::string& top, const Environment& env, double periodPs,
                      bool clocked) {
  std::string s = staSetupScript(liberty, top, env, periodPs, clocked);
  for (const KindQuery& q : kKindQueries) {
    if (q.needsRegisters && !clocked) continue;
    s += fmt::format("puts \"{}{}\"\nreport_checks -path_delay max -from {} -to {} -digits 3\n", kSectionMarker,
                     stageKindName(q.kind), q.from, q.to);
  }
  if (clocked) s += fmt::format("puts \"{}hold\"\nreport_checks -path_delay min -digits 3\n", kSectionMarker);
  return s;
}

// The section of the report after `NF-SECTION name`, up to the next marker.
std::string_view section(std::string_view report, std::string_view name) {
  const std::string marker = fmt::format("{}{}\n", kSectionMarker, name);
  size_t at = report.find(marker);
  if (at == std::string_view::npos) return {};
  std::string_view rest = report.substr(at + marker.size());
  return rest.substr(0, rest.find(kSectionMarker));
}

struct ParsedPath {
  std::string startpoint, endpoint;
  double slackPs = 0;
};

// report_checks' full path format: "Startpoint: NAME (...)", "Endpoint: NAME (...)", "  SLACK   slack (MET)".
std::optional<ParsedPath> parsePath(std::string_view text) {
  ParsedPath p;
  std::optional<double> slack;
  for (std::string_view line : splitLines(text)) {
    std::string_view t = trim(line);
    auto name = [&](std::string_view key) {
      std::string_view v = t.substr(key.size());
      return std::string(trim(v.substr(0, v.find(" ("))));
    };
    if (t.starts_with("Startpoint:")) p.startpoint = name("Startpoint:");
    else if (t.starts_with("Endpoint:")) p.endpoint = name("Endpoint:");
    else if (t.find("slack (") != std::string_view::npos) slack = parseDouble(t.substr(0, t.find("slack (")));
  }
  if (!slack || p.startpoint.empty() || p.endpoint.empty()) return std::nullopt;
  p.slackPs = *slack;
  return p;
}

// An error, or a cell the liberty lacks (OpenSTA only warns and times around a black box).
std::string firstErrorLine(std::string_view report) {
  for (std::string_view line : splitLines(report)) {
    std::string_view t = trim(line);
    if (t.starts_with("Error") || t.find("Creating black box") != std::string_view::npos) return std::string(t);
  }
  return {};
}

}  // namespace

const char* stageKindName(StageKind k) {
  switch (k) {
    case StageKind::InputToRegister: return "input-to-register";
    case StageKind::RegisterToRegister: return "register-to-register";
    case StageKind::RegisterToOutput: return "register-to-output";
    case StageKind::InputToOutput: return "input-to-output";
  }
  return "?";
}

Environment readEnvironment(const std::string& constraintsPath) {
  std::optional<std::string> text = readFile(constraintsPath);
  if (!text) throw PpaError(fmt::format("cannot read constraints file '{}'", constraintsPath));
  Environment env;
  bool haveLoad = false;
  for (std::string_view line : splitLines(*text)) {
    std::string_view t = trim(line);
    if (t.starts_with("set_driving_cell ")) env.drivingCell = std::string(trim(t.substr(17)));
    else if (t.starts_with("set_load ")) {
      std::optional<double> v = parseDouble(t.substr(9));
      haveLoad = v && *v >= 0;
      if (haveLoad) env.loadFf = *v;
    }
  }
  if (!isPlainIdentifier(env.drivingCell) || !haveLoad)
    throw PpaError(fmt::format("constraints file '{}' needs a line 'set_driving_cell CELL' and a line 'set_load "
                               "CAPACITANCE' (a non-negative number)",
                               constraintsPath));
  return env;
}

StaResult runSta(const std::string& netlistVerilog, const std::string& top, const StaOptions& opt) {
  if (!isPlainIdentifier(top))
    throw PpaError(fmt::format("top module name '{}' is not a plain Verilog identifier", top));
  if (opt.clockPs < 0 || !(opt.clockPs == opt.clockPs))
    throw PpaError(fmt::format("clock period {} ps is not a positive number", opt.clockPs));
  const fs::path liberty = checkedInputFile(opt.liberty, defaultLiberty(), "liberty");
  const fs::path constraints = checkedInputFile(opt.constraints, defaultConstraints(), "constraints");
  const Environment env = readEnvironment(constraints.string());

  StaResult r;
  r.clocked = hasClockPort(netlistVerilog, top);
  r.clockFromWorstPath = opt.clockPs == 0;
  const double period = r.clockFromWorstPath ? kNominalPeriodPs : opt.clockPs;

  WorkDir work(opt.keepWorkDir);
  if (!writeFile(work.path() / "netlist.v", netlistVerilog) ||
      !writeFile(work.path() / "sta.tcl", staScript(liberty, top, env, period, r.clocked)))
    throw PpaError(fmt::format("cannot write the netlist and script into '{}'", work.path().string()));
  const ExitStatus st = spawnAndWait({"sta", opt.sta, "install the Debian package opensta (`make deps`)"},
                                     {"-no_splash", "-exit", "sta.tcl"}, work.path(), "sta.out");
  r.report = readFile(work.path() / "sta.out").value_or("");
  const std::string error = firstErrorLine(r.report);
  if (!st.exited || st.code != 0 || !error.empty())
    throw PpaError(fmt::format("OpenSTA failed ({}) timing top module '{}'{}; its output:\n{}",
                               error.empty() ? st.describe() : error, top, work.note(), tail(r.report, kLogTailLines)));

  for (const KindQuery& q : kKindQueries) {
    std::string_view text = section(r.report, stageKindName(q.kind));
    if (text.find("No paths found") != std::string_view::npos || (q.needsRegisters && !r.clocked)) continue;
    std::optional<ParsedPath> p = parsePath(text);
    if (!p)
      throw PpaError(fmt::format("cannot read the {} path of top module '{}' from OpenSTA's report{}:\n{}",
                                 stageKindName(q.kind), top, work.note(), tail(r.report, kLogTailLines)));
    r.stages.push_back({q.kind, p->startpoint, p->endpoint, p->slackPs, period - p->slackPs});
  }
  std::stable_sort(r.stages.begin(), r.stages.end(),
                   [](const StagePath& a, const StagePath& b) { return a.delayPs > b.delayPs; });
  if (r.clocked) {
    std::optional<ParsedPath> hold = parsePath(section(r.report, "hold"));
    if (hold) r.holdSlackPs = hold->slackPs;
  }
  if (!r.stages.empty()) {
    const double worst = r.stages.front().delayPs;
    r.clockPs = r.clockFromWorstPath ? worst : period;
    // Slacks are reported at the clock the user sees: the worst path's own period when none was given.
    for (StagePath& s : r.stages) s.slackPs = r.clockPs - s.delayPs;
    r.worstSlackPs = r.stages.front().slackPs;
    r.fmaxMHz = worst > 0 ? 1e6 / worst : 0;
  } else {
    r.clockPs = period;
  }
  return r;
}

nlohmann::json toJson(const StaResult& r) {
  auto stage = [](const StagePath& s) {
    return nlohmann::json{{"kind", stageKindName(s.kind)}, {"from", s.startpoint}, {"to", s.endpoint},
                          {"delay_ps", s.delayPs}, {"slack_ps", s.slackPs}};
  };
  nlohmann::json j{{"clock_ps", r.clockPs}, {"clock_from_worst_path", r.clockFromWorstPath},
                   {"worst_slack_ps", r.worstSlackPs}, {"fmax_mhz", r.fmaxMHz}};
  j["stages"] = nlohmann::json::array();
  for (const StagePath& s : r.stages) j["stages"].push_back(stage(s));
  if (!r.stages.empty()) j["worst_stage"] = stage(r.stages.front());
  if (r.holdSlackPs) j["hold_slack_ps"] = *r.holdSlackPs;
  return j;
}

}  // namespace nf::synth
