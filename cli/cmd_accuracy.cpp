// numforge accuracy <quantizer> ...: the quantization error of mxquant, nvfp4quant or per-tensor fcvt on a
// seeded distribution or a .npy float32 tensor (MSE, QSNR, max errors, saturated and flushed fractions).
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "generators/common_options.h"
#include "generators/fcvt.h"
#include "generators/mxquant.h"
#include "generators/nvfp4quant.h"
#include "refmodels/quant_stats.h"
#include "refmodels/rounding.h"

namespace nf::cli {
namespace {

constexpr uint64_t kMaxSamples = uint64_t(1) << 31;

// The quantizer the unit is, checked for what the tensor path measures.
struct Quantizer {
  const MxQuantSpec* mx;
  const Nvfp4QuantSpec* nv;
  const FcvtSpec* cv;
};

Quantizer quantizerOf(const Unit& unit) {
  const Quantizer q{mxQuantSpecOf(unit), nvfp4QuantSpecOf(unit), fcvtSpecOf(unit)};
  if (!q.mx && !q.nv && !q.cv)
    throw UsageError(fmt::format("accuracy: {} is not a quantizer; accepted: mxquant, nvfp4quant, fcvt (per-tensor "
                                 "scaling)",
                                 unit.operatorName()));
  if (q.cv) {
    if (!q.cv->a.isFloat() || !q.cv->out.isFloat())
      throw UsageError(fmt::format("accuracy fcvt: bad --a {} / --out {}: per-tensor scaling needs float formats on "
                                   "both sides; accepted: e.g. --a fp32 --out e4m3",
                                   q.cv->a.name, q.cv->out.name));
    if (q.cv->dynamicRounding || q.cv->round.mode == Rounding::SR)
      throw UsageError("accuracy fcvt: bad --round: dyn and sr are not measured; accepted: rne, rtz, rup, rdn, rna, rod");
  }
  if (q.mx && q.mx->mode == Rounding::SR)
    throw UsageError(fmt::format("accuracy: --round sr is not measured yet (the tensor path has no random source); "
                                 "accepted: --round {}",
                                 roundingChoices()));
  return q;
}

class AccuracyCommand final : public OperatorCommand {
 public:
  CLI::App* add(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "accuracy",
        "quantization error of mxquant, nvfp4quant or per-tensor fcvt on a seeded distribution or a .npy float32 "
        "tensor");
    cmd->add_option("--dist", dist_, "normal, laplace, uniform or outliers (normal with 1 in 1000 values x100)")
        ->default_str("normal");
    cmd->add_option("--samples", samples_, "values drawn from --dist")
        ->default_str("1048576")
        ->check(integerIn(1, kMaxSamples));
    addSeedOption(*cmd, seed_);
    cmd->add_option("--input", npyInput_, "a .npy file of float32 ('<f4', C order) instead of --dist");
    addThreadsOption(*cmd, threads_);
    attachOperators(*cmd);
    return cmd;
  }

  int run() override {
    auto unit = buildUnit();
    const Quantizer q = quantizerOf(*unit);
    std::string source;
    const std::vector<float> data = readTensor(source);
    uint32_t tensorScale = 0;
    const QuantStats st = q.mx   ? mxQuantStats(*q.mx, data.data(), data.size(), threads_)
                          : q.nv ? nvfp4QuantStats(*q.nv, data.data(), data.size(), threads_, &tensorScale)
                                 : perTensorQuantStats(*q.cv, data.data(), data.size(), threads_, &tensorScale);
    std::cout << fmt::format("{} on {}:\n", unit->moduleName(), source);
    if (!q.mx) {
      const Format fp32 = parseFormat("fp32");
      std::cout << fmt::format("  tensor scale  0x{:08x} ({:.9g} = fp32(amax / {}))\n", tensorScale,
                               fp32.toDouble(tensorScale),
                               q.nv ? kNvfp4TensorDivisor : q.cv->out.toDouble(q.cv->out.maxFiniteMag()));
    }
    std::cout << fmt::format("  elements      {}\n", st.elements);
    std::cout << fmt::format("  MSE           {:.6g}\n", st.mse);
    std::cout << fmt::format("  QSNR          {:.2f} dB\n", st.qsnrDb);
    std::cout << fmt::format("  max abs err   {:.6g}\n", st.maxAbsErr);
    std::cout << fmt::format("  max rel err   {:.6g}\n", st.maxRelErr);
    std::cout << fmt::format("  saturated     {:.6f} %\n", 100 * st.saturatedFrac);
    std::cout << fmt::format("  zero-flushed  {:.6f} %\n", 100 * st.zeroFlushedFrac);
    if (st.nanBlocks) std::cout << fmt::format("  NaN/Inf blocks (excluded)  {}\n", st.nanBlocks);
    return kExitOk;
  }

 private:
  // The tensor from --input or drawn from --dist, and `source` describing it.
  std::vector<float> readTensor(std::string& source) const {
    if (!npyInput_.empty()) {
      source = npyInput_;
      try {
        return readNpyFloat32(npyInput_);
      } catch (const std::runtime_error& e) {
        throw UsageError(e.what());
      }
    }
    source = fmt::format("{} x {} (seed {})", dist_, samples_, seed_);
    try {
      return makeDistribution(dist_, size_t(samples_), seed_);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }

  std::string dist_ = "normal", npyInput_;
  uint64_t samples_ = 1u << 20, seed_ = 1;
  int threads_ = 0;
};

}  // namespace

std::unique_ptr<Command> makeAccuracyCommand() { return std::make_unique<AccuracyCommand>(); }

}  // namespace nf::cli
