#include "generators/fp_ports.h"

#include <fmt/format.h>

namespace nf {

std::string saturationText(const RoundOptions& r) {
  return r.saturate ? ", saturating" : r.satPropagate ? ", saturating finite overflows (satpropagate)" : "";
}

std::string roundingDescription(bool dynamicRounding, const RoundOptions& r) {
  return fmt::format("{}{}{}",
                     dynamicRounding ? "dynamic (rm port: 0 rne, 1 rtz, 2 rdn, 3 rup, 4 rna, 5 rod, 6-7 rne)"
                                     : roundingName(r.mode),
                     saturationText(r), r.ftz ? ", flush-to-zero" : "");
}

HeaderText fpHeaderText(const FpUnitDescription& s) {
  HeaderText h;
  h.summary = s.function;
  for (const auto& [name, f] : s.operands) h.operands.emplace_back(name, operandText(f));
  h.notes.push_back(fmt::format("Rounding: {}{}; flags port: {}", roundingDescription(s.dynamicRounding, s.round),
                                s.daz ? ", subnormal inputs as zero" : "", s.flagsPort ? "yes" : "no"));
  h.notes.push_back(pipelineLatencyNote(s.stages));
  return h;
}

std::string fpHeader(const FpUnitDescription& s, const std::string& module, const std::string& command) {
  return headerComment(module, s.op, fpHeaderText(s), command);
}

void fpModulePorts(vlog::Writer& w, const FpUnitDescription& s, const std::string& module) {
  w.open(fmt::format("module {} (", module));
  if (s.stages) {
    w.line("input  wire clk,");
    w.line("input  wire rst,");
    w.line("input  wire valid_in,");
  }
  for (size_t i = 0; i + 1 < s.operands.size(); ++i)
    w.line(fmt::format("input  wire {}{},", vlog::range(s.operands[i].second.width()), s.operands[i].first));
  if (s.dynamicRounding) w.line("input  wire [2:0] rm,");
  if (s.stages) w.line("output wire valid_out,");
  w.line(fmt::format("output wire {}z{}", vlog::range(s.operands.back().second.width()), s.flagsPort ? "," : ""));
  if (s.flagsPort) w.line("output wire [4:0] flags");
  w.close(");");
}

std::vector<PortInfo> fpInputs(const FpUnitDescription& s) {
  std::vector<PortInfo> in;
  for (size_t i = 0; i + 1 < s.operands.size(); ++i)
    in.push_back({s.operands[i].first, s.operands[i].second.width(), s.operands[i].second});
  if (s.dynamicRounding) in.push_back({"rm", 3, std::nullopt});
  return in;
}

std::vector<PortInfo> fpOutputs(const FpUnitDescription& s) {
  std::vector<PortInfo> out = {{"z", s.operands.back().second.width(), s.operands.back().second}};
  if (s.flagsPort) out.push_back({"flags", 5, std::nullopt});
  return out;
}

void describeRounding(nlohmann::json& j, bool dynamicRounding, const RoundOptions& round, bool flagsPort) {
  j["rounding"] = roundingManifestName(dynamicRounding, round.mode);
  j["saturate"] = round.saturate;
  if (round.satPropagate) j["sat"] = "satpropagate";  // only when set: the manifests of other units stay as they were
  j["ftz"] = round.ftz;
  j["flags"] = flagsPort;
}

void describeFp(nlohmann::json& j, const FpUnitDescription& s) {
  j["function"] = s.function;
  nlohmann::json formats = nlohmann::json::object();
  for (const auto& [name, f] : s.operands) formats[name == "z" ? "out" : name] = f.name;
  j["formats"] = formats;
  describeRounding(j, s.dynamicRounding, s.round, s.flagsPort);
  j["daz"] = s.daz;
}

}  // namespace nf

namespace nf {

void emitFpResultMux(vlog::Writer& w, const Format& out, const RoundOptions& round, bool flagsPort,
                     const FpResultMux& r) {
  const std::string infResult = blocks::infinityResultExpr(out, round.saturate, r.infSign);
  w.line(fmt::format("  wire {}z_c = {} ? {} : {} ? {} : {} ? {} : {};", vlog::range(out.width()), r.nan,
                     blocks::nanResultExpr(out), r.inf, infResult, r.zero, blocks::zeroResultExpr(out, r.zeroSign),
                     r.rounded));
  if (flagsPort) {
    w.line(fmt::format("  wire [4:0] flags_c = {} ? {{{}, 4'd0}} : {} ? {} : {} ? 5'd0 : "
                       "{}{{2'd0, rp_overflow, rp_underflow, rp_inexact}};",
                       r.nan, r.invalid, r.inf, vlog::lit(5, blocks::infinityResultFlags(out, round.saturate)), r.zero,
                       r.roundedFlagsCase));
  } else {
    w.line("  wire unused_flags = rp_inexact | rp_underflow | rp_overflow;");
  }
  if (!r.sinkUnusedSigns) return;
  if (!out.hasNegZero()) w.line(fmt::format("  wire unused_zero_sign = {};", r.zeroSign));
  if (infResult.find(r.infSign) == std::string::npos) w.line(fmt::format("  wire unused_inf_sign = {};", r.infSign));
}

}  // namespace nf
