#pragma once

#include <memory>

#include "generators/unit.h"
#include "refmodels/facc.h"

namespace nf {

std::unique_ptr<OperatorFactory> makeFaccFactory();
GeneratedModule emitFacc(const FaccSpec& spec, const std::string& moduleName, const std::string& command);

}  // namespace nf
