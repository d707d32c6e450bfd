#include "generators/verilog.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <stdexcept>

namespace nf::vlog {

namespace {

bool identStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool identChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n") - b + 1);
}

bool startsWithWord(const std::string& s, const char* word) {
  const size_t n = std::char_traits<char>::length(word);
  return s.compare(0, n, word) == 0 && (s.size() == n || s[n] == ' ' || s[n] == '[');
}

bool declares(const std::string& t) {
  return startsWithWord(t, "input") || startsWithWord(t, "output") || startsWithWord(t, "wire") ||
         startsWithWord(t, "reg");
}

// Splits "a, {b, c}, d" at its top-level commas.
std::vector<std::string> topLevelParts(const std::string& s) {
  std::vector<std::string> parts;
  int depth = 0;
  size_t from = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '{' || s[i] == '(' || s[i] == '[') ++depth;
    if (s[i] == '}' || s[i] == ')' || s[i] == ']') --depth;
    if (s[i] == ',' && depth == 0) {
      parts.push_back(trim(s.substr(from, i - from)));
      from = i + 1;
    }
  }
  parts.push_back(trim(s.substr(from)));
  return parts;
}

bool allDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

Writer& Writer::line(const std::string& s) {
  std::string text;
  if (!s.empty()) text.append(size_t(depth_) * 2, ' ').append(s);
  const std::string t = trim(s);
  if (declares(t)) declare(t);
  entries_.push_back({text + '\n', cuts_, 0, false});
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
  entries_.push_back({s, cuts_, 0, true});
  return *this;
}
Writer& Writer::wire(const std::string& name, int width, const std::string& expr) {
  return line(fmt::format("  wire {}{} = {};", range(width), name, expr));
}
Writer& Writer::wires(int width, const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  return line(fmt::format("  wire {}{};", range(width), list));
}

void Writer::declare(const std::string& t) {
  static const std::regex decl(
      R"(^(?:(input|output)\s+)?(?:(?:wire|reg)\s+)?(?:signed\s+)?(?:\[(\d+):(\d+)\]\s*)?)"
      R"(([A-Za-z_][A-Za-z0-9_$]*(?:\s*,\s*[A-Za-z_][A-Za-z0-9_$]*)*)\s*(?:=.*|;|,)?\s*(?://.*)?$)");
  // A memory (reg [w] name [lo:hi];) is state, never a pipelined value.
  static const std::regex memory(R"(^reg\s+(?:\[\d+:\d+\]\s*)?([A-Za-z_][A-Za-z0-9_$]*)\s*\[\d+:\d+\]\s*;\s*(?://.*)?$)");
  std::smatch m;
  if (std::regex_match(t, m, memory)) {
    if (signals_.count(m[1].str())) throw std::logic_error("generator declared signal " + m[1].str() + " twice");
    signals_.emplace(m[1].str(), Signal{-1, cuts_, int(signals_.size()), false});
    return;
  }
  if (!std::regex_match(t, m, decl))
    throw std::logic_error("generator wrote a declaration the Verilog writer cannot read: " + t);
  const std::string dir = m[1].str();
  const int width = m[2].matched ? std::stoi(m[2].str()) - std::stoi(m[3].str()) + 1 : 1;
  for (const std::string& part : topLevelParts(m[4].str())) {
    if (signals_.count(part)) throw std::logic_error("generator declared signal " + part + " twice");
    Signal sig{width, cuts_, int(signals_.size()), true};
    // Outputs are driven, never read; the clock, reset and valid_in are the pipeline's own.
    if (dir == "output" || part == "clk" || part == "rst" || part == "valid_in") sig.renamable = false;
    signals_.emplace(part, sig);
  }
}

void Writer::cut(bool registered) {
  if (!registered) return;
  ++cuts_;
  entries_.push_back({"", cuts_, cuts_, false});
}

void Writer::retime(const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    const auto it = signals_.find(n);
    if (it == signals_.end()) throw std::logic_error("retime of undeclared signal " + n);
    it->second.stage = cuts_;
  }
}

std::string Writer::valid() const { return cuts_ == 0 ? "valid_in" : fmt::format("valid_p{}", cuts_); }

// The statement as it reads at `stage`: every signal of an earlier stage named by its flop there. Port names
// (after '.'), literals' digits, system names and comments are left alone.
std::string Writer::renamed(const std::string& text, int stage, std::map<std::string, int>& lastUse) const {
  std::string out;
  out.reserve(text.size() + 16);
  size_t i = 0;
  char prevSignificant = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      const size_t e = text.find('\n', i);
      const size_t end = e == std::string::npos ? text.size() : e;
      out.append(text, i, end - i);
      i = end;
      continue;
    }
    if (c == '\'' || c == '$') {  // a literal's base and digits, or a system function's name
      out += c;
      ++i;
      while (i < text.size() && identChar(text[i])) out += text[i++];
      prevSignificant = 'x';
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) out += text[i++];
      prevSignificant = '0';
      continue;
    }
    if (identStart(c)) {
      size_t e = i;
      while (e < text.size() && identChar(text[e])) ++e;
      const std::string id = text.substr(i, e - i);
      i = e;
      const auto it = signals_.find(id);
      if (prevSignificant != '.' && it != signals_.end() && it->second.renamable && it->second.stage < stage) {
        out += fmt::format("{}_p{}", id, stage);
        int& last = lastUse[id];
        last = std::max(last, stage);
      } else {
        out += id;
      }
      prevSignificant = 'a';
      continue;
    }
    out += c;
    if (c != ' ' && c != '\t' && c != '\n') prevSignificant = c;
    ++i;
  }
  return out;
}

std::string Writer::registerBlock(int cut, const std::map<std::string, int>& lastUse) const {
  std::vector<std::pair<int, std::string>> live;  // (declaration order, name)
  for (const auto& [name, last] : lastUse) {
    const Signal& s = signals_.at(name);
    if (s.stage < cut && cut <= last) live.emplace_back(s.order, name);
  }
  std::sort(live.begin(), live.end());
  if (live.empty() && !trackValid_) return "";
  std::string t = fmt::format("  // Pipeline register {}\n", cut);
  if (trackValid_) t += fmt::format("  reg valid_p{};\n", cut);
  for (const auto& [order, name] : live) t += fmt::format("  reg {}{}_p{};\n", range(signals_.at(name).width), name, cut);
  t += "  always @(posedge clk) begin\n";
  if (trackValid_)
    t += fmt::format("    valid_p{} <= rst ? 1'b0 : {};\n", cut, cut == 1 ? "valid_in" : fmt::format("valid_p{}", cut - 1));
  for (const auto& [order, name] : live) {
    const std::string prev = signals_.at(name).stage == cut - 1 ? name : fmt::format("{}_p{}", name, cut - 1);
    t += fmt::format("    {}_p{} <= {};\n", name, cut, prev);
  }
  return t + "  end\n";
}

std::string Writer::str() const {
  std::map<std::string, int> lastUse;
  std::vector<std::string> texts;
  texts.reserve(entries_.size());
  for (const Entry& e : entries_)
    texts.push_back(e.opaque || e.cutAfter || e.stage == 0 ? e.text : renamed(e.text, e.stage, lastUse));
  std::string out;
  for (size_t k = 0; k < entries_.size(); ++k)
    out += entries_[k].cutAfter ? registerBlock(entries_[k].cutAfter, lastUse) : texts[k];
  return out;
}

int Writer::widthOf(const std::string& expr) const {
  const std::string e = trim(expr);
  if (e.empty()) return -1;
  static const std::regex sized(R"(^(\d+)'s?[bBdDhHoO][0-9a-fA-F_xXzZ?]+$)");
  static const std::regex select(R"(^([A-Za-z_][A-Za-z0-9_$]*)\s*\[\s*(\d+)\s*(?::\s*(\d+)\s*)?\]$)");
  std::smatch m;
  if (std::regex_match(e, m, sized)) return std::stoi(m[1].str());
  if (std::regex_match(e, m, select)) {
    if (!signals_.count(m[1].str())) return -1;
    return m[3].matched ? std::stoi(m[2].str()) - std::stoi(m[3].str()) + 1 : 1;
  }
  if (e.front() == '{' && e.back() == '}') {
    const std::string inner = trim(e.substr(1, e.size() - 2));
    const size_t brace = inner.find('{');
    if (brace != std::string::npos && brace > 0 && allDigits(trim(inner.substr(0, brace))) && inner.back() == '}') {
      const int w = widthOf(inner.substr(brace));  // {N{x}}
      return w < 0 ? -1 : std::stoi(inner.substr(0, brace)) * w;
    }
    int total = 0;
    for (const std::string& p : topLevelParts(inner)) {
      const int w = widthOf(p);
      if (w < 0) return -1;
      total += w;
    }
    return total;
  }
  const auto it = signals_.find(e);
  return it == signals_.end() ? -1 : it->second.width;
}

std::string lit(int width, uint64_t value) {
  if (width < 64) value &= (uint64_t(1) << width) - 1;
  return fmt::format("{}'d{}", width, value);
}

std::string bits(int width, uint64_t value) {
  if (width < 64) value &= (uint64_t(1) << width) - 1;
  return fmt::format("{}'h{:x}", width, value);
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
