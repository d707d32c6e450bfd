#include "generators/pipeline.h"

namespace nf::blocks {

void emitPipelinedOutputs(vlog::Writer& w, bool flagsPort, int firstCut, int stages, bool clocked,
                          const std::vector<std::pair<std::string, std::string>>& extraOutputs) {
  for (int i = firstCut; i < stages; ++i) w.cut(true);
  w.line("  assign z = z_c;");
  for (const auto& [signal, port] : extraOutputs) w.line("  assign " + port + " = " + signal + ";");
  if (flagsPort) w.line("  assign flags = flags_c;");
  if (clocked) w.line("  assign valid_out = " + w.valid() + ";");
}

}  // namespace nf::blocks
