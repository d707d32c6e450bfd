// numforge presets: the tensor-core emulation presets of `fdot --emulate`, with their parameters and sources
// (the table is refmodels/tensor_presets.cpp).
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "generators/tensor_presets_json.h"
#include "refmodels/tensor_presets.h"

namespace nf::cli {
namespace {

class PresetsCommand final : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("presets", "list the tensor-core presets of fdot --emulate");
    cmd->add_flag("--json", json_, "print them as JSON");
    return cmd;
  }

  int run() override {
    if (json_) {
      const nlohmann::json all = tensorCorePresetsJson();
      std::cout << all.dump(2) << "\n";
      return kExitOk;
    }
    std::cout << fmt::format("{:<24} {:<6} {:>3} {:>5} {:>3} {:<12} {:<5} {}\n", "preset", "a, b", "n", "group", "F",
                             "z", "round", "instruction");
    for (const TensorCorePreset& p : tensorCorePresets()) {
      const std::string z = p.outFracBits ? fmt::format("{} ({} frac)", p.out, p.outFracBits) : p.out;
      std::cout << fmt::format("{:<24} {:<6} {:>3} {:>5} {:>3} {:<12} {:<5} {}\n", p.name, p.a, p.n,
                               p.group ? p.group : p.n, p.alignBits, z, presetRoundName(p.round), p.instruction);
    }
    printRulesAndSources();
    std::cout << "Use: numforge gen fdot --emulate PRESET -o DIR (also verify, ppa, eval).\n";
    return kExitOk;
  }

 private:
  // The presets sharing rules and a source (NVIDIA's, AMD's), one paragraph each, in table order.
  static void printRulesAndSources() {
    std::vector<std::pair<std::string, std::string>> seen;  // (rules, source)
    for (const TensorCorePreset& p : tensorCorePresets()) {
      const std::pair<std::string, std::string> key{describeAlignRules(p.rules), p.source};
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
      seen.push_back(key);
      std::string names;
      for (const TensorCorePreset& q : tensorCorePresets())
        if (describeAlignRules(q.rules) == key.first && q.source == key.second) names += (names.empty() ? "" : ", ") + q.name;
      std::cout << "\nRules of " << names << ": " << key.first << ".\nSource: " << key.second << ".\n";
    }
  }

  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> makePresetsCommand() { return std::make_unique<PresetsCommand>(); }

}  // namespace nf::cli
