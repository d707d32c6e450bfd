// What the arithmetic FP operators (fmul, fadd, fma) share beyond their emitters and corner cases: the unit
// that calls the model per vector and in batches, and the options (operand formats, --opt, the common ones)
// with their validation, canonical words and derived module name. Written once so the three stay alike.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "generators/common_options.h"
#include "generators/fp_ports.h"
#include "refmodels/format.h"

namespace CLI {
class App;
}

namespace nf {

// Inputs: N operands, then rm when the rounding is dynamic. Outputs: z, then flags when the spec has a flags
// port. `Model` is the bit-accurate model (spec, operands..., mode); `Fast` its batch twin, built from the spec.
template <class Spec, class Fast, auto Model, int N>
class FpArithUnit : public FpUnit<Spec> {
 public:
  using Emit = GeneratedModule (*)(const Spec&, const Architecture&, const std::string&, const std::string&);
  FpArithUnit(typename FpUnit<Spec>::Describe describe, Emit emit, std::string op, Spec spec, Architecture arch,
              std::string module, std::vector<std::string> args)
      : FpUnit<Spec>(describe, std::move(op), std::move(spec), arch, std::move(module), std::move(args)),
        emit_(emit), fast_(this->s_) {}
  GeneratedModule emitVerilog(const std::string& command) const override {
    return emit_(this->s_, this->arch_, this->moduleName(), command);
  }
  void emulate(const uint32_t* in, uint32_t* out) const override {
    store(call([this](auto... x) { return Model(this->s_, x...); }, in), out);
  }
  void emulateBatch(const uint32_t* in, uint32_t* out, size_t n) const override {
    const size_t iw = N + (this->s_.dynamicRounding ? 1 : 0), ow = this->s_.flagsPort ? 2 : 1;
    for (size_t i = 0; i < n; ++i, in += iw, out += ow) store(call(fast_, in), out);
  }

 private:
  template <class F>
  Packed call(const F& f, const uint32_t* in) const {
    const Rounding mode = this->s_.dynamicRounding ? roundingFromPort(in[N]) : this->s_.round.mode;
    if constexpr (N == 2) return f(in[0], in[1], mode);
    else return f(in[0], in[1], in[2], mode);
  }
  void store(const Packed& r, uint32_t* out) const {
    out[0] = r.bits;
    if (this->s_.flagsPort) out[1] = r.flags;
  }

  Emit emit_;
  Fast fast_;
};

// --a (required) and the other operands' formats (each defaulting to a's), --out (defaulting to the format of
// the operand `outDefault`), --opt, the common options and --sat.
class FpArithOptions {
 public:
  struct Operand {
    std::string name;  // "b": the option --b and the spec field b
    std::string help;  // "format of b (default: a's)"
  };
  FpArithOptions(std::string op, std::vector<Operand> operands, std::string outHelp, std::string outDefault,
                 std::string optHelp);
  const std::string& op() const { return op_; }
  void add(CLI::App& cmd);
  // The validated formats, the operands in order and then out; throws UsageError naming the option.
  std::vector<Format> formats() const;

  struct Built {
    Architecture arch;
    std::vector<std::string> args;  // the canonical words
    std::string module;
  };
  // After the spec's formats are set from formats(): the common settings copied into it, the architecture,
  // the canonical words and the module name (--name, or <op>_<a tag>[_<other tags>]<suffix>).
  template <class Spec>
  Built finish(Spec& s, const std::vector<Format>& formats) const {
    Built b;
    b.arch = common_.applyTo(s);
    finishArgs(b, formats);
    return b;
  }

 private:
  void finishArgs(Built& b, const std::vector<Format>& formats) const;

  std::string op_;
  std::vector<Operand> operands_;
  std::string outHelp_, outDefault_, optHelp_;
  std::vector<std::string> values_;  // one per operand, then out
  OptOption opt_;
  CommonFpOptions common_;
};

// The factory of an FpArithUnit: its options, and a spec whose format fields (`fields`, in the options' order: the
// operands, then out) are set from them.
template <class UnitT, class Spec>
class FpArithFactory : public OperatorFactory {
 public:
  FpArithFactory(std::string summary, std::vector<Format Spec::*> fields, FpArithOptions options)
      : summary_(std::move(summary)), fields_(std::move(fields)), options_(std::move(options)) {}
  std::string name() const override { return options_.op(); }
  std::string summary() const override { return summary_; }
  void addOptions(CLI::App& cmd) override { options_.add(cmd); }
  std::unique_ptr<Unit> build() const override {
    const std::vector<Format> f = options_.formats();
    Spec s;
    for (size_t i = 0; i < fields_.size(); ++i) s.*fields_[i] = f[i];
    FpArithOptions::Built b = options_.finish(s, f);
    return std::make_unique<UnitT>(std::move(s), b.arch, b.module, std::move(b.args));
  }

 private:
  std::string summary_;
  std::vector<Format Spec::*> fields_;
  FpArithOptions options_;
};

// Every pair of a corner value of A and one of B (formatCorners), the start of a two-operand corner list.
std::vector<std::pair<uint32_t, uint32_t>> cornerPairs(const Format& A, const Format& B);
// Operand pairs as co-simulation vectors (cornerVectorsWithRm).
std::vector<std::vector<uint32_t>> pairVectors(const std::vector<std::pair<uint32_t, uint32_t>>& pairs, const Format& A,
                                               const Format& B, bool dynamicRounding);

}  // namespace nf
