#pragma once

#include <memory>

#include "generators/unit_base.h"
#include "refmodels/fma.h"

namespace nf {

// Emits the fma unit for a validated spec (module name given); facc's MAC core and fdot's chain reuse it.
GeneratedModule emitFma(const FmaSpec& spec, const Architecture& arch, const std::string& moduleName,
                        const std::string& command);

}  // namespace nf
