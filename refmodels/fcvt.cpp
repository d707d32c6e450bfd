#include "refmodels/fcvt.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace nf {

bool fcvtIsExact(const Format& a, const Format& out, bool daz) {
  if (a.isSigned && !out.isSigned) return false;
  if (out.kind == FormatKind::Int) {
    if (a.kind != FormatKind::Int) return false;  // fractions, Inf and NaN never convert exactly
    const int64_t minA = a.isSigned ? -(int64_t(1) << (a.intBits - 1)) : 0;
    const int64_t maxA = a.isSigned ? (int64_t(1) << (a.intBits - 1)) - 1 : (int64_t(1) << a.intBits) - 1;
    const int64_t minZ = out.isSigned ? -(int64_t(1) << (out.intBits - 1)) : 0;
    const int64_t maxZ = out.isSigned ? (int64_t(1) << (out.intBits - 1)) - 1 : (int64_t(1) << out.intBits) - 1;
    return minA >= minZ && maxA <= maxZ;
  }
  if (!out.hasZero()) return false;
  // Can out hold every value whose leading bit has exponent `lead` and lowest set bit at or above `lsb`?
  auto holds = [&](int lead, int lsb) {
    if (lead < out.emin() && (!out.subnormals || out.manBits == 0)) return false;
    return lsb >= std::max(lead, out.emin()) - out.manBits;
  };
  if (a.kind == FormatKind::Int) {
    const int maxLead = a.intBits - 1;
    const double maxA = a.isSigned ? double(uint64_t(1) << (a.intBits - 1)) : double((uint64_t(1) << a.intBits) - 1);
    if (maxA > out.toDouble(out.maxFiniteMag())) return false;
    for (int lead = 0; lead <= maxLead; ++lead)
      if (!holds(lead, 0)) return false;
    return true;
  }
  if (a.hasInf() && !out.hasInf()) return false;
  if (a.hasNaN() && !out.hasNaN()) return false;
  if (!a.hasZero()) return false;  // a's values include 2^emin-ish constants; keep E8M0 inputs on the rounding path
  if (a.toDouble(a.maxFiniteMag()) > out.toDouble(out.maxFiniteMag())) return false;
  const bool sub = a.subnormals && !daz && a.manBits > 0;
  const int lowestLead = sub ? a.emin() - a.manBits : a.emin();
  for (int lead = lowestLead; lead <= a.emax(); ++lead)
    if (!holds(lead, lead < a.emin() ? a.emin() - a.manBits : lead - a.manBits)) return false;
  return true;
}

int fcvtDefaultSrBits(const Format& a) {
  const int precision = a.kind == FormatKind::Int ? a.intBits : a.precision();
  return std::min(16, precision);
}

namespace {
// P3109 v4.0: a negative value (or -Inf) converted to an unsigned format is NaN, except under toward-zero and
// toward-positive rounding, which give 0; a negative value that rounds to zero (an underflow) is 0 in any mode.
Packed negativeToUnsignedP3109(int exp, uint64_t sig, bool infinite, const Format& Z, const RoundOptions& opt,
                               uint32_t srRandom) {
  if (opt.mode == Rounding::RTZ || opt.mode == Rounding::RUP) return {0u, kFlagInexact};
  if (!infinite) {
    // Rounding -x is rounding x with rdn and rup exchanged (rup is gone already).
    RoundOptions mirrored = opt;
    if (opt.mode == Rounding::RDN) mirrored.mode = Rounding::RUP;
    const Packed r = roundPack<uint64_t>(false, exp, sig, false, Z, mirrored, srRandom);
    if (r.bits == 0) return r;
  }
  return packNaN(Z, kFlagInvalid);
}
}  // namespace

Packed fcvtModel(const FcvtSpec& spec, uint32_t bits, Rounding mode, uint32_t srRandom) {
  const Format& A = spec.a;
  const Format& Z = spec.out;
  RoundOptions opt = spec.round;
  opt.mode = mode;
  bool sign = false;
  int exp = 0;
  uint64_t sig = 0;
  if (A.kind == FormatKind::Int) {
    bits &= A.mask();
    sign = A.isSigned && (bits & A.signBit());
    sig = sign ? (uint64_t(1) << A.intBits) - bits : bits;
  } else {
    const Decoded d = A.decode(bits);
    sign = d.sign;
    switch (d.cls) {
      case FpClass::NaN: {
        const uint8_t invalid = A.isSignalingNaN(bits) ? kFlagInvalid : 0;
        if (Z.kind == FormatKind::Int) return {0u, kFlagInvalid};  // NaN -> 0, invalid (not saturated)
        return packNaN(Z, invalid);
      }
      case FpClass::Inf:
        if (Z.kind == FormatKind::Int) return roundToInt<uint64_t>(sign, Z.intBits + 1, 1, Z, opt);
        if (sign && !Z.isSigned)
          return Z.isP3109() ? negativeToUnsignedP3109(0, 0, true, Z, opt, srRandom) : packNaN(Z, kFlagInvalid);
        return packInfinity(sign, Z, opt);
      case FpClass::Subnormal:
        if (!spec.daz) {
          sig = d.sig;
          exp = d.exp;
        }
        break;
      case FpClass::Normal:
        sig = d.sig;
        exp = d.exp;
        break;
      case FpClass::Zero: break;
    }
  }
  if (sig == 0) {
    if (Z.kind == FormatKind::Int) return {0u, 0};
    // A format without zero (E8M0) takes its smallest value.
    if (!Z.hasZero()) return {Z.minNormalMag(), uint8_t(kFlagUnderflow | kFlagInexact)};
    return packZero(sign, Z);
  }
  if (Z.kind == FormatKind::Int) return roundToInt<uint64_t>(sign, exp, sig, Z, opt, srRandom);
  if (sign && !Z.isSigned && Z.isP3109()) return negativeToUnsignedP3109(exp, sig, false, Z, opt, srRandom);
  // An unsigned float format holds no negative value: NaN where it has one, else 0, invalid either way.
  if (sign && !Z.isSigned) return Z.hasNaN() ? packNaN(Z, kFlagInvalid) : Packed{0u, kFlagInvalid};
  return roundPack<uint64_t>(sign, exp, sig, false, Z, opt, srRandom);
}

SrLfsrBank::SrLfsrBank(uint32_t seed, int fields, int R) : R_(R) {
  const int n = (fields * R + 31) / 32;
  for (int g = 0; g < n; ++g) gens_.emplace_back(seedOf(seed, g));
}

uint32_t SrLfsrBank::field(int i) const {
  const int fromTop = R_ * i, g = fromTop / 32, offset = fromTop % 32;
  const uint64_t window = (uint64_t(gens_[size_t(g)].state()) << 32) |
                          (size_t(g) + 1 < gens_.size() ? gens_[size_t(g) + 1].state() : 0u);
  return uint32_t((window << offset) >> (64 - R_));
}

FcvtFastModel::FcvtFastModel(const FcvtSpec& spec) : spec_(spec) {
  if (spec.dynamicRounding || spec.round.mode == Rounding::SR) return;
  const Format& A = spec.a;
  const Format& Z = spec.out;
  if (A.width() <= 16) {
    kind_ = Kind::Full;
    mask_ = A.mask();
    full_.resize(size_t(1) << A.width());
    for (uint32_t x = 0; x < full_.size(); ++x) full_[x] = fcvtModel(spec, x, spec.round.mode);
    return;
  }
  // The low 16 input bits lie at least one bit below the round bit of every alignment: only whether
  // any is set (sticky, and NaN versus Inf) can change the result.
  if (A.width() == 32 && A.isFloat() && Z.isFloat() && Z.width() <= 11 && A.manBits - Z.manBits >= 17 &&
      (!A.subnormals || spec.daz || A.emin() - A.manBits < Z.emin() - Z.manBits)) {
    kind_ = Kind::High16;
    high_.resize(size_t(1) << 17);
    for (uint32_t i = 0; i < high_.size(); ++i) {
      const Packed p = fcvtModel(spec, ((i >> 1) << 16) | (i & 1u), spec.round.mode);
      high_[i] = uint16_t(p.bits | (uint32_t(p.flags) << 11));
    }
    const bool binary32 = A.expBits == 8 && A.manBits == 23 && A.bias == 127 && A.nonFinite == NonFinite::IEEE &&
                          A.subnormals && A.isSigned && !spec.daz;
    if (binary32 && spec.round.mode == Rounding::RNE && !spec.round.ftz && Z.isSigned && Z.hasNegZero() &&
        Z.subnormals && Z.manBits >= 1 && Z.emax() < 127 && Z.emin() - Z.manBits > -126 - 23) {
      arith_.on = true;
      arith_.shift = 23 - Z.manBits;
      arith_.rebias = uint32_t(127 - Z.bias) << Z.manBits;
      arith_.minNormal = uint32_t(Z.emin() + 127) << 23;
      arith_.magic = std::ldexp(1.0f, Z.emin() - Z.manBits + 23);
      arith_.maxMag = Z.maxFiniteMag();
      const Packed ovf = roundPack<uint64_t>(false, Z.emax() + 4, 1, false, Z, spec.round);
      arith_.ovfIsNaN = Z.isNaN(ovf.bits);
      arith_.ovfMag = ovf.bits & Z.magMask();
      arith_.nan = Z.canonicalNaN();
      arith_.signShift = uint32_t(Z.width() - 1);
    }
    if (Z.width() <= 8) {
      highBits_.resize(high_.size());
      for (size_t i = 0; i < high_.size(); ++i) highBits_[i] = uint8_t(high_[i] & 0xFFu);
    }
  }
}

void FcvtFastModel::convertBits(const uint32_t* in, uint32_t* out, size_t n) const {
  if (arith_.on) {
    const Arith a = arith_;
    const uint32_t half = (1u << (a.shift - 1)) - 1u;
    const uint32_t magicBits = std::bit_cast<uint32_t>(a.magic);
    // Signed 32-bit lanes and masks instead of branches (every magnitude here is below 2^31).
    const int32_t minNormal = int32_t(a.minNormal), maxMag = int32_t(a.maxMag), ovfMag = int32_t(a.ovfMag);
    const int32_t nan = int32_t(a.nan), rebias = int32_t(a.rebias), ovfNaN = a.ovfIsNaN ? -1 : 0;
    const int sh = a.shift, ss = int(a.signShift);
    const float magic = a.magic;
    const int32_t magicI = int32_t(magicBits);
    for (size_t i = 0; i < n; ++i) {
      const int32_t x = int32_t(in[i]);
      const int32_t abs = x & 0x7FFFFFFF;
      // Unsigned add: a NaN's magnitude plus the rounding increment passes 2^31 (the NaN is replaced below).
      const uint32_t absU = uint32_t(abs);
      const int32_t normal = int32_t((absU + half + ((absU >> sh) & 1u)) >> sh) - rebias;
      const int32_t sub = std::bit_cast<int32_t>(std::bit_cast<float>(abs) + magic) - magicI;
      const int32_t isSub = -int32_t(abs < minNormal);
      int32_t mag = (sub & isSub) | (normal & ~isSub);
      const int32_t ovf = -int32_t(mag > maxMag);  // Inf lands here too, and rounds alike
      mag = (ovfMag & ovf) | (mag & ~ovf);
      const int32_t withSign = int32_t((uint32_t(x) >> 31) << ss) | mag;
      const int32_t toNaN = (ovf & ovfNaN) | -int32_t(abs > 0x7F800000);
      out[i] = uint32_t((nan & toNaN) | (withSign & ~toNaN));
    }
  } else if (!highBits_.empty()) {
    const uint8_t* t = highBits_.data();
    for (size_t i = 0; i < n; ++i) out[i] = t[high16Index(in[i])];
  } else if (kind_ == Kind::High16) {
    const uint16_t* t = high_.data();
    for (size_t i = 0; i < n; ++i) out[i] = t[high16Index(in[i])] & 0x7FFu;
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = (*this)(in[i], spec_.round.mode).bits;
  }
}

}  // namespace nf
