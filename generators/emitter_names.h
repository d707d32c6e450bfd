// The names every emitter uses unqualified (the design being built, the Verilog literal and range helpers),
// brought in by one `using namespace nf::emitter_names;` in an emitter's .cpp.
#pragma once

#include "generators/blocks.h"
#include "generators/pipeline.h"
#include "generators/verilog.h"

namespace nf::emitter_names {

using blocks::Design;
using vlog::bits;
using vlog::lit;
using vlog::range;
using vlog::slit;

}  // namespace nf::emitter_names
