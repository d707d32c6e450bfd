// The uniform interface every operator implements (in the manner of a Yosys pass or a FloPoCo operator):
// a validated instance knows its ports, emits its Verilog and emulates itself bit for bit.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "refmodels/format.h"

namespace CLI {
class App;
}

namespace nf {

// Bad user input: the CLI prints the message and exits with status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct PortInfo {
  std::string name;
  int width = 0;
  std::optional<Format> format;  // how to decode the value in messages
  int words() const { return (width + 31) / 32; }
};

struct GeneratedModule {
  std::string name;
  std::string verilog;
  nlohmann::json manifest;
};

class Unit {
 public:
  virtual ~Unit() = default;
  virtual std::string operatorName() const = 0;
  virtual std::string moduleName() const = 0;
  // The normalized options that rebuild this unit: `numforge gen <op> <canonicalArgs>`.
  virtual std::vector<std::string> canonicalArgs() const = 0;
  virtual const std::vector<PortInfo>& inputs() const = 0;  // data inputs, in vector order
  virtual const std::vector<PortInfo>& outputs() const = 0;
  virtual int latency() const = 0;  // 0: combinational; otherwise clk, rst, valid_in, valid_out ports
  virtual GeneratedModule emit() const = 0;
  // One vector: input words (each port packed in ceil(width/32) words, in port order) to output words.
  virtual void emulate(const uint32_t* in, uint32_t* out) const = 0;
  // n vectors at once; operators override it with a specialized loop where co-simulation speed matters.
  virtual void emulateBatch(const uint32_t* in, uint32_t* out, size_t n) const;
  // Vectors every random run starts with: the corner cases this operator's formats define.
  virtual std::vector<std::vector<uint32_t>> cornerVectors() const = 0;
  // Stateful units (accumulators, units with an LFSR) depend on earlier inputs: they always have clk, rst,
  // valid_in and valid_out, are co-simulated in order on one lane, and are modelled by a StreamModel that
  // steps once per valid input. Their emulate() is not used by the harness.
  virtual bool stateful() const { return false; }
  class StreamModel {
   public:
    virtual ~StreamModel() = default;
    // One valid input: the outputs the unit shows for it (after `latency()` clock edges; with latency 0,
    // before the edge that consumes it).
    virtual void step(const uint32_t* in, uint32_t* out) = 0;
    // Units with streamGroup() > 1: one group of that many valid inputs (consecutive vectors) -> the outputs the
    // unit shows with valid_out for them, in order, one vector each.
    virtual void stepGroup(const uint32_t* in, uint32_t* out) { step(in, out); }
  };
  // Stateful units whose valid_out does not follow valid_in cycle for cycle (a block arriving over K/L beats,
  // then leaving over K/L beats): the harness feeds groups of this many valid inputs and compares the outputs of
  // every valid_out cycle, in order, with StreamModel::stepGroup's. 0: outputs follow inputs (latency()).
  virtual int streamGroup() const { return 0; }
  // A model in the unit's reset state; only for stateful units.
  virtual std::unique_ptr<StreamModel> streamModel() const { return nullptr; }
  // Lets a unit bias seeded random vectors (e.g. make `clear` rare in a long accumulation); index counts
  // from the first random vector.
  virtual void shapeRandomVector(uint32_t* /*in*/, uint64_t /*index*/) const {}
  // Output ports whose value may be any NaN when comparing with external expectations (TestFloat rule).
  virtual std::optional<Format> resultFormat() const { return std::nullopt; }

  size_t inputWords() const;
  size_t outputWords() const;
  uint64_t inputBits() const;
};

// One per operator: binds its options to a CLI11 command and builds a validated Unit from them.
class OperatorFactory {
 public:
  virtual ~OperatorFactory() = default;
  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;
  virtual void addOptions(CLI::App& cmd) = 0;
  virtual std::unique_ptr<Unit> build() const = 0;  // throws UsageError naming the bad field
};

std::vector<std::unique_ptr<OperatorFactory>> makeOperatorFactories();
// Builds a unit from an operator name and option words, as the CLI would; throws UsageError.
std::unique_ptr<Unit> buildUnit(const std::string& op, const std::vector<std::string>& args);

// A manifest's "ports" list: clk, rst, valid_in first and valid_out before the outputs when `clocked`.
nlohmann::json manifestPorts(const std::vector<PortInfo>& in, const std::vector<PortInfo>& out, bool clocked);

// "numforge gen <op> <args...>", the reproducing command recorded in headers and manifests.
std::string reproducingCommand(const Unit& unit);

}  // namespace nf
