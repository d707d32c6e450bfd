// Pipeline cut points: the datapath names its live signals at each point, and a registered cut turns them
// into flops (plus a reset valid bit), so the same emitter code yields the combinational and pipelined units.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "generators/verilog.h"

namespace nf::blocks {

class Pipeline {
 public:
  // trackValid false: the cuts register data only (a submodule whose valid bit its parent's pipeline keeps).
  explicit Pipeline(vlog::Writer& w, bool trackValid = true) : w_(w), trackValid_(trackValid) {}
  // Records a datapath signal; until a registered cut its Verilog name is its logical name.
  void define(const std::string& logical, int width);
  const std::string& operator()(const std::string& logical) const { return names_.at(logical); }
  // A cut point: when registered, every signal in `live` gets a flop stage and valid advances.
  void cut(bool registered, const std::vector<std::string>& live);
  int registeredCuts() const { return cuts_; }
  std::string valid() const;  // the valid bit at the current stage ("valid_in" before any cut)

 private:
  vlog::Writer& w_;
  bool trackValid_;
  std::map<std::string, std::string> names_;
  std::map<std::string, int> widths_;
  int cuts_ = 0;
};

// The common end of a unit's datapath: z_c (and flags_c) get output registers from cut `firstCut` up to
// `stages`, then drive z, flags and (when clocked) valid_out. `extraOutputs` (logical name, port) are
// further defined signals that travel with z.
void emitPipelinedOutputs(Pipeline& pipe, vlog::Writer& w, int zWidth, bool flagsPort, int firstCut, int stages,
                          bool clocked, const std::vector<std::pair<std::string, std::string>>& extraOutputs = {});

}  // namespace nf::blocks
