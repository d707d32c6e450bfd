// The rtl/ catalog as the tests see it: each entry's operator and option words.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace nf::test {

struct CatalogEntry {
  std::string op;
  std::vector<std::string> args;
  std::string line;
};

inline std::vector<CatalogEntry> readCatalog() {
  std::vector<CatalogEntry> v;
  std::ifstream f(std::string(NF_SOURCE_DIR) + "/rtl/catalog.txt");
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream ss(line);
    std::vector<std::string> words;
    for (std::string w; ss >> w;) words.push_back(w);
    if (words.empty() || words[0][0] == '#') continue;
    v.push_back({words[0], {words.begin() + 1, words.end()}, line});
  }
  return v;
}

inline void PrintTo(const CatalogEntry& e, std::ostream* os) { *os << e.line; }

// Catalog entries as gtest parameter names.
inline std::string entryName(const CatalogEntry& e) {
  std::string s = e.op;
  for (const std::string& a : e.args)
    for (char c : a) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s;
}

// Option words as a gtest parameter name: the values (not the --options), joined by '_' after `prefix`.
inline std::string argsName(const std::vector<std::string>& args, std::string prefix = "") {
  for (const std::string& a : args)
    if (a[0] != '-') prefix += (prefix.empty() ? "" : "_") + a;
  return prefix;
}

// An empty directory of the running test's own (`prefix` + pid + test name) under the temporary directory.
inline std::filesystem::path freshTestDir(const std::string& prefix) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    (prefix + std::to_string(::getpid()) + "_" +
                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Runs a shell command, capturing stdout+stderr; returns the exit status.
inline int runCommand(const std::string& cmd, std::string& output) {
  output.clear();
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
  const int st = ::pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

inline bool haveTool(const std::string& tool) {
  std::string out;
  return runCommand("command -v " + tool, out) == 0;
}

}  // namespace nf::test
