#include "verif/workload.h"

#include <fmt/format.h>

#include <array>
#include <functional>
#include <random>

#include "refmodels/distributions.h"
#include "refmodels/rounding.h"
#include "verif/cosim.h"

namespace nf::verif {
namespace {

constexpr std::array<const char*, 3> kValueWorkloads = {"normal", "laplace", "outliers"};

bool isFloatPort(const PortInfo& p) { return p.format && p.format->isFloat() && p.width <= 32; }

uint32_t encode(double x, const Format& f) {
  RoundOptions opt;
  opt.saturate = true;  // a value beyond a narrow format's range is its largest, not an infinity or NaN
  return roundFromDouble(x, f, opt).bits & f.mask();
}

// Fills the floating-point ports of n vectors from next(), leaving the other ports at zero.
std::vector<uint32_t> valueVectors(const Unit& unit, uint64_t n, const std::function<double()>& next) {
  const size_t iw = unit.inputWords();
  std::vector<uint32_t> v(size_t(n) * iw, 0u);
  for (uint64_t i = 0; i < n; ++i) {
    size_t w = i * iw;
    for (const PortInfo& p : unit.inputs()) {
      if (isFloatPort(p)) v[w] = encode(next(), *p.format);
      w += size_t(p.words());
    }
  }
  return v;
}

// Co-simulation's own random vectors (verif::randomVector), so `uniform` is the stimulus the unit is verified with.
std::vector<uint32_t> randomBits(const Unit& unit, uint64_t n, uint64_t seed) {
  const size_t iw = unit.inputWords();
  std::vector<uint32_t> v(size_t(n) * iw, 0u);
  for (uint64_t i = 0; i < n; ++i) randomVector(unit, seed, i, i, v.data() + i * iw);
  return v;
}

size_t floatPortCount(const Unit& unit) {
  size_t k = 0;
  for (const PortInfo& p : unit.inputs()) k += isFloatPort(p) ? 1 : 0;
  return k;
}

}  // namespace

const char* workloadChoices() { return "uniform, normal, laplace, outliers, zeros"; }

bool isWorkload(const std::string& name) {
  if (name == "uniform" || name == "zeros") return true;
  for (const char* w : kValueWorkloads)
    if (name == w) return true;
  return false;
}

std::vector<uint32_t> workloadVectors(const Unit& unit, const std::string& workload, uint64_t n, uint64_t seed) {
  if (!isWorkload(workload))
    throw UsageError(fmt::format("--workload '{}': accepted values are {}", workload, workloadChoices()));
  if (workload == "zeros") return std::vector<uint32_t>(size_t(n) * unit.inputWords(), 0u);
  if (workload == "uniform") return randomBits(unit, n, seed);
  const std::vector<float> values = makeDistribution(workload, size_t(n) * std::max<size_t>(1, floatPortCount(unit)), seed);
  size_t at = 0;
  return valueVectors(unit, n, [&] { return double(values[at++ % values.size()]); });
}

std::vector<uint32_t> tensorVectors(const Unit& unit, const std::vector<float>& values, uint64_t n) {
  if (values.empty()) throw UsageError("--workload-file: the tensor has no elements");
  if (floatPortCount(unit) == 0)
    throw UsageError(fmt::format("--workload-file: {} has no floating-point input port to feed", unit.moduleName()));
  size_t at = 0;
  return valueVectors(unit, n, [&] { return double(values[at++ % values.size()]); });
}

}  // namespace nf::verif
