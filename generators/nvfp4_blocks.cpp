// What the NVFP4 quantizer and dequantizer generators share: operand unpacking, the scale product, the round
// parameters and the --block check.
#include "generators/nvfp4_blocks.h"

#include "generators/instances.h"

#include <fmt/format.h>

#include "generators/instances.h"
#include "generators/unit.h"
#include "generators/verilog.h"
#include "refmodels/nvfp4quant.h"

namespace nf {

using blocks::Design;
using vlog::range;

// Instantiates an unpack block for `port` and declares its outputs as <prefix>_sign, ... .
Nvfp4Operand unpackPort(vlog::Writer& w, const blocks::Design& d, const blocks::Unpacked& u, const std::string& port, const std::string& p,
                        std::string& sink) {
  blocks::instantiateUnpack(w, d, u, p, port);
  sink += fmt::format(", {}_snan", p);
  return {p + "_sign", p + "_zero", p + "_inf", p + "_nan", p + "_sig", p + "_exp"};
}

// The exact product of the block scale's and the tensor scale's significands (both in [1,2)), normalized to
// [1,2) in `name` (sb + st bits) with `name`_hi = 1 when the product reached [2,4).
void scaleProduct(Design& d, vlog::Writer& w, const std::string& name, const std::string& sSig, int sb,
                  const std::string& tSig, int st) {
  const std::string mul = blocks::emitMultiplier(d, sb, st);
  const int W = sb + st;
  w.line(fmt::format("  wire {}{}_p;", range(W), name));
  w.line(fmt::format("  {} u_{}_mul (.x({}), .y({}), .p({}_p));", mul, name, sSig, tSig, name));
  w.line(fmt::format("  wire {}_hi = {}_p[{}];", name, name, W - 1));
  w.line(fmt::format("  wire {0}{1} = {1}_hi ? {1}_p : {{{1}_p[{2}:0], 1'b0}};", range(W), name, W - 2));
}

blocks::RoundPackParams nvfp4RoundParams(const Format& out, int expBits, int sigBits, Rounding mode, bool saturate) {
  blocks::RoundPackParams rp;
  rp.out = out;
  rp.expBits = expBits;
  rp.sigBits = sigBits;
  rp.leadingBitMayBeZero = true;
  rp.rounding = {false, mode};
  rp.saturate = saturate;
  return rp;
}

void checkBlock(int block) {
  if (block != kNvfp4Block)
    throw UsageError(fmt::format("bad --block {}; accepted: 16 (NVFP4 blocks are 16 elements; mxquant takes other sizes)",
                                 block));
}

}  // namespace nf
