// nvfp4quant: NVIDIA NVFP4 block quantization (16 values + an fp32 tensor scale -> a UE4M3 block scale + 16 E2M1
// elements). Generator, options and stimulus; the model is refmodels/nvfp4quant.cpp.
#include "generators/nvfp4quant.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <random>
#include <stdexcept>

#include "generators/block_stimulus.h"
#include "generators/blocks.h"
#include "generators/emitter_names.h"
#include "generators/instances.h"
#include "generators/common_options.h"
#include "generators/nvfp4_blocks.h"
#include "generators/unit_base.h"
#include "generators/verilog.h"
#include "refmodels/corners.h"
#include "refmodels/quant_stats.h"

namespace nf {

using namespace emitter_names;

namespace {

constexpr int K = kNvfp4Block;

// The element quotient r = n / dv (n, dv significands in [1,2), so r in (1/2, 2)) by comparison instead of
// division: r >= j/8 for the seven j below tells floor(4 r) when r >= 1 and floor(8 r) when r < 1, which with
// "r is exactly one of them" is everything E2M1's rounding in any mode needs (one mantissa bit, a round bit,
// a sticky bit, whichever binade r lies in). Each j dv / 8 is formed once per block.
constexpr int kRatioThresholds[] = {5, 6, 7, 8, 10, 12, 14};
constexpr int kNThr = int(std::size(kRatioThresholds));

// Ports: n (the P-bit significand), c (kNThr thresholds of P+1 bits, c[j] = ceil(j dv 2^(P-1) / 8) in the
// order of kRatioThresholds), x (bit j: j dv 2^(P-1) / 8 is an integer) -> q, sticky as emitDivider's with
// qBits = 4: q's bit 0 folded into sticky when r >= 1, where rounding to E2M1 never reads it apart.
std::string emitRatioCompare(Design& d, int P) {
  const std::string name = fmt::format("{}_ratiocmp{}", d.top(), P);
  if (d.has(name)) return name;
  const int C = P + 1;
  vlog::Writer w;
  w.line("// n / dv in (1/2, 2) against j / 8 (j = 5, 6, 7, 8, 10, 12, 14): the comparisons replace a divider; q and");
  w.line("// sticky feed the round block as a restoring divider's 4 quotient bits and remainder sticky would.");
  w.open(fmt::format("module {} (", name));
  w.line(fmt::format("input  wire {}n,", range(P)));
  w.line(fmt::format("input  wire {}c,", range(kNThr * C)));
  w.line(fmt::format("input  wire {}x,", range(kNThr)));
  w.line("output wire [3:0] q,");
  w.line("output wire sticky");
  w.close(");");
  w.line(fmt::format("  wire {}nn = {{1'b0, n}};", range(C)));
  std::string eqs;
  for (int i = 0; i < kNThr; ++i) {
    const int j = kRatioThresholds[i];
    w.line(fmt::format("  wire ge{0} = (nn >= c[{1}:{2}]);", j, (i + 1) * C - 1, i * C));
    w.line(fmt::format("  wire eq{0} = x[{1}] & (nn == c[{2}:{3}]);", j, i, (i + 1) * C - 1, i * C));
    eqs += fmt::format("{}eq{}", i ? " | " : "", j);
  }
  w.line("  // r >= 1: q = {floor(4 r), 0}; r < 1: q = floor(8 r). Both counts are thermometer codes.");
  w.line("  assign q = ge8 ? {1'b1, ge12, ge10 ^ ge12 ^ ge14, 1'b0} : {2'b01, ge6, ge5 ^ ge6 ^ ge7};");
  w.line(fmt::format("  assign sticky = ~({});", eqs));
  d.close(name, w);
  return name;
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
  if (Q.manBits != 1 || qElemBits != 4 || PS + PT < P)
    throw std::logic_error("nvfp4quant: the element comparisons are written for E2M1 and a divisor as wide as x");
  const std::string elemCmp = emitRatioCompare(d, P);
  blocks::RoundPackParams scaleRp = nvfp4RoundParams(S, XS, qScaleBits, Rounding::RNE, true);
  scaleRp.nameSuffix = "_scale";
  const std::string scaleRound = blocks::emitRoundPack(d, scaleRp);
  const std::string elemRound = blocks::emitRoundPack(d, nvfp4RoundParams(Q, XR, qElemBits, s.mode, true));

  HeaderText h;
  h.summary = fmt::format("NVIDIA NVFP4 block quantizer, {} values -> UE4M3 block scale + {} E2M1", K, K);
  h.operands = {{"x", operandText(A)},
                {"tensor_scale", operandText(T, ", the per-tensor decode scale t > 0")},
                {"scale", operandText(S, " = RNE(amax / (6 t)), satfinite; 2^-9 if that rounds to 0")},
                {"q", operandText(Q, " = round(x_i / (scale * t)), exact quotient (by comparisons), satfinite")}};
  h.notes = {"Zero block: scale 0, signed-zero elements. NaN/Inf in the block, or t not positive finite: scale 0x7F",
             "(NaN), elements 0.", fmt::format("Rounding: {} (elements; the scale always rne)", roundingName(s.mode)),
             pipelineLatencyNote(0)};
  d.setHeader(headerComment(moduleName, "nvfp4quant", h, command));

  vlog::Writer w;
  w.open(fmt::format("module {} (", moduleName));
  w.line(fmt::format("input  wire {}tensor_scale,", range(T.width())));
  for (int i = 0; i < K; ++i) w.line(fmt::format("input  wire {}x{},", range(A.width()), i));
  w.line(fmt::format("output wire {}scale,", range(S.width())));
  for (int i = 0; i < K; ++i) w.line(fmt::format("output wire {}q{}{}", range(Q.width()), i, i + 1 < K ? "," : ""));
  w.close(");");
  std::string sink;
  const Nvfp4Operand t = unpackPort(w, d, ut, "tensor_scale", "t", sink);
  w.line(fmt::format("  wire t_bad = {} | {} | {} | {};", t.sign, t.zero, t.inf, t.nan));
  std::string special = "t_bad", keys;
  for (int i = 0; i < K; ++i) {
    const Nvfp4Operand x = unpackPort(w, d, ua, fmt::format("x{}", i), fmt::format("x{}", i), sink);
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
                     bits(S.width(), S.minSubnormalMag())));
  w.line(fmt::format("  assign scale = special ? {} : all_zero ? {} : sb;", bits(S.width(), S.canonicalNaN()),
                     lit(S.width(), 0)));
  w.line("  // Elements: x_i / (sb * t), the divisor the exact product of the two significands, by comparisons.");
  const Nvfp4Operand sb = unpackPort(w, d, us, "sb", "s", sink);
  sink += fmt::format(", {}, {}, {}, {}", sb.sign, sb.zero, sb.inf, sb.nan);
  scaleProduct(d, w, "dvs", sb.sig, PS, t.sig, PT);
  w.line(fmt::format("  wire {}dvs_exp = {} + {} + {};", range(XR), vlog::signExtend(sb.exp, us.expBits, XR),
                     vlog::signExtend(t.exp, ut.expBits, XR), vlog::zeroExtend("dvs_hi", 1, XR)));
  // Once per block: c_j = ceil(j dvs / 2^L) with L = W - P + 3, so that 8 x_sig >= j dvs <=> x_sig >= c_j, and
  // whether j dvs / 2^L is an integer (only then can x_sig / dvs be exactly j / 8).
  const int W = PS + PT, L = W - P + 3, CW = P + 1, MW = W + 4;
  w.line("  // Element thresholds: j dvs / 8 at x's scale for j = 5, 6, 7, 8, 10, 12, 14, formed once per block.");
  w.line(fmt::format("  wire {}dvs_m1 = {};", range(MW), vlog::zeroExtend("dvs", W, MW)));
  w.line(fmt::format("  wire {0}dvs_m3 = {{dvs_m1[{1}:0], 1'b0}} + dvs_m1;", range(MW), MW - 2));
  w.line(fmt::format("  wire {0}dvs_m5 = {{dvs_m1[{1}:0], 2'b0}} + dvs_m1;", range(MW), MW - 3));
  w.line(fmt::format("  wire {0}dvs_m7 = {{dvs_m1[{1}:0], 3'b0}} - dvs_m1;", range(MW), MW - 4));
  std::string cBus, xBus;
  for (int i = kNThr - 1; i >= 0; --i) {
    const int j = kRatioThresholds[i];
    int odd = j, sh = 0;
    while (odd % 2 == 0) odd /= 2, ++sh;
    // j dvs = (odd dvs) 2^sh: its bits at and above L are (odd dvs) >> (L - sh), the rest (L - sh bits) decide ceil.
    const int lo = L - sh;
    w.line(fmt::format("  wire thr{0}_x = ~|dvs_m{1}[{2}:0];", j, odd, lo - 1));
    w.line(fmt::format("  wire {0}thr{1} = dvs_m{2}[{3}:{4}] + {{{5}'d0, ~thr{1}_x}};", range(CW), j, odd, lo + CW - 1, lo,
                       CW - 1));
    cBus += fmt::format("{}thr{}", cBus.empty() ? "" : ", ", j);
    xBus += fmt::format("{}thr{}_x", xBus.empty() ? "" : ", ", j);
    if (lo + CW < MW) sink += fmt::format(", dvs_m{}[{}:{}]", odd, MW - 1, lo + CW);
  }
  w.line(fmt::format("  wire {}thr = {{{}}};", range(kNThr * CW), cBus));
  w.line(fmt::format("  wire {}thr_x = {{{}}};", range(kNThr), xBus));
  for (int i = 0; i < K; ++i) {
    w.line(fmt::format("  wire {}eq{};", range(qElemBits), i));
    w.line(fmt::format("  wire eq{}_sticky;", i));
    w.line(fmt::format("  {0} u_cmp_{1} (.n(x{1}_sig), .c(thr), .x(thr_x), .q(eq{1}), .sticky(eq{1}_sticky));", elemCmp, i));
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
  return blocks::finishTop(d, w);
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

class Nvfp4QuantUnit final : public OperatorUnit<Nvfp4QuantSpec> {
 public:
  Nvfp4QuantUnit(Nvfp4QuantSpec spec, std::string module, std::vector<std::string> args)
      : OperatorUnit("nvfp4quant", std::move(spec), Architecture{}, std::move(module), std::move(args)) {
    in_.push_back({"tensor_scale", s_.tensorScale.width(), s_.tensorScale});
    for (int i = 0; i < K; ++i) in_.push_back({fmt::format("x{}", i), s_.in.width(), s_.in});
    out_.push_back({"scale", s_.scale.width(), s_.scale});
    for (int i = 0; i < K; ++i) out_.push_back({fmt::format("q{}", i), s_.elem.width(), s_.elem});
  }
  GeneratedModule emitVerilog(const std::string& command) const override {
    return emitNvfp4Quant(s_, moduleName(), command);
  }
  void describe(nlohmann::json& j) const override {
    j["function"] = "scale = RNE_ue4m3(amax / (6 t)) (2^-9 if 0), q_i = round_e2m1(x_i / (scale * t)), satfinite";
    j["formats"] = {{"a", s_.in.name}, {"out", s_.elem.name}, {"scale", s_.scale.name}, {"tensor_scale", s_.tensorScale.name}};
    j["block"] = K;
    j["rounding"] = roundingName(s_.mode);
  }
  void emulate(const uint32_t* in, uint32_t* out) const override { nvfp4Quantize(s_, in + 1, in[0], out[0], out + 1); }
  std::vector<std::vector<uint32_t>> cornerVectors() const override { return nvfp4QuantStimulus(s_.in, 0x6e76); }
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
    checkModuleName(name_);
    std::vector<std::string> args = {"--a", a.name, "--round", round_};
    if (!name_.empty()) args.insert(args.end(), {"--name", name_});
    const std::string module = name_.empty() ? fmt::format("nvfp4quant_{}_{}", a.tag(), round_) : name_;
    return std::make_unique<Nvfp4QuantUnit>(nvfp4QuantSpec(a, mode), module, std::move(args));
  }

 private:
  std::string a_, round_ = "rne", name_;
  int block_ = kNvfp4Block;
};

}  // namespace

const Nvfp4QuantSpec* nvfp4QuantSpecOf(const Unit& unit) { return specOf<Nvfp4QuantUnit>(unit); }

NF_REGISTER_OPERATOR(nvfp4quant, Nvfp4QuantFactory)

}  // namespace nf
