// mxquant: OCP MX v1.0 block quantizer (shared E8M0 scale + K elements). Generator, options and stimulus;
// the model is refmodels/mxquant.cpp.
#include "generators/mxquant.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "generators/block_stimulus.h"
#include "generators/blocks.h"
#include "generators/emitter_names.h"
#include "generators/instances.h"
#include "generators/common_options.h"
#include "generators/unit_base.h"
#include "generators/verilog.h"
#include "refmodels/corners.h"

namespace nf {

using namespace emitter_names;

namespace {


const char* ruleDefinition(MxScaleRule r) {
  switch (r) {
    case MxScaleRule::Floor: return "floor(log2(amax)) - emax_elem";
    case MxScaleRule::Ceil: return "ceil(log2(amax)) - emax_elem";
    case MxScaleRule::Even: return "floor(log2(amax rounded to the element precision, ties away)) - emax_elem";
    case MxScaleRule::RCeil: return "smallest power of two with amax / X <= max normal";
  }
  return "?";
}

// The --lanes architecture of a spec: L elements per beat, K/L beats per block (L = K: the block at once).
struct MxBeats {
  int lanes = 0, beats = 1;
  MxBeats(const MxQuantSpec& s, const Architecture& arch)
      : lanes(arch.lanes > 0 ? arch.lanes : s.block), beats(s.block / lanes) {}
};
bool hasLfsr(const MxQuantSpec& s) { return s.mode == Rounding::SR && s.srSource == SrSource::Lfsr; }
// A unit with state: an LFSR, or a block arriving over several beats.
bool isStateful(const MxQuantSpec& s, const MxBeats& b) { return hasLfsr(s) || b.beats > 1; }

HeaderText header(const MxQuantSpec& s, const MxBeats& b) {
  HeaderText h;
  h.summary = fmt::format("OCP MX v1.0 block quantizer, {} elements -> E8M0 scale + elements", s.block);
  h.operands = {
      {"x", operandText(s.in)},
      {"q", operandText(s.elem, s.elem.kind == FormatKind::Int ? fmt::format(", read as 1.{} fixed point", s.elem.intBits - 2)
                                                               : "")},
      {"scale", "e8m0, 2^(scale-127); 0xFF (NaN) when the block holds a NaN or Inf (elements 0)"}};
  h.notes.push_back(fmt::format("Scale rule: {} ({}), clamped to [-127, 127]; elements saturate at +-{}", mxScaleRuleName(s.rule),
                                ruleDefinition(s.rule), mxElemMax(s.elem)));
  if (s.mode == Rounding::SR) {
    const std::string rule =
        s.srVariant == SrVariant::A
            ? fmt::format("truncate(|x / X| + r * 2^(lsb - {}))", s.srBits)
            : fmt::format("x / X rounded by IEEE P3109 variant {}, {}, eta the fraction below the lsb", srVariantLetter(s.srVariant),
                          srVariantRule(s.srVariant));
    h.notes.push_back(fmt::format(
        "Rounding: sr (elements: {}, r = {} random bits per element {})", rule, s.srBits,
        s.srSource == SrSource::Lfsr
            ? fmt::format("from 32-bit xorshift LFSRs, seed 0x{:08x}, stepping once per rounded beat", s.srSeed)
            : std::string("from the sr_bits port, element i at [R*i +: R]")));
  } else {
    h.notes.push_back(fmt::format("Rounding: {} (elements)", roundingName(s.mode)));
  }
  if (b.beats > 1) {
    h.notes.push_back(fmt::format(
        "Lanes: {} elements per valid_in beat, a block is {} consecutive beats after reset; throughput one beat",
        b.lanes, b.beats));
    h.notes.push_back("  per cycle sustained (the next block may arrive while one drains). Synchronous rst clears the "
                      "counters only.");
    h.notes.push_back(fmt::format(
        "Latency: the block's {} output beats (valid_out; last_out on the final one) come in the {} cycles", b.beats,
        b.beats));
    h.notes.push_back("  right after its last input beat (first output beat 1 cycle after it).");
  } else {
    h.notes.push_back(isStateful(s, b) ? "Latency: 0 (combinational from x and the LFSR state; clk, rst, valid_in, valid_out)"
                                       : "Latency: 0 (combinational)");
  }
  return h;
}

// What the parallel and the lanes architecture share: widths, the unpack and rounding blocks, and the Verilog
// for one element's unpack, the exponent-maximum tree, the shared exponent and one element's rounding.
struct MxRtl {
  const MxQuantSpec& s;
  MxBeats beat;
  Design& d;
  vlog::Writer& w;
  blocks::Unpacked u;
  MxElemLimits lim;
  int WA = 0, WQ = 0, P = 0, XA = 0, eOff = 0, EW = 0, XS = 0, XR = 0, R = 0;
  int SB = 0;           // significand bits the rounder takes: P, or fewer (plus a sticky bit) from the lanes buffer
  bool sticky = false;  // SB < P and the rounding reads bits below the round bit (not SR)
  bool scaleUp = false, intElem = false, sr = false, lfsr = false;
  std::string rounder, sink;
  std::string umax;  // the tree's scale-up flag at its root

  // `compress`: the rounder takes only the significand bits a rounding can read (the element's precision, then the
  // round bit or the R random-bit positions) and a sticky bit, as the lanes buffer stores them.
  MxRtl(const MxQuantSpec& spec, const MxBeats& beats, Design& design, vlog::Writer& writer, bool compress)
      : s(spec), beat(beats), d(design), w(writer), u(blocks::emitUnpack(design, spec.in, false, true, false)),
        lim(mxElemLimits(spec.elem)) {
    WA = s.in.width();
    WQ = s.elem.width();
    P = u.sigBits;
    XA = u.expBits;
    intElem = s.elem.kind == FormatKind::Int;
    // Every rule but floor adds one to the scale when amax's significand passes a threshold; even's lies below
    // the input's precision when the input has at most the element's bits plus one (never reached then).
    scaleUp = s.rule != MxScaleRule::Floor && !(s.rule == MxScaleRule::Even && P <= lim.manBits + 1);
    sr = s.mode == Rounding::SR;
    lfsr = sr && s.srSource == SrSource::Lfsr;
    R = sr ? s.srBits : 0;
    // Nonzero elements' exponents, offset so that 0 means "zero element" and unsigned compares order them.
    eOff = u.expMin - 1;
    EW = vlog::bitsFor(uint64_t(u.expMax - eOff));
    // Shared exponent before clamping: [expMin - 1 - emax, expMax - emax + 1]; it must also hold +-127 and +127.
    const int sMin = std::min(eOff - lim.emax, kMxScaleMin), sMax = std::max(u.expMax - lim.emax + 1, kMxScaleMax + kE8M0Bias);
    XS = vlog::signedBitsFor(sMin, sMax);
    XR = vlog::signedBitsFor(int64_t(u.expMin) - kMxScaleMax, int64_t(u.expMax) - kMxScaleMin);
    const int precision = intElem ? s.elem.intBits - 1 : lim.manBits + 1;
    // Variants B and C read one bit of eta below the R random-bit positions; C's tie (RNE of eta 2^R) also reads
    // whether anything lies below that bit. Variant A reads nothing below the R bits.
    const bool srExtraBit = sr && s.srVariant != SrVariant::A;
    SB = compress ? std::min(P, precision + std::max(1, R) + (srExtraBit ? 1 : 0)) : P;
    sticky = SB < P && (!sr || s.srVariant == SrVariant::C);
    if (intElem) {
      blocks::RoundIntParams ri;
      ri.out = s.elem;
      ri.expBits = XR;
      ri.sigBits = SB;
      ri.rounding = {false, s.mode};
      ri.range = IntRange::Symmetric;
      ri.fracBits = s.elem.intBits - 2;
      ri.flags = false;
      ri.stickyIn = sticky;
      ri.narrowFraction = true;
      rounder = blocks::emitRoundToInt(d, ri);
    } else {
      blocks::RoundPackParams rp;
      rp.out = s.elem;
      rp.expBits = XR;
      rp.sigBits = SB;
      rp.leadingBitMayBeZero = false;
      rp.rounding = {false, sr ? Rounding::SR : s.mode};
      rp.saturate = true;
      rp.ftz = false;
      rp.srBits = R;
      rp.srVariant = s.srVariant;
      rounder = blocks::emitRoundPack(d, rp);
    }
  }

  // Input x{i}: unpacked wires x{i}_*, its offset exponent e{i}_l0 (0: zero) and, for a rule that may add one,
  // u{i}_l0.
  void unpackElement(int i) {
    blocks::instantiateUnpack(w, d, u, fmt::format("x{}", i), fmt::format("x{}", i), "", "", fmt::format("u_unpack_{}", i));
    const std::string expW = EW <= XA ? fmt::format("x{}_exp[{}:0]", i, EW - 1)
                                      : vlog::signExtend(fmt::format("x{}_exp", i), XA, EW);
    // e = exp - eOff, modulo 2^EW (eOff = expMin - 1 is negative for most formats: written as the addition).
    const std::string offset = eOff < 0 ? fmt::format("{} + {}", expW, lit(EW, uint64_t(-int64_t(eOff))))
                                        : fmt::format("{} - {}", expW, lit(EW, uint64_t(eOff)));
    w.line(fmt::format("  wire {}e{}_l0 = x{}_zero ? {} : ({});", range(EW), i, i, lit(EW, 0), offset));
    if (scaleUp) {
      // Above the rule's threshold once aligned: such an amax takes the scale one up.
      const int CW = std::max(P, lim.manBits + 1);
      const uint64_t thr = mxScaleThreshold(s.rule, lim) >> (64 - CW);
      const std::string sig = CW == P ? fmt::format("x{}_sig", i) : fmt::format("{{x{}_sig, {}'d0}}", i, CW - P);
      w.line(fmt::format("  wire u{}_l0 = {} > {};", i, sig, vlog::bits(CW, thr)));
    }
    sink += fmt::format(", x{}_snan", i);
    if (XA > EW) sink += fmt::format(", x{}_exp[{}:{}]", i, XA - 1, EW);
  }

  std::string specialOf(int n) const {
    std::string t;
    for (int i = 0; i < n; ++i) t += fmt::format("{}x{}_nan, x{}_inf", i ? ", " : "", i, i);
    return "|{" + t + "}";
  }

  // The largest of the n leaves e{j}_l0 as `emax` (the shared max-tree block), and for a rule that may add one
  // the wire named by `umax`: whether a leaf of that exponent needs the scale rounded up (leaf flags u{j}_l0).
  void maxTree(int n) {
    w.line("  // Largest exponent among the nonzero elements" +
           std::string(scaleUp ? ", and whether an element of that exponent needs rounding the scale up." : "."));
    const std::string tree = blocks::emitMaxTree(d, n, EW, scaleUp);
    std::vector<std::pair<std::string, std::string>> conns;
    for (int j = 0; j < n; ++j) conns.emplace_back(fmt::format("k{}", j), fmt::format("e{}_l0", j));
    if (scaleUp)
      for (int j = 0; j < n; ++j) conns.emplace_back(fmt::format("f{}", j), fmt::format("u{}_l0", j));
    w.wires(EW, {"emax"});
    conns.emplace_back("m", "emax");
    if (scaleUp) {
      w.wires(1, {"umax"});
      conns.emplace_back("f", "umax");
    }
    blocks::instance(w, d, tree, "u_emax", conns);
    umax = "umax";
  }

  // The clamped shared exponent `s` (XS bits) of emax / umax.
  void sharedExponent() {
    w.line(fmt::format("  wire all_zero = (emax == {});", lit(EW, 0)));
    const int64_t sOffset = int64_t(eOff) - lim.emax;
    w.line(fmt::format("  wire {}s_raw = {} + {}{};", range(XS), vlog::zeroExtend("emax", EW, XS), slit(XS, sOffset),
                       scaleUp ? " + " + vlog::zeroExtend(umax, 1, XS) : ""));
    std::string clamp = "s_raw";
    if (int64_t(u.expMax) - lim.emax + (scaleUp ? 1 : 0) > kMxScaleMax)
      clamp = fmt::format("($signed(s_raw) > $signed({0})) ? {0} : {1}", slit(XS, kMxScaleMax), clamp);
    if (sOffset + 1 < kMxScaleMin)
      clamp = fmt::format("($signed(s_raw) < $signed({0})) ? {0} : {1}", slit(XS, kMxScaleMin), clamp);
    w.line(fmt::format("  wire {}s = all_zero ? {} : {};", range(XS), slit(XS, kMxScaleMin), clamp));
  }

  // `scale` from the shared exponent `sv` and the block's NaN/Inf flag `special`.
  void scaleOutput(const std::string& sv, const std::string& special) {
    w.line(fmt::format("  wire {}s_biased = {} + {};", range(XS), sv, slit(XS, kE8M0Bias)));
    w.line(fmt::format("  assign scale = {} ? 8'hff : s_biased[7:0];", special));
    sink += fmt::format(", s_biased[{}:8]", XS - 1);
  }

  // The random bits of rounded element i: the port's field i, or field i of the LFSR bank word.
  std::string srField(int i, int generators) const {
    if (lfsr) return fmt::format("lfsr_w[{}:{}]", 32 * generators - 1 - R * i, 32 * generators - R * (i + 1));
    return fmt::format("sr_bits[{}:{}]", R * i + R - 1, R * i);
  }

  // A bank of 32-bit xorshift LFSRs (SrLfsrBank's twin) giving `fields` R-bit fields, stepping when `advance`.
  int lfsrBank(int fields, const std::string& advance) {
    const int G = (fields * R + 31) / 32;
    w.line(fmt::format("  // Random bits: {} xorshift LFSR{} (13, 17, 5), generator g reset to seed * (2 * 0x9e3779b9 * g + 1).",
                       G, G > 1 ? "s" : ""));
    std::string cat;
    for (int g = 0; g < G; ++g) {
      blocks::emitXorshiftLfsr(w, fmt::format("lfsr{}", g), SrLfsrBank::seedOf(s.srSeed, g), advance);
      cat += fmt::format("{}lfsr{}", g ? ", " : "", g);
    }
    w.line(fmt::format("  wire {}lfsr_w = {{{}}};", range(32 * G), cat));
    if (fields * R < 32 * G) sink += fmt::format(", lfsr_w[{}:0]", 32 * G - fields * R - 1);
    return G;
  }

  // Element i of prefix `x` (wires {x}{i}_sign, _zero, _exp, _sig and, when `sticky`, _sticky) rounded with the shared
  // exponent `sv` to q{i}; `srBits` names its random bits under SR.
  void roundElement(int i, const std::string& x, const std::string& sv, const std::string& special, const std::string& srBits) {
    const std::string e = fmt::format("{}{}", x, i);
    w.line(fmt::format("  wire {}{}_es = {} - {};", range(XR), e, vlog::signExtend(e + "_exp", XA, XR),
                       XS >= XR ? fmt::format("{}[{}:0]", sv, XR - 1) : vlog::signExtend(sv, XS, XR)));
    w.line(fmt::format("  wire {}r{};", range(WQ), i));
    const std::string st = sticky ? fmt::format(".sticky_in({}_sticky)", e) : std::string(".sticky_in(1'b0)");
    if (intElem) {
      w.line(fmt::format("  {0} u_round_{1} (.sign({2}_sign), .exp({2}_es), .sig({2}_sig),{3} .z(r{1}));", rounder, i, e,
                         sticky ? " " + st + "," : ""));
    } else {
      w.line(fmt::format("  wire [2:0] r{}_flags;", i));
      w.line(fmt::format("  {0} u_round_{1} (.sign({2}_sign), .exp({2}_es), .sig({2}_sig), {3},{4} .z(r{1}), "
                         ".inexact(r{1}_flags[0]), .underflow(r{1}_flags[1]), .overflow(r{1}_flags[2]));",
                         rounder, i, e, st, sr ? fmt::format(" .sr({}),", srBits) : ""));
      sink += fmt::format(", r{}_flags", i);
    }
    const std::string zero = intElem ? lit(WQ, 0) : blocks::zeroResultExpr(s.elem, e + "_sign");
    w.line(fmt::format("  assign q{0} = {1} ? {2} : {3}_zero ? {4} : r{0};", i, special, lit(WQ, 0), e, zero));
  }

  void finish(const std::string& sv) {
    if (XS > XR) sink += fmt::format(", {}[{}:{}]", sv, XS - 1, XR);
    w.line("  wire unused_ok = &{1'b0" + sink + "};");
    w.line("endmodule");
  }
};

// Ports: [clk, rst, valid_in], x0..x{n-1}, [sr_bits], [valid_out], scale, q0..q{n-1}, [last_out].
void mxPorts(vlog::Writer& w, const MxQuantSpec& s, int n, const std::string& module, bool clocked, bool last) {
  w.open(fmt::format("module {} (", module));
  if (clocked) {
    w.line("input  wire clk,");
    w.line("input  wire rst,");
    w.line("input  wire valid_in,");
  }
  for (int i = 0; i < n; ++i) w.line(fmt::format("input  wire {}x{},", range(s.in.width()), i));
  if (s.mode == Rounding::SR && s.srSource == SrSource::Port) w.line(fmt::format("input  wire {}sr_bits,", range(n * s.srBits)));
  if (clocked) w.line("output wire valid_out,");
  w.line("output wire [7:0] scale,");
  for (int i = 0; i < n; ++i) w.line(fmt::format("output wire {}q{}{}", range(s.elem.width()), i, i + 1 < n || last ? "," : ""));
  if (last) w.line("output wire last_out");
  w.close(");");
}

// The whole block at once: combinational (or, with an LFSR, combinational from x and the LFSR state).
void emitParallel(MxRtl& r, const std::string& module) {
  const MxQuantSpec& s = r.s;
  vlog::Writer& w = r.w;
  const int K = s.block;
  mxPorts(w, s, K, module, r.lfsr, false);
  const int G = r.lfsr ? r.lfsrBank(K, "valid_in") : 0;
  if (r.lfsr) w.line("  assign valid_out = valid_in;");
  w.line("  // Unpack every element: class, significand normalized to [1,2), exponent of its leading bit.");
  for (int i = 0; i < K; ++i) r.unpackElement(i);
  w.line(fmt::format("  wire special = {};", r.specialOf(K)));
  r.maxTree(K);
  r.sharedExponent();
  r.scaleOutput("s", "special");
  w.line("  // Each element: its exponent less the shared one, rounded (saturating) to the element format.");
  for (int i = 0; i < K; ++i) r.roundElement(i, "x", "s", "special", r.sr ? r.srField(i, G) : "");
  r.finish("s");
}

// L elements per cycle. Pass 1, while a block's K/L beats arrive: a running exponent maximum, and each element
// (sign, zero, exponent, the significand bits a rounding can read, sticky, [port random bits]) written into a
// buffer of K entries. The beat that completes the block latches its shared exponent, and pass 2 reads the buffer
// L entries per cycle for the next K/L cycles, rounding them. The next block may arrive meanwhile: a slot is
// read in the cycle it drains, no later than the edge that overwrites it, so one buffer suffices.
void emitLanes(MxRtl& r, const std::string& module) {
  const MxQuantSpec& s = r.s;
  vlog::Writer& w = r.w;
  const int L = r.beat.lanes, G = r.beat.beats, CW = vlog::bitsFor(uint64_t(G - 1)), P = r.P, SB = r.SB;
  const bool srPort = r.sr && !r.lfsr;
  mxPorts(w, s, L, module, true, true);
  w.line(fmt::format("  // Input beats: a block is {} consecutive valid beats after reset.", G));
  w.line(fmt::format("  reg {}in_beat;", range(CW)));
  w.line(fmt::format("  wire first_beat = (in_beat == {});", lit(CW, 0)));
  w.line(fmt::format("  wire block_done = valid_in & (in_beat == {});", lit(CW, uint64_t(G - 1))));
  w.line("  always @(posedge clk) begin");
  w.line(fmt::format("    in_beat <= (rst | block_done) ? {} : valid_in ? in_beat + {} : in_beat;", lit(CW, 0), lit(CW, 1)));
  w.line("  end");
  for (int i = 0; i < L; ++i) r.unpackElement(i);
  w.line("  // The running maximum of the block's earlier beats is one more leaf of the tree.");
  w.line(fmt::format("  reg {}run_e;", range(r.EW)));
  w.line("  reg run_special;");
  w.line(fmt::format("  wire {}e{}_l0 = first_beat ? {} : run_e;", range(r.EW), L, lit(r.EW, 0)));
  if (r.scaleUp) {
    w.line("  reg run_u;");
    w.line(fmt::format("  wire u{}_l0 = ~first_beat & run_u;", L));
  }
  w.line(fmt::format("  wire special = {} | (~first_beat & run_special);", r.specialOf(L)));
  r.maxTree(L + 1);
  r.sharedExponent();
  w.line(fmt::format("  reg {}s_reg;", range(r.XS)));
  w.line("  reg special_reg;");
  w.line("  always @(posedge clk) begin");
  w.line("    if (valid_in) begin");
  w.line("      run_e <= emax;");
  if (r.scaleUp) w.line(fmt::format("      run_u <= {};", r.umax));
  w.line("      run_special <= special;");
  w.line("    end");
  w.line("    if (block_done) begin");
  w.line("      s_reg <= s;");
  w.line("      special_reg <= special;");
  w.line("    end");
  w.line("  end");
  // Buffer entry: {sign, zero, exp, sig[P-1 : P-SB], [sticky], [sr]}.
  const int BW = 2 + r.XA + SB + (r.sticky ? 1 : 0) + (srPort ? r.R : 0);
  w.line(fmt::format("  // Block buffer: per lane, {} entries of {{sign, zero, exp, top {} significand bits{}{}}}.", G, SB,
                     r.sticky ? ", sticky" : "", srPort ? ", random bits" : ""));
  for (int i = 0; i < L; ++i) {
    std::string entry = fmt::format("x{0}_sign, x{0}_zero, x{0}_exp, x{0}_sig[{1}:{2}]", i, P - 1, P - SB);
    if (r.sticky) entry += fmt::format(", |x{}_sig[{}:0]", i, P - SB - 1);
    if (srPort) entry += ", " + r.srField(i, 0);
    w.line(fmt::format("  reg {}mem{} [0:{}];", range(BW), i, G - 1));
    w.line(fmt::format("  always @(posedge clk) begin"));
    w.line(fmt::format("    if (valid_in) mem{}[in_beat] <= {{{}}};", i, entry));
    w.line("  end");
    if (SB < P && !r.sticky) r.sink += fmt::format(", x{}_sig[{}:0]", i, P - SB - 1);
  }
  w.line("  // Output beats: the K/L cycles after a block completes, L rounded elements each.");
  w.line("  reg draining;");
  w.line(fmt::format("  reg {}out_beat;", range(CW)));
  w.line(fmt::format("  wire out_last = draining & (out_beat == {});", lit(CW, uint64_t(G - 1))));
  w.line("  always @(posedge clk) begin");
  w.line("    if (rst) begin");
  w.line("      draining <= 1'b0;");
  w.line(fmt::format("      out_beat <= {};", lit(CW, 0)));
  w.line("    end else if (block_done) begin");
  w.line("      draining <= 1'b1;");
  w.line(fmt::format("      out_beat <= {};", lit(CW, 0)));
  w.line("    end else if (draining) begin");
  w.line("      draining <= ~out_last;");
  w.line(fmt::format("      out_beat <= out_last ? {} : out_beat + {};", lit(CW, 0), lit(CW, 1)));
  w.line("    end");
  w.line("  end");
  w.line("  assign valid_out = draining;");
  w.line("  assign last_out = out_last;");
  const int G2 = r.lfsr ? r.lfsrBank(L, "draining") : 0;
  r.scaleOutput("s_reg", "special_reg");
  for (int i = 0; i < L; ++i) {
    w.line(fmt::format("  wire {}rd{} = mem{}[out_beat];", range(BW), i, i));
    int hi = BW - 1;
    w.line(fmt::format("  wire b{}_sign = rd{}[{}];", i, i, hi--));
    w.line(fmt::format("  wire b{}_zero = rd{}[{}];", i, i, hi--));
    w.line(fmt::format("  wire {}b{}_exp = rd{}[{}:{}];", range(r.XA), i, i, hi, hi - r.XA + 1));
    hi -= r.XA;
    w.line(fmt::format("  wire {}b{}_sig = rd{}[{}:{}];", range(SB), i, i, hi, hi - SB + 1));
    hi -= SB;
    if (r.sticky) w.line(fmt::format("  wire b{}_sticky = rd{}[{}];", i, i, hi--));
    const std::string srb = srPort ? fmt::format("rd{}[{}:0]", i, r.R - 1) : r.lfsr ? r.srField(i, G2) : "";
    r.roundElement(i, "b", "s_reg", "special_reg", srb);
  }
  r.finish("s_reg");
}

}  // namespace

GeneratedModule emitMxQuant(const MxQuantSpec& s, const Architecture& arch, const std::string& moduleName,
                            const std::string& command) {
  Design d(moduleName);
  vlog::Writer w;
  const MxBeats beats(s, arch);
  const bool lanes = beats.beats > 1;
  MxRtl r(s, beats, d, w, lanes);
  d.setHeader(headerComment(moduleName, "mxquant", header(s, beats), command));
  if (lanes) emitLanes(r, moduleName);
  else emitParallel(r, moduleName);
  d.add(moduleName, w.str());
  return generatedModule(d);
}

namespace {

// Bits [lsb, lsb + width) of a port held in 32-bit words, least significant word first.
uint32_t portField(const uint32_t* words, int lsb, int width) {
  const int w = lsb / 32, o = lsb % 32;
  uint64_t v = words[w] >> o;
  if (o + width > 32) v |= uint64_t(words[w + 1]) << (32 - o);
  return uint32_t(v & ((uint64_t(1) << width) - 1u));
}

bool srPort(const MxQuantSpec& s) { return s.mode == Rounding::SR && s.srSource == SrSource::Port; }

class MxQuantUnit final : public OperatorUnit<MxQuantSpec> {
 public:
  MxQuantUnit(MxQuantSpec spec, Architecture arch, std::string module, std::vector<std::string> args)
      : OperatorUnit("mxquant", std::move(spec), arch, std::move(module), std::move(args)), beat_(s_, arch_) {
    const int n = beat_.lanes;
    for (int i = 0; i < n; ++i) in_.push_back({fmt::format("x{}", i), s_.in.width(), s_.in});
    if (srPort(s_)) in_.push_back({"sr_bits", n * s_.srBits, std::nullopt});
    out_.push_back({"scale", 8, parseFormat("e8m0")});
    for (int i = 0; i < n; ++i) out_.push_back({fmt::format("q{}", i), s_.elem.width(), s_.elem});
    if (beat_.beats > 1) out_.push_back({"last_out", 1, std::nullopt});
  }
  bool stateful() const override { return isStateful(s_, beat_); }
  int streamGroup() const override { return beat_.beats > 1 ? beat_.beats : 0; }
  GeneratedModule emitVerilog(const std::string& command) const override {
    return emitMxQuant(s_, arch_, moduleName(), command);
  }
  void describe(nlohmann::json& j) const override {
    j["function"] = "scale = E8M0 shared exponent of the block, q_i = round(x_i / 2^(scale-127))";
    j["formats"] = {{"a", s_.in.name}, {"out", s_.elem.name}, {"scale", "e8m0"}};
    j["block"] = s_.block;
    j["scale_rule"] = mxScaleRuleName(s_.rule);
    j["rounding"] = roundingName(s_.mode);
    if (s_.mode == Rounding::SR) {
      j["sr_bits"] = s_.srBits;
      if (s_.srVariant != SrVariant::A) j["sr_variant"] = s_.srVariant == SrVariant::B ? "b" : "c";  // a: as before
      j["sr_source"] = s_.srSource == SrSource::Lfsr ? "lfsr" : "port";
      if (s_.srSource == SrSource::Lfsr) j["sr_seed"] = s_.srSeed;
    }
    if (beat_.beats > 1) {
      j["lanes"] = beat_.lanes;
      j["beats_per_block"] = beat_.beats;
      j["protocol"] = fmt::format(
          "a block is {0} consecutive valid_in beats of x0..x{1} after reset; its {0} output beats (valid_out, scale, "
          "q0..q{1}, last_out on the final one) come in the {0} cycles after the block's last input beat, the first "
          "one cycle after it; the next block may arrive meanwhile (one beat per cycle sustained)",
          beat_.beats, beat_.lanes - 1);
    }
  }
  // One vector is one beat. A lanes unit needs K/L beats per block: here the block repeating this beat, and its
  // first output beat (`eval` refuses such units; the harness uses the stream model).
  void emulate(const uint32_t* in, uint32_t* out) const override {
    std::vector<uint32_t> group(inputWords() * size_t(beat_.beats));
    for (int b = 0; b < beat_.beats; ++b) std::copy(in, in + inputWords(), group.begin() + ptrdiff_t(b * inputWords()));
    std::vector<uint32_t> outs(outputWords() * size_t(beat_.beats));
    Stream(s_, beat_, inputWords(), outputWords()).stepGroup(group.data(), outs.data());
    std::copy(outs.begin(), outs.begin() + ptrdiff_t(outputWords()), out);
  }
  class Stream final : public StreamModel {
   public:
    Stream(const MxQuantSpec& s, const MxBeats& beat, size_t iw, size_t ow)
        : s_(s), beat_(beat), iw_(iw), ow_(ow), model_(s, beat.lanes), x_(size_t(s.block)), sr_(size_t(s.block)),
          q_(size_t(s.block)) {}
    void step(const uint32_t* in, uint32_t* out) override { stepGroup(in, out); }
    void stepGroup(const uint32_t* in, uint32_t* out) override {
      const int L = beat_.lanes;
      for (int b = 0; b < beat_.beats; ++b)
        for (int i = 0; i < L; ++i) {
          const uint32_t* beat = in + size_t(b) * iw_;
          x_[size_t(b * L + i)] = beat[i];
          if (srPort(s_)) sr_[size_t(b * L + i)] = portField(beat + L, i * s_.srBits, s_.srBits);
        }
      uint32_t scale = 0;
      model_.block(x_.data(), sr_.data(), scale, q_.data());
      for (int b = 0; b < beat_.beats; ++b) {
        uint32_t* o = out + size_t(b) * ow_;
        o[0] = scale;
        std::copy(q_.begin() + b * L, q_.begin() + (b + 1) * L, o + 1);
        if (beat_.beats > 1) o[1 + L] = b + 1 == beat_.beats;
      }
    }

   private:
    MxQuantSpec s_;
    MxBeats beat_;
    size_t iw_, ow_;
    MxQuantStream model_;
    std::vector<uint32_t> x_, sr_, q_;
  };
  std::unique_ptr<StreamModel> streamModel() const override {
    return stateful() ? std::make_unique<Stream>(s_, beat_, inputWords(), outputWords()) : nullptr;
  }
  // The stimulus blocks, cut into beats; with an sr port each beat also takes random bits (all zeros, all ones, a
  // half and seeded random fields in turn).
  std::vector<std::vector<uint32_t>> cornerVectors() const override {
    const MxElemLimits l = mxElemLimits(s_.elem);
    const auto blocks = quantizerStimulus(s_.in, s_.block, l.emax, l.manBits, mxElemMax(s_.elem), 0x6d78);
    const int L = beat_.lanes;
    const uint32_t rMask = uint32_t((uint64_t(1) << s_.srBits) - 1u);
    std::mt19937_64 rng(0x7372);
    std::vector<std::vector<uint32_t>> v;
    for (size_t k = 0; k < blocks.size(); ++k)
      for (int b = 0; b < beat_.beats; ++b) {
        std::vector<uint32_t> vec(blocks[k].begin() + b * L, blocks[k].begin() + (b + 1) * L);
        if (srPort(s_)) {
          std::vector<uint32_t> words(size_t(in_.back().words()), 0u);
          for (int i = 0; i < L; ++i) {
            const uint32_t r = k % 4 == 0 ? 0u : k % 4 == 1 ? rMask : k % 4 == 2 ? (rMask >> 1) + 1u : uint32_t(rng()) & rMask;
            for (int bit = 0; bit < s_.srBits; ++bit)
              if ((r >> bit) & 1u) words[size_t((i * s_.srBits + bit) / 32)] |= 1u << ((i * s_.srBits + bit) % 32);
          }
          vec.insert(vec.end(), words.begin(), words.end());
        }
        v.push_back(std::move(vec));
      }
    return v;
  }

 private:
  MxBeats beat_;
};

class MxQuantFactory final : public OperatorFactory {
 public:
  std::string name() const override { return "mxquant"; }
  std::string summary() const override {
    return "OCP MX v1.0 block quantizer: K values -> one E8M0 scale + K elements";
  }
  void addOptions(CLI::App& cmd) override {
    cmd.add_option("--a", a_, "input format (fp32, bf16, fp16, ...)")->required();
    cmd.add_option("--out", out_, "element format: e4m3, e5m2, e3m2, e2m3, e2m1, int8 or another signed format (eXmY, P3109 binaryKpPs[e|f]; default e4m3)");
    cmd.add_option("--block", block_, "elements per block K (default 32)")->check(integerIn(1, 64));
    cmd.add_option("--scale-rule", rule_, "floor (OCP v1.0, default), ceil, even or rceil (torchao's ScaleCalculationMode)");
    cmd.add_option("--round", round_, "element rounding: rne (default), rna, rtz, rup, rdn, rod, sr (stochastic)");
    sr_.add(cmd, "the input's significand width, at most 16");
    sr_.addVariant(cmd);
    cmd.add_option("--sat", sat_,
                   "element saturation: satfinite (default: OCP MX elements clamp at +-max) or satpropagate (the same "
                   "results: a block with an Inf has the NaN scale, so no element is infinite); satnone is refused");
    cmd.add_option("--lanes", lanes_, "elements accepted per cycle L, dividing K (default K: the whole block at once)")
        ->check(integerIn(1, 64));
    cmd.add_option("--name", name_, "module name (default derived from the options)");
  }
  std::unique_ptr<Unit> build() const override {
    MxQuantSpec s;
    s.in = formatOption("--a", a_);
    requireFloat("--a", s.in, "mxquant");
    s.elem = formatOption("--out", out_);
    requireMxElement("--out", s.elem, "mxquant", " (1.(N-2) fixed point)");
    if (block_ < 1 || block_ > 64)
      throw UsageError(fmt::format("bad --block {}; accepted: 1..64 (OCP MX uses 32)", block_));
    s.block = block_;
    if (!parseMxScaleRule(rule_, s.rule))
      throw UsageError(fmt::format("bad --scale-rule '{}'; accepted: {}", rule_, kMxScaleRuleChoices));
    const bool sr = round_ == "sr";
    if (sr) s.mode = Rounding::SR;
    else if (!parseRounding(round_, s.mode))
      throw UsageError(fmt::format("bad --round '{}'; accepted: {}, sr", round_, roundingChoices()));
    if (sr && s.elem.kind == FormatKind::Int)
      throw UsageError(fmt::format("--round sr with --out {}: stochastic rounding is implemented for float elements "
                                   "only; accepted: --out e4m3, e5m2, e3m2, e2m3, e2m1 (or another float), or an int "
                                   "element with --round {}",
                                   s.elem.name, roundingChoices()));
    checkSaturation();
    const SrOptions::Settings srs = sr_.resolve(sr, round_, fcvtDefaultSrBits(s.in));
    s.srBits = srs.bits;
    s.srVariant = srs.variant;
    s.srSource = srs.source;
    s.srSeed = srs.seed;
    if (lanes_ != -1 && (lanes_ < 1 || lanes_ > s.block || s.block % lanes_ != 0))
      throw UsageError(fmt::format("bad --lanes {}: the lanes L must divide the block K = {}; accepted: {}", lanes_,
                                   s.block, [&] {
                                     std::string t;
                                     for (int l = 1; l <= s.block; ++l)
                                       if (s.block % l == 0) t += (t.empty() ? "" : ", ") + std::to_string(l);
                                     return t;
                                   }()));
    Architecture arch;
    arch.lanes = lanes_ == -1 || lanes_ == s.block ? 0 : lanes_;
    checkModuleName(name_);
    std::vector<std::string> args = {"--a", s.in.name, "--out", s.elem.name, "--block", std::to_string(s.block),
                                     "--scale-rule", rule_, "--round", round_};
    if (sr) SrOptions::appendArgs(srs, args);
    if (arch.lanes) args.insert(args.end(), {"--lanes", std::to_string(arch.lanes)});
    if (!name_.empty()) args.insert(args.end(), {"--name", name_});
    std::string module = name_;
    if (module.empty())
      module = fmt::format("mxquant_{}_{}_k{}_{}_{}{}", s.in.tag(), s.elem.tag(), s.block, rule_,
                           sr ? SrOptions::nameTag(srs).substr(1) : round_, arch.lanes ? fmt::format("_l{}", arch.lanes) : "");
    return std::make_unique<MxQuantUnit>(std::move(s), arch, module, std::move(args));
  }

 private:
  // OCP MX v1.0 (section 6.3) clamps an element beyond max normal to it, which is P3109's satfinite; satpropagate
  // differs from it only on infinite results, which no element has (a block holding an Inf gets the NaN scale and
  // zero elements). satnone (overflow to Inf or NaN) would give blocks OCP MX does not define.
  void checkSaturation() const {
    if (sat_.empty() || sat_ == "satfinite" || sat_ == "satpropagate") return;
    if (sat_ == "satnone")
      throw UsageError("--sat satnone: OCP MX elements saturate (an element beyond max normal is clamped to it), so an "
                       "element that overflows to Inf or NaN is no MX block; accepted: satfinite (default), satpropagate "
                       "(the same results)");
    throw UsageError(fmt::format("bad --sat '{}'; accepted: satfinite (default), satpropagate", sat_));
  }

  std::string a_, out_ = "e4m3", rule_ = "floor", round_ = "rne", name_, sat_;
  int block_ = 32;
  int lanes_ = -1;  // -1: not given
  SrOptions sr_;
};

}  // namespace

const MxQuantSpec* mxQuantSpecOf(const Unit& unit) { return specOf<MxQuantUnit>(unit); }

NF_REGISTER_OPERATOR(mxquant, MxQuantFactory)

}  // namespace nf
