// mxquant: OCP Microscaling v1.0 block quantization. A block of K values of one input format becomes one
// E8M0 shared scale X = 2^s and K elements P_i = round(V_i / X) in an element format.
//
// Rules (also the README's; the generated RTL implements exactly these):
// - Scale rule (docs/operators/mxquant.md (scale rules)): with amax = m * 2^E, m in [1, 2), every rule is
//   floor's s = E - emax_elem or one more, the one more when m passes the rule's threshold:
//   floor (OCP v1.0): never; elements above the element's max normal are clamped to it.
//   ceil: m > 1, so s = ceil(log2(amax)) - emax_elem.
//   even: m >= 2 - 2^-(p_elem), so s = floor(log2(amax rounded to the element's p_elem = manBits+1 bits,
//     ties away from zero)) - emax_elem (torchao's EVEN: add half an element ulp to amax, keep its exponent).
//   rceil: m > max normal's significand, so s is the smallest with amax / 2^s <= max normal.
// - emax_elem is the exponent of the element's largest binade (e4m3 8, e5m2 15, e3m2 4, e2m3 2, e2m1 2);
//   an integer element intN is 1.(N-2) fixed point (int8: q / 64, |q| <= 127), emax 0.
// - s is clamped to the E8M0 range [-127, 127]; elements then saturate at +-max (they never overflow).
// - A block of zeros has s = -127 (scale 0x00) and signed-zero elements.
// - A block holding any NaN or Inf gives the NaN scale 0xFF and all-zero elements (OCP: a NaN scale makes
//   every value of the block NaN, whatever the elements hold).
// - Elements round with roundPack (float elements, satfinite) or the same decisions on fixed point (int).
// - Stochastic rounding (float elements): x_i / 2^s rounded by P3109's variant A (truncate(|.| + r_i * 2^(lsb - R)),
//   the default), B or C with r_i the element's R random bits, as fcvt's --round sr (the same roundPack path).
// - --lanes L: the unit takes L elements per cycle over K/L beats; the values are the same (MxQuantStream).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "refmodels/fcvt.h"
#include "refmodels/format.h"
#include "refmodels/rounding.h"

namespace nf {

enum class MxScaleRule : uint8_t { Floor, RCeil, Ceil, Even };
const char* mxScaleRuleName(MxScaleRule r);
bool parseMxScaleRule(const std::string& s, MxScaleRule& out);
inline constexpr const char* kMxScaleRuleChoices = "floor, ceil, even, rceil";

inline constexpr int kE8M0Bias = 127;
inline constexpr int kMxScaleMin = -127, kMxScaleMax = 127;
inline constexpr uint32_t kE8M0NaN = 0xFF;

struct MxQuantSpec {
  Format in;    // fp32, bf16, fp16 (any signed IEEE-style float)
  Format elem;  // a signed float format or a signed intN (1.(N-2) fixed point)
  int block = 32;
  MxScaleRule rule = MxScaleRule::Floor;
  Rounding mode = Rounding::RNE;
  int srBits = 0;  // mode == SR: random bits R per element
  SrVariant srVariant = SrVariant::A;  // mode == SR: P3109's stochastic variant (nf::detail::srRoundsUp)
  SrSource srSource = SrSource::Port;
  uint32_t srSeed = 1;  // SrSource::Lfsr: the state of the first generator after reset
};

// The element format's largest normal, as maxSig * 2^(emax - manBits) with maxSig of manBits+1 bits.
struct MxElemLimits {
  int emax = 0;
  int manBits = 0;
  uint64_t maxSig = 0;
};
MxElemLimits mxElemLimits(const Format& elem);
double mxElemMax(const Format& elem);
// The rule's threshold on amax's significand left-aligned at bit 63 (m * 2^63): s is one more than floor's
// when the significand is above it. The RTL compares its significand bits with the top bits of this.
uint64_t mxScaleThreshold(MxScaleRule rule, const MxElemLimits& lim);

// The shared exponent of a block of decoded values (no NaN/Inf among them), clamped to [-127, 127].
int mxSharedExponent(const MxQuantSpec& spec, const Decoded* v, int n);
// One element: the decoded finite value times 2^-s, rounded (saturating) to the element format; `srRandom` is
// its R random bits under Rounding::SR.
uint32_t mxQuantizeElement(const MxQuantSpec& spec, const Decoded& v, int s, uint32_t srRandom = 0);

// The whole block: x[0..block) input encodings -> scale (E8M0 encoding) and q[0..block) element encodings.
// Under Rounding::SR, sr[i] holds element i's random bits.
void mxQuantize(const MxQuantSpec& spec, const uint32_t* x, uint32_t& scale, uint32_t* q, const uint32_t* sr = nullptr);

// The unit as a stream, from reset: a block is K/L consecutive beats of L elements (L = K without --lanes; the
// lanes are the unit's architecture, passed here because the LFSR's random bits follow the beats).
// With an LFSR source, a bank of SrLfsrBank(seed, L, R) gives each rounded beat of L elements its random bits
// (field i to the beat's element i) and then steps: once per block in the parallel unit, once per output beat
// with lanes. Port sources give the bits with the elements.
class MxQuantStream {
 public:
  MxQuantStream(const MxQuantSpec& spec, int lanes);
  // One block: x[0..K) and, for an sr port, sr[0..K) -> scale and q[0..K).
  void block(const uint32_t* x, const uint32_t* sr, uint32_t& scale, uint32_t* q);

 private:
  MxQuantSpec spec_;
  int lanes_;
  SrLfsrBank bank_;
  std::vector<uint32_t> bits_;
};

}  // namespace nf
