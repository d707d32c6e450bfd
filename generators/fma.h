#pragma once

#include <memory>

#include "generators/unit.h"
#include "refmodels/fma.h"

namespace nf {

std::unique_ptr<OperatorFactory> makeFmaFactory();
// Emits the fma unit for a validated spec (module name given).
GeneratedModule emitFma(const FmaSpec& spec, const std::string& moduleName, const std::string& command);

}  // namespace nf
