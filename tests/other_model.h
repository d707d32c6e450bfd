// A stateful unit whose RTL is one unit's and whose model another's (e.g. the same options but another LFSR
// seed): co-simulating it must report mismatches, which shows the stream harness compares what it should.
#pragma once

#include <memory>

#include "generators/unit.h"

namespace nf::test {

class RtlWithOtherModel final : public Unit {
 public:
  RtlWithOtherModel(std::unique_ptr<Unit> rtl, std::unique_ptr<Unit> model) : rtl_(std::move(rtl)), model_(std::move(model)) {}
  std::string operatorName() const override { return rtl_->operatorName(); }
  std::string moduleName() const override { return rtl_->moduleName(); }
  std::vector<std::string> canonicalArgs() const override { return rtl_->canonicalArgs(); }
  const std::vector<PortInfo>& inputs() const override { return rtl_->inputs(); }
  const std::vector<PortInfo>& outputs() const override { return rtl_->outputs(); }
  int latency() const override { return rtl_->latency(); }
  GeneratedModule emit() const override { return rtl_->emit(); }
  void emulate(const uint32_t* in, uint32_t* out) const override { model_->emulate(in, out); }
  std::vector<std::vector<uint32_t>> cornerVectors() const override { return rtl_->cornerVectors(); }
  bool stateful() const override { return true; }
  int streamGroup() const override { return rtl_->streamGroup(); }
  std::unique_ptr<StreamModel> streamModel() const override { return model_->streamModel(); }

 private:
  std::unique_ptr<Unit> rtl_, model_;
};

}  // namespace nf::test
