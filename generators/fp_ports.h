// Pieces the floating-point operators' emitters and units share beyond blocks.h: the header text, the port
// list and the manifest fields, so every operator documents itself alike.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "generators/unit.h"
#include "generators/unit_base.h"
#include "generators/verilog.h"
#include "refmodels/format.h"
#include "refmodels/rounding.h"

namespace nf {

struct FpUnitDescription {
  std::string op;        // "fadd"
  std::string function;  // "z = round(a + b)"
  std::vector<std::pair<std::string, Format>> operands;  // {"a", fmt}, ..., then {"z", out}
  RoundOptions round;
  bool dynamicRounding = false, daz = false, flagsPort = false;
  int stages = 0;
};

// "rne, saturating", or the rm port's encoding for dynamic rounding, for header comments.
std::string roundingDescription(bool dynamicRounding, const RoundOptions& r);
// ", saturating", ", saturating finite overflows (satpropagate)" or "" for a header's rounding line.
std::string saturationText(const RoundOptions& r);
// The manifest's "rounding": a mode's name or "dyn".
inline std::string roundingManifestName(bool dynamicRounding, Rounding mode) {
  return dynamicRounding ? "dyn" : roundingName(mode);
}

HeaderText fpHeaderText(const FpUnitDescription& u);
std::string fpHeader(const FpUnitDescription& u, const std::string& module, const std::string& command);
// Writes `module <name> (` ... `);` with clk/rst/valid ports when pipelined, inputs, rm, z and flags.
void fpModulePorts(vlog::Writer& w, const FpUnitDescription& u, const std::string& module);
// The ports fpModulePorts writes, without clk/rst/valid: the operands, rm; z, flags.
std::vector<PortInfo> fpInputs(const FpUnitDescription& u);
std::vector<PortInfo> fpOutputs(const FpUnitDescription& u);
// The manifest's "rounding", "saturate", "ftz" and "flags".
void describeRounding(nlohmann::json& j, bool dynamicRounding, const RoundOptions& round, bool flagsPort);
// An FP unit's manifest fields: function, formats (z as "out"), the rounding fields and daz.
void describeFp(nlohmann::json& j, const FpUnitDescription& u);

// The end of fmul's, fadd's and fma's datapath: z_c and flags_c (or the unused_flags sink) from the special cases
// and the rounded result (rp_z and its flags, instantiateRoundPack's outputs "rp").
struct FpResultMux {
  std::string nan, invalid, inf, infSign, zero, zeroSign;  // Verilog expressions
  std::string rounded = "rp_z";
  std::string roundedFlagsCase;  // a case ahead of the rounded flags: "c ? 5'd.. : "
  bool sinkUnusedSigns = false;  // sink infSign / zeroSign when the result encodings ignore them
};
void emitFpResultMux(vlog::Writer& w, const Format& out, const RoundOptions& round, bool flagsPort,
                     const FpResultMux& r);

// The base of the operators whose ports fpModulePorts writes (fmul, fadd, fma): ports, manifest fields and the
// result format from the operator's description of its spec.
template <class Spec>
class FpUnit : public OperatorUnit<Spec> {
 public:
  using Describe = FpUnitDescription (*)(const Spec&, int stages);
  FpUnit(Describe describe, std::string op, Spec spec, Architecture arch, std::string module,
         std::vector<std::string> args)
      : OperatorUnit<Spec>(std::move(op), std::move(spec), arch, std::move(module), std::move(args)),
        desc_(describe(this->s_, this->arch_.stages)) {
    this->in_ = fpInputs(desc_);
    this->out_ = fpOutputs(desc_);
  }
  std::optional<Format> resultFormat() const override { return this->s_.out; }

 protected:
  void describe(nlohmann::json& j) const override { describeFp(j, desc_); }

 private:
  FpUnitDescription desc_;
};

}  // namespace nf
