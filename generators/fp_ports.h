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

std::string fpHeader(const FpUnitDescription& u, const std::string& module, const std::string& command);
// Writes `module <name> (` ... `);` with clk/rst/valid ports when pipelined, inputs, rm, z and flags.
void fpModulePorts(vlog::Writer& w, const FpUnitDescription& u, const std::string& module);
nlohmann::json fpManifest(const FpUnitDescription& u, const std::string& module, const std::vector<PortInfo>& in,
                          const std::vector<PortInfo>& out, const std::string& command);

}  // namespace nf
