// kulisch: an exact fixed-point accumulator of products a*b (or values a) read out with one rounding.
//
// Timing (the RTL, cycle for cycle; where its --stages registers go is generators/kulisch.cpp's): a term
// accepted with valid_in passes `termStages` input pipeline registers, is added at the accumulator register's
// edge (clear replaces the sum by this term), and the read-out of the sum including it (z, flags, overflow)
// appears `readoutStages` registers later: latency 1 + termStages + readoutStages = 1 + stages. One term per
// cycle at any latency; a bubble (valid_in low)
// leaves the sum alone. `clear` and `rm` (dynamic rounding) travel with their term, so the read-out after
// a term is rounded with that term's mode, and `overflow` and the NaN/Inf memory restart with the term that
// carries clear. The model steps once per valid term and returns what the unit shows for it.
#pragma once

#include <optional>

#include "refmodels/fixed_sum.h"

namespace nf {

struct KulischSpec {
  Format a;
  std::optional<Format> b;  // products when present, values otherwise
  Format out;
  RoundOptions round;            // round.mode is used unless dynamicRounding
  bool dynamicRounding = false;  // an `rm` port selects the read-out's mode with each term
  int carryBits = 16;            // 2^carryBits worst-case terms never overflow
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
  // clear starts a new sum with this cycle's term; `mode` rounds the read-out after it.
  Output step(uint32_t a, uint32_t b, bool clear, Rounding mode);
  Output read(Rounding mode) const;

 private:
  KulischSpec spec_;
  FixedSum sum_;
  SumSpecials specials_;
  bool overflow_ = false;
};

}  // namespace nf
