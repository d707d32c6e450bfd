// kulisch: an exact fixed-point accumulator of products a*b (or values a) read out with one rounding.
#pragma once

#include <optional>

#include "refmodels/fixed_sum.h"

namespace nf {

struct KulischSpec {
  Format a;
  std::optional<Format> b;  // products when present, values otherwise
  Format out;
  RoundOptions round;
  int carryBits = 16;  // 2^carryBits worst-case terms never overflow
  bool flagsPort = false;

  TermRange termRange() const { return b ? productRange(a, *b) : valueRange(a); }
  FixedLayout layout() const { return fixedLayout(termRange(), carryBits); }
};

// The accumulator's state and its cycle-by-cycle behaviour: step() is one valid input.
class KulischModel {
 public:
  explicit KulischModel(const KulischSpec& spec) : spec_(spec), sum_(spec.layout()) {}
  struct Output {
    Packed z;
    bool overflow = false;
  };
  // clear starts a new sum with this cycle's term.
  Output step(uint32_t a, uint32_t b, bool clear);
  Output read() const;

 private:
  KulischSpec spec_;
  FixedSum sum_;
  SumSpecials specials_;
  bool overflow_ = false;
};

}  // namespace nf
