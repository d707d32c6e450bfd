// What the model-vs-oracle sweeps of the arithmetic operators (fmul, fadd, fma) share: the presets they pair,
// the directed rounding modes, and the saturate/ftz/daz variants.
#pragma once

#include <string>
#include <vector>

#include "refmodels/rounding.h"

namespace nf::test {

inline const std::vector<std::string> kFloatPresets = {"fp32",     "fp16",     "bf16", "tf32", "e5m2", "e4m3",
                                                       "e5m2fnuz", "e4m3fnuz", "e3m2", "e2m3", "e2m1"};
inline constexpr Rounding kDirectedModes[] = {Rounding::RNE, Rounding::RTZ, Rounding::RDN,
                                              Rounding::RUP, Rounding::RNA, Rounding::ROD};

struct Variant {
  bool saturate = false, ftz = false, daz = false;
  std::string name() const {
    std::string s;
    if (saturate) s += "sat";
    if (ftz) s += s.empty() ? "ftz" : "_ftz";
    if (daz) s += s.empty() ? "daz" : "_daz";
    return s.empty() ? "plain" : s;
  }
};

}  // namespace nf::test
