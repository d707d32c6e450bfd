// nf-sta-power SCRIPT ACTIVITIES: OpenSTA (its C++ library, Debian opensta-dev) computing the power of a mapped
// netlist twice: vectorless (its own propagation from the input activity the Tcl script sets) and from the
// per-net activities a simulation measured.
//
// Why a program linking OpenSTA rather than a Tcl script for `sta`: Debian 12's OpenSTA (2.0.17, 2019) has no
// read_vcd/read_saif, its `set_power_activity -pins` is broken, and its activity propagation overwrites
// activities set on internal pins. Here the propagation runs once, then every net's pins get the simulated
// activity, and each instance's power is asked for without propagating again.
//
// SCRIPT is a Tcl script of OpenSTA commands (read_liberty ... set_load, set_power_activity -input); ACTIVITIES
// has one line per net: `NAME TOGGLES_PER_CYCLE DUTY`. Output lines start with "NF-POWER "; power in watts.
#include "Machine.hh"  // Error.hh uses its THROW_DCL without including it

#include <tcl.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "Corner.hh"
#include "Liberty.hh"
#include "Network.hh"
#include "Power.hh"
#include "Sta.hh"
#include "StaMain.hh"

namespace sta {
extern const char* tcl_inits[];
}
extern "C" int Sta_Init(Tcl_Interp* interp);

namespace {

using namespace sta;

// Exposes the protected steps of Power that compute one instance from the activity map as it stands.
class ActivityPower : public Power {
 public:
  using Power::Power;
  void instancePower(const Instance* inst, LibertyCell* cell, const Corner* corner, PowerResult& result) {
    Power::power(inst, cell, corner, result);
  }
};

class PowerSta : public Sta {
 public:
  ActivityPower* activityPower() { return static_cast<ActivityPower*>(power_); }

 protected:
  void makePower() override { power_ = new ActivityPower(this); }
};

void printResult(const char* what, const PowerResult& r) {
  std::printf("NF-POWER %s %.9g %.9g %.9g\n", what, r.internal(), r.switching(), r.leakage());
}

struct Counts {
  long matched = 0, unmatched = 0;
};

// Sets every pin of each named net to the measured activity (per clock cycle) and duty.
Counts applyActivities(PowerSta& s, std::istream& in) {
  Network* network = s.network();
  Instance* top = network->topInstance();
  Counts c;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string name;
    float activity = 0, duty = 0;
    if (!(ss >> name >> activity >> duty)) continue;
    Net* net = network->findNet(top, name.c_str());
    if (!net) {
      if (c.unmatched++ < 10) std::printf("NF-POWER unmatched %s\n", name.c_str());
      continue;
    }
    ++c.matched;
    NetPinIterator* pins = network->pinIterator(net);
    while (pins->hasNext()) s.activityPower()->setPinActivity(pins->next(), activity, duty, PwrActivityOrigin::user);
    delete pins;
    // A port's net reaches the port's own pin too (OpenSTA seeds inputs there).
    if (Pin* portPin = network->findPin(top, name.c_str()))
      s.activityPower()->setPinActivity(portPin, activity, duty, PwrActivityOrigin::user);
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: nf-sta-power SCRIPT.tcl ACTIVITIES\n");
    return 2;
  }
  initSta();
  auto* s = new PowerSta;
  Sta::setSta(s);
  s->makeComponents();
  Tcl_Interp* interp = Tcl_CreateInterp();
  Tcl_Init(interp);
  Sta_Init(interp);
  s->setTclInterp(interp);
  evalTclInit(interp, tcl_inits);
  if (Tcl_Eval(interp, "sta::define_sta_cmds; namespace import sta::*") != TCL_OK ||
      Tcl_EvalFile(interp, argv[1]) != TCL_OK) {
    std::fprintf(stderr, "Error: %s\n", Tcl_GetStringResult(interp));
    return 1;
  }
  std::ifstream activities(argv[2]);
  if (!activities) {
    std::fprintf(stderr, "Error: cannot read %s\n", argv[2]);
    return 1;
  }
  const Corner* corner = s->cmdCorner();
  PowerResult total, sequential, combinational, macro, pad;
  // Also runs the propagation once, so that nothing later overwrites the activities set below.
  s->power(corner, total, sequential, combinational, macro, pad);
  printResult("vectorless", total);

  const Counts c = applyActivities(*s, activities);
  PowerResult simulated;
  LeafInstanceIterator* insts = s->network()->leafInstanceIterator();
  while (insts->hasNext()) {
    Instance* inst = insts->next();
    if (LibertyCell* cell = s->network()->libertyCell(inst)) {
      PowerResult r;
      s->activityPower()->instancePower(inst, cell, corner, r);
      simulated.incr(r);
    }
  }
  delete insts;
  printResult("simulated", simulated);
  std::printf("NF-POWER nets %ld %ld\n", c.matched, c.unmatched);
  return 0;
}
