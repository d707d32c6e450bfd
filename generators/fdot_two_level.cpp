// The two-level alignment and product overflow of fdot --accum align; see fdot_two_level.h.
#include "generators/fdot_two_level.h"

#include <fmt/format.h>

#include <algorithm>

#include "generators/emitter_names.h"
#include "generators/unit.h"

namespace nf::fdot_emit {

using namespace emitter_names;

namespace {

// Whether the product wires of `t` hold a value of 2^threshold or more: sig * 2^(exp - fracBits) with sig
// below 2^sigBits, i.e. sig reaching bit threshold - exp + fracBits. Returns a Verilog expression.
std::string reachesExpr(const TermWires& t, int threshold) {
  std::string e;
  auto term = [&](const std::string& s) { e += (e.empty() ? "" : " | ") + s; };
  const std::string exp = "$signed(" + t.exp + ")";
  // exp at or above threshold + fracBits: any nonzero significand reaches it.
  const int always = threshold + t.fracBits;
  if (always <= t.expMax) term(fmt::format("({} >= {} & (|{}))", exp, slit(t.expBits, always), t.sig));
  for (int k = 1; k < t.sigBits; ++k) {  // exp = threshold + fracBits - k: sig's bits from k up
    const int e0 = threshold + t.fracBits - k;
    if (e0 < t.expMin || e0 > t.expMax) continue;
    term(fmt::format("({} == {} & (|{}[{}:{}]))", exp, slit(t.expBits, e0), t.sig, t.sigBits - 1, k));
  }
  return e.empty() ? "1'b0" : e;
}

}  // namespace

InfWires emitProductOverflow(vlog::Writer& w, const std::vector<TermWires>& terms, const FdotSpec& s) {
  if (s.accum != FdotSpec::Accum::Align || !s.rules.productOverflowToInf) return {};
  const int threshold = s.out.emax() + 1;
  w.line(fmt::format("  // Products of 2^{} or more are infinities of their sign (after any infinite input).", threshold));
  std::string pos, neg;
  for (const TermWires& t : terms) {
    if (!t.product) continue;
    const std::string o = t.sig + "_ovf";
    w.line(fmt::format("  wire {} = ~({} | {} | {}) & ({});", o, t.zero, t.nan, t.inf, reachesExpr(t, threshold)));
    pos += (pos.empty() ? "" : " | ") + fmt::format("({} & ~{})", o, t.sign);
    neg += (neg.empty() ? "" : " | ") + fmt::format("({} & {})", o, t.sign);
  }
  w.line(fmt::format("  wire ovf_pos = {};", pos));
  w.line(fmt::format("  wire ovf_neg = {};", neg));
  // A NaN input decides before them (its invalid flag is the input's alone), then an infinite input.
  w.line("  wire pos_inf_r = pos_inf | (~any_nan & ~neg_inf & ovf_pos);");
  w.line("  wire neg_inf_r = neg_inf | (~any_nan & ~pos_inf & ovf_neg);");
  return {"pos_inf_r", "neg_inf_r"};
}

std::string emitTwoLevelJoin(vlog::Writer& w, const std::vector<TermWires>& terms, const ProductSum& p,
                             const FdotSpec& s, blocks::ReadoutParams& ro) {
  const AlignRules::TwoLevel& tl = *s.rules.twoLevel;
  const int F = s.alignBits, SB = tl.sumBits, CB = tl.addendBits, G = std::max(SB, CB);
  const bool zeroRule = s.rules.zeroExp.has_value();
  const TermWires* c = nullptr;
  std::string anyProduct;
  for (const TermWires& t : terms) {
    if (!t.product) c = &t;
    else anyProduct += (anyProduct.empty() ? "" : " | ") + fmt::format("~{}", t.zero);
  }
  // Exponents: the products' emax (base + F) and c's, in one signed width with room for the grids.
  int eLo = p.baseExpMin + F, eHi = p.baseExpMax + F;
  if (c) eLo = std::min(eLo, c->expMin), eHi = std::max(eHi, c->expMax);
  const int XJ = vlog::signedBitsFor(eLo - G - 2 * (F + G + 70), eHi + 2 * (F + G + 70));
  w.line(fmt::format("  // Two-level alignment: the products' sum (truncated to {} bits below their own maximum) floored "
                     "onto {}", F, SB));
  w.line(fmt::format("  // and c onto {} fraction bits below the larger of the two exponents, then added.", CB));
  w.line(fmt::format("  wire {}j_pe = {} + {};", range(XJ), vlog::signExtend(p.baseExp, p.baseExpBits, XJ), slit(XJ, F)));
  w.line(fmt::format("  wire j_any_product = {};", zeroRule ? "1'b1" : anyProduct));
  std::string emax = "j_pe";
  if (c) {
    w.line(fmt::format("  wire {}j_ce = {};", range(XJ), vlog::signExtend(c->exp, c->expBits, XJ)));
    w.line(fmt::format("  wire j_c_in = {};", zeroRule ? "1'b1" : "~" + c->zero));
    emax = "(~j_any_product | (j_c_in & ($signed(j_ce) > $signed(j_pe)))) ? j_ce : j_pe";
  }
  w.line(fmt::format("  wire {}j_emax = {};", range(XJ), emax));
  // The products' sum: widened by L bits, then an arithmetic shift right (a floor) onto the SB grid.
  const int L = std::max(0, SB - F), K = F + L - SB, PW = p.accBits + L;
  const int AW = std::max(PW + G - SB, (c ? c->sigBits + 2 + std::max(0, CB - c->fracBits) : 0) + G - CB) + 2;
  const int DB = vlog::bitsFor(uint64_t(PW));
  w.line(fmt::format("  wire {}j_p_wide = {};", range(PW), L ? fmt::format("{{{}, {}}}", p.acc, lit(L, 0)) : p.acc));
  w.line(fmt::format("  wire {}j_dp = j_emax - j_pe + {};", range(XJ), slit(XJ, K)));
  w.line(fmt::format("  wire {}j_rp = ($signed(j_dp) > {}) ? {} : j_dp[{}:0];", range(DB), slit(XJ, PW), lit(DB, PW), DB - 1));
  w.line(fmt::format("  wire {}j_p_floor = $signed(j_p_wide) >>> j_rp;", range(PW)));
  std::string sum = fmt::format("({} << {})", vlog::signExtend("j_p_floor", PW, AW), G - SB);
  if (c) {
    const int M = c->fracBits, Lc = std::max(0, CB - M), Kc = M + Lc - CB, CW = c->sigBits + 2 + Lc;
    const int DC = vlog::bitsFor(uint64_t(CW));
    const std::string mag = vlog::zeroExtend(Lc ? fmt::format("{{{}, {}}}", c->sig, lit(Lc, 0)) : c->sig,
                                             c->sigBits + Lc, CW);
    w.line(fmt::format("  wire {}j_c_signed = {} ? (~{} + {}) : {};", range(CW), c->sign, mag, lit(CW, 1), mag));
    // j_dc is negative only for a c outside the maximum (a zero without the zero rule): its bits are zero.
    w.line(fmt::format("  wire {}j_dc = j_emax - j_ce + {};", range(XJ), slit(XJ, Kc)));
    w.line(fmt::format("  wire {}j_rc = $signed(j_dc) < {} ? {} : ($signed(j_dc) > {}) ? {} : j_dc[{}:0];", range(DC),
                       slit(XJ, 0), lit(DC, 0), slit(XJ, CW), lit(DC, CW), DC - 1));
    w.line(fmt::format("  wire {}j_c_floor = $signed(j_c_signed) >>> j_rc;", range(CW)));
    sum += fmt::format(" + ({} << {})", vlog::signExtend("j_c_floor", CW, AW), G - CB);
  }
  w.line(fmt::format("  wire {}acc = {};", range(AW), sum));
  ro.accBits = AW;
  ro.baseExpMin = std::min(p.baseExpMin + F, eLo) - G;
  ro.baseExpMax = eHi - G;
  ro.baseExpBits = vlog::signedBitsFor(ro.baseExpMin, ro.baseExpMax);
  w.line(fmt::format("  wire {}j_base = j_emax - {};", range(XJ), slit(XJ, G)));
  w.line(fmt::format("  wire {}base_exp = j_base[{}:0];", range(ro.baseExpBits), ro.baseExpBits - 1));
  w.line(fmt::format("  wire unused_j_base = ^j_base[{}:{}];", XJ - 1, ro.baseExpBits));
  return "base_exp";
}

std::string emitAddendConversion(vlog::Writer& w, const FdotSpec& s, const std::string& module, const std::string& c) {
  w.line(fmt::format("  // c rounded to nearest even to {} before the first group (the conversion's flags are not raised).",
                     s.zFormat().name));
  w.line(fmt::format("  wire {}c_conv;", range(s.zFormat().width())));
  w.line(fmt::format("  {} u_c_to_z (.a({}), .z(c_conv));", module, c));
  return "c_conv";
}

std::string addendConversionModule(const FdotSpec& s, const std::string& module) {
  const auto cvt = buildUnit("fcvt", {"--a", s.c->name, "--out", s.zFormat().name, "--round", "rne", "--name", module});
  return "\n// c's conversion to z's format, as numforge's fcvt generates it:\n" + cvt->emit().verilog;
}

}  // namespace nf::fdot_emit
