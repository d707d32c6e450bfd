// A small Verilog-2005 text writer: indentation, sized literals, widths computed once.
#pragma once

#include <cstdint>
#include <string>

namespace nf::vlog {

class Writer {
 public:
  Writer& line(const std::string& s = "");
  Writer& open(const std::string& s);   // writes s, then indents
  Writer& close(const std::string& s);  // dedents, then writes s
  Writer& reopen(const std::string& s); // "end else begin": dedented, then indents again
  Writer& raw(const std::string& s);    // appended as is (another block's text)
  const std::string& str() const { return out_; }

 private:
  std::string out_;
  int depth_ = 0;
};

std::string lit(int width, uint64_t value);   // 8'd5
std::string slit(int width, int64_t value);   // two's complement, signed: 8'sb11111011 style as 8'sh..
std::string range(int width);                 // "[7:0] " or "" for width 1
std::string signExtend(const std::string& expr, int from, int to);
std::string zeroExtend(const std::string& expr, int from, int to);
int bitsFor(uint64_t maxValue);                    // unsigned bits to hold 0..maxValue (at least 1)
int signedBitsFor(int64_t minValue, int64_t maxValue);  // two's complement bits for the range

}  // namespace nf::vlog
