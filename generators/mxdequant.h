#pragma once

#include <memory>

#include "generators/unit.h"
#include "refmodels/mxdequant.h"

namespace nf {

std::unique_ptr<OperatorFactory> makeMxDequantFactory();
GeneratedModule emitMxDequant(const MxDequantSpec& spec, const std::string& moduleName, const std::string& command);

}  // namespace nf
