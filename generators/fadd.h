#pragma once

#include <memory>

#include "generators/unit_base.h"
#include "refmodels/fadd.h"

namespace nf {

// Emits the fadd unit for a validated spec (module name given); facc's accumulation core reuses it.
GeneratedModule emitFadd(const FaddSpec& spec, const Architecture& arch, const std::string& moduleName,
                         const std::string& command);

}  // namespace nf
