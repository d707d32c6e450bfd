// How the hardware computes a unit's function: what changes only the circuit (its registers, its adder and
// multiplier structure, how many elements it takes per cycle), never a result bit. The models in refmodels/
// see only the function spec; one spec may have many architectures, and co-simulation checks each of them
// against the same model.
#pragma once

namespace nf {

struct Architecture {
  int stages = 0;  // pipeline registers (--stages); 0: combinational (or the operator's minimum)
  // --opt: single-path structures (area) or near/far paths and post-normalization (delay).
  enum class Optimize { Area, Delay } optimize = Optimize::Area;
  int lanes = 0;  // elements accepted per cycle (--lanes); 0: the whole block at once
};

}  // namespace nf
