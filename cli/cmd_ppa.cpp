// numforge ppa <operator> ...: synthesizes the unit with Yosys + ABC on NanGate45, prints area and ABC's delay,
// times the mapped netlist with OpenSTA (sign-off) at --clock-ps or at its own worst path, prints the chip-level
// figures, and with --power the energy per operation from a gate-level simulation of a workload.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "synth/energy.h"
#include "synth/ppa.h"
#include "synth/sta.h"
#include "synth/tool_run.h"
#include "verif/workload.h"

namespace nf::cli {
namespace {

// A positive, finite period in ps, or UsageError naming the option.
double parseClockPs(const std::string& text) {
  const std::optional<double> v = parseWholeNumber(text);
  if (!v || !std::isfinite(*v) || *v <= 0)
    throw UsageError(fmt::format("--clock-ps '{}': accepted values are a positive number of picoseconds", text));
  return *v;
}

// A fraction in [0, 1), or UsageError naming the option.
double parseIdleFraction(const std::string& text) {
  const std::optional<double> v = parseWholeNumber(text);
  if (!v || !(*v >= 0 && *v < 1))
    throw UsageError(fmt::format("--idle-fraction '{}': accepted values are a number F with 0 <= F < 1", text));
  return *v;
}

void printEnergy(const synth::EnergyResult& e, std::ostream& out) {
  const synth::PowerReport& p = e.power;
  out << fmt::format("  power ({}, {} cycles, {:.0f}% valid, at {:.1f} ps): internal {:.4g} mW, switching {:.4g} mW, "
                     "leakage {:.4g} uW, total {:.4g} mW\n",
                     e.workload, e.cycles, 100 * e.resultsPerCycle, p.clockPs, p.simulated.internalW * 1e3,
                     p.simulated.switchingW * 1e3, p.simulated.leakageW * 1e6, p.simulated.totalW() * 1e3);
  out << fmt::format("  energy: {:.4g} pJ per result, {:.4g} pJ/op ({:g} ops per result); OpenSTA vectorless "
                     "(inputs {:g} toggles/cycle): total {:.4g} mW, {:.4g} pJ/op\n",
                     e.pjPerResult, e.pjPerOp, e.opsPerResult, p.vectorlessActivity,
                     p.vectorless.totalW() * 1e3, e.vectorlessPjPerOp);
  if (p.netsUnmatched > 0)
    out << fmt::format("  warning: {} simulated nets are not in OpenSTA's netlist\n", p.netsUnmatched);
}

void printChip(const synth::ChipFigures& c, std::ostream& out) {
  out << fmt::format("  chip: {:.4g} results/s at fmax, {:.4g} ops/s, {:.4g} ops/s/mm^2", c.resultsPerSecond,
                     c.opsPerSecond, c.opsPerSecondPerMm2);
  if (c.pjPerOp) out << fmt::format(", {:.4g} pJ/op, {:.4g} ops/J", *c.pjPerOp, *c.opsPerJoule);
  out << "\n";
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
    CLI::App* cmd = cmd_ = app.add_subcommand("ppa", "synthesize with Yosys+ABC on NanGate45 and report area and delay");
    cmd->add_option("--liberty", liberty_, "liberty file (default: the vendored NanGate45 typical corner)");
    cmd->add_flag("--json", asJson_, "print JSON");
    cmd->add_option("--clock-ps", clockPs_,
                    "clock period for OpenSTA sign-off timing and power in ps (default: the netlist's own worst path)");
    cmd->add_flag("--power", power_, "energy per operation: simulate the mapped netlist on a workload, power by OpenSTA");
    cmd->add_option("--workload", energy_.workload,
                    fmt::format("--power stimulus: {} (default uniform)", verif::workloadChoices()));
    cmd->add_option("--workload-file", energy_.workloadFile, "--power stimulus: a float32 .npy tensor");
    cmd->add_option("--idle-fraction", idleFraction_, "--power: fraction of cycles without a vector, 0 <= F < 1");
    cmd->add_option("--vectors", energy_.vectors, "--power: vectors to simulate (default 100000)");
    attachOperators(*cmd);
    return cmd;
  }

  int run() override {
    auto unit = buildUnit();
    // Bad input and a missing OpenSTA are refused before any synthesis.
    synth::StaOptions sta;
    if (!clockPs_.empty()) sta.clockPs = parseClockPs(clockPs_);
    if (!idleFraction_.empty()) energy_.idleFraction = parseIdleFraction(idleFraction_);
    checkPowerOptions(*unit);
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
    o.cellModels = power_;
    const synth::PpaResult r = synth::runPpa(m.verilog, m.name, o);
    sta.liberty = o.liberty;
    sta.constraints = o.constraints;
    const synth::StaResult signoff = synth::runSta(r.netlistVerilog, unit->moduleName(), sta);
    std::optional<synth::EnergyResult> energy;
    if (power_) {
      energy_.power.liberty = o.liberty;
      energy_.power.clockPs = signoff.clockPs;
      energy = synth::measureEnergy(*unit, r, energy_);
    }
    const synth::ChipFigures chip = synth::chipFigures(
        *unit, r.areaUm2, signoff.fmaxMHz, energy ? std::optional<double>(energy->pjPerOp) : std::nullopt);
    if (asJson_) {
      nlohmann::json j = synth::toJson(r);
      j["module"] = m.name;
      j["latency"] = unit->latency();
      j["signoff"] = synth::toJson(signoff);
      if (energy) j["power"] = synth::toJson(*energy);
      j["chip"] = synth::toJson(chip);
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << fmt::format("{}: area {:.1f} um^2 ({:.0f} NAND2-eq), {} cells, {} flip-flops, {} {:.0f} ps\n",
                               m.name, r.areaUm2, r.areaNand2, r.cells, r.flops,
                               unit->latency() ? "worst stage" : "critical path", r.delayPs);
      printSignoff(signoff, r.delayPs, std::cout);
      if (energy) printEnergy(*energy, std::cout);
      printChip(chip, std::cout);
    }
    return kExitOk;
  }

 private:
  // Bad --power options are refused before any synthesis.
  void checkPowerOptions(const Unit& unit) {
    if (!power_) {
      for (const char* o : {"--workload", "--workload-file", "--idle-fraction", "--vectors"})
        if (cmd_->count(o) > 0) throw UsageError(fmt::format("{} applies to --power only; add --power", o));
      return;
    }
    if (!energy_.workloadFile.empty()) {
      energy_.workloadValues = synth::readWorkloadFile(energy_.workloadFile);
      verif::tensorVectors(unit, energy_.workloadValues, 1);  // refuses a unit without a floating-point input
    } else if (!verif::isWorkload(energy_.workload)) {
      throw UsageError(fmt::format("--workload '{}': accepted values are {}", energy_.workload, verif::workloadChoices()));
    }
    if (energy_.vectors == 0) throw UsageError("--vectors 0: accepted values are a positive count");
    if (!synth::tools::executableExists(synth::defaultStaPowerTool()))
      throw UsageError(fmt::format("ppa --power: {} is missing; it is built with numforge and needs the Debian package "
                                   "opensta-dev (`make deps`)", synth::defaultStaPowerTool()));
  }

  std::string liberty_, clockPs_, idleFraction_;
  bool asJson_ = false, power_ = false;
  synth::EnergyOptions energy_;
  CLI::App* cmd_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> makePpaCommand() { return std::make_unique<PpaCommand>(); }

}  // namespace nf::cli
