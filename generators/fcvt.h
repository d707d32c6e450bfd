#pragma once

#include <memory>

#include "generators/unit.h"
#include "refmodels/fcvt.h"

namespace nf {

std::unique_ptr<OperatorFactory> makeFcvtFactory();
// Emits the fcvt unit for a validated spec (module name given).
GeneratedModule emitFcvt(const FcvtSpec& spec, const std::string& moduleName, const std::string& command);

}  // namespace nf
