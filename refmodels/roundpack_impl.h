// The body of nf::roundPack, in a header so each operator's model inlines it into its hot loop.
// Included by rounding.h only. namespace detail is the core's own: other files use the public entry points
// (rounding.h; magnitudeOf in operand.h for exact magnitude compares).
#pragma once

#include <bit>

namespace nf {
namespace detail {

template <class Sig>
inline int msbIndex(Sig v) {
  if constexpr (sizeof(Sig) > 8) {
    const uint64_t hi = uint64_t(v >> 64);
    return hi ? 127 - std::countl_zero(hi) : 63 - std::countl_zero(uint64_t(v));
  } else {
    return 63 - std::countl_zero(uint64_t(v));
  }
}

// Drops `shift` low bits of sig (shift >= 1): returns the kept part, the first dropped bit and the OR of the rest.
template <class Sig>
inline Sig shiftRightRound(Sig sig, int shift, bool& roundBit, bool& stickyBit) {
  constexpr int kBits = int(sizeof(Sig) * 8);
  if (shift > kBits) {
    roundBit = false;
    stickyBit = stickyBit || sig != 0;
    return 0;
  }
  roundBit = (sig >> (shift - 1)) & 1u;
  const Sig below = shift - 1 == 0 ? Sig(0) : (sig & ((Sig(1) << (shift - 1)) - 1u));
  stickyBit = stickyBit || below != 0;
  return shift == kBits ? Sig(0) : sig >> shift;
}

inline bool roundsUp(Rounding mode, bool sign, bool lsb, bool roundBit, bool stickyBit) {
  switch (mode) {
    case Rounding::RNE: return roundBit && (stickyBit || lsb);
    case Rounding::RNA: return roundBit;
    case Rounding::RUP: return !sign && (roundBit || stickyBit);
    case Rounding::RDN: return sign && (roundBit || stickyBit);
    case Rounding::RTZ:
    case Rounding::ROD:
    case Rounding::SR: return false;
  }
  return false;
}

// The n bits of sig just below bit `shift` (the dropped bits nearest the kept lsb), zero-padded when fewer
// than n were dropped; `below` says whether any dropped bit lies under those n.
template <class Sig>
inline uint64_t droppedTop(Sig sig, int shift, int n, bool& below) {
  constexpr int kBits = int(sizeof(Sig) * 8);
  const uint64_t mask = (uint64_t(1) << n) - 1u;
  if (shift < n) {
    below = false;
    return (uint64_t(sig) & ((uint64_t(1) << shift) - 1u)) << (n - shift);
  }
  const int low = shift - n;
  below = low > 0 && (low >= kBits ? sig != 0 : (sig & ((Sig(1) << low) - 1u)) != 0);
  return low >= kBits ? 0 : uint64_t(sig >> low) & mask;
}

// Stochastic rounding with N random bits r, sig's low `shift` bits (shift >= 1) dropped: does the result
// round away from zero? Variant A: truncate(x + r * 2^(lsb - N)) carries past the kept part.
template <class Sig>
inline bool srRoundsUp(Sig sig, int shift, int N, uint32_t r, SrVariant variant = SrVariant::A) {
  const uint64_t R = r & ((uint64_t(1) << N) - 1u);
  bool below = false;
  switch (variant) {
    case SrVariant::A: return droppedTop(sig, shift, N, below) + R >= (uint64_t(1) << N);
    case SrVariant::B: return droppedTop(sig, shift, N + 1, below) + 2 * R + 1 >= (uint64_t(1) << (N + 1));
    case SrVariant::C: {
      const uint64_t t = droppedTop(sig, shift, N + 1, below);
      const uint64_t top = t >> 1, half = t & 1u;
      const uint64_t nearest = top + (half && (below || (top & 1u)) ? 1u : 0u);  // RNE(eta 2^N), up to 2^N
      return nearest + R >= (uint64_t(1) << N);
    }
  }
  return false;
}

// The increment decision of every mode but ROD (which jams instead), given the dropped bits.
template <class Sig>
inline bool incrementFor(const RoundOptions& opt, bool sign, bool lsb, bool roundBit, bool stickyBit, Sig sig,
                         int shift, uint32_t srRandom) {
  if (opt.mode == Rounding::SR) return shift > 0 && srRoundsUp(sig, shift, opt.srBits, srRandom, opt.srVariant);
  return roundsUp(opt.mode, sign, lsb, roundBit, stickyBit);
}

inline bool overflowGoesToInfinity(Rounding mode, bool sign) {
  return mode == Rounding::RNE || mode == Rounding::RNA || mode == Rounding::SR || (mode == Rounding::RUP && !sign) ||
         (mode == Rounding::RDN && sign);
}

// P3109 SatNone: round-to-odd picks the odd one of max finite and Inf, which is Inf (the top magnitude code)
// in a signed format and max finite (the code below +Inf) in an unsigned extended one; a finite-domain
// format has no infinity, so its "Inf" is NaN.
inline bool overflowGoesToInfinity(Rounding mode, bool sign, const Format& out) {
  if (out.isP3109() && mode == Rounding::ROD) return out.isSigned || !out.hasInf();
  return overflowGoesToInfinity(mode, sign);
}

inline Packed packOverflow(bool sign, const Format& out, const RoundOptions& opt) {
  const uint8_t flags = kFlagOverflow | kFlagInexact;
  const uint32_t s = sign ? out.signBit() : 0u;
  if (opt.clampsOverflow() || !overflowGoesToInfinity(opt.mode, sign, out) || out.nonFinite == NonFinite::Finite)
    return {s | out.maxFiniteMag(), flags};
  if (out.hasInf()) return {s | out.infMag(), flags};
  return {out.canonicalNaN(), flags};
}

}  // namespace detail

template <class Sig>
inline Packed roundPack(bool sign, int exp, Sig sig, bool sticky, const Format& out, const RoundOptions& opt,
                        uint32_t srRandom) {
  const int M = out.manBits;
  if (!out.isSigned && sign && (sig != 0 || sticky)) return {0u, kFlagInvalid};  // no negative values
  if (sig == 0) {
    if (!sticky) return packZero(sign, out);
    // Only a sticky bit: a value far below any lsb. Represent it as one bit well below.
    sig = 1;
    exp -= 2;
    sticky = false;
  }
  const int msb = detail::msbIndex(sig);
  const int E = exp + msb;  // exponent of the leading bit
  const int emin = out.emin();
  const bool tinyRange = E < emin;

  // Tininess after rounding: round at full precision with an unbounded exponent range.
  bool tiny = false;
  if (tinyRange) {
    tiny = true;
    if (E == emin - 1) {
      const int shift = (E - M) - exp;
      bool rb = false, st = sticky;
      Sig kept = shift > 0 ? detail::shiftRightRound(sig, shift, rb, st) : Sig(sig << -shift);
      if (opt.mode == Rounding::ROD) {
        // Round-to-odd never carries into a new binade.
      } else if (detail::incrementFor(opt, sign, kept & 1u, rb, st, sig, shift, srRandom)) {
        kept += 1u;
      }
      if (kept >> (M + 1)) tiny = false;
    }
  }
  if (tinyRange && (opt.ftz || !out.subnormals) && !out.zeroExpIsNormal) {
    if (tiny) {
      Packed z = packZero(sign, out);
      z.flags = kFlagUnderflow | kFlagInexact;
      return z;
    }
  }

  int lsbExp = (tinyRange ? emin : E) - M;
  const int shift = lsbExp - exp;
  bool rb = false, st = sticky;
  Sig kept = shift > 0 ? detail::shiftRightRound(sig, shift, rb, st) : Sig(sig << -shift);
  const bool inexact = rb || st;
  if (opt.mode == Rounding::ROD) {
    if (inexact) kept |= 1u;
  } else if (detail::incrementFor(opt, sign, kept & 1u, rb, st, sig, shift, srRandom)) {
    kept += 1u;
  }
  if (kept >> (M + 1)) {
    kept >>= 1;  // carried to 2^(M+1): the dropped bit is 0
    lsbExp += 1;
  }
  uint8_t flags = inexact ? kFlagInexact : 0;
  if (tiny && inexact) flags |= kFlagUnderflow;

  if (out.zeroExpIsNormal && (kept >> M) == 0) {
    // No zero and no subnormals: anything below the smallest value becomes the smallest value.
    return {out.minNormalMag() | (sign ? out.signBit() : 0u), uint8_t(kFlagUnderflow | kFlagInexact)};
  }
  if (kept == 0) {
    Packed z = packZero(sign, out);
    z.flags = flags;
    return z;
  }
  const bool normal = (kept >> M) & 1u;
  const int64_t field = normal ? int64_t(lsbExp) + M + out.bias : 0;
  const uint64_t man = uint64_t(kept) & ((uint64_t(1) << M) - 1u);
  if (field < 0) return packZero(sign, out);  // unreachable: normal results have E >= emin
  const uint64_t mag = (uint64_t(field) << M) | man;
  if (mag > out.maxFiniteMag()) return detail::packOverflow(sign, out, opt);
  return {uint32_t(mag) | (sign ? out.signBit() : 0u), flags};
}

template <class Sig>
inline Packed roundToInt(bool sign, int exp, Sig sig, const Format& out, const RoundOptions& opt, uint32_t srRandom,
                         IntRange range) {
  const int N = out.intBits;
  const uint64_t posMax = out.isSigned ? (uint64_t(1) << (N - 1)) - 1u : (uint64_t(1) << N) - 1u;
  const uint64_t negMax = !out.isSigned ? 0u : range == IntRange::Symmetric ? posMax : uint64_t(1) << (N - 1);
  const uint32_t mask = out.mask();
  auto clamp = [&]() -> Packed {
    if (!sign) return {uint32_t(posMax) & mask, kFlagInvalid};
    return {uint32_t(0u - negMax) & mask, kFlagInvalid};
  };
  const int E = exp + detail::msbIndex(sig);
  if (E > N) return clamp();  // at least 2^(N+1) in magnitude, past every limit whatever the rounding
  uint64_t kept = 0;
  bool rb = false, st = false;
  if (exp >= 0) {
    kept = uint64_t(sig) << exp;  // exact: E <= N <= 32
  } else {
    const int shift = -exp;
    kept = uint64_t(detail::shiftRightRound(sig, shift, rb, st));
    if (opt.mode == Rounding::ROD) {
      if (rb || st) kept |= 1u;
    } else if (detail::incrementFor(opt, sign, kept & 1u, rb, st, sig, shift, srRandom)) {
      kept += 1u;
    }
  }
  if (kept > (sign ? negMax : posMax)) return clamp();
  const uint8_t flags = (rb || st) ? kFlagInexact : 0;
  return {uint32_t(sign ? 0u - kept : kept) & mask, flags};
}

}  // namespace nf
