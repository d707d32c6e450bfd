#include "verif/cosim.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "refmodels/rounding.h"

namespace nf::verif {

namespace {

using Clock = std::chrono::steady_clock;
constexpr uint64_t kBlock = 1u << 15;

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint32_t portMask(int width, int word, int words) {
  if (word + 1 < words || width % 32 == 0) return 0xFFFFFFFFu;
  return (1u << (width % 32)) - 1u;
}

std::string describePort(const PortInfo& p, const uint32_t* w) {
  std::string hex;
  for (int k = p.words() - 1; k >= 0; --k) hex += fmt::format("{:0{}x}", w[k], k == p.words() - 1 ? (p.width - 32 * k + 3) / 4 : 8);
  if (p.name == "flags") return fmt::format("{}=0x{} ({})", p.name, hex, flagsToString(uint8_t(w[0])));
  if (p.format && p.width <= 32) return fmt::format("{}=0x{} ({})", p.name, hex, p.format->toDouble(w[0]));
  return fmt::format("{}=0x{}", p.name, hex);
}

}  // namespace

std::string describeOutputs(const Unit& unit, const uint32_t* out) {
  std::string s;
  size_t w = 0;
  for (const PortInfo& p : unit.outputs()) {
    s += (s.empty() ? "" : "  ") + describePort(p, out + w);
    w += size_t(p.words());
  }
  return s;
}

std::string describeInputs(const Unit& unit, const uint32_t* in) {
  std::string s;
  size_t w = 0;
  for (const PortInfo& p : unit.inputs()) {
    s += (s.empty() ? "" : "  ") + describePort(p, in + w);
    w += size_t(p.words());
  }
  return s;
}

namespace {

bool parseHex(const std::string& tok, uint64_t& v) {
  std::string t = tok;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t = t.substr(2);
  if (t.empty() || t.size() > 16) return false;
  v = 0;
  for (char c : t) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    v = (v << 4) | uint64_t(d);
  }
  return true;
}

}  // namespace

std::string describeMismatch(const Unit& unit, const uint32_t* in, const uint32_t* expected, const uint32_t* got) {
  std::string s = "inputs:   " + describeInputs(unit, in);
  s += "\nexpected: " + describeOutputs(unit, expected);
  s += "\ngot:      " + describeOutputs(unit, got);
  return s;
}

std::vector<ExternalVector> readVectors(const Unit& unit, std::istream& in, const std::string& source) {
  std::vector<ExternalVector> v;
  const auto& ins = unit.inputs();
  const auto& outs = unit.outputs();
  const bool unitHasFlags = !outs.empty() && outs.back().name == "flags";
  const size_t nIn = ins.size();
  std::string line;
  size_t lineNo = 0;
  for (const PortInfo& p : ins)
    if (p.width > 32) throw UsageError("--vectors supports ports up to 32 bits");
  while (std::getline(in, line)) {
    ++lineNo;
    std::istringstream ss(line);
    std::vector<std::string> toks;
    std::string t;
    while (ss >> t) toks.push_back(t);
    if (toks.empty() || toks[0][0] == '#') continue;
    if (toks.size() != nIn + 1 && toks.size() != nIn + 2) {
      std::string names;
      for (const PortInfo& p : ins) names += "hex" + p.name + " ";
      throw UsageError(fmt::format("{}:{}: expected '{}hexZ [flags]' ({} or {} hex words), got {} words", source,
                                   lineNo, names, nIn + 1, nIn + 2, toks.size()));
    }
    ExternalVector e;
    e.line = lineNo;
    for (size_t i = 0; i < toks.size(); ++i) {
      uint64_t x;
      const int width = i < nIn ? ins[i].width : i == nIn ? outs[0].width : 5;
      const std::string what = i < nIn ? ins[i].name : i == nIn ? "result" : "flags";
      if (!parseHex(toks[i], x) || (width < 64 && (x >> width) != 0))
        throw UsageError(fmt::format("{}:{}: bad {} '{}': expected a hex number of at most {} bits", source, lineNo,
                                     what, toks[i], width));
      if (i < nIn) e.in.push_back(uint32_t(x));
      else e.expected.push_back(uint32_t(x));
    }
    e.hasFlags = toks.size() == nIn + 2 && unitHasFlags;
    if (!e.hasFlags) e.expected.resize(1);
    v.push_back(std::move(e));
  }
  if (in.bad()) throw UsageError(fmt::format("{}: read error", source));
  if (v.empty()) throw UsageError(fmt::format("{}: no vectors", source));
  return v;
}

CosimReport runCosim(const Unit& unit, const CosimOptions& opt) {
  using Mode = CosimOptions::Mode;
  const size_t IW = unit.inputWords(), OW = unit.outputWords();
  const uint64_t inBits = unit.inputBits();
  if (opt.mode == Mode::Exhaustive && inBits > uint64_t(kMaxExhaustiveBits))
    throw UsageError(fmt::format("--exhaustive: the inputs of {} have {} bits; at most {} bits can be run exhaustively, "
                                 "use --count N",
                                 unit.moduleName(), inBits, kMaxExhaustiveBits));
  std::vector<ExternalVector> external;
  if (opt.mode == Mode::Vectors) {
    if (opt.vectorsPath == "-") {
      external = readVectors(unit, std::cin, "stdin");
    } else {
      std::ifstream f(opt.vectorsPath);
      if (!f) throw UsageError(fmt::format("--vectors: cannot read '{}': {}", opt.vectorsPath, std::strerror(errno)));
      external = readVectors(unit, f, opt.vectorsPath);
    }
  }
  const std::vector<std::vector<uint32_t>> corners =
      opt.mode == Mode::Random ? unit.cornerVectors() : std::vector<std::vector<uint32_t>>{};
  // Units taking groups of inputs (a block over several beats) run whole groups: random runs round up.
  const uint64_t group = unit.stateful() ? uint64_t(std::max(1, unit.streamGroup())) : 1;
  uint64_t total = opt.mode == Mode::Exhaustive ? (uint64_t(1) << inBits)
                   : opt.mode == Mode::Vectors  ? external.size()
                                                : corners.size() + opt.count;
  if (total % group != 0) {
    if (opt.mode != Mode::Random)
      throw UsageError(fmt::format("{} takes inputs in groups of {} (one block); {} vectors is not a multiple",
                                   unit.moduleName(), group, total));
    total += group - total % group;
  }
  const uint64_t chunk = kBlock - kBlock % group;

  CosimReport report;
  const auto b0 = Clock::now();
  BuildOptions build = opt.build;
  if (unit.stateful()) build.lanes = 1;  // one stream, in order
  std::unique_ptr<SimLibrary> lib = buildSim(unit, build);
  report.buildSeconds = std::chrono::duration<double>(Clock::now() - b0).count();
  report.buildCached = lib->fromCache();

  const int threads = unit.stateful() ? 1 : std::max(1, opt.threads > 0 ? opt.threads : int(std::thread::hardware_concurrency()));
  std::unique_ptr<Unit::StreamModel> stream = unit.stateful() ? unit.streamModel() : nullptr;
  if (unit.stateful() && !stream) throw SimError(unit.moduleName() + " is stateful but has no stream model");
  const uint64_t blocks = (total + chunk - 1) / chunk;
  std::atomic<uint64_t> nextBlock{0}, done{0}, mismatches{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  uint64_t firstIndex = UINT64_MAX;
  std::string firstText, simError;

  // Exhaustive runs slice the vector index into the ports, first port in the low bits.
  std::vector<int> portWidths;
  for (const PortInfo& p : unit.inputs()) portWidths.push_back(p.width);
  auto fill = [&](uint64_t index, uint32_t* in) {
    if (opt.mode == Mode::Exhaustive) {
      uint64_t bits = index;
      for (size_t w = 0; w < portWidths.size(); ++w) {
        in[w] = uint32_t(bits & ((uint64_t(1) << portWidths[w]) - 1));
        bits >>= portWidths[w];
      }
    } else if (opt.mode == Mode::Vectors) {
      std::copy(external[index].in.begin(), external[index].in.end(), in);
    } else if (index < corners.size()) {
      std::copy(corners[index].begin(), corners[index].end(), in);
    } else {
      uint64_t state = opt.seed * 0x9E3779B97F4A7C15ull + index;
      size_t w = 0;
      for (const PortInfo& p : unit.inputs())
        for (int k = 0; k < p.words(); ++k) in[w++] = uint32_t(splitmix64(state)) & portMask(p.width, k, p.words());
      unit.shapeRandomVector(in, index - corners.size());
    }
  };

  const std::optional<Format> resultFormat = unit.resultFormat();
  auto matchesExternal = [&](const ExternalVector& e, const uint32_t* got) {
    if (resultFormat && !opt.checkNans && resultFormat->isNaN(e.expected[0]) && resultFormat->isNaN(got[0])) {
    } else if (e.expected[0] != got[0]) {
      return false;
    }
    return !e.hasFlags || e.expected[1] == got[1];
  };

  std::atomic<int64_t> lastFinishNs{0};
  auto worker = [&]() {
    struct Finish {
      std::atomic<int64_t>& last;
      ~Finish() {
        const int64_t now = Clock::now().time_since_epoch().count();
        int64_t prev = last.load();
        while (prev < now && !last.compare_exchange_weak(prev, now)) {
        }
      }
    } finish{lastFinishNs};
    std::unique_ptr<SimInstance> sim = lib->create();
    std::vector<uint32_t> in(kBlock * IW), want(kBlock * OW), got(kBlock * OW);
    for (;;) {
      const uint64_t b = nextBlock.fetch_add(1);
      if (b >= blocks || stop.load(std::memory_order_relaxed)) return;
      const uint64_t first = b * chunk, n = std::min(chunk, total - first);
      for (uint64_t i = 0; i < n; ++i) fill(first + i, &in[i * IW]);
      if (stream) {
        if (group > 1) {
          for (uint64_t i = 0; i < n; i += group) stream->stepGroup(&in[i * IW], &want[i * OW]);
        } else {
          for (uint64_t i = 0; i < n; ++i) stream->step(&in[i * IW], &want[i * OW]);
        }
      } else {
        unit.emulateBatch(in.data(), want.data(), n);
      }
      std::string err;
      if (!sim->run(in.data(), got.data(), n, &err)) {
        std::lock_guard<std::mutex> lock(mu);
        simError = err;
        stop = true;
        return;
      }
      // Almost every block matches as a whole; only a differing one (or a vector file's own expectations)
      // needs the per-vector look.
      if (opt.mode != Mode::Vectors && std::memcmp(want.data(), got.data(), n * OW * sizeof(uint32_t)) == 0) {
        done.fetch_add(n);
        continue;
      }
      for (uint64_t i = 0; i < n; ++i) {
        const uint32_t* g = &got[i * OW];
        bool bad = std::memcmp(&want[i * OW], g, OW * 4) != 0;
        std::string extra;
        if (opt.mode == Mode::Vectors) {
          const ExternalVector& e = external[first + i];
          if (!matchesExternal(e, g)) {
            bad = true;
            std::vector<uint32_t> exp(OW, 0);
            std::copy(e.expected.begin(), e.expected.end(), exp.begin());
            if (!e.hasFlags && OW > 1) exp[1] = g[1];
            extra = fmt::format("{} line {}:\n{}", opt.vectorsPath == "-" ? "stdin" : opt.vectorsPath, e.line,
                                describeMismatch(unit, &in[i * IW], exp.data(), g));
          } else if (bad) {
            extra = "the RTL matches the vector file but not the model (a model bug):\n" +
                    describeMismatch(unit, &in[i * IW], &want[i * OW], g);
          }
        }
        if (!bad) continue;
        mismatches.fetch_add(1);
        std::lock_guard<std::mutex> lock(mu);
        if (first + i < firstIndex) {
          firstIndex = first + i;
          firstText = extra.empty() ? describeMismatch(unit, &in[i * IW], &want[i * OW], g) : extra;
          if (stream) firstText = fmt::format("stream vector {} (state carried from the vectors before it):\n", first + i) + firstText;
        }
        stop = true;
      }
      done.fetch_add(n);
    }
  };

  const auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  if (opt.progress) {
    auto lastPrint = t0;
    bool printed = false;
    while (done.load() < total && !stop.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const auto now = Clock::now();
      const double el = std::chrono::duration<double>(now - t0).count();
      if (el > 2.0 && now - lastPrint > std::chrono::seconds(1)) {
        const uint64_t d = done.load();
        std::cerr << fmt::format("\r  {:5.1f}%  {} / {} vectors  {:.1f} M/s   ", 100.0 * double(d) / double(total), d,
                                 total, double(d) / el / 1e6)
                  << std::flush;
        lastPrint = now;
        printed = true;
      }
    }
    if (printed) std::cerr << "\n";
  }
  for (auto& t : pool) t.join();
  // Workers stamp their finish, so the rate does not include the progress printer's polling delay.
  report.seconds = std::chrono::duration<double>(Clock::time_point(Clock::duration(lastFinishNs.load())) - t0).count();
  if (!simError.empty()) throw SimError("co-simulation protocol error: " + simError);
  report.vectors = done.load();
  report.mismatches = mismatches.load();
  report.firstMismatch = firstText;
  return report;
}

}  // namespace nf::verif
