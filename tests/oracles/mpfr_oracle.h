// An independent oracle for rounding exact values to any nf::Format, built on GNU MPFR.
//
// Independence: this file reads only a Format's *parameters* (expBits, manBits, bias, isSigned, subnormals,
// zeroExpIsNormal, nonFinite). Everything else -- the largest finite value, the canonical NaN, the decoding of
// encodings, the rounding itself, overflow/underflow detection and the encoding of results -- is derived here
// from the format rules as documented (IEEE 754-2019, OCP MX v1.0 / OFP8, and the numforge contract), never by
// calling nf::roundPack, nf::roundFromDouble, nf::packInfinity, Format::maxFiniteMag, Format::decode, ....
//
// Rounding (value x != 0, precision p = M+1, smallest normal exponent emin = 1 - bias):
//   * the "unbounded" result yU (precision p, unbounded exponent range) decides tininess (|yU| < 2^emin, i.e.
//     IEEE tininess *after* rounding) and overflow (|yU| > max finite);
//   * the delivered result quantizes x to the grid 2^(max(E, emin) - M) with mpfr_rint (RNE/RTZ/RUP/RDN),
//     mpfr_round (RNA: ties away; MPFR_RNDNA is unusable with mpfr_subnormalize, see the MPFR manual) or
//     mpfr_trunc + "force the last bit to 1 if inexact" (ROD).
//   * roundExactViaSubnormalize() is a second, different implementation (mpfr_set_emin + mpfr_check_range +
//     mpfr_subnormalize, MPFR's documented way to emulate subnormals) for RNE/RTZ/RUP/RDN; a self-check test
//     compares the two.
#pragma once

#include <mpfr.h>

#include <cstdint>
#include <string>

#include "refmodels/format.h"
#include "refmodels/rounding.h"  // only for the nf::Rounding enum (a mode name, no behaviour)

namespace nfo {

// TestFloat flag bits (documented contract), spelled out here rather than borrowed from the model.
enum : uint8_t { kInexact = 1, kUnderflow = 2, kOverflow = 4, kInfinite = 8, kInvalid = 16 };

struct OResult {
  uint32_t bits = 0;
  uint8_t flags = 0;
};

struct OOptions {
  nf::Rounding mode = nf::Rounding::RNE;
  bool saturate = false;
  bool ftz = false;
  int srBits = 0;         // mode SR: result magnitude floor(|x| / lsb + srRandom / 2^srBits) * lsb
  uint32_t srRandom = 0;
};

// Format facts derived from the rules (not from Format's helper methods).
struct Spec {
  int E = 0, M = 0, bias = 0, width = 0;
  bool isSigned = true, subnormals = true, noZero = false;
  nf::NonFinite kind = nf::NonFinite::IEEE;
  uint32_t signBit = 0;      // 0 for unsigned formats
  uint32_t magMask = 0;      // all exponent+mantissa bits
  int emin = 0;              // exponent of the smallest normal binade
  int emaxFinite = 0;        // exponent of the binade holding the largest finite value
  uint64_t maxSig = 0;       // largest finite = maxSig * 2^(emaxFinite - M), maxSig has M+1 bits
  uint32_t maxFiniteMag = 0; // encoding of the largest finite magnitude
  uint32_t canonicalNaN = 0; // canonical NaN encoding (finite-only formats: +max finite)
};
Spec specOf(const nf::Format& f);

// Independent decoding of an encoding.
enum class VClass { Zero, Subnormal, Normal, Inf, QNaN, SNaN };
struct Val {
  VClass cls = VClass::Zero;
  bool sign = false;
  uint64_t sig = 0;  // finite nonzero: value = (-1)^sign * sig * 2^exp
  int exp = 0;
  bool isNaN() const { return cls == VClass::QNaN || cls == VClass::SNaN; }
  bool isFiniteNonZero() const { return cls == VClass::Subnormal || cls == VClass::Normal; }
};
Val decodeSpec(const nf::Format& f, uint32_t bits);
double toDoubleSpec(const nf::Format& f, uint32_t bits);  // exact for every format with <= 53-bit significand
std::string showBits(const nf::Format& f, uint32_t bits);  // "0x7e (448)"
std::string flagsString(uint8_t flags);                     // "inexact|overflow" or "-"
const char* modeName(nf::Rounding m);

// Specials, from the rules.
OResult nanResult(const nf::Format& out, uint8_t flags);
OResult zeroResult(bool sign, const nf::Format& out);
OResult infResult(bool sign, const nf::Format& out, const OOptions& opt);

// Rounds (-1)^sign * sig * 2^exp (sig != 0) to `out`. Throws std::invalid_argument for unsupported outputs
// (nozero formats, negative values into unsigned formats).
OResult roundExact(bool sign, uint64_t sig, int exp, const nf::Format& out, const OOptions& opt);
// Same for an exact nonzero finite MPFR value.
OResult roundValue(mpfr_srcptr x, const nf::Format& out, const OOptions& opt);
// Second implementation of the rounding step (RNE/RTZ/RUP/RDN, formats with subnormals): MPFR emin/emax +
// mpfr_check_range + mpfr_subnormalize instead of quantization. Overflow is still decided against the
// format's max finite and encoded by the same rules; used by a self-check test only.
OResult roundExactViaSubnormalize(bool sign, uint64_t sig, int exp, const nf::Format& out, const OOptions& opt);

// z = round(a * b) under the documented fmul contract.
OResult fmulOracle(const nf::Format& fa, const nf::Format& fb, const nf::Format& out, uint32_t a, uint32_t b,
                   const OOptions& opt, bool daz);

// z = convert(a) under the documented fcvt contract: any float or integer format to any float (with or
// without zero) or integer format; integer results saturate (NaN -> 0), all with invalid.
OResult fcvtOracle(const nf::Format& fa, const nf::Format& out, uint32_t a, const OOptions& opt, bool daz);
// z = round(a + b): the exact sum in MPFR (precision wide enough for any two operands), one rounding.
OResult faddOracle(const nf::Format& fa, const nf::Format& fb, const nf::Format& out, uint32_t a, uint32_t b,
                   const OOptions& opt, bool daz);
// z = round(a * b + c): exact product and exact sum in MPFR, one rounding.
OResult fmaOracle(const nf::Format& fa, const nf::Format& fb, const nf::Format& fc, const nf::Format& out, uint32_t a,
                  uint32_t b, uint32_t c, const OOptions& opt, bool daz);

}  // namespace nfo
