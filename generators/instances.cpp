#include "generators/instances.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "generators/unit_base.h"

namespace nf::blocks {

using vlog::range;

void instance(vlog::Writer& w, const Design& d, const std::string& module, const std::string& name,
              const std::vector<std::pair<std::string, std::string>>& connections) {
  const std::vector<Design::Port>& ports = d.ports(module);
  std::string conns;
  std::set<std::string> seen;
  for (const auto& [port, expr] : connections) {
    const auto p = std::find_if(ports.begin(), ports.end(), [&](const Design::Port& q) { return q.name == port; });
    if (p == ports.end()) throw std::logic_error(fmt::format("{} {}: module {} has no port {}", module, name, module, port));
    if (!seen.insert(port).second) throw std::logic_error(fmt::format("{} {}: port {} connected twice", module, name, port));
    const int width = w.widthOf(expr);
    if (width >= 0 && width != p->width)
      throw std::logic_error(fmt::format("{} {}: port {} is {} bits, connected to {} ({} bits)", module, name, port,
                                         p->width, expr, width));
    conns += fmt::format("{}.{}({})", conns.empty() ? "" : ", ", port, expr);
  }
  for (const Design::Port& p : ports)
    if (!seen.count(p.name)) throw std::logic_error(fmt::format("{} {}: port {} not connected", module, name, p.name));
  w.line(fmt::format("  {} {} ({});", module, name, conns));
}

void instantiateUnpack(vlog::Writer& w, const Design& d, const Unpacked& u, const std::string& p, const std::string& x,
                       const std::string& suffix, std::string subWire, std::string instance) {
  if (subWire.empty()) subWire = "unused_" + p + "_sub";
  if (instance.empty()) instance = "u_unpack_" + p;
  w.wires(1, {p + "_sign", p + "_zero", p + "_inf", p + "_nan", p + "_snan"});
  w.wires(u.sigBits, {p + "_sig" + suffix});
  w.wires(u.expBits, {p + "_exp" + suffix});
  if (!u.normalized) w.wires(1, {subWire});
  std::vector<std::pair<std::string, std::string>> c = {{"x", x},          {"sign", p + "_sign"}, {"is_zero", p + "_zero"},
                                                        {"is_inf", p + "_inf"}, {"is_nan", p + "_nan"}, {"is_snan", p + "_snan"}};
  if (!u.normalized) c.emplace_back("is_sub", subWire);
  c.emplace_back("sig", p + "_sig" + suffix);
  c.emplace_back("exp", p + "_exp" + suffix);
  blocks::instance(w, d, u.module, instance, c);
}

void instantiateRoundPack(vlog::Writer& w, const Design& d, const RoundPackInstance& r) {
  if (r.zWidth > 0) {
    w.wires(r.zWidth, {r.out + "_z"});
    w.wires(1, {r.out + "_inexact", r.out + "_underflow", r.out + "_overflow"});
  }
  std::vector<std::pair<std::string, std::string>> c = {
      {"sign", r.sign}, {"exp", r.exp}, {"sig", r.sig}, {"sticky_in", r.sticky}};
  if (!r.rm.empty()) c.emplace_back("rm", r.rm);
  if (!r.sr.empty()) c.emplace_back("sr", r.sr);
  for (const char* o : {"z", "inexact", "underflow", "overflow"}) c.emplace_back(o, r.out + "_" + o);
  instance(w, d, r.module, "u_round", c);
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
