#pragma once

#include <memory>

#include "generators/unit.h"
#include "refmodels/fmul.h"

namespace nf {

std::unique_ptr<OperatorFactory> makeFmulFactory();
// Emits the fmul unit for a validated spec (module name given).
GeneratedModule emitFmul(const FmulSpec& spec, const std::string& moduleName, const std::string& command);

}  // namespace nf
