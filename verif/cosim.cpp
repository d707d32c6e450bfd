#include "verif/cosim.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
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

bool parseHexWords(const std::string& tok, int width, std::vector<uint32_t>& words) {
  std::string t = tok;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t = t.substr(2);
  words.assign(size_t((width + 31) / 32), 0u);
  if (t.empty()) return false;
  int bit = 0;
  for (auto c = t.rbegin(); c != t.rend(); ++c, bit += 4) {
    if (!std::isxdigit(static_cast<unsigned char>(*c))) return false;
    const uint32_t d = uint32_t(std::isdigit(static_cast<unsigned char>(*c)) ? *c - '0' : std::tolower(*c) - 'a' + 10);
    for (int k = 0; k < 4; ++k)
      if ((d >> k) & 1u) {
        if (bit + k >= width) return false;
        words[size_t((bit + k) / 32)] |= 1u << ((bit + k) % 32);
      }
  }
  return true;
}

void randomVector(const Unit& unit, uint64_t seed, uint64_t index, uint64_t shapeIndex, uint32_t* in) {
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + index;
  size_t w = 0;
  for (const PortInfo& p : unit.inputs())
    for (int k = 0; k < p.words(); ++k) in[w++] = uint32_t(splitmix64(state)) & portMask(p.width, k, p.words());
  unit.shapeRandomVector(in, shapeIndex);
}

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
      std::vector<uint32_t> words;
      const int width = i < nIn ? ins[i].width : i == nIn ? outs[0].width : 5;
      const std::string what = i < nIn ? ins[i].name : i == nIn ? "result" : "flags";
      if (!parseHexWords(toks[i], width, words))
        throw UsageError(fmt::format("{}:{}: bad {} '{}': expected a hex number of at most {} bits", source, lineNo,
                                     what, toks[i], width));
      if (i < nIn) e.in.push_back(words[0]);
      else e.expected.push_back(words[0]);
    }
    e.hasFlags = toks.size() == nIn + 2 && unitHasFlags;
    if (!e.hasFlags) e.expected.resize(1);
    v.push_back(std::move(e));
  }
  if (in.bad()) throw UsageError(fmt::format("{}: read error", source));
  if (v.empty()) throw UsageError(fmt::format("{}: no vectors", source));
  return v;
}

namespace {

// The vectors of one run, by index: exhaustive (the index sliced into the ports, first port in the low bits),
// a vector file's, or the unit's corner cases followed by seeded random vectors.
class Stimulus {
 public:
  Stimulus(const Unit& unit, const CosimOptions& opt) : unit_(unit), opt_(opt), resultFormat_(unit.resultFormat()) {
    using Mode = CosimOptions::Mode;
    const uint64_t inBits = unit.inputBits();
    if (opt.mode == Mode::Exhaustive && inBits > uint64_t(kMaxExhaustiveBits))
      throw UsageError(fmt::format("--exhaustive: the inputs of {} have {} bits; at most {} bits can be run "
                                   "exhaustively, use --count N",
                                   unit.moduleName(), inBits, kMaxExhaustiveBits));
    if (opt.mode == Mode::Vectors) external_ = readVectorSource();
    if (opt.mode == Mode::Random) corners_ = unit.cornerVectors();
    // Units taking groups of inputs (a block over several beats) run whole groups: random runs round up.
    group_ = unit.stateful() ? uint64_t(std::max(1, unit.streamGroup())) : 1;
    total_ = opt.mode == Mode::Exhaustive ? (uint64_t(1) << inBits)
             : opt.mode == Mode::Vectors  ? external_.size()
                                          : corners_.size() + opt.count;
    if (total_ % group_ != 0) {
      if (opt.mode != Mode::Random)
        throw UsageError(fmt::format("{} takes inputs in groups of {} (one block); {} vectors is not a multiple",
                                     unit.moduleName(), group_, total_));
      total_ += group_ - total_ % group_;
    }
    for (const PortInfo& p : unit.inputs()) portWidths_.push_back(p.width);
  }
  uint64_t total() const { return total_; }
  uint64_t group() const { return group_; }

  void fill(uint64_t index, uint32_t* in) const {
    if (opt_.mode == CosimOptions::Mode::Exhaustive) {
      uint64_t bits = index;
      for (size_t w = 0; w < portWidths_.size(); ++w) {
        in[w] = uint32_t(bits & ((uint64_t(1) << portWidths_[w]) - 1));
        bits >>= portWidths_[w];
      }
    } else if (opt_.mode == CosimOptions::Mode::Vectors) {
      std::copy(external_[index].in.begin(), external_[index].in.end(), in);
    } else if (index < corners_.size()) {
      std::copy(corners_[index].begin(), corners_[index].end(), in);
    } else {
      randomVector(unit_, opt_.seed, index, index - corners_.size(), in);
    }
  }

  // Against a vector file's own expectation: results (NaNs alike unless --check-nans) and flags when given.
  bool matchesExternal(uint64_t index, const uint32_t* got) const {
    const ExternalVector& e = external_[index];
    if (resultFormat_ && !opt_.checkNans && resultFormat_->isNaN(e.expected[0]) && resultFormat_->isNaN(got[0])) {
    } else if (e.expected[0] != got[0]) {
      return false;
    }
    return !e.hasFlags || e.expected[1] == got[1];
  }
  const ExternalVector& external(uint64_t index) const { return external_[index]; }

 private:
  std::vector<ExternalVector> readVectorSource() const {
    if (opt_.vectorsPath == "-") return readVectors(unit_, std::cin, "stdin");
    std::ifstream f(opt_.vectorsPath);
    if (!f) throw UsageError(fmt::format("--vectors: cannot read '{}': {}", opt_.vectorsPath, std::strerror(errno)));
    return readVectors(unit_, f, opt_.vectorsPath);
  }

  const Unit& unit_;
  const CosimOptions& opt_;
  std::optional<Format> resultFormat_;
  std::vector<ExternalVector> external_;
  std::vector<std::vector<uint32_t>> corners_;
  std::vector<int> portWidths_;
  uint64_t group_ = 1, total_ = 0;
};

// What the worker threads share: the next block, the counts, the first mismatch (lowest index) and a simulator
// protocol error.
struct RunState {
  std::atomic<uint64_t> nextBlock{0}, done{0}, mismatches{0};
  std::atomic<bool> stop{false};
  std::atomic<int64_t> lastFinishNs{0};
  std::mutex mu;
  uint64_t firstIndex = UINT64_MAX;
  std::string firstText, simError;

  void mismatch(uint64_t index, const std::function<std::string()>& describe) {
    mismatches.fetch_add(1);
    std::lock_guard<std::mutex> lock(mu);
    if (index < firstIndex) {
      firstIndex = index;
      firstText = describe();
    }
    stop = true;
  }
  // Workers stamp their finish, so the rate does not include the progress printer's polling delay.
  void stampFinish() {
    const int64_t now = Clock::now().time_since_epoch().count();
    int64_t prev = lastFinishNs.load();
    while (prev < now && !lastFinishNs.compare_exchange_weak(prev, now)) {
    }
  }
};

// One run's fixed parts: what a worker compares and where it reports.
struct RunContext {
  const Unit& unit;
  const CosimOptions& opt;
  const Stimulus& stim;
  SimLibrary& lib;
  Unit::StreamModel* stream;  // stateful units: one in-order stream (a single worker)
  uint64_t blocks, chunk;
  RunState& state;
};

// Vector `index` (inputs `in`, model `want`, RTL `got`) checked one by one: against the model, and for a vector
// file against its own expectation too.
void checkVector(const RunContext& c, uint64_t index, const uint32_t* in, const uint32_t* want, const uint32_t* got) {
  const size_t OW = c.unit.outputWords();
  bool bad = std::memcmp(want, got, OW * 4) != 0;
  std::string extra;
  if (c.opt.mode == CosimOptions::Mode::Vectors) {
    const ExternalVector& e = c.stim.external(index);
    if (!c.stim.matchesExternal(index, got)) {
      bad = true;
      std::vector<uint32_t> exp(OW, 0);
      std::copy(e.expected.begin(), e.expected.end(), exp.begin());
      if (!e.hasFlags && OW > 1) exp[1] = got[1];
      extra = fmt::format("{} line {}:\n{}", c.opt.vectorsPath == "-" ? "stdin" : c.opt.vectorsPath, e.line,
                          describeMismatch(c.unit, in, exp.data(), got));
    } else if (bad) {
      extra = "the RTL matches the vector file but not the model (a model bug):\n" +
              describeMismatch(c.unit, in, want, got);
    }
  }
  if (!bad) return;
  c.state.mismatch(index, [&] {
    std::string text = extra.empty() ? describeMismatch(c.unit, in, want, got) : extra;
    if (c.stream) text = fmt::format("stream vector {} (state carried from the vectors before it):\n", index) + text;
    return text;
  });
}

// Takes blocks of `chunk` vectors until none is left or a mismatch stops the run: fills them, runs the model and
// the simulator on them, compares.
void runWorker(const RunContext& c) {
  struct Finish {
    RunState& s;
    ~Finish() { s.stampFinish(); }
  } finish{c.state};
  const size_t IW = c.unit.inputWords(), OW = c.unit.outputWords();
  const uint64_t total = c.stim.total(), group = c.stim.group();
  std::unique_ptr<SimInstance> sim = c.lib.create();
  std::vector<uint32_t> in(kBlock * IW), want(kBlock * OW), got(kBlock * OW);
  for (;;) {
    const uint64_t b = c.state.nextBlock.fetch_add(1);
    if (b >= c.blocks || c.state.stop.load(std::memory_order_relaxed)) return;
    const uint64_t first = b * c.chunk, n = std::min(c.chunk, total - first);
    for (uint64_t i = 0; i < n; ++i) c.stim.fill(first + i, &in[i * IW]);
    if (c.stream && group > 1) {
      for (uint64_t i = 0; i < n; i += group) c.stream->stepGroup(&in[i * IW], &want[i * OW]);
    } else if (c.stream) {
      for (uint64_t i = 0; i < n; ++i) c.stream->step(&in[i * IW], &want[i * OW]);
    } else {
      c.unit.emulateBatch(in.data(), want.data(), n);
    }
    std::string err;
    if (!sim->run(in.data(), got.data(), n, &err)) {
      std::lock_guard<std::mutex> lock(c.state.mu);
      c.state.simError = err;
      c.state.stop = true;
      return;
    }
    // Almost every block matches as a whole; only a differing one (or a vector file's own expectations)
    // needs the per-vector look.
    if (c.opt.mode == CosimOptions::Mode::Vectors || std::memcmp(want.data(), got.data(), n * OW * sizeof(uint32_t)) != 0)
      for (uint64_t i = 0; i < n; ++i) checkVector(c, first + i, &in[i * IW], &want[i * OW], &got[i * OW]);
    c.state.done.fetch_add(n);
  }
}

// Progress on stderr, once a second after the first two, until the run is done or stopped.
void printProgress(const RunState& state, uint64_t total, Clock::time_point t0) {
  auto lastPrint = t0;
  bool printed = false;
  while (state.done.load() < total && !state.stop.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto now = Clock::now();
    const double el = std::chrono::duration<double>(now - t0).count();
    if (el > 2.0 && now - lastPrint > std::chrono::seconds(1)) {
      const uint64_t d = state.done.load();
      std::cerr << fmt::format("\r  {:5.1f}%  {} / {} vectors  {:.1f} M/s   ", 100.0 * double(d) / double(total), d,
                               total, double(d) / el / 1e6)
                << std::flush;
      lastPrint = now;
      printed = true;
    }
  }
  if (printed) std::cerr << "\n";
}

}  // namespace

CosimReport runCosim(const Unit& unit, const CosimOptions& opt) {
  const Stimulus stim(unit, opt);
  const uint64_t chunk = kBlock - kBlock % stim.group();

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
  RunState state;
  const RunContext context{unit, opt, stim, *lib, stream.get(), (stim.total() + chunk - 1) / chunk, chunk, state};

  const auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(runWorker, std::cref(context));
  if (opt.progress) printProgress(state, stim.total(), t0);
  for (auto& t : pool) t.join();
  report.seconds = std::chrono::duration<double>(Clock::time_point(Clock::duration(state.lastFinishNs.load())) - t0).count();
  if (!state.simError.empty()) throw SimError("co-simulation protocol error: " + state.simError);
  report.vectors = state.done.load();
  report.mismatches = state.mismatches.load();
  report.firstMismatch = state.firstText;
  return report;
}

}  // namespace nf::verif
