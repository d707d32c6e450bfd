// numforge ppa <operator> ...: synthesizes the unit with Yosys + ABC on NanGate45, prints area and ABC's delay,
// and times the mapped netlist with OpenSTA (sign-off) at --clock-ps or at its own worst path.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "synth/ppa.h"
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

class PpaCommand final : public OperatorCommand {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("ppa", "synthesize with Yosys+ABC on NanGate45 and report area and delay");
    cmd->add_option("--liberty", liberty_, "liberty file (default: the vendored NanGate45 typical corner)");
    cmd->add_flag("--json", asJson_, "print JSON");
    cmd->add_option("--clock-ps", clockPs_,
                    "clock period for OpenSTA sign-off timing in ps (default: the netlist's own worst path)");
    attachOperators(*cmd);
    return cmd;
  }

  int run() override {
    auto unit = buildUnit();
    // Bad input and a missing OpenSTA are refused before any synthesis.
    synth::StaOptions sta;
    if (!clockPs_.empty()) sta.clockPs = parseClockPs(clockPs_);
    if (!synth::tools::executableExists("sta"))
      throw UsageError("ppa: OpenSTA's `sta` is not on PATH; sign-off timing needs the Debian package opensta "
                       "(`make deps` installs it)");
    synth::PpaOptions o;
    if (!liberty_.empty()) {
      if (!std::filesystem::is_regular_file(liberty_))
        throw UsageError(fmt::format("--liberty {}: no such file", liberty_));
      o.liberty = liberty_;
    }
    const GeneratedModule m = unit->emit();
    const synth::PpaResult r = synth::runPpa(m.verilog, m.name, o);
    sta.liberty = o.liberty;
    sta.constraints = o.constraints;
    const synth::StaResult signoff = synth::runSta(r.netlistVerilog, unit->moduleName(), sta);
    if (asJson_) {
      nlohmann::json j = synth::toJson(r);
      j["module"] = m.name;
      j["latency"] = unit->latency();
      j["signoff"] = synth::toJson(signoff);
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << fmt::format("{}: area {:.1f} um^2 ({:.0f} NAND2-eq), {} cells, {} flip-flops, {} {:.0f} ps\n",
                               m.name, r.areaUm2, r.areaNand2, r.cells, r.flops,
                               unit->latency() ? "worst stage" : "critical path", r.delayPs);
      printSignoff(signoff, r.delayPs, std::cout);
    }
    return kExitOk;
  }

 private:
  std::string liberty_, clockPs_;
  bool asJson_ = false;
};

}  // namespace

std::unique_ptr<Command> makePpaCommand() { return std::make_unique<PpaCommand>(); }

}  // namespace nf::cli
