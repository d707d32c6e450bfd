// Pieces the floating-point operators' emitters and units share beyond blocks.h: the header comment, the
// port list and the JSON manifest, so every operator documents itself alike.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "generators/unit.h"
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

std::string fpHeader(const FpUnitDescription& u, const std::string& module, const std::string& command);
// Writes `module <name> (` ... `);` with clk/rst/valid ports when pipelined, inputs, rm, z and flags.
void fpModulePorts(vlog::Writer& w, const FpUnitDescription& u, const std::string& module);
nlohmann::json fpManifest(const FpUnitDescription& u, const std::string& module, const std::vector<PortInfo>& in,
                          const std::vector<PortInfo>& out, const std::string& command);

}  // namespace nf
