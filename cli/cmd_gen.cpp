// numforge gen <operator> ... -o DIR [--systemc]: writes the unit's Verilog and manifest (and its SystemC model).
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "generators/systemc.h"

namespace nf::cli {
namespace {

class GenCommand final : public OperatorCommand {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("gen", "write <module>.v and <module>.json");
    cmd->add_option("-o,--output", outDir_, "output directory")->required();
    cmd->add_flag("--systemc", systemc_, "also write <module>_sc.h, an SC_MODULE around the bit-accurate model");
    attachOperators(*cmd);
    return cmd;
  }

  int run() override {
    const auto unit = buildUnit();
    const GeneratedModule m = unit->emit();
    auto files = moduleFiles(m);
    if (systemc_) files.emplace_back(systemcModuleName(*unit) + ".h", systemcHeader(*unit));
    writeFilesAtomically(outDir_, files);
    std::cout << fmt::format("wrote {}/{}.v and {}.json{}\n", outDir_, m.name, m.name,
                             systemc_ ? fmt::format(" and {}.h", systemcModuleName(*unit)) : "");
    return kExitOk;
  }

 private:
  std::string outDir_;
  bool systemc_ = false;
};

}  // namespace

std::unique_ptr<Command> makeGenCommand() { return std::make_unique<GenCommand>(); }

}  // namespace nf::cli
