// numforge gen <operator> ... -o DIR: writes the unit's Verilog and manifest.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"

namespace nf::cli {
namespace {

class GenCommand final : public OperatorCommand {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("gen", "write <module>.v and <module>.json");
    cmd->add_option("-o,--output", outDir_, "output directory")->required();
    attachOperators(*cmd);
    return cmd;
  }

  int run() override {
    const GeneratedModule m = buildUnit()->emit();
    writeFilesAtomically(outDir_, moduleFiles(m));
    std::cout << fmt::format("wrote {}/{}.v and {}.json\n", outDir_, m.name, m.name);
    return kExitOk;
  }

 private:
  std::string outDir_;
};

}  // namespace

std::unique_ptr<Command> makeGenCommand() { return std::make_unique<GenCommand>(); }

}  // namespace nf::cli
