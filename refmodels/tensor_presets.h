// Tensor-core emulation presets for `fdot --accum align`: named matrix instructions of NVIDIA and AMD GPUs as the
// parameters and rules of one fused dot product (one place; `fdot --emulate NAME` fills them, `numforge
// presets` lists them). Source of every entry: Microsoft's MMA-Sim (github.com/microsoft/MMA-Sim,
// mmasim/simulator/nv.py and arithmetic.py's nv_fused_dot_add, amd.py and amd_fused_dot_rd_add; arXiv
// 2511.10909), MIT licence.
#pragma once

#include <string>
#include <vector>

#include "refmodels/fdot.h"

namespace nf {

struct TensorCorePreset {
  std::string name;         // architecture-instruction-input type, e.g. hopper-wgmma-e4m3
  std::string instruction;  // the PTX instruction and qualifier it emulates
  std::string a, b, c, out;  // formats (c and out: the accumulator type)
  int n = 0;                 // k of the instruction: products per dot product
  int group = 0;             // products per fused group (0: all n, no split-k)
  int alignBits = 0;         // F: fraction bits kept below the largest exponent
  int outFracBits = 0;       // fraction bits of the result (0: all of out's; 13: f32 "e8m13")
  Rounding round = Rounding::RTZ;
  AlignRules rules;
  std::string source;   // the MMA-Sim code that states these parameters
  std::string differs;  // one sentence: what differs from IEEE arithmetic
};

const std::vector<TensorCorePreset>& tensorCorePresets();
// nullptr when there is no preset of that name.
const TensorCorePreset* findTensorCorePreset(const std::string& name);
// "volta-mma-f16, ampere-mma-f16, ..." for error messages.
std::string tensorCorePresetNames();
// One line on a spec's rules ("zero operand exponent -126, overflow to Inf, ...").
std::string describeAlignRules(const AlignRules& r);

}  // namespace nf
