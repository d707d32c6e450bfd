// Options shared by the floating-point operators (--round, --saturate, --ftz, --daz, --flags, --stages,
// --name) and the validation that turns their text into values, so every operator rejects bad input alike.
#pragma once

#include <string>

namespace CLI {
class Option;
}

#include "generators/blocks.h"
#include "generators/unit.h"
#include "refmodels/format.h"
#include "refmodels/rounding.h"

namespace nf {

struct CommonFpOptions {
  std::string round = "rne";
  bool saturate = false;
  bool ftz = false;
  bool daz = false;
  bool flags = false;
  int stages = 0;
  std::string name;
  CLI::Option* roundOption = nullptr;

  void add(CLI::App& cmd);
  bool roundGiven() const;
  // The parsed rounding; throws UsageError naming --round and the accepted values.
  blocks::RoundingSel rounding() const;
  void validate() const;
  // The canonical option words for these settings (for headers and manifests).
  void appendArgs(std::vector<std::string>& args) const;
  std::string nameSuffix() const;  // e.g. "_rne_sat_s2"
};

// Parses a format option; throws UsageError naming the option.
Format formatOption(const std::string& option, const std::string& value);
void requireFloat(const std::string& option, const Format& f, const std::string& op);
bool isValidModuleName(const std::string& name);

}  // namespace nf
