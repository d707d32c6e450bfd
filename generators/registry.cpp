// The operator table (NF_OPERATORS, through generators/operators.h) and the glue every entry point shares to
// build a Unit from option words.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "generators/operators.h"
#include "generators/unit.h"

namespace nf {

size_t Unit::inputWords() const {
  size_t n = 0;
  for (const PortInfo& p : inputs()) n += size_t(p.words());
  return n;
}
size_t Unit::outputWords() const {
  size_t n = 0;
  for (const PortInfo& p : outputs()) n += size_t(p.words());
  return n;
}
void Unit::emulateBatch(const uint32_t* in, uint32_t* out, size_t n) const {
  const size_t iw = inputWords(), ow = outputWords();
  for (size_t i = 0; i < n; ++i) emulate(in + i * iw, out + i * ow);
}

uint64_t Unit::inputBits() const {
  uint64_t n = 0;
  for (const PortInfo& p : inputs()) n += uint64_t(p.width);
  return n;
}

std::vector<std::unique_ptr<OperatorFactory>> makeOperatorFactories() {
  std::vector<std::unique_ptr<OperatorFactory>> v;
#define NF_ADD_FACTORY(op) v.push_back(operators::op());
  NF_FOR_EACH_OPERATOR(NF_ADD_FACTORY)
#undef NF_ADD_FACTORY
  return v;
}

std::string operatorChoices() {
  std::string s;
  for (const auto& f : makeOperatorFactories()) s += (s.empty() ? "" : ", ") + f->name();
  return s;
}

std::unique_ptr<Unit> buildUnit(const std::string& op, const std::vector<std::string>& args) {
  for (auto& factory : makeOperatorFactories()) {
    if (factory->name() != op) continue;
    CLI::App app{"numforge " + op};
    factory->addOptions(app);
    std::vector<std::string> rev(args.rbegin(), args.rend());
    try {
      app.parse(rev);
    } catch (const CLI::ParseError& e) {
      throw UsageError(fmt::format("{}: {}", op, e.what()));
    }
    return factory->build();
  }
  throw UsageError(fmt::format("unknown operator '{}'; accepted: {}", op, operatorChoices()));
}

nlohmann::json manifestPorts(const std::vector<PortInfo>& in, const std::vector<PortInfo>& out, bool clocked) {
  nlohmann::json ports = nlohmann::json::array();
  if (clocked)
    for (const char* p : {"clk", "rst", "valid_in"}) ports.push_back({{"name", p}, {"dir", "in"}, {"width", 1}});
  for (const PortInfo& p : in) ports.push_back({{"name", p.name}, {"dir", "in"}, {"width", p.width}});
  if (clocked) ports.push_back({{"name", "valid_out"}, {"dir", "out"}, {"width", 1}});
  for (const PortInfo& p : out) ports.push_back({{"name", p.name}, {"dir", "out"}, {"width", p.width}});
  return ports;
}

std::string reproducingCommand(const Unit& unit) {
  std::string s = "numforge gen " + unit.operatorName();
  for (const std::string& a : unit.canonicalArgs()) {
    const bool quote = a.find_first_of(" ,=") != std::string::npos;
    s += " " + (quote ? "'" + a + "'" : a);
  }
  return s;
}

}  // namespace nf
