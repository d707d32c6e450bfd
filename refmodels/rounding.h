// The one rounding-and-packing core every model shares (SoftFloat's roundPack, generalized to any Format).
// Its Verilog mirror is blocks::emitRoundPack (generators/blocks.cpp); the two must change together.
#pragma once

#include <cstdint>
#include <string>

#include "refmodels/format.h"

namespace nf {

// Values match the 3-bit `rm` port of units generated with --round dyn (RISC-V / FPnew encoding, plus rod).
// SR (stochastic rounding) is not reachable through the rm port: it needs a source of random bits.
enum class Rounding : uint8_t { RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RNA = 4, ROD = 5, SR = 6 };

// TestFloat / SoftFloat flag bits, also the bit order of a generated unit's `flags` port.
enum : uint8_t { kFlagInexact = 1, kFlagUnderflow = 2, kFlagOverflow = 4, kFlagInfinite = 8, kFlagInvalid = 16 };

// IEEE P3109's stochastic rounding variants with N = srBits random bits R and eta the fraction of the
// significand below the result's last place: A rounds away when floor(eta 2^N) + R >= 2^N (numforge's `sr`
// before P3109, truncate(|x| + R 2^(lsb - N))), B when floor(eta 2^(N+1)) + 2R + 1 >= 2^(N+1) (the random
// offset centred in its interval, one more bit of eta), C when RNE(eta 2^N) + R >= 2^N (eta rounded first).
enum class SrVariant : uint8_t { A, B, C };

struct RoundOptions {
  Rounding mode = Rounding::RNE;
  bool saturate = false;  // OCP satfinite: overflow and infinite results become +-max finite
  bool ftz = false;       // results that are tiny after rounding become signed zero
  // Rounding::SR only: the magnitude becomes truncate(|x| + r * 2^(lsb - srBits)) for the caller's random
  // r in [0, 2^srBits), so only the srBits bits just below the result's lsb matter. Overflow goes to Inf
  // (or +-max with saturate), as for rne.
  int srBits = 0;
  // P3109 SatPropagate: finite overflows clamp to +-max finite (as `saturate` does) whatever the rounding mode,
  // infinite results stay infinite (NaN in a format without infinities). P3109 SatNone is neither flag set,
  // SatFinite is `saturate`.
  bool satPropagate = false;
  SrVariant srVariant = SrVariant::A;  // Rounding::SR only
  bool clampsOverflow() const { return saturate || satPropagate; }
};

struct Packed {
  uint32_t bits = 0;
  uint8_t flags = 0;
  bool operator==(const Packed&) const = default;
};

// Decodes a 3-bit rm port value; 6 and 7 behave as rne, in the model and in the RTL.
Rounding roundingFromPort(unsigned rm);
const char* roundingName(Rounding r);
bool parseRounding(const std::string& s, Rounding& out);
std::string roundingChoices();  // "rne, rtz, rup, rdn, rna, rod"

// Rounds (-1)^sign * (sig + sticky*epsilon) * 2^exp to `out`. `sticky` says nonzero bits lie below sig's LSB.
// Handles subnormals, overflow per mode and format, saturation, flush-to-zero and IEEE flags
// (underflow uses tininess after rounding; under SR, tininess uses the same random bits at full precision).
// `srRandom` is read only under Rounding::SR.
template <class Sig>
Packed roundPack(bool sign, int exp, Sig sig, bool sticky, const Format& out, const RoundOptions& opt,
                 uint32_t srRandom = 0);
// The range a saturating integer result clamps to: the format's full range, or one symmetric about zero
// (-(2^(N-1)-1) .. 2^(N-1)-1, so -2^(N-1) never occurs: OCP MX integer elements).
enum class IntRange : uint8_t { Full, Symmetric };
// Rounds (-1)^sign * sig * 2^exp (sig != 0) to the integer format `out` (FormatKind::Int) with the same
// rounding decisions, saturating: out-of-range values give the nearest end of `range` with invalid only
// (RISC-V fcvt convention), unsigned formats give 0 for negative values that do not round to zero.
// A fixed-point result with F fraction bits is the integer of sig * 2^(exp + F).
template <class Sig>
Packed roundToInt(bool sign, int exp, Sig sig, const Format& out, const RoundOptions& opt, uint32_t srRandom = 0,
                  IntRange range = IntRange::Full);
Packed packZero(bool sign, const Format& out);

// An exact infinite result (from an infinite operand), expressed in `out`.
Packed packInfinity(bool sign, const Format& out, const RoundOptions& opt);
// A NaN result; formats without NaN take +max finite (CUDA's convention). `flags` is passed through.
Packed packNaN(const Format& out, uint8_t flags);
Packed packZero(bool sign, const Format& out);

std::string flagsToString(uint8_t flags);  // e.g. "inexact|overflow" or "-"

}  // namespace nf

namespace nf {
// Rounds a double (exact binary64 value) to `out`; the conversion every stimulus generator and oracle-free
// helper uses. NaN gives packNaN, infinities packInfinity.
Packed roundFromDouble(double x, const Format& out, const RoundOptions& opt);
// The exact quotient (-1)^sign * (nSig * 2^nExp) / (dSig * 2^dExp) rounded once to `out` (nSig, dSig != 0,
// nSig at most 63 bits, dSig at most 40). Its Verilog mirror is blocks::emitDivider feeding emitRoundPack.
Packed roundQuotient(bool sign, uint64_t nSig, int nExp, uint64_t dSig, int dExp, const Format& out,
                     const RoundOptions& opt);
}  // namespace nf

#include "refmodels/roundpack_impl.h"
