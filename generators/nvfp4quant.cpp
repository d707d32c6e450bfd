// nvfp4quant / nvfp4dequant: NVIDIA NVFP4 (16 E2M1 elements + a UE4M3 block scale + an fp32 tensor scale).
// Generators, options and stimulus; the models are refmodels/nvfp4quant.cpp and refmodels/nvfp4dequant.cpp.
#include "generators/nvfp4quant.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "generators/blocks.h"
#include "generators/common_options.h"
#include "generators/mxquant.h"
#include "generators/verilog.h"
#include "refmodels/corners.h"
#include "refmodels/quant_stats.h"

namespace nf {

namespace {

using blocks::Design;
using vlog::lit;
using vlog::range;
using vlog::slit;

const char* kVersion = "numforge 0.1";
constexpr int K = kNvfp4Block;

struct Operand {
  std::string sign, zero, inf, nan, sig, exp;
};

// Instantiates an unpack block for `port` and declares its outputs as <prefix>_sign, ... .
Operand unpackPort(vlog::Writer& w, const blocks::Unpacked& u, const std::string& port, const std::string& p,
                   std::string& sink) {
  w.line(fmt::format("  wire {0}_sign, {0}_zero, {0}_inf, {0}_nan, {0}_snan;", p));
  w.line(fmt::format("  wire {}{}_sig;", range(u.sigBits), p));
  w.line(fmt::format("  wire {}{}_exp;", range(u.expBits), p));
  w.line(fmt::format("  {0} u_unpack_{1} (.x({2}), .sign({1}_sign), .is_zero({1}_zero), .is_inf({1}_inf), "
                     ".is_nan({1}_nan), .is_snan({1}_snan), .sig({1}_sig), .exp({1}_exp));",
                     u.module, p, port));
  sink += fmt::format(", {}_snan", p);
  return {p + "_sign", p + "_zero", p + "_inf", p + "_nan", p + "_sig", p + "_exp"};
}

// The exact product of the block scale's and the tensor scale's significands (both in [1,2)), normalized to
// [1,2) in `name` (sb + st bits) with `name`_hi = 1 when the product reached [2,4). Shared by both operators.
void scaleProduct(Design& d, vlog::Writer& w, const std::string& name, const std::string& sSig, int sb,
                  const std::string& tSig, int st) {
  const std::string mul = blocks::emitMultiplier(d, sb, st);
  const int W = sb + st;
  w.line(fmt::format("  wire {}{}_p;", range(W), name));
  w.line(fmt::format("  {} u_{}_mul (.x({}), .y({}), .p({}_p));", mul, name, sSig, tSig, name));
  w.line(fmt::format("  wire {}_hi = {}_p[{}];", name, name, W - 1));
  w.line(fmt::format("  wire {0}{1} = {1}_hi ? {1}_p : {{{1}_p[{2}:0], 1'b0}};", range(W), name, W - 2));
}

blocks::RoundPackParams roundParams(const Format& out, int expBits, int sigBits, Rounding mode, bool saturate) {
  blocks::RoundPackParams rp;
  rp.out = out;
  rp.expBits = expBits;
  rp.sigBits = sigBits;
  rp.leadingBitMayBeZero = true;
  rp.rounding = {false, mode};
  rp.saturate = saturate;
  return rp;
}

}  // namespace

GeneratedModule emitNvfp4Quant(const Nvfp4QuantSpec& s, const std::string& moduleName, const std::string& command) {
  Design d(moduleName);
  const Format& A = s.in;
  const Format& Q = s.elem;
  const Format& S = s.scale;
  const Format& T = s.tensorScale;
  const blocks::Unpacked ua = blocks::emitUnpack(d, A, false, true, false);
  const blocks::Unpacked ut = blocks::emitUnpack(d, T, false, true, false);
  const blocks::Unpacked us = blocks::emitUnpack(d, S, false, true, false);
  const int P = ua.sigBits, PT = ut.sigBits, PS = us.sigBits;
  // Element and scale quotients keep M + 3 bits from 2^0: the leading bit at 2^0 or 2^-1, M more, a round bit.
  const int qScaleBits = S.manBits + 3, qElemBits = Q.manBits + 3;
  // Nonzero magnitudes as {exponent + offset, significand}: unsigned compares order them, 0 is a zero.
  const int eOff = ua.expMin - 1;
  const int EW = vlog::bitsFor(uint64_t(ua.expMax - eOff));
  const int KW = EW + P;
  // 6 t = 3 t_sig 2^(t_exp + 1): 3 t_sig has PT + 2 bits.
  const int D3 = PT + 2;
  // amax / (6 t) = Q 2^(ea - et - 2 - hi), Q in (1/2, 2); the round block takes the exponent of Q's 2^-1 bit.
  const int XS = vlog::signedBitsFor(int64_t(ua.expMin) - ut.expMax - 4, int64_t(ua.expMax) - ut.expMin - 3);
  // x / (s_b t) = Q 2^(ex - es - et - hi2), Q in (1/2, 2); likewise less one.
  const int XR = vlog::signedBitsFor(int64_t(ua.expMin) - us.expMax - ut.expMax - 2,
                                     int64_t(ua.expMax) - us.expMin - ut.expMin - 1);
  const std::string maxTree = blocks::emitMaxTree(d, K, KW);
  const std::string scaleDiv = blocks::emitDivider(d, P, D3, qScaleBits);
  const std::string elemDiv = blocks::emitDivider(d, P, PS + PT, qElemBits);
  blocks::RoundPackParams scaleRp = roundParams(S, XS, qScaleBits, Rounding::RNE, true);
  scaleRp.nameSuffix = "_scale";
  const std::string scaleRound = blocks::emitRoundPack(d, scaleRp);
  const std::string elemRound = blocks::emitRoundPack(d, roundParams(Q, XR, qElemBits, s.mode, true));

  vlog::Writer h;
  h.line(fmt::format("// {}: nvfp4quant  NVIDIA NVFP4 block quantizer, {} values -> UE4M3 block scale + {} E2M1", moduleName,
                     K, K));
  h.line(fmt::format("// x:            {} ({})", A.name, A.describe()));
  h.line(fmt::format("// tensor_scale: {} ({}), the per-tensor decode scale t > 0", T.name, T.describe()));
  h.line(fmt::format("// scale:        {} ({}) = RNE(amax / (6 t)), satfinite; 2^-9 if that rounds to 0", S.name,
                     S.describe()));
  h.line(fmt::format("// q:            {} ({}) = round(x_i / (scale * t)), exact quotient, satfinite", Q.name, Q.describe()));
  h.line("// Zero block: scale 0, signed-zero elements. NaN/Inf in the block, or t not positive finite: scale 0x7F");
  h.line("// (NaN), elements 0.");
  h.line(fmt::format("// Rounding: {} (elements; the scale always rne)", roundingName(s.mode)));
  h.line("// Latency: 0 (combinational)");
  h.line("// Command: " + command);
  h.line(fmt::format("// Generated by {}; Verilog-2005.", kVersion));
  d.setHeader(h.str());

  vlog::Writer w;
  w.open(fmt::format("module {} (", moduleName));
  w.line(fmt::format("input  wire {}tensor_scale,", range(T.width())));
  for (int i = 0; i < K; ++i) w.line(fmt::format("input  wire {}x{},", range(A.width()), i));
  w.line(fmt::format("output wire {}scale,", range(S.width())));
  for (int i = 0; i < K; ++i) w.line(fmt::format("output wire {}q{}{}", range(Q.width()), i, i + 1 < K ? "," : ""));
  w.close(");");
  std::string sink;
  const Operand t = unpackPort(w, ut, "tensor_scale", "t", sink);
  w.line(fmt::format("  wire t_bad = {} | {} | {} | {};", t.sign, t.zero, t.inf, t.nan));
  std::string special = "t_bad", keys;
  for (int i = 0; i < K; ++i) {
    const Operand x = unpackPort(w, ua, fmt::format("x{}", i), fmt::format("x{}", i), sink);
    const std::string expW = EW <= ua.expBits ? fmt::format("{}[{}:0]", x.exp, EW - 1) : vlog::signExtend(x.exp, ua.expBits, EW);
    w.line(fmt::format("  wire {}k{} = {} ? {} : {{{} - {}, {}}};", range(KW), i, x.zero, lit(KW, 0), expW,
                       lit(EW, uint64_t(int64_t(eOff) & ((int64_t(1) << EW) - 1))), x.sig));
    if (EW < ua.expBits) sink += fmt::format(", {}[{}:{}]", x.exp, ua.expBits - 1, EW);
    special += fmt::format(" | {} | {}", x.nan, x.inf);
    keys += fmt::format(", .k{0}(k{0})", i);
  }
  w.line("  wire special = " + special + ";");
  w.line("  // amax: the largest magnitude, exactly.");
  w.line(fmt::format("  wire {}amax;", range(KW)));
  w.line(fmt::format("  {} u_amax ({}, .m(amax));", maxTree, keys.substr(2)));
  w.line(fmt::format("  wire all_zero = (amax[{}:{}] == {});", KW - 1, P, lit(EW, 0)));
  w.line("  // Block scale: amax / (6 t) by a restoring divider on the significands, rounded once (rne, satfinite).");
  w.line(fmt::format("  wire {}t3 = {{{}, 1'b0}} + {};", range(D3), vlog::zeroExtend(t.sig, PT, D3 - 1),
                     vlog::zeroExtend(t.sig, PT, D3)));
  w.line(fmt::format("  wire t3_hi = t3[{}];", D3 - 1));
  w.line(fmt::format("  wire {}t3_n = t3_hi ? t3 : {{t3[{}:0], 1'b0}};", range(D3), D3 - 2));
  w.line(fmt::format("  wire {}sq;", range(qScaleBits)));
  w.line("  wire sq_sticky;");
  w.line(fmt::format("  {} u_scale_div (.n(amax[{}:0]), .dv(t3_n), .q(sq), .sticky(sq_sticky));", scaleDiv, P - 1));
  w.line(fmt::format("  wire {}sq_exp = {} + {} - {} - {};", range(XS),
                     vlog::zeroExtend(fmt::format("amax[{}:{}]", KW - 1, P), EW, XS), slit(XS, int64_t(eOff) - 3),
                     vlog::signExtend(t.exp, ut.expBits, XS), vlog::zeroExtend("t3_hi", 1, XS)));
  w.line(fmt::format("  wire {}sr;", range(S.width())));
  w.line("  wire [2:0] sr_flags;");
  w.line(fmt::format("  {} u_scale_round (.sign(1'b0), .exp(sq_exp), .sig(sq), .sticky_in(sq_sticky), .z(sr), "
                     ".inexact(sr_flags[0]), .underflow(sr_flags[1]), .overflow(sr_flags[2]));",
                     scaleRound));
  sink += ", sr_flags";
  w.line(fmt::format("  wire {0}sb = (sr == {1}) ? {2} : sr;", range(S.width()), lit(S.width(), 0),
                     lit(S.width(), S.minSubnormalMag())));
  w.line(fmt::format("  assign scale = special ? {} : all_zero ? {} : sb;", lit(S.width(), S.canonicalNaN()),
                     lit(S.width(), 0)));
  w.line("  // Elements: x_i / (sb * t), the divisor the exact product of the two significands.");
  const Operand sb = unpackPort(w, us, "sb", "s", sink);
  sink += fmt::format(", {}, {}, {}, {}", sb.sign, sb.zero, sb.inf, sb.nan);
  scaleProduct(d, w, "dvs", sb.sig, PS, t.sig, PT);
  w.line(fmt::format("  wire {}dvs_exp = {} + {} + {};", range(XR), vlog::signExtend(sb.exp, us.expBits, XR),
                     vlog::signExtend(t.exp, ut.expBits, XR), vlog::zeroExtend("dvs_hi", 1, XR)));
  for (int i = 0; i < K; ++i) {
    w.line(fmt::format("  wire {}eq{};", range(qElemBits), i));
    w.line(fmt::format("  wire eq{}_sticky;", i));
    w.line(fmt::format("  {0} u_div_{1} (.n(x{1}_sig), .dv(dvs), .q(eq{1}), .sticky(eq{1}_sticky));", elemDiv, i));
    w.line(fmt::format("  wire {}eq{}_exp = {} - dvs_exp - {};", range(XR), i, vlog::signExtend(fmt::format("x{}_exp", i), ua.expBits, XR),
                       lit(XR, 1)));
    w.line(fmt::format("  wire {}r{};", range(Q.width()), i));
    w.line(fmt::format("  wire [2:0] r{}_flags;", i));
    w.line(fmt::format("  {0} u_round_{1} (.sign(x{1}_sign), .exp(eq{1}_exp), .sig(eq{1}), .sticky_in(eq{1}_sticky), "
                       ".z(r{1}), .inexact(r{1}_flags[0]), .underflow(r{1}_flags[1]), .overflow(r{1}_flags[2]));",
                       elemRound, i));
    sink += fmt::format(", r{}_flags", i);
    w.line(fmt::format("  assign q{0} = special ? {1} : x{0}_zero ? {2} : r{0};", i, lit(Q.width(), 0),
                       blocks::zeroResultExpr(Q, fmt::format("x{}_sign", i))));
  }
  w.line("  wire unused_ok = &{1'b0" + sink + "};");
  w.line("endmodule");
  d.add(moduleName, w.str());
  GeneratedModule m;
  m.name = moduleName;
  m.verilog = d.text();
  return m;
}

GeneratedModule emitNvfp4Dequant(const Nvfp4DequantSpec& s, const std::string& moduleName, const std::string& command) {
  Design d(moduleName);
  const Format& Q = s.elem;
  const Format& S = s.scale;
  const Format& T = s.tensorScale;
  const Format& Z = s.out;
  const blocks::Unpacked uq = blocks::emitUnpack(d, Q, false, true, false);
  const blocks::Unpacked ut = blocks::emitUnpack(d, T, false, true, false);
  const blocks::Unpacked us = blocks::emitUnpack(d, S, false, true, false);
  const int PQ = uq.sigBits, PT = ut.sigBits, PS = us.sigBits;
  // z = q s t: significands multiply to [1,4) (the scale product normalized first), exponents add.
  const int XR = vlog::signedBitsFor(int64_t(uq.expMin) + us.expMin + ut.expMin,
                                     int64_t(uq.expMax) + us.expMax + ut.expMax + 1);
  const std::string mul = blocks::emitMultiplier(d, PS + PT, PQ);
  blocks::RoundPackParams rp = roundParams(Z, XR, PS + PT + PQ, s.mode, false);
  const std::string round = blocks::emitRoundPack(d, rp);

  vlog::Writer h;
  h.line(fmt::format("// {}: nvfp4dequant  NVIDIA NVFP4 block -> {} values: z_i = q_i * scale * tensor_scale", moduleName, K));
  h.line(fmt::format("// q:            {} ({})", Q.name, Q.describe()));
  h.line(fmt::format("// scale:        {} ({}); 0x7F (NaN) makes every z_i NaN", S.name, S.describe()));
  h.line(fmt::format("// tensor_scale: {} ({})", T.name, T.describe()));
  h.line(fmt::format("// z:            {} ({}), the exact product rounded once; IEEE specials", Z.name, Z.describe()));
  h.line(fmt::format("// Rounding: {}", roundingName(s.mode)));
  h.line("// Latency: 0 (combinational)");
  h.line("// Command: " + command);
  h.line(fmt::format("// Generated by {}; Verilog-2005.", kVersion));
  d.setHeader(h.str());

  vlog::Writer w;
  w.open(fmt::format("module {} (", moduleName));
  w.line(fmt::format("input  wire {}tensor_scale,", range(T.width())));
  w.line(fmt::format("input  wire {}scale,", range(S.width())));
  for (int i = 0; i < K; ++i) w.line(fmt::format("input  wire {}q{},", range(Q.width()), i));
  for (int i = 0; i < K; ++i) w.line(fmt::format("output wire {}z{}{}", range(Z.width()), i, i + 1 < K ? "," : ""));
  w.close(");");
  std::string sink;
  const Operand t = unpackPort(w, ut, "tensor_scale", "t", sink);
  const Operand sc = unpackPort(w, us, "scale", "s", sink);
  sink += fmt::format(", {}, {}", sc.sign, sc.inf);
  scaleProduct(d, w, "st", sc.sig, PS, t.sig, PT);
  w.line(fmt::format("  wire {}st_exp = {} + {} + {};", range(XR), vlog::signExtend(sc.exp, us.expBits, XR),
                     vlog::signExtend(t.exp, ut.expBits, XR), vlog::zeroExtend("st_hi", 1, XR)));
  for (int i = 0; i < K; ++i) {
    const Operand q = unpackPort(w, uq, fmt::format("q{}", i), fmt::format("e{}", i), sink);
    sink += fmt::format(", {}, {}", q.inf, q.nan);  // E2M1 has neither
    w.line(fmt::format("  wire {}p{};", range(PS + PT + PQ), i));
    w.line(fmt::format("  {0} u_mul_{1} (.x(st), .y({2}), .p(p{1}));", mul, i, q.sig));
    w.line(fmt::format("  wire {}p{}_exp = st_exp + {};", range(XR), i, vlog::signExtend(q.exp, uq.expBits, XR)));
    w.line(fmt::format("  wire z{}_sign = {} ^ {};", i, q.sign, t.sign));
    w.line(fmt::format("  wire {}r{};", range(Z.width()), i));
    w.line(fmt::format("  wire [2:0] r{}_flags;", i));
    w.line(fmt::format("  {0} u_round_{1} (.sign(z{1}_sign), .exp(p{1}_exp), .sig(p{1}), .sticky_in(1'b0), .z(r{1}), "
                       ".inexact(r{1}_flags[0]), .underflow(r{1}_flags[1]), .overflow(r{1}_flags[2]));",
                       round, i));
    sink += fmt::format(", r{}_flags", i);
    const std::string sign = fmt::format("z{}_sign", i), zero = fmt::format("({} | {})", q.zero, sc.zero);
    w.line(fmt::format("  assign z{0} = ({1} | {2} | ({3} & {4})) ? {5} : {3} ? {6} : ({4} | {7}) ? {8} : r{0};", i,
                       sc.nan, t.nan, t.inf, zero, blocks::nanResultExpr(Z), blocks::infinityResultExpr(Z, false, sign),
                       t.zero, blocks::zeroResultExpr(Z, sign)));
  }
  w.line("  wire unused_ok = &{1'b0" + sink + "};");
  w.line("endmodule");
  d.add(moduleName, w.str());
  GeneratedModule m;
  m.name = moduleName;
  m.verilog = d.text();
  return m;
}

std::vector<std::vector<uint32_t>> nvfp4QuantStimulus(const Format& A, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const Format fp32 = parseFormat("fp32");
  const RoundOptions rne{Rounding::RNE, false, false};
  auto enc = [&](double x) { return roundFromDouble(x, A, rne).bits; };
  auto f32 = [&](double x) { return roundFromDouble(x, fp32, rne).bits; };
  auto amaxOf = [&](const std::vector<uint32_t>& b) {
    double m = 0;
    for (uint32_t x : b) m = std::max(m, std::fabs(A.toDouble(x)));
    return m;
  };
  std::vector<std::vector<uint32_t>> v;
  auto push = [&](uint32_t t, const std::vector<uint32_t>& b) {
    std::vector<uint32_t> vec = {t};
    vec.insert(vec.end(), b.begin(), b.end());
    v.push_back(std::move(vec));
  };
  const auto blocks = quantizerStimulus(A, K, 2, 1, kNvfp4ElemMax, seed);
  const std::vector<uint32_t> tCorners = formatCorners(fp32);
  for (size_t n = 0; n < blocks.size(); ++n) {
    const auto& b = blocks[n];
    const double amax = amaxOf(b);
    const uint32_t t = perTensorScaleFp32(amax, kNvfp4TensorDivisor);
    push(t, b);  // s_b = 448 at amax: the recipe's tensor scale for a one-block tensor
    // Tensor scales putting amax / (6 t) anywhere from far below 2^-9 to far above 448, random mantissas.
    const double r = std::ldexp(1.0 + double(rng() % 1024) / 1024, int(rng() % 40) - 24);
    push(std::isfinite(amax) && amax > 0 ? f32(amax / 6 / r) : t, b);
    if (n % 8 == 0) push(tCorners[rng() % tCorners.size()], b);
  }
  // Every fp32 corner as the tensor scale of an ordinary block.
  for (uint32_t t : tCorners) push(t, blocks[size_t(rng() % blocks.size())]);
  // amax / (6 t) exactly a UE4M3 value or the midpoint between two (ties to even), t = 2^j: the scale's rounding
  // and its 448 / 2^-9 edges. Then elements on and between the E2M1 grid of that exact s_b, m in 1/8 steps.
  const Format ue4m3 = parseFormat("ue4m3");
  for (uint32_t sEnc = 0; sEnc + 1 <= ue4m3.maxFiniteMag(); ++sEnc) {
    const double lo = ue4m3.toDouble(sEnc), hi = ue4m3.toDouble(sEnc + 1);
    for (double target : {hi, (lo + hi) / 2, std::nextafter((lo + hi) / 2, 0.0), std::nextafter((lo + hi) / 2, 1e9)}) {
      const int j = int(rng() % 16) - 8;
      const double t = std::ldexp(1.0, j);
      std::vector<uint32_t> b(size_t(K), 0u);
      // Below the amax element, so that it stays the amax; ties when s_b = target = hi.
      for (uint32_t& x : b) x = enc(std::ldexp(std::ldexp(double(rng() % 49), -3) * target, j) * ((rng() & 1) ? -1 : 1));
      b[size_t(rng() % K)] = enc(6 * target * t);
      push(f32(t), b);
    }
  }
  // 449 .. 10^6 times the largest scale, and the region below 2^-10.
  for (int r = 0; r < 64; ++r) {
    std::vector<uint32_t> b(size_t(K), 0u);
    for (uint32_t& x : b) x = enc(std::normal_distribution<double>(0, 1)(rng));
    const double amax = amaxOf(b);
    const double q = r % 2 ? std::ldexp(448.0, int(rng() % 20)) * (1 + double(rng() % 16) / 64)
                           : std::ldexp(1.0, -10 - int(rng() % 20)) * (1 + double(rng() % 16) / 16);
    if (amax > 0) push(f32(amax / 6 / q), b);
  }
  return v;
}

namespace {

bool quantRoundingAccepted(Rounding m) {
  return m == Rounding::RNE || m == Rounding::RNA || m == Rounding::RTZ || m == Rounding::RUP || m == Rounding::RDN;
}

void checkInput(const Format& a) {
  if (a.kind != FormatKind::Float || !a.isSigned || a.nonFinite != NonFinite::IEEE || a.manBits < 7 || a.width() > 32)
    throw UsageError(fmt::format("bad --a {}: nvfp4quant reads IEEE-style floats with at least 7 fraction bits; "
                                 "accepted: fp32, bf16, fp16",
                                 a.name));
}

void checkBlock(int block) {
  if (block != kNvfp4Block)
    throw UsageError(fmt::format("bad --block {}; accepted: 16 (NVFP4 blocks are 16 elements; mxquant takes other sizes)",
                                 block));
}

void checkName(const std::string& name) {
  checkModuleName(name);
}

class Nvfp4QuantUnit final : public Unit {
 public:
  Nvfp4QuantUnit(Nvfp4QuantSpec spec, std::string module, std::vector<std::string> args)
      : s_(std::move(spec)), module_(std::move(module)), args_(std::move(args)) {
    in_.push_back({"tensor_scale", s_.tensorScale.width(), s_.tensorScale});
    for (int i = 0; i < K; ++i) in_.push_back({fmt::format("x{}", i), s_.in.width(), s_.in});
    out_.push_back({"scale", s_.scale.width(), s_.scale});
    for (int i = 0; i < K; ++i) out_.push_back({fmt::format("q{}", i), s_.elem.width(), s_.elem});
  }
  std::string operatorName() const override { return "nvfp4quant"; }
  std::string moduleName() const override { return module_; }
  std::vector<std::string> canonicalArgs() const override { return args_; }
  const std::vector<PortInfo>& inputs() const override { return in_; }
  const std::vector<PortInfo>& outputs() const override { return out_; }
  int latency() const override { return 0; }
  GeneratedModule emit() const override {
    GeneratedModule m = emitNvfp4Quant(s_, module_, reproducingCommand(*this));
    nlohmann::json j;
    j["module"] = module_;
    j["operator"] = "nvfp4quant";
    j["function"] = "scale = RNE_ue4m3(amax / (6 t)) (2^-9 if 0), q_i = round_e2m1(x_i / (scale * t)), satfinite";
    j["formats"] = {{"a", s_.in.name}, {"out", s_.elem.name}, {"scale", s_.scale.name}, {"tensor_scale", s_.tensorScale.name}};
    j["block"] = K;
    j["rounding"] = roundingName(s_.mode);
    j["latency"] = 0;
    j["ports"] = manifestPorts(in_, out_, false);
    j["command"] = reproducingCommand(*this);
    m.manifest = j;
    return m;
  }
  void emulate(const uint32_t* in, uint32_t* out) const override { nvfp4Quantize(s_, in + 1, in[0], out[0], out + 1); }
  std::vector<std::vector<uint32_t>> cornerVectors() const override { return nvfp4QuantStimulus(s_.in, 0x6e76); }
  const Nvfp4QuantSpec& spec() const { return s_; }

 private:
  Nvfp4QuantSpec s_;
  std::string module_;
  std::vector<std::string> args_;
  std::vector<PortInfo> in_, out_;
};

class Nvfp4QuantFactory final : public OperatorFactory {
 public:
  std::string name() const override { return "nvfp4quant"; }
  std::string summary() const override {
    return "NVIDIA NVFP4 block quantizer: 16 values + fp32 tensor scale -> UE4M3 block scale + 16 E2M1";
  }
  void addOptions(CLI::App& cmd) override {
    cmd.add_option("--a", a_, "input format: fp32, bf16 or fp16")->required();
    cmd.add_option("--block", block_, "elements per block (16, the only NVFP4 block size)")
        ->check(integerIn(kNvfp4Block, kNvfp4Block));
    cmd.add_option("--round", round_, "element rounding: rne (default), rna, rtz, rup, rdn");
    cmd.add_option("--name", name_, "module name (default derived from the options)");
  }
  std::unique_ptr<Unit> build() const override {
    const Format a = formatOption("--a", a_);
    checkInput(a);
    checkBlock(block_);
    Rounding mode = Rounding::RNE;
    if (!parseRounding(round_, mode) || !quantRoundingAccepted(mode))
      throw UsageError(fmt::format("bad --round '{}'; accepted: rne, rna, rtz, rup, rdn", round_));
    checkName(name_);
    std::vector<std::string> args = {"--a", a.name, "--round", round_};
    if (!name_.empty()) args.insert(args.end(), {"--name", name_});
    const std::string module = name_.empty() ? fmt::format("nvfp4quant_{}_{}", a.tag(), round_) : name_;
    return std::make_unique<Nvfp4QuantUnit>(nvfp4QuantSpec(a, mode), module, std::move(args));
  }

 private:
  std::string a_, round_ = "rne", name_;
  int block_ = kNvfp4Block;
};

class Nvfp4DequantUnit final : public Unit {
 public:
  Nvfp4DequantUnit(Nvfp4DequantSpec spec, std::string module, std::vector<std::string> args)
      : s_(std::move(spec)), module_(std::move(module)), args_(std::move(args)) {
    in_.push_back({"tensor_scale", s_.tensorScale.width(), s_.tensorScale});
    in_.push_back({"scale", s_.scale.width(), s_.scale});
    for (int i = 0; i < K; ++i) in_.push_back({fmt::format("q{}", i), s_.elem.width(), s_.elem});
    for (int i = 0; i < K; ++i) out_.push_back({fmt::format("z{}", i), s_.out.width(), s_.out});
  }
  std::string operatorName() const override { return "nvfp4dequant"; }
  std::string moduleName() const override { return module_; }
  std::vector<std::string> canonicalArgs() const override { return args_; }
  const std::vector<PortInfo>& inputs() const override { return in_; }
  const std::vector<PortInfo>& outputs() const override { return out_; }
  int latency() const override { return 0; }
  GeneratedModule emit() const override {
    GeneratedModule m = emitNvfp4Dequant(s_, module_, reproducingCommand(*this));
    nlohmann::json j;
    j["module"] = module_;
    j["operator"] = "nvfp4dequant";
    j["function"] = "z_i = round(q_i * scale * tensor_scale), the exact product rounded once";
    j["formats"] = {{"a", s_.elem.name}, {"out", s_.out.name}, {"scale", s_.scale.name}, {"tensor_scale", s_.tensorScale.name}};
    j["block"] = K;
    j["rounding"] = roundingName(s_.mode);
    j["latency"] = 0;
    j["ports"] = manifestPorts(in_, out_, false);
    j["command"] = reproducingCommand(*this);
    m.manifest = j;
    return m;
  }
  void emulate(const uint32_t* in, uint32_t* out) const override { nvfp4Dequantize(s_, in[0], in[1], in + 2, out); }
  std::vector<std::vector<uint32_t>> cornerVectors() const override {
    std::mt19937_64 rng(0x6e7664);
    std::vector<uint32_t> tensorScales = formatCorners(s_.tensorScale);
    for (int r = 0; r < 8; ++r) tensorScales.push_back(uint32_t(rng()));
    std::vector<std::vector<uint32_t>> v;
    for (uint32_t sc = 0; sc <= s_.scale.mask(); ++sc)
      for (uint32_t t : tensorScales)
        for (int r = 0; r < 2; ++r) {
          std::vector<uint32_t> vec = {t, sc};
          // Every element encoding once (rotated), then random elements.
          for (int i = 0; i < K; ++i) vec.push_back(r == 0 ? (uint32_t(i) + sc) & s_.elem.mask() : uint32_t(rng()) & s_.elem.mask());
          v.push_back(std::move(vec));
        }
    return v;
  }

 private:
  Nvfp4DequantSpec s_;
  std::string module_;
  std::vector<std::string> args_;
  std::vector<PortInfo> in_, out_;
};

class Nvfp4DequantFactory final : public OperatorFactory {
 public:
  std::string name() const override { return "nvfp4dequant"; }
  std::string summary() const override {
    return "NVIDIA NVFP4 block (UE4M3 scale + 16 E2M1 + fp32 tensor scale) back to fp32/bf16";
  }
  void addOptions(CLI::App& cmd) override {
    cmd.add_option("--out", out_, "output format (default fp32; bf16, fp16)");
    cmd.add_option("--block", block_, "elements per block (16, the only NVFP4 block size)")
        ->check(integerIn(kNvfp4Block, kNvfp4Block));
    cmd.add_option("--round", round_, "rounding of the exact product: rne (default), rtz, rup, rdn, rna, rod");
    cmd.add_option("--name", name_, "module name (default derived from the options)");
  }
  std::unique_ptr<Unit> build() const override {
    const Format out = formatOption("--out", out_);
    requireFloat("--out", out, "nvfp4dequant");
    checkBlock(block_);
    Rounding mode = Rounding::RNE;
    if (round_ == "sr" || round_ == "dyn" || !parseRounding(round_, mode))
      throw UsageError(fmt::format("bad --round '{}'; accepted: rne, rtz, rup, rdn, rna, rod", round_));
    checkName(name_);
    std::vector<std::string> args = {"--out", out.name, "--round", round_};
    if (!name_.empty()) args.insert(args.end(), {"--name", name_});
    const std::string module = name_.empty() ? fmt::format("nvfp4dequant_{}_{}", out.tag(), round_) : name_;
    return std::make_unique<Nvfp4DequantUnit>(nvfp4DequantSpec(out, mode), module, std::move(args));
  }

 private:
  std::string out_ = "fp32", round_ = "rne", name_;
  int block_ = kNvfp4Block;
};

}  // namespace

const Nvfp4QuantSpec* nvfp4QuantSpecOf(const Unit& unit) {
  const auto* u = dynamic_cast<const Nvfp4QuantUnit*>(&unit);
  return u ? &u->spec() : nullptr;
}

std::unique_ptr<OperatorFactory> makeNvfp4QuantFactory() { return std::make_unique<Nvfp4QuantFactory>(); }
std::unique_ptr<OperatorFactory> makeNvfp4DequantFactory() { return std::make_unique<Nvfp4DequantFactory>(); }

}  // namespace nf
