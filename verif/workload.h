// The input vectors power simulation drives a unit with: random bits, a seeded distribution of values or a
// float32 tensor encoded in each input port's format, or all zeros.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "generators/unit.h"

namespace nf::verif {

// "uniform, normal, laplace, outliers, zeros": uniform is random bits on every input port (shaped like
// co-simulation's random vectors); normal, laplace and outliers are refmodels/distributions values rounded
// (nearest even, saturating) into each floating-point input port, with the other ports (rounding mode, random
// bits) at zero; zeros is every port at zero.
const char* workloadChoices();
bool isWorkload(const std::string& name);

// n vectors, n * unit.inputWords() words. Throws UsageError naming --workload for an unknown name.
std::vector<uint32_t> workloadVectors(const Unit& unit, const std::string& workload, uint64_t n, uint64_t seed);

// n vectors whose floating-point ports take the tensor's values in order (cycling when it is shorter).
// Throws UsageError naming --workload-file when the tensor is empty or the unit has no floating-point input.
std::vector<uint32_t> tensorVectors(const Unit& unit, const std::vector<float>& values, uint64_t n);

}  // namespace nf::verif
