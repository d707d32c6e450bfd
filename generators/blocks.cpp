#include "generators/blocks.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace nf::blocks {

using vlog::lit;
using vlog::slit;

bool Design::has(const std::string& name) const {
  return std::any_of(modules_.begin(), modules_.end(), [&](const auto& m) { return m.first == name; });
}
namespace {

// The ports of the module `name` in `text`, one declaration per line as the emitters write them.
std::vector<Design::Port> parsePorts(const std::string& name, const std::string& text) {
  static const std::regex port(R"(^\s*(input|output)\s+(?:wire|reg)?\s*(?:\[(\d+):(\d+)\]\s*)?([A-Za-z_][A-Za-z0-9_$]*)\s*,?\s*$)");
  std::vector<Design::Port> ports;
  const size_t head = text.find("module " + name + " (");
  if (head == std::string::npos) return ports;
  const size_t end = text.find(");", head);
  std::istringstream lines(text.substr(head, end - head));
  std::string l;
  std::smatch m;
  while (std::getline(lines, l))
    if (std::regex_match(l, m, port))
      ports.push_back({m[4].str(), m[1].str() == "input",
                       m[2].matched ? std::stoi(m[2].str()) - std::stoi(m[3].str()) + 1 : 1});
  return ports;
}

}  // namespace

const std::vector<Design::Port>& Design::ports(const std::string& module) const {
  const auto it = ports_.find(module);
  if (it == ports_.end()) throw std::logic_error(fmt::format("instance of module {}, which design {} does not hold", module, top_));
  return it->second;
}

void Design::add(const std::string& name, const std::string& text) {
  const auto same = std::find_if(modules_.begin(), modules_.end(), [&](const auto& m) { return m.first == name; });
  if (same == modules_.end()) {
    modules_.emplace_back(name, text);
    ports_[name] = parsePorts(name, text);
    return;
  }
  // One name, two bodies: a block whose name does not encode all its parameters; keeping either would be wrong.
  if (same->second != text)
    throw std::logic_error(fmt::format("module {} of design {} added twice with different bodies; the block's name "
                                       "must encode every parameter of its body",
                                       name, top_));
}
void Design::close(const std::string& name, vlog::Writer& w) {
  w.line("endmodule");
  add(name, w.str());
}

std::string Design::text() const {
  // The file carries the unit and its helper blocks together, which Verilator's file-naming style rule
  // (one module per file, named alike) would flag; nothing else is switched off.
  std::string s = header_ + "/* verilator lint_off DECLFILENAME */\n";
  // The top is added last (it needs its blocks' names first) but printed first.
  for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) {
    if (it->first != top_) continue;
    s += it->second;
  }
  for (const auto& m : modules_)
    if (m.first != top_) s += "\n" + m.second;
  return s + "/* verilator lint_on DECLFILENAME */\n";
}

int normalizerCountBits(int width) { return vlog::bitsFor(uint64_t(std::max(width - 1, 1))); }

std::string emitNormalizer(Design& d, int width) {
  const std::string name = fmt::format("{}_norm{}", d.top(), width);
  if (d.has(name)) return name;
  const int K = normalizerCountBits(width), P = 1 << K;
  // Up to 8 bits each stage tests its few top bits of the value shifted so far; wider, the count comes from a
  // tree over the input, each count bit in log depth, so the stages no longer wait on one another's zero
  // tests. Measured on fmul: fp16 2051 ps against 2307 (area +1%), fp32 3281 against 3493; at 8 bits and
  // fewer the tree was larger for no speed (bf16 937 um^2 / 1529 ps against 950 / 1489, e2m1 69 against 59).
  const bool countTree = K >= 4;
  vlog::Writer w;
  w.line(fmt::format("// Normalizes a {}-bit vector: shifts left until the MSB is set, largest shift first,", width));
  w.line(countTree ? "// the count coming from a leading-zero tree over the input."
                   : "// each stage testing the top bits of the value shifted so far.");
  w.open(fmt::format("module {} (", name));
  w.line(fmt::format("input  wire {}v,", vlog::range(width)));
  w.line(fmt::format("output wire {}v_norm,", vlog::range(width)));
  w.line(fmt::format("output wire {}lz", vlog::range(K)));
  w.close(");");
  if (countTree) {
    // Zero leaves below the LSB keep the tree a power of two; an all-zero input counts 2^K - 1, as staged.
    // Node i of level l covers 2^l of the padded input's bits from the MSB side: zl_i says they are all zero, cl_i counts
    // their leading zeros.
    // Padding leaves are constant (all zero): their flags and counts fold into literals instead of wires.
    struct Node {
      std::string zero, count;  // Verilog expressions: a wire's name or a literal
      bool padding = false;     // every bit it covers is padding
    };
    // An upper child's zero flag steers its parent's count; a lower child's is needed only for a parent whose
    // own zero flag is.
    std::vector<std::vector<bool>> zeroNeeded(static_cast<size_t>(K));
    for (int l = K - 1; l >= 0; --l)
      for (int i = 0; i < (P >> l); ++i)
        zeroNeeded[size_t(l)].push_back(i % 2 == 0 || (l + 1 < K && zeroNeeded[size_t(l + 1)][size_t(i / 2)]));
    std::vector<std::vector<Node>> nodes(static_cast<size_t>(K + 1));
    for (int i = 0; i < P; ++i) {
      Node n;
      n.padding = i >= width;
      n.zero = n.padding ? "1'b1" : fmt::format("z0_{}", i);
      if (!n.padding && zeroNeeded[0][size_t(i)]) w.line(fmt::format("  wire z0_{} = ~v[{}];", i, width - 1 - i));
      nodes[0].push_back(n);
    }
    std::vector<std::string> countLines;  // written after every zero flag, as the tree is read: flags, then counts
    for (int l = 1; l <= K; ++l)
      for (int i = 0; i < (P >> l); ++i) {
        const Node& hi = nodes[size_t(l - 1)][size_t(2 * i)];
        const Node& lo = nodes[size_t(l - 1)][size_t(2 * i + 1)];
        Node n;
        n.padding = hi.padding && lo.padding;
        if (n.padding) {
          n.zero = "1'b1";
          n.count = lit(l, (uint64_t(1) << l) - 1);
          nodes[size_t(l)].push_back(n);
          continue;
        }
        n.zero = lo.padding ? hi.zero : fmt::format("z{}_{}", l, i);
        if (l < K && zeroNeeded[size_t(l)][size_t(i)] && !lo.padding) w.line(fmt::format("  wire z{}_{} = {} & {};", l, i, hi.zero, lo.zero));
        n.count = fmt::format("c{}_{}", l, i);
        if (l == 1) countLines.push_back(fmt::format("  wire c1_{} = {};", i, hi.zero));
        else
          countLines.push_back(fmt::format("  wire {}c{}_{} = {} ? {{1'b1, {}}} : {{1'b0, {}}};", vlog::range(l), l, i,
                                           hi.zero, lo.count, hi.count));
        nodes[size_t(l)].push_back(n);
      }
    for (const std::string& c : countLines) w.line(c);
    w.line(fmt::format("  assign lz = c{}_0;", K));
    std::string prev = "v";
    for (int k = K - 1; k >= 0; --k) {
      const int sh = 1 << k;
      const std::string next = k == 0 ? "v_norm" : fmt::format("s{}", k);
      w.line(fmt::format("  {}{} = lz[{}] ? {{{}[{}:0], {}'d0}} : {};",
                         k == 0 ? std::string("assign ") : "wire " + vlog::range(width), next, k, prev, width - 1 - sh,
                         sh, prev));
      prev = next;
    }
  } else {
    w.line(fmt::format("  wire {}s{} = v;", vlog::range(width), K));
    std::string lz;
    for (int k = K - 1; k >= 0; --k) {
      const int sh = 1 << k;
      w.line(fmt::format("  wire z{} = ~|s{}[{}:{}];", k, k + 1, width - 1, width - sh));
      w.line(fmt::format("  wire {}s{} = z{} ? {{s{}[{}:0], {}'d0}} : s{};", vlog::range(width), k, k, k + 1,
                         width - 1 - sh, sh, k + 1));
      lz += fmt::format("{}z{}", lz.empty() ? "" : ", ", k);
    }
    w.line("  assign v_norm = s0;");
    w.line(fmt::format("  assign lz = {{{}}};", lz));
  }
  d.close(name, w);
  return name;
}

Unpacked emitUnpack(Design& d, const Format& f, bool daz, bool normalize, bool zeroSigDontCare) {
  const int E = f.expBits, M = f.manBits, W = f.width();
  const bool subnormalInputs = f.subnormals && !daz && M > 0 && !f.zeroExpIsNormal;
  normalize = normalize || !subnormalInputs;
  Unpacked u;
  u.module = fmt::format("{}_unpack_{}{}{}{}", d.top(), f.tag(), daz ? "_daz" : "", normalize ? "" : "_raw",
                         zeroSigDontCare ? "_nz" : "");
  u.normalized = normalize;
  u.sigBits = M + 1;
  u.expMin = subnormalInputs ? f.emin() - M : f.emin();
  u.expMax = f.emax();
  u.expBits = vlog::signedBitsFor(std::min(u.expMin, -f.bias), f.expFieldMax() - f.bias);
  if (d.has(u.module)) return u;
  const int XW = u.expBits;

  vlog::Writer w;
  if (normalize) {
    w.line(fmt::format("// Unpacks {} ({}){}: class, significand normalized to [1,2) and the unbiased exponent of",
                       f.name, f.describe(), daz ? ", subnormals read as zero" : ""));
    w.line("// its leading bit, so every operator sees one representation.");
  } else {
    w.line(fmt::format("// Unpacks {} ({}): class and significand; a subnormal is flagged with its raw significand",
                       f.name, f.describe()));
    w.line("// and exponent emin, for the operator to normalize (one shared normalizer serves both operands).");
  }
  w.open(fmt::format("module {} (", u.module));
  w.line(fmt::format("input  wire {}x,", vlog::range(W)));
  w.line("output wire sign,");
  w.line("output wire is_zero,");
  w.line("output wire is_inf,");
  w.line("output wire is_nan,");
  w.line("output wire is_snan,");
  if (!normalize) w.line("output wire is_sub,");
  w.line(fmt::format("output wire {}sig,", vlog::range(M + 1)));
  w.line(fmt::format("output wire {}exp", vlog::range(XW)));
  w.close(");");
  w.line(fmt::format("  wire {}field = x[{}:{}];", vlog::range(E), M + E - 1, M));
  if (M > 0) w.line(fmt::format("  wire {}man = x[{}:0];", vlog::range(M), M - 1));
  w.line(f.isSigned ? fmt::format("  assign sign = x[{}];", W - 1) : "  assign sign = 1'b0;");
  const std::string manZero = M > 0 ? "(man == " + lit(M, 0) + ")" : "1'b1";
  const std::string manOnes = M > 0 ? "(&man)" : "1'b1";
  switch (f.nonFinite) {
    case NonFinite::IEEE:
      w.line(fmt::format("  assign is_inf  = (&field) & {};", manZero));
      w.line(fmt::format("  assign is_nan  = (&field) & ~{};", manZero));
      // The quiet bit is the top trailing bit; with one trailing bit `man` is a scalar, which takes no select.
      w.line(fmt::format("  assign is_snan = is_nan & ~{};", M == 1 ? std::string("man") : fmt::format("man[{}]", M - 1)));
      break;
    case NonFinite::FN:
      w.line("  assign is_inf  = 1'b0;");
      w.line(fmt::format("  assign is_nan  = (&field) & {};", manOnes));
      w.line("  assign is_snan = 1'b0;");
      break;
    case NonFinite::FNUZ:
      w.line("  assign is_inf  = 1'b0;");
      w.line(fmt::format("  assign is_nan  = (x == {});", lit(W, uint64_t(1) << (W - 1))));
      w.line("  assign is_snan = 1'b0;");
      break;
    case NonFinite::Finite:
      w.line("  assign is_inf  = 1'b0;");
      w.line("  assign is_nan  = 1'b0;");
      w.line("  assign is_snan = 1'b0;");
      break;
    case NonFinite::P3109:
      w.line(f.hasInf() ? fmt::format("  assign is_inf  = ({} == {});", f.isSigned ? fmt::format("x[{}:0]", W - 2) : "x",
                                      vlog::bits(W - (f.isSigned ? 1 : 0), f.infMag()))
                        : "  assign is_inf  = 1'b0;");
      w.line(fmt::format("  assign is_nan  = (x == {});", vlog::bits(W, f.canonicalNaN())));
      w.line("  assign is_snan = 1'b0;");
      break;
  }
  const std::string fieldZero = "(field == " + lit(E, 0) + ")";
  const bool negZeroIsNaN = f.nonFinite == NonFinite::FNUZ || (f.isP3109() && f.isSigned);
  if (f.zeroExpIsNormal) {
    w.line("  assign is_zero = 1'b0;");
  } else if (subnormalInputs) {
    w.line(fmt::format("  assign is_zero = {} & {}{};", fieldZero, manZero, negZeroIsNaN ? " & ~sign" : ""));
  } else {
    w.line(fmt::format("  assign is_zero = {}{};", fieldZero, negZeroIsNaN ? " & ~is_nan" : ""));
  }
  const std::string expNormal = fmt::format("{} - {}", vlog::zeroExtend("field", E, XW), slit(XW, f.bias));
  const std::string hidden = f.zeroExpIsNormal ? "1'b1" : "~" + fieldZero;
  if (!normalize) {
    w.line(fmt::format("  assign is_sub = {} & ~{};", fieldZero, manZero));
    w.line(fmt::format("  assign sig = {{~is_sub, man}};"));
    w.line(fmt::format("  assign exp = is_sub ? {} : {};", slit(XW, f.emin()), expNormal));
  } else if (subnormalInputs) {
    const std::string norm = emitNormalizer(d, M + 1);
    const int K = normalizerCountBits(M + 1);
    w.line(fmt::format("  wire {}sub_sig;", vlog::range(M + 1)));
    w.line(fmt::format("  wire {}sub_lz;", vlog::range(K)));
    w.line(fmt::format("  {} u_norm (.v({{man, 1'b0}}), .v_norm(sub_sig), .lz(sub_lz));", norm));
    w.line(fmt::format("  wire is_sub = {};", fieldZero));
    if (zeroSigDontCare) {
      // The leading bit is 1 for every nonzero finite input; zeros are the operator's special case.
      w.line(fmt::format("  assign sig = {{1'b1, is_sub ? sub_sig[{}:0] : man}};", M - 1));
      w.line(fmt::format("  wire unused_ok = sub_sig[{}];", M));
    } else {
      w.line(fmt::format("  assign sig = is_sub ? sub_sig : {{1'b1, man}};"));
    }
    w.line(fmt::format("  assign exp = is_sub ? {} - {} : {};", slit(XW, f.emin() - 1), vlog::zeroExtend("sub_lz", K, XW),
                       expNormal));
  } else {
    const std::string lead = zeroSigDontCare ? "1'b1" : hidden;
    w.line(M > 0 ? fmt::format("  assign sig = {{{}, man}};", lead) : fmt::format("  assign sig = {};", lead));
    w.line(fmt::format("  assign exp = {};", expNormal));
  }
  d.close(u.module, w);
  return u;
}

std::string emitMultiplier(Design& d, int wa, int wb) {
  const int WP = wa + wb;
  const std::string name = fmt::format("{}_mul{}x{}", d.top(), wa, wb);
  if (d.has(name)) return name;
  vlog::Writer w;
  // A hand-built word-level Wallace tree measured larger and no faster than this after ABC (fp16: 1590 vs
  // 1441 um^2), so the product is left to Yosys's multiplier mapping and ABC's restructuring.
  w.line(fmt::format("// Unsigned {}x{} multiplier, exact.", wa, wb));
  w.open(fmt::format("module {} (", name));
  w.line(fmt::format("input  wire {}x,", vlog::range(wa)));
  w.line(fmt::format("input  wire {}y,", vlog::range(wb)));
  w.line(fmt::format("output wire {}p", vlog::range(WP)));
  w.close(");");
  w.line(fmt::format("  assign p = {} * {};", vlog::zeroExtend("x", wa, WP), vlog::zeroExtend("y", wb, WP)));
  d.close(name, w);
  return name;
}

std::string emitDivider(Design& d, int nBits, int dBits, int qBits) {
  const std::string name = fmt::format("{}_div{}by{}q{}", d.top(), nBits, dBits, qBits);
  if (d.has(name)) return name;
  // Both operands aligned at F fraction bits; a partial remainder stays below 2 * dv < 4, so F + 2 bits hold it.
  const int F = std::max(nBits, dBits) - 1, W = F + 2;
  auto aligned = [&](const std::string& v, int bits) {
    return bits - 1 == F ? fmt::format("{{1'b0, {}}}", v) : fmt::format("{{1'b0, {}, {}'d0}}", v, F - (bits - 1));
  };
  vlog::Writer w;
  w.line(fmt::format("// Restoring division of {}-bit n by {}-bit dv (both in [1,2)): {} quotient bits from 2^0, and", nBits,
                     dBits, qBits));
  w.line("// sticky = (remainder != 0), so the quotient's rounding is exact.");
  w.open(fmt::format("module {} (", name));
  w.line(fmt::format("input  wire {}n,", vlog::range(nBits)));
  w.line(fmt::format("input  wire {}dv,", vlog::range(dBits)));
  w.line(fmt::format("output wire {}q,", vlog::range(qBits)));
  w.line("output wire sticky");
  w.close(");");
  w.line(fmt::format("  wire {}dd = {};", vlog::range(W), aligned("dv", dBits)));
  w.line(fmt::format("  wire {}r0 = {};", vlog::range(W), aligned("n", nBits)));
  std::string qs, sink;
  for (int i = 0; i < qBits; ++i) {
    w.line(fmt::format("  wire ge{0} = (r{0} >= dd);", i));
    w.line(fmt::format("  wire {0}s{1} = ge{1} ? (r{1} - dd) : r{1};", vlog::range(W), i));
    // s_i < dv < 2: its top bit is zero, the next partial remainder is 2 * s_i.
    if (i + 1 < qBits) w.line(fmt::format("  wire {}r{} = {{s{}[{}:0], 1'b0}};", vlog::range(W), i + 1, i, W - 2));
    qs += fmt::format("{}ge{}", i ? ", " : "", i);
    sink += fmt::format(", s{}[{}]", i, W - 1);
  }
  w.line(fmt::format("  assign q = {{{}}};", qs));
  w.line(fmt::format("  assign sticky = |s{}[{}:0];", qBits - 1, W - 2));
  w.line("  wire unused_ok = &{1'b0" + sink + "};");
  d.close(name, w);
  return name;
}

std::string emitMaxTree(Design& d, int n, int width, bool tieFlags) {
  const std::string name = fmt::format("{}_max{}x{}{}", d.top(), n, width, tieFlags ? "f" : "");
  if (d.has(name)) return name;
  vlog::Writer w;
  w.line(fmt::format("// The largest of {} unsigned {}-bit words, a balanced tree of compares{}.", n, width,
                     tieFlags ? "; f: whether any word equal to it has its flag set" : ""));
  w.open(fmt::format("module {} (", name));
  for (int i = 0; i < n; ++i) w.line(fmt::format("input  wire {}k{},", vlog::range(width), i));
  if (tieFlags)
    for (int i = 0; i < n; ++i) w.line(fmt::format("input  wire f{},", i));
  w.line(fmt::format("output wire {}m{}", vlog::range(width), tieFlags ? "," : ""));
  if (tieFlags) w.line("output wire f");
  w.close(");");
  for (int i = 0; i < n; ++i) w.wire(fmt::format("k{}_l0", i), width, fmt::format("k{}", i));
  if (tieFlags)
    for (int i = 0; i < n; ++i) w.wire(fmt::format("f{}_l0", i), 1, fmt::format("f{}", i));
  int level = 0;
  for (int cnt = n; cnt > 1; cnt = (cnt + 1) / 2, ++level) {
    for (int j = 0; j < (cnt + 1) / 2; ++j) {
      const std::string ka = fmt::format("k{}_l{}", 2 * j, level), kb = fmt::format("k{}_l{}", 2 * j + 1, level);
      const std::string fa = fmt::format("f{}_l{}", 2 * j, level), fb = fmt::format("f{}_l{}", 2 * j + 1, level);
      const std::string k = fmt::format("k{}_l{}", j, level + 1), f = fmt::format("f{}_l{}", j, level + 1);
      if (2 * j + 1 >= cnt) {  // the odd one out goes up as it is
        w.wire(k, width, ka);
        if (tieFlags) w.wire(f, 1, fa);
        continue;
      }
      const std::string g = fmt::format("g{}_l{}", j, level);
      w.wire(g, 1, fmt::format("{} > {}", ka, kb));
      w.wire(k, width, fmt::format("{} ? {} : {}", g, ka, kb));
      if (tieFlags) w.wire(f, 1, fmt::format("{0} ? {1} : ({2} == {3}) ? ({1} | {4}) : {4}", g, fa, ka, kb, fb));
    }
  }
  w.line(fmt::format("  assign m = k0_l{};", level));
  if (tieFlags) w.line(fmt::format("  assign f = f0_l{};", level));
  d.close(name, w);
  return name;
}

void emitXorshiftLfsr(vlog::Writer& w, const std::string& reg, uint32_t seed, const std::string& advance) {
  w.line(fmt::format("  reg [31:0] {};", reg));
  w.line(fmt::format("  wire [31:0] {0}_x1 = {0} ^ ({0} << 13);", reg));
  w.line(fmt::format("  wire [31:0] {0}_x2 = {0}_x1 ^ ({0}_x1 >> 17);", reg));
  w.line(fmt::format("  wire [31:0] {0}_next = {0}_x2 ^ ({0}_x2 << 5);", reg));
  w.line("  always @(posedge clk) begin");
  w.line(fmt::format("    {0} <= rst ? {1} : {2} ? {0}_next : {0};", reg, vlog::lit(32, seed), advance));
  w.line("  end");
}

void declareModeWires(vlog::Writer& w, const std::string& rm) {
  w.line(fmt::format("  wire m_rne = ({} == 3'd0) | ({} > 3'd5);", rm, rm));
  w.line(fmt::format("  wire m_rdn = ({} == 3'd2);", rm));
  w.line(fmt::format("  wire m_rup = ({} == 3'd3);", rm));
  w.line(fmt::format("  wire m_rna = ({} == 3'd4);", rm));
  w.line(fmt::format("  wire m_rod = ({} == 3'd5);", rm));
}

std::string roundUpExpr(const RoundingSel& r, const std::string& sign, const std::string& lsb,
                        const std::string& rb, const std::string& st) {
  const std::string rne = lsb == "1'b1" ? rb : fmt::format("{} & ({} | {})", rb, st, lsb);
  const std::string rup = fmt::format("~{} & ({} | {})", sign, rb, st);
  const std::string rdn = fmt::format("{} & ({} | {})", sign, rb, st);
  if (r.dynamic)
    return fmt::format("(m_rne & {}) | (m_rna & {}) | (m_rup & {}) | (m_rdn & {})", rne, rb,
                       fmt::format("~{} & ({} | {})", sign, rb, st), rdn);
  switch (r.mode) {
    case Rounding::RNE: return rne;
    case Rounding::RNA: return rb;
    case Rounding::RUP: return rup;
    case Rounding::RDN: return rdn;
    default: return "1'b0";
  }
}

namespace {
// Mirror of detail::overflowGoesToInfinity (with P3109's round-to-odd rule).
std::string overflowToInfExpr(const RoundingSel& r, const std::string& sign, const Format& out) {
  const bool rodToInf = detail::overflowGoesToInfinity(Rounding::ROD, false, out);
  if (r.dynamic)
    return fmt::format("m_rne | m_rna | (m_rup & ~{}) | (m_rdn & {}){}", sign, sign, rodToInf ? " | m_rod" : "");
  if (r.mode == Rounding::ROD) return rodToInf ? "1'b1" : "1'b0";
  switch (r.mode) {
    case Rounding::RNE:
    case Rounding::RNA:
    case Rounding::SR: return "1'b1";
    case Rounding::RUP: return "~" + sign;
    case Rounding::RDN: return sign;
    default: return "1'b0";
  }
}
// The stochastic increment inc<s> of one candidate: `top` is the bit of src just below the kept lsb (eta's
// first bit), the R random bits arrive on `sr`. Mirror of nf::detail::srRoundsUp.
void emitSrIncrement(vlog::Writer& w, SrVariant variant, int R, const std::string& s, const std::string& src, int top,
                     const std::string& extraSticky) {
  switch (variant) {
    case SrVariant::A:
      // The carry of (the R bits below the lsb) + sr, i.e. truncate(x + sr * 2^(lsb - R)).
      w.line(fmt::format("  wire {}srsum{} = {{1'b0, {}[{}:{}]}} + {{1'b0, sr}};", vlog::range(R + 1), s, src, top,
                         top - R + 1));
      w.line(fmt::format("  wire inc{0} = srsum{0}[{1}];", s, R));
      break;
    case SrVariant::B:
      // floor(eta 2^(R+1)) + 2 sr + 1 reaching 2^(R+1).
      w.line(fmt::format("  wire {}srsum{} = {{1'b0, {}[{}:{}]}} + {{1'b0, sr, 1'b1}};", vlog::range(R + 2), s, src, top,
                         top - R));
      w.line(fmt::format("  wire inc{0} = srsum{0}[{1}];", s, R + 1));
      break;
    case SrVariant::C: {
      // RNE(eta 2^R) (which may reach 2^R) + sr reaching 2^R.
      const std::string below = (top - R - 1 >= 0 ? fmt::format("(|{}[{}:0])", src, top - R - 1) : "1'b0") +
                                extraSticky + " | sticky_in";
      w.line(fmt::format("  wire {}srnear{} = {{1'b0, {}[{}:{}]}} + {{{}'d0, {}[{}] & ({} | {}[{}])}};", vlog::range(R + 1), s,
                         src, top, top - R + 1, R, src, top - R, below, src, top - R + 1));
      w.line(fmt::format("  wire {}srsum{} = {{1'b0, srnear{}}} + {{2'b0, sr}};", vlog::range(R + 2), s, s));
      w.line(fmt::format("  wire inc{0} = |srsum{0}[{1}:{2}];", s, R + 1, R));
      break;
    }
  }
}

}  // namespace

std::string zeroResultExpr(const Format& out, const std::string& sign) {
  const int W = out.width();
  if (!out.hasNegZero()) return lit(W, 0);
  return fmt::format("{{{}, {}}}", sign, lit(W - 1, 0));
}

std::string nanResultExpr(const Format& out) { return vlog::bits(out.width(), out.canonicalNaN()); }

std::string rdnSelectExpr(const RoundingSel& r, const std::string& rm, int width, uint32_t ifRdn, uint32_t otherwise) {
  if (!r.dynamic || ifRdn == otherwise) return vlog::bits(width, r.dynamic || r.mode != Rounding::RDN ? otherwise : ifRdn);
  return fmt::format("({} == 3'd2 ? {} : {})", rm, vlog::bits(width, ifRdn), vlog::bits(width, otherwise));
}

std::string infinityResultExpr(const Format& out, bool saturate, const std::string& sign) {
  const int W = out.width();
  const Packed pos = packInfinity(false, out, {Rounding::RNE, saturate, false});
  const Packed neg = packInfinity(true, out, {Rounding::RNE, saturate, false});
  if (pos.bits == neg.bits) return vlog::bits(W, pos.bits);
  return fmt::format("({} ? {} : {})", sign, vlog::bits(W, neg.bits), vlog::bits(W, pos.bits));
}

uint8_t infinityResultFlags(const Format& out, bool saturate) {
  return packInfinity(false, out, {Rounding::RNE, saturate, false}).flags;
}

namespace {

// emitRoundPack's module, stage by stage: the widths are computed once, the candidates (one per alignment of
// the significand, and the subnormal one) are rounded side by side, then selected, overflowed and packed.
class RoundPackRtl {
 public:
  explicit RoundPackRtl(const RoundPackParams& params)
      : p(params), f(params.out), M(f.manBits), WZ(f.width()), WR(p.sigBits), two(p.leadingBitMayBeZero),
        R(p.srBits), sr(R > 0),
        // Under SR the R bits below the lsb must exist in every alignment, and a shift past them leaves only
        // zeros. Variants B and C read one more bit of eta than A (the bit below the R random bits' weight).
        srExtra(sr && p.srVariant != SrVariant::A ? 1 : 0),
        WP(std::max({WR, M + (two ? 4 : 3), M + 1 + R + srExtra + (two ? 1 : 0)})),
        CAP(sr ? M + R + 1 + srExtra : M + 3), SHW(vlog::bitsFor(uint64_t(CAP))),
        XW(std::max(p.expBits + (two ? 1 : 0), SHW + 1)),
        FW(XW + 1),   // biased exponent field, wide enough never to wrap
        MW(FW + M),   // {field, mantissa} before overflow checks
        MWZ(WZ - (f.isSigned ? 1 : 0)), flush(p.ftz || !f.subnormals), maxFin(vlog::bits(MW, f.maxFiniteMag())) {}

  std::string emit(Design& d, const std::string& name) {
    ports(name);
    normalCandidates();
    subnormalPath();
    w.line(fmt::format("  wire {}mag_r = {};", vlog::range(MW), select("mag_r")));
    w.line(fmt::format("  wire inexact_r = {};", select("inexact")));
    w.line(flush && !f.zeroExpIsNormal ? "  wire flush = tiny;" : "  wire flush = 1'b0;");
    overflowPath();
    packOutputs();
    d.close(name, w);
    return name;
  }

 private:
  void ports(const std::string& name) {
    w.line(fmt::format("// Rounds a significand to {} ({}) and packs it: subnormal denormalization,", f.name, f.describe()));
    w.line("// the rounding increment, overflow per mode and format, flags with tininess after rounding.");
    if (two)
      w.line("// sig is in [1,4): both alignments are rounded side by side and the late top bit only selects.");
    w.line("// Mirror of nf::roundPack (refmodels/rounding.cpp); the two change together.");
    w.open(fmt::format("module {} (", name));
    w.line("input  wire sign,");
    w.line(fmt::format("input  wire {}exp,", vlog::range(p.expBits)));
    w.line(fmt::format("input  wire {}sig,", vlog::range(WR)));
    w.line("input  wire sticky_in,");
    if (p.rounding.dynamic) w.line("input  wire [2:0] rm,");
    if (sr) w.line(fmt::format("input  wire {}sr,", vlog::range(R)));
    w.line(fmt::format("output wire {}z,", vlog::range(WZ)));
    w.line("output wire inexact,");
    w.line("output wire underflow,");
    w.line("output wire overflow");
    w.close(");");
    if (p.rounding.dynamic) declareModeWires(w, "rm");
    w.line(fmt::format("  wire {}e = {};", vlog::range(XW), vlog::signExtend("exp", p.expBits, XW)));
    w.line(WP == WR ? fmt::format("  wire {}sig_p = sig;", vlog::range(WP))
                    : fmt::format("  wire {}sig_p = {{sig, {}'d0}};", vlog::range(WP), WP - WR));
  }

  // The significand's lsb (the whole of kept when M = 0: a one-bit wire takes no index).
  std::string lsbOf(const std::string& s) const { return M > 0 ? "kept" + s + "[0]" : "kept" + s; }

  // Rounds the M+1 bits of `src` from bit `hi` down, as one candidate result with suffix `s`.
  void candidate(const std::string& s, const std::string& src, int hi, const std::string& field,
                 const std::string& extraSticky, bool overflowPossible) {
    w.line(fmt::format("  wire {}kept{} = {}[{}:{}];", vlog::range(M + 1), s, src, hi, hi - M));
    w.line(fmt::format("  wire rb{} = {}[{}];", s, src, hi - M - 1));
    w.line(fmt::format("  wire st{} = (|{}[{}:0]){} | sticky_in;", s, src, hi - M - 2, extraSticky));
    w.line(fmt::format("  wire {}field{} = {};", vlog::range(FW), s, field));
    w.line(M > 0 ? fmt::format("  wire {0}mag_pre{1} = {{field{1}, kept{1}[{2}:0]}};", vlog::range(MW), s, M - 1)
                 : fmt::format("  wire {0}mag_pre{1} = field{1};", vlog::range(MW), s));
    w.line(fmt::format("  wire inexact{0} = rb{0} | st{0};", s));
    if (sr) {
      // The sum's bits below the carry have no reader.
      emitSrIncrement(w, p.srVariant, R, s, src, hi - M - 1, extraSticky);
      sink.push_back(fmt::format("srsum{}[{}:0]", s, p.srVariant == SrVariant::B ? R : R - 1));
    } else {
      w.line(fmt::format("  wire inc{} = {};", s, roundUpExpr(p.rounding, "sign", lsbOf(s), "rb" + s, "st" + s)));
    }
    // Round to odd ORs inexact into the significand's lsb (kept[0]; for M = 0 that is the hidden bit).
    const std::string oddBit = fmt::format("(inexact{} & ~{})", s, lsbOf(s));
    const std::string odd = MW > 1 ? fmt::format("{{mag_pre{0}[{1}:1], mag_pre{0}[0] | {2}}}", s, MW - 1, oddBit)
                                   : fmt::format("mag_pre{} | {}", s, oddBit);
    const std::string add = fmt::format("mag_pre{} + {}", s, vlog::zeroExtend("inc" + s, 1, MW));
    const std::string magR = p.rounding.dynamic ? fmt::format("m_rod ? {} : {}", odd, add)
                             : p.rounding.mode == Rounding::ROD ? odd
                                                                : add;
    w.line(fmt::format("  wire {}mag_r{} = {};", vlog::range(MW), s, magR));
    if (overflowPossible) {
      // mag_r is mag_pre or mag_pre + 1: overflow is decided beside the increment, not after it.
      const std::string bump = p.rounding.dynamic ? fmt::format("(m_rod ? {} : inc{})", oddBit, s)
                               : p.rounding.mode == Rounding::ROD ? oddBit
                                                                  : "inc" + s;
      w.line(fmt::format("  wire ovf{0} = (mag_pre{0} > {1}) | ((mag_pre{0} == {1}) & {2});", s, maxFin, bump));
    }
    sink.push_back("kept" + s);
    sink.push_back("inc" + s);
  }
  std::string biased(int add) const {
    return fmt::format("{} + {}", vlog::signExtend("e", XW, FW), slit(FW, f.bias + add));
  }

  void normalCandidates() {
    if (two) {
      w.line(fmt::format("  wire top = sig[{}];", WR - 1));
      w.line("  // top = 1: the leading one is sig's MSB, exponent e + 1; top = 0: the next bit, exponent e.");
      candidate("_1", "sig_p", WP - 1, biased(1), "", p.needOverflow);
      candidate("_0", "sig_p", WP - 2, biased(0), "", p.needOverflow);
    } else {
      candidate("_n", "sig_p", WP - 1, biased(0), "", p.needOverflow);
    }
  }
  std::string pick(const std::string& what) const {
    return two ? fmt::format("(top ? {0}_1 : {0}_0)", what) : what + "_n";
  }
  // Is the leading bit's exponent emin - 1? For top = 1 that means e == emin - 2.
  std::string leadAtEminMinus1() const {
    return two ? fmt::format("(top ? (e == {}) : (e == {}))", slit(XW, f.emin() - 2), slit(XW, f.emin() - 1))
               : fmt::format("(e == {})", slit(XW, f.emin() - 1));
  }
  std::string select(const std::string& what) const {
    return (p.needSubnormalPath ? fmt::format("is_sub ? {}_s : ", what) : std::string()) + pick(what);
  }

  void subnormalPath() {
    if (!p.needSubnormalPath) {
      w.line("  wire is_sub = 1'b0;");
      w.line("  wire tiny = 1'b0;");
      return;
    }
    w.line("  // Results below the normal range: shift right to the subnormal grid (capped: the rest is sticky).");
    if (two) {
      w.line(fmt::format("  wire is_sub = ($signed(e) < $signed({})) | ((e == {}) & ~top);", slit(XW, f.emin() - 1),
                         slit(XW, f.emin() - 1)));
      w.line(fmt::format("  wire {}sub_dist = {} - e;", vlog::range(XW), slit(XW, f.emin() - 1)));
    } else {
      w.line(fmt::format("  wire is_sub = $signed(e) < $signed({});", slit(XW, f.emin())));
      w.line(fmt::format("  wire {}sub_dist = {} - e;", vlog::range(XW), slit(XW, f.emin())));
    }
    w.line(fmt::format("  wire {}sub_shift = (sub_dist > {}) ? {} : sub_dist[{}:0];", vlog::range(SHW),
                       lit(XW, CAP), lit(SHW, CAP), SHW - 1));
    w.line(fmt::format("  wire {}sig_d = sig_p >> sub_shift;", vlog::range(WP)));
    w.line(fmt::format("  wire lost_d = |(sig_p & ~({{{}{{1'b1}}}} << sub_shift));", WP));
    candidate("_s", "sig_d", WP - 1, lit(FW, 0), " | lost_d", false);
    // Tininess after rounding: tiny unless the value just below 2^emin rounds up to it at full precision.
    // Under SR the full-precision alignment is the normal candidate's, so its increment is the one.
    w.line(fmt::format("  wire inc_full = {};", sr ? pick("inc") : roundUpExpr(p.rounding, "sign", "1'b1", pick("rb"), pick("st"))));
    w.line(fmt::format("  wire tiny = is_sub & ~({} & (&{}) & inc_full);", leadAtEminMinus1(), pick("kept")));
  }

  void overflowPath() {
    if (!p.needOverflow) {
      w.line("  wire ovf = 1'b0;");
      w.line(fmt::format("  wire {}ovf_z = {};", vlog::range(WZ), lit(WZ, 0)));
      return;
    }
    w.line(fmt::format("  wire ovf = ~is_sub & {};", pick("ovf")));
    w.line(fmt::format("  wire to_inf = {};", overflowToInfExpr(p.rounding, "sign", f)));
    const auto ovfValue = [&](bool sign, bool toInf) {
      RoundOptions o{toInf ? Rounding::RNE : Rounding::RTZ, p.saturate, false};
      return vlog::bits(WZ, roundPack<uint64_t>(sign, f.emax() + 4, 1, false, f, o).bits);
    };
    w.line(fmt::format("  wire {}ovf_z = to_inf ? (sign ? {} : {}) : (sign ? {} : {});", vlog::range(WZ),
                       ovfValue(true, true), ovfValue(false, true), ovfValue(true, false), ovfValue(false, false)));
  }

  void packOutputs() {
    std::string packed;
    if (f.isSigned) {
      const std::string signOut = f.hasNegZero() ? "sign" : fmt::format("sign & (|mag_r[{}:0])", MWZ - 1);
      packed = fmt::format("{{{}, mag_r[{}:0]}}", signOut, MWZ - 1);
    } else {
      packed = fmt::format("mag_r[{}:0]", MWZ - 1);
    }
    if (f.zeroExpIsNormal && p.needSubnormalPath) {
      // No zero and no subnormals: everything below the smallest value becomes it, underflowing unless it
      // rounded up to it and was not tiny.
      w.line(fmt::format("  wire below_min = is_sub & ~(|mag_r_s[{}:{}]);", MW - 1, M));
      w.line(fmt::format("  assign z = ovf ? ovf_z : is_sub ? {} : {};", vlog::bits(WZ, f.minNormalMag()), packed));
      w.line("  assign inexact = inexact_r | ovf | below_min;");
      w.line("  assign underflow = (tiny & inexact_r) | below_min;");
      w.line("  wire unused_flush = flush;");
    } else {
      w.line(fmt::format("  assign z = flush ? {} : ovf ? ovf_z : {};", zeroResultExpr(f, "sign"), packed));
      w.line("  assign inexact = inexact_r | flush | ovf;");
      w.line("  assign underflow = (tiny & inexact_r) | flush;");
    }
    w.line("  assign overflow = ovf;");
    // Some configurations leave these without a reader; the sink keeps lint quiet and synthesizes to nothing.
    std::string sinkList;
    for (const std::string& x : sink) sinkList += ", " + x;
    if (!f.isSigned) sinkList += ", sign";  // only some modes read it for an unsigned result
    w.line(fmt::format("  wire unused_ok = &{{1'b0{}, mag_r[{}:{}], tiny, is_sub}};", sinkList, MW - 1, MWZ));
  }

  const RoundPackParams& p;
  const Format& f;
  const int M, WZ, WR;
  const bool two;
  const int R;
  const bool sr;
  const int srExtra, WP, CAP, SHW, XW, FW, MW, MWZ;
  const bool flush;
  const std::string maxFin;
  vlog::Writer w;
  std::vector<std::string> sink;
};

}  // namespace

std::string emitRoundPack(Design& d, const RoundPackParams& p) {
  return RoundPackRtl(p).emit(d, d.top() + "_roundpack" + p.nameSuffix);
}

Unpacked emitUnpackInt(Design& d, const Format& f) {
  const int N = f.intBits;
  Unpacked u;
  u.module = fmt::format("{}_unpack_{}", d.top(), f.tag());
  u.sigBits = N;
  u.expMin = 0;
  u.expMax = N - 1;
  u.expBits = vlog::signedBitsFor(0, N);
  if (d.has(u.module)) return u;
  const int K = normalizerCountBits(N);
  const std::string norm = emitNormalizer(d, N);
  vlog::Writer w;
  w.line(fmt::format("// Unpacks {} ({}): sign, zero, and the magnitude normalized (MSB set) with the exponent",
                     f.name, f.describe()));
  w.line("// of its MSB, the representation floats unpack to.");
  w.open(fmt::format("module {} (", u.module));
  w.line(fmt::format("input  wire {}x,", vlog::range(N)));
  w.line("output wire sign,");
  w.line("output wire is_zero,");
  w.line(fmt::format("output wire {}sig,", vlog::range(N)));
  w.line(fmt::format("output wire {}exp", vlog::range(u.expBits)));
  w.close(");");
  w.line(f.isSigned ? fmt::format("  assign sign = x[{}];", N - 1) : "  assign sign = 1'b0;");
  // The most negative value's magnitude 2^(N-1) still fits N unsigned bits.
  w.line(fmt::format("  wire {}mag = {};", vlog::range(N), f.isSigned ? "sign ? (~x + " + lit(N, 1) + ") : x" : "x"));
  w.line(fmt::format("  assign is_zero = (x == {});", lit(N, 0)));
  w.line(fmt::format("  wire {}lz;", vlog::range(K)));
  w.line(fmt::format("  {} u_norm (.v(mag), .v_norm(sig), .lz(lz));", norm));
  w.line(fmt::format("  assign exp = {} - {};", slit(u.expBits, N - 1), vlog::zeroExtend("lz", K, u.expBits)));
  d.close(u.module, w);
  return u;
}

std::string emitRoundToInt(Design& d, const RoundIntParams& p) {
  const std::string name = d.top() + "_roundint";
  const Format& f = p.out;
  const int N = f.intBits, P = p.sigBits, R = p.srBits, X = p.expBits, F = p.fracBits;
  const bool sr = R > 0;
  const bool symmetric = f.isSigned && p.range == IntRange::Symmetric;
  const uint64_t posMax = (uint64_t(1) << (N - 1)) - 1;
  // Fixed point: N integer bits, FB fraction bits (the R SR bits and the round bit lie in it), and whatever
  // shifts out below is sticky.
  const int FB = (p.narrowFraction ? 0 : P) + std::max(R, 1) + 1;
  const int TW = std::max(N + FB, P);
  const int DW = vlog::bitsFor(uint64_t(TW));
  const int XW = std::max(X, vlog::signedBitsFor(-TW - F, N)) + 1;
  vlog::Writer w;
  w.line(fmt::format("// Rounds a normalized significand to {} ({}), saturating: out-of-range values give",
                     f.name, f.describe()));
  if (symmetric)
    w.line(fmt::format("// +-{} (the symmetric range){}.", posMax, p.flags ? " with invalid" : ""));
  else
    w.line(f.isSigned ? "// the nearest end of the range with invalid." 
                      : "// the nearest end of the range with invalid; negative values that do not round to 0 give 0, invalid.");
  if (F > 0) w.line(fmt::format("// z is 1.{} fixed point: the integer nearest sig * 2^(exp - {}) * 2^{}.", F, P - 1, F));
  w.line("// Mirror of nf::roundToInt (refmodels/roundpack_impl.h); the two change together.");
  w.open(fmt::format("module {} (", name));
  w.line("input  wire sign,");
  w.line(fmt::format("input  wire {}exp,", vlog::range(X)));
  w.line(fmt::format("input  wire {}sig,", vlog::range(P)));
  if (p.stickyIn) w.line("input  wire sticky_in,");
  if (p.rounding.dynamic) w.line("input  wire [2:0] rm,");
  if (sr) w.line(fmt::format("input  wire {}sr,", vlog::range(R)));
  w.line(fmt::format("output wire {}z{}", vlog::range(N), p.flags ? "," : ""));
  if (p.flags) {
    w.line("output wire inexact,");
    w.line("output wire invalid");
  }
  w.close(");");
  if (p.rounding.dynamic) declareModeWires(w, "rm");
  w.line(fmt::format("  wire {}e = {};", vlog::range(XW), vlog::signExtend("exp", X, XW)));
  if (F == 0)
    w.line("  // sig's MSB sits at the top (exponent N-1) and shifts right by N-1-exp; past the width all is sticky.");
  else
    w.line(fmt::format("  // sig's MSB sits at the top (exponent {0}, z having {1} fraction bits) and shifts right by {0}-exp; "
                       "past the width all is sticky.", N - 1 - F, F));
  w.line(fmt::format("  wire too_big = $signed(e) > $signed({});", slit(XW, N - 1 - F)));
  w.line(fmt::format("  wire {}shift_dist = {} - e;", vlog::range(XW), slit(XW, N - 1 - F)));
  w.line(fmt::format("  wire {}d = too_big ? {} : (shift_dist > {}) ? {} : shift_dist[{}:0];", vlog::range(DW), lit(DW, 0),
                     lit(XW, TW), lit(DW, TW), DW - 1));
  w.line(TW > P ? fmt::format("  wire {}t = {{sig, {}'d0}};", vlog::range(TW), TW - P)
                 : fmt::format("  wire {}t = sig;", vlog::range(TW)));
  w.line(fmt::format("  wire {}y = t >> d;", vlog::range(TW)));
  w.line(fmt::format("  wire lost = |(t & ~({{{}{{1'b1}}}} << d));", TW));
  w.line(fmt::format("  wire {}ip = y[{}:{}];", vlog::range(N), TW - 1, TW - N));
  w.line(fmt::format("  wire rb = y[{}];", TW - N - 1));
  const int below = TW - N - 1;  // bits of y below the round bit
  const std::string stBelow = below > 1 ? fmt::format("(|y[{}:0]) | ", below - 1) : below == 1 ? "y[0] | " : "";
  w.line(fmt::format("  wire st = {}lost{};", stBelow, p.stickyIn ? " | sticky_in" : ""));
  w.line("  wire inexact_r = rb | st;");
  std::string inc;
  if (sr) {
    w.line(fmt::format("  wire {}srsum = {{1'b0, y[{}:{}]}} + {{1'b0, sr}};", vlog::range(R + 1), TW - N - 1, TW - N - R));
    inc = fmt::format("srsum[{}]", R);
  } else {
    inc = roundUpExpr(p.rounding, "sign", "ip[0]", "rb", "st");
  }
  w.line(fmt::format("  wire inc = {};", inc));
  const std::string odd = fmt::format("{{1'b0, ip[{}:1], ip[0] | inexact_r}}", N - 1);
  const std::string odd1 = N > 1 ? odd : "{1'b0, ip[0] | inexact_r}";
  const std::string add = fmt::format("{{1'b0, ip}} + {}", vlog::zeroExtend("inc", 1, N + 1));
  const std::string magExpr = p.rounding.dynamic ? fmt::format("m_rod ? {} : {}", odd1, add)
                              : p.rounding.mode == Rounding::ROD ? odd1
                                                                 : add;
  w.line(fmt::format("  wire {}mag = {};", vlog::range(N + 1), magExpr));
  if (symmetric) {
    w.line(fmt::format("  wire ovf = too_big | (mag > {});", lit(N + 1, posMax)));
    w.line(fmt::format("  wire {}mag_c = ovf ? {} : mag[{}:0];", vlog::range(N), lit(N, posMax), N - 1));
    w.line(fmt::format("  assign z = sign ? ({} - mag_c) : mag_c;", lit(N, 0)));
  } else if (f.isSigned) {
    w.line(fmt::format("  wire ovf = too_big | (sign ? (mag > {}) : (mag > {}));", lit(N + 1, uint64_t(1) << (N - 1)),
                       lit(N + 1, posMax)));
    w.line(fmt::format("  wire {}neg = ~mag[{}:0] + {};", vlog::range(N), N - 1, lit(N, 1)));
    w.line(fmt::format("  assign z = ovf ? (sign ? {} : {}) : sign ? neg : mag[{}:0];", lit(N, uint64_t(1) << (N - 1)),
                       lit(N, posMax), N - 1));
  } else {
    w.line(fmt::format("  wire ovf = too_big | mag[{}] | (sign & (mag != {}));", N, lit(N + 1, 0)));
    w.line(fmt::format("  assign z = ovf ? (sign ? {} : {}) : mag[{}:0];", lit(N, 0), lit(N, (uint64_t(1) << N) - 1), N - 1));
  }
  std::string sinkList = "1'b0";
  if (p.flags) {
    w.line("  assign invalid = ovf;");
    w.line("  assign inexact = inexact_r & ~ovf;");
  } else {
    sinkList += ", inexact_r";
  }
  if (sr) sinkList += R > 1 ? fmt::format(", srsum[{}:0]", R - 1) : ", srsum[0]";
  w.line(fmt::format("  wire unused_ok = &{{{}}};", sinkList));
  d.close(name, w);
  return name;
}

}  // namespace nf::blocks
