// A sweep point's accuracy axis. Quantizers (mxquant, nvfp4quant, per-tensor fcvt): QSNR, MSE, saturated and
// flushed fractions per distribution, from the functions `numforge accuracy` uses. Arithmetic units (fmul,
// fadd, fma, fdot): the relative error of the model's result (the RTL matches it bit for bit) against the exact
// value (MPFR) on seeded inputs drawn from each distribution: percentiles, and bits lost beyond the output's own
// rounding, so accumulation choices (exact, align, chain) get an accuracy axis too.
#pragma once

#include <nlohmann/json.hpp>

#include "generators/unit.h"
#include "synth/sweep_config.h"

namespace nf::sweep {

// {"kind": "quantizer" | "arithmetic", "dists": {name: {...figures}}, "accuracy_bits": x} or, for a unit
// without an accuracy measure here, {"kind": "none", "note": why}. accuracy_bits is the one number the report
// plots: QSNR / 6.02 for quantizers, -log2(p99 relative error) for arithmetic units (first distribution).
nlohmann::json measureAccuracy(const Unit& unit, const AccuracySettings& s, uint64_t seed, int threads);

}  // namespace nf::sweep
