#include "generators/systemc.h"

#include <fmt/format.h>

namespace nf {

std::string systemcPortType(int width) {
  if (width == 1) return "bool";
  return fmt::format("sc_dt::{}<{}>", width <= 64 ? "sc_uint" : "sc_biguint", width);
}

std::string systemcModuleName(const Unit& unit) { return unit.moduleName() + "_sc"; }

namespace {

std::string cppString(const std::string& s) {
  std::string o = "\"";
  for (const char c : s) o += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return o + "\"";
}

}  // namespace

std::string systemcReadWords(const PortInfo& p, const std::string& value, const std::string& words, size_t first,
                             const std::string& indent) {
  if (p.width == 1) return fmt::format("{}{}[{}] = {} ? 1u : 0u;\n", indent, words, first, value);
  if (p.width <= 32) return fmt::format("{}{}[{}] = uint32_t({}.to_uint());\n", indent, words, first, value);
  std::string s;
  for (int k = 0; k < p.words(); ++k)
    s += fmt::format("{}{}[{}] = {}.range({}, {}).to_uint();\n", indent, words, first + size_t(k), value,
                     std::min(p.width - 1, 32 * k + 31), 32 * k);
  return s;
}

std::string systemcWriteWords(const PortInfo& p, const std::string& words, size_t first, const std::string& target,
                              const std::string& indent) {
  if (p.width == 1) return fmt::format("{}{}.write(({}[{}] & 1u) != 0);\n", indent, target, words, first);
  if (p.width <= 32) return fmt::format("{}{}.write({}[{}]);\n", indent, target, words, first);
  std::string s = fmt::format("{}{{\n{}  {} v = 0;\n", indent, indent, systemcPortType(p.width));
  for (int k = 0; k < p.words(); ++k)
    s += fmt::format("{}  v.range({}, {}) = {}[{}];\n", indent, std::min(p.width - 1, 32 * k + 31), 32 * k, words,
                     first + size_t(k));
  return s + fmt::format("{}  {}.write(v);\n{}}}\n", indent, target, indent);
}

namespace {

std::string portDeclarations(const Unit& unit, bool clocked) {
  std::string s;
  if (clocked) s += "  sc_core::sc_in<bool> clk{\"clk\"}, rst{\"rst\"}, valid_in{\"valid_in\"};\n";
  for (const PortInfo& p : unit.inputs())
    s += fmt::format("  sc_core::sc_in<{}> {}{{\"{}\"}};\n", systemcPortType(p.width), p.name, p.name);
  if (clocked) s += "  sc_core::sc_out<bool> valid_out{\"valid_out\"};\n";
  for (const PortInfo& p : unit.outputs())
    s += fmt::format("  sc_core::sc_out<{}> {}{{\"{}\"}};\n", systemcPortType(p.width), p.name, p.name);
  return s;
}

// gather(): the input ports as model words; drive(): model words to the output ports.
std::string portCopies(const Unit& unit) {
  std::string s = "  void gather(uint32_t* in) const {\n";
  size_t w = 0;
  for (const PortInfo& p : unit.inputs()) {
    s += systemcReadWords(p, p.name + ".read()", "in", w, "    ");
    w += size_t(p.words());
  }
  s += "  }\n  void drive(const uint32_t* out) {\n";
  w = 0;
  for (const PortInfo& p : unit.outputs()) {
    s += systemcWriteWords(p, "out", w, p.name, "    ");
    w += size_t(p.words());
  }
  return s + "  }\n";
}

std::string combinationalBody(const Unit& unit, const std::string& name) {
  std::string sens;
  for (const PortInfo& p : unit.inputs()) sens += " << " + p.name;
  return fmt::format(R"(  SC_CTOR({0}) : unit_(makeUnit()), in_(unit_->inputWords()), out_(unit_->outputWords()) {{
    SC_METHOD(evaluate);
    sensitive{1};
  }}

 private:
  void evaluate() {{
    gather(in_.data());
    unit_->emulate(in_.data(), out_.data());
    drive(out_.data());
  }}
)",
                     name, sens);
}

// A result travels through `latency` slots, one per rising edge, as the RTL's pipeline registers do.
std::string clockedBody(const Unit& unit, const std::string& name) {
  const std::string compute = unit.stateful() ? "model_->step(in_.data(), s.out.data());"
                                              : "unit_->emulate(in_.data(), s.out.data());";
  const std::string reset = unit.stateful() ? "\n      model_ = unit_->streamModel();" : "";
  return fmt::format(R"(  SC_CTOR({0}) : unit_(makeUnit()), in_(unit_->inputWords()) {{
    model_ = unit_->streamModel();
    pipe_.assign(kLatency, Slot{{false, std::vector<uint32_t>(unit_->outputWords(), 0u)}});
    SC_METHOD(tick);
    sensitive << clk.pos();
    dont_initialize();
  }}

 private:
  static constexpr size_t kLatency = {1};
  struct Slot {{
    bool valid;
    std::vector<uint32_t> out;
  }};

  // One rising edge: rst empties the pipeline (and resets the state); a valid input enters it.
  void tick() {{
    if (rst.read()) {{
      for (Slot& s : pipe_) s.valid = false;{2}
    }} else {{
      Slot s{{valid_in.read(), pipe_.back().out}};
      if (s.valid) {{
        gather(in_.data());
        {3}
      }}
      pipe_.pop_back();
      pipe_.push_front(std::move(s));
    }}
    valid_out.write(pipe_.back().valid);
    drive(pipe_.back().out.data());
  }}

  std::unique_ptr<nf::Unit::StreamModel> model_;
  std::deque<Slot> pipe_;
)",
                     name, unit.latency(), reset, compute);
}

}  // namespace

std::string systemcHeader(const Unit& unit) {
  if (unit.streamGroup() > 1)
    throw UsageError(fmt::format("--systemc: {} takes a block over several beats; its SystemC model is not written "
                                 "(units whose outputs follow their inputs cycle for cycle only)",
                                 unit.moduleName()));
  if (unit.stateful() && unit.latency() == 0)
    throw UsageError(fmt::format("--systemc: {} is stateful with latency 0, which the SystemC model does not cover",
                                 unit.moduleName()));
  const std::string name = systemcModuleName(unit);
  const bool clocked = unit.latency() > 0 || unit.stateful();
  std::string args;
  for (const std::string& a : unit.canonicalArgs()) args += (args.empty() ? "" : ", ") + cppString(a);
  std::string s = fmt::format(R"(// {0}: SystemC model of {1} (ports, widths and latency of the RTL; the numforge
// bit-accurate model computes every result). Build: the SystemC headers, -I<numforge source>, and link
// nf_generators, nf_refmodels, fmt and systemc.
// Command: {2} --systemc
#pragma once

#include <systemc>

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "generators/unit.h"

SC_MODULE({0}) {{
{3}
)",
                              name, unit.moduleName(), reproducingCommand(unit), portDeclarations(unit, clocked));
  s += clocked ? clockedBody(unit, name) : combinationalBody(unit, name);
  s += portCopies(unit);
  s += fmt::format(R"(  static std::unique_ptr<nf::Unit> makeUnit() {{ return nf::buildUnit({}, {{{}}}); }}

  std::unique_ptr<nf::Unit> unit_;
  std::vector<uint32_t> in_{{}};
)",
                   cppString(unit.operatorName()), args);
  if (!clocked) s += "  std::vector<uint32_t> out_;\n";
  return s + "};\n";
}

}  // namespace nf
