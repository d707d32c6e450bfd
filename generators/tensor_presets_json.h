// The tensor-core presets as JSON: one table for `numforge presets --json` and the Python `numforge.presets()`.
#pragma once

#include <nlohmann/json.hpp>

#include "refmodels/tensor_presets.h"

namespace nf {

// The presets' rounding modes (every one is rtz or rne).
inline const char* presetRoundName(Rounding r) { return r == Rounding::RTZ ? "rtz" : "rne"; }

inline nlohmann::json tensorCorePresetJson(const TensorCorePreset& p) {
  nlohmann::json j;
  j["name"] = p.name;
  j["instruction"] = p.instruction;
  j["formats"] = {{"a", p.a}, {"b", p.b}, {"c", p.c}, {"out", p.out}};
  j["n"] = p.n;
  j["group"] = p.group ? p.group : p.n;
  j["align_bits"] = p.alignBits;
  j["out_frac_bits"] = p.outFracBits ? p.outFracBits : 23;
  j["round"] = presetRoundName(p.round);
  j["rules"] = {{"zero_exp", p.rules.zeroExp ? nlohmann::json(*p.rules.zeroExp) : nlohmann::json("exclude")},
                {"overflow", p.rules.overflowToInf ? "inf" : "ieee"},
                {"nan", p.rules.canonicalNaN ? "ones" : "ieee"},
                {"zero_sign", p.rules.positiveZero ? "positive" : "ieee"},
                {"product_overflow", p.rules.productOverflowToInf ? "inf" : "ieee"},
                {"c_to_out", p.rules.convertC ? "rne" : "off"}};
  if (p.rules.twoLevel)
    j["rules"]["two_level"] = {{"sum_bits", p.rules.twoLevel->sumBits}, {"c_bits", p.rules.twoLevel->addendBits}};
  j["source"] = p.source;
  j["differs_from_ieee"] = p.differs;
  return j;
}

inline nlohmann::json tensorCorePresetsJson() {
  nlohmann::json all = nlohmann::json::array();
  for (const TensorCorePreset& p : tensorCorePresets()) all.push_back(tensorCorePresetJson(p));
  return all;
}

}  // namespace nf
