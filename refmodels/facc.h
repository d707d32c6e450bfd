// facc: a rounding accumulator / MAC. Each valid cycle acc <- round((clear ? identity : acc) + x), or
// + a * b with --mac (one rounding, an fma). The identity is -0 (+0 under rdn), the one zero whose sum with
// any x is exactly x, so a clear cycle loads round(x) with the IEEE sign of zero.
#pragma once

#include <optional>

#include "refmodels/fadd.h"
#include "refmodels/fma.h"

namespace nf {

struct FaccSpec {
  Format a;
  std::optional<Format> b;  // --mac: products a * b
  Format out;               // the accumulator's format
  RoundOptions round;            // round.mode is used unless dynamicRounding
  bool dynamicRounding = false;  // an `rm` port selects each accumulation's mode
  bool flagsPort = false;

  FaddSpec addSpec() const;  // acc (out) + a -> out
  FmaSpec macSpec() const;   // a * b + acc (out) -> out
  uint32_t identity(Rounding mode) const;
};

class FaccModel {
 public:
  explicit FaccModel(const FaccSpec& s) : s_(s), add_(s.addSpec()), mac_(s.macSpec()) {}
  // One valid input, accumulated with rounding `mode` (a clear starts from that mode's identity): the
  // accumulator after it and the flags of that accumulation.
  Packed step(uint32_t a, uint32_t b, bool clear, Rounding mode);

 private:
  FaccSpec s_;
  FaddSpec add_;
  FmaSpec mac_;
  uint32_t acc_ = 0;  // +0 after reset
};

}  // namespace nf
