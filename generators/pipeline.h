// The common end of a unit's datapath. Pipeline cut points themselves are vlog::Writer::cut (verilog.h): the
// writer finds what is live across each one.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "generators/verilog.h"

namespace nf::blocks {

// z_c (and flags_c) get output registers from cut `firstCut` up to `stages`, then drive z, flags and (when
// clocked) valid_out. `extraOutputs` (signal, port) are further signals that travel with z.
void emitPipelinedOutputs(vlog::Writer& w, bool flagsPort, int firstCut, int stages, bool clocked,
                          const std::vector<std::pair<std::string, std::string>>& extraOutputs = {});

}  // namespace nf::blocks
