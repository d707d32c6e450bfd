#include "verif/systemc_bench.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "generators/systemc.h"
#include "verif/sim_build.h"

namespace nf::verif {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxBenchPortBits = 512;  // Verilator --pins-sc-biguint covers 65..512 bits

bool clockedUnit(const Unit& unit) { return unit.latency() > 0 || unit.stateful(); }

// Signals, the two instances and their bindings.
std::string benchInstances(const Unit& unit) {
  const std::string top = unit.moduleName();
  std::string decl, bind;
  if (clockedUnit(unit)) {
    decl += "  sc_core::sc_clock clk(\"clk\", 10, sc_core::SC_NS, 0.5, 5, sc_core::SC_NS, true);\n"
            "  sc_core::sc_signal<bool> rst(\"rst\"), valid_in(\"valid_in\"), rtl_valid_out(\"rtl_valid_out\"), "
            "mdl_valid_out(\"mdl_valid_out\");\n";
    for (const char* inst : {"rtl", "mdl"})
      bind += fmt::format("  {0}.clk(clk);\n  {0}.rst(rst);\n  {0}.valid_in(valid_in);\n  {0}.valid_out({0}_valid_out);\n", inst);
  }
  for (const PortInfo& p : unit.inputs()) {
    decl += fmt::format("  sc_core::sc_signal<{}> s_{}(\"s_{}\");\n", systemcPortType(p.width), p.name, p.name);
    bind += fmt::format("  rtl.{0}(s_{0});\n  mdl.{0}(s_{0});\n", p.name);
  }
  for (const PortInfo& p : unit.outputs()) {
    decl += fmt::format("  sc_core::sc_signal<{0}> rtl_{1}(\"rtl_{1}\"), mdl_{1}(\"mdl_{1}\");\n", systemcPortType(p.width), p.name);
    bind += fmt::format("  rtl.{0}(rtl_{0});\n  mdl.{0}(mdl_{0});\n", p.name);
  }
  return decl + fmt::format("  V{} rtl(\"rtl\");\n  {} mdl(\"mdl\");\n", top, systemcModuleName(unit)) + bind;
}

// One stimulus line's inputs onto the signals, and the comparison after the cycle.
std::string benchCycle(const Unit& unit) {
  std::string drive, compare;
  size_t w = 0;
  for (const PortInfo& p : unit.inputs()) {
    drive += systemcWriteWords(p, "in", w, "s_" + p.name, "    ");
    w += size_t(p.words());
  }
  const bool clocked = clockedUnit(unit);
  if (clocked) {
    drive += "    rst.write(rstBit != 0);\n    valid_in.write(validBit != 0);\n";
    compare += "    differ(\"valid_out\", rtl_valid_out.read(), mdl_valid_out.read());\n";
  }
  std::string data;
  for (const PortInfo& p : unit.outputs())
    data += fmt::format("      differ(\"{0}\", rtl_{0}.read(), mdl_{0}.read());\n", p.name);
  compare += clocked ? "    if (rtl_valid_out.read() && mdl_valid_out.read()) {\n" + data + "      ++compared;\n    }\n"
                     : "    {\n" + data + "      ++compared;\n    }\n";
  return fmt::format(R"(    {}
    sc_core::sc_start(10, sc_core::SC_NS);
{}
)",
                     drive.substr(4), compare);
}

std::string stimulusText(const Unit& unit, const ScBenchOptions& opt) {
  const bool clocked = clockedUnit(unit);
  std::vector<std::vector<uint32_t>> vectors = unit.cornerVectors();
  std::mt19937_64 rng(opt.seed);
  std::vector<uint32_t> in(unit.inputWords());
  auto randomVector = [&](uint64_t index) {
    size_t w = 0;
    for (const PortInfo& p : unit.inputs())
      for (int k = 0; k < p.words(); ++k, ++w) {
        const int bits = std::min(32, p.width - 32 * k);
        in[w] = uint32_t(rng()) & (bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1u);
      }
    unit.shapeRandomVector(in.data(), index);
    return in;
  };
  for (uint64_t i = 0; i < opt.count; ++i) vectors.push_back(randomVector(i));
  std::string s;
  auto line = [&](int rst, int valid, const std::vector<uint32_t>& v) {
    s += fmt::format("{} {}", rst, valid);
    for (uint32_t x : v) s += fmt::format(" {:x}", x);
    s += "\n";
  };
  const std::vector<uint32_t> zeros(unit.inputWords(), 0u);
  if (clocked) line(1, 0, zeros), line(1, 0, zeros);
  uint64_t cycle = 0;
  for (size_t i = 0; i < vectors.size(); ++i, ++cycle) {
    // Bubbles (the state must hold) and one reset in mid-stream with valid_in high (the reset must win).
    if (clocked && cycle % 5 == 4) line(0, 0, randomVector(opt.count + cycle)), ++cycle;
    if (clocked && i == vectors.size() / 2) {  // drained first, so every vector shows exactly once
      for (int k = 0; k < unit.latency(); ++k) line(0, 0, zeros), ++cycle;
      line(1, 1, vectors[i]), ++cycle;
    }
    line(0, 1, vectors[i]);
  }
  for (int k = 0; clocked && k <= unit.latency(); ++k) line(0, 0, zeros);
  return s;
}

}  // namespace

std::string systemcBenchMain(const Unit& unit) {
  return fmt::format(R"(// SystemC bench of {0}: the Verilated RTL and the SystemC model on one clock, the same stimulus, every output
// compared every cycle. Usage: bench STIMULUS (lines "rst valid hexword..."); exits 1 on a difference.
#include <systemc>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "V{0}.h"
#include "{1}.h"

namespace {{
std::string hexOf(bool v) {{ return v ? "1" : "0"; }}
template <class T>
std::string hexOf(const T& v) {{ return v.to_string(sc_dt::SC_HEX); }}
}}  // namespace

int sc_main(int argc, char** argv) {{
  if (argc != 2) {{
    std::cerr << "usage: bench STIMULUS\n";
    return 2;
  }}
{2}
  std::ifstream stim(argv[1]);
  std::string line, first;
  uint64_t cycles = 0, compared = 0, mismatches = 0;
  std::vector<uint32_t> in({3});
  int rstBit = 0, validBit = 0;
  while (std::getline(stim, line)) {{
    std::istringstream ss(line);
    ss >> rstBit >> validBit;
    for (uint32_t& w : in) ss >> std::hex >> w;
    auto differ = [&](const char* port, const auto& rtlValue, const auto& modelValue) {{
      if (rtlValue == modelValue) return;
      if (mismatches++ == 0)
        first = "cycle " + std::to_string(cycles) + " (stimulus '" + line + "'): " + port + " RTL " + hexOf(rtlValue) +
                ", model " + hexOf(modelValue);
    }};
    (void)rstBit;
    (void)validBit;
{4}    ++cycles;
  }}
  std::cout << "cycles " << cycles << " compared " << compared << " mismatches " << mismatches << "\n";
  if (mismatches) std::cout << "first: " << first << "\n";
  return mismatches ? 1 : 0;
}}
)",
                     unit.moduleName(), systemcModuleName(unit), benchInstances(unit), unit.inputWords(),
                     benchCycle(unit));
}

namespace {

// The build's inputs, as files, and the hash that names the cached build.
struct BenchSources {
  std::string verilog, header, main, flags, libraryStamp;
  uint64_t hash() const {
    uint64_t h = fnv1a64(verilog);
    for (const std::string* s : {&header, &main, &flags, &libraryStamp}) h = fnv1a64(*s, h);
    return fnv1a64(verilatorVersion(), h);
  }
};

// Links the libraries by content stamp (size and time), so a rebuilt model library makes a new bench.
std::string stampOf(const std::vector<std::string>& libs) {
  std::string s;
  for (const std::string& l : libs) {
    std::error_code ec;
    const auto size = fs::file_size(l, ec);
    const auto time = fs::last_write_time(l, ec).time_since_epoch().count();
    s += fmt::format("{}:{}:{};", l, ec ? 0 : size, ec ? 0 : time);
  }
  return s;
}

fs::path buildBench(const Unit& unit, const ScBenchOptions& opt, const BenchSources& src, bool& cached) {
  const fs::path root = opt.cacheDir.empty() ? fs::path(defaultCacheDir()) : fs::path(opt.cacheDir);
  const fs::path dir = root / fmt::format("{}-systemc-{:016x}", unit.moduleName(), src.hash());
  cached = fs::exists(dir / "bench");
  if (cached) return dir;
  fs::create_directories(root);
  const fs::path tmp = root / fmt::format(".build-sc-{}-{}-{:016x}", ::getpid(),
                                          std::hash<std::thread::id>{}(std::this_thread::get_id()), src.hash());
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  const std::string top = unit.moduleName();
  for (const auto& [name, text] : {std::pair<std::string, std::string>{top + ".v", src.verilog},
                                   {systemcModuleName(unit) + ".h", src.header}, {"bench.cpp", src.main}}) {
    std::ofstream f(tmp / name, std::ios::binary);
    f << text;
    if (!f) throw SimError("cannot write " + (tmp / name).string());
  }
  std::string out;
  // A few thousand cycles: compile time is the cost, so no optimization; ccache serves Verilator's runtime files.
  const char* ccache = std::getenv("NUMFORGE_NO_CCACHE") ? "" : "OBJCACHE=$(command -v ccache) ";
  const std::string cmd = fmt::format(
      "cd '{0}' && {4}verilator --sc --exe --build -j {1} --pins-sc-uint --pins-sc-biguint --top-module {2} -O3 "
      "-MAKEFLAGS 'OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0' --Mdir obj -o ../bench {2}.v bench.cpp {3}",
      tmp.string(), opt.jobs, top, src.flags, ccache);
  if (runCapture(cmd, out) != 0) {
    fs::remove_all(tmp);
    throw SimError(fmt::format("SystemC bench build failed:\n{}", out.size() > 6000 ? out.substr(out.size() - 6000) : out));
  }
  fs::remove_all(tmp / "obj");
  std::error_code ec;
  fs::rename(tmp, dir, ec);  // another builder may have won the race: its bench is the same
  if (ec) fs::remove_all(tmp);
  return dir;
}

}  // namespace

ScBenchReport runSystemcBench(const Unit& unit, const ScBenchOptions& opt) {
  for (const auto* ports : {&unit.inputs(), &unit.outputs()})
    for (const PortInfo& p : *ports)
      if (p.width > kMaxBenchPortBits)
        throw UsageError(fmt::format("SystemC bench: port {} of {} has {} bits; at most {}", p.name, unit.moduleName(),
                                     p.width, kMaxBenchPortBits));
  BenchSources src;
  src.verilog = unit.emit().verilog;
  src.header = opt.modelHeader.empty() ? systemcHeader(unit) : opt.modelHeader;
  src.main = systemcBenchMain(unit);
  std::string cflags = "-O0 -std=c++17";
  for (const std::string& d : opt.includeDirs) cflags += " -I" + d;
  std::string libs;
  for (const std::string& l : opt.libraries) libs += " " + l;
  src.flags = fmt::format("-CFLAGS '{}' -LDFLAGS '{} -lsystemc'", cflags, libs);
  src.libraryStamp = stampOf(opt.libraries);
  ScBenchReport r;
  const auto t0 = std::chrono::steady_clock::now();
  const fs::path dir = buildBench(unit, opt, src, r.buildCached);
  r.buildSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const fs::path stim = fs::temp_directory_path() / fmt::format("nf_sc_stim_{}_{:x}.txt", ::getpid(),
                                                                 std::hash<std::thread::id>{}(std::this_thread::get_id()));
  std::ofstream(stim) << stimulusText(unit, opt);
  std::string out;
  const int rc = runCapture(fmt::format("'{}' '{}'", (dir / "bench").string(), stim.string()), out);
  fs::remove(stim);
  unsigned long long cycles = 0, compared = 0, mismatches = 0;
  const size_t at = out.find("cycles ");
  if (rc < 0 || rc > 1 || at == std::string::npos ||
      std::sscanf(out.c_str() + at, "cycles %llu compared %llu mismatches %llu", &cycles, &compared, &mismatches) != 3)
    throw SimError(fmt::format("SystemC bench of {} failed (exit {}):\n{}", unit.moduleName(), rc, out));
  r.cycles = cycles;
  r.compared = compared;
  r.mismatches = mismatches;
  const size_t f = out.find("first: ");
  if (f != std::string::npos) r.firstMismatch = out.substr(f + 7);
  return r;
}

}  // namespace nf::verif
