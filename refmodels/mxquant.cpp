#include "refmodels/mxquant.h"

#include <algorithm>
#include <cmath>

#include "refmodels/named.h"
#include "refmodels/operand.h"

namespace nf {

MxElemLimits mxElemLimits(const Format& elem) {
  MxElemLimits l;
  if (elem.kind == FormatKind::Int) {
    l.emax = 0;
    l.manBits = elem.intBits - 2;
    l.maxSig = (uint64_t(1) << (elem.intBits - 1)) - 1u;
  } else {
    l.emax = elem.emax();
    l.manBits = elem.manBits;
    l.maxSig = (elem.maxFiniteMag() & ((1u << elem.manBits) - 1u)) | (uint64_t(1) << elem.manBits);
  }
  return l;
}

double mxElemMax(const Format& elem) {
  const MxElemLimits l = mxElemLimits(elem);
  return std::ldexp(double(l.maxSig), l.emax - l.manBits);
}

namespace {
constexpr Named<MxScaleRule> kScaleRuleWords[] = {
    {MxScaleRule::Floor, "floor"}, {MxScaleRule::Ceil, "ceil"}, {MxScaleRule::Even, "even"},
    {MxScaleRule::RCeil, "rceil"},
};
}  // namespace

const char* mxScaleRuleName(MxScaleRule r) { return wordOf(kScaleRuleWords, r); }

bool parseMxScaleRule(const std::string& s, MxScaleRule& out) { return parseWord(kScaleRuleWords, s, out); }

uint64_t mxScaleThreshold(MxScaleRule rule, const MxElemLimits& lim) {
  switch (rule) {
    case MxScaleRule::Floor: return ~uint64_t(0);  // nothing is above it
    case MxScaleRule::Ceil: return uint64_t(1) << 63;  // any m > 1
    // m >= 2 - 2^-(manBits+1): m * 2^63 > 2^64 - 1 - 2^(62 - manBits).
    case MxScaleRule::Even: return ~uint64_t(0) - (uint64_t(1) << (62 - lim.manBits));
    // amax / 2^(E - emax) lies in [2^emax, 2^(emax+1)); past max normal when m beats its significand.
    case MxScaleRule::RCeil: return lim.maxSig << (63 - lim.manBits);
  }
  return ~uint64_t(0);
}

int mxSharedExponent(const MxQuantSpec& spec, const Decoded* v, int n) {
  const MxElemLimits lim = mxElemLimits(spec.elem);
  bool any = false;
  Magnitude amax;
  for (int i = 0; i < n; ++i) {
    if (v[i].cls != FpClass::Normal && v[i].cls != FpClass::Subnormal) continue;
    const Magnitude m = magnitudeOf(v[i]);
    if (!any || m > amax) amax = m;
    any = true;
  }
  if (!any) return kMxScaleMin;
  int s = amax.exp - lim.emax;
  if (amax.aligned > mxScaleThreshold(spec.rule, lim)) s += 1;
  return std::clamp(s, kMxScaleMin, kMxScaleMax);
}

uint32_t mxQuantizeElement(const MxQuantSpec& spec, const Decoded& v, int s, uint32_t srRandom) {
  if (v.cls == FpClass::Zero) return spec.elem.kind == FormatKind::Int ? 0u : packZero(v.sign, spec.elem).bits;
  if (spec.elem.kind == FormatKind::Int) {
    // 1.(N-2) fixed point, clamped symmetrically at +-(2^(N-1) - 1).
    const RoundOptions opt{spec.mode, true, false};
    return roundToInt<uint64_t>(v.sign, v.exp - s + spec.elem.intBits - 2, v.sig, spec.elem, opt, 0, IntRange::Symmetric)
        .bits;
  }
  RoundOptions opt{spec.mode, true, false, spec.srBits};
  opt.srVariant = spec.srVariant;
  return roundPack<uint64_t>(v.sign, v.exp - s, v.sig, false, spec.elem, opt, srRandom).bits;
}

namespace {

// Format::decode for the signed IEEE-style input formats mxquant accepts, inline for the tensor-rate path.
inline Decoded decodeInput(const Format& f, uint32_t bits) {
  if (f.nonFinite != NonFinite::IEEE || f.zeroExpIsNormal || !f.subnormals) return f.decode(bits);
  Decoded d;
  const uint32_t manMask = (1u << f.manBits) - 1u;
  const uint32_t field = (bits >> f.manBits) & uint32_t(f.expFieldMax());
  const uint32_t man = bits & manMask;
  d.sign = (bits >> (f.expBits + f.manBits)) & 1u;
  if (field == uint32_t(f.expFieldMax())) {
    d.cls = man ? FpClass::NaN : FpClass::Inf;
  } else if (field == 0) {
    d.cls = man ? FpClass::Subnormal : FpClass::Zero;
    d.sig = man;
    d.exp = man ? 1 - f.bias - f.manBits : 0;
  } else {
    d.cls = FpClass::Normal;
    d.sig = man | (manMask + 1u);
    d.exp = int(field) - f.bias - f.manBits;
  }
  return d;
}

}  // namespace

void mxQuantize(const MxQuantSpec& spec, const uint32_t* x, uint32_t& scale, uint32_t* q, const uint32_t* sr) {
  Decoded buf[64];
  std::vector<Decoded> heap;
  Decoded* v = buf;
  if (spec.block > 64) {
    heap.resize(size_t(spec.block));
    v = heap.data();
  }
  bool special = false;
  for (int i = 0; i < spec.block; ++i) {
    v[i] = decodeInput(spec.in, x[i]);
    special = special || v[i].cls == FpClass::NaN || v[i].cls == FpClass::Inf;
  }
  if (special) {
    scale = kE8M0NaN;
    std::fill(q, q + spec.block, 0u);
    return;
  }
  const int s = mxSharedExponent(spec, v, spec.block);
  scale = uint32_t(s + kE8M0Bias);
  for (int i = 0; i < spec.block; ++i) q[i] = mxQuantizeElement(spec, v[i], s, sr ? sr[i] : 0u);
}

MxQuantStream::MxQuantStream(const MxQuantSpec& spec, int lanes)
    : spec_(spec), lanes_(lanes), bank_(spec.srSeed, lanes, std::max(spec.srBits, 1)), bits_(size_t(spec.block)) {}

void MxQuantStream::block(const uint32_t* x, const uint32_t* sr, uint32_t& scale, uint32_t* q) {
  const bool lfsr = spec_.mode == Rounding::SR && spec_.srSource == SrSource::Lfsr;
  if (lfsr) {
    const int L = lanes_;
    for (int beat = 0; beat < spec_.block / L; ++beat) {
      for (int i = 0; i < L; ++i) bits_[size_t(beat * L + i)] = bank_.field(i);
      bank_.step();
    }
    sr = bits_.data();
  }
  mxQuantize(spec_, x, scale, q, spec_.mode == Rounding::SR ? sr : nullptr);
}

}  // namespace nf
