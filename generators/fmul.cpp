// fmul: z = round(a * b). Generator, options and corner cases; the model is refmodels/fmul.cpp.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "generators/blocks.h"
#include "generators/common_options.h"
#include "generators/emitter_names.h"
#include "generators/fp_arith.h"
#include "generators/fp_ports.h"
#include "generators/instances.h"
#include "generators/pipeline.h"
#include "generators/verilog.h"
#include "refmodels/corners.h"
#include "refmodels/fmul.h"

namespace nf {

using namespace emitter_names;

namespace {


FpUnitDescription fpDescription(const FmulSpec& s, int stages) {
  return {"fmul", "z = round(a * b)", {{"a", s.a}, {"b", s.b}, {"z", s.out}}, s.round, s.dynamicRounding, s.daz,
          s.flagsPort, stages};
}

// One normalizer for whichever operand is subnormal (a first; two subnormals give fmul's tiny constant): a_sig,
// a_exp, b_sig, b_exp from the unpacked *_raw wires, and both_sub.
void emitSharedNormalizer(Design& d, vlog::Writer& w, const blocks::Unpacked& ua, const Format& a) {
  const int P = ua.sigBits, K = blocks::normalizerCountBits(P), XA = ua.expBits;
  const std::string norm = blocks::emitNormalizer(d, P);
  w.line("  // One normalizer for the subnormal operand (a first); two subnormals give the tiny constant below.");
  w.line(fmt::format("  wire {}n_in = a_sub ? {{a_sig_raw[{}:0], 1'b0}} : {{b_sig_raw[{}:0], 1'b0}};", range(P), P - 2,
                     P - 2));
  w.line(fmt::format("  wire {}n_sig;", range(P)));
  w.line(fmt::format("  wire {}n_lz;", range(K)));
  blocks::instance(w, d, norm, "u_norm", {{"v", "n_in"}, {"v_norm", "n_sig"}, {"lz", "n_lz"}});
  w.line(fmt::format("  wire {}n_exp = {} - {};", range(XA), vlog::slit(XA, a.emin() - 1), vlog::zeroExtend("n_lz", K, XA)));
  w.line("  wire b_norm = b_sub & ~a_sub;");
  w.line(fmt::format("  wire {}a_sig = {{1'b1, a_sub ? n_sig[{}:0] : a_sig_raw[{}:0]}};", range(P), P - 2, P - 2));
  w.line(fmt::format("  wire {}a_exp = a_sub ? n_exp : a_exp_raw;", range(XA)));
  w.line(fmt::format("  wire {}b_sig = {{1'b1, b_norm ? n_sig[{}:0] : b_sig_raw[{}:0]}};", range(P), P - 2, P - 2));
  w.line(fmt::format("  wire unused_ok = a_sig_raw[{0}] | b_sig_raw[{0}] | n_sig[{0}];", P - 1));
  w.line(fmt::format("  wire {}b_exp = b_norm ? n_exp : b_exp_raw;", range(XA)));
  w.line("  wire both_sub = a_sub & b_sub;");
}

// The subnormal operand's leading-zero count n_lz beside the multiplier (the product is shifted after), and
// both_sub; returns n_lz's width.
int emitSubnormalCount(Design& d, vlog::Writer& w, const blocks::Unpacked& ua) {
  const int P = ua.sigBits;
  const int lzBits = blocks::normalizerCountBits(P);
  const std::string norm = blocks::emitNormalizer(d, P);
  w.line("  // The subnormal operand's leading zeros, counted beside the multiplier; the product is shifted after.");
  w.line(fmt::format("  wire {}n_in = a_sub ? a_sig : b_sig;", range(P)));
  w.line(fmt::format("  wire {}unused_n_sig;", range(P)));
  w.line(fmt::format("  wire {}n_lz;", range(lzBits)));
  blocks::instance(w, d, norm, "u_lzc", {{"v", "n_in"}, {"v_norm", "unused_n_sig"}, {"lz", "n_lz"}});
  w.line("  wire both_sub = a_sub & b_sub;");
  return lzBits;
}

// Any value in (0, min subnormal / 2) rounds alike: to zero, or to the smallest subnormal by mode.
Packed tinyResult(const FmulSpec& s, bool neg, Rounding m) {
  RoundOptions o = s.round;
  o.mode = m;
  return roundPack<uint64_t>(neg, s.out.emin() - s.out.manBits - 4, 1, false, s.out, o);
}

// The result of two subnormal operands (tinyResult) by sign and, for dynamic rounding, by the rm port `rm`.
std::string tinyResultExpr(const FmulSpec& s, const std::string& sign, const std::string& rm) {
  const int WZ = s.out.width();
  auto bySign = [&](Rounding m) {
    const uint32_t pos = tinyResult(s, false, m).bits, neg = tinyResult(s, true, m).bits;
    return pos == neg ? lit(WZ, pos) : fmt::format("({} ? {} : {})", sign, lit(WZ, neg), lit(WZ, pos));
  };
  if (!s.dynamicRounding) return bySign(s.round.mode);
  std::string expr = bySign(Rounding::RNE);  // rm 0, 6 and 7
  for (unsigned r = 5; r >= 1; --r)
    expr = fmt::format("({} == 3'd{}) ? {} : {}", rm, r, bySign(roundingFromPort(r)), expr);
  return expr;
}

}  // namespace

GeneratedModule emitFmul(const FmulSpec& s, const Architecture& arch, const std::string& moduleName,
                         const std::string& command) {
  Design d(moduleName);
  // Two subnormal operands of one format multiply to less than half the output's smallest subnormal in
  // most formats, so the result is a rounding constant and only one operand at a time needs normalizing.
  // For significands of 11 bits and more that allows one normalizer for both operands (area), or counting
  // the subnormal's leading zeros beside the multiplier and shifting the product after it (delay). For
  // narrower significands a normalizer per operand measured smaller and faster than either.
  bool oneSubnormal = s.a.name == s.b.name && !s.daz && s.a.subnormals && s.a.manBits > 0 && !s.a.zeroExpIsNormal;
  if (oneSubnormal) {
    const double maxSub = s.a.toDouble((1u << s.a.manBits) - 1u);
    oneSubnormal = maxSub * maxSub < s.out.toDouble(s.out.minSubnormalMag()) / 2;
  }
  const bool wide = s.a.manBits >= 10;
  const bool share = oneSubnormal && wide && arch.optimize == Architecture::Optimize::Area;
  const bool post = oneSubnormal && wide && arch.optimize == Architecture::Optimize::Delay;
  const blocks::Unpacked ua = blocks::emitUnpack(d, s.a, s.daz, !(share || post), true);
  const blocks::Unpacked ub = blocks::emitUnpack(d, s.b, s.daz, !(share || post), true);
  const int WZ = s.out.width();
  const int PA = ua.sigBits, PB = ub.sigBits, WP = PA + PB;
  // The product's leading-bit exponent spans [minA+minB, maxA+maxB+1]; the out range must fit too.
  const int pMin = ua.expMin + ub.expMin, pMax = ua.expMax + ub.expMax + 1;
  const int XP = std::max(vlog::signedBitsFor(std::min(pMin, s.out.emin() - 1) - 1, std::max(pMax, s.out.emax() + 1) + 1),
                          std::max(ua.expBits, ub.expBits) + 1);

  blocks::RoundPackParams rp = blocks::roundPackParams(s.out, s.round, s.dynamicRounding, XP, WP, pMin, pMax);
  rp.leadingBitMayBeZero = true;
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
    blocks::instantiateUnpack(w, d, u, p, p, share ? "_raw" : "", p + "_sub");
  }
  if (share) emitSharedNormalizer(d, w, ua, s.a);
  const int lzBits = post ? emitSubnormalCount(d, w, ua) : 0;
  w.cut(cutsWanted >= 2);

  // Exact product of the normalized significands, in [1, 4).
  w.line("  // Exact significand product in [1,4), the exponent sum and the special cases.");
  const std::string mul = blocks::emitMultiplier(d, PA, PB);
  const std::string product = post ? "prod_raw" : "prod";
  w.wires(WP, {product});
  blocks::instance(w, d, mul, "u_mul", {{"x", "a_sig"}, {"y", "b_sig"}, {"p", product}});
  const std::string expSum = vlog::signExtend("a_exp", ua.expBits, XP) + " + " + vlog::signExtend("b_exp", ub.expBits, XP);
  if (post) {
    // The subnormal operand has n_lz leading zeros, so the product has at least as many: nothing shifts out.
    w.wire("prod", WP, "prod_raw << n_lz");
    w.wire("exp_sum", XP, expSum + " - " + vlog::zeroExtend("n_lz", lzBits, XP));
  } else {
    w.wire("exp_sum", XP, expSum);
  }
  w.wire("sign", 1, "a_sign ^ b_sign");
  const std::string zeroTimesInf = "(a_inf & b_zero) | (a_zero & b_inf)";
  w.wire("res_nan", 1, "a_nan | b_nan | " + zeroTimesInf);
  if (s.flagsPort) w.wire("invalid", 1, "a_snan | b_snan | " + zeroTimesInf);
  w.wire("res_inf", 1, "a_inf | b_inf");
  w.wire("res_zero", 1, "a_zero | b_zero");
  if (!s.flagsPort) w.wire("unused_snan", 1, "a_snan | b_snan");
  w.cut(cutsWanted >= 1);

  w.line("  // The shared round-and-pack block rounds both alignments of the [1,4) product.");
  blocks::instantiateRoundPack(w, d, {roundpack, "rp", WZ, "sign", "exp_sum", "prod", "1'b0",
                                   s.dynamicRounding ? "rm" : "", ""});
  const std::string sign = "sign";
  std::string rounded = "rp_z";
  uint8_t tinyFlags = 0;
  if (share || post) {
    w.line(fmt::format("  wire {}tiny_z = {};", range(WZ), tinyResultExpr(s, sign, s.dynamicRounding ? "rm" : "")));
    rounded = "(both_sub ? tiny_z : rp_z)";
    tinyFlags = tinyResult(s, false, s.round.mode).flags;
  }
  emitFpResultMux(w, s.out, s.round, s.flagsPort,
                  {"res_nan", "invalid", "res_inf", sign, "res_zero", sign, rounded,
                   (share || post) ? fmt::format("both_sub ? {} : ", lit(5, tinyFlags)) : "", false});
  blocks::emitPipelinedOutputs(w, s.flagsPort, cutsWanted, arch.stages, arch.stages > 0);
  return blocks::finishTop(d, w);
}

namespace {

class FmulUnit final : public FpArithUnit<FmulSpec, FmulFastModel, fmulModel, 2> {
 public:
  FmulUnit(FmulSpec spec, Architecture arch, std::string module, std::vector<std::string> args)
      : FpArithUnit(fpDescription, emitFmul, "fmul", std::move(spec), arch, std::move(module), std::move(args)) {}
  std::vector<std::vector<uint32_t>> cornerVectors() const override;
};

std::vector<std::vector<uint32_t>> FmulUnit::cornerVectors() const {
  std::vector<std::pair<uint32_t, uint32_t>> pairs = cornerPairs(s_.a, s_.b);
  const std::vector<uint32_t> cb = formatCorners(s_.b);

  // Boundary pairs: for a spread of b, the a whose product lands on each edge of the output range.
  std::mt19937_64 rng(0x6e66);
  const Format& A = s_.a;
  const Format& B = s_.b;
  const Format& Z = s_.out;
  const double edges[] = {Z.toDouble(Z.maxFiniteMag()),
                          std::ldexp(Z.toDouble(Z.maxFiniteMag()), 0) * (1.0 + std::ldexp(1.0, -Z.manBits - 1)),
                          Z.toDouble(Z.minNormalMag()), Z.toDouble(Z.minSubnormalMag()),
                          Z.toDouble(Z.minSubnormalMag()) / 2, Z.toDouble(Z.minNormalMag()) * (1 - std::ldexp(1.0, -Z.manBits - 2))};
  std::vector<uint32_t> bs;
  for (int i = 0; i < 24; ++i) bs.push_back(uint32_t(rng()) & B.mask());
  for (uint32_t b : cb) bs.push_back(b);
  for (uint32_t b : bs) {
    const double bv = B.toDouble(b);
    if (!std::isfinite(bv) || bv == 0) continue;
    for (double e : edges) {
      for (Rounding r : {Rounding::RTZ, Rounding::RUP}) {
        const Packed a = roundFromDouble(std::fabs(e / bv) * ((b & B.signBit()) ? -1 : 1), A, {r, true, false});
        for (uint32_t an : neighbours(A, a.bits, 2)) {
          pairs.emplace_back(an, b);
          pairs.emplace_back(an ^ A.signBit(), b);
        }
      }
    }
  }
  // Rounding ties: products whose dropped bits are exactly one half, found among sparse significands.
  int ties = 0;
  for (int i = 0; i < 200000 && ties < 256; ++i) {
    const uint32_t a = uint32_t(rng()) & A.mask();
    uint32_t b = uint32_t(rng()) & B.mask();
    b &= ~((1u << B.manBits) - 1u) | (1u << (rng() % std::max(B.manBits, 1)));
    const Decoded da = A.decode(a), db = B.decode(b);
    if (da.cls != FpClass::Normal || db.cls != FpClass::Normal) continue;
    const uint64_t p = da.sig * db.sig;
    const int msb = 63 - __builtin_clzll(p);
    const int E = da.exp + db.exp + msb;
    const int lsbExp = std::max(E, Z.emin()) - Z.manBits;
    const int drop = lsbExp - (da.exp + db.exp);
    if (drop <= 0 || drop > 62) continue;
    if ((p & ((uint64_t(1) << drop) - 1)) == (uint64_t(1) << (drop - 1))) {
      pairs.emplace_back(a, b);
      ++ties;
    }
  }
  return pairVectors(pairs, A, B, s_.dynamicRounding);
}

class FmulFactory final : public FpArithFactory<FmulUnit, FmulSpec> {
 public:
  FmulFactory()
      : FpArithFactory("floating-point multiplier z = round(a * b)", {&FmulSpec::a, &FmulSpec::b, &FmulSpec::out},
                       {"fmul", {{"a", "format of a"}, {"b", "format of b (default: a's)"}}, "format of z (default: a's)",
                        "a", "architecture goal: area (default) or delay"}) {}
};

}  // namespace

NF_REGISTER_OPERATOR(fmul, FmulFactory)

}  // namespace nf
