// An operand as every floating-point model sees it: decoded (daz applied) and whether it is a signaling NaN,
// plus a decode table for formats up to 16 bits (co-simulation speed).
#pragma once

#include <bit>
#include <compare>
#include <cstdint>
#include <vector>

#include "refmodels/format.h"

namespace nf {

struct FpOperand {
  Decoded d;
  bool signaling = false;
};

// A finite nonzero value's magnitude as the exponent of its leading bit and its significand left-aligned at
// bit 63: magnitudes order exactly as these pairs do (a block's amax, subnormals counted with their value).
struct Magnitude {
  int exp = 0;
  uint64_t aligned = 0;
  auto operator<=>(const Magnitude&) const = default;
};
inline Magnitude magnitudeOf(const Decoded& v) {
  const int lz = std::countl_zero(v.sig);
  return {v.exp + 63 - lz, v.sig << lz};
}

inline FpOperand fpOperand(const Format& f, uint32_t bits, bool daz) {
  FpOperand o;
  o.d = f.decode(bits);
  o.signaling = f.isSignalingNaN(bits);
  if (daz && o.d.cls == FpClass::Subnormal) {
    o.d.cls = FpClass::Zero;
    o.d.sig = 0;
  }
  return o;
}

// fpOperand for every encoding of a format of at most 16 bits, 8 bytes an entry (a 16-bit table stays in L2).
// Wider formats decode on the fly.
class OperandTable {
 public:
  OperandTable(const Format& f, bool daz) : f_(f), daz_(daz) {
    if (f.width() > 16) return;
    t_.resize(size_t(1) << f.width());
    for (uint32_t x = 0; x < t_.size(); ++x) {
      const FpOperand o = fpOperand(f, x, daz);
      t_[x] = {uint32_t(o.d.sig), int16_t(o.d.exp), uint8_t(o.d.cls), uint8_t((o.d.sign ? 1 : 0) | (o.signaling ? 2 : 0))};
    }
  }
  // 8 bytes an entry, so a 16-bit format's table stays in the L2 cache.
  struct Entry {
    uint32_t sig;
    int16_t exp;
    uint8_t cls;
    uint8_t signAndSignaling;  // bit 0 sign, bit 1 signaling NaN
  };
  // Whether the format is tabled; then entry() gives a caller's fast path the raw decoded fields.
  bool tabled() const { return !t_.empty(); }
  const Entry& entry(uint32_t bits) const { return t_[bits & f_.mask()]; }
  FpOperand operator()(uint32_t bits) const {
    if (t_.empty()) return fpOperand(f_, bits, daz_);
    const Entry e = t_[bits & f_.mask()];
    FpOperand o;
    o.d.cls = FpClass(e.cls);
    o.d.sign = e.signAndSignaling & 1;
    o.signaling = e.signAndSignaling >> 1;
    o.d.exp = e.exp;
    o.d.sig = e.sig;
    return o;
  }

 private:
  Format f_;
  bool daz_;
  std::vector<Entry> t_;
};

}  // namespace nf
