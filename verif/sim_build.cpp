#include "verif/sim_build.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace nf::verif {

namespace fs = std::filesystem;

namespace {

constexpr int kAbiVersion = 1;
// Port bits of all lanes of one co-simulation top together, at most (a unit wider than this gets one lane).
constexpr uint64_t kMaxLanePortBits = 4096;

std::string cType(int width) {
  if (width <= 32) return "I";
  if (width <= 64) return "Q";
  return "W";
}

void writeFile(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
  if (!f) throw SimError("cannot write " + p.string());
}

struct Abi {
  void* (*create)();
  void (*destroy)(void*);
  int (*run)(void*, const uint32_t*, uint32_t*, uint64_t, char*, int);
};

class DlInstance final : public SimInstance {
 public:
  DlInstance(const Abi& abi) : abi_(abi), handle_(abi.create()) {}
  ~DlInstance() override { abi_.destroy(handle_); }
  bool run(const uint32_t* in, uint32_t* out, uint64_t n, std::string* error) override {
    char msg[256] = {0};
    if (abi_.run(handle_, in, out, n, msg, int(sizeof msg)) != 0) {
      if (error) *error = msg;
      return false;
    }
    return true;
  }

 private:
  Abi abi_;
  void* handle_;
};

class DlLibrary final : public SimLibrary {
 public:
  DlLibrary(std::string path, bool cached) : path_(std::move(path)), cached_(cached) {
    handle_ = ::dlopen(path_.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) throw SimError(fmt::format("cannot load {}: {}", path_, ::dlerror()));
    auto sym = [&](const char* name) {
      void* s = ::dlsym(handle_, name);
      if (!s) throw SimError(fmt::format("{} lacks symbol {}", path_, name));
      return s;
    };
    auto version = reinterpret_cast<int (*)()>(sym("nf_abi_version"));
    if (version() != kAbiVersion) throw SimError(path_ + ": ABI version mismatch");
    abi_.create = reinterpret_cast<void* (*)()>(sym("nf_create"));
    abi_.destroy = reinterpret_cast<void (*)(void*)>(sym("nf_destroy"));
    abi_.run = reinterpret_cast<int (*)(void*, const uint32_t*, uint32_t*, uint64_t, char*, int)>(sym("nf_run"));
  }
  // The library stays loaded for the life of the process: Verilated models register atexit handlers.
  std::unique_ptr<SimInstance> create() override { return std::make_unique<DlInstance>(abi_); }
  const std::string& path() const override { return path_; }
  bool fromCache() const override { return cached_; }

 private:
  std::string path_;
  bool cached_;
  void* handle_ = nullptr;
  Abi abi_{};
};

}  // namespace

int runCapture(const std::string& cmd, std::string& output) {
  output.clear();
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) output.append(buf.data(), n);
  const int st = ::pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

const std::string& verilatorVersion() {
  static std::once_flag once;
  static std::string version;
  std::call_once(once, [] {
    if (runCapture("verilator --version", version) != 0) version.clear();
  });
  return version;
}

uint64_t fnv1a64(const std::string& s, uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string defaultCacheDir() {
  if (const char* c = std::getenv("NUMFORGE_CACHE"); c && *c) return c;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/numforge";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/numforge";
  return "/tmp/numforge-cache";
}

std::string lanesVerilog(const Unit& unit, const std::string& unitModule, int lanes) {
  std::ostringstream v;
  const bool seq = unit.latency() > 0 || unit.stateful();
  v << "// numforge co-simulation top: " << lanes << " lanes of " << unitModule << "\n";
  v << "module nf_lanes (\n";
  std::vector<std::string> ports;
  if (seq) ports = {"input wire clk", "input wire rst", "input wire valid_in"};
  for (int l = 0; l < lanes; ++l) {
    for (const PortInfo& p : unit.inputs())
      ports.push_back(fmt::format("input wire [{}:0] {}_l{}", p.width - 1, p.name, l));
    for (const PortInfo& p : unit.outputs())
      ports.push_back(fmt::format("output wire [{}:0] {}_l{}", p.width - 1, p.name, l));
    if (seq) ports.push_back(fmt::format("output wire valid_out_l{}", l));
  }
  for (size_t i = 0; i < ports.size(); ++i) v << "  " << ports[i] << (i + 1 < ports.size() ? ",\n" : "\n");
  v << ");\n";
  for (int l = 0; l < lanes; ++l) {
    v << "  " << unitModule << " u" << l << " (";
    std::vector<std::string> conns;
    if (seq) conns = {".clk(clk)", ".rst(rst)", ".valid_in(valid_in)", fmt::format(".valid_out(valid_out_l{})", l)};
    for (const PortInfo& p : unit.inputs()) conns.push_back(fmt::format(".{0}({0}_l{1})", p.name, l));
    for (const PortInfo& p : unit.outputs()) conns.push_back(fmt::format(".{0}({0}_l{1})", p.name, l));
    for (size_t i = 0; i < conns.size(); ++i) v << conns[i] << (i + 1 < conns.size() ? ", " : "");
    v << ");\n";
  }
  v << "endmodule\n";
  return v.str();
}

std::string glueCpp(const Unit& unit, int lanes) {
  const size_t IW = unit.inputWords(), OW = unit.outputWords();
  const int latency = unit.latency();
  std::ostringstream c;
  c << "// numforge co-simulation glue: C ABI around the Verilated lanes top.\n"
       "#include <cstdint>\n#include <cstdio>\n#include \"Vnf_lanes.h\"\n#include \"verilated.h\"\n\n"
       "namespace {\nstruct Sim {\n  VerilatedContext ctx;\n  Vnf_lanes* top;\n"
       "  Sim() { top = new Vnf_lanes{&ctx}; }\n  ~Sim() { top->final(); delete top; }\n};\n";
  // Per-lane setters and getters, unrolled: each is a plain store or load on a Verilated port.
  c << "inline void setLanes(Vnf_lanes& t, const uint32_t* const* in) {\n";
  for (int l = 0; l < lanes; ++l) {
    size_t w = 0;
    for (const PortInfo& p : unit.inputs()) {
      const std::string port = fmt::format("t.{}_l{}", p.name, l);
      if (cType(p.width) == "I") c << fmt::format("  {} = in[{}][{}];\n", port, l, w);
      else if (cType(p.width) == "Q")
        c << fmt::format("  {} = uint64_t(in[{}][{}]) | (uint64_t(in[{}][{}]) << 32);\n", port, l, w, l, w + 1);
      else
        for (int k = 0; k < p.words(); ++k) c << fmt::format("  {}[{}] = in[{}][{}];\n", port, k, l, w + k);
      w += size_t(p.words());
    }
  }
  c << "}\ninline void getLanes(Vnf_lanes& t, uint32_t* const* out) {\n";
  for (int l = 0; l < lanes; ++l) {
    size_t w = 0;
    for (const PortInfo& p : unit.outputs()) {
      const std::string port = fmt::format("t.{}_l{}", p.name, l);
      if (cType(p.width) == "I") c << fmt::format("  out[{}][{}] = {};\n", l, w, port);
      else if (cType(p.width) == "Q")
        c << fmt::format("  out[{0}][{1}] = uint32_t({2}); out[{0}][{3}] = uint32_t({2} >> 32);\n", l, w, port, w + 1);
      else
        for (int k = 0; k < p.words(); ++k) c << fmt::format("  out[{}][{}] = {}[{}];\n", l, w + k, port, k);
      w += size_t(p.words());
    }
  }
  c << "}\n";
  if (latency > 0 || unit.stateful()) {
    c << "inline bool validLanes(Vnf_lanes& t, bool expect) {\n  return true";
    for (int l = 0; l < lanes; ++l) c << fmt::format(" && bool(t.valid_out_l{}) == expect", l);
    c << ";\n}\n";
  }
  c << "}  // namespace\n\n";
  c << fmt::format("constexpr int L = {}; constexpr uint64_t IW = {}, OW = {}; constexpr int LATENCY = {};\n", lanes,
                   IW, OW, latency);
  c << "extern \"C\" {\n"
    << "int nf_abi_version() { return " << kAbiVersion << "; }\n"
    << "void* nf_create() { Sim* s = new Sim; ";
  if (latency > 0 || unit.stateful())
    c << "s->top->rst = 1; s->top->valid_in = 0; for (int i = 0; i < 2; ++i) { s->top->clk = 0; s->top->eval(); "
         "s->top->clk = 1; s->top->eval(); } s->top->rst = 0; ";
  c << "return s; }\n"
    << "void nf_destroy(void* p) { delete static_cast<Sim*>(p); }\n";
  c << "int nf_run(void* p, const uint32_t* in, uint32_t* out, uint64_t n, char* msg, int msglen) {\n"
       "  if (n == 0) return 0;\n"
       "  Vnf_lanes& t = *static_cast<Sim*>(p)->top;\n"
       "  static thread_local uint32_t scratch[L * (OW + 1)];\n"
       "  const uint32_t* ip[L];\n  uint32_t* op[L];\n";
  if (unit.stateful() && unit.streamGroup() > 1) {
    // Inputs with a bubble every fifth cycle; outputs collected, in order, in every cycle with valid_out (read
    // before the edge), until there are n of them.
    c << "  uint64_t next = 0, got = 0;\n"
         "  for (uint64_t cycle = 0; got < n; ++cycle) {\n"
         "    if (cycle > 8 * n + 1000) {\n"
         "      std::snprintf(msg, size_t(msglen), \"valid_out gave %llu outputs for %llu inputs\", (unsigned long long)got,"
         " (unsigned long long)n);\n      return 1;\n    }\n"
         "    const bool feed = next < n && (cycle % 5) != 4;\n"
         "    t.valid_in = feed;\n"
         "    if (feed) { ip[0] = in + next * IW; setLanes(t, ip); ++next; }\n"
         "    t.clk = 0; t.eval();\n"
         "    if (t.valid_out_l0) { op[0] = out + got * OW; getLanes(t, op); ++got; }\n"
         "    t.clk = 1; t.eval();\n  }\n  (void)scratch;\n  return 0;\n}\n";
  } else if (latency == 0 && unit.stateful()) {
    // One vector per cycle, outputs read before the edge that consumes it; every fifth cycle is a bubble,
    // during which the state must hold.
    c << "  uint64_t next = 0;\n"
         "  for (uint64_t cycle = 0; next < n; ++cycle) {\n"
         "    const bool bubble = (cycle % 5) == 4;\n"
         "    t.valid_in = !bubble;\n"
         "    if (!bubble) { ip[0] = in + next * IW; setLanes(t, ip); }\n"
         "    t.clk = 0; t.eval();\n"
         "    if (!validLanes(t, !bubble)) {\n"
         "      std::snprintf(msg, size_t(msglen), \"valid_out is %d at cycle %llu, expected %d\", int(t.valid_out_l0),"
         " (unsigned long long)cycle, int(!bubble));\n      return 1;\n    }\n"
         "    if (!bubble) { op[0] = out + next * OW; getLanes(t, op); ++next; }\n"
         "    t.clk = 1; t.eval();\n  }\n  (void)scratch;\n  return 0;\n}\n";
  } else if (latency == 0) {
    c << "  for (uint64_t base = 0; base < n; base += L) {\n"
         "    const uint64_t cnt = n - base < uint64_t(L) ? n - base : uint64_t(L);\n"
         "    for (int l = 0; l < L; ++l) {\n"
         "      ip[l] = in + (base + (uint64_t(l) < cnt ? l : 0)) * IW;\n"
         "      op[l] = uint64_t(l) < cnt ? out + (base + l) * OW : scratch + l * OW;\n    }\n"
         "    setLanes(t, ip);\n    t.eval();\n    getLanes(t, op);\n  }\n  (void)msg; (void)msglen;\n  return 0;\n}\n";
  } else {
    // Stream chunks with a bubble every fifth cycle; a chunk entering at cycle k leaves after LATENCY edges.
    c << "  const uint64_t chunks = (n + L - 1) / L;\n"
         "  static thread_local int64_t pipeChunk[64];\n"
         "  uint64_t next = 0;\n"
         "  for (uint64_t cycle = 0; next < chunks || cycle < 1000000000ull; ++cycle) {\n"
         "    const bool bubble = (cycle % 5) == 4 || next >= chunks;\n"
         "    int64_t entering = -1;\n"
         "    if (!bubble) {\n"
         "      const uint64_t base = next * L;\n"
         "      const uint64_t cnt = n - base < uint64_t(L) ? n - base : uint64_t(L);\n"
         "      for (int l = 0; l < L; ++l) ip[l] = in + (base + (uint64_t(l) < cnt ? l : 0)) * IW;\n"
         "      setLanes(t, ip);\n      entering = int64_t(next++);\n    }\n"
         "    t.valid_in = !bubble;\n"
         "    t.clk = 0; t.eval(); t.clk = 1; t.eval();\n"
         "    pipeChunk[cycle % 64] = entering;\n"
         "    if (cycle + 1 < uint64_t(LATENCY)) continue;\n"
         "    const int64_t leaving = pipeChunk[(cycle + 1 - LATENCY) % 64];\n"
         "    if (!validLanes(t, leaving >= 0)) {\n"
         "      std::snprintf(msg, size_t(msglen), \"valid_out is %d at cycle %llu, expected %d\", int(t.valid_out_l0),"
         " (unsigned long long)cycle, int(leaving >= 0));\n      return 1;\n    }\n"
         "    if (leaving >= 0) {\n"
         "      const uint64_t base = uint64_t(leaving) * L;\n"
         "      const uint64_t cnt = n - base < uint64_t(L) ? n - base : uint64_t(L);\n"
         "      for (int l = 0; l < L; ++l) op[l] = uint64_t(l) < cnt ? out + (base + l) * OW : scratch + l * OW;\n"
         "      getLanes(t, op);\n"
         "      if (uint64_t(leaving) + 1 == chunks) break;\n    }\n  }\n  return 0;\n}\n";
  }
  c << "}\n";
  return c.str();
}

std::unique_ptr<SimLibrary> buildSim(const Unit& unit, const BuildOptions& opt) {
  if (verilatorVersion().empty()) throw SimError("verilator is not installed (run `make deps`)");
  if (unit.latency() >= 64) throw SimError("latency over 63 is not supported by the co-simulation harness");
  const GeneratedModule m = unit.emit();
  const bool gateLevel = !opt.netlistVerilog.empty();
  const std::string& unitVerilog = gateLevel ? opt.netlistVerilog : m.verilog;
  // Wide units (block quantizers: a whole block per vector) get fewer lanes: Verilator flattens the top, and
  // 32 copies of a 1160-port-bit unit took seven minutes to compile for no faster simulation.
  uint64_t portBits = 0;
  for (const auto* ports : {&unit.inputs(), &unit.outputs()})
    for (const PortInfo& p : *ports) portBits += uint64_t(p.width);
  // A quick build serves a few hundred thousand vectors, where compiling is the cost: a 776-port-bit mxquant
  // took 215 s to compile cold at 5 lanes. It gets a quarter of the budget.
  const uint64_t laneBudget = opt.quickBuild ? kMaxLanePortBits / 4 : kMaxLanePortBits;
  const int laneCount = std::max(1, std::min(opt.lanes, int(laneBudget / std::max<uint64_t>(portBits, 1))));
  const std::string lanes = lanesVerilog(unit, m.name, laneCount);
  const std::string glue = glueCpp(unit, laneCount);
  // Tests run few vectors per unit: a quicker compile beats a quicker simulation there.
  const std::string cflags = opt.quickBuild ? "-fPIC -O1 -fno-stack-protector" : "-fPIC -O3 -march=native -fno-stack-protector";
  // Verilator 5.006's DFG optimizer left the bf16 multiplier's lanes 3-4% slower per vector (measured over
  // 2^24 vectors, alternating builds); long runs go without it.
  const std::string verilatorOpt = opt.quickBuild ? "-O3" : "-O3 -fno-dfg";
  uint64_t h = fnv1a64(unitVerilog);
  h = fnv1a64(lanes, h);
  h = fnv1a64(glue, h);
  h = fnv1a64(verilatorVersion() + verilatorOpt + cflags + std::to_string(kAbiVersion), h);
  const fs::path root = opt.cacheDir.empty() ? fs::path(defaultCacheDir()) : fs::path(opt.cacheDir);
  const fs::path dir = root / fmt::format("{}{}-{:016x}", m.name, gateLevel ? "-netlist" : "", h);
  const fs::path so = dir / "sim.so";
  if (fs::exists(so)) return std::make_unique<DlLibrary>(so.string(), true);

  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) throw SimError(fmt::format("cannot create cache directory {}: {}", root.string(), ec.message()));
  // Build in a private directory, then rename: concurrent builders of the same unit never see half a build.
  const fs::path tmp = root / fmt::format(".build-{}-{}-{:016x}", ::getpid(), std::hash<std::thread::id>{}(std::this_thread::get_id()), h);
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp);
  writeFile(tmp / "unit.v", unitVerilog);
  writeFile(tmp / "lanes.v", lanes);
  writeFile(tmp / "glue.cpp", glue);
  const char* ccache = std::getenv("NUMFORGE_NO_CCACHE") ? "" : "OBJCACHE=$(command -v ccache) ";
  const std::string cmd = fmt::format(
      "cd '{}' && {}verilator --cc --exe --build -j {} {} --x-assign fast --x-initial fast --noassert "
      "-Wno-fatal -Wno-lint -Wno-style --top-module nf_lanes -CFLAGS '{}' -LDFLAGS '-shared -Wl,-Bsymbolic' "
      "-o sim.so --Mdir obj lanes.v unit.v glue.cpp",
      tmp.string(), ccache, opt.jobs, verilatorOpt, cflags);
  std::string out;
  const int rc = runCapture(cmd, out);
  if (rc != 0 || !fs::exists(tmp / "obj" / "sim.so")) {
    fs::remove_all(tmp, ec);
    throw SimError(fmt::format("verilator build failed (exit {}):\n{}", rc, out.size() > 6000 ? out.substr(out.size() - 6000) : out));
  }
  fs::rename(tmp / "obj" / "sim.so", tmp / "sim.so");
  fs::remove_all(tmp / "obj", ec);
  fs::rename(tmp, dir, ec);
  if (ec) fs::remove_all(tmp, ec);  // another process won the race; use its build
  if (!fs::exists(so)) throw SimError("verilator build vanished: " + so.string());
  return std::make_unique<DlLibrary>(so.string(), false);
}

}  // namespace nf::verif
