#include "verif/activity_sim.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace nf::verif {

namespace fs = std::filesystem;

namespace {

constexpr int kActivityAbi = 2;

// Appended to the co-simulation glue of one lane (its Sim, setLanes and reset in nf_create): every public net of
// the unit instance, sampled after each cycle. Why sampling the var table rather than Verilator's toggle
// coverage: coverage counts toggles but not the time a net is high, which OpenSTA's duty-dependent internal
// power needs, and it would need a coverage file parsed per run.
constexpr const char* kActivityGlue = R"(
#include <string>
#include <vector>
#include "verilated_syms.h"
namespace {
struct Tracked { const void* p; int type; int width; };
struct Act {
  Sim* sim;
  std::vector<Tracked> vars;
  std::vector<std::string> names;  // one per bit, in var order, least significant bit first
  std::vector<uint32_t> prev;      // per var: its words at the last sample
  std::vector<size_t> firstBit, firstWord;
};
inline uint32_t word(const Tracked& t, int k) {
  switch (t.type) {
    case VLVT_UINT8: return *static_cast<const uint8_t*>(t.p);
    case VLVT_UINT16: return *static_cast<const uint16_t*>(t.p);
    case VLVT_UINT32: return *static_cast<const uint32_t*>(t.p);
    case VLVT_UINT64: return uint32_t(*static_cast<const uint64_t*>(t.p) >> (32 * k));
    default: return static_cast<const uint32_t*>(t.p)[k];
  }
}
inline uint32_t mask(int width, int k) {
  const int bits = width - 32 * k;
  return bits >= 32 ? 0xFFFFFFFFu : (1u << bits) - 1u;
}
}  // namespace
extern "C" {
int nf_act_abi() { return NF_ACT_ABI; }
void* nf_act_create() {
  Act* a = new Act;
  a->sim = static_cast<Sim*>(nf_create());
  const VerilatedScope* scope = a->sim->ctx.scopeFind("TOP.nf_lanes.u0");
  if (!scope || !scope->varsp()) return a;
  for (const auto& kv : *scope->varsp()) {
    const VerilatedVar& v = kv.second;
    if (v.vltype() < VLVT_UINT8 || v.vltype() > VLVT_WDATA || v.udims() > 0) continue;
    const int width = v.dims() > 0 ? v.packed().elements() : 1;
    const int lsb = v.dims() > 0 ? std::min(v.packed().left(), v.packed().right()) : 0;
    a->firstBit.push_back(a->names.size());
    a->firstWord.push_back(a->prev.size());
    a->vars.push_back({v.datap(), int(v.vltype()), width});
    for (int b = 0; b < width; ++b)
      a->names.push_back(v.dims() > 0 ? std::string(kv.first) + "[" + std::to_string(lsb + b) + "]" : std::string(kv.first));
    for (int k = 0; k < (width + 31) / 32; ++k) a->prev.push_back(0);
  }
  return a;
}
void nf_act_destroy(void* p) { Act* a = static_cast<Act*>(p); nf_destroy(a->sim); delete a; }
int nf_act_bits(void* p) { return int(static_cast<Act*>(p)->names.size()); }
const char* nf_act_name(void* p, int i) { return static_cast<Act*>(p)->names[size_t(i)].c_str(); }
// feed[c] says whether cycle c takes the next vector; toggles/high have nf_act_bits() entries each.
void nf_act_run(void* p, const uint32_t* in, uint64_t n, const uint8_t* feed, uint64_t cycles, uint64_t* toggles,
                uint64_t* high) {
  Act& a = *static_cast<Act*>(p);
  Vnf_lanes& t = *a.sim->top;
  const uint32_t* ip[1];
  uint64_t next = 0;
  t.eval();  // settled, so that the first sample is not Verilator's unevaluated zeros
  for (uint64_t c = 0; c <= cycles; ++c) {
    // Cycle 0 only records the state the run starts from.
    if (c > 0) {
      const bool f = feed[c - 1] && next < n;
      if (f) { ip[0] = in + next * IW; setLanes(t, ip); ++next; }
#if NF_ACT_CLOCKED
      t.valid_in = f;
      t.clk = 0; t.eval(); t.clk = 1; t.eval();
#else
      t.eval();
#endif
    }
    for (size_t i = 0; i < a.vars.size(); ++i) {
      const Tracked& v = a.vars[i];
      for (int k = 0; k < (v.width + 31) / 32; ++k) {
        const uint32_t now = word(v, k) & mask(v.width, k);
        uint32_t& was = a.prev[a.firstWord[i] + size_t(k)];
        if (c > 0) {
          const size_t base = a.firstBit[i] + size_t(32 * k);
          for (uint32_t x = now ^ was; x; x &= x - 1) ++toggles[base + size_t(__builtin_ctz(x))];
          for (uint32_t x = now; x; x &= x - 1) ++high[base + size_t(__builtin_ctz(x))];
        }
        was = now;
      }
    }
  }
}
}
)";

struct ActAbi {
  void* (*create)();
  void (*destroy)(void*);
  int (*bits)(void*);
  const char* (*name)(void*, int);
  void (*run)(void*, const uint32_t*, uint64_t, const uint8_t*, uint64_t, uint64_t*, uint64_t*);
};

// Evenly spread bubbles: cycle c idles when it crosses a multiple of 1 / idleFraction.
std::vector<uint8_t> feedPattern(uint64_t vectors, double idleFraction, uint64_t& cycles) {
  cycles = idleFraction > 0 ? uint64_t(std::ceil(double(vectors) / (1 - idleFraction))) : vectors;
  std::vector<uint8_t> feed(size_t(cycles), 1);
  for (uint64_t c = 0; c < cycles; ++c)
    if (std::floor(double(c + 1) * idleFraction) > std::floor(double(c) * idleFraction)) feed[size_t(c)] = 0;
  return feed;
}

std::string buildActivityLibrary(const Unit& unit, const std::string& netlist, const ActivityOptions& opt,
                                 bool& cached) {
  if (verilatorVersion().empty()) throw SimError("verilator is not installed (run `make deps`)");
  const bool clocked = unit.latency() > 0 || unit.stateful();
  const std::string lanes = lanesVerilog(unit, unit.moduleName(), 1);
  const std::string glue = fmt::format("#define NF_ACT_ABI {}\n#define NF_ACT_CLOCKED {}\n{}{}", kActivityAbi,
                                       clocked ? 1 : 0, glueCpp(unit, 1), kActivityGlue);
  const std::string unitVerilog = withPublicNets(netlist, unit.moduleName());
  uint64_t h = fnv1a64(unitVerilog);
  h = fnv1a64(lanes, h);
  h = fnv1a64(glue + verilatorVersion(), h);
  const fs::path root = opt.cacheDir.empty() ? fs::path(defaultCacheDir()) : fs::path(opt.cacheDir);
  const fs::path dir = root / fmt::format("{}-activity-{:016x}", unit.moduleName(), h);
  const fs::path so = dir / "act.so";
  cached = fs::exists(so);
  if (cached) return so.string();
  std::error_code ec;
  fs::create_directories(root, ec);
  // Built privately, then renamed: a concurrent builder of the same netlist never sees half a build.
  const fs::path tmp = root / fmt::format(".build-act-{}-{:016x}", ::getpid(), h);
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp);
  std::ofstream(tmp / "unit.v") << unitVerilog;
  std::ofstream(tmp / "lanes.v") << lanes;
  std::ofstream(tmp / "glue.cpp") << glue;
  const char* ccache = std::getenv("NUMFORGE_NO_CCACHE") ? "" : "OBJCACHE=$(command -v ccache) ";
  // -O1 C++: a netlist is compiled for one run of ~10^5 cycles, where compiling dominates.
  const std::string cmd = fmt::format(
      "cd '{}' && {}verilator --cc --exe --build -j {} -O3 --x-assign fast --x-initial fast --noassert -Wno-fatal "
      "-Wno-lint -Wno-style --top-module nf_lanes -CFLAGS '-fPIC -O1' -LDFLAGS '-shared -Wl,-Bsymbolic' -o act.so "
      "--Mdir obj lanes.v unit.v glue.cpp",
      tmp.string(), ccache, opt.jobs);
  std::string out;
  const int rc = runCapture(cmd, out);
  if (rc != 0 || !fs::exists(tmp / "obj" / "act.so")) {
    fs::remove_all(tmp, ec);
    throw SimError(fmt::format("verilator build of the activity simulation failed (exit {}):\n{}", rc,
                               out.size() > 6000 ? out.substr(out.size() - 6000) : out));
  }
  fs::rename(tmp / "obj" / "act.so", tmp / "act.so");
  fs::remove_all(tmp / "obj", ec);
  fs::rename(tmp, dir, ec);
  if (ec) fs::remove_all(tmp, ec);  // another process won the race; use its build
  if (!fs::exists(so)) throw SimError("activity simulation build vanished: " + so.string());
  return so.string();
}

ActAbi loadAbi(const std::string& path) {
  // Stays loaded for the life of the process: Verilated models register atexit handlers.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) throw SimError(fmt::format("cannot load {}: {}", path, ::dlerror()));
  auto sym = [&](const char* name) {
    void* s = ::dlsym(handle, name);
    if (!s) throw SimError(fmt::format("{} lacks symbol {}", path, name));
    return s;
  };
  if (reinterpret_cast<int (*)()>(sym("nf_act_abi"))() != kActivityAbi) throw SimError(path + ": ABI mismatch");
  ActAbi a{};
  a.create = reinterpret_cast<void* (*)()>(sym("nf_act_create"));
  a.destroy = reinterpret_cast<void (*)(void*)>(sym("nf_act_destroy"));
  a.bits = reinterpret_cast<int (*)(void*)>(sym("nf_act_bits"));
  a.name = reinterpret_cast<const char* (*)(void*, int)>(sym("nf_act_name"));
  a.run = reinterpret_cast<void (*)(void*, const uint32_t*, uint64_t, const uint8_t*, uint64_t, uint64_t*, uint64_t*)>(
      sym("nf_act_run"));
  return a;
}

}  // namespace

std::string withPublicNets(const std::string& netlistVerilog, const std::string& top) {
  std::istringstream in(netlistVerilog);
  std::ostringstream out;
  std::string line;
  bool inTop = false;
  while (std::getline(in, line)) {
    if (line.rfind("module " + top + "(", 0) == 0 || line.rfind("module " + top + " ", 0) == 0) inTop = true;
    else if (inTop && line.rfind("endmodule", 0) == 0) inTop = false;
    // Yosys declares each net of the top on its own line: `  wire _0123_;`, `  wire [15:0] a;`.
    if (inTop && line.rfind("  wire ", 0) == 0 && !line.empty() && line.back() == ';')
      line.insert(line.size() - 1, " /*verilator public_flat_rd*/");
    out << line << "\n";
  }
  return out.str();
}

ActivityRun simulateActivity(const Unit& unit, const std::string& gateLevelVerilog,
                             const std::vector<uint32_t>& vectors, const ActivityOptions& opt) {
  if (!(opt.idleFraction >= 0 && opt.idleFraction < 1))
    throw UsageError(fmt::format("--idle-fraction {}: accepted values are 0 <= F < 1", opt.idleFraction));
  const size_t iw = unit.inputWords();
  const uint64_t n = iw ? vectors.size() / iw : 0;
  ActivityRun r;
  const ActAbi abi = loadAbi(buildActivityLibrary(unit, gateLevelVerilog, opt, r.buildCached));
  void* sim = abi.create();
  const int bits = abi.bits(sim);
  if (bits == 0) {
    abi.destroy(sim);
    throw SimError(fmt::format("the activity simulation of {} found no public net in its top", unit.moduleName()));
  }
  const std::vector<uint8_t> feed = feedPattern(n, opt.idleFraction, r.cycles);
  std::vector<uint64_t> toggles(size_t(bits), 0), high(size_t(bits), 0);
  const auto t0 = std::chrono::steady_clock::now();
  abi.run(sim, vectors.data(), n, feed.data(), r.cycles, toggles.data(), high.data());
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (uint8_t f : feed) r.validCycles += f;
  r.validCycles = std::min(r.validCycles, n);
  for (int i = 0; i < bits; ++i) {
    std::string name = abi.name(sim, i);
    if (name == "clk") continue;
    r.nets.push_back({std::move(name), toggles[size_t(i)], high[size_t(i)]});
  }
  abi.destroy(sim);
  return r;
}

}  // namespace nf::verif
