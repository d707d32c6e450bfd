#pragma once

#include "generators/unit.h"
#include "refmodels/mxquant.h"

namespace nf {

// The spec of an mxquant unit, or nullptr for another operator (for `numforge accuracy`).
const MxQuantSpec* mxQuantSpecOf(const Unit& unit);

}  // namespace nf
