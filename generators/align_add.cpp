#include "generators/align_add.h"
#include "generators/instances.h"

#include <fmt/format.h>

#include <algorithm>

namespace nf::blocks {

using vlog::lit;
using vlog::range;

// The window is W bits: the operand with the larger exponent ("big") sits at bits W-2 .. W-1-P (bit W-1
// takes the carry), the other ("small") is shifted right by the exponent difference d; bits falling below
// bit 0 are ORed into bit 0 (jammed). Width, for L = leadingZeros and output precision Q:
//   * W >= P + 2 + L: big's LSB is at bit >= 1, so big is even and a jammed small (odd, in the same open
//     interval (2k, 2k+2) as the true one) leaves every bit of the sum from bit 1 up unchanged and bit 0 set
//     exactly when bits were lost. Bits are lost only when d >= W - P, so small < 2^(P-1) <= 2^(W-3-L)
//     while big >= 2^(W-2-L): the sum keeps its MSB at bit W-3-L or above and normalizing moves the jammed
//     bit to position 2+L at most;
//   * W >= Q + 4 + L: the round bit (Q+1 bits below the normalized MSB, bit W-Q-1) is then above 2+L, so the
//     jammed bit only ever counts as sticky, as the true lower bits would.
AlignAdd emitAlignAdd(Design& d, const AlignAddParams& p) {
  const int P = p.sigBits, XE = p.expBits, L = p.leadingZeros;
  const int W = std::max(P + 2 + L, p.roundPrecision + 4 + L);
  AlignAdd a;
  a.sumBits = W;
  a.expMin = p.expMin + 1 - (W - 1);
  a.expMax = p.expMax + 1;
  a.expBits = std::max(vlog::signedBitsFor(a.expMin, a.expMax), XE + 1);
  a.module = fmt::format("{}_alignadd{}x{}{}", d.top(), P, W, p.nearFar ? "_nf" : "");
  if (d.has(a.module)) return a;
  const int SH = vlog::bitsFor(uint64_t(W));
  const int XO = a.expBits, DW = std::max(XE + 1, SH + 1);
  const std::string norm = emitNormalizer(d, W);
  const int K = normalizerCountBits(W);

  vlog::Writer w;
  w.line(fmt::format("// Adds two terms with {}-bit significands exactly enough for a {}-bit rounding: swap by exponent,",
                     P, p.roundPrecision));
  w.line(fmt::format("// align the smaller in a {}-bit window with the shifted-out bits jammed into the LSB, add or", W));
  w.line("// subtract, normalize with a leading-zero count. The jammed LSB stays below the round bit (align_add.cpp).");
  w.open(fmt::format("module {} (", a.module));
  for (const char* o : {"x", "y"}) {
    w.line(fmt::format("input  wire {}_sign,", o));
    w.line(fmt::format("input  wire {}_zero,", o));
    w.line(fmt::format("input  wire {}{}_exp,", range(XE), o));
    w.line(fmt::format("input  wire {}{}_sig,", range(P), o));
  }
  w.line("output wire sign,");
  w.line("output wire zero,");
  w.line(fmt::format("output wire {}exp,", range(XO)));
  w.line(fmt::format("output wire {}sig", range(W)));
  w.close(");");
  w.line(fmt::format("  wire {}d_xy = {} - {};", range(DW), vlog::signExtend("x_exp", XE, DW), vlog::signExtend("y_exp", XE, DW)));
  w.line(fmt::format("  wire {}d_yx = {} - {};", range(DW), vlog::signExtend("y_exp", XE, DW), vlog::signExtend("x_exp", XE, DW)));
  w.line("  // A zero operand is never the big one: its exponent means nothing.");
  w.line(fmt::format("  wire swap = x_zero | (~y_zero & d_xy[{}]);", DW - 1));
  w.line("  wire big_sign = swap ? y_sign : x_sign;");
  w.line(fmt::format("  wire {}big_exp = swap ? y_exp : x_exp;", range(XE)));
  w.line(fmt::format("  wire {}big_sig = swap ? (y_zero ? {} : y_sig) : x_sig;", range(P), lit(P, 0)));
  w.line("  wire small_zero = swap ? x_zero : y_zero;");
  w.line(fmt::format("  wire {}small_sig = small_zero ? {} : (swap ? x_sig : y_sig);", range(P), lit(P, 0)));
  w.line(fmt::format("  wire {}exp_diff = swap ? d_yx : d_xy;", range(DW)));
  w.line("  // A negative exp_diff only pairs with a zero small operand; as unsigned it is large and shifts it all out.");
  w.line(fmt::format("  wire {}sh = (exp_diff > {}) ? {} : exp_diff[{}:0];", range(SH), lit(DW, uint64_t(W)), lit(SH, uint64_t(W)),
                     SH - 1));
  w.line(fmt::format("  wire {}big_w = {{1'b0, big_sig, {}}};", range(W), lit(W - 1 - P, 0)));
  w.line(fmt::format("  wire {}small_w = {{1'b0, small_sig, {}}};", range(W), lit(W - 1 - P, 0)));
  w.line(fmt::format("  wire {}small_sh = small_w >> sh;", range(W)));
  w.line(fmt::format("  wire lost = |(small_w & ~({{{}{{1'b1}}}} << sh));", W));
  w.line(fmt::format("  wire {}small_j = {{small_sh[{}:1], small_sh[0] | lost}};", range(W), W - 1));
  w.line("  wire eff_sub = x_sign ^ y_sign;");
  const std::string expOf = vlog::signExtend("big_exp", XE, XO);
  if (!p.nearFar) {
    w.line("  // Subtraction computes both differences side by side; the borrow of one selects the other.");
    w.line(fmt::format("  wire {}sum_add = big_w + small_j;", range(W)));
    w.line(fmt::format("  wire {}diff_bs = {{1'b0, big_w}} - {{1'b0, small_j}};", range(W + 1)));
    w.line(fmt::format("  wire {}diff_sb = small_j - big_w;", range(W)));
    w.line(fmt::format("  wire neg = eff_sub & diff_bs[{}];", W));
    w.line(fmt::format("  wire {}mag = ~eff_sub ? sum_add : neg ? diff_sb : diff_bs[{}:0];", range(W), W - 1));
    w.line(fmt::format("  wire {}lz;", range(K)));
    w.line(fmt::format("  {} u_norm (.v(mag), .v_norm(sig), .lz(lz));", norm));
    w.line("  assign sign = big_sign ^ neg;");
    w.line(fmt::format("  assign exp = {} + {} - {};", expOf, lit(XO, 1), vlog::zeroExtend("lz", K, XO)));
  } else {
    // Far path (exponents 2+L or more apart): big > small, the sum keeps its MSB within the top 3+L bits,
    // so a short mux normalizes it. Near path (closer exponents): small moves by at most 1+L bits, nothing
    // is lost, and the leading-zero normalizer runs without waiting for the long shifter.
    const int F = 3 + L;  // candidate MSB positions of the far sum
    const int NS = vlog::bitsFor(uint64_t(1 + L));
    w.line("  // A zero small term takes the near path too: the big one may then be anything, even a raw subnormal.");
    w.line(fmt::format("  wire near = small_zero | (exp_diff <= {});", lit(DW, uint64_t(1 + L))));
    w.line(fmt::format("  wire {}far_mag = eff_sub ? (big_w - small_j) : (big_w + small_j);", range(W)));
    std::string farSig = fmt::format("{{far_mag[{}:0], {}}}", W - F, lit(F - 1, 0)), farLz = lit(K, uint64_t(F - 1));
    for (int k = F - 2; k >= 0; --k) {
      const std::string shifted = k == 0 ? "far_mag" : fmt::format("{{far_mag[{}:0], {}}}", W - 1 - k, lit(k, 0));
      farSig = fmt::format("far_mag[{}] ? {} : {}", W - 1 - k, shifted, k == F - 2 ? farSig : "(" + farSig + ")");
      farLz = fmt::format("far_mag[{}] ? {} : {}", W - 1 - k, lit(K, uint64_t(k)), k == F - 2 ? farLz : "(" + farLz + ")");
    }
    w.line(fmt::format("  wire {}far_sig = {};", range(W), farSig));
    w.line(fmt::format("  wire {}far_lz = {};", range(K), farLz));
    w.line(fmt::format("  wire {}small_n = small_w >> exp_diff[{}:0];", range(W), NS - 1));
    w.line(fmt::format("  wire {}near_bs = {{1'b0, big_w}} - {{1'b0, small_n}};", range(W + 1)));
    w.line(fmt::format("  wire {}near_sb = small_n - big_w;", range(W)));
    w.line(fmt::format("  wire near_neg = eff_sub & near_bs[{}];", W));
    if (p.unnormalized) {
      w.line("  // Unnormalized operands: a near sum of two subnormals may need the full normalizer too.");
      w.line(fmt::format("  wire {}near_mag = ~eff_sub ? (big_w + small_n) : near_neg ? near_sb : near_bs[{}:0];", range(W),
                         W - 1));
      w.line("  wire use_near = near;");
    } else {
      w.line(fmt::format("  wire {}near_mag = near_neg ? near_sb : near_bs[{}:0];", range(W), W - 1));
      w.line("  wire use_near = near & eff_sub;");
    }
    w.line(fmt::format("  wire {}near_sig;", range(W)));
    w.line(fmt::format("  wire {}near_lz;", range(K)));
    w.line(fmt::format("  {} u_norm (.v(near_mag), .v_norm(near_sig), .lz(near_lz));", norm));
    w.line("  assign sig = use_near ? near_sig : far_sig;");
    w.line("  assign sign = big_sign ^ (use_near & near_neg);");
    w.line(fmt::format("  assign exp = {} + {} - {};", expOf, lit(XO, 1),
                       vlog::zeroExtend("(use_near ? near_lz : far_lz)", K, XO)));
  }
  w.line(fmt::format("  assign zero = ~sig[{}];", W - 1));
  d.close(a.module, w);
  return a;
}

void instantiateAlignAdd(vlog::Writer& w, const Design& d, const AlignAdd& aa, const AlignAddOperand& x,
                         const AlignAddOperand& y, int expBits) {
  w.wires(1, {"sum_sign", "sum_zero"});
  w.wires(aa.expBits, {"sum_exp_n"});
  w.wires(aa.sumBits, {"sum_sig"});
  instance(w, d, aa.module, "u_add",
           {{"x_sign", x.sign}, {"x_zero", x.zero}, {"x_exp", x.exp}, {"x_sig", x.sig}, {"y_sign", y.sign},
            {"y_zero", y.zero}, {"y_exp", y.exp}, {"y_sig", y.sig}, {"sign", "sum_sign"}, {"zero", "sum_zero"},
            {"exp", "sum_exp_n"}, {"sig", "sum_sig"}});
  w.wire("sum_exp", expBits, vlog::signExtend("sum_exp_n", aa.expBits, expBits));
}

std::string exactZeroSumSignExpr(const RoundingSel& r, const std::string& rm, const std::string& sx,
                                 const std::string& sy) {
  // -0 when both terms are -0; x + (-x) is -0 only under rdn. A fixed mode folds the rdn term away.
  if (!r.dynamic) return r.mode == Rounding::RDN ? fmt::format("{} | {}", sx, sy) : fmt::format("{} & {}", sx, sy);
  return fmt::format("({0} & {1}) | (({0} ^ {1}) & ({2} == 3'd2))", sx, sy, rm);
}

}  // namespace nf::blocks
