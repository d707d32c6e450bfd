// Placing the shared blocks (blocks.h) in a parent module: the wires an instance drives and its instance line,
// written once, and the close of a top module. The operators' emitters call these instead of repeating the text.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "generators/blocks.h"
#include "generators/unit.h"
#include "generators/verilog.h"
#include "refmodels/format.h"
#include "refmodels/rounding.h"

namespace nf::blocks {

// One instance of `module` (a module of `d`) named `name`, ports connected in the order given: each port once,
// to an expression or to "" (an output left open). A port the module lacks, a port left out or connected twice,
// or an expression whose width the writer can tell and that differs from the port's throws std::logic_error
// (a generator bug, caught when the Verilog is made rather than by a simulator).
void instance(vlog::Writer& w, const Design& d, const std::string& module, const std::string& name,
              const std::vector<std::pair<std::string, std::string>>& connections);

// Declares the outputs of unpack block `u` as <p>_sign, <p>_zero, <p>_inf, <p>_nan, <p>_snan, <p>_sig<suffix>
// and <p>_exp<suffix>, and instantiates it as `instance` (default u_unpack_<p>) on input `x`. A block that leaves
// subnormals unnormalized also drives `subWire` (default unused_<p>_sub) from its is_sub port.
void instantiateUnpack(vlog::Writer& w, const Design& d, const Unpacked& u, const std::string& p, const std::string& x,
                       const std::string& suffix = "", std::string subWire = "", std::string instance = "");

// One round-and-pack instance u_round: inputs as Verilog expressions (rm, sr empty: the block has no such
// port), outputs <out>_z, <out>_inexact, <out>_underflow, <out>_overflow, declared here when `zWidth` > 0.
struct RoundPackInstance {
  std::string module;
  std::string out;
  int zWidth = 0;
  std::string sign, exp, sig, sticky = "1'b0", rm, sr;
};
void instantiateRoundPack(vlog::Writer& w, const Design& d, const RoundPackInstance& r);

// The round-and-pack that rounds into `out` with `round` (a fixed mode, or the rm port when `dynamicRounding`)
// values whose leading-bit exponents lie in expMin..expMax, given as exp (expBits, signed) and sig (sigBits).
RoundPackParams roundPackParams(const Format& out, const RoundOptions& round, bool dynamicRounding, int expBits,
                                int sigBits, int expMin, int expMax);

// Ends the top module being written in `w`, adds it to `d` under d.top() and returns the finished design.
GeneratedModule finishTop(Design& d, vlog::Writer& w);

}  // namespace nf::blocks
