#include "generators/fp_arith.h"

#include <CLI/CLI.hpp>

#include "refmodels/corners.h"

namespace nf {

FpArithOptions::FpArithOptions(std::string op, std::vector<Operand> operands, std::string outHelp,
                               std::string outDefault, std::string optHelp)
    : op_(std::move(op)), operands_(std::move(operands)), outHelp_(std::move(outHelp)),
      outDefault_(std::move(outDefault)), optHelp_(std::move(optHelp)), values_(operands_.size() + 1) {}

void FpArithOptions::add(CLI::App& cmd) {
  for (size_t i = 0; i < operands_.size(); ++i) {
    CLI::Option* o = cmd.add_option("--" + operands_[i].name, values_[i], operands_[i].help);
    if (i == 0) o->required();
  }
  cmd.add_option("--out", values_.back(), outHelp_);
  opt_.add(cmd, optHelp_);
  common_.add(cmd);
  common_.addSaturationModes(cmd);
}

std::vector<Format> FpArithOptions::formats() const {
  common_.validate();
  std::vector<Format> f;
  std::string outDefault;
  for (size_t i = 0; i < operands_.size(); ++i) {
    const std::string option = "--" + operands_[i].name;
    f.push_back(formatOption(option, values_[i].empty() ? values_[0] : values_[i]));
    if (operands_[i].name == outDefault_) outDefault = f.back().name;
  }
  f.push_back(formatOption("--out", values_.back().empty() ? outDefault : values_.back()));
  for (size_t i = 0; i < f.size(); ++i)
    requireFloat(i < operands_.size() ? "--" + operands_[i].name : "--out", f[i], op_, true);
  requireUnsignedResultFromUnsigned(f.back(), {f.begin(), f.end() - 1}, op_);
  return f;
}

void FpArithOptions::finishArgs(Built& b, const std::vector<Format>& formats) const {
  bool mixed = false;
  for (size_t i = 0; i < formats.size(); ++i) {
    b.args.push_back(i < operands_.size() ? "--" + operands_[i].name : "--out");
    b.args.push_back(formats[i].name);
    mixed = mixed || formats[i].name != formats[0].name;
  }
  opt_.applyTo(b.arch, b.args);
  common_.appendArgs(b.args);
  b.module = common_.name;
  if (b.module.empty()) {
    b.module = op_ + "_" + formats[0].tag();
    if (mixed)
      for (size_t i = 1; i < formats.size(); ++i) b.module += "_" + formats[i].tag();
    b.module += common_.nameSuffix() + opt_.nameTag();
  }
}

std::vector<std::pair<uint32_t, uint32_t>> cornerPairs(const Format& A, const Format& B) {
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  const std::vector<uint32_t> ca = formatCorners(A), cb = formatCorners(B);
  for (uint32_t a : ca)
    for (uint32_t b : cb) pairs.emplace_back(a, b);
  return pairs;
}

std::vector<std::vector<uint32_t>> pairVectors(const std::vector<std::pair<uint32_t, uint32_t>>& pairs, const Format& A,
                                               const Format& B, bool dynamicRounding) {
  std::vector<std::vector<uint32_t>> operands;
  for (const auto& [a, b] : pairs) operands.push_back({a, b});
  return cornerVectorsWithRm(operands, {A.mask(), B.mask()}, dynamicRounding);
}

}  // namespace nf
