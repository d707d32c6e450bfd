// The Verilog-2005 writer every emitter builds its modules with: indentation, sized literals, and the module's
// signals, each declared once where it is computed (its width read from that one declaration).
//
// Pipelining is part of the writer: cut(true) marks a clock edge, and at str() every signal declared before a
// cut and read after it gets its flop stage there by itself (name_p<k> after cut k), in declaration order; the
// emitter writes logical names only and lists nothing. retime() says a signal's driver (a pipelined instance,
// a state register) already puts it at the current stage.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nf::vlog {

class Writer {
 public:
  // A statement. A line that declares (input/output/wire/reg ...) records its signals and widths; a declaring
  // line the writer cannot read throws std::logic_error (a signal it does not know could not be pipelined).
  Writer& line(const std::string& s = "");
  Writer& open(const std::string& s);   // writes s, then indents
  Writer& close(const std::string& s);  // dedents, then writes s
  Writer& reopen(const std::string& s); // "end else begin": dedented, then indents again
  Writer& raw(const std::string& s);    // appended as is (another block's text): neither read nor renamed
  // "wire [width-1:0] name = expr;": the one declaration of a computed signal.
  Writer& wire(const std::string& name, int width, const std::string& expr);
  // "wire [width-1:0] n1, n2, ...;": signals an instance drives.
  Writer& wires(int width, const std::vector<std::string>& names);

  // Pipeline. trackValid false: the cuts register data only (a submodule whose valid bit its parent keeps).
  void pipeline(bool trackValid) { trackValid_ = trackValid; }
  void cut(bool registered);
  void retime(const std::vector<std::string>& names);
  int registeredCuts() const { return cuts_; }
  std::string valid() const;  // the valid bit at the current stage ("valid_in" before any cut)

  // The width of a declared signal, or of an expression made of declared signals, sized literals, bit and
  // part selects with constant bounds and concatenations; -1 when it cannot be told.
  int widthOf(const std::string& expr) const;
  std::string str() const;  // the text, pipeline registers placed

 private:
  struct Signal {
    int width = 0;
    int stage = 0;  // the stage its value belongs to
    int order = 0;  // declaration order
    bool renamable = true;
  };
  struct Entry {
    std::string text;
    int stage = 0;
    int cutAfter = 0;  // > 0: this entry is the register block of that cut
    bool opaque = false;
  };
  void declare(const std::string& text);
  std::string renamed(const std::string& text, int stage, std::map<std::string, int>& lastUse) const;
  std::string registerBlock(int cut, const std::map<std::string, int>& lastUse) const;

  std::vector<Entry> entries_;
  std::map<std::string, Signal> signals_;
  int depth_ = 0;
  int cuts_ = 0;
  bool trackValid_ = true;
};

std::string lit(int width, uint64_t value);   // a count or amount: 8'd5
std::string bits(int width, uint64_t value);  // a bit pattern (an encoding, a mask): 16'h7fc0
std::string slit(int width, int64_t value);   // a signed constant, two's complement: 8'sh fb style as 8'shfb
std::string range(int width);                 // "[7:0] " or "" for width 1
std::string signExtend(const std::string& expr, int from, int to);
std::string zeroExtend(const std::string& expr, int from, int to);
int bitsFor(uint64_t maxValue);                    // unsigned bits to hold 0..maxValue (at least 1)
int signedBitsFor(int64_t minValue, int64_t maxValue);  // two's complement bits for the range

}  // namespace nf::vlog
