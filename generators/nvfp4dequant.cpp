// nvfp4dequant: an NVIDIA NVFP4 block (UE4M3 block scale + 16 E2M1 elements + an fp32 tensor scale) back to
// floating point. Generator and options; the model is refmodels/nvfp4dequant.cpp.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <random>

#include "generators/blocks.h"
#include "generators/emitter_names.h"
#include "generators/instances.h"
#include "generators/common_options.h"
#include "generators/nvfp4_blocks.h"
#include "generators/unit_base.h"
#include "generators/verilog.h"
#include "refmodels/corners.h"
#include "refmodels/nvfp4dequant.h"

namespace nf {

using namespace emitter_names;

namespace {


constexpr int K = kNvfp4Block;

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
  blocks::RoundPackParams rp = nvfp4RoundParams(Z, XR, PS + PT + PQ, s.mode, false);
  const std::string round = blocks::emitRoundPack(d, rp);

  HeaderText h;
  h.summary = fmt::format("NVIDIA NVFP4 block -> {} values: z_i = q_i * scale * tensor_scale", K);
  h.operands = {{"q", operandText(Q)},
                {"scale", operandText(S, "; 0x7F (NaN) makes every z_i NaN")},
                {"tensor_scale", operandText(T)},
                {"z", operandText(Z, ", the exact product rounded once; IEEE specials")}};
  h.notes = {fmt::format("Rounding: {}", roundingName(s.mode)), pipelineLatencyNote(0)};
  d.setHeader(headerComment(moduleName, "nvfp4dequant", h, command));

  vlog::Writer w;
  w.open(fmt::format("module {} (", moduleName));
  w.line(fmt::format("input  wire {}tensor_scale,", range(T.width())));
  w.line(fmt::format("input  wire {}scale,", range(S.width())));
  for (int i = 0; i < K; ++i) w.line(fmt::format("input  wire {}q{},", range(Q.width()), i));
  for (int i = 0; i < K; ++i) w.line(fmt::format("output wire {}z{}{}", range(Z.width()), i, i + 1 < K ? "," : ""));
  w.close(");");
  std::string sink;
  const Nvfp4Operand t = unpackPort(w, d, ut, "tensor_scale", "t", sink);
  const Nvfp4Operand sc = unpackPort(w, d, us, "scale", "s", sink);
  sink += fmt::format(", {}, {}", sc.sign, sc.inf);
  scaleProduct(d, w, "st", sc.sig, PS, t.sig, PT);
  w.line(fmt::format("  wire {}st_exp = {} + {} + {};", range(XR), vlog::signExtend(sc.exp, us.expBits, XR),
                     vlog::signExtend(t.exp, ut.expBits, XR), vlog::zeroExtend("st_hi", 1, XR)));
  for (int i = 0; i < K; ++i) {
    const Nvfp4Operand q = unpackPort(w, d, uq, fmt::format("q{}", i), fmt::format("e{}", i), sink);
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
  return blocks::finishTop(d, w);
}

class Nvfp4DequantUnit final : public OperatorUnit<Nvfp4DequantSpec> {
 public:
  Nvfp4DequantUnit(Nvfp4DequantSpec spec, std::string module, std::vector<std::string> args)
      : OperatorUnit("nvfp4dequant", std::move(spec), Architecture{}, std::move(module), std::move(args)) {
    in_.push_back({"tensor_scale", s_.tensorScale.width(), s_.tensorScale});
    in_.push_back({"scale", s_.scale.width(), s_.scale});
    for (int i = 0; i < K; ++i) in_.push_back({fmt::format("q{}", i), s_.elem.width(), s_.elem});
    for (int i = 0; i < K; ++i) out_.push_back({fmt::format("z{}", i), s_.out.width(), s_.out});
  }
  GeneratedModule emitVerilog(const std::string& command) const override {
    return emitNvfp4Dequant(s_, moduleName(), command);
  }
  void describe(nlohmann::json& j) const override {
    j["function"] = "z_i = round(q_i * scale * tensor_scale), the exact product rounded once";
    j["formats"] = {{"a", s_.elem.name}, {"out", s_.out.name}, {"scale", s_.scale.name}, {"tensor_scale", s_.tensorScale.name}};
    j["block"] = K;
    j["rounding"] = roundingName(s_.mode);
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
    checkModuleName(name_);
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

NF_REGISTER_OPERATOR(nvfp4dequant, Nvfp4DequantFactory)

}  // namespace nf
