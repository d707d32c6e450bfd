// kulisch: an exact fixed-point accumulator (Kulisch) of products a*b or values a, read out with one
// rounding each cycle. The model is refmodels/kulisch.cpp; the read-out is generators/fixed_sum.cpp.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "generators/common_options.h"
#include "generators/emitter_names.h"
#include "generators/fixed_sum.h"
#include "generators/fp_ports.h"
#include "generators/instances.h"
#include "generators/pipeline.h"
#include "generators/unit_base.h"
#include "generators/verilog.h"
#include "refmodels/corners.h"
#include "refmodels/kulisch.h"

namespace nf {

using namespace emitter_names;

namespace {


// Where the --stages registers go: the read-out is split first (after the magnitude, the wide negation that
// measured the slowest part; then after the normalizer), then the term (after the product), then an output
// register, then after the alignment shift.
struct Placement {
  bool afterProduct = false, afterAlignment = false;    // before the accumulator
  bool afterMagnitude = false, afterNormalize = false;  // inside the read-out
  int outputRegisters = 0;
  int termStages() const { return int(afterProduct) + int(afterAlignment); }
};
constexpr int kMaxStages = 5;

Placement placement(int stages) {
  Placement p;
  p.afterMagnitude = stages >= 1;
  p.afterNormalize = stages >= 2;
  p.afterProduct = stages >= 3;
  p.outputRegisters = stages >= 4 ? 1 : 0;
  p.afterAlignment = stages >= 5;
  return p;
}

HeaderText header(const KulischSpec& s, int stages) {
  const FixedLayout L = s.layout();
  const Placement P = placement(stages);
  HeaderText h;
  h.summary = fmt::format("acc <- (clear ? 0 : acc) + {} each valid cycle; z = round(acc)", s.b ? "a * b" : "a");
  h.operands.emplace_back("a", operandText(s.a));
  if (s.b) h.operands.emplace_back("b", operandText(*s.b));
  h.operands.emplace_back("z", operandText(s.out));
  h.notes = {
      fmt::format("Accumulator: {} bits two's complement, LSB 2^{}, {} carry bits (2^{} worst-case terms)", L.width,
                  L.lsbExp, s.carryBits, s.carryBits),
      fmt::format("Rounding: {} (of the read-out); flags port: {}", roundingDescription(s.dynamicRounding, s.round),
                  s.flagsPort ? "yes" : "no"),
      fmt::format("Latency: {} cycle{} (clk, rst, valid_in, valid_out): {} term register{}, the accumulator, {} "
                  "read-out register{}; one accumulation per cycle.",
                  1 + stages, stages ? "s" : "", P.termStages(), P.termStages() == 1 ? "" : "s",
                  stages - P.termStages(), stages - P.termStages() == 1 ? "" : "s"),
      "z, flags and overflow show the sum including the term they belong to; clear and rm travel with",
      "their term."};
  return h;
}

void kulischPorts(vlog::Writer& w, const KulischSpec& s, const std::string& moduleName) {
  w.open(fmt::format("module {} (", moduleName));
  w.line("input  wire clk,");
  w.line("input  wire rst,");
  w.line("input  wire valid_in,");
  w.line(fmt::format("input  wire {}a,", range(s.a.width())));
  if (s.b) w.line(fmt::format("input  wire {}b,", range(s.b->width())));
  w.line("input  wire clear,");
  if (s.dynamicRounding) w.line("input  wire [2:0] rm,");
  w.line("output wire valid_out,");
  w.line(fmt::format("output wire {}z,", range(s.out.width())));
  w.line(fmt::format("output wire overflow{}", s.flagsPort ? "," : ""));
  if (s.flagsPort) w.line("output wire [4:0] flags");
  w.close(");");

}

// The accumulator register acc (cleared by `clear`, adding the placed term t_val with t_sign as the negation's
// carry-in) and the sticky class bits of the terms since the last clear.
void emitAccumulator(vlog::Writer& w, int W, bool dyn) {
  const std::string clear = "clear", tVal = "t_val", tSign = "t_sign", tZero = "t_zero";
  const std::string tNan = "t_nan", tInf = "t_inf", tInvalid = "t_invalid";
  w.line(fmt::format("  reg  {}acc;", range(W)));
  w.line("  reg  seen_nan, seen_pos_inf, seen_neg_inf, seen_invalid, seen_nonzero, seen_zero, zeros_all_neg, "
         "zero_any_neg, acc_overflow;");
  w.line(fmt::format("  wire {}base = {} ? {} : acc;", range(W), clear, lit(W, 0)));
  w.line(fmt::format("  wire {}sum = base + {} + {};", range(W), tVal, vlog::zeroExtend(tSign, 1, W)));
  w.line("  // Two's-complement overflow: the carry bits ran out (operands of one sign, result of the other). The");
  w.line("  // one's complement has the negated term's sign, except for -0, which adds nothing and cannot overflow.");
  w.line(fmt::format("  wire add_overflow = (base[{0}] == {1}[{0}]) & (sum[{0}] != base[{0}]);", W - 1, tVal));
  w.line(fmt::format("  wire t_nonzero = ~({} | {} | {});", tZero, tNan, tInf));
  if (dyn) w.line("  reg  [2:0] rm_q;");
  w.open("  always @(posedge clk) begin");
  w.open("  if (rst) begin");
  w.line(fmt::format("  acc <= {};", lit(W, 0)));
  w.line("  seen_nan <= 1'b0; seen_pos_inf <= 1'b0; seen_neg_inf <= 1'b0; seen_invalid <= 1'b0;");
  w.line("  seen_nonzero <= 1'b0; seen_zero <= 1'b0; zeros_all_neg <= 1'b1; zero_any_neg <= 1'b0;");
  w.line("  acc_overflow <= 1'b0;");
  if (dyn) w.line("  rm_q <= 3'd0;");
  w.reopen(fmt::format("  end else if ({}) begin", w.valid()));
  w.line("  acc <= sum;");
  w.line(fmt::format("  seen_nan <= (~{0} & seen_nan) | {1};", clear, tNan));
  w.line(fmt::format("  seen_pos_inf <= (~{0} & seen_pos_inf) | ({1} & ~{2});", clear, tInf, tSign));
  w.line(fmt::format("  seen_neg_inf <= (~{0} & seen_neg_inf) | ({1} & {2});", clear, tInf, tSign));
  w.line(fmt::format("  seen_invalid <= (~{0} & seen_invalid) | {1};", clear, tInvalid));
  w.line(fmt::format("  seen_nonzero <= (~{} & seen_nonzero) | t_nonzero;", clear));
  w.line(fmt::format("  seen_zero <= (~{0} & seen_zero) | {1};", clear, tZero));
  w.line(fmt::format("  zeros_all_neg <= ({0} | zeros_all_neg) & (~{1} | {2});", clear, tZero, tSign));
  w.line(fmt::format("  zero_any_neg <= (~{0} & zero_any_neg) | ({1} & {2});", clear, tZero, tSign));
  w.line(fmt::format("  acc_overflow <= (~{} & acc_overflow) | add_overflow;", clear));
  if (dyn) w.line(fmt::format("  rm_q <= {};", "rm"));
  w.close("  end");
  w.close("  end");
}

GeneratedModule emitKulisch(const KulischSpec& s, const Architecture& arch, const std::string& moduleName,
                            const std::string& command) {
  Design d(moduleName);
  d.setHeader(headerComment(moduleName, "kulisch", header(s, arch.stages), command));
  const FixedLayout L = s.layout();
  const Placement P = placement(arch.stages);
  const int W = L.width;
  const bool dyn = s.dynamicRounding;
  vlog::Writer w;
  kulischPorts(w, s, moduleName);

  w.pipeline(true);
  int sigBits, expBits, fracBits, expMax;
  w.line("  wire t_sign, t_zero, t_nan, t_inf, t_invalid;");
  if (s.b) {
    const blocks::ProductTerm pt = blocks::emitProductTerm(d, s.a, *s.b);
    sigBits = pt.sigBits, expBits = pt.expBits, fracBits = pt.fracBits, expMax = pt.expMax;
    w.line(fmt::format("  wire {}t_sig;", range(sigBits)));
    w.line(fmt::format("  wire {}t_exp;", range(expBits)));
    w.line(fmt::format("  {} u_term (.a(a), .b(b), .sign(t_sign), .is_zero(t_zero), .is_nan(t_nan), .is_inf(t_inf), "
                       ".invalid(t_invalid), .sig(t_sig), .exp(t_exp));",
                       pt.module));
  } else {
    const blocks::ValueTerm vt = blocks::emitValueTerm(d, s.a);
    sigBits = vt.sigBits, expBits = vt.expBits, fracBits = vt.fracBits, expMax = vt.expMax;
    w.line(fmt::format("  wire {}t_sig;", range(sigBits)));
    w.line(fmt::format("  wire {}t_exp;", range(expBits)));
    w.line(fmt::format("  {} u_term (.x(a), .sign(t_sign), .is_zero(t_zero), .is_nan(t_nan), .is_inf(t_inf), "
                       ".invalid(t_invalid), .sig(t_sig), .exp(t_exp));",
                       vt.module));
  }
  w.cut(P.afterProduct);

  const int shMax = expMax - fracBits - L.lsbExp;
  const int SB = vlog::bitsFor(uint64_t(std::max(shMax, 1)));
  const int XS = std::max(expBits, vlog::signedBitsFor(L.lsbExp + fracBits, shMax + 1) + 1);
  w.line(fmt::format("  // The term placed exactly in the {}-bit accumulator (LSB 2^{}).", W, L.lsbExp));
  w.line(fmt::format("  wire {}t_off = {} - {};", range(XS), vlog::signExtend("t_exp", expBits, XS),
                     slit(XS, L.lsbExp + fracBits)));
  w.line("  wire unused_t_off = ^t_off;");
  w.line(fmt::format("  wire {}t_mag = {} << t_off[{}:0];", range(W), vlog::zeroExtend("t_sig", sigBits, W),
                     SB - 1));
  // A negative term enters as its one's complement; the negation's +1 is the accumulator adder's carry-in,
  // so the loop holds one carry chain, not two (with two, bf16 --stages 3 measured a 13.5 ns stage).
  w.line(fmt::format("  wire {}t_val = {} ? ~t_mag : t_mag;", range(W), "t_sign"));
  w.cut(P.afterAlignment);

  emitAccumulator(w, W, dyn);
  // The accumulator's edge: valid follows the term into the read-out, which reads the state registers as they
  // are (they already hold this stage's values).
  w.cut(true);
  std::vector<std::string> state = {"acc",          "seen_nan",      "seen_pos_inf", "seen_neg_inf", "seen_invalid",
                                    "seen_nonzero", "seen_zero",     "zeros_all_neg", "zero_any_neg", "acc_overflow"};
  if (dyn) state.push_back("rm_q");
  w.retime(state);
  blocks::emitSumZeroSign(w, {dyn, s.round.mode}, "rm_q", "zero_sign", "seen_nonzero", "seen_zero", "zeros_all_neg",
                          "zero_any_neg");
  blocks::ReadoutParams ro;
  ro.accBits = W;
  ro.baseExpBits = vlog::signedBitsFor(L.lsbExp, L.lsbExp);
  ro.baseExpMin = ro.baseExpMax = L.lsbExp;
  ro.round.out = s.out;
  ro.round.rounding = {dyn, s.round.mode};
  // satpropagate clamps finite overflows in the round block; infinite terms still read out as infinities.
  ro.round.saturate = s.round.clampsOverflow();
  ro.round.ftz = s.round.ftz;
  blocks::emitSumResult(d, w, ro,
                        {"acc", "", {"seen_nan", "seen_pos_inf", "seen_neg_inf", "seen_invalid", "zero_sign"},
                         dyn ? "rm_q" : ""},
                        {P.afterMagnitude, P.afterNormalize}, s.round.saturate, s.flagsPort);
  blocks::emitPipelinedOutputs(w, s.flagsPort, w.registeredCuts(), w.registeredCuts() + P.outputRegisters, true,
                               {{"acc_overflow", "overflow"}});
  return blocks::finishTop(d, w);
}

class KulischUnit final : public OperatorUnit<KulischSpec> {
 public:
  KulischUnit(KulischSpec spec, Architecture arch, std::string module, std::vector<std::string> args)
      : OperatorUnit("kulisch", std::move(spec), arch, std::move(module), std::move(args)) {
    in_.push_back({"a", s_.a.width(), s_.a});
    if (s_.b) in_.push_back({"b", s_.b->width(), *s_.b});
    in_.push_back({"clear", 1, std::nullopt});
    if (s_.dynamicRounding) in_.push_back({"rm", 3, std::nullopt});
    out_ = {{"z", s_.out.width(), s_.out}, {"overflow", 1, std::nullopt}};
    if (s_.flagsPort) out_.push_back({"flags", 5, std::nullopt});
  }
  int latency() const override { return 1 + arch_.stages; }
  bool stateful() const override { return true; }
  std::optional<Format> resultFormat() const override { return s_.out; }

  GeneratedModule emitVerilog(const std::string& command) const override {
    return emitKulisch(s_, arch_, moduleName(), command);
  }
  void describe(nlohmann::json& j) const override {
    const FixedLayout L = s_.layout();
    j["function"] = s_.b ? "acc += a * b (exact); z = round(acc)" : "acc += a (exact); z = round(acc)";
    j["formats"] = {{"a", s_.a.name}, {"out", s_.out.name}};
    if (s_.b) j["formats"]["b"] = s_.b->name;
    j["accumulator_bits"] = L.width;
    j["accumulator_lsb_exponent"] = L.lsbExp;
    j["carry_bits"] = s_.carryBits;
    describeRounding(j, s_.dynamicRounding, s_.round, s_.flagsPort);
    j["term_stages"] = placement(arch_.stages).termStages();
  }

  class Stream final : public StreamModel {
   public:
    explicit Stream(const KulischSpec& s)
        : m_(s), hasB_(s.b.has_value()), flags_(s.flagsPort), dyn_(s.dynamicRounding), mode_(s.round.mode) {}
    void step(const uint32_t* in, uint32_t* out) override {
      const size_t clearWord = hasB_ ? 2 : 1;
      const KulischModel::Output o =
          m_.step(in[0], hasB_ ? in[1] : 0, in[clearWord] & 1u, dyn_ ? roundingFromPort(in[clearWord + 1]) : mode_);
      out[0] = o.z.bits;
      out[1] = o.overflow;
      if (flags_) out[2] = o.z.flags;
    }

   private:
    KulischModel m_;
    bool hasB_, flags_, dyn_;
    Rounding mode_;
  };
  std::unique_ptr<StreamModel> streamModel() const override { return std::make_unique<Stream>(s_); }

  // A single vector from reset: a sum of one term.
  void emulate(const uint32_t* in, uint32_t* out) const override { Stream(s_).step(in, out); }

  // Long sums: clear about once per 4096 terms (and always on the first random vector).
  void shapeRandomVector(uint32_t* in, uint64_t index) const override {
    const size_t clearWord = s_.b ? 2 : 1;
    in[clearWord] = index == 0 || (in[0] * 2654435761u) >> 20 == 0 ? 1u : 0u;
  }

  std::vector<std::vector<uint32_t>> cornerVectors() const override {
    // Carry bits, overflow and cancellation back to zero, then huge and tiny terms alternating.
    return accumulatorCornerStream(s_.a, s_.b ? &*s_.b : nullptr, 300, 301,
                                   s_.a.minSubnormalMag() ? s_.a.minSubnormalMag() : 1u, s_.dynamicRounding);
  }

};

class KulischFactory final : public OperatorFactory {
 public:
  std::string name() const override { return "kulisch"; }
  std::string summary() const override { return "exact fixed-point accumulator of products or values, read out rounded"; }
  void addOptions(CLI::App& cmd) override {
    cmd.add_option("--a", a_, "format of a")->required();
    cmd.add_option("--b", b_, "format of b (accumulate products a*b; default: values a)");
    cmd.add_option("--out", out_, "format of the read-out z")->required();
    cmd.add_option("--carry-bits", carry_, "carry bits: 2^K worst-case terms never overflow (1..64)")
        ->default_str("16")
        ->check(integerIn(1, 64));
    common_.add(cmd);
    common_.addSaturationModes(cmd);
  }
  std::unique_ptr<Unit> build() const override {
    common_.validate();
    KulischSpec s;
    s.a = formatOption("--a", a_);
    requireFloat("--a", s.a, "kulisch");
    if (!b_.empty()) {
      s.b = formatOption("--b", b_);
      requireFloat("--b", *s.b, "kulisch");
    }
    s.out = formatOption("--out", out_);
    requireFloat("--out", s.out, "kulisch");
    if (carry_ < 1 || carry_ > 64)
      throw UsageError(fmt::format("--carry-bits: {} is out of range; accepted: 1..64", carry_));
    s.carryBits = carry_;
    if (common_.daz) throw UsageError("--daz: not supported by kulisch (subnormal inputs are exact terms)");
    if (common_.stages > kMaxStages)
      throw UsageError(fmt::format("--stages: {} is more than kulisch has places for (after the product and the "
                                   "alignment, inside the read-out twice, at the output); accepted: 0..{}",
                                   common_.stages, kMaxStages));
    const Architecture arch = common_.applyTo(s);
    std::vector<std::string> args = {"--a", s.a.name};
    if (s.b) args.insert(args.end(), {"--b", s.b->name});
    args.insert(args.end(), {"--out", s.out.name, "--carry-bits", std::to_string(s.carryBits)});
    common_.appendArgs(args);
    std::string module = common_.name;
    if (module.empty()) {
      module = "kulisch_" + s.a.tag();
      if (s.b) module += "_" + s.b->tag();
      module += "_" + s.out.tag() + fmt::format("_k{}", s.carryBits) + common_.nameSuffix();
    }
    return std::make_unique<KulischUnit>(std::move(s), arch, module, std::move(args));
  }

 private:
  std::string a_, b_, out_;
  int carry_ = 16;
  CommonFpOptions common_;
};

}  // namespace

NF_REGISTER_OPERATOR(kulisch, KulischFactory)

}  // namespace nf
