// Co-simulation settings for tests: a few hundred thousand vectors at most, so a quick Verilator build
// matters more than lanes; one thread, since ctest runs tests in parallel already.
#pragma once

#include "refmodels/rounding.h"
#include "verif/cosim.h"

namespace nf::test {

inline verif::CosimOptions quickCosimOptions() {
  verif::CosimOptions opt;
  opt.threads = 1;
  opt.build.jobs = 1;
  opt.build.quickBuild = true;
  opt.build.cacheDir = NF_BINARY_DIR "/vcache";
  return opt;
}

// Corner cases, then `count` seeded random vectors (one in-order stream for stateful units).
inline verif::CosimReport quickRandomCosim(const Unit& unit, uint64_t count, uint64_t seed) {
  verif::CosimOptions opt = quickCosimOptions();
  opt.mode = verif::CosimOptions::Mode::Random;
  opt.count = count;
  opt.seed = seed;
  return verif::runCosim(unit, opt);
}

// The rm port's encoding (RISC-V / FPnew), spelled out here rather than taken from the code under test.
inline Rounding modeOfRm(uint32_t rm) {
  constexpr Rounding kModes[8] = {Rounding::RNE, Rounding::RTZ, Rounding::RDN, Rounding::RUP,
                                  Rounding::RNA, Rounding::ROD, Rounding::RNE, Rounding::RNE};
  return kModes[rm & 7u];
}

}  // namespace nf::test
