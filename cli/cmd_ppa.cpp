// numforge ppa <operator> ...: synthesizes the unit with Yosys + ABC on NanGate45 and prints area and delay.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/power_options.h"
#include "synth/ppa.h"

namespace nf::cli {
namespace {

class PpaCommand final : public OperatorCommand {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("ppa", "synthesize with Yosys+ABC on NanGate45 and report area and delay");
    cmd->add_option("--liberty", liberty_, "liberty file (default: the vendored NanGate45 typical corner)");
    cmd->add_flag("--json", asJson_, "print JSON");
    addPpaSignoffOptions(*cmd, signoff_);
    attachOperators(*cmd);
    return cmd;
  }

  int run() override {
    auto unit = buildUnit();
    checkSignoffOptions(signoff_);
    synth::PpaOptions o;
    if (!liberty_.empty()) {
      if (!std::filesystem::is_regular_file(liberty_))
        throw UsageError(fmt::format("--liberty {}: no such file", liberty_));
      o.liberty = liberty_;
    }
    const GeneratedModule m = unit->emit();
    const synth::PpaResult r = synth::runPpa(m.verilog, m.name, o);
    if (asJson_) {
      nlohmann::json j = synth::toJson(r);
      j["module"] = m.name;
      j["latency"] = unit->latency();
      runPpaSignoff(*unit, r, o, signoff_, std::cout, &j);
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << fmt::format("{}: area {:.1f} um^2 ({:.0f} NAND2-eq), {} cells, {} flip-flops, {} {:.0f} ps\n",
                               m.name, r.areaUm2, r.areaNand2, r.cells, r.flops,
                               unit->latency() ? "worst stage" : "critical path", r.delayPs);
      runPpaSignoff(*unit, r, o, signoff_, std::cout, nullptr);
    }
    return kExitOk;
  }

 private:
  std::string liberty_;
  bool asJson_ = false;
  SignoffOptions signoff_;
};

}  // namespace

std::unique_ptr<Command> makePpaCommand() { return std::make_unique<PpaCommand>(); }

}  // namespace nf::cli
