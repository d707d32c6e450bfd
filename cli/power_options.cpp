#include "cli/power_options.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "synth/sta.h"
#include "synth/tool_run.h"

namespace nf::cli {
namespace {

// A positive, finite period in ps, or UsageError naming the option.
double parseClockPs(const std::string& text) {
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v) || v <= 0)
    throw UsageError(fmt::format("--clock-ps '{}': accepted values are a positive number of picoseconds", text));
  return v;
}

void printSignoff(const synth::StaResult& s, double abcDelayPs, std::ostream& out) {
  if (s.stages.empty()) {
    out << "  sign-off (OpenSTA): no timed path (the netlist is wires only)\n";
    return;
  }
  const synth::StagePath& w = s.stages.front();
  out << fmt::format("  sign-off (OpenSTA): clock {:.1f} ps{}, worst setup slack {:.1f} ps, fmax {:.1f} MHz",
                     s.clockPs, s.clockFromWorstPath ? " (the worst path)" : "", s.worstSlackPs, s.fmaxMHz);
  if (s.holdSlackPs) out << fmt::format(", worst hold slack {:.1f} ps", *s.holdSlackPs);
  out << fmt::format("; ABC's estimate {:.0f} ps\n", abcDelayPs);
  out << fmt::format("  worst stage: {} {} -> {}, {:.1f} ps\n", synth::stageKindName(w.kind), w.startpoint,
                     w.endpoint, w.delayPs);
  for (size_t i = 1; i < s.stages.size(); ++i)
    out << fmt::format("  worst {}: {} -> {}, {:.1f} ps\n", synth::stageKindName(s.stages[i].kind),
                       s.stages[i].startpoint, s.stages[i].endpoint, s.stages[i].delayPs);
}

}  // namespace

void addPpaSignoffOptions(CLI::App& ppa, SignoffOptions& o) {
  ppa.add_option("--clock-ps", o.clockPs,
                 "clock period for OpenSTA sign-off timing in ps (default: the netlist's own worst path)");
}

void checkSignoffOptions(const SignoffOptions& o) {
  if (!o.clockPs.empty()) parseClockPs(o.clockPs);
  if (!synth::tools::executableExists("sta"))
    throw UsageError("ppa: OpenSTA's `sta` is not on PATH; sign-off timing needs the Debian package opensta "
                     "(`make deps` installs it)");
}

void runPpaSignoff(const Unit& unit, const synth::PpaResult& ppa, const synth::PpaOptions& ppaOptions,
                   const SignoffOptions& o, std::ostream& text, nlohmann::json* json) {
  synth::StaOptions sta;
  sta.liberty = ppaOptions.liberty;
  sta.constraints = ppaOptions.constraints;
  if (!o.clockPs.empty()) sta.clockPs = parseClockPs(o.clockPs);
  const synth::StaResult s = synth::runSta(ppa.netlistVerilog, unit.moduleName(), sta);
  if (json) (*json)["signoff"] = synth::toJson(s);
  else printSignoff(s, ppa.delayPs, text);
}

void addVerifyNetlistOption(CLI::App& verify, bool& netlist) {
  verify.add_flag("--netlist", netlist,
                  "co-simulate the Yosys/ABC-mapped NanGate45 netlist (cells modelled from the liberty) instead of "
                  "the RTL");
}

void useMappedNetlist(const Unit& unit, verif::BuildOptions& build) {
  const GeneratedModule m = unit.emit();
  build.netlistVerilog = synth::gateLevelVerilog(m.verilog, m.name);
}

}  // namespace nf::cli
