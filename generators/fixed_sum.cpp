// Product and value terms and the fixed-point read-out; see fixed_sum.h.
#include "generators/fixed_sum.h"

#include <fmt/format.h>

#include <algorithm>

#include "generators/verilog.h"

namespace nf::blocks {

using vlog::lit;
using vlog::range;
using vlog::slit;

namespace {

// Instantiates the raw unpack of `f` on input `x` with wire prefix `p` (sign, zero, nan, inf, snan, sig, exp)
// and returns the exponent width.
int rawOperand(Design& d, vlog::Writer& w, const Format& f, const std::string& x, const std::string& p) {
  const Unpacked u = emitUnpack(d, f, false, false, false);
  w.line(fmt::format("  wire {0}_sign, {0}_zero, {0}_nan, {0}_inf, {0}_snan;", p));
  w.line(fmt::format("  wire {}{}_sig_raw;", range(u.sigBits), p));
  w.line(fmt::format("  wire {}{}_exp;", range(u.expBits), p));
  if (!u.normalized) w.line(fmt::format("  wire unused_{}_sub;", p));
  w.line(fmt::format("  {0} u_unpack_{1} (.x({2}), .sign({1}_sign), .is_zero({1}_zero), .is_inf({1}_inf), "
                     ".is_nan({1}_nan), .is_snan({1}_snan),{3} .sig({1}_sig_raw), .exp({1}_exp));",
                     u.module, p, x, u.normalized ? "" : fmt::format(" .is_sub(unused_{}_sub),", p)));
  // Zeros and specials contribute nothing to a sum: their significand is forced to zero.
  w.line(fmt::format("  wire {0}_finite_nz = ~({0}_zero | {0}_nan | {0}_inf);", p));
  w.line(fmt::format("  wire {}{}_sig = {}_sig_raw & {{{}{{{}_finite_nz}}}};", range(u.sigBits), p, p, u.sigBits, p));
  return u.expBits;
}

}  // namespace

ValueTerm emitValueTerm(Design& d, const Format& f) {
  ValueTerm t;
  t.module = fmt::format("{}_vterm_{}", d.top(), f.tag());
  t.sigBits = f.manBits + 1;
  t.fracBits = f.manBits;
  t.expMin = std::min(f.emin(), -f.bias);
  t.expMax = f.emax();
  vlog::Writer w;
  w.line(fmt::format("// A {} value as a sum term: class, and significand (zero unless finite nonzero) with the", f.name));
  w.line("// exponent of its leading bit position.");
  w.open(fmt::format("module {} (", t.module));
  w.line(fmt::format("input  wire {}x,", range(f.width())));
  w.line("output wire sign,");
  w.line("output wire is_zero,");
  w.line("output wire is_nan,");
  w.line("output wire is_inf,");
  w.line("output wire invalid,");
  const Unpacked u = emitUnpack(d, f, false, false, false);
  t.expBits = u.expBits;
  w.line(fmt::format("output wire {}sig,", range(t.sigBits)));
  w.line(fmt::format("output wire {}exp", range(t.expBits)));
  w.close(");");
  rawOperand(d, w, f, "x", "v");
  w.line("  assign sign = v_sign;");
  w.line("  assign is_zero = v_zero;");
  w.line("  assign is_nan = v_nan;");
  w.line("  assign is_inf = v_inf;");
  w.line("  assign invalid = v_snan;");
  w.line("  assign sig = v_sig;");
  w.line("  assign exp = v_exp;");
  w.line("endmodule");
  if (!d.has(t.module)) d.add(t.module, w.str());
  return t;
}

ProductTerm emitProductTerm(Design& d, const Format& a, const Format& b) {
  ProductTerm t;
  t.module = fmt::format("{}_pterm_{}_{}", d.top(), a.tag(), b.tag());
  const Unpacked ua = emitUnpack(d, a, false, false, false), ub = emitUnpack(d, b, false, false, false);
  t.sigBits = ua.sigBits + ub.sigBits;
  t.fracBits = a.manBits + b.manBits;
  t.expMin = std::min(a.emin(), -a.bias) + std::min(b.emin(), -b.bias);
  t.expMax = a.emax() + b.emax();
  t.expBits = vlog::signedBitsFor(t.expMin, t.expMax);
  if (d.has(t.module)) return t;
  vlog::Writer w;
  w.line(fmt::format("// A product {} x {} as a sum term: class, the exact product of the raw significands (zero", a.name,
                     b.name));
  w.line("// unless both operands are finite nonzero) and the sum of the operands' leading-bit exponents.");
  w.open(fmt::format("module {} (", t.module));
  w.line(fmt::format("input  wire {}a,", range(a.width())));
  w.line(fmt::format("input  wire {}b,", range(b.width())));
  w.line("output wire sign,");
  w.line("output wire is_zero,");
  w.line("output wire is_nan,");
  w.line("output wire is_inf,");
  w.line("output wire invalid,");
  w.line(fmt::format("output wire {}sig,", range(t.sigBits)));
  w.line(fmt::format("output wire {}exp", range(t.expBits)));
  w.close(");");
  const int xa = rawOperand(d, w, a, "a", "a");
  const int xb = rawOperand(d, w, b, "b", "b");
  const std::string mul = emitMultiplier(d, ua.sigBits, ub.sigBits);
  w.line(fmt::format("  {} u_mul (.x(a_sig), .y(b_sig), .p(sig));", mul));
  w.line(fmt::format("  assign exp = {} + {};", vlog::signExtend("a_exp", xa, t.expBits),
                     vlog::signExtend("b_exp", xb, t.expBits)));
  w.line("  assign sign = a_sign ^ b_sign;");
  w.line("  wire zero_times_inf = (a_zero & b_inf) | (a_inf & b_zero);");
  w.line("  assign is_nan = a_nan | b_nan | zero_times_inf;");
  w.line("  assign is_inf = (a_inf | b_inf) & ~is_nan;");
  w.line("  assign is_zero = (a_zero | b_zero) & ~is_nan & ~is_inf;");
  w.line("  assign invalid = a_snan | b_snan | zero_times_inf;");
  w.line("endmodule");
  d.add(t.module, w.str());
  return t;
}

std::string emitReadout(Design& d, ReadoutParams p) {
  const Format& out = p.round.out;
  const int W = p.accBits, T = out.manBits + 3, K = normalizerCountBits(W);
  const int eMin = p.baseExpMin, eMax = p.baseExpMax + W - 1;
  const int XE = vlog::signedBitsFor(std::min(eMin, out.emin() - out.manBits - 2) - 1,
                                     std::max(eMax, out.emax() + 1) + 1);
  p.round.expBits = XE;
  p.round.sigBits = T;
  p.round.leadingBitMayBeZero = false;
  p.round.needSubnormalPath = eMin < out.emin();
  p.round.needOverflow = eMax >= out.emax();
  auto num = [](int v) { return v < 0 ? fmt::format("m{}", -v) : fmt::format("{}", v); };
  const std::string name = fmt::format("{}_readout{}_{}_{}", d.top(), W, num(p.baseExpMin), num(p.baseExpMax));
  if (d.has(name)) return name;
  const std::string roundpack = emitRoundPack(d, p.round);
  const std::string norm = emitNormalizer(d, W);
  vlog::Writer w;
  w.line(fmt::format("// Rounds a {}-bit two's-complement fixed-point sum (LSB weight 2^base_exp) once to {}:", W, out.name));
  w.line("// magnitude, normalization, then the shared round-and-pack with the bits below as sticky.");
  w.open(fmt::format("module {} (", name));
  w.line(fmt::format("input  wire {}acc,", range(W)));
  w.line(fmt::format("input  wire {}base_exp,", range(p.baseExpBits)));
  if (p.round.rounding.dynamic) w.line("input  wire [2:0] rm,");
  w.line(fmt::format("output wire {}z,", range(out.width())));
  w.line("output wire is_zero,");
  w.line("output wire inexact,");
  w.line("output wire underflow,");
  w.line("output wire overflow");
  w.close(");");
  w.line(fmt::format("  wire neg = acc[{}];", W - 1));
  w.line(fmt::format("  wire {}mag = neg ? (~acc + {}) : acc;", range(W), lit(W, 1)));
  w.line(fmt::format("  wire {}v_norm;", range(W)));
  w.line(fmt::format("  wire {}lz;", range(K)));
  w.line(fmt::format("  {} u_norm (.v(mag), .v_norm(v_norm), .lz(lz));", norm));
  w.line(fmt::format("  assign is_zero = ~v_norm[{}];", W - 1));
  w.line(fmt::format("  wire {}e = {} + {} - {};", range(XE), vlog::signExtend("base_exp", p.baseExpBits, XE),
                     slit(XE, W - 1), vlog::zeroExtend("lz", K, XE)));
  if (W >= T) {
    w.line(fmt::format("  wire {}sig = v_norm[{}:{}];", range(T), W - 1, W - T));
    w.line(W > T ? fmt::format("  wire sticky = |v_norm[{}:0];", W - T - 1) : "  wire sticky = 1'b0;");
  } else {
    w.line(fmt::format("  wire {}sig = {{v_norm, {}}};", range(T), lit(T - W, 0)));
    w.line("  wire sticky = 1'b0;");
  }
  w.line(fmt::format("  {} u_round (.sign(neg), .exp(e), .sig(sig), .sticky_in(sticky),{} .z(z), .inexact(inexact), "
                     ".underflow(underflow), .overflow(overflow));",
                     roundpack, p.round.rounding.dynamic ? " .rm(rm)," : ""));
  w.line("endmodule");
  d.add(name, w.str());
  return name;
}

void emitSumResult(Design& d, vlog::Writer& w, const ReadoutParams& ro, const std::string& baseExp,
                   const SumSpecialWires& sp, bool saturate, bool flagsPort) {
  const Format& out = ro.round.out;
  const std::string readout = emitReadout(d, ro);
  w.line(fmt::format("  wire {}ro_z;", range(out.width())));
  w.line("  wire ro_zero, ro_inexact, ro_underflow, ro_overflow;");
  w.line(fmt::format("  {} u_readout (.acc(acc), .base_exp({}), .z(ro_z), .is_zero(ro_zero), .inexact(ro_inexact), "
                     ".underflow(ro_underflow), .overflow(ro_overflow));",
                     readout, baseExp));
  w.line(fmt::format("  wire inf_minus_inf = {} & {};", sp.posInf, sp.negInf));
  w.line(fmt::format("  wire res_nan = {} | inf_minus_inf;", sp.nan));
  w.line(fmt::format("  wire res_inf = {} | {};", sp.posInf, sp.negInf));
  w.line(fmt::format("  assign z = res_nan ? {} : res_inf ? {} : ro_zero ? {} : ro_z;", nanResultExpr(out),
                     infinityResultExpr(out, saturate, sp.negInf), zeroResultExpr(out, sp.zeroSign)));
  if (flagsPort)
    w.line(fmt::format("  assign flags = res_nan ? {{{} | inf_minus_inf, 4'd0}} : res_inf ? {} : ro_zero ? 5'd0 : "
                       "{{2'd0, ro_overflow, ro_underflow, ro_inexact}};",
                       sp.invalid, lit(5, infinityResultFlags(out, saturate))));
  else
    w.line(fmt::format("  wire unused_flags = {} | ro_inexact | ro_underflow | ro_overflow;", sp.invalid));
}

}  // namespace nf::blocks
