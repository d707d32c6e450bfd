#pragma once

#include <memory>

#include "generators/unit.h"
#include "refmodels/fdot.h"

namespace nf {

std::unique_ptr<OperatorFactory> makeFdotFactory();
GeneratedModule emitFdot(const FdotSpec& spec, const std::string& moduleName, const std::string& command);

}  // namespace nf
