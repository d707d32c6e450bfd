// fdot: z = round(c + sum a_i * b_i), exact (one rounding of the exact sum) or align (tensor-core style:
// terms truncated to F fraction bits below the largest exponent, summed exactly, rounded once), in fused
// groups chained through the output format. The model is refmodels/fdot.cpp.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <random>

#include "generators/common_options.h"
#include "generators/emitter_names.h"
#include "generators/fma.h"
#include "generators/fdot_two_level.h"
#include "generators/fixed_sum.h"
#include "generators/fp_ports.h"
#include "generators/instances.h"
#include "generators/pipeline.h"
#include "generators/verilog.h"
#include "refmodels/corners.h"
#include "refmodels/fdot.h"
#include "refmodels/tensor_presets.h"

namespace nf {

using namespace emitter_names;

namespace {


const char* accumName(FdotSpec::Accum a) {
  return a == FdotSpec::Accum::Exact ? "exact" : a == FdotSpec::Accum::Align ? "align" : "chain";
}

using fdot_emit::TermWires;

// Where a fused group's pipeline registers go, in the order they are added: after the fixed-point sum
// (before the read-out), after the product terms, inside the read-out after the normalizer.
struct GroupCuts {
  bool afterTerms = false, afterSum = false, afterNormalize = false;
  static constexpr int kMax = 3;
  explicit GroupCuts(int n) : afterTerms(n >= 2), afterSum(n >= 1), afterNormalize(n >= 3) {}
  int count() const { return int(afterTerms) + int(afterSum) + int(afterNormalize); }
};

// The pipeline of an fdot of `stages` registers: each of the G fused groups takes `perGroup` of them
// (their data registers; the top keeps the valid bit and delays the later groups' inputs alongside),
// the rest are output registers.
struct FdotStagePlan {
  int perGroup = 0, output = 0;
};
FdotStagePlan planStages(const FdotSpec& s, int stages) {
  if (stages == 0) return {};
  const int perGroup = std::min(GroupCuts::kMax, (stages - 1) / s.groups());
  return {perGroup, stages - perGroup * s.groups()};
}

void groupPorts(vlog::Writer& w, const FdotSpec& s, const Format* addendFormat, const std::string& name, bool clocked) {
  const int G = s.groupSize();
  w.open(fmt::format("module {} (", name));
  if (clocked) w.line("input  wire clk,");
  for (int i = 0; i < G; ++i) w.line(fmt::format("input  wire {}a{},", range(s.a.width()), i));
  for (int i = 0; i < G; ++i) w.line(fmt::format("input  wire {}b{},", range(s.b.width()), i));
  if (addendFormat) w.line(fmt::format("input  wire {}c,", range(addendFormat->width())));
  if (s.dynamicRounding) w.line("input  wire [2:0] rm,");
  w.line(fmt::format("output wire {}z,", range(s.out.width())));
  w.line("output wire [4:0] flags");
  w.close(");");
}

// The group's terms: products p0.. of a_i, b_i, then the addend q of c when there is one.
std::vector<TermWires> groupTerms(Design& d, vlog::Writer& w, const FdotSpec& s, const Format* addendFormat) {
  const int G = s.groupSize();
  std::vector<TermWires> terms;
  const std::optional<int> zeroExp = s.accum == FdotSpec::Accum::Align ? s.rules.zeroExp : std::nullopt;
  const blocks::ProductTerm pt = blocks::emitProductTerm(d, s.a, s.b, zeroExp);
  for (int i = 0; i < G; ++i) {
    const std::string p = fmt::format("p{}", i);
    w.line(fmt::format("  wire {0}_sign, {0}_zero, {0}_nan, {0}_inf, {0}_invalid;", p));
    w.line(fmt::format("  wire {}{}_sig;", range(pt.sigBits), p));
    w.line(fmt::format("  wire {}{}_exp;", range(pt.expBits), p));
    w.line(fmt::format("  {0} u_{1} (.a(a{2}), .b(b{2}), .sign({1}_sign), .is_zero({1}_zero), .is_nan({1}_nan), "
                       ".is_inf({1}_inf), .invalid({1}_invalid), .sig({1}_sig), .exp({1}_exp));",
                       pt.module, p, i));
    terms.push_back({p + "_sign", p + "_zero", p + "_nan", p + "_inf", p + "_invalid", p + "_sig", p + "_exp",
                     pt.sigBits, pt.expBits, pt.fracBits, pt.expMin, pt.expMax, true});
  }
  if (addendFormat) {
    const blocks::ValueTerm vt = blocks::emitValueTerm(d, *addendFormat, zeroExp);
    w.line("  wire q_sign, q_zero, q_nan, q_inf, q_invalid;");
    w.line(fmt::format("  wire {}q_sig;", range(vt.sigBits)));
    w.line(fmt::format("  wire {}q_exp;", range(vt.expBits)));
    w.line(fmt::format("  {} u_q (.x(c), .sign(q_sign), .is_zero(q_zero), .is_nan(q_nan), .is_inf(q_inf), "
                       ".invalid(q_invalid), .sig(q_sig), .exp(q_exp));",
                       vt.module));
    terms.push_back({"q_sign", "q_zero", "q_nan", "q_inf", "q_invalid", "q_sig", "q_exp", vt.sigBits, vt.expBits,
                     vt.fracBits, vt.expMin, vt.expMax, false});
  }
  return terms;
}

// The specials of the terms' sum and what the sign of a zero sum depends on.
void groupSpecials(vlog::Writer& w, const std::vector<TermWires>& terms) {
  auto orAll = [&](auto field) {
    std::string e;
    for (const TermWires& t : terms) e += (e.empty() ? "" : " | ") + field(t);
    return e;
  };
  auto andAll = [&](auto field) {
    std::string e;
    for (const TermWires& t : terms) e += (e.empty() ? "" : " & ") + field(t);
    return e;
  };
  w.line("  // Specials and the sign of a zero sum (IEEE: -0 only when every zero term is -0, or under rdn).");
  w.line(fmt::format("  wire any_nan = {};", orAll([](const TermWires& t) { return t.nan; })));
  w.line(fmt::format("  wire pos_inf = {};", orAll([](const TermWires& t) { return "(" + t.inf + " & ~" + t.sign + ")"; })));
  w.line(fmt::format("  wire neg_inf = {};", orAll([](const TermWires& t) { return "(" + t.inf + " & " + t.sign + ")"; })));
  w.line(fmt::format("  wire any_invalid = {};", orAll([](const TermWires& t) { return t.invalid; })));
  w.line(fmt::format("  wire any_nonzero = {};", orAll([](const TermWires& t) {
                       return "~(" + t.zero + " | " + t.nan + " | " + t.inf + ")";
                     })));
  w.line(fmt::format("  wire any_zero = {};", orAll([](const TermWires& t) { return t.zero; })));
  w.line(fmt::format("  wire all_zeros_neg = {};", andAll([](const TermWires& t) { return "(~" + t.zero + " | " + t.sign + ")"; })));
  w.line(fmt::format("  wire any_zero_neg = {};", orAll([](const TermWires& t) { return "(" + t.zero + " & " + t.sign + ")"; })));
}

// Every term placed exactly in one fixed-point word, summed as acc.
void exactSum(vlog::Writer& w, const std::vector<TermWires>& terms, const FdotSpec& s, const Format* addendFormat,
              int carry, blocks::ReadoutParams& ro) {
  TermRange r = productRange(s.a, s.b);
  if (addendFormat) r = unionRange(r, valueRange(*addendFormat));
  const FixedLayout L = fixedLayout(r, carry);
  const int W = L.width;
  w.line(fmt::format("  // Every term placed exactly in a {}-bit fixed point whose LSB weighs 2^{}.", W, L.lsbExp));
  std::string sum;
  for (const TermWires& t : terms) {
    const int shMax = t.expMax - t.fracBits - L.lsbExp;
    const int SB = vlog::bitsFor(uint64_t(std::max(shMax, 1)));
    const int XS = std::max(t.expBits, vlog::signedBitsFor(L.lsbExp + t.fracBits, shMax + 1) + 1);
    // Zero and special terms have a zero significand, so their (meaningless) shift does no harm.
    w.line(fmt::format("  wire {}{}_off = {} - {};", range(XS), t.sig, vlog::signExtend(t.exp, t.expBits, XS),
                       slit(XS, L.lsbExp + t.fracBits)));
    w.line(fmt::format("  wire {}{}_mag = {} << {}_off[{}:0];", range(W), t.sig,
                       vlog::zeroExtend(t.sig, t.sigBits, W), t.sig, SB - 1));
    w.line(fmt::format("  wire {}{}_t = {} ? (~{}_mag + {}) : {}_mag;", range(W), t.sig, t.sign, t.sig, lit(W, 1),
                       t.sig));
    w.line(fmt::format("  wire unused_{}_off = ^{}_off;", t.sig, t.sig));
    sum += (sum.empty() ? "" : " + ") + t.sig + "_t";
  }
  w.line(fmt::format("  wire {}acc = {};", range(W), sum));
  ro.accBits = W;
  ro.baseExpBits = vlog::signedBitsFor(L.lsbExp, L.lsbExp);
  ro.baseExpMin = ro.baseExpMax = L.lsbExp;
}

// Every term truncated to alignBits fraction bits below the largest exponent, summed as acc; returns the name
// of the sum's base exponent. `prefix` names the wires of a partial sum (the two-level alignment's products).
std::string alignedSum(vlog::Writer& w, const std::vector<TermWires>& terms, const FdotSpec& s, int carry,
                       blocks::ReadoutParams& ro, const std::string& prefix = "") {
  const int F = s.alignBits;
  int eMin = 0, eMax = 0, XE = 0;
  for (const TermWires& t : terms) {
    eMin = std::min(eMin, t.expMin);
    eMax = std::max(eMax, t.expMax);
  }
  XE = vlog::signedBitsFor(eMin - 1, eMax + 1);
  const bool zeroRule = s.rules.zeroExp.has_value();
  w.line(fmt::format("  // The largest exponent among finite {}terms (a pairwise tree; others count as the minimum).",
                     zeroRule ? fmt::format("terms, a zero operand counting as 2^{}, ", *s.rules.zeroExp) : "nonzero "));
  std::vector<std::string> level;
  for (const TermWires& t : terms) {
    const std::string e = t.exp + "_e";
    w.line(fmt::format("  wire {}{} = ~({}{} | {}) ? {} : {};", range(XE), e, zeroRule ? "" : t.zero + " | ", t.nan,
                       t.inf, vlog::signExtend(t.exp, t.expBits, XE), slit(XE, eMin - 1)));
    level.push_back(e);
  }
  int k = 0;
  while (level.size() > 1) {
    std::vector<std::string> next;
    for (size_t i = 0; i + 1 < level.size(); i += 2) {
      const std::string m = fmt::format("{}emax_{}", prefix, k++);
      w.line(fmt::format("  wire {}{} = ($signed({}) > $signed({})) ? {} : {};", range(XE), m, level[i], level[i + 1],
                         level[i], level[i + 1]));
      next.push_back(m);
    }
    if (level.size() % 2) next.push_back(level.back());
    level = next;
  }
  w.line(fmt::format("  wire {}{}emax = {};", range(XE), prefix, level[0]));
  const int Q = F + 2;  // two integer bits: a product's significand is in [0, 4)
  const int DB = vlog::bitsFor(uint64_t(Q));
  const int S = Q + carry + 1;
  w.line(fmt::format("  // Each term truncated toward zero to {} fraction bits below 2^emax, then summed exactly.", F));
  std::string sum;
  for (const TermWires& t : terms) {
    const std::string q = t.sig + "_q";
    std::string scaled;
    const int intBits = t.sigBits - t.fracBits;  // 2 for products, 1 for values
    if (F >= t.fracBits)
      scaled = fmt::format("{{{}{}, {}}}", intBits < 2 ? "1'b0, " : "", t.sig,
                           lit(F - t.fracBits, 0));
    else
      scaled = fmt::format("{{{}{}[{}:{}]}}", intBits < 2 ? "1'b0, " : "", t.sig, t.sigBits - 1, t.fracBits - F);
    if (F == t.fracBits) scaled = fmt::format("{{{}{}}}", intBits < 2 ? "1'b0, " : "", t.sig);
    w.line(fmt::format("  wire {}{}_scaled = {};", range(Q), q, scaled));
    if (F < t.fracBits) w.line(fmt::format("  wire unused_{}_low = ^{}[{}:0];", q, t.sig, t.fracBits - F - 1));
    w.line(fmt::format("  wire {}{}_d = {}emax - {};", range(XE), q, prefix, vlog::signExtend(t.exp, t.expBits, XE)));
    w.line(fmt::format("  wire {}{}_dc = ({}_d > {}) ? {} : {}_d[{}:0];", range(DB), q, q, lit(XE, uint64_t(Q)),
                       lit(DB, uint64_t(Q)), q, DB - 1));
    w.line(fmt::format("  wire {}{}_mag = {}_scaled >> {}_dc;", range(Q), q, q, q));
    w.line(fmt::format("  wire {}{}_t = {} ? (~{} + {}) : {};", range(S), q, t.sign,
                       vlog::zeroExtend(q + "_mag", Q, S), lit(S, 1), vlog::zeroExtend(q + "_mag", Q, S)));
    sum += (sum.empty() ? "" : " + ") + q + "_t";
  }
  w.line(fmt::format("  wire {}{}acc = {};", range(S), prefix, sum));
  ro.accBits = S;
  ro.baseExpBits = vlog::signedBitsFor(eMin - 1 - F, eMax - F);
  ro.baseExpMin = eMin - 1 - F;
  ro.baseExpMax = eMax - F;
  w.line(fmt::format("  wire {}{}base_exp = {} - {};", range(ro.baseExpBits), prefix,
                     vlog::signExtend(prefix + "emax", XE, ro.baseExpBits), slit(ro.baseExpBits, F)));
  return prefix + "base_exp";
}

// The two-level alignment (AlignRules::twoLevel): alignedSum over the products alone (p_ wires), then c
// joins it on the floored grids (fdot_two_level.cpp).
std::string twoLevelSum(vlog::Writer& w, const std::vector<TermWires>& terms, const FdotSpec& s,
                        blocks::ReadoutParams& ro) {
  std::vector<TermWires> products;
  std::copy_if(terms.begin(), terms.end(), std::back_inserter(products), [](const TermWires& t) { return t.product; });
  blocks::ReadoutParams pr = ro;
  const std::string pBase = alignedSum(w, products, s, vlog::bitsFor(uint64_t(products.size())), pr, "p_");
  return fdot_emit::emitTwoLevelJoin(w, terms, {"p_acc", pBase, pr.accBits, pr.baseExpBits, pr.baseExpMin, pr.baseExpMax},
                                     s, ro);
}

// The align rules on a group's rounded z_c (with flags_c): overflow to Inf, the canonical NaN, +0; returns the
// name of the result. Applied per group, so a chained group sees the previous group's ruled result.
std::string alignRules(vlog::Writer& w, const AlignRules& r, const Format& out) {
  if (!r.overflowToInf && !r.canonicalNaN && !r.positiveZero) return "z_c";
  const int W = out.width(), M = out.manBits;
  w.line("  // Tensor-core rules on the rounded result: overflow gives Inf, NaN is canonical, zero is +0.");
  if (r.overflowToInf || r.canonicalNaN) w.line(fmt::format("  wire z_c_exp_ones = &z_c[{}:{}];", W - 2, M));
  std::string e = "z_c";
  if (r.positiveZero) e = fmt::format("(~|z_c[{}:0]) ? {} : {}", W - 2, lit(W, 0), e);
  if (r.canonicalNaN) e = fmt::format("(z_c_exp_ones & (|z_c[{}:0])) ? {} : {}", M - 1, bits(W, out.magMask()), e);
  if (r.overflowToInf)
    e = fmt::format("(flags_c[2] & ~z_c_exp_ones) ? {{z_c[{}], {}}} : {}", W - 1, bits(W - 1, out.infMag()), e);
  w.line(fmt::format("  wire {}z_r = {};", range(W), e));
  return "z_r";
}

// One fused group: products of a_0..a_{G-1}, b_0..b_{G-1} plus an optional addend of `addendFormat`.
std::string emitGroup(Design& d, const FdotSpec& s, const Format* addendFormat, const std::string& name, GroupCuts cuts) {
  const int G = s.groupSize();
  const Format& out = s.out;
  const bool dyn = s.dynamicRounding;
  vlog::Writer w;
  w.line(fmt::format("// One fused group of {} product{}{}, rounded once to {} ({} accumulation){}.", G, G > 1 ? "s" : "",
                     addendFormat ? " and an addend (" + addendFormat->name + ")" : "", out.name, accumName(s.accum),
                     cuts.count() ? fmt::format("; {} cycle{} from inputs to z", cuts.count(), cuts.count() > 1 ? "s" : "")
                                  : ""));
  groupPorts(w, s, addendFormat, name, cuts.count() > 0);
  // The parent's pipeline keeps the valid bit: these registers hold data only.
  w.pipeline(false);

  std::vector<TermWires> terms = groupTerms(d, w, s, addendFormat);
  const int nT = int(terms.size());
  w.cut(cuts.afterTerms);
  groupSpecials(w, terms);
  const fdot_emit::InfWires inf = fdot_emit::emitProductOverflow(w, terms, s);
  const std::string rm = dyn ? "rm" : "";
  blocks::emitSumZeroSign(w, {dyn, s.round.mode}, rm, "zero_sign", "any_nonzero", "any_zero", "all_zeros_neg",
                          "any_zero_neg");

  const int carry = vlog::bitsFor(uint64_t(nT));
  blocks::ReadoutParams ro;
  ro.round.out = out;
  ro.round.rounding = {dyn, s.round.mode};
  // satpropagate clamps finite overflows in the round block; infinite terms still read out as infinities.
  ro.round.saturate = s.round.clampsOverflow();
  ro.round.ftz = s.round.ftz;
  // The later groups add the previous group's z, not c: their read-out rounds a sum of another range, so its
  // round block is another module (one name for both bodies is an error of Design::add).
  if (name == d.top() + "_group_next") ro.round.nameSuffix = "_next";
  std::string baseExp;
  if (s.accum == FdotSpec::Accum::Exact) {
    exactSum(w, terms, s, addendFormat, carry, ro);
  } else if (s.rules.twoLevel) {
    baseExp = twoLevelSum(w, terms, s, ro);
  } else {
    baseExp = alignedSum(w, terms, s, carry, ro);
  }
  const blocks::SumSpecialWires sp{"any_nan", inf.posInf, inf.negInf, "any_invalid", "zero_sign"};
  w.cut(cuts.afterSum);
  blocks::emitSumResult(d, w, ro, {"acc", baseExp, sp, dyn ? "rm" : ""}, {false, cuts.afterNormalize},
                        s.round.saturate, true);
  w.line(fmt::format("  assign z = {};", s.accum == FdotSpec::Accum::Align ? alignRules(w, s.rules, out) : "z_c"));
  w.line("  assign flags = flags_c;");
  d.close(name, w);
  return name;
}

HeaderText header(const FdotSpec& s, int stages) {
  HeaderText h;
  h.summary = fmt::format("z = round({}sum_{{i<{}}} a_i * b_i)", s.c ? "c + " : "", s.n);
  h.operands = {{"a", operandText(s.a)}, {"b", operandText(s.b)}};
  if (s.c) h.operands.emplace_back("c", operandText(*s.c));
  h.operands.emplace_back("z", operandText(s.zFormat()));
  if (s.accum == FdotSpec::Accum::Exact)
    h.notes.push_back("Accumulation: exact (one rounding of the exact sum)");
  else if (s.accum == FdotSpec::Accum::Chain)
    h.notes.push_back(fmt::format("Accumulation: chain ({} fused multiply-adds, each rounded to {})", s.n, s.out.name));
  else
    h.notes.push_back(fmt::format("Accumulation: align (terms truncated to {} fraction bits below the largest "
                                  "exponent, summed exactly, rounded once)",
                                  s.alignBits));
  if (s.port)
    h.notes.push_back(fmt::format("z: the sum rounded to {} ({} fraction bits), z's low {} bits zero", s.out.name,
                                  s.out.manBits, s.port->manBits - s.out.manBits));
  if (s.accum == FdotSpec::Accum::Align && !s.rules.isDefault())
    h.notes.push_back("Rules: " + describeAlignRules(s.rules));
  if (s.groups() > 1)
    h.notes.push_back(fmt::format("Groups: {} fused groups of {}, each rounded to {} before the next", s.groups(),
                                  s.groupSize(), s.out.name));
  h.notes.push_back(fmt::format("Rounding: {}; flags port: {}", roundingDescription(s.dynamicRounding, s.round),
                                s.flagsPort ? "yes" : "no"));
  h.notes.push_back(pipelineLatencyNote(stages));
  return h;
}

}  // namespace

namespace {

// The top module's ports: clk, rst, valid_in with stages; a_i, b_i, c, rm; valid_out, z, flags.
void topPorts(vlog::Writer& w, const FdotSpec& s, int stages, const std::string& moduleName) {
  w.open(fmt::format("module {} (", moduleName));
  if (stages) {
    w.line("input  wire clk,");
    w.line("input  wire rst,");
    w.line("input  wire valid_in,");
  }
  for (int i = 0; i < s.n; ++i) w.line(fmt::format("input  wire {}a{},", range(s.a.width()), i));
  for (int i = 0; i < s.n; ++i) w.line(fmt::format("input  wire {}b{},", range(s.b.width()), i));
  if (s.c) w.line(fmt::format("input  wire {}c,", range(s.c->width())));
  if (s.dynamicRounding) w.line("input  wire [2:0] rm,");
  if (stages) w.line("output wire valid_out,");
  w.line(fmt::format("output wire {}z{}", range(s.zFormat().width()), s.flagsPort ? "," : ""));
  if (s.flagsPort) w.line("output wire [4:0] flags");
  w.close(");");
}

// The end of both tops: step k's result and flags (OR of every step's) become z_c and flags_c.
void driveOutputs(vlog::Writer& w, const FdotSpec& s, int stages, const std::string& z, const std::string& flags) {
  std::string zv = z;
  if (s.port) {  // z's port carries more fraction bits than the sum was rounded to: they are zero
    const Format& o = s.out;
    const int pad = s.port->manBits - o.manBits;
    std::string e = fmt::format("{{{}, {}}}", zv, lit(pad, 0));
    if (s.rules.canonicalNaN)
      e = fmt::format("(&{0}[{1}:{2}] & (|{0}[{3}:0])) ? {4} : {5}", zv, o.width() - 2, o.manBits, o.manBits - 1,
                      bits(s.port->width(), s.port->magMask()), e);
    w.line(fmt::format("  wire {}z_w = {};", range(s.port->width()), e));
    zv = "z_w";
  }
  w.line(fmt::format("  wire {}z_c = {};", range(s.zFormat().width()), zv));
  w.wire("flags_c", 5, flags);
  if (!s.flagsPort) w.line("  wire unused_flags = |flags_c;");
  blocks::emitPipelinedOutputs(w, s.flagsPort, w.registeredCuts(), stages, stages > 0);
}

// N fma cores in a chain; their Verilog is the fma generator's, appended after the top module. Pipeline
// registers go between steps, spread evenly (at most N - 1 of them), the rest at the output.
GeneratedModule emitChain(const FdotSpec& s, int stages, const std::string& moduleName, const std::string& command) {
  const std::string firstCore = moduleName + "_fma_first", laterCore = moduleName + "_fma";
  const bool distinctFirst = s.c && s.c->name != s.out.name;
  const int boundaryCuts = stages ? std::min(stages - 1, s.n - 1) : 0;
  std::vector<bool> cutAfter(size_t(s.n), false);
  for (int j = 0; j < boundaryCuts; ++j) cutAfter[size_t((j + 1) * s.n / (boundaryCuts + 1) - 1)] = true;
  vlog::Writer w;
  w.raw(headerComment(moduleName, "fdot", header(s, stages), command));
  w.line("/* verilator lint_off DECLFILENAME */");
  w.line();
  topPorts(w, s, stages, moduleName);
  for (int i = 0; i < s.n; ++i) {
    const std::string rmConn = s.dynamicRounding ? " .rm(rm)," : "";
    const std::string acc = fmt::format("acc_{}", i), fl = fmt::format("fl_{}", i);
    w.line(fmt::format("  wire {}{};", range(s.out.width()), acc));
    w.line(fmt::format("  wire [4:0] flags_{};", i));
    const std::string addend =
        i > 0 ? fmt::format("acc_{}", i - 1)
        : s.c ? "c"
              : blocks::rdnSelectExpr({s.dynamicRounding, s.round.mode}, s.dynamicRounding ? "rm" : "",
                                      s.out.width(), chainIdentity(s, Rounding::RDN), chainIdentity(s, Rounding::RNE));
    w.line(fmt::format("  {} u_fma{} (.a({}), .b({}), .c({}),{} .z({}), .flags(flags_{}));",
                       i == 0 && distinctFirst ? firstCore : laterCore, i, fmt::format("a{}", i),
                       fmt::format("b{}", i), addend, rmConn, acc, i));
    w.line(fmt::format("  wire [4:0] {} = {}flags_{};", fl, i > 0 ? fmt::format("fl_{}", i - 1) + " | " : "", i));
    w.cut(i + 1 < s.n && cutAfter[size_t(i)]);
  }
  driveOutputs(w, s, stages, fmt::format("acc_{}", s.n - 1), fmt::format("fl_{}", s.n - 1));
  w.line("endmodule");
  w.line();
  std::string text = w.str();
  text += "// The fused multiply-add of each step, as numforge generates it on its own:\n";
  text += emitFma(chainLaterStep(s), Architecture{}, laterCore, command).verilog;
  if (distinctFirst) text += "\n" + emitFma(chainFirstStep(s), Architecture{}, firstCore, command).verilog;
  GeneratedModule m;
  m.name = moduleName;
  m.verilog = text;
  return m;
}

}  // namespace

GeneratedModule emitFdot(const FdotSpec& s, const Architecture& arch, const std::string& moduleName,
                         const std::string& command) {
  const int stages = arch.stages;
  if (s.accum == FdotSpec::Accum::Chain) return emitChain(s, stages, moduleName, command);
  Design d(moduleName);
  d.setHeader(headerComment(moduleName, "fdot", header(s, stages), command));
  const int G = s.groupSize();
  const FdotStagePlan plan = planStages(s, stages);
  const GroupCuts cuts(plan.perGroup);
  const bool convert = convertsAddend(s);
  const Format* firstAddend = convert ? &s.zFormat() : s.c ? &*s.c : nullptr;
  const std::string first = emitGroup(d, s, firstAddend, moduleName + "_group_first", cuts);
  const std::string rest = s.groups() > 1 ? emitGroup(d, s, &s.out, moduleName + "_group_next", cuts) : "";
  vlog::Writer w;
  topPorts(w, s, stages, moduleName);
  const std::string c0 = convert ? fdot_emit::emitAddendConversion(w, s, moduleName + "_c_to_z", "c") : "";
  for (int k = 0; k < s.groups(); ++k) {
    const std::string z = fmt::format("z_{}", k), fl = fmt::format("fl_{}", k);
    w.line(fmt::format("  wire {}{};", range(s.out.width()), z));
    w.line(fmt::format("  wire [4:0] flags_{};", k));
    std::string conns = cuts.count() ? ".clk(clk), " : "";
    for (int i = 0; i < G; ++i) conns += fmt::format(".a{0}(a{1}), ", i, k * G + i);
    for (int i = 0; i < G; ++i) conns += fmt::format(".b{0}(b{1}), ", i, k * G + i);
    if (k == 0 && s.c) conns += ".c(" + (convert ? c0 : std::string("c")) + "), ";
    if (k > 0) conns += fmt::format(".c(z_{}), ", k - 1);
    if (s.dynamicRounding) conns += ".rm(rm), ";
    w.line(fmt::format("  {} u_group{} ({}.z({}), .flags(flags_{}));", k == 0 ? first : rest, k, conns, z, k));
    // The group's registers hold its own data (z_k and flags_k leave it at the later stage); the top delays
    // what later groups need beside them.
    for (int c = 0; c < cuts.count(); ++c) w.cut(true);
    w.retime({z, fmt::format("flags_{}", k)});
    w.line(fmt::format("  wire [4:0] {} = {}flags_{};", fl, k > 0 ? fmt::format("fl_{}", k - 1) + " | " : "", k));
  }
  driveOutputs(w, s, stages, fmt::format("z_{}", s.groups() - 1), fmt::format("fl_{}", s.groups() - 1));
  GeneratedModule m = blocks::finishTop(d, w);
  if (convert) m.verilog += fdot_emit::addendConversionModule(s, moduleName + "_c_to_z");
  return m;
}

namespace {

class FdotUnit final : public OperatorUnit<FdotSpec> {
 public:
  FdotUnit(FdotSpec spec, Architecture arch, std::string module, std::vector<std::string> args)
      : OperatorUnit("fdot", std::move(spec), arch, std::move(module), std::move(args)), fast_(s_) {
    for (int i = 0; i < s_.n; ++i) in_.push_back({fmt::format("a{}", i), s_.a.width(), s_.a});
    for (int i = 0; i < s_.n; ++i) in_.push_back({fmt::format("b{}", i), s_.b.width(), s_.b});
    if (s_.c) in_.push_back({"c", s_.c->width(), *s_.c});
    if (s_.dynamicRounding) in_.push_back({"rm", 3, std::nullopt});
    out_ = {{"z", s_.zFormat().width(), s_.zFormat()}};
    if (s_.flagsPort) out_.push_back({"flags", 5, std::nullopt});
  }
  std::optional<Format> resultFormat() const override { return s_.zFormat(); }
  GeneratedModule emitVerilog(const std::string& command) const override {
    return emitFdot(s_, arch_, moduleName(), command);
  }
  void describe(nlohmann::json& j) const override {
    j["function"] = s_.c ? "z = round(c + sum a_i * b_i)" : "z = round(sum a_i * b_i)";
    j["n"] = s_.n;
    j["formats"] = {{"a", s_.a.name}, {"b", s_.b.name}, {"out", s_.out.name}};
    if (s_.c) j["formats"]["c"] = s_.c->name;
    j["accumulation"] = accumName(s_.accum);
    if (s_.accum == FdotSpec::Accum::Align) {
      j["align_bits"] = s_.alignBits;
      if (!s_.rules.isDefault()) j["rules"] = describeAlignRules(s_.rules);
      if (s_.port) j["out_frac_bits"] = s_.out.manBits;
    }
    j["group"] = s_.groupSize();
    describeRounding(j, s_.dynamicRounding, s_.round, s_.flagsPort);
  }

  // The rounding mode of one vector: the rm word after the operands, or the fixed mode.
  Rounding modeOf(const uint32_t* in) const {
    return s_.dynamicRounding ? roundingFromPort(in[2 * s_.n + (s_.c ? 1 : 0)]) : s_.round.mode;
  }

  void emulate(const uint32_t* in, uint32_t* out) const override {
    const Packed r = fdotModel(s_, in, in + s_.n, s_.c ? in[2 * s_.n] : 0, modeOf(in));
    out[0] = r.bits;
    if (s_.flagsPort) out[1] = r.flags;
  }

  void emulateBatch(const uint32_t* in, uint32_t* out, size_t n) const override {
    if (!fast_.available()) return Unit::emulateBatch(in, out, n);
    const size_t iw = inputWords(), ow = outputWords();
    for (size_t i = 0; i < n; ++i, in += iw, out += ow) {
      const Packed r = fast_(in, in + s_.n, modeOf(in));
      out[0] = r.bits;
      if (ow == 2) out[1] = r.flags;
    }
  }

  std::vector<std::vector<uint32_t>> cornerVectors() const override {
    std::vector<std::vector<uint32_t>> v;
    const std::vector<uint32_t> ca = formatCorners(s_.a), cb = formatCorners(s_.b);
    const size_t nIn = in_.size();
    std::mt19937_64 rng(0xfd07);
    auto pick = [&](const std::vector<uint32_t>& c) { return c[rng() % c.size()]; };
    // With an rm port its word is last: every vector is repeated under each of the eight encodings.
    const size_t nData = nIn - (s_.dynamicRounding ? 1 : 0);
    // Every term a corner value.
    for (int k = 0; k < 2000; ++k) {
      std::vector<uint32_t> x(nIn);
      for (int i = 0; i < s_.n; ++i) x[size_t(i)] = pick(ca);
      for (int i = 0; i < s_.n; ++i) x[size_t(s_.n + i)] = pick(cb);
      if (s_.c) x[nData - 1] = pick(formatCorners(*s_.c));
      v.push_back(x);
    }
    // Massive cancellation: pairs of equal products with opposite signs, plus one small term.
    for (int k = 0; k < 2000; ++k) {
      std::vector<uint32_t> x(nIn);
      for (int i = 0; i < s_.n; ++i) {
        x[size_t(i)] = uint32_t(rng()) & s_.a.mask();
        x[size_t(s_.n + i)] = uint32_t(rng()) & s_.b.mask();
      }
      for (int i = 0; i + 1 < s_.n; i += 2) {
        x[size_t(i + 1)] = x[size_t(i)] ^ s_.a.signBit();
        x[size_t(s_.n + i + 1)] = x[size_t(s_.n + i)];
      }
      if (k % 2) x[size_t(s_.n - 1)] &= ~(s_.a.mask() >> 1) | ((1u << s_.a.manBits) - 1u);  // a tiny last term
      if (s_.c) x[nData - 1] = uint32_t(rng()) & s_.c->mask();
      v.push_back(x);
    }
    // All terms of one exponent (sums land on ties often); alternating huge and tiny terms.
    for (int k = 0; k < 2000; ++k) {
      std::vector<uint32_t> x(nIn);
      const uint32_t expA = uint32_t(rng()) & (s_.a.mask() >> 1) & ~((1u << s_.a.manBits) - 1u);
      for (int i = 0; i < s_.n; ++i) {
        const uint32_t man = uint32_t(rng()) & ((1u << s_.a.manBits) - 1u);
        const uint32_t sign = (rng() & 1) ? s_.a.signBit() : 0;
        x[size_t(i)] = (k % 2 == 0 || i % 2 == 0) ? (sign | expA | man) : (sign | man);
        x[size_t(s_.n + i)] = pick(cb) & ~s_.b.signBit();
      }
      if (s_.c) x[nData - 1] = uint32_t(rng()) & s_.c->mask();
      v.push_back(x);
    }
    if (!s_.dynamicRounding) return v;
    std::vector<std::vector<uint32_t>> all;
    for (const auto& x : v)
      for (uint32_t rm = 0; rm < 8; ++rm) {
        all.push_back(x);
        all.back()[nIn - 1] = rm;
      }
    return all;
  }

 private:
  FdotFastModel fast_;
};

class FdotFactory final : public OperatorFactory {
 public:
  std::string name() const override { return "fdot"; }
  std::string summary() const override { return "N-way dot product z = round(c + sum a_i * b_i)"; }
  void addOptions(CLI::App& cmd) override {
    opt_.n = cmd.add_option("--n", n_, "terms: 2, 4, 8, 16 or 32 (required unless --emulate)")->check(integerIn(2, 32));
    opt_.a = cmd.add_option("--a", a_, "format of a_i (required unless --emulate)");
    opt_.b = cmd.add_option("--b", b_, "format of b_i (default: a's)");
    opt_.c = cmd.add_option("--c", c_, "format of the addend c (default: no addend)");
    opt_.out = cmd.add_option("--out", out_, "format of z (required unless --emulate)");
    opt_.accum = cmd.add_option("--accum", accum_, "accumulation: exact, align or chain");
    opt_.alignBits = cmd.add_option("--align-bits", alignBits_,
                                    "align: fraction bits kept below the largest exponent (1..60)")
                         ->check(integerIn(1, 60));
    opt_.group = cmd.add_option("--group", group_, "products per fused group (divides --n; default: all)")
                     ->check(integerIn(1, 32));
    opt_.zeroExp = cmd.add_option("--zero-exp", zeroExp_,
                                  "align: exponent a zero operand counts with in the maximum: exclude (default) or "
                                  "an integer such as -126");
    opt_.overflow = cmd.add_option("--overflow", overflow_, "align: overflow after rounding: ieee (default) or inf");
    opt_.nan = cmd.add_option("--nan", nan_, "align: NaN result encoding: ieee (default) or ones (0x7fffffff)");
    opt_.zeroSign = cmd.add_option("--zero-sign", zeroSign_, "align: sign of a zero result: ieee (default) or positive");
    opt_.twoLevel = cmd.add_option("--two-level", twoLevel_,
                                   "align: c joins after the products' own alignment: their sum floored onto S, c "
                                   "onto C fraction bits below the larger exponent: S,C such as 31,24 (default: off)");
    opt_.productOverflow = cmd.add_option("--product-overflow", productOverflow_,
                                          "align: a product of 2^(emax of --out + 1) or more: ieee (default: exact) "
                                          "or inf");
    opt_.cToOut = cmd.add_option("--c-to-out", cToOut_,
                                 "align: c first rounded to --out's format: off (default: c exact in its own "
                                 "format) or rne");
    opt_.outFracBits = cmd.add_option("--out-frac-bits", outFracBits_,
                                      "align: round the sum to this many fraction bits of --out (z's low bits zero)");
    opt_.emulate = cmd.add_option("--emulate", emulate_, "a tensor-core preset (`numforge presets` lists them)");
    common_.add(cmd);
    common_.addSaturationModes(cmd);
  }
  std::unique_ptr<Unit> build() const override {
    common_.validate();
    FdotFactory f = *this;  // the option values, with a preset's filled in
    CommonFpOptions common = common_;
    const TensorCorePreset* preset = nullptr;
    if (!emulate_.empty()) {
      preset = findTensorCorePreset(emulate_);
      if (!preset)
        throw UsageError(fmt::format("--emulate: '{}' is not a preset; accepted: {}", emulate_, tensorCorePresetNames()));
      f.fillPreset(*preset, common);
    }
    if (f.n_ == 0) throw UsageError("--n: required (or --emulate PRESET)");
    if (f.a_.empty()) throw UsageError("--a: required (or --emulate PRESET)");
    if (f.out_.empty()) throw UsageError("--out: required (or --emulate PRESET)");
    return f.buildFrom(common, preset);
  }

 private:
  struct Options {
    CLI::Option *n = nullptr, *a = nullptr, *b = nullptr, *c = nullptr, *out = nullptr, *accum = nullptr,
                *alignBits = nullptr, *group = nullptr, *zeroExp = nullptr, *overflow = nullptr, *nan = nullptr,
                *zeroSign = nullptr, *outFracBits = nullptr, *emulate = nullptr, *twoLevel = nullptr,
                *productOverflow = nullptr, *cToOut = nullptr;
  };

  // Sets every parameter of `p` not given on the command line; one given with another value is refused,
  // naming both.
  void fillPreset(const TensorCorePreset& p, CommonFpOptions& common) {
    auto set = [&](CLI::Option* o, const char* opt, auto& value, const auto& presetValue, const std::string& text) {
      if (o && o->count() > 0) {
        if (value != presetValue)
          throw UsageError(fmt::format("{}: conflicts with --emulate {}, which sets {} {}", opt, p.name, opt, text));
        return;
      }
      value = presetValue;
    };
    set(opt_.n, "--n", n_, p.n, std::to_string(p.n));
    set(opt_.a, "--a", a_, p.a, p.a);
    set(opt_.b, "--b", b_, p.b, p.b);
    set(opt_.c, "--c", c_, p.c, p.c);
    set(opt_.out, "--out", out_, p.out, p.out);
    set(opt_.accum, "--accum", accum_, std::string("align"), "align");
    set(opt_.alignBits, "--align-bits", alignBits_, p.alignBits, std::to_string(p.alignBits));
    const int group = p.group ? p.group : p.n;
    if (opt_.group && opt_.group->count() > 0 && group_ == p.n && !p.group) group_ = 0;  // "all" said twice
    set(opt_.group, "--group", group_, p.group, std::to_string(group));
    const std::string ze = p.rules.zeroExp ? std::to_string(*p.rules.zeroExp) : "exclude";
    set(opt_.zeroExp, "--zero-exp", zeroExp_, ze, ze);
    const std::string of = p.rules.overflowToInf ? "inf" : "ieee";
    set(opt_.overflow, "--overflow", overflow_, of, of);
    const std::string na = p.rules.canonicalNaN ? "ones" : "ieee";
    set(opt_.nan, "--nan", nan_, na, na);
    const std::string zs = p.rules.positiveZero ? "positive" : "ieee";
    set(opt_.zeroSign, "--zero-sign", zeroSign_, zs, zs);
    const std::string tl = p.rules.twoLevel
                               ? fmt::format("{},{}", p.rules.twoLevel->sumBits, p.rules.twoLevel->addendBits)
                               : std::string("off");
    set(opt_.twoLevel, "--two-level", twoLevel_, tl, tl);
    const std::string po = p.rules.productOverflowToInf ? "inf" : "ieee";
    set(opt_.productOverflow, "--product-overflow", productOverflow_, po, po);
    const std::string co = p.rules.convertC ? "rne" : "off";
    set(opt_.cToOut, "--c-to-out", cToOut_, co, co);
    set(opt_.outFracBits, "--out-frac-bits", outFracBits_, p.outFracBits ? p.outFracBits : -1,
        p.outFracBits ? std::to_string(p.outFracBits) : std::string("(none: all of --out's)"));
    const std::string rm = p.round == Rounding::RTZ ? "rtz" : "rne";
    if (common.roundGiven() && common.round != rm)
      throw UsageError(fmt::format("--round: conflicts with --emulate {}, which sets --round {}", p.name, rm));
    common.round = rm;
  }

  std::unique_ptr<Unit> buildFrom(const CommonFpOptions& common_, const TensorCorePreset* preset) const {
    FdotSpec s;
    if (n_ != 2 && n_ != 4 && n_ != 8 && n_ != 16 && n_ != 32)
      throw UsageError(fmt::format("--n: {} is not accepted; accepted: 2, 4, 8, 16, 32", n_));
    s.n = n_;
    s.a = formatOption("--a", a_);
    s.b = formatOption("--b", b_.empty() ? a_ : b_);
    s.out = formatOption("--out", out_);
    requireFloat("--a", s.a, "fdot");
    requireFloat("--b", s.b, "fdot");
    requireFloat("--out", s.out, "fdot");
    if (!c_.empty()) {
      s.c = formatOption("--c", c_);
      requireFloat("--c", *s.c, "fdot");
    }
    auto refuseAlignOptions = [&] {
      if (alignBits_ >= 0) throw UsageError("--align-bits: only with --accum align");
      for (const auto& [opt, v] : {std::pair<const char*, const std::string&>{"--zero-exp", zeroExp_},
                                   {"--overflow", overflow_}, {"--nan", nan_}, {"--zero-sign", zeroSign_},
                                   {"--two-level", twoLevel_}, {"--product-overflow", productOverflow_},
                                   {"--c-to-out", cToOut_}})
        if (!v.empty()) throw UsageError(fmt::format("{}: only with --accum align", opt));
      if (outFracBits_ >= 0) throw UsageError("--out-frac-bits: only with --accum align");
    };
    if (accum_ == "exact") {
      s.accum = FdotSpec::Accum::Exact;
      refuseAlignOptions();
    } else if (accum_ == "align") {
      s.accum = FdotSpec::Accum::Align;
      s.alignBits = alignBits_ < 0 ? 24 : alignBits_;
      if (s.alignBits < 1 || s.alignBits > 60)
        throw UsageError(fmt::format("--align-bits: {} is out of range; accepted: 1..60", s.alignBits));
      s.rules = parseRules(s.out);
    } else if (accum_ == "chain") {
      s.accum = FdotSpec::Accum::Chain;
      refuseAlignOptions();
      if (group_ != 0 && group_ != n_) throw UsageError("--group: not with --accum chain (every step rounds already)");
    } else {
      throw UsageError(fmt::format("--accum: '{}' is not accepted; accepted: exact, align, chain", accum_));
    }
    if (group_ != 0 && (group_ < 1 || group_ > s.n || s.n % group_ != 0))
      throw UsageError(fmt::format("--group: {} does not divide --n {}; accepted: a divisor of --n", group_, s.n));
    s.group = group_ == s.n ? 0 : group_;
    if (outFracBits_ >= 0 && s.accum == FdotSpec::Accum::Align) {
      const Format& o = s.out;
      if (o.nonFinite != NonFinite::IEEE || outFracBits_ < 1 || outFracBits_ >= o.manBits)
        throw UsageError(fmt::format("--out-frac-bits: {} is not accepted for --out {}; accepted: 1..{} with an "
                                     "IEEE-style --out",
                                     outFracBits_, o.name, o.manBits - 1));
      const Format narrow = parseFormat(fmt::format("e{}m{}", o.expBits, outFracBits_));
      if (narrow.bias != o.bias)
        throw UsageError(fmt::format("--out-frac-bits: --out {} has a non-default bias; accepted: a format eXmY of "
                                     "the default bias",
                                     o.name));
      s.port = o;
      s.out = narrow;
    }
    if (common_.daz) throw UsageError("--daz: not supported by fdot (subnormal inputs are exact terms)");
    const Architecture arch = common_.applyTo(s);
    // align rounds toward zero unless told otherwise, as the tensor cores it emulates do.
    if (s.accum == FdotSpec::Accum::Align && !common_.roundGiven() && !preset) s.round.mode = Rounding::RTZ;
    if (s.accum == FdotSpec::Accum::Align && !s.rules.isDefault() && (s.dynamicRounding || s.round.clampsOverflow()))
      throw UsageError("--round dyn, --saturate and --sat satfinite|satpropagate: not with the tensor-core rules "
                       "(--zero-exp, --overflow, --nan, --zero-sign, --two-level, --product-overflow, --c-to-out, "
                       "--emulate); accepted with them: a fixed --round and --sat satnone (the default)");
    std::vector<std::string> args;
    if (preset) args = {"--emulate", preset->name};
    args.insert(args.end(), {"--n", std::to_string(s.n), "--a", s.a.name, "--b", s.b.name});
    if (s.c) args.insert(args.end(), {"--c", s.c->name});
    args.insert(args.end(), {"--out", s.zFormat().name, "--accum", accumName(s.accum)});
    if (s.accum == FdotSpec::Accum::Align) args.insert(args.end(), {"--align-bits", std::to_string(s.alignBits)});
    if (s.group) args.insert(args.end(), {"--group", std::to_string(s.group)});
    if (s.accum == FdotSpec::Accum::Align) appendRuleArgs(s, args);
    CommonFpOptions c = common_;
    c.round = roundingManifestName(s.dynamicRounding, s.round.mode);
    c.appendArgs(args);
    std::string module = c.name;
    if (module.empty() && preset) {
      module = "fdot_" + preset->name;
      std::replace(module.begin(), module.end(), '-', '_');
      module += c.nameSuffix();
    } else if (module.empty()) {
      module = fmt::format("fdot{}_{}", s.n, s.a.tag());
      if (s.b.name != s.a.name) module += "_" + s.b.tag();
      if (s.c) module += "_c" + s.c->tag();
      module += "_" + s.zFormat().tag() + "_" + accumName(s.accum);
      if (s.accum == FdotSpec::Accum::Align) module += std::to_string(s.alignBits);
      if (s.port) module += fmt::format("_f{}", s.out.manBits);
      if (s.group) module += fmt::format("_g{}", s.group);
      if (s.accum == FdotSpec::Accum::Align && !s.rules.isDefault()) module += ruleTag(s.rules);
      module += c.nameSuffix();
    }
    return std::make_unique<FdotUnit>(std::move(s), arch, module, std::move(args));
  }

  AlignRules parseRules(const Format& out) const {
    AlignRules r;
    if (!zeroExp_.empty() && zeroExp_ != "exclude") {
      // The integer as every other integer option reads it (integerIn: decimal, no leading zeros, in range).
      std::string text = zeroExp_;
      if (!integerIn(-1100, 1100)(text).empty())
        throw UsageError(fmt::format("--zero-exp: '{}' is not accepted; accepted: exclude or an integer -1100..1100",
                                     zeroExp_));
      r.zeroExp = std::stoi(text);
    }
    auto choice = [](const char* opt, const std::string& v, const char* off, const char* on) {
      if (v.empty() || v == off) return false;
      if (v == on) return true;
      throw UsageError(fmt::format("{}: '{}' is not accepted; accepted: {}, {}", opt, v, off, on));
    };
    r.overflowToInf = choice("--overflow", overflow_, "ieee", "inf");
    r.canonicalNaN = choice("--nan", nan_, "ieee", "ones");
    r.positiveZero = choice("--zero-sign", zeroSign_, "ieee", "positive");
    r.productOverflowToInf = choice("--product-overflow", productOverflow_, "ieee", "inf");
    if (r.productOverflowToInf && !out.hasInf())
      throw UsageError(fmt::format("--product-overflow: needs an --out with Inf; --out {} has none", out.name));
    r.twoLevel = parseTwoLevel();
    r.convertC = choice("--c-to-out", cToOut_, "off", "rne");
    const bool ieeeOut = out.nonFinite == NonFinite::IEEE && out.manBits > 0;
    if ((r.overflowToInf || r.canonicalNaN) && !ieeeOut)
      throw UsageError(fmt::format("--{}: needs an --out with Inf and NaN (IEEE-style); --out {} has none",
                                   r.overflowToInf ? "overflow" : "nan", out.name));
    return r;
  }

  // --two-level S,C: two integers 1..60 (as every integer option reads them), or off.
  std::optional<AlignRules::TwoLevel> parseTwoLevel() const {
    if (twoLevel_.empty() || twoLevel_ == "off") return std::nullopt;
    const size_t comma = twoLevel_.find(',');
    std::string sum = twoLevel_.substr(0, comma), addend = comma == std::string::npos ? "" : twoLevel_.substr(comma + 1);
    if (comma == std::string::npos || !integerIn(1, 60)(sum).empty() || !integerIn(1, 60)(addend).empty())
      throw UsageError(fmt::format("--two-level: '{}' is not accepted; accepted: off or S,C with S and C in 1..60 "
                                   "(e.g. 31,24)",
                                   twoLevel_));
    return AlignRules::TwoLevel{std::stoi(sum), std::stoi(addend)};
  }

  static void appendRuleArgs(const FdotSpec& s, std::vector<std::string>& args) {
    if (s.port) args.insert(args.end(), {"--out-frac-bits", std::to_string(s.out.manBits)});
    if (s.rules.zeroExp) args.insert(args.end(), {"--zero-exp", std::to_string(*s.rules.zeroExp)});
    if (s.rules.overflowToInf) args.insert(args.end(), {"--overflow", "inf"});
    if (s.rules.canonicalNaN) args.insert(args.end(), {"--nan", "ones"});
    if (s.rules.positiveZero) args.insert(args.end(), {"--zero-sign", "positive"});
    if (s.rules.twoLevel)
      args.insert(args.end(),
                  {"--two-level", fmt::format("{},{}", s.rules.twoLevel->sumBits, s.rules.twoLevel->addendBits)});
    if (s.rules.productOverflowToInf) args.insert(args.end(), {"--product-overflow", "inf"});
    if (s.rules.convertC) args.insert(args.end(), {"--c-to-out", "rne"});
  }

  static std::string ruleTag(const AlignRules& r) {
    std::string t;
    if (r.zeroExp) t += fmt::format("_z{}{}", *r.zeroExp < 0 ? "m" : "", std::abs(*r.zeroExp));
    if (r.overflowToInf) t += "_ofinf";
    if (r.canonicalNaN) t += "_nan1";
    if (r.positiveZero) t += "_pz";
    if (r.twoLevel) t += fmt::format("_tl{}_{}", r.twoLevel->sumBits, r.twoLevel->addendBits);
    if (r.productOverflowToInf) t += "_pinf";
    if (r.convertC) t += "_ccvt";
    return t;
  }

  int n_ = 0, alignBits_ = -1, group_ = 0, outFracBits_ = -1;
  std::string a_, b_, c_, out_, accum_ = "exact", zeroExp_, overflow_, nan_, zeroSign_, emulate_, twoLevel_,
      productOverflow_, cToOut_;
  CommonFpOptions common_;
  Options opt_;
};

}  // namespace

NF_REGISTER_OPERATOR(fdot, FdotFactory)

}  // namespace nf
