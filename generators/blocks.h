// Verilog building blocks every operator composes: unpack, normalize, round-and-pack, and the pieces of
// a rounding mode. Each block is its own module named <top>_<block>, so generated files never collide.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "generators/verilog.h"
#include "refmodels/format.h"
#include "refmodels/rounding.h"

namespace nf::blocks {

// The modules of one generated file, in emission order (deterministic), each added once: adding a name again
// with the same body shares it, with a different body throws std::logic_error naming the module and the top.
class Design {
 public:
  explicit Design(std::string top) : top_(std::move(top)) {}
  const std::string& top() const { return top_; }
  bool has(const std::string& name) const;
  void add(const std::string& name, const std::string& text);
  // A module's ports as its text declares them (name, direction, width), for checking instances.
  struct Port {
    std::string name;
    bool input = true;
    int width = 1;
  };
  const std::vector<Port>& ports(const std::string& module) const;
  // Ends the module being written in `w` ("endmodule") and adds it as `name`.
  void close(const std::string& name, vlog::Writer& w);
  void setHeader(const std::string& comment) { header_ = comment; }
  std::string text() const;  // the header comment, then every module, top first

 private:
  std::string top_;
  std::string header_;
  std::vector<std::pair<std::string, std::string>> modules_;
  std::map<std::string, std::vector<Port>> ports_;
};

// Unpacks one floating-point operand: class bits, normalized significand (MSB set for nonzero finite
// values) and the unbiased exponent of its leading bit.
struct Unpacked {
  std::string module;
  int sigBits = 0;  // M+1
  int expBits = 0;  // signed width of `exp`
  int expMin = 0, expMax = 0;
  bool normalized = true;  // false: an is_sub port flags subnormals, left unnormalized
};
// zeroSigDontCare: the operator replaces every result with a zero operand, so the significand's leading
// bit may be a constant 1 (a simpler multiplier), whatever a zero's would be.
Unpacked emitUnpack(Design& d, const Format& f, bool daz, bool normalize = true, bool zeroSigDontCare = false);

// Shifts v left until its MSB is set (or v is zero) and counts the shift; log-depth.
std::string emitNormalizer(Design& d, int width);
int normalizerCountBits(int width);

// Unsigned wa x wb multiplier module (ports x, y, p), exact.
std::string emitMultiplier(Design& d, int wa, int wb);

// Divides n by dv, both normalized (MSB set: values in [1,2)), so the quotient lies in (1/2, 2): q holds its
// bits of weight 2^0 .. 2^-(qBits-1) and sticky says the remainder is nonzero (the bits below are not all
// zero). Restoring division, one compare-and-subtract per quotient bit; exact, like nf::roundQuotient. Feed
// q to emitRoundPack with leadingBitMayBeZero (q / 2^(qBits-2) lies in [1,4)) and sticky to sticky_in.
std::string emitDivider(Design& d, int nBits, int dBits, int qBits);

// The largest of n unsigned `width`-bit words k0..k{n-1} (ports k0.., m), a balanced tree of compares. With
// tieFlags, each word carries a flag f0..f{n-1} and f says whether any word equal to the largest has its flag set
// (an MX block's "the largest exponent needs the scale rounded up").
std::string emitMaxTree(Design& d, int n, int width, bool tieFlags = false);

// Rounding-mode selection: a fixed mode, or decoded from a 3-bit `rm` port.
struct RoundingSel {
  bool dynamic = false;
  Rounding mode = Rounding::RNE;
};

struct RoundPackParams {
  Format out;
  int expBits = 0;   // signed width of the `exp` input
  int sigBits = 0;   // width of the `sig` input
  // false: sig is normalized (MSB set unless zero) and exp is its MSB's exponent. true: sig is in [1,4)
  // (a product), its MSB may be zero, and exp is the exponent of bit sigBits-2.
  bool leadingBitMayBeZero = false;
  RoundingSel rounding;
  bool saturate = false;
  bool ftz = false;
  bool needSubnormalPath = true;  // false when no input can reach below out.emin()
  bool needOverflow = true;       // false when no input can reach out.emax()
  int srBits = 0;                 // rounding.mode == SR: width of the `sr` random-bits input
  SrVariant srVariant = SrVariant::A;  // rounding.mode == SR: P3109's variant (nf::srRoundsUp)
  std::string nameSuffix;         // tells apart two different round blocks of one design: <top>_roundpack<suffix>
};
// Ports: sign, exp, sig, sticky_in, [rm], [sr] -> z, inexact, underflow, overflow. Mirrors nf::roundPack.
std::string emitRoundPack(Design& d, const RoundPackParams& p);

// Unpacks an integer operand: sign, zero, and the magnitude normalized (MSB set) with its MSB's exponent,
// the same representation emitUnpack gives floats.
Unpacked emitUnpackInt(Design& d, const Format& f);

struct RoundIntParams {
  Format out;        // FormatKind::Int
  int expBits = 0;   // signed width of `exp`, the exponent of sig's MSB
  int sigBits = 0;   // sig normalized (MSB set)
  RoundingSel rounding;
  int srBits = 0;
  IntRange range = IntRange::Full;  // Symmetric: signed results clamp at +-(2^(N-1) - 1)
  int fracBits = 0;  // z is fixed point with this many fraction bits: the integer of sig * 2^(exp - (sigBits-1) + F)
  bool flags = true;     // false: no inexact / invalid ports
  bool stickyIn = false; // a sticky_in port: nonzero bits lie below sig's LSB, which the caller guarantees lies
                         // below the round bit whenever the result is in range
  // false: the shifter keeps every bit of sig as fraction at any shift (fcvt's form). true: it keeps only the
  // round bit and the SR bits below the integer part and ORs the rest into the sticky bit: the same results
  // from a shifter about half as wide (32 of them in an MX int block).
  bool narrowFraction = false;
};
// Ports: sign, exp, sig, [sticky_in], [rm], [sr] -> z, [inexact, invalid]. Mirrors nf::roundToInt (saturating).
std::string emitRoundToInt(Design& d, const RoundIntParams& p);

// Verilog expressions for "round up" given lsb / round / sticky / sign wire names.
std::string roundUpExpr(const RoundingSel& r, const std::string& sign, const std::string& lsb,
                        const std::string& rb, const std::string& st);
// A 32-bit xorshift LFSR (13, 17, 5), the Verilog twin of nf::SrLfsr: register `reg`, reset by the synchronous
// `rst` to `seed`, stepping on clock edges where `advance` holds.
void emitXorshiftLfsr(vlog::Writer& w, const std::string& reg, uint32_t seed, const std::string& advance);
// Declares m_rne.. m_rod wires decoded from `rm` (dynamic rounding only).
void declareModeWires(vlog::Writer& w, const std::string& rm);
// The encoding of an exact infinite result and its flags (nf::packInfinity), as two Verilog expressions.
std::string infinityResultExpr(const Format& out, bool saturate, const std::string& sign);
uint8_t infinityResultFlags(const Format& out, bool saturate);
std::string zeroResultExpr(const Format& out, const std::string& sign);
std::string nanResultExpr(const Format& out);
// A constant that differs under rdn (an accumulation's identity, -0 but +0 under rdn): `ifRdn` or
// `otherwise` for a fixed mode, a mux on `rm` for dynamic rounding.
std::string rdnSelectExpr(const RoundingSel& r, const std::string& rm, int width, uint32_t ifRdn, uint32_t otherwise);

}  // namespace nf::blocks
