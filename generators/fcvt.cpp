// fcvt: z = convert(a) between any two formats. Generator, options and corner cases; the model is
// refmodels/fcvt.cpp.
#include "generators/fcvt.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "generators/blocks.h"
#include "generators/emitter_names.h"
#include "generators/instances.h"
#include "generators/common_options.h"
#include "generators/fp_ports.h"
#include "generators/pipeline.h"
#include "generators/unit_base.h"
#include "generators/verilog.h"
#include "generators/fp_ports.h"
#include "refmodels/corners.h"

namespace nf {

using namespace emitter_names;

namespace {


bool isSr(const FcvtSpec& s) { return !s.dynamicRounding && s.round.mode == Rounding::SR; }
bool hasLfsr(const FcvtSpec& s) { return isSr(s) && s.srSource == FcvtSpec::SrSource::Lfsr; }
// Pipelined units and units holding an LFSR have clk, rst, valid_in and valid_out.
bool clocked(const FcvtSpec& s, int stages) { return stages > 0 || hasLfsr(s); }

std::string roundingText(const FcvtSpec& s) {
  if (s.dynamicRounding) return "dynamic (rm port: 0 rne, 1 rtz, 2 rdn, 3 rup, 4 rna, 5 rod, 6-7 rne)";
  if (hasLfsr(s))
    return fmt::format("sr (stochastic: truncate(|a| + sr_bits * 2^(lsb - {})), sr_bits = the top bits of a 32-bit "
                       "xorshift LFSR, seed 0x{:08x}, advancing once per valid input)",
                       s.round.srBits, s.srSeed);
  if (isSr(s) && s.round.srVariant != SrVariant::A)
    return fmt::format("sr (stochastic, IEEE P3109 variant {}: {}, R = {} random bits, eta the fraction below the lsb)",
                       srVariantLetter(s.round.srVariant), srVariantRule(s.round.srVariant), s.round.srBits);
  if (isSr(s))
    return fmt::format("sr (stochastic: truncate(|a| + sr_bits * 2^(lsb - {})), sr_bits from the port)", s.round.srBits);
  return roundingName(s.round.mode);
}

HeaderText header(const FcvtSpec& s, int stages) {
  HeaderText h;
  h.summary = "z = convert(a)";
  h.operands = {{"a", operandText(s.a)}, {"z", operandText(s.out)}};
  h.notes.push_back(fmt::format("Rounding: {}{}{}{}; flags port: {}", roundingText(s), saturationText(s.round),
                                s.round.ftz ? ", flush-to-zero" : "", s.daz ? ", subnormal inputs as zero" : "",
                                s.flagsPort ? "yes" : "no"));
  if (fcvtIsExact(s.a, s.out, s.daz)) h.notes.push_back("Exact: every input value is representable in z.");
  h.notes.push_back(stages || !hasLfsr(s)
                        ? pipelineLatencyNote(stages)
                        : "Latency: 0 (combinational from a and the LFSR state; clk, rst, valid_in, valid_out)");
  return h;
}

// Every nonzero finite input lands in out's normal range with all its bits: a re-bias and a shift.
bool directPack(const FcvtSpec& s) {
  if (!s.out.isFloat() || !s.out.hasZero() || !fcvtIsExact(s.a, s.out, s.daz)) return false;
  if (s.a.kind == FormatKind::Int) return s.out.emin() <= 0;
  const bool sub = s.a.subnormals && !s.daz && s.a.manBits > 0;
  return (sub ? s.a.emin() - s.a.manBits : s.a.emin()) >= s.out.emin();
}

void fcvtPorts(vlog::Writer& w, const FcvtSpec& s, int stages, const std::string& moduleName) {
  const int R = isSr(s) ? s.round.srBits : 0;
  const int WA = s.a.width(), WZ = s.out.width();
  const bool sr = isSr(s);
  w.open(fmt::format("module {} (", moduleName));
  if (clocked(s, stages)) {
    w.line("input  wire clk,");
    w.line("input  wire rst,");
    w.line("input  wire valid_in,");
  }
  w.line(fmt::format("input  wire {}a,", range(WA)));
  if (sr && !hasLfsr(s)) w.line(fmt::format("input  wire {}sr_bits,", range(R)));
  if (s.dynamicRounding) w.line("input  wire [2:0] rm,");
  if (clocked(s, stages)) w.line("output wire valid_out,");
  w.line(fmt::format("output wire {}z{}", range(WZ), s.flagsPort ? "," : ""));
  if (s.flagsPort) w.line("output wire [4:0] flags");
  w.close(");");
}

// The unpacked input a_sign, a_zero, a_inf, a_nan, a_snan, a_sig, a_exp (an integer has no specials; a
// subnormal left raw is presented with exponent emin - 1 where z's emin needs it).
void unpackInput(vlog::Writer& w, const FcvtSpec& s, const blocks::Unpacked& u) {
  const Format& A = s.a;
  const Format& Z = s.out;
  const int P = u.sigBits;
  const bool intIn = A.kind == FormatKind::Int, intOut = Z.kind == FormatKind::Int;
  w.line("  wire a_sign, a_zero, a_inf, a_nan, a_snan;");
  w.line(fmt::format("  wire {}a_sig;", range(P)));
  w.line(fmt::format("  wire {}a_exp;", range(u.expBits)));
  if (intIn) {
    w.line(fmt::format("  {} u_unpack (.x(a), .sign(a_sign), .is_zero(a_zero), .sig(a_sig), .exp(a_exp));", u.module));
    w.line("  assign a_inf = 1'b0;");
    w.line("  assign a_nan = 1'b0;");
    w.line("  assign a_snan = 1'b0;");
  } else {
    // Below z's emin the subnormal can stay as it is (its claimed exponent emin_a is already under z's range);
    // at equal emin it is presented at emin - 1.
    if (!u.normalized && (intOut || A.emin() < Z.emin())) {
      w.line("  wire unused_sub;");
      w.line(fmt::format("  {} u_unpack (.x(a), .sign(a_sign), .is_zero(a_zero), .is_inf(a_inf), .is_nan(a_nan), "
                         ".is_snan(a_snan), .is_sub(unused_sub), .sig(a_sig), .exp(a_exp));",
                         u.module));
    } else if (!u.normalized) {
      w.line("  wire a_sub;");
      w.line(fmt::format("  wire {}a_sig_raw;", range(P)));
      w.line(fmt::format("  wire {}a_exp_raw;", range(u.expBits)));
      w.line(fmt::format("  {} u_unpack (.x(a), .sign(a_sign), .is_zero(a_zero), .is_inf(a_inf), .is_nan(a_nan), "
                         ".is_snan(a_snan), .is_sub(a_sub), .sig(a_sig_raw), .exp(a_exp_raw));",
                         u.module));
      w.line("  // A subnormal (leading bit 0) as the same value with exponent emin - 1: always below z's normal range.");
      w.line(fmt::format("  assign a_sig = a_sub ? {{a_sig_raw[{}:0], 1'b0}} : a_sig_raw;", P - 2));
      w.line(fmt::format("  assign a_exp = a_sub ? {} : a_exp_raw;", vlog::slit(u.expBits, A.emin() - 1)));
      w.line(fmt::format("  wire unused_raw = a_sig_raw[{}];", P - 1));
    } else {
      w.line(fmt::format("  {} u_unpack (.x(a), .sign(a_sign), .is_zero(a_zero), .is_inf(a_inf), .is_nan(a_nan), "
                         ".is_snan(a_snan), .sig(a_sig), .exp(a_exp));",
                         u.module));
    }
  }
}

// Exact: every input is a normal number of z; re-bias the exponent and widen the fraction into core_z.
void emitDirectPack(vlog::Writer& w, const FcvtSpec& s, const blocks::Unpacked& u, const std::string& sign,
                    const std::string& aExp, const std::string& aSig) {
  const Format& Z = s.out;
  const int P = u.sigBits;
  const int EZ = Z.expBits, MZ = Z.manBits, XB = std::max(u.expBits, EZ + 2);
  w.line("  // Exact widening: re-bias the exponent, append zeros to the fraction.");
  w.line(fmt::format("  wire {}z_field = {} + {};", range(XB), vlog::signExtend(aExp, u.expBits, XB),
                     vlog::slit(XB, Z.bias)));
  const std::string frac = P > 1 ? fmt::format("{}[{}:0]", aSig, P - 2) : "";
  std::string man;
  if (MZ == 0) man = "";
  else if (P - 1 == MZ) man = frac;
  else if (P == 1) man = lit(MZ, 0);
  else man = fmt::format("{{{}, {}'d0}}", frac, MZ - (P - 1));
  std::string packed = fmt::format("z_field[{}:0]", EZ - 1) + (man.empty() ? "" : ", " + man);
  if (Z.isSigned) packed = sign + ", " + packed;
  w.line(fmt::format("  assign core_z = {{{}}};", packed));
  w.line(fmt::format("  wire unused_ok = &{{1'b0, z_field[{}:{}], {}[{}]}};", XB - 1, EZ, aSig, P - 1));
  w.line("  assign core_inexact = 1'b0;");
  w.line("  assign core_underflow = 1'b0;");
  w.line("  assign core_overflow = 1'b0;");
  w.line("  assign core_invalid = 1'b0;");
}

// z_c's and flags_c's expressions: the special inputs (NaN, infinities, zero, negatives into an unsigned z),
// then the core result.
std::pair<std::string, std::string> specialResults(vlog::Writer& w, const FcvtSpec& s,
                                                   const std::string& sign) {
  const Format& A = s.a;
  const Format& Z = s.out;
  const int WZ = Z.width();
  const bool intOut = Z.kind == FormatKind::Int;
  const std::string nan = "a_nan", inf = "a_inf", zero = "a_zero";
  std::string zExpr, flagsExpr;
  if (intOut) {
    const int N = Z.intBits;
    const uint64_t posMax = Z.isSigned ? (uint64_t(1) << (N - 1)) - 1 : (uint64_t(1) << N) - 1;
    const uint64_t negMax = Z.isSigned ? uint64_t(1) << (N - 1) : 0;
    w.line("  // NaN gives 0 and infinities the ends of the range, all invalid.");
    zExpr = fmt::format("{} ? {} : {} ? ({} ? {} : {}) : {} ? {} : core_z", nan, lit(WZ, 0), inf, sign, lit(WZ, negMax),
                        lit(WZ, posMax), zero, lit(WZ, 0));
    flagsExpr = fmt::format("({} | {}) ? 5'b10000 : {} ? 5'd0 : {{core_invalid, 3'd0, core_inexact}}", nan, inf, zero);
    w.line("  wire unused_core = core_underflow | core_overflow;");
  } else {
    const std::string infZ = blocks::infinityResultExpr(Z, s.round.saturate, sign);
    const std::string infF = lit(5, blocks::infinityResultFlags(Z, s.round.saturate));
    const std::string zeroZ = Z.hasZero() ? blocks::zeroResultExpr(Z, sign) : bits(WZ, Z.minNormalMag());
    const std::string zeroF = Z.hasZero() ? "5'd0" : lit(5, kFlagUnderflow | kFlagInexact);
    const std::string nanF = fmt::format("{{{}, 4'd0}}", "a_snan");
    const std::string coreF = "{core_invalid, 1'b0, core_overflow, core_underflow, core_inexact}";
    if (A.isSigned && !Z.isSigned && Z.isP3109()) {
      // P3109 v4.0: a negative value (or -Inf) is NaN, except under rtz and rup, which give 0; a negative value
      // that rounds to zero is 0 (the round block rounds it with its sign: rdn away from zero, rup toward).
      const std::string towardPositive =
          s.dynamicRounding ? fmt::format("(({0} == 3'd1) | ({0} == 3'd3))", "rm")
          : s.round.mode == Rounding::RTZ || s.round.mode == Rounding::RUP ? "1'b1"
                                                                            : "1'b0";
      w.line(fmt::format("  wire negative = {} & ~{} & ~{};", sign, zero, nan));
      w.line(fmt::format("  wire toward_positive = {};", towardPositive));
      w.line(fmt::format("  wire neg_rounds_to_zero = ~{} & ~core_overflow & (core_z == {});", inf, lit(WZ, 0)));
      zExpr = fmt::format("{} ? {} : negative ? ((toward_positive | neg_rounds_to_zero) ? {} : {}) : {} ? {} : {} ? {} : core_z",
                          nan, blocks::nanResultExpr(Z), lit(WZ, 0), blocks::nanResultExpr(Z), inf, infZ, zero, zeroZ);
      flagsExpr = fmt::format("{} ? {} : negative ? (toward_positive ? 5'd1 : neg_rounds_to_zero ? {} : 5'b10000) : {} ? {} : "
                              "{} ? {} : {}",
                              nan, nanF, coreF, inf, infF, zero, zeroF, coreF);
    } else if (A.isSigned && !Z.isSigned) {
      // z holds no negative value: NaN where it has one (else 0), invalid.
      const std::string negZ = Z.hasNaN() ? blocks::nanResultExpr(Z) : lit(WZ, 0);
      w.line(fmt::format("  wire negative = {} & ~{} & ~{};", sign, zero, nan));
      zExpr = fmt::format("{} ? {} : negative ? {} : {} ? {} : {} ? {} : core_z", nan, blocks::nanResultExpr(Z), negZ,
                          inf, infZ, zero, zeroZ);
      flagsExpr = fmt::format("{} ? {} : negative ? 5'b10000 : {} ? {} : {} ? {} : {}", nan, nanF, inf, infF, zero,
                              zeroF, coreF);
    } else {
      zExpr = fmt::format("{} ? {} : {} ? {} : {} ? {} : core_z", nan, blocks::nanResultExpr(Z), inf, infZ, zero, zeroZ);
      flagsExpr = fmt::format("{} ? {} : {} ? {} : {} ? {} : {}", nan, nanF, inf, infF, zero, zeroF, coreF);
    }
  }
  return {zExpr, flagsExpr};
}

}  // namespace

GeneratedModule emitFcvt(const FcvtSpec& s, const Architecture& arch, const std::string& moduleName,
                         const std::string& command) {
  Design d(moduleName);
  const Format& A = s.a;
  const Format& Z = s.out;
  const bool sr = isSr(s);
  const int R = sr ? s.round.srBits : 0;
  const int WZ = Z.width();
  const bool intIn = A.kind == FormatKind::Int, intOut = Z.kind == FormatKind::Int;
  // A subnormal input need not be normalized when, read as sig * 2^(exp - P + 1) with its leading zeros, it
  // lands where the rounding only shifts it: onto an integer grid, or below a float z's normal range (z's emin
  // at least a's: the subnormal is then presented with exponent emin - 1, where round-and-pack denormalizes
  // whatever the leading bit). Skipping the normalizer saves its area and delay.
  const bool rawSub = !intIn && A.subnormals && !s.daz && A.manBits > 0 && !A.zeroExpIsNormal &&
                      (intOut || A.emin() <= Z.emin()) && !directPack(s);
  const blocks::Unpacked u = intIn ? blocks::emitUnpackInt(d, A) : blocks::emitUnpack(d, A, s.daz, !rawSub);
  const int P = u.sigBits;

  d.setHeader(headerComment(moduleName, "fcvt", header(s, arch.stages), command));
  vlog::Writer w;
  fcvtPorts(w, s, arch.stages, moduleName);

  w.pipeline(true);
  if (hasLfsr(s)) {
    w.line("  // Random bits: a 32-bit xorshift LFSR (13, 17, 5), reset to the seed, advancing once per valid input.");
    blocks::emitXorshiftLfsr(w, "lfsr", s.srSeed, "valid_in");
    w.line(fmt::format("  wire {}sr_bits = lfsr[31:{}];", range(R), 32 - R));
  }
  unpackInput(w, s, u);
  // Integer results flag every NaN alike, so signaling-ness only matters for float results with flags.
  if (!s.flagsPort || intOut) w.line("  wire unused_snan = a_snan;");
  const int cutsWanted = arch.stages > 0 ? std::min(arch.stages - 1, 1) : 0;
  w.cut(cutsWanted >= 1);

  const std::string sign = "a_sign";
  w.line(fmt::format("  wire {}core_z;", range(WZ)));
  w.line("  wire core_inexact, core_underflow, core_overflow, core_invalid;");
  if (intOut) {
    blocks::RoundIntParams rp;
    rp.out = Z;
    rp.expBits = u.expBits;
    rp.sigBits = P;
    rp.rounding = {s.dynamicRounding, s.round.mode};
    rp.srBits = R;
    const std::string ri = blocks::emitRoundToInt(d, rp);
    w.line(fmt::format("  {} u_round (.sign({}), .exp({}), .sig({}),{}{} .z(core_z), .inexact(core_inexact), "
                       ".invalid(core_invalid));",
                       ri, sign, "a_exp", "a_sig", s.dynamicRounding ? fmt::format(" .rm({}),", "rm") : "",
                       sr ? fmt::format(" .sr({}),", "sr_bits") : ""));
    w.line("  assign core_underflow = 1'b0;");
    w.line("  assign core_overflow = 1'b0;");
  } else if (directPack(s)) {
    emitDirectPack(w, s, u, sign, "a_exp", "a_sig");
  } else {
    const int XP = std::max(vlog::signedBitsFor(std::min(u.expMin, Z.emin() - 1) - 1, std::max(u.expMax, Z.emax() + 1) + 1),
                            u.expBits);
    blocks::RoundPackParams rp = blocks::roundPackParams(Z, s.round, s.dynamicRounding, XP, P, u.expMin, u.expMax);
    rp.srBits = R;
    rp.srVariant = s.round.srVariant;
    const std::string roundpack = blocks::emitRoundPack(d, rp);
    blocks::instantiateRoundPack(w, d, {roundpack, "core", 0, sign, vlog::signExtend("a_exp", u.expBits, XP),
                                     "a_sig", "1'b0", s.dynamicRounding ? "rm" : "", sr ? "sr_bits" : ""});
    w.line("  assign core_invalid = 1'b0;");
  }

  // Special inputs, then the core result.
  const auto [zExpr, flagsExpr] = specialResults(w, s, sign);
  w.line(fmt::format("  wire {}z_c = {};", range(WZ), zExpr));
  if (s.flagsPort) {
    w.line(fmt::format("  wire [4:0] flags_c = {};", flagsExpr));
  } else {
    w.line("  wire unused_flags = core_inexact | core_underflow | core_overflow | core_invalid;");
  }
  blocks::emitPipelinedOutputs(w, s.flagsPort, cutsWanted, arch.stages, clocked(s, arch.stages));
  return blocks::finishTop(d, w);
}

namespace {

class FcvtUnit final : public OperatorUnit<FcvtSpec> {
 public:
  FcvtUnit(FcvtSpec spec, Architecture arch, std::string module, std::vector<std::string> args)
      : OperatorUnit("fcvt", std::move(spec), arch, std::move(module), std::move(args)), fast_(s_) {
    in_ = {{"a", s_.a.width(), s_.a}};
    if (isSr(s_) && !hasLfsr(s_)) in_.push_back({"sr_bits", s_.round.srBits, std::nullopt});
    if (s_.dynamicRounding) in_.push_back({"rm", 3, std::nullopt});
    out_ = {{"z", s_.out.width(), s_.out}};
    if (s_.flagsPort) out_.push_back({"flags", 5, std::nullopt});
  }
  std::optional<Format> resultFormat() const override {
    return s_.out.isFloat() ? std::optional<Format>(s_.out) : std::nullopt;
  }
  GeneratedModule emitVerilog(const std::string& command) const override {
    return emitFcvt(s_, arch_, moduleName(), command);
  }
  void describe(nlohmann::json& j) const override {
    j["function"] = "z = convert(a)";
    j["formats"] = {{"a", s_.a.name}, {"out", s_.out.name}};
    describeRounding(j, s_.dynamicRounding, s_.round, s_.flagsPort);
    if (isSr(s_)) j["sr_bits"] = s_.round.srBits;
    if (isSr(s_)) j["sr_source"] = hasLfsr(s_) ? "lfsr" : "port";
    if (hasLfsr(s_)) j["sr_seed"] = s_.srSeed;
    j["daz"] = s_.daz;
    j["exact"] = fcvtIsExact(s_.a, s_.out, s_.daz);
  }

  bool stateful() const override { return hasLfsr(s_); }
  // The LFSR unit: each valid input reads the LFSR's top bits, then the LFSR advances.
  class Stream final : public StreamModel {
   public:
    explicit Stream(const FcvtSpec& s) : s_(s), lfsr_(s.srSeed) {}
    void step(const uint32_t* in, uint32_t* out) override {
      const Packed r = fcvtModel(s_, in[0], Rounding::SR, lfsr_.bits(s_.round.srBits));
      lfsr_.step();
      out[0] = r.bits;
      if (s_.flagsPort) out[1] = r.flags;
    }

   private:
    FcvtSpec s_;
    SrLfsr lfsr_;
  };
  std::unique_ptr<StreamModel> streamModel() const override {
    return hasLfsr(s_) ? std::make_unique<Stream>(s_) : nullptr;
  }

  void emulate(const uint32_t* in, uint32_t* out) const override {
    if (hasLfsr(s_)) return Stream(s_).step(in, out);  // the first input after reset
    const Rounding mode = s_.dynamicRounding ? roundingFromPort(in[1]) : s_.round.mode;
    const Packed r = fast_(in[0], mode, isSr(s_) ? in[1] : 0u);
    out[0] = r.bits;
    if (s_.flagsPort) out[1] = r.flags;
  }

  std::vector<std::vector<uint32_t>> cornerVectors() const override;

 private:
  FcvtFastModel fast_;
};

std::vector<std::vector<uint32_t>> FcvtUnit::cornerVectors() const {
  const Format& A = s_.a;
  const Format& Z = s_.out;
  std::vector<uint32_t> as = formatCorners(A);
  std::mt19937_64 rng(0x66637674);
  if (A.isFloat()) {
    // Inputs on and around z's edges: max finite, the overflow threshold, min normal, min subnormal and half
    // of it, and midpoints between neighbouring z values (rounding ties).
    std::vector<double> edges;
    if (Z.isFloat()) {
      const double maxZ = Z.toDouble(Z.maxFiniteMag());
      edges = {maxZ, maxZ * (1.0 + std::ldexp(1.0, -Z.manBits - 1)), Z.toDouble(Z.minNormalMag()),
               Z.toDouble(Z.minSubnormalMag()), Z.toDouble(Z.minSubnormalMag()) / 2,
               Z.toDouble(Z.minNormalMag()) * (1 - std::ldexp(1.0, -Z.manBits - 2))};
      for (int i = 0; i < 64; ++i) {
        const uint32_t z = uint32_t(rng()) & Z.magMask();
        const uint32_t zn = z + 1u;
        if (zn > Z.maxFiniteMag()) continue;
        edges.push_back((Z.toDouble(z) + Z.toDouble(zn)) / 2);
      }
    } else {
      const int N = Z.intBits;
      const double hi = Z.isSigned ? std::ldexp(1.0, N - 1) : std::ldexp(1.0, N);
      edges = {hi - 1, hi - 0.5, hi, hi + 0.5, 0.5, 1.5, 2.5, 0.25, 0.75};
      for (int i = 0; i < 32; ++i) edges.push_back(double(rng() % uint64_t(hi)) + 0.5);
    }
    for (double e : edges) {
      if (!std::isfinite(e) || e == 0) continue;
      for (Rounding r : {Rounding::RTZ, Rounding::RUP}) {
        const Packed a = roundFromDouble(e, A, {r, true, false});
        for (uint32_t an : neighbours(A, a.bits, 2)) {
          as.push_back(an);
          if (A.isSigned) as.push_back(an ^ A.signBit());
        }
      }
    }
  }
  std::vector<std::vector<uint32_t>> v;
  const bool sr = isSr(s_);
  const uint32_t srMask = sr ? uint32_t((uint64_t(1) << s_.round.srBits) - 1u) : 0u;
  for (uint32_t a : as) {
    a &= A.mask();
    if (s_.dynamicRounding) {
      for (uint32_t m = 0; m < 8; ++m) v.push_back({a, m});
    } else if (sr && !hasLfsr(s_)) {
      for (uint32_t r : {0u, srMask, srMask >> 1, (srMask >> 1) + 1u, uint32_t(rng()) & srMask}) v.push_back({a, r & srMask});
    } else {
      v.push_back({a});
    }
  }
  return v;
}

class FcvtFactory final : public OperatorFactory {
 public:
  std::string name() const override { return "fcvt"; }
  std::string summary() const override { return "format conversion z = convert(a), any format to any format"; }
  void addOptions(CLI::App& cmd) override {
    cmd.add_option("--a", a_, "format of a")->required();
    cmd.add_option("--out", out_, "format of z")->required();
    sr_.add(cmd, "16, or a's significand width when smaller");
    sr_.addVariant(cmd);
    common_.add(cmd);
    common_.addSaturationModes(cmd);
  }
  std::unique_ptr<Unit> build() const override {
    const bool sr = common_.round == "sr";
    CommonFpOptions check = common_;
    if (sr) check.round = "rne";
    static const std::vector<std::string> modes = {"rne", "rtz", "rup", "rdn", "rna", "rod", "dyn", "sr"};
    if (std::find(modes.begin(), modes.end(), common_.round) == modes.end())
      throw UsageError(fmt::format("bad --round '{}'; accepted: {}, dyn, sr", common_.round, roundingChoices()));
    check.validate();
    FcvtSpec s;
    s.a = formatOption("--a", a_);
    s.out = formatOption("--out", out_);
    if (sr) {
      s.round.mode = Rounding::SR;
    } else {
      const blocks::RoundingSel r = check.rounding();
      s.dynamicRounding = r.dynamic;
      s.round.mode = r.mode;
    }
    common_.applySaturation(s.round);
    s.round.ftz = common_.ftz;
    s.daz = common_.daz;
    s.flagsPort = common_.flags;
    Architecture arch;
    arch.stages = common_.stages;
    if (sr && fcvtIsExact(s.a, s.out, s.daz))
      throw UsageError(fmt::format("--round sr: converting {} to {} is exact (every value is representable), so "
                                   "there is nothing to round; accepted: a narrowing conversion, or --round rne",
                                   s.a.name, s.out.name));
    const SrOptions::Settings srs = sr_.resolve(sr, common_.round, fcvtDefaultSrBits(s.a));
    s.round.srBits = srs.bits;
    s.round.srVariant = srs.variant;
    s.srSource = srs.source;
    s.srSeed = srs.seed;
    std::vector<std::string> args = {"--a", s.a.name, "--out", s.out.name};
    common_.appendArgs(args);
    if (sr) SrOptions::appendArgs(srs, args);
    std::string module = common_.name;
    if (module.empty()) {
      std::string suffix = common_.nameSuffix();  // starts with "_<round>"
      if (sr) suffix.replace(0, 3, SrOptions::nameTag(srs));
      module = "fcvt_" + s.a.tag() + "_" + s.out.tag() + suffix;
    }
    return std::make_unique<FcvtUnit>(std::move(s), arch, module, std::move(args));
  }

 private:
  std::string a_, out_;
  SrOptions sr_;
  CommonFpOptions common_;
};

}  // namespace

NF_REGISTER_OPERATOR(fcvt, FcvtFactory)

const FcvtSpec* fcvtSpecOf(const Unit& unit) { return specOf<FcvtUnit>(unit); }

}  // namespace nf
