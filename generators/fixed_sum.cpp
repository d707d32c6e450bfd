// Product and value terms and the fixed-point read-out; see fixed_sum.h.
#include "generators/fixed_sum.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "generators/instances.h"
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

namespace {
// A zero operand's exponent under the zero-exponent rule, as a module-name suffix.
std::string zeroExpTag(std::optional<int> z) { return z ? fmt::format("_z{}{}", *z < 0 ? "m" : "", std::abs(*z)) : ""; }
}  // namespace

ValueTerm emitValueTerm(Design& d, const Format& f, std::optional<int> zeroExp) {
  ValueTerm t;
  t.module = fmt::format("{}_vterm_{}{}", d.top(), f.tag(), zeroExpTag(zeroExp));
  t.sigBits = f.manBits + 1;
  t.fracBits = f.manBits;
  t.expMin = std::min(f.emin(), -f.bias);
  t.expMax = f.emax();
  if (zeroExp) t.expMin = std::min(t.expMin, *zeroExp), t.expMax = std::max(t.expMax, *zeroExp);
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
  t.expBits = zeroExp ? std::max(u.expBits, vlog::signedBitsFor(t.expMin, t.expMax)) : u.expBits;
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
  if (zeroExp)
    w.line(fmt::format("  assign exp = v_zero ? {} : {};", vlog::slit(t.expBits, *zeroExp),
                       vlog::signExtend("v_exp", u.expBits, t.expBits)));
  else
    w.line("  assign exp = v_exp;");
  w.line("endmodule");
  if (!d.has(t.module)) d.add(t.module, w.str());
  return t;
}

ProductTerm emitProductTerm(Design& d, const Format& a, const Format& b, std::optional<int> zeroExp) {
  ProductTerm t;
  t.module = fmt::format("{}_pterm_{}_{}{}", d.top(), a.tag(), b.tag(), zeroExpTag(zeroExp));
  const Unpacked ua = emitUnpack(d, a, false, false, false), ub = emitUnpack(d, b, false, false, false);
  t.sigBits = ua.sigBits + ub.sigBits;
  t.fracBits = a.manBits + b.manBits;
  int aMin = std::min(a.emin(), -a.bias), bMin = std::min(b.emin(), -b.bias), aMax = a.emax(), bMax = b.emax();
  if (zeroExp) {
    aMin = std::min(aMin, *zeroExp), bMin = std::min(bMin, *zeroExp);
    aMax = std::max(aMax, *zeroExp), bMax = std::max(bMax, *zeroExp);
  }
  t.expMin = aMin + bMin;
  t.expMax = aMax + bMax;
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
  auto opExp = [&](const char* p, int bits) {
    const std::string e = vlog::signExtend(fmt::format("{}_exp", p), bits, t.expBits);
    return zeroExp ? fmt::format("({}_zero ? {} : {})", p, vlog::slit(t.expBits, *zeroExp), e) : e;
  };
  w.line(fmt::format("  assign exp = {} + {};", opExp("a", xa), opExp("b", xb)));
  w.line("  assign sign = a_sign ^ b_sign;");
  w.line("  wire zero_times_inf = (a_zero & b_inf) | (a_inf & b_zero);");
  w.line("  assign is_nan = a_nan | b_nan | zero_times_inf;");
  w.line("  assign is_inf = (a_inf | b_inf) & ~is_nan;");
  w.line("  assign is_zero = (a_zero | b_zero) & ~is_nan & ~is_inf;");
  w.line("  assign invalid = a_snan | b_snan | zero_times_inf;");
  d.close(t.module, w);
  return t;
}

namespace {

// The read-out's first half as a module: mag (the sum's magnitude), base_exp -> is_zero, e, sig, sticky
// for the round-and-pack block; and that block, with its parameters completed.
struct ReadoutModules {
  std::string normalize, roundpack;
  int expBits = 0, sigBits = 0;
};
ReadoutModules emitReadoutModules(Design& d, ReadoutParams p) {
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
  ReadoutModules m;
  m.expBits = XE;
  m.sigBits = T;
  m.roundpack = emitRoundPack(d, p.round);
  auto num = [](int v) { return v < 0 ? fmt::format("m{}", -v) : fmt::format("{}", v); };
  m.normalize = fmt::format("{}_readnorm{}_{}_{}_{}", d.top(), W, num(p.baseExpMin), num(p.baseExpMax), out.tag());
  if (d.has(m.normalize)) return m;
  const std::string norm = emitNormalizer(d, W);
  vlog::Writer w;
  w.line(fmt::format("// Normalizes the {}-bit magnitude of a fixed-point sum (LSB weight 2^base_exp) for rounding to {}:",
                     W, out.name));
  w.line("// the leading bit's exponent, the significand with guard bits, and the bits below as sticky.");
  w.open(fmt::format("module {} (", m.normalize));
  w.line(fmt::format("input  wire {}mag,", range(W)));
  w.line(fmt::format("input  wire {}base_exp,", range(p.baseExpBits)));
  w.line("output wire is_zero,");
  w.line(fmt::format("output wire {}e,", range(XE)));
  w.line(fmt::format("output wire {}sig,", range(T)));
  w.line("output wire sticky");
  w.close(");");
  w.line(fmt::format("  wire {}v_norm;", range(W)));
  w.line(fmt::format("  wire {}lz;", range(K)));
  w.line(fmt::format("  {} u_norm (.v(mag), .v_norm(v_norm), .lz(lz));", norm));
  w.line(fmt::format("  assign is_zero = ~v_norm[{}];", W - 1));
  w.line(fmt::format("  assign e = {} + {} - {};", vlog::signExtend("base_exp", p.baseExpBits, XE), slit(XE, W - 1),
                     vlog::zeroExtend("lz", K, XE)));
  if (W >= T) {
    w.line(fmt::format("  assign sig = v_norm[{}:{}];", W - 1, W - T));
    w.line(W > T ? fmt::format("  assign sticky = |v_norm[{}:0];", W - T - 1) : "  assign sticky = 1'b0;");
  } else {
    w.line(fmt::format("  assign sig = {{v_norm, {}}};", lit(T - W, 0)));
    w.line("  assign sticky = 1'b0;");
  }
  d.close(m.normalize, w);
  return m;
}

}  // namespace

void emitSumResult(Design& d, vlog::Writer& w, const ReadoutParams& ro, const SumResultWires& in, ReadoutCuts cuts,
                   bool saturate, bool flagsPort) {
  const Format& out = ro.round.out;
  const int W = ro.accBits;
  const ReadoutModules m = emitReadoutModules(d, ro);
  const bool dyn = ro.round.rounding.dynamic;
  w.line("  // Read-out: the sum's magnitude, normalized, then rounded once.");
  w.wire("ro_neg", 1, fmt::format("{}[{}]", in.acc, W - 1));
  w.wire("ro_mag", W, fmt::format("ro_neg ? (~{0} + {1}) : {0}", in.acc, lit(W, 1)));
  w.cut(cuts.afterMagnitude);
  const std::string baseExp = in.baseExp.empty() ? slit(ro.baseExpBits, ro.baseExpMin) : in.baseExp;
  w.wires(m.expBits, {"ro_e"});
  w.wires(m.sigBits, {"ro_sig"});
  w.wires(1, {"ro_zero", "ro_sticky"});
  blocks::instance(w, d, m.normalize, "u_readnorm",
                   {{"mag", "ro_mag"}, {"base_exp", baseExp}, {"is_zero", "ro_zero"}, {"e", "ro_e"}, {"sig", "ro_sig"},
                    {"sticky", "ro_sticky"}});
  w.cut(cuts.afterNormalize);
  blocks::instantiateRoundPack(w, d, {m.roundpack, "ro", out.width(), "ro_neg", "ro_e", "ro_sig", "ro_sticky",
                                      dyn ? in.rm : "", ""});
  const SumSpecialWires& sp = in.sp;
  w.wire("inf_minus_inf", 1, sp.posInf + " & " + sp.negInf);
  w.wire("res_nan", 1, sp.nan + " | inf_minus_inf");
  w.wire("res_inf", 1, sp.posInf + " | " + sp.negInf);
  w.wire("z_c", out.width(),
         fmt::format("res_nan ? {} : res_inf ? {} : ro_zero ? {} : ro_z", nanResultExpr(out),
                     infinityResultExpr(out, saturate, sp.negInf), zeroResultExpr(out, sp.zeroSign)));
  if (!out.hasNegZero()) w.wire("unused_zero_sign", 1, sp.zeroSign);
  if (flagsPort)
    w.wire("flags_c", 5,
           fmt::format("res_nan ? {{{} | inf_minus_inf, 4'd0}} : res_inf ? {} : ro_zero ? 5'd0 : "
                       "{{2'd0, ro_overflow, ro_underflow, ro_inexact}}",
                       sp.invalid, lit(5, infinityResultFlags(out, saturate))));
  else
    w.wire("unused_flags", 1, sp.invalid + " | ro_inexact | ro_underflow | ro_overflow");
}

void emitSumZeroSign(vlog::Writer& w, const RoundingSel& r, const std::string& rm, const std::string& name,
                     const std::string& anyNonzero, const std::string& anyZero, const std::string& allZerosNeg,
                     const std::string& anyZeroNeg) {
  if (r.dynamic) {
    w.line(fmt::format("  wire {}_rdn = {} == 3'd2;", name, rm));
    w.line(fmt::format("  wire {0} = {1} ? {0}_rdn : ({2} & ({3} | ({0}_rdn & {4})));", name, anyNonzero, anyZero,
                       allZerosNeg, anyZeroNeg));
  } else if (r.mode == Rounding::RDN) {
    w.line(fmt::format("  wire {} = {} ? 1'b1 : ({} & ({} | {}));", name, anyNonzero, anyZero, allZerosNeg, anyZeroNeg));
  } else {
    w.line(fmt::format("  wire {} = {} ? 1'b0 : ({} & {});", name, anyNonzero, anyZero, allZerosNeg));
    w.line(fmt::format("  wire unused_{} = {};", anyZeroNeg, anyZeroNeg));
  }
}

}  // namespace nf::blocks
