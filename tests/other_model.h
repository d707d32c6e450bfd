// Units that wrap another unit to plant a difference between RTL and model, so a test can show the
// co-simulation harness reports it. ForwardingUnit passes every question to the wrapped unit; a wrapper
// overrides only what it plants.
#pragma once

#include <memory>

#include "generators/unit.h"

namespace nf::test {

class ForwardingUnit : public Unit {
 public:
  explicit ForwardingUnit(std::unique_ptr<Unit> wrapped) : u_(std::move(wrapped)) {}
  std::string operatorName() const override { return u_->operatorName(); }
  std::string moduleName() const override { return u_->moduleName(); }
  std::vector<std::string> canonicalArgs() const override { return u_->canonicalArgs(); }
  const std::vector<PortInfo>& inputs() const override { return u_->inputs(); }
  const std::vector<PortInfo>& outputs() const override { return u_->outputs(); }
  int latency() const override { return u_->latency(); }
  GeneratedModule emit() const override { return u_->emit(); }
  void emulate(const uint32_t* in, uint32_t* out) const override { u_->emulate(in, out); }
  std::vector<std::vector<uint32_t>> cornerVectors() const override { return u_->cornerVectors(); }
  bool stateful() const override { return u_->stateful(); }
  int streamGroup() const override { return u_->streamGroup(); }
  std::unique_ptr<StreamModel> streamModel() const override { return u_->streamModel(); }

 protected:
  const Unit& wrapped() const { return *u_; }

 private:
  std::unique_ptr<Unit> u_;
};

// A stateful unit whose RTL is one unit's and whose model another's (e.g. the same options but another LFSR
// seed): co-simulating it must report mismatches, which shows the stream harness compares what it should.
class RtlWithOtherModel final : public ForwardingUnit {
 public:
  RtlWithOtherModel(std::unique_ptr<Unit> rtl, std::unique_ptr<Unit> model)
      : ForwardingUnit(std::move(rtl)), model_(std::move(model)) {}
  void emulate(const uint32_t* in, uint32_t* out) const override { model_->emulate(in, out); }
  bool stateful() const override { return true; }
  std::unique_ptr<StreamModel> streamModel() const override { return model_->streamModel(); }

 private:
  std::unique_ptr<Unit> model_;
};

}  // namespace nf::test
