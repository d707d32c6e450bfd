#include "verif/junit.h"

#include <fmt/format.h>

namespace nf::verif {

std::string xmlEscape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&apos;"; break;
      default: o += (c < 0x20 && c != '\n' && c != '\t' && c != '\r') ? '?' : ch;
    }
  }
  return o;
}

std::string junitXml(const std::string& suiteName, const std::vector<JUnitCase>& cases) {
  double total = 0;
  size_t failures = 0;
  for (const JUnitCase& c : cases) {
    total += c.seconds;
    failures += c.failed ? 1 : 0;
  }
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += fmt::format("<testsuites name=\"{0}\" tests=\"{1}\" failures=\"{2}\" errors=\"0\" time=\"{3:.3f}\">\n",
                   xmlEscape(suiteName), cases.size(), failures, total);
  x += fmt::format("  <testsuite name=\"{0}\" tests=\"{1}\" failures=\"{2}\" errors=\"0\" skipped=\"0\" time=\"{3:.3f}\">\n",
                   xmlEscape(suiteName), cases.size(), failures, total);
  for (const JUnitCase& c : cases) {
    x += fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3f}\">\n", xmlEscape(c.name),
                     xmlEscape(c.className), c.seconds);
    if (c.failed)
      x += fmt::format("      <failure message=\"{}\" type=\"mismatch\">{}</failure>\n", xmlEscape(c.failureMessage),
                       xmlEscape(c.failureDetail));
    if (!c.output.empty()) x += fmt::format("      <system-out>{}</system-out>\n", xmlEscape(c.output));
    x += "    </testcase>\n";
  }
  x += "  </testsuite>\n</testsuites>\n";
  return x;
}

}  // namespace nf::verif
