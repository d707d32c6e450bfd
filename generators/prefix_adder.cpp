// Parallel-prefix adders: each network is a list of levels, each level a list of (i, j) nodes giving bit i the
// group (G, P) of bits lo(j) .. i from its own group lo(i) = j + 1 .. i and bit j's; the generator checks that
// every node joins adjacent groups and that every group reaches bit 0 (cin's position), whatever the kind.
#include "generators/prefix_adder.h"

#include <fmt/format.h>

#include <stdexcept>
#include <utility>
#include <vector>

namespace nf::blocks {

namespace {

using Level = std::vector<std::pair<int, int>>;  // (i, j): group of i absorbs group of j (j < i)

// The networks over n positions (position 0 is cin, positions 1..n-1 the operand bits).
std::vector<Level> network(int n, AdderKind kind) {
  std::vector<Level> levels;
  auto steps = [&] {
    int k = 0;
    while ((1 << k) < n) ++k;
    return k;
  };
  switch (kind) {
    case AdderKind::Ripple:
      for (int i = 1; i < n; ++i) levels.push_back({{i, i - 1}});
      break;
    case AdderKind::KoggeStone:
      for (int d = 1; d < n; d *= 2) {
        Level l;
        for (int i = d; i < n; ++i) l.push_back({i, i - d});
        levels.push_back(l);
      }
      break;
    case AdderKind::Sklansky:
      for (int k = 0; k < steps(); ++k) {
        Level l;
        for (int i = 0; i < n; ++i)
          if ((i >> k) & 1) l.push_back({i, ((i >> k) << k) - 1});
        levels.push_back(l);
      }
      break;
    case AdderKind::BrentKung: {
      const int K = steps();
      for (int k = 0; k < K; ++k) {  // up-sweep: groups of 2^(k+1) ending at i
        Level l;
        for (int i = (2 << k) - 1; i < n; i += 2 << k) l.push_back({i, i - (1 << k)});
        if (!l.empty()) levels.push_back(l);
      }
      for (int k = K - 2; k >= 0; --k) {  // down-sweep: the positions halfway between
        Level l;
        for (int i = (3 << k) - 1; i < n; i += 2 << k) l.push_back({i, i - (1 << k)});
        if (!l.empty()) levels.push_back(l);
      }
      break;
    }
    case AdderKind::HanCarlson: {
      // Kogge-Stone over the odd positions (after the first level joins each with its even neighbour), then the
      // even positions take their odd neighbour's group.
      levels.push_back({});
      for (int i = 1; i < n; i += 2) levels.back().push_back({i, i - 1});
      for (int d = 2; d < n; d *= 2) {
        Level l;
        for (int i = 1; i < n; i += 2)
          if (i - d >= 0) l.push_back({i, i - d});
        if (!l.empty()) levels.push_back(l);
      }
      Level l;
      for (int i = 2; i < n; i += 2) l.push_back({i, i - 1});
      if (!l.empty()) levels.push_back(l);
      break;
    }
  }
  return levels;
}

}  // namespace

bool parseAdderKind(const std::string& name, AdderKind& kind) {
  for (AdderKind k : {AdderKind::Ripple, AdderKind::KoggeStone, AdderKind::BrentKung, AdderKind::Sklansky,
                      AdderKind::HanCarlson})
    if (name == adderKindName(k)) {
      kind = k;
      return true;
    }
  return false;
}

const char* adderKindName(AdderKind kind) {
  switch (kind) {
    case AdderKind::Ripple: return "ripple";
    case AdderKind::KoggeStone: return "kogge-stone";
    case AdderKind::BrentKung: return "brent-kung";
    case AdderKind::Sklansky: return "sklansky";
    case AdderKind::HanCarlson: return "han-carlson";
  }
  return "?";
}

std::string emitPrefixAdder(Design& d, int width, AdderKind kind) {
  if (width < 1) throw std::logic_error("emitPrefixAdder: width must be at least 1");
  std::string tag = adderKindName(kind);
  for (char& c : tag)
    if (c == '-') c = '_';
  const std::string name = fmt::format("{}_add{}_{}", d.top(), width, tag);
  if (d.has(name)) return name;
  const int n = width + 1;  // position 0: cin as a generate with no propagate
  vlog::Writer w;
  w.line(fmt::format("// {}-bit carry-propagate adder, {} prefix network: {{cout, s}} = a + b + cin.", width,
                     adderKindName(kind)));
  w.open(fmt::format("module {} (", name));
  w.line(fmt::format("input  wire {}a,", vlog::range(width)));
  w.line(fmt::format("input  wire {}b,", vlog::range(width)));
  w.line("input  wire cin,");
  w.line(fmt::format("output wire {}s,", vlog::range(width)));
  w.line("output wire cout");
  w.close(");");
  w.line(fmt::format("  wire {}p = a ^ b;", vlog::range(width)));
  w.line(fmt::format("  wire {}g = a & b;", vlog::range(width)));
  // cur[i]: the wire names holding position i's group (G, P) so far; lo[i]: the group's lowest position.
  std::vector<std::string> G(n), P(n);
  std::vector<int> lo(n);
  w.line("  wire G0_0 = cin;");
  G[0] = "G0_0";
  P[0] = "1'b0";
  for (int i = 1; i < n; ++i) {
    G[i] = width == 1 ? "g" : fmt::format("g[{}]", i - 1);
    P[i] = width == 1 ? "p" : fmt::format("p[{}]", i - 1);
    lo[i] = i;
  }
  int li = 0;
  for (const Level& l : network(n, kind)) {
    ++li;
    std::vector<std::string> nG = G, nP = P;
    std::vector<int> nlo = lo;
    for (auto [i, j] : l) {
      if (j >= i || lo[i] != j + 1)
        throw std::logic_error(fmt::format("emitPrefixAdder {}: node ({}, {}) joins groups that are not adjacent",
                                           adderKindName(kind), i, j));
      nG[i] = fmt::format("G{}_{}", li, i);
      w.line(fmt::format("  wire {} = {} | ({} & {});", nG[i], G[i], P[i], G[j]));
      nlo[i] = lo[j];
      if (nlo[i] != 0) {  // a group reaching position 0 has P = 0 (cin has no propagate): no wire needed
        nP[i] = fmt::format("P{}_{}", li, i);
        w.line(fmt::format("  wire {} = {} & {};", nP[i], P[i], P[j]));
      } else {
        nP[i] = "1'b0";
      }
    }
    G = std::move(nG);
    P = std::move(nP);
    lo = std::move(nlo);
  }
  for (int i = 0; i < n; ++i)
    if (lo[i] != 0)
      throw std::logic_error(fmt::format("emitPrefixAdder {}: position {} never reaches cin", adderKindName(kind), i));
  std::string carries;
  for (int i = width - 1; i >= 0; --i) carries += fmt::format("{}{}", carries.empty() ? "" : ", ", G[i]);
  w.line(fmt::format("  assign s = p ^ {{{}}};", carries));
  w.line(fmt::format("  assign cout = {};", G[width]));
  d.close(name, w);
  return name;
}

}  // namespace nf::blocks
