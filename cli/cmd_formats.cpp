// numforge formats: the preset formats with their ranges and specials, and the custom-format syntax.
#include <fmt/format.h>

#include <cmath>
#include <iostream>

#include "cli/commands.h"
#include "refmodels/format.h"

namespace nf::cli {
namespace {

std::string human(double v) {
  if (std::isnan(v)) return "NaN";
  return fmt::format("{}", v);
}

class FormatsCommand final : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    return app.add_subcommand("formats", "list the preset formats and the custom-format syntax");
  }

  int run() override {
    std::cout << fmt::format("{:<11} {:>4}  {:<46} {:>14} {:>14} {:>14}\n", "name", "bits", "layout", "max finite",
                             "min normal", "min subnormal");
    std::vector<Format> all = presetFormats();
    all.insert(all.end(), p3109Presets().begin(), p3109Presets().end());  // IEEE P3109's binary8 family
    for (const Format& f : all) {
      if (!f.isFloat()) {
        std::cout << fmt::format("{:<11} {:>4}  {}\n", f.name, f.width(), f.describe());
        continue;
      }
      std::string specials;
      if (f.hasInf()) specials = fmt::format("Inf 0x{:x}, NaN 0x{:x}", f.infMag(), f.canonicalNaN());
      else if (f.hasNaN()) specials = fmt::format("NaN 0x{:x}", f.canonicalNaN());
      else specials = "no NaN/Inf";
      const std::string sub = f.minSubnormalMag() != f.minNormalMag() ? human(f.toDouble(f.minSubnormalMag())) : "-";
      std::cout << fmt::format("{:<11} {:>4}  {:<46} {:>14} {:>14} {:>14}  {}\n", f.name, f.width(), f.describe(),
                               human(f.toDouble(f.maxFiniteMag())), human(f.toDouble(f.minNormalMag())), sub,
                               specials);
    }
    std::cout << "\nCustom formats: " << formatSyntaxHelp() << "\n";
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<Command> makeFormatsCommand() { return std::make_unique<FormatsCommand>(); }

}  // namespace nf::cli
