// fma: z = round(a * b + c) with one rounding. Generator, options and corner cases; the model is
// refmodels/fma.cpp.
#include "generators/fma.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

#include "generators/align_add.h"
#include "generators/blocks.h"
#include "generators/common_options.h"
#include "generators/emitter_names.h"
#include "generators/fp_arith.h"
#include "generators/fp_ports.h"
#include "generators/instances.h"
#include "generators/pipeline.h"
#include "generators/verilog.h"
#include "refmodels/corners.h"

namespace nf {

using namespace emitter_names;

namespace {


FpUnitDescription fpDescription(const FmaSpec& s, int stages) {
  return {"fma", "z = round(a * b + c)", {{"a", s.a}, {"b", s.b}, {"c", s.c}, {"z", s.out}}, s.round,
          s.dynamicRounding, s.daz, s.flagsPort, stages};
}

}  // namespace

GeneratedModule emitFma(const FmaSpec& s, const Architecture& arch, const std::string& moduleName,
                        const std::string& command) {
  Design d(moduleName);
  // Every operand is normalized on unpacking: the exact product is then in [1,4) (one possible leading zero)
  // and neither term can have more leading zeros than the adder's window allows for. Zero operands are the
  // special cases' business, so their significands are don't-cares.
  const blocks::Unpacked ua = blocks::emitUnpack(d, s.a, s.daz, true, true);
  const blocks::Unpacked ub = blocks::emitUnpack(d, s.b, s.daz, true, true);
  const blocks::Unpacked uc = blocks::emitUnpack(d, s.c, s.daz, true, true);
  const int WZ = s.out.width();
  const int PA = ua.sigBits, PB = ub.sigBits, WP = PA + PB, PC = uc.sigBits;
  const int P = std::max(WP, PC);
  const int XP = std::max(ua.expBits, ub.expBits) + 2;
  const int XE = std::max(XP, uc.expBits);
  blocks::AlignAddParams ap;
  ap.sigBits = P;
  ap.expBits = XE;
  ap.expMin = std::min(ua.expMin + ub.expMin + 1, uc.expMin);
  ap.expMax = std::max(ua.expMax + ub.expMax + 2, uc.expMax);
  ap.leadingZeros = 1;
  ap.roundPrecision = s.out.precision();
  ap.nearFar = arch.optimize == Architecture::Optimize::Delay;
  const blocks::AlignAdd aa = blocks::emitAlignAdd(d, ap);
  const int XS = std::max(aa.expBits, vlog::signedBitsFor(s.out.emin() - 2, s.out.emax() + 2));

  const blocks::RoundPackParams rp = blocks::roundPackParams(s.out, s.round, s.dynamicRounding, XS, aa.sumBits,
                                                              aa.expMin, aa.expMax);
  const std::string roundpack = blocks::emitRoundPack(d, rp);
  const std::string mul = blocks::emitMultiplier(d, PA, PB);

  const FpUnitDescription desc = fpDescription(s, arch.stages);
  d.setHeader(fpHeader(desc, moduleName, command));
  vlog::Writer w;
  fpModulePorts(w, desc, moduleName);

  w.pipeline(true);
  const int cutsWanted = arch.stages > 0 ? std::min(arch.stages - 1, 2) : 0;
  const std::vector<std::pair<std::string, const blocks::Unpacked*>> ops = {{"a", &ua}, {"b", &ub}, {"c", &uc}};
  for (const auto& [p, u] : ops) {
    blocks::instantiateUnpack(w, d, *u, p, p);
  }
  w.line("  // The special cases, decided from the operands' classes alone.");
  w.line("  wire prod_sign = a_sign ^ b_sign;");
  w.line("  wire prod_zero = a_zero | b_zero;");
  w.line("  // Inf x NaN is a NaN product: not an infinite term for the Inf - Inf rule.");
  w.line("  wire prod_inf = (a_inf & ~b_nan) | (b_inf & ~a_nan);");
  w.line("  wire zero_x_inf = (a_inf & b_zero) | (a_zero & b_inf);");
  w.line("  wire inf_m_inf = prod_inf & c_inf & (prod_sign ^ c_sign);");
  w.line("  wire res_nan = a_nan | b_nan | c_nan | zero_x_inf | inf_m_inf;");
  if (s.flagsPort) w.line("  wire invalid = a_snan | b_snan | c_snan | zero_x_inf | inf_m_inf;");
  else w.line("  wire unused_snan = a_snan | b_snan | c_snan;");
  w.line("  wire res_inf = prod_inf | c_inf;");
  w.line("  wire inf_sign = prod_inf ? prod_sign : c_sign;");
  w.line(fmt::format("  wire zero_sign = {};", blocks::exactZeroSumSignExpr({s.dynamicRounding, s.round.mode}, "rm",
                                                                           "prod_sign", "c_sign")));
  w.cut(cutsWanted >= 2);

  w.line("  // Exact product in [1,4); its exponent names the MSB. Both terms left-aligned to one width.");
  w.wires(WP, {"prod"});
  blocks::instance(w, d, mul, "u_mul", {{"x", "a_sig"}, {"y", "b_sig"}, {"p", "prod"}});
  w.wire("prod_sig", P, P == WP ? "prod" : fmt::format("{{prod, {}}}", lit(P - WP, 0)));
  w.wire("prod_exp", XE, fmt::format("{} + {} + {}", vlog::signExtend("a_exp", ua.expBits, XE),
                                     vlog::signExtend("b_exp", ub.expBits, XE), lit(XE, 1)));
  w.wire("add_sig", P, P == PC ? "c_sig" : fmt::format("{{c_sig, {}}}", lit(P - PC, 0)));
  w.wire("add_exp", XE, vlog::signExtend("c_exp", uc.expBits, XE));
  w.cut(cutsWanted >= 1);

  w.line("  // Exact sum (aligned, jammed, normalized), then the one rounding.");
  blocks::instantiateAlignAdd(w, d, aa, {"prod_sign", "prod_zero", "prod_exp", "prod_sig"}, {"c_sign", "c_zero", "add_exp", "add_sig"}, XS);
  blocks::instantiateRoundPack(w, d, {roundpack, "rp", WZ, "sum_sign", "sum_exp", "sum_sig", "1'b0",
                                   s.dynamicRounding ? "rm" : "", ""});
  emitFpResultMux(w, s.out, s.round, s.flagsPort,
                  {"res_nan", "invalid", "res_inf", "inf_sign", "sum_zero", "zero_sign",
                   "rp_z", "", true});
  blocks::emitPipelinedOutputs(w, s.flagsPort, cutsWanted, arch.stages, arch.stages > 0);
  return blocks::finishTop(d, w);
}

namespace {

class FmaUnit final : public FpArithUnit<FmaSpec, FmaFastModel, fmaModel, 3> {
 public:
  FmaUnit(FmaSpec spec, Architecture arch, std::string module, std::vector<std::string> args)
      : FpArithUnit(fpDescription, emitFma, "fma", std::move(spec), arch, std::move(module), std::move(args)) {}
  std::vector<std::vector<uint32_t>> cornerVectors() const override;
};

std::vector<std::vector<uint32_t>> FmaUnit::cornerVectors() const {
  const Format& A = s_.a;
  const Format& B = s_.b;
  const Format& C = s_.c;
  const Format& Z = s_.out;
  std::vector<std::array<uint32_t, 3>> triples;
  const std::vector<uint32_t> ca = formatCorners(A), cb = formatCorners(B), cc = formatCorners(C);
  for (uint32_t a : ca)
    for (uint32_t b : cb)
      for (uint32_t c : cc) triples.push_back({a, b, c});
  std::mt19937_64 rng(0x666d61);
  const double maxZ = Z.toDouble(Z.maxFiniteMag()), minNormalZ = Z.toDouble(Z.minNormalMag());
  for (int i = 0; i < 400; ++i) {
    const uint32_t a = i < int(ca.size()) ? ca[size_t(i)] : uint32_t(rng()) & A.mask();
    const uint32_t b = uint32_t(rng()) & B.mask();
    const double p = A.toDouble(a) * B.toDouble(b);  // exact: at most 48 significant bits
    if (!std::isfinite(p)) continue;
    std::vector<double> targets = {-p};  // massive cancellation
    for (int k = -2; k <= Z.manBits + 3; ++k) targets.push_back(std::ldexp(p, -k) * (k % 2 ? -1 : 1));
    targets.push_back((p >= 0 ? 1 : -1) * (maxZ * (1 + std::ldexp(1.0, -Z.manBits - 1)) - std::fabs(p)));
    targets.push_back(minNormalZ - p);
    targets.push_back(-minNormalZ - p);
    for (double t : targets) {
      if (!std::isfinite(t) || t == 0) {
        triples.push_back({a, b, 0});
        continue;
      }
      const Packed c = roundFromDouble(t, C, {Rounding::RTZ, true, false});
      for (uint32_t cn : neighbours(C, c.bits, 1)) triples.push_back({a, b, cn});
    }
  }
  std::vector<std::vector<uint32_t>> operands;
  for (const auto& t : triples) operands.push_back({t[0], t[1], t[2]});
  return cornerVectorsWithRm(operands, {A.mask(), B.mask(), C.mask()}, s_.dynamicRounding);
}

class FmaFactory final : public FpArithFactory<FmaUnit, FmaSpec> {
 public:
  FmaFactory()
      : FpArithFactory("fused multiply-add z = round(a * b + c), one rounding",
                       {&FmaSpec::a, &FmaSpec::b, &FmaSpec::c, &FmaSpec::out},
                       {"fma",
                        {{"a", "format of a"}, {"b", "format of b (default: a's)"},
                         {"c", "format of the addend c (default: a's)"}},
                        "format of z (default: c's)", "c",
                        "architecture goal: area (default; one path) or delay (near/far paths)"}) {}
};

}  // namespace

NF_REGISTER_OPERATOR(fma, FmaFactory)

}  // namespace nf
