#include "generators/instances.h"

#include <fmt/format.h>

#include "generators/unit_base.h"

namespace nf::blocks {

using vlog::range;

void instantiateUnpack(vlog::Writer& w, const Unpacked& u, const std::string& p, const std::string& x,
                       const std::string& suffix, std::string subWire, std::string instance) {
  if (subWire.empty()) subWire = "unused_" + p + "_sub";
  if (instance.empty()) instance = "u_unpack_" + p;
  w.line(fmt::format("  wire {0}_sign, {0}_zero, {0}_inf, {0}_nan, {0}_snan;", p));
  w.line(fmt::format("  wire {}{}_sig{};", range(u.sigBits), p, suffix));
  w.line(fmt::format("  wire {}{}_exp{};", range(u.expBits), p, suffix));
  if (!u.normalized) w.line(fmt::format("  wire {};", subWire));
  w.line(fmt::format("  {0} {5} (.x({2}), .sign({1}_sign), .is_zero({1}_zero), .is_inf({1}_inf), "
                     ".is_nan({1}_nan), .is_snan({1}_snan),{4} .sig({1}_sig{3}), .exp({1}_exp{3}));",
                     u.module, p, x, suffix, u.normalized ? "" : fmt::format(" .is_sub({}),", subWire), instance));
}

void instantiateRoundPack(vlog::Writer& w, const RoundPackInstance& r) {
  if (r.zWidth > 0) {
    w.line(fmt::format("  wire {}{}_z;", range(r.zWidth), r.out));
    w.line(fmt::format("  wire {0}_inexact, {0}_underflow, {0}_overflow;", r.out));
  }
  w.line(fmt::format("  {} u_round (.sign({}), .exp({}), .sig({}), .sticky_in({}),{}{} .z({}_z), "
                     ".inexact({}_inexact), .underflow({}_underflow), .overflow({}_overflow));",
                     r.module, r.sign, r.exp, r.sig, r.sticky, r.rm.empty() ? "" : fmt::format(" .rm({}),", r.rm),
                     r.sr.empty() ? "" : fmt::format(" .sr({}),", r.sr), r.out, r.out, r.out, r.out));
}

RoundPackParams roundPackParams(const Format& out, const RoundOptions& round, bool dynamicRounding, int expBits,
                                int sigBits, int expMin, int expMax) {
  RoundPackParams rp;
  rp.out = out;
  rp.expBits = expBits;
  rp.sigBits = sigBits;
  rp.rounding = {dynamicRounding, round.mode};
  rp.saturate = round.clampsOverflow();
  rp.ftz = round.ftz;
  rp.needSubnormalPath = expMin < out.emin();
  rp.needOverflow = expMax >= out.emax();
  return rp;
}

GeneratedModule finishTop(Design& d, vlog::Writer& w) {
  d.close(d.top(), w);
  return generatedModule(d);
}

}  // namespace nf::blocks
