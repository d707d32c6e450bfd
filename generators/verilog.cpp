#include "generators/verilog.h"

#include <fmt/format.h>

namespace nf::vlog {

Writer& Writer::line(const std::string& s) {
  if (!s.empty()) out_.append(size_t(depth_) * 2, ' ').append(s);
  out_ += '\n';
  return *this;
}
Writer& Writer::open(const std::string& s) {
  line(s);
  ++depth_;
  return *this;
}
Writer& Writer::close(const std::string& s) {
  --depth_;
  return line(s);
}
Writer& Writer::reopen(const std::string& s) {
  --depth_;
  line(s);
  ++depth_;
  return *this;
}
Writer& Writer::raw(const std::string& s) {
  out_ += s;
  return *this;
}

std::string lit(int width, uint64_t value) {
  if (width < 64) value &= (uint64_t(1) << width) - 1;
  return fmt::format("{}'d{}", width, value);
}

std::string slit(int width, int64_t value) {
  uint64_t bits = uint64_t(value);
  if (width < 64) bits &= (uint64_t(1) << width) - 1;
  return fmt::format("{}'sh{:x}", width, bits);
}

std::string range(int width) { return width == 1 ? std::string() : fmt::format("[{}:0] ", width - 1); }

std::string signExtend(const std::string& expr, int from, int to) {
  if (to == from) return expr;
  if (to - from == 1) return fmt::format("{{{}[{}], {}}}", expr, from - 1, expr);
  return fmt::format("{{{{{}{{{}[{}]}}}}, {}}}", to - from, expr, from - 1, expr);
}

std::string zeroExtend(const std::string& expr, int from, int to) {
  if (to == from) return expr;
  return fmt::format("{{{}'d0, {}}}", to - from, expr);
}

int bitsFor(uint64_t maxValue) {
  int b = 1;
  while (b < 64 && (maxValue >> b) != 0) ++b;
  return b;
}

int signedBitsFor(int64_t minValue, int64_t maxValue) {
  int b = 1;
  while (!(minValue >= -(int64_t(1) << (b - 1)) && maxValue <= (int64_t(1) << (b - 1)) - 1)) ++b;
  return b;
}

}  // namespace nf::vlog
