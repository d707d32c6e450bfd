#include "oracles/mpfr_oracle.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <stdexcept>

namespace nfo {

namespace {

constexpr mpfr_prec_t kWork = 192;  // enough for any exact product of two <= 64-bit significands

// Per-thread scratch MPFR variables (MPFR init/clear is the expensive part of a call).
struct Scratch {
  mpfr_t x, t, r, y, maxv;
  Scratch() {
    mpfr_inits2(kWork, x, t, r, y, maxv, (mpfr_ptr)nullptr);
  }
  ~Scratch() { mpfr_clears(x, t, r, y, maxv, (mpfr_ptr)nullptr); }
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

int msb64(uint64_t v) { return 63 - std::countl_zero(v); }

struct Quant {
  uint64_t r = 0;  // magnitude, an integer: result = r * 2^q
  bool inexact = false;
};

// Rounds |x| to an integer multiple of 2^q in the direction `mode` asks for a value of sign `neg`.
// Stochastic rounding (mode SR) follows its definition: floor(|x| / 2^q + r / 2^R), r the R random bits.
Quant quantize(mpfr_srcptr x, long q, nf::Rounding mode, bool neg, int srBits = 0, uint32_t srRandom = 0) {
  Scratch& s = scratch();
  mpfr_set_prec(s.t, mpfr_get_prec(x));
  mpfr_abs(s.t, x, MPFR_RNDN);              // exact
  mpfr_mul_2si(s.t, s.t, -q, MPFR_RNDN);    // exact: power-of-two scaling
  switch (mode) {
    case nf::Rounding::RNE: mpfr_roundeven(s.r, s.t); break;
    case nf::Rounding::RTZ: mpfr_trunc(s.r, s.t); break;
    case nf::Rounding::RUP: neg ? mpfr_trunc(s.r, s.t) : mpfr_ceil(s.r, s.t); break;   // toward +inf
    case nf::Rounding::RDN: neg ? mpfr_ceil(s.r, s.t) : mpfr_trunc(s.r, s.t); break;   // toward -inf
    case nf::Rounding::RNA: mpfr_round(s.r, s.t); break;                                // ties away from zero
    case nf::Rounding::ROD: mpfr_trunc(s.r, s.t); break;                                // fixed below
    case nf::Rounding::SR: {
      mpfr_set_prec(s.y, mpfr_get_prec(s.t) + 64);
      mpfr_set_ui_2exp(s.y, srRandom, -srBits, MPFR_RNDN);  // exact
      mpfr_add(s.y, s.y, s.t, MPFR_RNDN);                   // exact at this precision
      mpfr_floor(s.r, s.y);
      break;
    }
  }
  Quant out;
  out.inexact = mpfr_cmp(s.r, s.t) != 0;
  if (mpfr_cmp_ui(s.r, 1ul << 62) >= 0) throw std::logic_error("oracle: quantized significand too large");
  out.r = mpfr_get_ui(s.r, MPFR_RNDN);
  if (mode == nf::Rounding::ROD && out.inexact) out.r |= 1u;  // round to odd: truncate, then jam a 1
  return out;
}

uint32_t signOf(bool neg, const Spec& s) { return neg ? s.signBit : 0u; }

// Encodes the nonzero value r * 2^q, known to be representable (grid-aligned and not above max finite).
uint32_t encodeFinite(bool neg, uint64_t r, long q, const Spec& s) {
  const int msb = msb64(r);
  const long Er = q + msb;
  uint32_t mag = 0;
  if (Er < s.emin) {
    if (q != s.emin - s.M || !s.subnormals) throw std::logic_error("oracle: subnormal off grid");
    mag = uint32_t(r);  // exponent field 0
  } else {
    uint64_t sig = 0;
    if (msb >= s.M) {
      sig = r >> (msb - s.M);
      if ((sig << (msb - s.M)) != r) throw std::logic_error("oracle: bits lost");
    } else {
      sig = r << (s.M - msb);
    }
    const long field = Er + s.bias;
    mag = uint32_t((uint64_t(field) << s.M) | (sig - (uint64_t(1) << s.M)));
    if (field < (s.noZero ? 0 : 1)) throw std::logic_error("oracle: bad field");
  }
  if (mag > s.maxFiniteMag) throw std::logic_error("oracle: encoded value above max finite");
  return signOf(neg, s) | mag;
}

bool overflowGoesToInfinity(nf::Rounding m, bool neg) {
  return m == nf::Rounding::RNE || m == nf::Rounding::RNA || m == nf::Rounding::SR || (m == nf::Rounding::RUP && !neg) ||
         (m == nf::Rounding::RDN && neg);
}

OResult overflowResult(bool neg, const Spec& s, const OOptions& opt) {
  const uint8_t fl = kOverflow | kInexact;
  if (opt.saturate || s.kind == nf::NonFinite::Finite || !overflowGoesToInfinity(opt.mode, neg))
    return {signOf(neg, s) | s.maxFiniteMag, fl};
  if (s.kind == nf::NonFinite::IEEE) return {signOf(neg, s) | (uint32_t((1u << s.E) - 1u) << s.M), fl};
  return {s.canonicalNaN, fl};  // fn / fnuz: NaN where IEEE gives Inf
}

// Compares |r * 2^q| with the largest finite magnitude: true if greater.
bool aboveMax(uint64_t r, long q, const Spec& s) {
  const int msb = msb64(r);
  const long Er = q + msb;
  if (Er != s.emaxFinite) return Er > s.emaxFinite;
  // Same binade: compare significands aligned to M+1 bits (r has at most M+2 bits and is grid aligned).
  const uint64_t sig = msb >= s.M ? (r >> (msb - s.M)) : (r << (s.M - msb));
  return sig > s.maxSig;
}

void setMaxValue(mpfr_ptr v, const Spec& s) { mpfr_set_ui_2exp(v, s.maxSig, s.emaxFinite - s.M, MPFR_RNDN); }

mpfr_rnd_t magnitudeRnd(nf::Rounding m, bool neg) {
  switch (m) {
    case nf::Rounding::RNE: return MPFR_RNDN;
    case nf::Rounding::RTZ: return MPFR_RNDZ;
    case nf::Rounding::RUP: return neg ? MPFR_RNDZ : MPFR_RNDU;
    case nf::Rounding::RDN: return neg ? MPFR_RNDU : MPFR_RNDZ;
    default: throw std::invalid_argument("oracle: subnormalize path supports rne/rtz/rup/rdn only");
  }
}

}  // namespace

Spec specOf(const nf::Format& f) {
  if (!f.isFloat()) throw std::invalid_argument("oracle: integer formats are not supported");
  Spec s;
  s.E = f.expBits;
  s.M = f.manBits;
  s.bias = f.bias;
  s.isSigned = f.isSigned;
  s.noZero = f.zeroExpIsNormal;
  // With M = 0 and subnormals on, the "subnormal" grid is {0, 2^emin}: values below 2^emin round on it.
  s.subnormals = f.subnormals && !f.zeroExpIsNormal;
  s.kind = f.nonFinite;
  s.width = (s.isSigned ? 1 : 0) + s.E + s.M;
  s.magMask = uint32_t((uint64_t(1) << (s.E + s.M)) - 1u);
  s.signBit = s.isSigned ? (1u << (s.E + s.M)) : 0u;
  s.emin = (s.noZero ? 0 : 1) - s.bias;
  const int fieldMax = (1 << s.E) - 1;
  const uint64_t allOnesSig = (uint64_t(1) << (s.M + 1)) - 1u;  // 1.11...1
  int maxField = fieldMax;
  switch (s.kind) {
    case nf::NonFinite::IEEE:  // all-ones exponent is Inf/NaN
      maxField = fieldMax - 1;
      s.maxSig = allOnesSig;
      break;
    case nf::NonFinite::FN:  // only the all-ones encoding is NaN
      if (s.M > 0) {
        maxField = fieldMax;
        s.maxSig = allOnesSig - 1u;
      } else {
        maxField = fieldMax - 1;
        s.maxSig = 1;
      }
      break;
    case nf::NonFinite::FNUZ:  // NaN is the -0 pattern: every magnitude is finite
    case nf::NonFinite::Finite:
      maxField = fieldMax;
      s.maxSig = allOnesSig;
      break;
    case nf::NonFinite::P3109:  // tests/test_p3109.cpp restates P3109's rules; this oracle only rounds for it
      throw std::invalid_argument("oracle: P3109 formats are checked by test_p3109's own rules");
  }
  s.emaxFinite = maxField - s.bias;
  s.maxFiniteMag = (uint32_t(maxField) << s.M) | uint32_t(s.maxSig & ((uint64_t(1) << s.M) - 1u));
  switch (s.kind) {
    case nf::NonFinite::IEEE: s.canonicalNaN = (uint32_t(fieldMax) << s.M) | (1u << (s.M - 1)); break;
    case nf::NonFinite::FN: s.canonicalNaN = s.magMask; break;
    case nf::NonFinite::FNUZ: s.canonicalNaN = s.signBit; break;
    case nf::NonFinite::Finite: s.canonicalNaN = s.maxFiniteMag; break;
    case nf::NonFinite::P3109: break;  // rejected above
  }
  return s;
}

Val decodeSpec(const nf::Format& f, uint32_t bits) {
  const Spec s = specOf(f);
  const uint32_t mask = s.width >= 32 ? 0xFFFFFFFFu : ((1u << s.width) - 1u);
  bits &= mask;
  Val v;
  v.sign = (bits & s.signBit) != 0;
  const uint32_t mag = bits & s.magMask;
  const uint32_t field = mag >> s.M;
  const uint64_t man = mag & ((1u << s.M) - 1u);
  const uint32_t fieldMax = (1u << s.E) - 1u;
  if (s.kind == nf::NonFinite::FNUZ && bits == s.signBit) {
    v.cls = VClass::QNaN;
    return v;
  }
  if (s.kind == nf::NonFinite::IEEE && field == fieldMax) {
    v.cls = man == 0 ? VClass::Inf : ((man >> (s.M - 1)) & 1u) ? VClass::QNaN : VClass::SNaN;
    return v;
  }
  if (s.kind == nf::NonFinite::FN && mag == s.magMask) {
    v.cls = VClass::QNaN;
    return v;
  }
  if (s.noZero) {  // every exponent field is a normal binade (E8M0)
    v.cls = VClass::Normal;
    v.sig = (uint64_t(1) << s.M) | man;
    v.exp = int(field) - s.bias - s.M;
    return v;
  }
  if (field == 0) {
    if (man == 0 || !s.subnormals) {
      v.cls = VClass::Zero;
      return v;
    }
    v.cls = VClass::Subnormal;
    v.sig = man;
    v.exp = 1 - s.bias - s.M;
    return v;
  }
  v.cls = VClass::Normal;
  v.sig = (uint64_t(1) << s.M) | man;
  v.exp = int(field) - s.bias - s.M;
  return v;
}

double toDoubleSpec(const nf::Format& f, uint32_t bits) {
  const Val v = decodeSpec(f, bits);
  switch (v.cls) {
    case VClass::QNaN:
    case VClass::SNaN: return std::nan("");
    case VClass::Inf: return v.sign ? -INFINITY : INFINITY;
    case VClass::Zero: return v.sign ? -0.0 : 0.0;
    default: return (v.sign ? -1.0 : 1.0) * std::ldexp(double(v.sig), v.exp);
  }
}

std::string showBits(const nf::Format& f, uint32_t bits) {
  const int digits = (specOf(f).width + 3) / 4;
  const Val v = decodeSpec(f, bits);
  std::string val;
  switch (v.cls) {
    case VClass::QNaN: val = "qNaN"; break;
    case VClass::SNaN: val = "sNaN"; break;
    default: val = fmt::format("{:.17g}", toDoubleSpec(f, bits));
  }
  return fmt::format("0x{:0{}x} ({})", bits, digits, val);
}

std::string flagsString(uint8_t flags) {
  static const char* names[] = {"inexact", "underflow", "overflow", "infinite", "invalid"};
  std::string s;
  for (int i = 0; i < 5; ++i) {
    if (!(flags & (1u << i))) continue;
    if (!s.empty()) s += '|';
    s += names[i];
  }
  return s.empty() ? "-" : s;
}

const char* modeName(nf::Rounding m) {
  switch (m) {
    case nf::Rounding::RNE: return "rne";
    case nf::Rounding::RTZ: return "rtz";
    case nf::Rounding::RDN: return "rdn";
    case nf::Rounding::RUP: return "rup";
    case nf::Rounding::RNA: return "rna";
    case nf::Rounding::ROD: return "rod";
    case nf::Rounding::SR: return "sr";
  }
  return "?";
}

OResult nanResult(const nf::Format& out, uint8_t flags) { return {specOf(out).canonicalNaN, flags}; }

OResult zeroResult(bool sign, const nf::Format& out) {
  const Spec s = specOf(out);
  if (s.noZero) throw std::invalid_argument("oracle: format without zero");
  // FNUZ has no -0 (that pattern is NaN); unsigned formats have no sign bit.
  const bool negZero = sign && s.isSigned && s.kind != nf::NonFinite::FNUZ;
  return {negZero ? s.signBit : 0u, 0};
}

OResult infResult(bool sign, const nf::Format& out, const OOptions& opt) {
  const Spec s = specOf(out);
  if (sign && !s.isSigned) throw std::invalid_argument("oracle: negative value into an unsigned format");
  if (s.kind == nf::NonFinite::IEEE && !opt.saturate) return {signOf(sign, s) | (uint32_t((1u << s.E) - 1u) << s.M), 0};
  if (opt.saturate || s.kind == nf::NonFinite::Finite) return {signOf(sign, s) | s.maxFiniteMag, kOverflow | kInexact};
  // fn / fnuz without saturation: the contract says NaN where IEEE would give Inf. Flags are not written in
  // the contract; an infinity that the destination cannot represent is taken as an invalid operation.
  return {s.canonicalNaN, kInvalid};
}

OResult roundValue(mpfr_srcptr x, const nf::Format& out, const OOptions& opt) {
  const Spec s = specOf(out);
  if (!mpfr_number_p(x) || mpfr_zero_p(x)) throw std::invalid_argument("oracle: roundValue needs a finite nonzero value");
  const bool neg = mpfr_signbit(x) != 0;
  if (neg && !s.isSigned) throw std::invalid_argument("oracle: negative value into an unsigned format");
  const long E = long(mpfr_get_exp(x)) - 1;  // x = 1.f * 2^E

  // 1) Precision p, unbounded exponent range: decides tininess (after rounding) and overflow.
  const Quant u = quantize(x, E - s.M, opt.mode, neg, opt.srBits, opt.srRandom);
  const long Eu = (E - s.M) + msb64(u.r);
  const bool tiny = Eu < s.emin;
  if (aboveMax(u.r, E - s.M, s)) return overflowResult(neg, s, opt);

  // 2) Flush: ftz, or a format whose exponent field 0 holds only zero (a format without zero has no flush).
  if (tiny && (opt.ftz || !s.subnormals) && !s.noZero) {
    OResult z = zeroResult(neg, out);
    z.flags = kUnderflow | kInexact;
    return z;
  }

  // 3) The delivered result: quantize at the lsb of max(E, emin).
  const long q = std::max(E, long(s.emin)) - s.M;
  const Quant b = quantize(x, q, opt.mode, neg, opt.srBits, opt.srRandom);
  uint8_t flags = b.inexact ? kInexact : 0;
  if (tiny && b.inexact) flags |= kUnderflow;
  if (b.r == 0) {
    if (!tiny) throw std::logic_error("oracle: zero result that is not tiny");
    // Without a zero (E8M0), anything below the smallest value becomes it: field 0, mantissa 0.
    if (s.noZero) return {signOf(neg, s), kUnderflow | kInexact};
    OResult z = zeroResult(neg, out);
    z.flags = flags;
    return z;
  }
  // Likewise a nonzero result below 2^emin in a format without zero (it has no subnormals either).
  if (s.noZero && q + msb64(b.r) < s.emin) return {signOf(neg, s), kUnderflow | kInexact};
  return {encodeFinite(neg, b.r, q, s), flags};
}

OResult roundExact(bool sign, uint64_t sig, int exp, const nf::Format& out, const OOptions& opt) {
  if (sig == 0) throw std::invalid_argument("oracle: roundExact needs a nonzero significand");
  Scratch& sc = scratch();
  mpfr_set_prec(sc.x, 64);
  mpfr_set_ui_2exp(sc.x, sig, exp, MPFR_RNDN);  // exact: 64-bit precision
  if (sign) mpfr_neg(sc.x, sc.x, MPFR_RNDN);
  return roundValue(sc.x, out, opt);
}

OResult roundExactViaSubnormalize(bool sign, uint64_t sig, int exp, const nf::Format& out, const OOptions& opt) {
  const Spec s = specOf(out);
  if (s.noZero || !s.subnormals) throw std::invalid_argument("oracle: subnormalize path needs subnormals");
  if (sign && !s.isSigned) throw std::invalid_argument("oracle: negative value into an unsigned format");
  Scratch& sc = scratch();
  const mpfr_rnd_t rnd = magnitudeRnd(opt.mode, sign);
  const mpfr_prec_t p = s.M + 1;

  // Unbounded-exponent rounding (default MPFR range) for tininess and overflow.
  mpfr_set_prec(sc.y, p);
  mpfr_set_ui_2exp(sc.y, sig, exp, rnd);
  const bool tiny = long(mpfr_get_exp(sc.y)) - 1 < s.emin;
  mpfr_set_prec(sc.maxv, 64);
  setMaxValue(sc.maxv, s);
  if (mpfr_cmp(sc.y, sc.maxv) > 0) return overflowResult(sign, s, opt);
  if (tiny && opt.ftz) {
    OResult z = zeroResult(sign, out);
    z.flags = kUnderflow | kInexact;
    return z;
  }

  // Emulated subnormals: MPFR exponents are one more than IEEE ones (significand in [1/2, 1)); the smallest
  // subnormal 2^(emin - M) is 0.1b * 2^(emin - M + 1).
  const mpfr_exp_t oldMin = mpfr_get_emin(), oldMax = mpfr_get_emax();
  mpfr_set_emin(mpfr_exp_t(s.emin - s.M + 1));
  mpfr_set_emax(mpfr_exp_t(s.emaxFinite + 8));
  int t = mpfr_set_ui_2exp(sc.y, sig, exp, rnd);
  t = mpfr_check_range(sc.y, t, rnd);
  t = mpfr_subnormalize(sc.y, t, rnd);
  mpfr_set_emin(oldMin);
  mpfr_set_emax(oldMax);

  uint8_t flags = t != 0 ? kInexact : 0;
  if (tiny && t != 0) flags |= kUnderflow;
  if (mpfr_zero_p(sc.y)) {
    OResult z = zeroResult(sign, out);
    z.flags = flags;
    return z;
  }
  const long E = long(mpfr_get_exp(sc.y)) - 1;
  const long q = std::max(E, long(s.emin)) - s.M;
  mpfr_set_prec(sc.r, kWork);
  mpfr_mul_2si(sc.r, sc.y, -q, MPFR_RNDN);
  if (!mpfr_integer_p(sc.r)) throw std::logic_error("oracle: subnormalized value off grid");
  return {encodeFinite(sign, mpfr_get_ui(sc.r, MPFR_RNDN), q, s), flags};
}

OResult fmulOracle(const nf::Format& fa, const nf::Format& fb, const nf::Format& out, uint32_t a, uint32_t b,
                   const OOptions& opt, bool daz) {
  Val va = decodeSpec(fa, a), vb = decodeSpec(fb, b);
  if (daz) {
    if (va.cls == VClass::Subnormal) va = Val{VClass::Zero, va.sign, 0, 0};
    if (vb.cls == VClass::Subnormal) vb = Val{VClass::Zero, vb.sign, 0, 0};
  }
  if (va.isNaN() || vb.isNaN()) {
    const bool signaling = va.cls == VClass::SNaN || vb.cls == VClass::SNaN;
    return nanResult(out, signaling ? kInvalid : 0);
  }
  const bool sign = va.sign != vb.sign;
  const bool aInf = va.cls == VClass::Inf, bInf = vb.cls == VClass::Inf;
  const bool aZero = va.cls == VClass::Zero, bZero = vb.cls == VClass::Zero;
  if ((aInf && bZero) || (bInf && aZero)) return nanResult(out, kInvalid);  // 0 * Inf
  if (aInf || bInf) return infResult(sign, out, opt);
  if (aZero || bZero) return zeroResult(sign, out);  // exact zero: sign is the XOR in every mode
  return roundExact(sign, va.sig * vb.sig, va.exp + vb.exp, out, opt);
}

namespace {

// Exact sums: every operand here is sig * 2^exp with sig < 2^48 and |exp| < 400, so 2048 bits hold any sum
// of a product and an addend without rounding (mpfr_add is then exact; the ternary value checks it).
constexpr mpfr_prec_t kSumPrec = 2048;

Val dazVal(Val v, bool daz) {
  if (daz && v.cls == VClass::Subnormal) return Val{VClass::Zero, v.sign, 0, 0};
  return v;
}

// Sets x to the finite value of v (zero included, signed), exactly.
void setVal(mpfr_ptr x, const Val& v) {
  if (v.cls == VClass::Zero) {
    mpfr_set_zero(x, v.sign ? -1 : 1);
    return;
  }
  if (mpfr_set_ui_2exp(x, v.sig, v.exp, MPFR_RNDN) != 0) throw std::logic_error("oracle: inexact operand");
  if (v.sign) mpfr_neg(x, x, MPFR_RNDN);
}

// The IEEE 754 (6.3) sign of an exact zero sum: the common sign of two zeros that agree, else +0 (-0 in rdn).
OResult zeroSum(bool signX, bool signY, bool bothZero, const nf::Format& out, const OOptions& opt) {
  const bool neg = (bothZero && signX == signY) ? signX : opt.mode == nf::Rounding::RDN;
  return zeroResult(neg, out);
}

struct SumScratch {
  mpfr_t x, y, p;
  SumScratch() { mpfr_inits2(kSumPrec, x, y, p, (mpfr_ptr)nullptr); }
  ~SumScratch() { mpfr_clears(x, y, p, (mpfr_ptr)nullptr); }
};
SumScratch& sumScratch() {
  thread_local SumScratch s;
  return s;
}

}  // namespace

OResult faddOracle(const nf::Format& fa, const nf::Format& fb, const nf::Format& out, uint32_t a, uint32_t b,
                   const OOptions& opt, bool daz) {
  const Val va = dazVal(decodeSpec(fa, a), daz), vb = dazVal(decodeSpec(fb, b), daz);
  if (va.isNaN() || vb.isNaN()) return nanResult(out, va.cls == VClass::SNaN || vb.cls == VClass::SNaN ? kInvalid : 0);
  const bool aInf = va.cls == VClass::Inf, bInf = vb.cls == VClass::Inf;
  if (aInf && bInf && va.sign != vb.sign) return nanResult(out, kInvalid);  // inf - inf
  if (aInf || bInf) return infResult(aInf ? va.sign : vb.sign, out, opt);
  SumScratch& s = sumScratch();
  setVal(s.x, va);
  setVal(s.y, vb);
  if (mpfr_add(s.p, s.x, s.y, MPFR_RNDN) != 0) throw std::logic_error("oracle: sum not exact");
  if (mpfr_zero_p(s.p)) return zeroSum(va.sign, vb.sign, va.cls == VClass::Zero && vb.cls == VClass::Zero, out, opt);
  return roundValue(s.p, out, opt);
}

OResult fmaOracle(const nf::Format& fa, const nf::Format& fb, const nf::Format& fc, const nf::Format& out, uint32_t a,
                  uint32_t b, uint32_t c, const OOptions& opt, bool daz) {
  const Val va = dazVal(decodeSpec(fa, a), daz), vb = dazVal(decodeSpec(fb, b), daz), vc = dazVal(decodeSpec(fc, c), daz);
  const bool aInf = va.cls == VClass::Inf, bInf = vb.cls == VClass::Inf, cInf = vc.cls == VClass::Inf;
  const bool aZero = va.cls == VClass::Zero, bZero = vb.cls == VClass::Zero;
  // IEEE 754 7.2(c) leaves 0 x Inf + qNaN's invalid flag to the implementation; the contract (SoftFloat,
  // RISC-V) raises it.
  const bool invalidProduct = !va.isNaN() && !vb.isNaN() && ((aInf && bZero) || (aZero && bInf));
  if (va.isNaN() || vb.isNaN() || vc.isNaN() || invalidProduct) {
    const bool signaling = va.cls == VClass::SNaN || vb.cls == VClass::SNaN || vc.cls == VClass::SNaN;
    return nanResult(out, signaling || invalidProduct ? kInvalid : 0);
  }
  const bool pSign = va.sign != vb.sign;
  const bool pInf = aInf || bInf;
  if (pInf && cInf && pSign != vc.sign) return nanResult(out, kInvalid);
  if (pInf || cInf) return infResult(pInf ? pSign : vc.sign, out, opt);
  SumScratch& s = sumScratch();
  setVal(s.x, va);
  setVal(s.y, vb);
  if (mpfr_mul(s.p, s.x, s.y, MPFR_RNDN) != 0) throw std::logic_error("oracle: product not exact");
  // MPFR gives 0 x y the sign rule of a product already, which is the product's sign for the zero-sum rule.
  const bool pZero = mpfr_zero_p(s.p);
  setVal(s.y, vc);
  if (mpfr_add(s.x, s.p, s.y, MPFR_RNDN) != 0) throw std::logic_error("oracle: fma sum not exact");
  if (mpfr_zero_p(s.x)) return zeroSum(pSign, vc.sign, pZero && vc.cls == VClass::Zero, out, opt);
  return roundValue(s.x, out, opt);
}

}  // namespace nfo

namespace nfo {

OResult intOracle(mpfr_srcptr x, const nf::Format& out, const OOptions& opt) {
  // x exact, finite, nonzero. Round to an integer in the asked direction, then saturate.
  Scratch& sc = scratch();
  const bool neg = mpfr_signbit(x) != 0;
  const int N = out.intBits;
  const uint64_t posMax = out.isSigned ? (uint64_t(1) << (N - 1)) - 1 : (uint64_t(1) << N) - 1;
  const uint64_t negMax = out.isSigned ? uint64_t(1) << (N - 1) : 0;
  const uint32_t mask = N >= 32 ? 0xFFFFFFFFu : ((1u << N) - 1u);
  // Values past 2^62 cannot come back through quantize; they are out of every range here.
  mpfr_set_prec(sc.maxv, 64);
  mpfr_abs(sc.maxv, x, MPFR_RNDN);
  const bool huge = mpfr_cmp_ui_2exp(sc.maxv, 1, 40) >= 0;
  const Quant q = huge ? Quant{} : quantize(x, 0, opt.mode, neg, opt.srBits, opt.srRandom);  // on the grid 2^0
  if (huge || q.r > (neg ? negMax : posMax)) {
    if (!neg) return {uint32_t(posMax) & mask, kInvalid};
    return {uint32_t(-int64_t(negMax)) & mask, kInvalid};
  }
  const int64_t v = neg ? -int64_t(q.r) : int64_t(q.r);
  return {uint32_t(uint64_t(v)) & mask, q.inexact ? uint8_t(kInexact) : uint8_t(0)};
}

OResult fcvtOracle(const nf::Format& fa, const nf::Format& out, uint32_t a, const OOptions& opt, bool daz) {
  Scratch& sc = scratch();
  mpfr_set_prec(sc.x, 64);
  if (fa.kind == nf::FormatKind::Int) {
    // Two's complement, from the definition.
    const int N = fa.intBits;
    const uint64_t u = uint64_t(a) & ((uint64_t(1) << N) - 1u);
    const bool neg = fa.isSigned && ((u >> (N - 1)) & 1u);
    const int64_t v = neg ? int64_t(u) - (int64_t(1) << N) : int64_t(u);
    if (v == 0) return out.kind == nf::FormatKind::Int ? OResult{0u, 0} : (specOf(out).noZero ? OResult{0u, kUnderflow | kInexact} : zeroResult(false, out));
    mpfr_set_si(sc.x, long(v), MPFR_RNDN);
  } else {
    Val va = decodeSpec(fa, a);
    if (daz && va.cls == VClass::Subnormal) va = Val{VClass::Zero, va.sign, 0, 0};
    if (out.kind == nf::FormatKind::Int) {
      const int N = out.intBits;
      const uint32_t mask = N >= 32 ? 0xFFFFFFFFu : ((1u << N) - 1u);
      if (va.isNaN()) return {0u, kInvalid};
      if (va.cls == VClass::Inf) {
        if (!va.sign) return {uint32_t(out.isSigned ? (uint64_t(1) << (N - 1)) - 1 : (uint64_t(1) << N) - 1) & mask, kInvalid};
        return {uint32_t(out.isSigned ? -(int64_t(1) << (N - 1)) : 0) & mask, kInvalid};
      }
      if (va.cls == VClass::Zero) return {0u, 0};
    } else {
      const Spec s = specOf(out);
      if (va.isNaN()) return nanResult(out, va.cls == VClass::SNaN ? kInvalid : 0);
      // An unsigned result cannot be negative: NaN where the format has one, else 0; invalid.
      const bool negative = va.sign && va.cls != VClass::Zero;
      if (negative && !s.isSigned) return {s.kind == nf::NonFinite::Finite ? 0u : s.canonicalNaN, kInvalid};
      if (va.cls == VClass::Inf) return infResult(va.sign, out, opt);
      if (va.cls == VClass::Zero) return s.noZero ? OResult{0u, kUnderflow | kInexact} : zeroResult(va.sign, out);
    }
    mpfr_set_ui_2exp(sc.x, va.sig, va.exp, MPFR_RNDN);
    if (va.sign) mpfr_neg(sc.x, sc.x, MPFR_RNDN);
  }
  if (out.kind == nf::FormatKind::Int) return intOracle(sc.x, out, opt);
  const Spec s = specOf(out);
  if (mpfr_signbit(sc.x) && !s.isSigned) return {s.kind == nf::NonFinite::Finite ? 0u : s.canonicalNaN, kInvalid};
  return roundValue(sc.x, out, opt);
}

}  // namespace nfo
