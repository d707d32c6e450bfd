#include "refmodels/rounding.h"

#include "refmodels/named.h"

#include <bit>
#include <cmath>

namespace nf {

Rounding roundingFromPort(unsigned rm) { return (rm & 7u) <= 5u ? Rounding(rm & 7u) : Rounding::RNE; }

namespace {
constexpr Named<Rounding> kRoundingWords[] = {
    {Rounding::RNE, "rne"}, {Rounding::RTZ, "rtz"}, {Rounding::RDN, "rdn"}, {Rounding::RUP, "rup"},
    {Rounding::RNA, "rna"}, {Rounding::ROD, "rod"}, {Rounding::SR, "sr"},
};
}  // namespace

const char* roundingName(Rounding r) { return wordOf(kRoundingWords, r); }

// "sr" names a mode but is not a --round word: only the operators with a random-bits port take it, by
// their own option.
bool parseRounding(const std::string& s, Rounding& out) {
  Rounding r;
  if (!parseWord(kRoundingWords, s, r) || r == Rounding::SR) return false;
  out = r;
  return true;
}

std::string roundingChoices() { return "rne, rtz, rup, rdn, rna, rod"; }

std::string flagsToString(uint8_t flags) {
  static const char* names[] = {"inexact", "underflow", "overflow", "infinite", "invalid"};
  std::string s;
  for (int i = 0; i < 5; ++i)
    if (flags & (1u << i)) {
      if (!s.empty()) s += '|';
      s += names[i];
    }
  return s.empty() ? "-" : s;
}

Packed packZero(bool sign, const Format& out) {
  return {sign && out.hasNegZero() ? out.signBit() : 0u, 0};
}

Packed packNaN(const Format& out, uint8_t flags) { return {out.canonicalNaN(), flags}; }

Packed packInfinity(bool sign, const Format& out, const RoundOptions& opt) {
  const uint32_t s = sign ? out.signBit() : 0u;
  if (out.hasInf() && !opt.saturate) return {s | out.infMag(), 0};
  if (opt.saturate || out.nonFinite == NonFinite::Finite) return {s | out.maxFiniteMag(), kFlagOverflow | kFlagInexact};
  return {out.canonicalNaN(), kFlagInvalid};
}


}  // namespace nf

namespace nf {
Packed roundFromDouble(double x, const Format& out, const RoundOptions& opt) {
  if (std::isnan(x)) return packNaN(out, 0);
  const bool sign = std::signbit(x);
  if (std::isinf(x)) return packInfinity(sign, out, opt);
  if (x == 0) return packZero(sign, out);
  int e = 0;
  const double m = std::frexp(std::fabs(x), &e);  // x = m * 2^e, m in [0.5, 1)
  const uint64_t sig = uint64_t(std::ldexp(m, 53));
  return roundPack<uint64_t>(sign, e - 53, sig, false, out, opt);
}

Packed roundQuotient(bool sign, uint64_t nSig, int nExp, uint64_t dSig, int dExp, const Format& out,
                     const RoundOptions& opt) {
  // Numerator with its MSB at bit 62, divisor (at most 40 bits) with its MSB at bit 39: the integer quotient
  // of (N << 24) / D then has 47 or 48 bits, far more than any element or scale keeps, and the remainder
  // says exactly whether bits were dropped.
  const int nShift = 62 - detail::msbIndex(nSig), dShift = 39 - detail::msbIndex(dSig);
  const unsigned __int128 num = static_cast<unsigned __int128>(nSig << nShift) << 24;
  const uint64_t den = dSig << dShift;
  const uint64_t q = uint64_t(num / den);
  const bool sticky = num % den != 0;
  return roundPack<uint64_t>(sign, nExp - nShift - 24 - (dExp - dShift), q, sticky, out, opt);
}

}  // namespace nf
