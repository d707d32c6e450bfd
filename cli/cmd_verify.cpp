// numforge verify <operator> ...: co-simulates the generated Verilog against the model (exhaustive, corner
// cases + seeded random, or TestFloat vector lines) and exits 1 on a mismatch.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "synth/ppa.h"
#include "verif/cosim.h"

namespace nf::cli {
namespace {

class VerifyCommand final : public OperatorCommand {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("verify", "co-simulate the generated Verilog against the model");
    auto* exhaustive = cmd->add_flag("--exhaustive", exhaustive_, "every input combination (inputs of at most 32 bits)");
    count_ = addCountOption(*cmd, countValue_);
    addSeedOption(*cmd, seed_);
    auto* vectors = cmd->add_option("--vectors", vectors_, "TestFloat lines 'hexA hexB hexZ flags' from FILE or - (stdin)");
    addThreadsOption(*cmd, threads_);
    cmd->add_flag("--check-nans", checkNans_, "with --vectors, NaN results must match bit for bit");
    cmd->add_flag("--netlist", netlist_,
                  "co-simulate the Yosys/ABC-mapped NanGate45 netlist (cells modelled from the liberty) instead of "
                  "the RTL");
    exhaustive->excludes(count_)->excludes(vectors);
    count_->excludes(vectors);
    attachOperators(*cmd);
    return cmd;
  }

  int run() override {
    auto unit = buildUnit();
    using Mode = verif::CosimOptions::Mode;
    verif::CosimOptions o;
    o.mode = exhaustive_ ? Mode::Exhaustive : !vectors_.empty() ? Mode::Vectors : Mode::Random;
    o.count = count_->count() ? countValue_ : 100000;
    o.seed = seed_;
    o.vectorsPath = vectors_;
    o.threads = threads_;
    o.checkNans = checkNans_;
    o.progress = true;
    if (netlist_) {  // the same harness, fed the mapped netlist and the liberty's cell models
      const GeneratedModule m = unit->emit();
      o.build.netlistVerilog = synth::gateLevelVerilog(m.verilog, m.name);
    }
    const verif::CosimReport r = verif::runCosim(*unit, o);
    const char* mode = exhaustive_ ? "exhaustive" : !vectors_.empty() ? "from file" : "corner cases + random";
    std::cout << fmt::format("{}{}: {} vectors ({}), {} mismatches, {:.2f} M vectors/s ({:.2f} s; build {:.1f} s{})\n",
                             unit->moduleName(), netlist_ ? " (mapped netlist)" : "", r.vectors, mode, r.mismatches, r.rate() / 1e6, r.seconds,
                             r.buildSeconds, r.buildCached ? ", cached" : "");
    if (r.mismatches) {
      std::cout << "first mismatch:\n" << r.firstMismatch << "\n";
      return kExitCheckFailed;
    }
    return kExitOk;
  }

 private:
  bool exhaustive_ = false, checkNans_ = false, netlist_ = false;
  CLI::Option* count_ = nullptr;
  uint64_t countValue_ = 0, seed_ = 1;
  std::string vectors_;
  int threads_ = 0;
};

}  // namespace

std::unique_ptr<Command> makeVerifyCommand() { return std::make_unique<VerifyCommand>(); }

}  // namespace nf::cli
