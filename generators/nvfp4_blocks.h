// What the NVFP4 quantizer and dequantizer generators share (generators/nvfp4quant.cpp, nvfp4dequant.cpp).
#pragma once

#include <string>

#include "generators/blocks.h"
#include "generators/verilog.h"
#include "refmodels/format.h"
#include "refmodels/rounding.h"

namespace nf {

struct Nvfp4Operand {
  std::string sign, zero, inf, nan, sig, exp;
};

// Instantiates an unpack block for `port` and declares its outputs as <prefix>_sign, ... .
Nvfp4Operand unpackPort(vlog::Writer& w, const blocks::Design& d, const blocks::Unpacked& u, const std::string& port, const std::string& p,
                        std::string& sink);
// The exact product of the block scale's and the tensor scale's significands (both in [1,2)), normalized to
// [1,2) in `name` (sb + st bits) with `name`_hi = 1 when the product reached [2,4).
void scaleProduct(blocks::Design& d, vlog::Writer& w, const std::string& name, const std::string& sSig, int sb,
                  const std::string& tSig, int st);
blocks::RoundPackParams nvfp4RoundParams(const Format& out, int expBits, int sigBits, Rounding mode, bool saturate);
// --block: NVFP4 blocks are 16 elements; throws UsageError otherwise.
void checkBlock(int block);

}  // namespace nf
