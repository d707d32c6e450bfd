#include "generators/pipeline.h"

#include <fmt/format.h>

namespace nf::blocks {

void Pipeline::define(const std::string& logical, int width) {
  names_[logical] = logical;
  widths_[logical] = width;
}

std::string Pipeline::valid() const { return cuts_ == 0 ? "valid_in" : fmt::format("valid_p{}", cuts_); }

void Pipeline::cut(bool registered, const std::vector<std::string>& live) {
  if (!registered) return;
  const std::string prevValid = valid();
  ++cuts_;
  w_.line(fmt::format("  // Pipeline register {}", cuts_));
  if (trackValid_) w_.line(fmt::format("  reg valid_p{};", cuts_));
  for (const std::string& s : live)
    w_.line(fmt::format("  reg {}{}_p{};", vlog::range(widths_.at(s)), s, cuts_));
  w_.line("  always @(posedge clk) begin");
  if (trackValid_) w_.line(fmt::format("    valid_p{} <= rst ? 1'b0 : {};", cuts_, prevValid));
  for (const std::string& s : live) w_.line(fmt::format("    {}_p{} <= {};", s, cuts_, names_.at(s)));
  w_.line("  end");
  for (const std::string& s : live) names_[s] = fmt::format("{}_p{}", s, cuts_);
}

void emitPipelinedOutputs(Pipeline& pipe, vlog::Writer& w, int zWidth, bool flagsPort, int firstCut, int stages,
                          bool clocked, const std::vector<std::pair<std::string, std::string>>& extraOutputs) {
  pipe.define("z_c", zWidth);
  pipe.define("flags_c", 5);
  std::vector<std::string> liveOut = {"z_c"};
  if (flagsPort) liveOut.push_back("flags_c");
  for (const auto& [logical, port] : extraOutputs) liveOut.push_back(logical);
  for (int i = firstCut; i < stages; ++i) pipe.cut(true, liveOut);
  w.line("  assign z = " + pipe("z_c") + ";");
  for (const auto& [logical, port] : extraOutputs) w.line("  assign " + port + " = " + pipe(logical) + ";");
  if (flagsPort) w.line("  assign flags = " + pipe("flags_c") + ";");
  if (clocked) w.line("  assign valid_out = " + pipe.valid() + ";");
}

}  // namespace nf::blocks
