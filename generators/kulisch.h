#pragma once

#include <memory>

#include "generators/unit.h"
#include "refmodels/kulisch.h"

namespace nf {

std::unique_ptr<OperatorFactory> makeKulischFactory();
GeneratedModule emitKulisch(const KulischSpec& spec, const std::string& moduleName, const std::string& command);

}  // namespace nf
