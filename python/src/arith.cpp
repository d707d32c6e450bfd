// Arithmetic on code arrays: fmul / fadd / fma element-wise, fdot over the last axis (and matmul on it), facc and
// kulisch streams. Each validates its options through the operator's factory and runs the operator's model.
#include <algorithm>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "generators/tensor_presets_json.h"
#include "generators/unit_base.h"
#include "python/src/binding.h"
#include "refmodels/facc.h"
#include "refmodels/fadd.h"
#include "refmodels/fast_dot.h"
#include "refmodels/fdot.h"
#include "refmodels/fma.h"
#include "refmodels/fmul.h"
#include "refmodels/kulisch.h"

namespace nf::py {

namespace {

// The options every rounding operator shares, as the Python functions take them.
struct RoundArgs {
  std::string rounding = "rne";
  bool saturate = false, ftz = false, daz = false;
  void append(std::vector<std::string>& args) const {
    args.insert(args.end(), {"--round", rounding});
    if (saturate) args.push_back("--saturate");
    if (ftz) args.push_back("--ftz");
    if (daz) args.push_back("--daz");
  }
  RoundOptions options(const std::string& func) const { return {parseRoundingArg(func, rounding, false), saturate, ftz}; }
};

const std::vector<std::pair<std::string, std::string>> kRename = {
    {"--a", "a_fmt"},        {"--b", "b_fmt"},         {"--c", "c_fmt"},   {"--out", "out"},
    {"--round", "rounding"}, {"--saturate", "saturate"}, {"--ftz", "ftz"}, {"--daz", "daz"},
    {"--accum", "accum"},    {"--align-bits", "align_bits"}, {"--group", "group"}, {"--carry-bits", "carry_bits"},
    {"--emulate", "emulate"}, {"--zero-exp", "zero_exp"}, {"--overflow", "overflow"}, {"--nan", "nan"},
    {"--zero-sign", "zero_sign"}, {"--out-frac-bits", "out_frac_bits"}};
// A unit of tensor-core rules without a preset: its --n is the Python `group` (the products of one unit).
std::vector<std::pair<std::string, std::string>> unitRename(bool preset) {
  std::vector<std::pair<std::string, std::string>> r = kRename;
  if (!preset) r.emplace_back("--n", "group");
  return r;
}

std::vector<const CodeView*> sameSize(const std::string& func, std::initializer_list<const CodeView*> views) {
  const size_t n = (*views.begin())->size();
  for (const CodeView* v : views)
    if (v->size() != n) valueError(fmt::format("{}: the operands have {} and {} values; accepted: equal shapes", func, n, v->size()));
  return views;
}

// z[i] = model(a[i], b[i] [, c[i]]) with flags, over operands already broadcast to one shape.
template <class Model>
pyb::tuple elementwise(const std::string& func, const Format& out, const pyb::array& shapeFrom,
                       std::initializer_list<const CodeView*> operands, const Model& model) {
  sameSize(func, operands);
  const std::vector<const CodeView*> ops(operands);
  pyb::array z = newCodes(out, shapeOf(shapeFrom));
  pyb::array flags(pyb::dtype::of<uint8_t>(), shapeOf(shapeFrom));
  const CodeView zv(z, func);
  uint8_t* f = static_cast<uint8_t*>(flags.mutable_data());
  parallelFor(ops[0]->size(), 1 << 14, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const Packed p = model(ops, i);
      zv.set(i, p.bits);
      f[i] = p.flags;
    }
  });
  return pyb::make_tuple(z, flags);
}

// fmul or fadd over broadcast operands: `op` names the factory, Spec / Model the operator's model.
template <class Spec, class Model>
pyb::tuple binaryCodes(const std::string& func, const std::string& op, const pyb::array& a, const pyb::array& b,
                       const Format& fa, const Format& fb, const Format& out, const RoundArgs& r) {
  std::vector<std::string> args = {"--a", fa.name, "--b", fb.name, "--out", out.name};
  r.append(args);
  validateUnit(func, op, args, kRename);
  Spec s;
  s.a = fa, s.b = fb, s.out = out, s.round = r.options(func), s.daz = r.daz;
  const Model model(s);
  const CodeView av(a, func + ": a"), bv(b, func + ": b");
  return elementwise(func, out, a, {&av, &bv}, [&](auto& o, size_t i) { return model((*o[0])[i], (*o[1])[i], s.round.mode); });
}

pyb::tuple fmaCodes(const pyb::array& a, const pyb::array& b, const pyb::array& c, const Format& fa, const Format& fb,
                    const Format& fc, const Format& out, const RoundArgs& r) {
  std::vector<std::string> args = {"--a", fa.name, "--b", fb.name, "--c", fc.name, "--out", out.name};
  r.append(args);
  validateUnit("fma", "fma", args, kRename);
  FmaSpec s;
  s.a = fa, s.b = fb, s.c = fc, s.out = out, s.round = r.options("fma"), s.daz = r.daz;
  const FmaFastModel model(s);
  const CodeView av(a, "fma: a"), bv(b, "fma: b"), cv(c, "fma: c");
  return elementwise("fma", out, a, {&av, &bv, &cv},
                     [&](auto& o, size_t i) { return model((*o[0])[i], (*o[1])[i], (*o[2])[i], s.round.mode); });
}

// A dot product of K terms as chained fdot units: groups of `group` products, each fused group one fdot of that
// many terms whose addend is the previous group's result (the first group's: c, or none), the last group
// holding the K mod group products left over. With accum "chain", K fma steps (fdot --accum chain).
// One fused group as fdotModel computes it, from decode tables (operands of at most 16 bits): the finite
// nonzero terms aligned (align) or placed exactly (exact, when the sum fits 128 bits) and rounded once by
// roundPack. A group holding a NaN or Inf, or whose sum is zero (its sign needs the zero terms), answers
// false and is left to fdotModel. tests/python/test_arith.py checks it against fdotModel (fast paths off).
class FastGroup {
 public:
  explicit FastGroup(const FdotSpec& s) : s_(s), a_(table(s.a)), b_(table(s.b)), maskA_(s.a.mask()), maskB_(s.b.mask()) {
    on_ = s.accum != FdotSpec::Accum::Chain && s.a.width() <= 16 && s.b.width() <= 16 && s.n <= 32 &&
          s.rules.isDefault() && !s.port && s.groups() == 1;
    if (on_ && s.accum == FdotSpec::Accum::Exact) {
      TermRange r = productRange(s.a, s.b);
      if (s.c) r = unionRange(r, valueRange(*s.c));
      on_ = r.msbExp - r.lsbExp + 8 < 126;
      lsbExp_ = r.lsbExp;
    }
  }
  static bool& enabled() {
    static bool on = true;
    return on;
  }
  bool operator()(const uint32_t* a, const uint32_t* b, uint32_t c, Rounding mode, Packed& out) const {
    if (!on_ || !enabled()) return false;
    struct Term {
      bool negative;
      unsigned __int128 mag;
      int lsbExp, alignExp;
    } terms[40];
    int n = 0;
    if (s_.c) {
      const FpOperand x = fpOperand(*s_.c, c, false);
      if (x.d.cls == FpClass::NaN || x.d.cls == FpClass::Inf) return false;
      if (x.d.cls != FpClass::Zero) terms[n++] = {x.d.sign, x.d.sig, x.d.exp, alignExponentOfValue(*s_.c, x.d)};
    }
    for (int i = 0; i < s_.n; ++i) {
      const Entry x = a_[a[i] & maskA_], y = b_[b[i] & maskB_];
      if ((x.kind | y.kind) & kSpecial) return false;
      if ((x.kind | y.kind) & kZero) continue;
      terms[n++] = {bool((x.kind ^ y.kind) & kNegative), (unsigned __int128)(uint64_t(x.sig) * y.sig), x.exp + y.exp,
                    x.alignExp + y.alignExp};
    }
    if (n == 0) return false;
    int unitExp = lsbExp_;
    __int128 acc = 0;
    if (s_.accum == FdotSpec::Accum::Align && s_.alignBits <= 54) {
      // Every aligned term is below 2^(alignBits + 2) and 33 of them sum below 2^63: 64-bit arithmetic suffices.
      int emax = terms[0].alignExp;
      for (int i = 1; i < n; ++i) emax = std::max(emax, terms[i].alignExp);
      unitExp = emax - s_.alignBits;
      int64_t sum = 0;
      for (int i = 0; i < n; ++i) {
        const int shift = unitExp - terms[i].lsbExp;
        const uint64_t m = uint64_t(terms[i].mag);
        const int64_t q = int64_t(shift <= 0 ? m << -shift : shift >= 64 ? 0 : m >> shift);
        sum += terms[i].negative ? -q : q;
      }
      acc = sum;
    } else if (s_.accum == FdotSpec::Accum::Align) {
      int emax = terms[0].alignExp;
      for (int i = 1; i < n; ++i) emax = std::max(emax, terms[i].alignExp);
      unitExp = emax - s_.alignBits;
      for (int i = 0; i < n; ++i) {
        const int shift = unitExp - terms[i].lsbExp;
        const unsigned __int128 q = shift <= 0 ? terms[i].mag << -shift : shift >= 127 ? 0 : terms[i].mag >> shift;
        acc += terms[i].negative ? -__int128(q) : __int128(q);
      }
    } else {
      for (int i = 0; i < n; ++i) {
        const __int128 v = __int128(terms[i].mag << (terms[i].lsbExp - lsbExp_));
        acc += terms[i].negative ? -v : v;
      }
    }
    if (acc == 0) return false;
    RoundOptions opt = s_.round;
    opt.mode = mode;
    const bool neg = acc < 0;
    out = roundPack<unsigned __int128>(neg, unitExp, neg ? (unsigned __int128)(-acc) : (unsigned __int128)acc, false,
                                       s_.out, opt);
    return true;
  }

 private:
  enum : uint8_t { kSpecial = 1, kZero = 2, kNegative = 4 };
  struct Entry {  // an operand as a term needs it, decoded by the model's decodeOperand
    uint32_t sig;
    int16_t exp, alignExp;
    uint8_t kind;
  };
  static std::vector<Entry> table(const Format& f) {
    std::vector<Entry> t;
    if (f.width() > 16) return t;
    t.resize(size_t(1) << f.width());
    for (uint32_t code = 0; code < t.size(); ++code) {
      const FpOperand x = decodeOperand(f, code);
      const bool special = x.d.cls == FpClass::NaN || x.d.cls == FpClass::Inf;
      t[code] = {uint32_t(x.d.sig), int16_t(x.d.exp), int16_t(alignExponentOfValue(f, x.d)),
                 uint8_t((special ? kSpecial : 0) | (x.d.cls == FpClass::Zero ? kZero : 0) | (x.d.sign ? kNegative : 0))};
    }
    return t;
  }
  FdotSpec s_;
  std::vector<Entry> a_, b_;
  uint32_t maskA_, maskB_;
  bool on_ = false;
  int lsbExp_ = 0;
};

// K terms as a chain of whole fdot units (a preset's, or one with tensor-core rules): units of `n` products, the
// last padded with zero pairs, unit u > 0 taking unit u - 1's z as its addend, exactly as chained RTL units
// would. fdotModel runs every unit (its fused groups, rules and z port included). The pad pair is the zero
// product that leaves every sum alone, its sign included (-0, or +0 under rdn: chainIdentity's rule), so a pad
// changes a result only where the unit itself would: under a zero-exponent rule its exponent 2 x zeroExp takes
// part in the maximum (below every finite term of a preset's formats; see docs/python.md).
struct UnitChain {
  FdotSpec first, later;  // later: c is z's format
  int units = 0;
  uint32_t padA = 0, padB = 0;
  Packed operator()(const uint32_t* a, const uint32_t* b, uint32_t c, Rounding mode) const {
    Packed acc;
    uint8_t flags = 0;
    for (int u = 0; u < units; ++u) {
      const size_t at = size_t(u) * size_t(first.n);
      acc = fdotModel(u == 0 ? first : later, a + at, b + at, u == 0 ? c : acc.bits, mode);
      flags |= acc.flags;
    }
    acc.flags = flags;
    return acc;
  }
};

struct DotPlan {
  std::vector<FdotSpec> specs;  // per group
  std::vector<std::shared_ptr<const FastGroup>> fast;
  std::vector<int> offsets;
  int k = 0;
  // align with 8-bit operands: the whole chain through the product table (refmodels/fast_dot), on byte codes.
  std::shared_ptr<const AlignDotTable> align;
  int group = 0;
  std::shared_ptr<const UnitChain> units;  // whole units (presets, rules): rows padded to stride()
  Format z;                                // the result's format
  Rounding mode = Rounding::RNE;

  // Terms per row as the kernels lay them out (K, or K padded to whole units) and the pad codes.
  size_t stride() const { return units ? size_t(units->units) * size_t(units->first.n) : size_t(k); }
  uint32_t padA() const { return units ? units->padA : 0u; }
  uint32_t padB() const { return units ? units->padB : 0u; }

  Packed operator()(const uint32_t* a, const uint32_t* b, uint32_t c) const {
    if (units) return (*units)(a, b, c, mode);
    Packed acc;
    uint8_t flags = 0;
    for (size_t g = 0; g < specs.size(); ++g) {
      const uint32_t addend = g == 0 ? c : acc.bits;
      if (!(*fast[g])(a + offsets[g], b + offsets[g], addend, mode, acc))
        acc = fdotModel(specs[g], a + offsets[g], b + offsets[g], addend, mode);
      flags |= acc.flags;
    }
    acc.flags = flags;
    return acc;
  }
};

struct DotArgs {
  Format a, b;
  std::optional<Format> c;
  Format out;
  std::string accum = "exact";
  int alignBits = -1;  // -1: the fdot default
  int group = 0;       // 0: min(K, 32)
  RoundArgs round;
};

DotPlan planDot(const std::string& func, const DotArgs& d, int k) {
  if (k < 1) valueError(fmt::format("{}: the last axis has {} terms; accepted: at least 1", func, k));
  const bool chain = d.accum == "chain";
  if (chain && d.group != 0) valueError(fmt::format("{}: group is not accepted with accum='chain' (every step rounds)", func));
  const int group = d.group > 0 ? d.group : std::min(k, 32);
  if (group < 1 || group > 32) valueError(fmt::format("{}: group = {} is not accepted; accepted: 1..32 (an fdot unit's terms)", func, d.group));
  // The options as an fdot unit of 4 terms sees them (the term count itself is checked above).
  std::vector<std::string> args = {"--n", "4", "--a", d.a.name, "--b", d.b.name, "--out", d.out.name, "--accum", d.accum};
  if (d.c) args.insert(args.end(), {"--c", d.c->name});
  if (d.alignBits >= 0) args.insert(args.end(), {"--align-bits", std::to_string(d.alignBits)});
  d.round.append(args);
  validateUnit(func, "fdot", args, kRename);
  FdotSpec s;
  s.a = d.a, s.b = d.b, s.c = d.c, s.out = d.out;
  s.accum = chain ? FdotSpec::Accum::Chain : d.accum == "align" ? FdotSpec::Accum::Align : FdotSpec::Accum::Exact;
  if (d.alignBits >= 0) s.alignBits = d.alignBits;
  s.round = d.round.options(func);
  DotPlan p;
  p.k = k;
  p.z = d.out;
  p.mode = s.round.mode;
  if (!chain && FastGroup::enabled() && AlignDotTable::applies(s)) {
    p.align = std::make_shared<const AlignDotTable>(s);
    p.group = group;
    return p;
  }
  if (chain) {
    s.n = k;
    p.specs.push_back(s);
    p.fast.push_back(std::make_shared<const FastGroup>(s));
    p.offsets.push_back(0);
    return p;
  }
  for (int first = 0; first < k; first += group) {
    FdotSpec g = s;
    g.n = std::min(group, k - first);
    g.group = 0;
    if (first > 0) g.c = d.out;
    p.specs.push_back(g);
    p.offsets.push_back(first);
  }
  // Groups of one size share their tables.
  for (size_t i = 0; i < p.specs.size(); ++i)
    p.fast.push_back(i >= 2 && p.specs[i].n == p.specs[i - 1].n ? p.fast[i - 1] : std::make_shared<const FastGroup>(p.specs[i]));
  return p;
}

// The plan of K terms through whole units of `unit` (the spec `numforge gen fdot` builds for the same options).
DotPlan planUnits(const FdotSpec& unit, int k, const std::string& func) {
  if (k < 1) valueError(fmt::format("{}: the last axis has {} terms; accepted: at least 1", func, k));
  auto chain = std::make_shared<UnitChain>();
  chain->first = chain->later = unit;
  chain->later.c = unit.zFormat();
  chain->units = (k + unit.n - 1) / unit.n;
  const Rounding mode = unit.round.mode;
  if (mode != Rounding::RDN && unit.a.hasNegZero()) chain->padA = unit.a.signBit();
  else if (mode != Rounding::RDN && unit.b.hasNegZero()) chain->padB = unit.b.signBit();
  DotPlan p;
  p.k = k;
  p.z = unit.zFormat();
  p.mode = mode;
  p.units = chain;
  // 8-bit operands: the padded rows through the product tables, the unit's groups chained in its out format
  // (the value of z at a unit boundary, so the same bits as chaining whole units).
  FdotSpec table = unit;
  table.group = 0;
  if (FastGroup::enabled() && AlignDotTable::applies(table)) {
    p.align = std::make_shared<const AlignDotTable>(table);
    p.group = unit.groupSize();
  }
  return p;
}

// The fdot spec of `numforge gen fdot <words>`: the CLI's own option, preset and conflict handling (one path
// from a preset to a spec), its messages with the Python argument names.
FdotSpec unitSpec(const std::string& func, const std::vector<std::string>& words) {
  const bool preset = std::find(words.begin(), words.end(), "--emulate") != words.end();
  validateUnit(func, "fdot", words, unitRename(preset));
  const std::unique_ptr<Unit> unit = buildUnit("fdot", words);
  const FdotSpec s = dynamic_cast<const OperatorUnit<FdotSpec>&>(*unit).spec();
  if (s.dynamicRounding) valueError(fmt::format("{}: rounding 'dyn' is not accepted here; accepted: rne, rtz, rup, rdn, rna", func));
  return s;
}

// z[r] = dot(a[r, :], b[r, :]) (+ c[r]) for rows of K terms.
pyb::tuple dotCodes(const DotPlan& plan, const pyb::array& a, const pyb::array& b, const pyb::object& c) {
  const size_t k = size_t(plan.k), stride = plan.stride();
  const CodeView av(a, "dot: a"), bv(b, "dot: b");
  sameSize("dot", {&av, &bv});
  if (av.size() % k != 0) valueError("dot: a's size is not a multiple of the last axis");
  const size_t rows = av.size() / k;
  std::optional<CodeView> cv;
  if (!c.is_none()) {
    cv.emplace(pyb::reinterpret_borrow<pyb::array>(c), "dot: c");
    if (cv->size() != rows) valueError(fmt::format("dot: c has {} values; accepted: one per dot product ({})", cv->size(), rows));
  }
  pyb::array z = newCodes(plan.z, {ssize_t(rows)});
  pyb::array flags(pyb::dtype::of<uint8_t>(), std::vector<ssize_t>{ssize_t(rows)});
  const CodeView zv(z, "dot");
  uint8_t* f = static_cast<uint8_t*>(flags.mutable_data());
  parallelFor(rows, std::max<size_t>(1, 8192 / k), [&](size_t begin, size_t end) {
    std::vector<uint32_t> ra(stride, plan.padA()), rb(stride, plan.padB());
    std::vector<uint8_t> a8(stride, uint8_t(plan.padA())), b8(stride, uint8_t(plan.padB()));
    for (size_t r = begin; r < end && plan.align; ++r) {
      for (size_t i = 0; i < k; ++i) a8[i] = uint8_t(av[r * k + i]), b8[i] = uint8_t(bv[r * k + i]);
      const Packed p = plan.align->dot(a8.data(), b8.data(), int(stride), plan.group, cv ? (*cv)[r] : 0u, plan.mode);
      zv.set(r, p.bits);
      f[r] = p.flags;
    }
    for (size_t r = begin; r < end && !plan.align; ++r) {
      for (size_t i = 0; i < k; ++i) ra[i] = av[r * k + i], rb[i] = bv[r * k + i];
      const Packed p = plan(ra.data(), rb.data(), cv ? (*cv)[r] : 0u);
      zv.set(r, p.bits);
      f[r] = p.flags;
    }
  });
  return pyb::make_tuple(z, flags);
}

// Z[m, n] = dot(A[m, :], Bt[n, :]) (+ C[m, n]): A is M x K, Bt (B transposed) N x K, both row-major.
pyb::tuple matmulCodes(const DotPlan& plan, const pyb::array& a, const pyb::array& bt, const pyb::object& c, int m, int n) {
  const size_t k = size_t(plan.k), stride = plan.stride();
  const CodeView av(a, "matmul: A"), bv(bt, "matmul: B");
  if (av.size() != size_t(m) * k || bv.size() != size_t(n) * k) valueError("matmul: A is not M x K or B not K x N");
  std::optional<CodeView> cv;
  if (!c.is_none()) {
    cv.emplace(pyb::reinterpret_borrow<pyb::array>(c), "matmul: C");
    if (cv->size() != size_t(m) * size_t(n)) valueError("matmul: C must be M x N");
  }
  pyb::array z = newCodes(plan.z, {ssize_t(m), ssize_t(n)});
  pyb::array flags(pyb::dtype::of<uint8_t>(), std::vector<ssize_t>{ssize_t(m), ssize_t(n)});
  const CodeView zv(z, "matmul");
  uint8_t* f = static_cast<uint8_t*>(flags.mutable_data());
  if (plan.align) {
    // Rows of A and of B transposed at the plan's stride, padded with its pad codes, decoded once into the
    // table's planes; blocks of columns (their planes in cache) under each block of rows.
    std::vector<uint8_t> a8(size_t(m) * stride, uint8_t(plan.padA())), b8(size_t(n) * stride, uint8_t(plan.padB()));
    for (size_t r = 0; r < size_t(m); ++r)
      for (size_t i = 0; i < k; ++i) a8[r * stride + i] = uint8_t(av[r * k + i]);
    for (size_t col = 0; col < size_t(n); ++col)
      for (size_t i = 0; i < k; ++i) b8[col * stride + i] = uint8_t(bv[col * k + i]);
    const AlignDotTable::Planes pa = plan.align->decode(a8.data(), a8.size(), true);
    const AlignDotTable::Planes pb = plan.align->decode(b8.data(), b8.size(), false);
    const size_t colBlock = std::max<size_t>(1, (size_t(64) << 10) / (4 * stride));  // about 64 KB of B planes
    parallelFor(size_t(m), 8, [&](size_t begin, size_t end) {
      for (size_t c0 = 0; c0 < size_t(n); c0 += colBlock)
        for (size_t r = begin; r < end; ++r)
          for (size_t col = c0; col < std::min(size_t(n), c0 + colBlock); ++col) {
            const size_t o = r * size_t(n) + col;
            const Packed p = plan.align->dot(pa, r * stride, pb, col * stride, int(stride), plan.group,
                                             cv ? (*cv)[o] : 0u, plan.mode);
            zv.set(o, p.bits);
            f[o] = p.flags;
          }
    });
    return pyb::make_tuple(z, flags);
  }
  // B's rows (columns of B) once, at the plan's stride with its pad codes.
  std::vector<uint32_t> b32(size_t(n) * stride, plan.padB());
  for (size_t col = 0; col < size_t(n); ++col)
    for (size_t i = 0; i < k; ++i) b32[col * stride + i] = bv[col * k + i];
  parallelFor(size_t(m), 1, [&](size_t begin, size_t end) {
    std::vector<uint32_t> ra(stride, plan.padA());
    for (size_t r = begin; r < end; ++r) {
      for (size_t i = 0; i < k; ++i) ra[i] = av[r * k + i];
      for (size_t col = 0; col < size_t(n); ++col) {
        const size_t o = r * size_t(n) + col;
        const Packed p = plan(ra.data(), b32.data() + col * stride, cv ? (*cv)[o] : 0u);
        zv.set(o, p.bits);
        f[o] = p.flags;
      }
    }
  });
  return pyb::make_tuple(z, flags);
}

// Streams of L terms (rows): out[r, i] is the accumulator after term i; each row starts with clear.
template <class Step>
pyb::tuple streamCodes(const std::string& func, const Format& out, const pyb::array& a, const pyb::object& b, int len,
                       const Step& makeAndRun) {
  const CodeView av(a, func + ": a");
  std::optional<CodeView> bv;
  if (!b.is_none()) {
    bv.emplace(pyb::reinterpret_borrow<pyb::array>(b), func + ": b");
    sameSize(func, {&av, &*bv});
  }
  if (len < 1 || av.size() % size_t(len) != 0) valueError(fmt::format("{}: the stream axis must hold at least one term", func));
  pyb::array z = newCodes(out, shapeOf(a));
  pyb::array flags(pyb::dtype::of<uint8_t>(), shapeOf(a));
  const CodeView zv(z, func);
  uint8_t* f = static_cast<uint8_t*>(flags.mutable_data());
  parallelFor(av.size() / size_t(len), std::max<size_t>(1, 4096 / size_t(len)), [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; ++r)
      makeAndRun([&](size_t i) { return av[r * size_t(len) + i]; },
                 [&](size_t i) { return bv ? (*bv)[r * size_t(len) + i] : 0u; }, size_t(len),
                 [&](size_t i, Packed p) { zv.set(r * size_t(len) + i, p.bits), f[r * size_t(len) + i] = p.flags; });
  });
  return pyb::make_tuple(z, flags);
}

pyb::tuple faccCodes(const pyb::array& a, const pyb::object& b, const Format& fa, const std::optional<Format>& fb,
                     const Format& out, const std::string& rounding, int len) {
  std::vector<std::string> args = {"--a", fa.name, "--out", out.name, "--round", rounding};
  if (fb) args.insert(args.end(), {"--b", fb->name, "--mac"});
  validateUnit("facc", "facc", args, kRename);
  if (fb.has_value() == b.is_none()) valueError("facc: b and b_fmt go together (products a * b)");
  FaccSpec s;
  s.a = fa, s.b = fb, s.out = out, s.round.mode = parseRoundingArg("facc", rounding, false);
  return streamCodes("facc", out, a, b, len, [&](auto x, auto y, size_t n, auto put) {
    FaccModel model(s);
    for (size_t i = 0; i < n; ++i) put(i, model.step(x(i), y(i), i == 0, s.round.mode));
  });
}

pyb::tuple kulischCodes(const pyb::array& a, const pyb::object& b, const Format& fa, const std::optional<Format>& fb,
                        const Format& out, const std::string& rounding, int carryBits, int len) {
  std::vector<std::string> args = {"--a", fa.name, "--out", out.name, "--round", rounding, "--carry-bits",
                                   std::to_string(carryBits)};
  if (fb) args.insert(args.end(), {"--b", fb->name});
  validateUnit("kulisch", "kulisch", args, kRename);
  if (fb.has_value() == b.is_none()) valueError("kulisch: b and b_fmt go together (products a * b)");
  KulischSpec s;
  s.a = fa, s.b = fb, s.out = out, s.carryBits = carryBits, s.round.mode = parseRoundingArg("kulisch", rounding, false);
  return streamCodes("kulisch", out, a, b, len, [&](auto x, auto y, size_t n, auto put) {
    KulischModel model(s);
    for (size_t i = 0; i < n; ++i) put(i, model.step(x(i), y(i), i == 0, s.round.mode).z);
  });
}

DotArgs dotArgs(const Format& fa, const Format& fb, const std::optional<Format>& fc, const Format& out,
                const std::string& accum, int alignBits, int group, const RoundArgs& r) {
  return DotArgs{fa, fb, fc, out, accum, alignBits, group, r};
}

}  // namespace

void bindArith(pyb::module_& m) {
  auto round = [](const std::string& rounding, bool saturate, bool ftz, bool daz) { return RoundArgs{rounding, saturate, ftz, daz}; };
  m.def("_mul", [=](const pyb::array& a, const pyb::array& b, const Format& fa, const Format& fb, const Format& out,
                    const std::string& rounding, bool saturate, bool ftz, bool daz) {
    return binaryCodes<FmulSpec, FmulFastModel>("mul", "fmul", a, b, fa, fb, out, round(rounding, saturate, ftz, daz));
  });
  m.def("_add", [=](const pyb::array& a, const pyb::array& b, const Format& fa, const Format& fb, const Format& out,
                    const std::string& rounding, bool saturate, bool ftz, bool daz) {
    return binaryCodes<FaddSpec, FaddFastModel>("add", "fadd", a, b, fa, fb, out, round(rounding, saturate, ftz, daz));
  });
  m.def("_fma", [=](const pyb::array& a, const pyb::array& b, const pyb::array& c, const Format& fa, const Format& fb,
                    const Format& fc, const Format& out, const std::string& rounding, bool saturate, bool ftz, bool daz) {
    return fmaCodes(a, b, c, fa, fb, fc, out, round(rounding, saturate, ftz, daz));
  });
  m.def("_dot", [=](const pyb::array& a, const pyb::array& b, const pyb::object& c, const Format& fa, const Format& fb,
                    const std::optional<Format>& fc, const Format& out, const std::string& accum, int alignBits, int group,
                    const std::string& rounding, bool saturate, bool ftz, int k) {
    return dotCodes(planDot("dot", dotArgs(fa, fb, fc, out, accum, alignBits, group, round(rounding, saturate, ftz, false)), k),
                    a, b, c);
  });
  m.def("_matmul", [=](const pyb::array& a, const pyb::array& bt, const pyb::object& c, const Format& fa, const Format& fb,
                       const std::optional<Format>& fc, const Format& out, const std::string& accum, int alignBits,
                       int group, const std::string& rounding, bool saturate, bool ftz, int mm, int nn, int kk) {
    return matmulCodes(
        planDot("matmul", dotArgs(fa, fb, fc, out, accum, alignBits, group, round(rounding, saturate, ftz, false)), kk), a,
        bt, c, mm, nn);
  });
  // Whole fdot units (emulate=PRESET or the tensor-core rule keywords): the spec `numforge gen fdot <words>` builds.
  pyb::class_<FdotSpec>(m, "_FdotUnit", "an fdot unit's function spec (dot / matmul with emulate or rules)")
      .def_property_readonly("a", [](const FdotSpec& s) { return s.a; })
      .def_property_readonly("b", [](const FdotSpec& s) { return s.b; })
      .def_property_readonly("c", [](const FdotSpec& s) { return s.c; })
      .def_property_readonly("z", [](const FdotSpec& s) { return s.zFormat(); })
      .def_readonly("n", &FdotSpec::n);
  m.def("_fdot_unit", &unitSpec);
  m.def("_dot_unit", [](const FdotSpec& unit, const pyb::array& a, const pyb::array& b, const pyb::object& c, int k) {
    return dotCodes(planUnits(unit, k, "dot"), a, b, c);
  });
  m.def("_matmul_unit", [](const FdotSpec& unit, const pyb::array& a, const pyb::array& bt, const pyb::object& c, int mm,
                           int nn, int kk) { return matmulCodes(planUnits(unit, kk, "matmul"), a, bt, c, mm, nn); });
  m.def("_presets_json", [] { return tensorCorePresetsJson().dump(); });
  m.def("_set_fast_paths", [](bool on) { FastGroup::enabled() = on; },
        "tests only: off, every dot product goes through fdotModel itself");
  m.def("_facc", &faccCodes);
  m.def("_kulisch", &kulischCodes);
}

}  // namespace nf::py
