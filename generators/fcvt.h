#pragma once

#include <memory>

#include "generators/unit.h"
#include "refmodels/fcvt.h"

namespace nf {

std::unique_ptr<OperatorFactory> makeFcvtFactory();
// The spec of an fcvt unit, or nullptr for another operator (for `numforge accuracy`).
const FcvtSpec* fcvtSpecOf(const Unit& unit);
// Emits the fcvt unit for a validated spec (module name given).
GeneratedModule emitFcvt(const FcvtSpec& spec, const std::string& moduleName, const std::string& command);

}  // namespace nf
