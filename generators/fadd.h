#pragma once

#include <memory>

#include "generators/unit.h"
#include "refmodels/fadd.h"

namespace nf {

std::unique_ptr<OperatorFactory> makeFaddFactory();
// Emits the fadd unit for a validated spec (module name given).
GeneratedModule emitFadd(const FaddSpec& spec, const std::string& moduleName, const std::string& command);

}  // namespace nf
