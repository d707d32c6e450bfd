// JUnit XML, the report format CI systems (Jenkins, GitLab, GitHub test reporters) read: one testsuite, one
// testcase per checked unit, a <failure> with its message and details when it failed.
#pragma once

#include <string>
#include <vector>

namespace nf::verif {

struct JUnitCase {
  std::string name;
  std::string className;
  double seconds = 0;
  bool failed = false;
  std::string failureMessage;  // one line
  std::string failureDetail;   // the mismatch and the reproducing command
  std::string output;          // <system-out>: the figures of a passing case
};

std::string junitXml(const std::string& suiteName, const std::vector<JUnitCase>& cases);

// Text escaped for XML attribute values and character data; control characters XML 1.0 cannot hold become '?'.
std::string xmlEscape(const std::string& s);

}  // namespace nf::verif
