// What the sweep tests share: a scratch directory per test, files written into it, the numforge command run
// with the tests' own Verilator cache, and JSON read back.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/catalog.h"

namespace nf::test {

namespace fs = std::filesystem;

inline const std::string kNumforgeExe = NF_BINARY_DIR "/numforge";
inline const std::string kSweepEnv = "NUMFORGE_CACHE=" NF_BINARY_DIR "/vcache ";

inline std::string readText(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

class SweepScratch : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::freshTestDir("nf_sweep_");
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);  // kept for a look when the test failed
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  static std::string read(const fs::path& p) { return readText(p); }
  static nlohmann::json readJson(const fs::path& p) { return nlohmann::json::parse(read(p)); }
  // numforge with args (stdout + stderr in out); returns its exit status.
  static int numforge(const std::string& args, std::string& out) {
    return runCommand(kSweepEnv + kNumforgeExe + " " + args, out);
  }
  fs::path dir_;
};

}  // namespace nf::test
