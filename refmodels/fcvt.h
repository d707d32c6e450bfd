// fcvt: z = convert(a) between any two formats (floating point or integer), rounding with roundPack /
// roundToInt, including stochastic rounding from caller-supplied random bits.
#pragma once

#include <cstdint>
#include <vector>

#include "refmodels/format.h"
#include "refmodels/rounding.h"

namespace nf {

// SR only: the random bits come from an sr_bits port, or from an LFSR inside the unit (SrLfsr below).
enum class SrSource { Port, Lfsr };

struct FcvtSpec {
  Format a, out;
  using SrSource = nf::SrSource;
  SrSource srSource = SrSource::Port;
  uint32_t srSeed = 1;  // the LFSR's state after reset (nonzero)
  RoundOptions round;            // round.mode is used unless dynamicRounding; round.srBits under SR
  bool dynamicRounding = false;  // an `rm` port selects the mode per operation (not SR)
  bool daz = false;              // subnormal inputs read as zero of the same sign
  bool flagsPort = false;
};

// Every finite input value is representable in the output: no rounding, overflow or underflow can occur.
bool fcvtIsExact(const Format& a, const Format& out, bool daz);
// Default --sr-bits: 16, or a's significand width when smaller (a result can never drop more bits than a
// has, so more random bits than that only reach below the value).
int fcvtDefaultSrBits(const Format& a);

// The bit-accurate result of the generated unit for input `a`. `srRandom` is the sr_bits port (SR only).
Packed fcvtModel(const FcvtSpec& spec, uint32_t a, Rounding mode, uint32_t srRandom = 0);

// The same model through lookup tables where the result depends on few input bits (not SR, not dyn):
// inputs of at most 16 bits use a full table; 32-bit float inputs converted to float outputs that drop at least
// 17 significand bits use a table indexed by the top 16 bits and whether any of the low 16 is set.
class FcvtFastModel {
 public:
  explicit FcvtFastModel(const FcvtSpec& spec);
  bool hasTable() const { return kind_ != Kind::None; }
  Packed operator()(uint32_t a, Rounding mode, uint32_t srRandom = 0) const {
    switch (kind_) {
      case Kind::Full: return full_[a & mask_];
      case Kind::High16: {
        const uint16_t e = high_[high16Index(a)];
        return {uint32_t(e & 0x7FFu), uint8_t(e >> 11)};
      }
      default: return fcvtModel(spec_, a, mode, srRandom);
    }
  }
  // Result encodings only, n at a time (the quantizer's hot loop).
  void convertBits(const uint32_t* in, uint32_t* out, size_t n) const;

 private:
  static uint32_t high16Index(uint32_t a) { return ((a >> 16) << 1) | uint32_t((a & 0xFFFFu) != 0); }
  enum class Kind { None, Full, High16 } kind_ = Kind::None;
  FcvtSpec spec_;
  uint32_t mask_ = 0;
  std::vector<Packed> full_;
  std::vector<uint16_t> high_;     // result bits (at most 11) | flags << 11
  std::vector<uint8_t> highBits_;  // result bits alone when they fit a byte: half the cache footprint
  // binary32 -> narrow float, rne, without tables: integer rounding for normal results and the FPU's own
  // round-to-nearest-even (x + 2^(emin - M + 23)) for subnormal ones; the loop vectorizes.
  struct Arith {
    bool on = false;
    int shift = 0;            // 23 - M
    uint32_t rebias = 0;      // (127 - bias) << M
    uint32_t minNormal = 0;   // binary32 encoding of out's smallest normal
    float magic = 0;          // 2^(emin - M + 23)
    uint32_t maxMag = 0, ovfMag = 0, nan = 0, signShift = 0;
    bool ovfIsNaN = false;
  } arith_;
};

// The random-bit source of `--sr-source lfsr`, shared by the model and (as its Verilog twin) the generated unit:
// Marsaglia's 32-bit xorshift (x ^= x << 13; x ^= x >> 17; x ^= x << 5), a linear feedback shift register over
// GF(2) with period 2^32 - 1. A conversion reads the top R bits of the state, then the state advances once per
// valid input (not per cycle), so results do not depend on bubbles. The state must not be 0.
class SrLfsr {
 public:
  explicit SrLfsr(uint32_t seed) : state_(seed) {}
  uint32_t state() const { return state_; }
  uint32_t bits(int R) const { return state_ >> (32 - R); }
  void step() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
  }

 private:
  uint32_t state_;
};

// `fields` random fields of R bits per step for units that round several values at once (mxquant): G =
// ceil(fields * R / 32) SrLfsr generators whose states, generator 0 first, form one 32G-bit word W read from the
// top, field i being W's bits [32G - 1 - R*i, 32G - R*(i+1)]. Generator 0 starts at the seed, so a one-field
// bank is SrLfsr itself; generator g starts at seed * (2 * 0x9E3779B9 * g + 1) mod 2^32, an odd multiple of a
// nonzero seed and so nonzero. All generators step together.
class SrLfsrBank {
 public:
  SrLfsrBank(uint32_t seed, int fields, int R);
  static uint32_t seedOf(uint32_t seed, int generator) { return seed * (2u * 0x9E3779B9u * uint32_t(generator) + 1u); }
  int generators() const { return int(gens_.size()); }
  uint32_t field(int i) const;
  void step() {
    for (SrLfsr& g : gens_) g.step();
  }

 private:
  int R_;
  std::vector<SrLfsr> gens_;
};

}  // namespace nf
