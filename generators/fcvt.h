#pragma once

#include "generators/unit.h"
#include "refmodels/fcvt.h"

namespace nf {

// The spec of an fcvt unit, or nullptr for another operator (for `numforge accuracy`).
const FcvtSpec* fcvtSpecOf(const Unit& unit);
}  // namespace nf
