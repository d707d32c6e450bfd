// Number formats as data, in the manner of LLVM's fltSemantics: every model, generator and test asks a
// Format its questions (maxFinite(), classify(bits), ...) and never switches on a format's name.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nf {

// How the all-ones / negative-zero encodings are used.
enum class NonFinite : uint8_t {
  IEEE,    // exponent all ones: mantissa 0 = Inf, otherwise NaN (needs M >= 1)
  FN,      // only exponent+mantissa all ones is NaN, no Inf (OCP E4M3, E8M0)
  FNUZ,    // the negative-zero pattern is the only NaN; no Inf, no -0
  Finite,  // every encoding is a finite number (OCP E2M1, E2M3, E3M2)
  // IEEE P3109 binaryKpP: no -0. Signed: the -0 pattern 2^(K-1) is the only NaN, the extended domain's +-Inf
  // are the top magnitude code of each sign. Unsigned: all ones is NaN, the extended domain's +Inf the code
  // below it. The finite domain uses those Inf codes as its largest values (Format::p3109Extended says which).
  P3109,
};

enum class FormatKind : uint8_t { Float, Int };

enum class FpClass : uint8_t { Zero, Subnormal, Normal, Inf, NaN };

// A decoded finite value: (-1)^sign * sig * 2^exp, sig an integer with at most M+1 bits.
struct Decoded {
  FpClass cls = FpClass::Zero;
  bool sign = false;
  int exp = 0;
  uint64_t sig = 0;
};

struct Format {
  std::string name;  // canonical spelling; parseFormat(name) gives this format back
  FormatKind kind = FormatKind::Float;
  int expBits = 0;
  int manBits = 0;
  int bias = 0;
  bool isSigned = true;
  bool subnormals = true;        // false: exponent field 0 encodes zero only (results flush)
  bool zeroExpIsNormal = false;  // exponent field 0 is an ordinary binade; there is no zero (E8M0)
  NonFinite nonFinite = NonFinite::IEEE;
  int intBits = 0;  // Int kind only
  bool p3109Extended = false;  // NonFinite::P3109 only: the extended domain (with infinities)

  int width() const { return kind == FormatKind::Int ? intBits : (isSigned ? 1 : 0) + expBits + manBits; }
  uint32_t mask() const { return width() >= 32 ? 0xFFFFFFFFu : ((1u << width()) - 1u); }
  uint32_t signBit() const {
    if (kind == FormatKind::Int) return isSigned ? (1u << (intBits - 1)) : 0u;
    return isSigned ? (1u << (expBits + manBits)) : 0u;
  }
  uint32_t magMask() const { return (1u << (expBits + manBits)) - 1u; }
  int precision() const { return manBits + 1; }
  int expFieldMax() const { return (1 << expBits) - 1; }

  bool isFloat() const { return kind == FormatKind::Float; }
  bool hasInf() const { return nonFinite == NonFinite::IEEE || (nonFinite == NonFinite::P3109 && p3109Extended); }
  bool isP3109() const { return nonFinite == NonFinite::P3109; }
  bool hasNaN() const { return nonFinite != NonFinite::Finite; }
  bool hasNegZero() const {
    return isSigned && nonFinite != NonFinite::FNUZ && nonFinite != NonFinite::P3109 && !zeroExpIsNormal;
  }
  bool hasZero() const { return !zeroExpIsNormal; }

  // Unbiased exponent of the smallest normal binade, and of the largest binade holding a finite value.
  int emin() const { return (zeroExpIsNormal ? 0 : 1) - bias; }
  int emax() const {
    switch (nonFinite) {
      case NonFinite::IEEE: return expFieldMax() - 1 - bias;
      case NonFinite::FN: return (manBits > 0 ? expFieldMax() : expFieldMax() - 1) - bias;
      case NonFinite::P3109: return int(maxFiniteMag() >> manBits) - bias;
      default: return expFieldMax() - bias;
    }
  }
  // Magnitude code of the largest finite value (no sign bit).
  uint32_t maxFiniteMag() const {
    const uint32_t manMask = (1u << manBits) - 1u;
    switch (nonFinite) {
      case NonFinite::IEEE: return (uint32_t(expFieldMax() - 1) << manBits) | manMask;
      case NonFinite::FN: return manBits > 0 ? magMask() - 1u : uint32_t(expFieldMax() - 1);
      // Below the unsigned NaN code, and below the extended domain's +Inf code.
      case NonFinite::P3109: return magMask() - (isSigned ? 0u : 1u) - (p3109Extended ? 1u : 0u);
      default: return magMask();
    }
  }
  uint32_t minNormalMag() const { return zeroExpIsNormal ? 0u : (1u << manBits); }
  uint32_t minSubnormalMag() const { return subnormals && !zeroExpIsNormal && manBits > 0 ? 1u : minNormalMag(); }
  uint32_t infMag() const {
    if (nonFinite == NonFinite::P3109) return isSigned ? magMask() : magMask() - 1u;
    return uint32_t(expFieldMax()) << manBits;
  }
  // Canonical NaN: positive, quiet (IEEE: mantissa MSB set).
  uint32_t canonicalNaN() const;

  FpClass classify(uint32_t bits) const;
  bool isNaN(uint32_t bits) const { return classify(bits) == FpClass::NaN; }
  bool isSignalingNaN(uint32_t bits) const;
  Decoded decode(uint32_t bits) const;
  double toDouble(uint32_t bits) const;  // exact for every format here (<= 24-bit significands)
  std::string describe() const;
  std::string tag() const;  // the name as an identifier fragment: e4m3fnuz, e6m9_fn_bias20          // one line: e.g. "E4M3 bias 7, subnormals, NaN 0x7f/0xff, no Inf"
};

// Preset table and custom spellings. Throws FormatError naming the bad part and the accepted values.
struct FormatError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
Format parseFormat(const std::string& spelling);
const std::vector<Format>& presetFormats();
// IEEE P3109 binaryKpP: K bits, precision P, signed or not, extended (with infinities) or finite domain,
// named binaryKpP{s|u}{e|f} as the P3109 report names them. Throws FormatError for K, P out of range.
Format p3109Format(int K, int P, bool isSigned, bool extended);
// The binary8 family as presets (signed P = 1..7, unsigned P = 1..8, both domains), listed apart from
// presetFormats() by `numforge formats`.
const std::vector<Format>& p3109Presets();
std::string formatSyntaxHelp();

}  // namespace nf
