#include "refmodels/distributions.h"

#include <fmt/format.h>

#include <random>
#include <stdexcept>

namespace nf {

const char* distributionChoices() { return "normal, laplace, uniform, outliers"; }

std::vector<float> makeDistribution(const std::string& dist, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<float> v(n);
  if (dist == "normal" || dist == "outliers") {
    std::normal_distribution<double> g(0, 1);
    for (float& x : v) x = float(g(rng));
    if (dist == "outliers")
      for (float& x : v)
        if (rng() % 1000 == 0) x *= 100;
  } else if (dist == "laplace") {
    std::exponential_distribution<double> e(1);
    for (float& x : v) x = float((rng() & 1) ? e(rng) : -e(rng));
  } else if (dist == "uniform") {
    std::uniform_real_distribution<double> u(-1, 1);
    for (float& x : v) x = float(u(rng));
  } else {
    throw std::invalid_argument(fmt::format("bad --dist '{}'; accepted: {}", dist, distributionChoices()));
  }
  return v;
}

}  // namespace nf
