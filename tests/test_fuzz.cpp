// Fuzzed input to the command line, in process: seeded random and mutated command lines (operators, option names,
// format strings, integer and hex values), TestFloat vector lines and .npy files. Every case must end in exit
// status 0 or 2 (bad input, with a message; the fuzzed commands compare nothing, so no 1), leave no partial or
// temporary file, and write Verilog that Icarus accepts; a crash or sanitizer report ends the test binary. NUMFORGE_FUZZ_CASES=N runs N command lines (default
// 10000), NUMFORGE_FUZZ_SEED=S another seed.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "tests/catalog.h"
#include "verif/cosim.h"

int numforgeMain(int argc, char** argv);

namespace nf {
namespace {

namespace fs = std::filesystem;

uint64_t envOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

struct Outcome {
  int rc;
  std::string out, err;
};

// Runs `numforge args...` in process with std::cout and std::cerr captured.
Outcome runCli(const std::vector<std::string>& args) {
  std::vector<std::string> words = {"numforge"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  auto* oldOut = std::cout.rdbuf(out.rdbuf());
  auto* oldErr = std::cerr.rdbuf(err.rdbuf());
  const int rc = numforgeMain(int(argv.size()) - 1, argv.data());
  std::cout.rdbuf(oldOut);
  std::cerr.rdbuf(oldErr);
  return {rc, out.str(), err.str()};
}

// Valid command lines to mutate; @DIR is the scratch output directory, @NPY a .npy file.
const std::vector<std::string> kSeeds = {
    "gen fmul --a bf16 --flags -o @DIR",
    "gen fmul --a e4m3 --b e5m2 --out fp16 --round rtz -o @DIR",
    "gen fadd --a fp16 --flags --stages 1 -o @DIR",
    "gen fma --a bf16 --c fp32 --out fp32 --flags -o @DIR",
    "gen fcvt --a fp32 --out e4m3 --saturate --round sr --flags -o @DIR",
    "gen fcvt --a fp32 --out int8 -o @DIR",
    "gen fdot --n 4 --a e4m3 --out fp32 --accum align --align-bits 13 -o @DIR",
    "gen kulisch --a e4m3 --b e4m3 --out fp32 --carry-bits 8 -o @DIR",
    "gen facc --a bf16 --b bf16 --mac --out fp32 -o @DIR",
    "gen mxquant --a bf16 --out e4m3 -o @DIR",
    "gen mxdequant --a e4m3 --out bf16 -o @DIR",
    "gen nvfp4quant --a fp32 -o @DIR",
    "eval fmul --a bf16 3f80 4000",
    "eval fadd --a e4m3 --flags 38 b8",
    "eval fcvt --a fp32 --out bf16 3f800001",
    "eval fma --a fp16 3c00 3c00 3c00",
    "formats",
    "accuracy mxquant --a fp32 --samples 64 --seed 3",
    "accuracy fcvt --a fp32 --out e4m3 --samples 64",
    "accuracy mxquant --a fp32 --input @NPY",
    "catalog @DIR",
};

const std::vector<std::string> kFormats = {"bf16", "fp16", "fp32", "e4m3", "e5m2", "e2m1", "e3m2", "e2m3", "e8m0",
                                           "int8", "uint8", "int4", "binary8p3", "binary8p4", "e9m3", "e4m24",
                                           "e0m0", "e4m", "m3", "fp", "int0", "int99", "E4M3", "e4m3fn", "bf16 "};
const std::vector<std::string> kValues = {"-1", "0", "1", "2", "3", "4", "7", "8", "16", "32", "64", "255", "65536",
                                          "99999999999999999999", "18446744073709551616", "-0", "+3", "1.5", "0x10",
                                          "1e3", "", " ", "--", "-", "nan", "inf", "rne", "rtz", "sr", "dyn", "lfsr",
                                          "module", "wire", "9bad", "a_b", std::string(300, 'x'), "\xff\xfe", "\t"};
const std::vector<std::string> kOptions = {"--a", "--b", "--c", "--out", "--round", "--saturate", "--sat", "--ftz",
                                           "--daz", "--flags", "--stages", "--opt", "--name", "--n", "--accum",
                                           "--align-bits", "--carry-bits", "--mac", "--sr-bits", "--sr-source",
                                           "--sr-seed", "--lanes", "--scale-rule", "--samples", "--seed", "--threads",
                                           "--count", "--dist", "--input", "-o", "--help", "--version", "--systemc"};
const std::vector<std::string> kOperators = {"fmul", "fadd", "fma", "fcvt", "fdot", "kulisch", "facc", "mxquant",
                                             "mxdequant", "nvfp4quant", "nvfp4dequant", "fsquash", "", "FMUL"};

std::vector<std::string> split(const std::string& s) {
  std::istringstream ss(s);
  std::vector<std::string> v;
  for (std::string w; ss >> w;) v.push_back(w);
  return v;
}

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[rng_() % v.size()]; }
  size_t below(size_t n) { return n ? size_t(rng_() % n) : 0; }

  std::string randomToken() {
    switch (below(4)) {
      case 0: return fmt::format("e{}m{}", below(12), below(30));
      case 1: return fmt::format("{:x}", rng_() >> below(64));
      case 2: {
        std::string s;
        for (size_t k = below(12); k-- > 0;) s += char(0x20 + below(95));
        return s;
      }
      default: return std::to_string(int64_t(rng_()) >> below(64));
    }
  }

  // One to three edits of a valid line: replace a value, delete, duplicate, swap, insert an option or junk.
  std::vector<std::string> mutate(std::vector<std::string> w) {
    for (size_t edits = 1 + below(3); edits-- > 0;) {
      const size_t i = below(w.size());
      switch (below(8)) {
        case 0: if (!w.empty()) w[i] = pick(kFormats); break;
        case 1: if (!w.empty()) w[i] = pick(kValues); break;
        case 2: if (!w.empty()) w.erase(w.begin() + long(i)); break;
        case 3: if (!w.empty()) w.insert(w.begin() + long(i), w[i]); break;
        case 4: if (w.size() > 1) std::swap(w[i], w[below(w.size())]); break;
        case 5: w.insert(w.begin() + long(below(w.size() + 1)), {pick(kOptions), pick(below(2) ? kValues : kFormats)}); break;
        case 6: if (w.size() > 1) w[1] = pick(kOperators); break;
        default: if (!w.empty()) w[i] = randomToken(); break;
      }
    }
    return w;
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

class Fuzz : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = test::freshTestDir("nf_fuzz_");
    fs::create_directories(root_ / "out");
    npy_ = root_ / "t.npy";
    // A mutation can turn -o's value into any relative path: run inside root_ so whatever such a case
    // writes stays in the test's own directory (and goes with it), never in the source tree.
    cwd_ = fs::current_path();
    fs::current_path(root_);
  }
  void TearDown() override {
    fs::current_path(cwd_);
    fs::remove_all(root_);
  }

  std::vector<std::string> files() const {
    std::vector<std::string> v;
    for (const auto& e : fs::recursive_directory_iterator(root_ / "out")) v.push_back(e.path().filename().string());
    return v;
  }

  // One case: the statuses and messages every entry point promises, and the files it may leave.
  void check(const std::vector<std::string>& args, const Outcome& r) {
    std::string line;
    for (const std::string& a : args) line += " " + a;
    ++cases_;
    const bool outputCase = line.find(root_.string() + "/out") != std::string::npos;
    // None of these commands compares anything, so exit 1 (a mismatch, or an unexpected exception mapped to
    // "numforge: failed") is a bug here as much as a crash is.
    ASSERT_TRUE(r.rc == 0 || r.rc == 2) << "exit " << r.rc << " for:" << line << "\n" << r.err;
    if (r.rc != 0) {
      EXPECT_NE(r.err.find("numforge: "), std::string::npos) << "no message for exit " << r.rc << ":" << line << "\n" << r.out;
      EXPECT_TRUE(files().empty() || !outputCase || line.find(" catalog ") != std::string::npos)
          << "files left by a failed run:" << line;
    }
    for (const std::string& f : files()) {
      EXPECT_EQ(f.find(".tmp."), std::string::npos) << "temporary file " << f << " left by:" << line;
      if (f.size() > 2 && f.substr(f.size() - 2) == ".v" && lintedModules_.insert(f).second && lintedModules_.size() <= 40) {
        std::string out;
        EXPECT_EQ(test::runCommand("iverilog -g2005 -Wall -o /dev/null " + (root_ / "out" / f).string(), out), 0)
            << f << " from:" << line << "\n" << out;
      }
    }
  }

  fs::path root_, npy_, cwd_;
  size_t cases_ = 0;
  std::set<std::string> lintedModules_;
};

std::vector<std::string> substitute(std::vector<std::string> w, const fs::path& out, const fs::path& npy) {
  for (std::string& s : w) {
    if (s == "@DIR") s = out.string();
    if (s == "@NPY") s = npy.string();
  }
  return w;
}

std::string validNpy(Mutator& m) {
  const size_t n = 1 + m.below(96);
  std::string header = fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': ({},), }}", n);
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string s = std::string("\x93NUMPY\x01\x00", 8);
  s += char(header.size() & 0xff);
  s += char(header.size() >> 8);
  s += header;
  for (size_t i = 0; i < n; ++i) {
    const float f = float(std::normal_distribution<double>(0, 1)(m.rng()));
    s.append(reinterpret_cast<const char*>(&f), 4);
  }
  return s;
}

// Byte edits of a valid file: flips, truncation, insertion, a rewritten header word.
std::string mutateBytes(std::string s, Mutator& m) {
  for (size_t edits = 1 + m.below(3); edits-- > 0 && !s.empty();) {
    const size_t i = m.below(s.size());
    switch (m.below(5)) {
      case 0: s[i] = char(m.rng()()); break;
      case 1: s.resize(i); break;
      case 2: s.insert(i, std::string(1 + m.below(8), char(m.rng()()))); break;
      case 3: {
        static const std::vector<std::string> words = {"'<f8'", "'>f4'", "True", "(0,)", "(-1,)", "(99999999999,)", "(2, 3)", "{", ")"};
        const size_t at = s.find_first_of("'(T", 10);
        if (at != std::string::npos) s.replace(at, std::min<size_t>(5, s.size() - at), m.pick(words));
        break;
      }
      default: if (s.size() > 10) s[8 + m.below(2)] = char(m.rng()()); break;
    }
  }
  return s;
}

// Four shards of the cases, so ctest runs them side by side (each case builds the whole command line, about 6 ms).
constexpr int kShards = 4;
class FuzzShard : public Fuzz, public ::testing::WithParamInterface<int> {};

TEST_P(FuzzShard, CommandLinesEndInZeroOneOrTwoWithAMessageAndNoPartialFiles) {
  Mutator m(envOr("NUMFORGE_FUZZ_SEED", 20261202) * kShards + uint64_t(GetParam()));
  const uint64_t n = envOr("NUMFORGE_FUZZ_CASES", 10000) / kShards;
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t byStatus[3] = {0, 0, 0};
  for (uint64_t k = 0; k < n && !HasFatalFailure(); ++k) {
    fs::remove_all(root_ / "out");
    fs::create_directories(root_ / "out");
    const std::string seed = m.pick(kSeeds);
    if (seed.find("@NPY") != std::string::npos) {
      const std::string npy = validNpy(m);
      std::ofstream(npy_, std::ios::binary) << (m.below(4) ? mutateBytes(npy, m) : npy);
    }
    const std::vector<std::string> args = substitute(m.below(10) ? m.mutate(split(seed)) : split(seed), root_ / "out", npy_);
    // What a mutation cannot be allowed to start: a Verilator build, or a full-size accuracy run.
    if (!args.empty() && (args[0] == "verify" || args[0] == "ppa" || args[0] == "regress")) continue;
    const auto c0 = std::chrono::steady_clock::now();
    const Outcome r = runCli(args);
    check(args, r);
    byStatus[r.rc >= 0 && r.rc <= 2 ? r.rc : 0]++;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
    EXPECT_LT(s, 30.0) << "a case ran " << s << " s (a hang?):" << ::testing::PrintToString(args);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << fmt::format("{} command lines in {:.1f} s: {} exit 0, {} exit 1, {} exit 2; {} Verilog files compiled\n",
                           cases_, s, byStatus[0], byStatus[1], byStatus[2], std::min<size_t>(40, lintedModules_.size()));
  EXPECT_GE(cases_, n * 9 / 10);
  EXPECT_GT(byStatus[0], cases_ / 20) << "the mutations should leave some lines valid";
  EXPECT_GT(byStatus[2], cases_ / 4);
}

INSTANTIATE_TEST_SUITE_P(Shards, FuzzShard, ::testing::Range(0, kShards));

// verify --vectors' reader (TestFloat lines): every line is read or refused with UsageError naming the line.
TEST_F(Fuzz, VectorLinesAreReadOrRefusedWithTheirLineNumber) {
  Mutator m(envOr("NUMFORGE_FUZZ_SEED", 20261202) * kShards + kShards);
  const auto unit = buildUnit("fmul", {"--a", "bf16", "--flags"});
  const uint64_t n = envOr("NUMFORGE_FUZZ_CASES", 10000);
  uint64_t read = 0, refused = 0;
  for (uint64_t k = 0; k < n; ++k) {
    std::vector<std::string> w = {fmt::format("{:04x}", m.rng()() & 0xffff), fmt::format("{:04x}", m.rng()() & 0xffff),
                                  fmt::format("{:04x}", m.rng()() & 0xffff), fmt::format("{:02x}", m.rng()() & 0x1f)};
    if (m.below(4)) w = m.mutate(w);
    std::string text = "# fuzz\n";
    for (const std::string& s : w) text += s + " ";
    std::istringstream in(text + "\n");
    try {
      const auto v = verif::readVectors(*unit, in, "fuzz.txt");
      EXPECT_EQ(v.size(), 1u);
      ++read;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("fuzz.txt"), std::string::npos) << e.what();
      ++refused;
    }
  }
  std::cout << fmt::format("{} vector lines: {} read, {} refused\n", n, read, refused);
  EXPECT_GT(read, n / 10);
  EXPECT_GT(refused, n / 10);
}

}  // namespace
}  // namespace nf
