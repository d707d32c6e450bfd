// Drives a Verilated unit with vectors (exhaustive, corner cases + seeded random, or a TestFloat file) and
// compares every output with the unit's own model, bit for bit, across threads.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "generators/unit.h"
#include "verif/sim_build.h"

namespace nf::verif {

struct CosimOptions {
  enum class Mode { Exhaustive, Random, Vectors };
  Mode mode = Mode::Random;
  uint64_t count = 100000;   // random vectors after the corner cases
  uint64_t seed = 1;
  std::string vectorsPath;   // Mode::Vectors: a file, or "-" for stdin
  int threads = 0;           // 0: all cores
  bool checkNans = false;    // with --vectors: NaN results must match bit for bit
  bool progress = false;     // progress on stderr for runs over two seconds
  BuildOptions build;
};

struct CosimReport {
  uint64_t vectors = 0;
  uint64_t mismatches = 0;
  double seconds = 0;       // driving and comparing, without the build
  double buildSeconds = 0;
  bool buildCached = false;
  std::string firstMismatch;  // inputs, expected and got, in hex and decoded
  double rate() const { return seconds > 0 ? double(vectors) / seconds : 0; }
};

// Largest input space --exhaustive accepts, in bits.
constexpr int kMaxExhaustiveBits = 32;

// Throws UsageError for bad options or a malformed vector file, SimError when the build fails.
CosimReport runCosim(const Unit& unit, const CosimOptions& opt);

// One external expectation: the inputs and the expected outputs (flags optional).
struct ExternalVector {
  std::vector<uint32_t> in;
  std::vector<uint32_t> expected;
  bool hasFlags = false;
  size_t line = 0;
};
// TestFloat's line format: one hex word per input port, then the result, then (optionally) the flags.
std::vector<ExternalVector> readVectors(const Unit& unit, std::istream& in, const std::string& source);

// A hex encoding ("0x" optional) of at most `width` bits as its ceil(width / 32) words, least significant first
// (the one hex parser: vector files here, `eval` inputs in cli/); false when it is empty, holds a character
// that is not a hex digit, or sets a bit at or above `width`.
bool parseHexWords(const std::string& tok, int width, std::vector<uint32_t>& words);

std::string describeInputs(const Unit& unit, const uint32_t* in);
std::string describeOutputs(const Unit& unit, const uint32_t* out);
// Random vector `index` of a run seeded `seed`: every port's bits from a counter-based generator (so any
// vector can be made on its own, by any thread), then the unit's own shaping of vector `shapeIndex`. Co-simulation's
// random vectors and the energy workload `uniform` are both this.
void randomVector(const Unit& unit, uint64_t seed, uint64_t index, uint64_t shapeIndex, uint32_t* in);

std::string describeMismatch(const Unit& unit, const uint32_t* in, const uint32_t* expected, const uint32_t* got);

}  // namespace nf::verif
