// numforge eval <operator> ... HEX...: the model's outputs for one input vector, decoded.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "verif/cosim.h"

namespace nf::cli {
namespace {

// One input port's hex encoding as its ceil(width / 32) words (sr_bits ports are wide), by the one hex parser.
std::vector<uint32_t> parseInputWords(const std::string& s, const PortInfo& p) {
  std::vector<uint32_t> words;
  if (!verif::parseHexWords(s, p.width, words))
    throw UsageError(fmt::format("input {} '{}': expected a hex encoding of at most {} bits", p.name, s, p.width));
  return words;
}

class EvalCommand final : public OperatorCommand {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("eval", "print the model's result for given input encodings");
    attachOperators(*cmd);
    for (CLI::App* op : operators().subcommands())
      op->add_option("inputs", inputs_, "input encodings in hex, in port order")->required();
    return cmd;
  }

  int run() override {
    auto unit = buildUnit();
    if (unit->streamGroup() > 1)
      throw UsageError(fmt::format("eval: {} takes a block over {} input beats, not one vector; accepted: the same "
                                   "options without --lanes (the values are the same), or `verify`",
                                   unit->moduleName(), unit->streamGroup()));
    const auto& ins = unit->inputs();
    if (inputs_.size() != ins.size()) {
      std::string names;
      for (const PortInfo& p : ins) names += " " + p.name;
      throw UsageError(fmt::format("eval {} takes {} hex inputs ({}), got {}", unit->operatorName(), ins.size(),
                                   names.substr(1), inputs_.size()));
    }
    std::vector<uint32_t> in, out(unit->outputWords());
    for (size_t i = 0; i < ins.size(); ++i)
      for (uint32_t w : parseInputWords(inputs_[i], ins[i])) in.push_back(w);
    unit->emulate(in.data(), out.data());
    std::cout << "inputs:  " << verif::describeInputs(*unit, in.data()) << "\n";
    std::cout << "outputs: " << verif::describeOutputs(*unit, out.data()) << "\n";
    return kExitOk;
  }

 private:
  std::vector<std::string> inputs_;
};

}  // namespace

std::unique_ptr<Command> makeEvalCommand() { return std::make_unique<EvalCommand>(); }

}  // namespace nf::cli
