// mxdequant: OCP MX v1.0 block (E8M0 scale + K elements) back to floating point. Generator and options;
// the model is refmodels/mxdequant.cpp.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "generators/blocks.h"
#include "generators/emitter_names.h"
#include "generators/instances.h"
#include "generators/common_options.h"
#include "generators/unit_base.h"
#include "generators/verilog.h"
#include "refmodels/corners.h"
#include "refmodels/mxdequant.h"
#include "refmodels/mxquant.h"

namespace nf {

using namespace emitter_names;

GeneratedModule emitMxDequant(const MxDequantSpec& s, const std::string& moduleName, const std::string& command) {
  Design d(moduleName);
  const int K = s.block;
  const Format& E = s.elem;
  const Format& Z = s.out;
  const bool intElem = E.kind == FormatKind::Int;
  const int WE = E.width(), WZ = Z.width();
  // Each element as sign, normalized significand of P bits and leading-bit exponent in [eMin, eMax].
  int P = 0, XE = 0, eMin = 0, eMax = 0;
  std::string unpack, norm;
  if (intElem) {
    P = E.intBits;
    eMin = -(E.intBits - 2);
    eMax = 1;  // -2^(N-1) is -2.0
    XE = vlog::signedBitsFor(eMin, eMax);
    norm = blocks::emitNormalizer(d, P);
  } else {
    const blocks::Unpacked u = blocks::emitUnpack(d, E, false, true, false);
    unpack = u.module;
    P = u.sigBits;
    XE = u.expBits;
    eMin = u.expMin;
    eMax = u.expMax;
  }
  const int rMin = eMin + kMxScaleMin, rMax = eMax + kMxScaleMax;
  const int XR = vlog::signedBitsFor(rMin, rMax);
  blocks::RoundPackParams rp;
  rp.out = Z;
  rp.expBits = XR;
  rp.sigBits = P;
  rp.rounding = {false, s.mode};
  rp.needSubnormalPath = rMin < Z.emin();
  rp.needOverflow = rMax >= Z.emax();
  const std::string roundpack = blocks::emitRoundPack(d, rp);

  HeaderText h;
  h.summary = fmt::format("OCP MX v1.0 block -> {} values: z_i = q_i * 2^(scale - 127)", K);
  h.operands = {{"q", operandText(E, intElem ? fmt::format(", read as 1.{} fixed point", E.intBits - 2) : "")},
                {"scale", "e8m0; 0xFF (NaN) makes every z_i NaN"},
                {"z", operandText(Z)}};
  h.notes = {fmt::format("Rounding: {} (exact except at the output's range edges)", roundingName(s.mode)),
             pipelineLatencyNote(0)};
  d.setHeader(headerComment(moduleName, "mxdequant", h, command));

  vlog::Writer w;
  w.open(fmt::format("module {} (", moduleName));
  w.line("input  wire [7:0] scale,");
  for (int i = 0; i < K; ++i) w.line(fmt::format("input  wire {}q{},", range(WE), i));
  for (int i = 0; i < K; ++i) w.line(fmt::format("output wire {}z{}{}", range(WZ), i, i + 1 < K ? "," : ""));
  w.close(");");
  std::string sink;
  w.line("  wire scale_nan = &scale;");
  w.line(fmt::format("  wire {}s = {} - {};", range(XR), vlog::zeroExtend("scale", 8, XR), slit(XR, kE8M0Bias)));
  for (int i = 0; i < K; ++i) {
    w.line(fmt::format("  wire q{0}_sign, q{0}_zero, q{0}_inf, q{0}_nan;", i));
    w.line(fmt::format("  wire {}q{}_sig;", range(P), i));
    w.line(fmt::format("  wire {}q{}_exp;", range(XE), i));
    if (intElem) {
      const int N = E.intBits, K2 = blocks::normalizerCountBits(N);
      w.line(fmt::format("  assign q{0}_sign = q{0}[{1}];", i, N - 1));
      w.line(fmt::format("  wire {0}q{1}_mag = q{1}_sign ? ({2} - q{1}) : q{1};", range(N), i, lit(N, 0)));
      w.line(fmt::format("  assign q{0}_zero = (q{0} == {1});", i, lit(N, 0)));
      w.line(fmt::format("  assign q{0}_inf = 1'b0;", i));
      w.line(fmt::format("  assign q{0}_nan = 1'b0;", i));
      w.line(fmt::format("  wire {}q{}_lz;", range(K2), i));
      w.line(fmt::format("  {0} u_norm_{1} (.v(q{1}_mag), .v_norm(q{1}_sig), .lz(q{1}_lz));", norm, i));
      w.line(fmt::format("  assign q{0}_exp = {1} - {2};", i, slit(XE, 1), vlog::zeroExtend(fmt::format("q{}_lz", i), K2, XE)));
    } else {
      w.line(fmt::format("  wire q{}_snan;", i));
      w.line(fmt::format("  {0} u_unpack_{1} (.x(q{1}), .sign(q{1}_sign), .is_zero(q{1}_zero), .is_inf(q{1}_inf), "
                         ".is_nan(q{1}_nan), .is_snan(q{1}_snan), .sig(q{1}_sig), .exp(q{1}_exp));",
                         unpack, i));
      sink += fmt::format(", q{}_snan", i);
    }
    w.line(fmt::format("  wire {}q{}_es = {} + s;", range(XR), i, vlog::signExtend(fmt::format("q{}_exp", i), XE, XR)));
    w.line(fmt::format("  wire {}r{};", range(WZ), i));
    w.line(fmt::format("  wire [2:0] r{}_flags;", i));
    w.line(fmt::format("  {0} u_round_{1} (.sign(q{1}_sign), .exp(q{1}_es), .sig(q{1}_sig), .sticky_in(1'b0), .z(r{1}), "
                       ".inexact(r{1}_flags[0]), .underflow(r{1}_flags[1]), .overflow(r{1}_flags[2]));",
                       roundpack, i));
    sink += fmt::format(", r{}_flags", i);
    const std::string sign = fmt::format("q{}_sign", i);
    w.line(fmt::format("  assign z{0} = (scale_nan | q{0}_nan) ? {1} : q{0}_inf ? {2} : q{0}_zero ? {3} : r{0};", i,
                       blocks::nanResultExpr(Z), blocks::infinityResultExpr(Z, false, sign),
                       intElem ? lit(WZ, 0) : blocks::zeroResultExpr(Z, sign)));
  }
  w.line("  wire unused_ok = &{1'b0" + sink + "};");
  return blocks::finishTop(d, w);
}

namespace {

class MxDequantUnit final : public OperatorUnit<MxDequantSpec> {
 public:
  MxDequantUnit(MxDequantSpec spec, std::string module, std::vector<std::string> args)
      : OperatorUnit("mxdequant", std::move(spec), Architecture{}, std::move(module), std::move(args)) {
    in_.push_back({"scale", 8, parseFormat("e8m0")});
    for (int i = 0; i < s_.block; ++i) in_.push_back({fmt::format("q{}", i), s_.elem.width(), s_.elem});
    for (int i = 0; i < s_.block; ++i) out_.push_back({fmt::format("z{}", i), s_.out.width(), s_.out});
  }
  GeneratedModule emitVerilog(const std::string& command) const override {
    return emitMxDequant(s_, moduleName(), command);
  }
  void describe(nlohmann::json& j) const override {
    j["function"] = "z_i = q_i * 2^(scale - 127)";
    j["formats"] = {{"a", s_.elem.name}, {"out", s_.out.name}, {"scale", "e8m0"}};
    j["block"] = s_.block;
    j["rounding"] = roundingName(s_.mode);
  }
  void emulate(const uint32_t* in, uint32_t* out) const override { mxDequantize(s_, in[0], in + 1, out); }
  std::vector<std::vector<uint32_t>> cornerVectors() const override {
    std::mt19937_64 rng(0x6d7864);
    const std::vector<uint32_t> corners = formatCorners(s_.elem);
    std::vector<std::vector<uint32_t>> v;
    const uint32_t scales[] = {0, 1, 2, 3, 6, 7, 8, 9, 10, 20, 100, 126, 127, 128, 200, 240, 245, 246, 247, 248, 250, 252, 253, 254, 255};
    for (uint32_t sc : scales) {
      for (size_t c = 0; c < corners.size(); c += size_t(s_.block)) {
        std::vector<uint32_t> vec = {sc};
        for (int i = 0; i < s_.block; ++i) vec.push_back(corners[(c + size_t(i)) % corners.size()]);
        v.push_back(vec);
      }
      for (int r = 0; r < 8; ++r) {
        std::vector<uint32_t> vec = {sc};
        for (int i = 0; i < s_.block; ++i) vec.push_back(uint32_t(rng()) & s_.elem.mask());
        v.push_back(vec);
      }
    }
    return v;
  }

};

class MxDequantFactory final : public OperatorFactory {
 public:
  std::string name() const override { return "mxdequant"; }
  std::string summary() const override { return "OCP MX v1.0 block (E8M0 scale + K elements) back to fp32/bf16"; }
  void addOptions(CLI::App& cmd) override {
    cmd.add_option("--a", a_, "element format: e4m3, e5m2, e3m2, e2m3, e2m1, int8 or another signed format (eXmY, P3109 binaryKpPs[e|f])")->required();
    cmd.add_option("--out", out_, "output format (default fp32; bf16, fp16, ...)");
    cmd.add_option("--block", block_, "elements per block K (default 32)")->check(integerIn(1, 64));
    cmd.add_option("--round", round_, "rounding at the output's range edges: rne (default), rtz, rup, rdn, rna, rod");
    cmd.add_option("--name", name_, "module name (default derived from the options)");
  }
  std::unique_ptr<Unit> build() const override {
    MxDequantSpec s;
    s.elem = formatOption("--a", a_);
    requireMxElement("--a", s.elem, "mxdequant", "");
    s.out = formatOption("--out", out_);
    requireFloat("--out", s.out, "mxdequant");
    if (block_ < 1 || block_ > 64) throw UsageError(fmt::format("bad --block {}; accepted: 1..64 (OCP MX uses 32)", block_));
    s.block = block_;
    if (!parseRounding(round_, s.mode))
      throw UsageError(fmt::format("bad --round '{}'; accepted: {}", round_, roundingChoices()));
    checkModuleName(name_);
    std::vector<std::string> args = {"--a", s.elem.name, "--out", s.out.name, "--block", std::to_string(s.block),
                                     "--round", round_};
    if (!name_.empty()) args.insert(args.end(), {"--name", name_});
    const std::string module =
        name_.empty() ? fmt::format("mxdequant_{}_{}_k{}_{}", s.elem.tag(), s.out.tag(), s.block, round_) : name_;
    return std::make_unique<MxDequantUnit>(std::move(s), module, std::move(args));
  }

 private:
  std::string a_, out_ = "fp32", round_ = "rne", name_;
  int block_ = 32;
};

}  // namespace

NF_REGISTER_OPERATOR(mxdequant, MxDequantFactory)

}  // namespace nf
