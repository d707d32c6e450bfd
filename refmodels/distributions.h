// Seeded test tensors for accuracy studies (numforge accuracy --dist, bench_quant, the quantizer tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nf {

// normal(0,1), laplace(0,1), uniform(-1,1), or outliers (normal(0,1) with one value in a thousand multiplied
// by 100). Throws std::invalid_argument for another name.
std::vector<float> makeDistribution(const std::string& dist, size_t n, uint64_t seed);
const char* distributionChoices();  // "normal, laplace, uniform, outliers"

}  // namespace nf
