// fadd: z = round(a + b). Generator, options and corner cases; the model is refmodels/fadd.cpp.
#include "generators/fadd.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
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


FpUnitDescription fpDescription(const FaddSpec& s, int stages) {
  return {"fadd", "z = round(a + b)", {{"a", s.a}, {"b", s.b}, {"z", s.out}}, s.round, s.dynamicRounding, s.daz,
          s.flagsPort, stages};
}

}  // namespace

GeneratedModule emitFadd(const FaddSpec& s, const Architecture& arch, const std::string& moduleName,
                         const std::string& command) {
  Design d(moduleName);
  // Operands of one format stay unnormalized (a subnormal keeps exponent emin): the larger one can only have
  // leading zeros when both exponents are emin, so alignment loses nothing, and the sum's normalizer serves
  // both. Operands of different formats are normalized on unpacking.
  const bool raw = s.a.name == s.b.name;
  const blocks::Unpacked ua = blocks::emitUnpack(d, s.a, s.daz, !raw);
  const blocks::Unpacked ub = blocks::emitUnpack(d, s.b, s.daz, !raw);
  const int WZ = s.out.width();
  const int P = std::max(ua.sigBits, ub.sigBits);
  const int XE = std::max(ua.expBits, ub.expBits);
  blocks::AlignAddParams ap;
  ap.sigBits = P;
  ap.expBits = XE;
  ap.expMin = std::min(ua.expMin, ub.expMin);
  ap.expMax = std::max(ua.expMax, ub.expMax);
  ap.leadingZeros = 0;
  ap.unnormalized = raw;
  ap.roundPrecision = s.out.precision();
  ap.nearFar = arch.optimize == Architecture::Optimize::Delay;
  const blocks::AlignAdd aa = blocks::emitAlignAdd(d, ap);
  const int XS = std::max(aa.expBits, vlog::signedBitsFor(s.out.emin() - 2, s.out.emax() + 2));

  const blocks::RoundPackParams rp = blocks::roundPackParams(s.out, s.round, s.dynamicRounding, XS, aa.sumBits,
                                                              aa.expMin, aa.expMax);
  const std::string roundpack = blocks::emitRoundPack(d, rp);

  const FpUnitDescription desc = fpDescription(s, arch.stages);
  d.setHeader(fpHeader(desc, moduleName, command));
  vlog::Writer w;
  fpModulePorts(w, desc, moduleName);

  w.pipeline(true);
  const int cutsWanted = arch.stages > 0 ? std::min(arch.stages - 1, 2) : 0;
  for (const char* op : {"a", "b"}) {
    const blocks::Unpacked& u = op[0] == 'a' ? ua : ub;
    const std::string p = op;
    blocks::instantiateUnpack(w, d, u, p, p, "_u");
    // Left-aligned to the common width; the exponent names the MSB either way.
    w.wire(p + "_sig", P, P == u.sigBits ? p + "_sig_u" : fmt::format("{{{}_sig_u, {}}}", p, lit(P - u.sigBits, 0)));
    w.wire(p + "_exp", XE, vlog::signExtend(p + "_exp_u", u.expBits, XE));
  }
  if (!s.flagsPort) w.line("  wire unused_snan = a_snan | b_snan;");
  w.cut(cutsWanted >= 2);

  w.line("  // Exact sum (aligned, jammed, normalized) and the special cases.");
  blocks::instantiateAlignAdd(w, d, aa, {"a_sign", "a_zero", "a_exp", "a_sig"}, {"b_sign", "b_zero", "b_exp", "b_sig"}, XS);
  const std::string infMinusInf = "(a_inf & b_inf & (a_sign ^ b_sign))";
  w.wire("res_nan", 1, "a_nan | b_nan | " + infMinusInf);
  if (s.flagsPort) w.wire("invalid", 1, "a_snan | b_snan | " + infMinusInf);
  w.wire("res_inf", 1, "a_inf | b_inf");
  w.wire("inf_sign", 1, "a_inf ? a_sign : b_sign");
  w.wire("zero_sign", 1,
         blocks::exactZeroSumSignExpr({s.dynamicRounding, s.round.mode}, s.dynamicRounding ? "rm" : "", "a_sign", "b_sign"));
  w.cut(cutsWanted >= 1);

  blocks::instantiateRoundPack(w, d, {roundpack, "rp", WZ, "sum_sign", "sum_exp", "sum_sig", "1'b0",
                                   s.dynamicRounding ? "rm" : "", ""});
  emitFpResultMux(w, s.out, s.round, s.flagsPort,
                  {"res_nan", "invalid", "res_inf", "inf_sign", "sum_zero", "zero_sign", "rp_z", "", true});
  blocks::emitPipelinedOutputs(w, s.flagsPort, cutsWanted, arch.stages, arch.stages > 0);
  return blocks::finishTop(d, w);
}

namespace {

class FaddUnit final : public FpArithUnit<FaddSpec, FaddFastModel, faddModel, 2> {
 public:
  FaddUnit(FaddSpec spec, Architecture arch, std::string module, std::vector<std::string> args)
      : FpArithUnit(fpDescription, emitFadd, "fadd", std::move(spec), arch, std::move(module), std::move(args)) {}
  std::vector<std::vector<uint32_t>> cornerVectors() const override;
};

std::vector<std::vector<uint32_t>> FaddUnit::cornerVectors() const {
  const Format& A = s_.a;
  const Format& B = s_.b;
  const Format& Z = s_.out;
  std::vector<std::pair<uint32_t, uint32_t>> pairs = cornerPairs(A, B);
  const std::vector<uint32_t> ca = formatCorners(A);
  std::mt19937_64 rng(0x6661);
  std::vector<uint32_t> as = ca;
  for (int i = 0; i < 64; ++i) as.push_back(uint32_t(rng()) & A.mask());
  const double maxZ = Z.toDouble(Z.maxFiniteMag()), minNormalZ = Z.toDouble(Z.minNormalMag());
  for (uint32_t a : as) {
    const double av = A.toDouble(a);
    if (!std::isfinite(av)) continue;
    std::vector<double> targets = {-av};  // massive cancellation
    // Addends straddling the rounding point of the sum (ties, one ulp off), shifted down by k bits.
    for (int k = 0; k <= Z.manBits + 3; ++k) targets.push_back(std::ldexp(av, -k) * (k % 2 ? -1 : 1));
    // The sum at the overflow edge and at the smallest normal.
    targets.push_back((av >= 0 ? 1 : -1) * (maxZ * (1 + std::ldexp(1.0, -Z.manBits - 1)) - std::fabs(av)));
    targets.push_back(minNormalZ - av);
    targets.push_back(-minNormalZ - av);
    for (double t : targets) {
      if (!std::isfinite(t) || t == 0) continue;
      const Packed b = roundFromDouble(t, B, {Rounding::RTZ, true, false});
      for (uint32_t bn : neighbours(B, b.bits, 2)) pairs.emplace_back(a, bn);
    }
  }
  return pairVectors(pairs, A, B, s_.dynamicRounding);
}

class FaddFactory final : public FpArithFactory<FaddUnit, FaddSpec> {
 public:
  FaddFactory()
      : FpArithFactory("floating-point adder z = round(a + b)", {&FaddSpec::a, &FaddSpec::b, &FaddSpec::out},
                       {"fadd", {{"a", "format of a"}, {"b", "format of b (default: a's)"}}, "format of z (default: a's)",
                        "a", "architecture goal: area (default; one path) or delay (near/far paths)"}) {}
};

}  // namespace

NF_REGISTER_OPERATOR(fadd, FaddFactory)

}  // namespace nf
