// facc: a sequential accumulator or MAC around the fadd / fma datapath, one accumulation per cycle. The
// model is refmodels/facc.cpp.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <random>

#include "generators/common_options.h"
#include "generators/emitter_names.h"
#include "generators/fadd.h"
#include "generators/fma.h"
#include "generators/fp_ports.h"
#include "generators/verilog.h"
#include "refmodels/corners.h"
#include "refmodels/facc.h"

namespace nf {

using namespace emitter_names;

namespace {


HeaderText header(const FaccSpec& s, int stages) {
  HeaderText h;
  h.summary = fmt::format("acc <- round((clear ? {} : acc) + {}) each valid cycle; z = acc",
                          !s.out.hasNegZero()             ? "+0"
                          : s.dynamicRounding             ? "(rm == rdn ? +0 : -0)"
                          : s.round.mode == Rounding::RDN ? "+0"
                                                          : "-0",
                          s.b ? "a * b" : "a");
  h.operands.emplace_back("a", operandText(s.a));
  if (s.b) h.operands.emplace_back("b", operandText(*s.b));
  h.operands.emplace_back("acc", operandText(s.out));
  h.notes = {fmt::format("Rounding: {}, once per accumulation ({}); flags port: {}",
                         roundingDescription(s.dynamicRounding, s.round), s.b ? "fused multiply-add" : "add",
                         s.flagsPort ? "yes (the last accumulation's)" : "no"),
             fmt::format("Latency: {} cycle{} (clk, rst, valid_in, valid_out); the accumulation loop is 1 cycle, one "
                         "term per cycle{}",
                         stages + 1, stages ? "s" : "", stages ? "; inputs registered first" : "")};
  return h;
}

GeneratedModule emitFacc(const FaccSpec& s, const Architecture& arch, const std::string& moduleName,
                         const std::string& command) {
  const std::string core = moduleName + (s.b ? "_mac" : "_add");
  const GeneratedModule c =
      s.b ? emitFma(s.macSpec(), Architecture{}, core, command) : emitFadd(s.addSpec(), Architecture{}, core, command);
  const int WZ = s.out.width(), WA = s.a.width(), WB = s.b ? s.b->width() : 0;
  vlog::Writer w;
  w.raw(headerComment(moduleName, "facc", header(s, arch.stages), command));
  w.line("/* verilator lint_off DECLFILENAME */");
  w.line();
  w.open(fmt::format("module {} (", moduleName));
  w.line("input  wire clk,");
  w.line("input  wire rst,");
  w.line("input  wire valid_in,");
  w.line(fmt::format("input  wire {}a,", range(WA)));
  if (s.b) w.line(fmt::format("input  wire {}b,", range(WB)));
  w.line("input  wire clear,");
  if (s.dynamicRounding) w.line("input  wire [2:0] rm,");
  w.line("output wire valid_out,");
  w.line(fmt::format("output wire {}z{}", range(WZ), s.flagsPort ? "," : ""));
  if (s.flagsPort) w.line("output wire [4:0] flags");
  w.close(");");
  std::string a = "a", b = "b", clear = "clear", valid = "valid_in", rm = "rm";
  if (arch.stages) {
    w.line("  // Input registers: they leave the one-cycle accumulation loop alone.");
    w.line(fmt::format("  reg  {}a_q;", range(WA)));
    if (s.b) w.line(fmt::format("  reg  {}b_q;", range(WB)));
    if (s.dynamicRounding) w.line("  reg  [2:0] rm_q;");
    w.line("  reg  clear_q, valid_q0;");
    w.line(fmt::format("  always @(posedge clk) begin a_q <= a;{}{} clear_q <= clear; valid_q0 <= ~rst & valid_in; end",
                       s.b ? " b_q <= b;" : "", s.dynamicRounding ? " rm_q <= rm;" : ""));
    a = "a_q", b = "b_q", clear = "clear_q", valid = "valid_q0", rm = "rm_q";
  }
  // The identity a clear starts from depends on the mode: +0 under rdn, else -0.
  const std::string identity = blocks::rdnSelectExpr({s.dynamicRounding, s.round.mode}, rm, WZ,
                                                     s.identity(Rounding::RDN), s.identity(Rounding::RNE));
  const std::string rmConn = s.dynamicRounding ? fmt::format(" .rm({}),", rm) : "";
  w.line(fmt::format("  reg  {}acc;", range(WZ)));
  w.line("  reg  [4:0] acc_flags;");
  w.line("  reg  valid_q;");
  w.line(fmt::format("  wire {}base = {} ? {} : acc;", range(WZ), clear, identity));
  w.line(fmt::format("  wire {}next;", range(WZ)));
  w.line("  wire [4:0] next_flags;");
  if (s.b)
    w.line(fmt::format("  {} u_mac (.a({}), .b({}), .c(base),{} .z(next), .flags(next_flags));", core, a, b, rmConn));
  else
    w.line(fmt::format("  {} u_add (.a(base), .b({}),{} .z(next), .flags(next_flags));", core, a, rmConn));
  w.open("  always @(posedge clk) begin");
  w.open("  if (rst) begin");
  w.line(fmt::format("  acc <= {};", lit(WZ, 0)));
  w.line("  acc_flags <= 5'd0;");
  w.reopen(fmt::format("  end else if ({}) begin", valid));
  w.line("  acc <= next;");
  w.line("  acc_flags <= next_flags;");
  w.close("  end");
  w.line(fmt::format("  valid_q <= ~rst & {};", valid));
  w.close("  end");
  w.line("  assign valid_out = valid_q;");
  w.line("  assign z = acc;");
  w.line(s.flagsPort ? "  assign flags = acc_flags;" : "  wire unused_flags = ^acc_flags;");
  w.line("endmodule");
  w.line();
  w.line(fmt::format("// The accumulation datapath ({}), as numforge generates it on its own:", s.b ? "fma" : "fadd"));
  GeneratedModule m;
  m.name = moduleName;
  m.verilog = w.str() + c.verilog;
  return m;
}

class FaccUnit final : public OperatorUnit<FaccSpec> {
 public:
  FaccUnit(FaccSpec spec, Architecture arch, std::string module, std::vector<std::string> args)
      : OperatorUnit("facc", std::move(spec), arch, std::move(module), std::move(args)) {
    in_.push_back({"a", s_.a.width(), s_.a});
    if (s_.b) in_.push_back({"b", s_.b->width(), *s_.b});
    in_.push_back({"clear", 1, std::nullopt});
    if (s_.dynamicRounding) in_.push_back({"rm", 3, std::nullopt});
    out_ = {{"z", s_.out.width(), s_.out}};
    if (s_.flagsPort) out_.push_back({"flags", 5, std::nullopt});
  }
  int latency() const override { return arch_.stages + 1; }
  bool stateful() const override { return true; }
  std::optional<Format> resultFormat() const override { return s_.out; }

  GeneratedModule emitVerilog(const std::string& command) const override {
    return emitFacc(s_, arch_, moduleName(), command);
  }
  void describe(nlohmann::json& j) const override {
    j["function"] = s_.b ? "acc = round((clear ? identity : acc) + a * b); z = acc"
                         : "acc = round((clear ? identity : acc) + a); z = acc";
    j["formats"] = {{"a", s_.a.name}, {"out", s_.out.name}};
    if (s_.b) j["formats"]["b"] = s_.b->name;
    describeRounding(j, s_.dynamicRounding, s_.round, s_.flagsPort);
    j["loop_latency"] = 1;
  }

  class Stream final : public StreamModel {
   public:
    explicit Stream(const FaccSpec& s)
        : m_(s), hasB_(s.b.has_value()), flags_(s.flagsPort), dyn_(s.dynamicRounding), mode_(s.round.mode) {}
    void step(const uint32_t* in, uint32_t* out) override {
      const size_t clearWord = hasB_ ? 2 : 1;
      const Packed r = m_.step(in[0], hasB_ ? in[1] : 0, in[clearWord] & 1u,
                               dyn_ ? roundingFromPort(in[clearWord + 1]) : mode_);
      out[0] = r.bits;
      if (flags_) out[1] = r.flags;
    }

   private:
    FaccModel m_;
    bool hasB_, flags_, dyn_;
    Rounding mode_;
  };
  std::unique_ptr<StreamModel> streamModel() const override { return std::make_unique<Stream>(s_); }
  void emulate(const uint32_t* in, uint32_t* out) const override { Stream(s_).step(in, out); }

  // Long sums: clear about once per 4096 terms (and on the first random vector).
  void shapeRandomVector(uint32_t* in, uint64_t index) const override {
    in[s_.b ? 2 : 1] = index == 0 || (in[0] * 2654435761u) >> 20 == 0 ? 1u : 0u;
  }

  std::vector<std::vector<uint32_t>> cornerVectors() const override {
    // Growth to overflow, then cancellation; huge and tiny terms alternating.
    return accumulatorCornerStream(s_.a, s_.b ? &*s_.b : nullptr, 200, 200, 1u, s_.dynamicRounding);
  }

};

class FaccFactory final : public OperatorFactory {
 public:
  std::string name() const override { return "facc"; }
  std::string summary() const override { return "sequential rounding accumulator or MAC, one term per cycle"; }
  void addOptions(CLI::App& cmd) override {
    cmd.add_option("--a", a_, "format of a")->required();
    cmd.add_option("--b", b_, "format of b (with --mac; default: a's)");
    cmd.add_option("--out", out_, "format of the accumulator (default: a's)");
    cmd.add_flag("--mac", mac_, "accumulate a * b with one rounding (an fma) instead of a");
    common_.add(cmd);
    common_.addSaturationModes(cmd);
  }
  std::unique_ptr<Unit> build() const override {
    common_.validate();
    FaccSpec s;
    s.a = formatOption("--a", a_);
    requireFloat("--a", s.a, "facc");
    if (!b_.empty() && !mac_) throw UsageError("--b: only with --mac (facc accumulates a alone otherwise)");
    if (mac_) {
      s.b = formatOption("--b", b_.empty() ? a_ : b_);
      requireFloat("--b", *s.b, "facc");
    }
    s.out = formatOption("--out", out_.empty() ? a_ : out_);
    requireFloat("--out", s.out, "facc");
    if (common_.daz) throw UsageError("--daz: not supported by facc");
    if (common_.stages > 1)
      throw UsageError(fmt::format("--stages: {} would lengthen the one-cycle accumulation loop; accepted: 0 or 1 "
                                   "(1 registers the inputs)",
                                   common_.stages));
    const Architecture arch = common_.applyTo(s);
    std::vector<std::string> args = {"--a", s.a.name};
    if (s.b) args.insert(args.end(), {"--b", s.b->name, "--mac"});
    args.insert(args.end(), {"--out", s.out.name});
    common_.appendArgs(args);
    std::string module = common_.name;
    if (module.empty()) {
      module = std::string(s.b ? "fmac_" : "facc_") + s.a.tag();
      if (s.b && s.b->name != s.a.name) module += "_" + s.b->tag();
      module += "_" + s.out.tag() + common_.nameSuffix();
    }
    return std::make_unique<FaccUnit>(std::move(s), arch, module, std::move(args));
  }

 private:
  std::string a_, b_, out_;
  bool mac_ = false;
  CommonFpOptions common_;
};

}  // namespace

NF_REGISTER_OPERATOR(facc, FaccFactory)

}  // namespace nf
