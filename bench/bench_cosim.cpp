// Co-simulation speed, per core, in one run: a bare Verilated instance of the unit evaluated in a plain loop (no
// model, no compare: the ceiling), the batch model alone, the Verilated lanes alone (the harness's SimInstance),
// and the whole co-simulation (stimulus + model + lanes + compare), each as a ratio to the bare loop. Prints
// figures; asserts nothing (the machine is shared and noisy).
//   bench_cosim [--count N] [--unit "fmul --a bf16"] [--exhaustive]
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "generators/unit.h"
#include "verif/cosim.h"
#include "verif/sim_build.h"

using namespace nf;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// The loop: input ports sliced from the counter (first port in the low bits, as the exhaustive stimulus), every
// output folded into a checksum so the compiler keeps the evaluation.
std::string bareMain(const Unit& unit) {
  std::string drive, fold;
  int shift = 0;
  for (const PortInfo& p : unit.inputs()) {
    drive += fmt::format("    top.{} = uint32_t(i >> {}) & 0x{:x}u;\n", p.name, shift, (uint64_t(1) << p.width) - 1);
    shift += p.width;
  }
  for (const PortInfo& p : unit.outputs()) fold += fmt::format("    sum = sum * 31u + uint32_t(top.{});\n", p.name);
  return fmt::format(R"(#include <chrono>
#include <cstdio>
#include <cstdlib>
#include "V{0}.h"
#include "verilated.h"
int main(int argc, char** argv) {{
  VerilatedContext ctx;
  V{0} top{{&ctx}};
  const unsigned long long n = std::strtoull(argv[1], nullptr, 10);
  uint32_t sum = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (unsigned long long i = 0; i < n; ++i) {{
{1}    top.eval();
{2}  }}
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%llu %.6f %u\n", n, s, sum);
  return 0;
}}
)",
                     unit.moduleName(), drive, fold);
}

// Builds (cached by content) and runs the bare loop; vectors per second.
double bareLoopRate(const Unit& unit, uint64_t n) {
  const std::string verilog = unit.emit().verilog, main = bareMain(unit);
  const std::string flags = "-O3 -fno-dfg --x-assign fast --x-initial fast --noassert -CFLAGS '-O3 -march=native'";
  const fs::path dir = fs::path(verif::defaultCacheDir()) /
                       fmt::format("{}-bare-{:016x}", unit.moduleName(),
                                   verif::fnv1a64(verif::verilatorVersion() + flags, verif::fnv1a64(main, verif::fnv1a64(verilog))));
  std::string out;
  if (!fs::exists(dir / "bare")) {
    fs::create_directories(dir);
    std::ofstream(dir / "unit.v") << verilog;
    std::ofstream(dir / "main.cpp") << main;
    if (verif::runCapture(fmt::format("cd '{}' && verilator --cc --exe --build -j 2 {} --top-module {} --Mdir obj -o ../bare "
                                      "unit.v main.cpp",
                                      dir.string(), flags, unit.moduleName()),
                          out) != 0)
      throw std::runtime_error("bare loop build failed:\n" + out);
  }
  if (verif::runCapture(fmt::format("'{}' {}", (dir / "bare").string(), n), out) != 0) throw std::runtime_error(out);
  unsigned long long done = 0;
  double s = 0;
  std::sscanf(out.c_str(), "%llu %lf", &done, &s);
  return s > 0 ? double(done) / s : 0;
}

// Exhaustive-order inputs for vectors [first, first + n).
void fillInputs(const Unit& unit, uint64_t first, uint64_t n, std::vector<uint32_t>& in) {
  const size_t IW = unit.inputWords();
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t bits = first + i;
    for (size_t w = 0; w < IW; ++w) {
      const int width = unit.inputs()[w].width;
      in[i * IW + w] = uint32_t(bits & ((uint64_t(1) << width) - 1));
      bits >>= width;
    }
  }
}

constexpr uint64_t kBlock = 1u << 15;

double modelRate(const Unit& unit, uint64_t n) {
  std::vector<uint32_t> in(kBlock * unit.inputWords()), out(kBlock * unit.outputWords());
  double seconds = 0;
  for (uint64_t first = 0; first < n; first += kBlock) {
    fillInputs(unit, first, kBlock, in);
    const auto t0 = Clock::now();
    unit.emulateBatch(in.data(), out.data(), kBlock);
    seconds += since(t0);
  }
  return double(n) / seconds;
}

double lanesRate(const Unit& unit, uint64_t n) {
  verif::BuildOptions b;
  const auto lib = verif::buildSim(unit, b);
  const auto sim = lib->create();
  std::vector<uint32_t> in(kBlock * unit.inputWords()), out(kBlock * unit.outputWords());
  double seconds = 0;
  for (uint64_t first = 0; first < n; first += kBlock) {
    fillInputs(unit, first, kBlock, in);
    std::string err;
    const auto t0 = Clock::now();
    if (!sim->run(in.data(), out.data(), kBlock, &err)) throw std::runtime_error(err);
    seconds += since(t0);
  }
  return double(n) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t count = uint64_t(1) << 26;
  std::string spec = "fmul --a bf16";
  bool exhaustive = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--count" && i + 1 < argc) count = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--unit" && i + 1 < argc) spec = argv[++i];
    else if (a == "--exhaustive") exhaustive = true;
    else {
      std::cerr << "usage: bench_cosim [--count N] [--unit \"OP OPTIONS\"] [--exhaustive]\n";
      return 2;
    }
  }
  std::istringstream ss(spec);
  std::vector<std::string> words;
  for (std::string w; ss >> w;) words.push_back(w);
  const auto unit = buildUnit(words[0], {words.begin() + 1, words.end()});
  if (exhaustive) count = uint64_t(1) << unit->inputBits();
  count = (count + kBlock - 1) / kBlock * kBlock;
  std::cout << fmt::format("{}: {} vectors in exhaustive order, one thread each (M vectors/s, ratio to the bare loop)\n",
                           unit->moduleName(), count);
  const double bare = bareLoopRate(*unit, count);
  std::cout << fmt::format("  bare Verilated loop   {:8.1f}   1.00\n", bare / 1e6);
  const double model = modelRate(*unit, count);
  std::cout << fmt::format("  batch model alone     {:8.1f}   {:.2f}\n", model / 1e6, model / bare);
  const double lanes = lanesRate(*unit, count);
  std::cout << fmt::format("  Verilated lanes alone {:8.1f}   {:.2f}\n", lanes / 1e6, lanes / bare);
  verif::CosimOptions o;
  o.threads = 1;
  if (exhaustive) {
    o.mode = verif::CosimOptions::Mode::Exhaustive;
  } else {  // a random run of the same length: corner cases + seeded random (the stimulus a regression uses)
    o.mode = verif::CosimOptions::Mode::Random;
    o.count = count;
  }
  const verif::CosimReport r = verif::runCosim(*unit, o);
  std::cout << fmt::format("  whole co-simulation   {:8.1f}   {:.2f}   ({} vectors, {} mismatches, {})\n",
                           r.rate() / 1e6, r.rate() / bare, r.vectors, r.mismatches,
                           exhaustive ? "exhaustive" : "corner cases + seeded random");
  std::cout << fmt::format("  model + lanes, serial {:8.1f}   {:.2f}   (1 / (1/model + 1/lanes): no stimulus, no compare)\n",
                           1e-6 / (1 / model + 1 / lanes), 1 / (1 / model + 1 / lanes) / bare);
  return 0;
}
