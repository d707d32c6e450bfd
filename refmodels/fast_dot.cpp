#include "refmodels/fast_dot.h"

#include <algorithm>
#include <climits>
#include <stdexcept>

namespace nf {

namespace {

// The two loops of a group, compiled twice (AVX2, where the CPU has it: gathers and per-lane shifts halve the time;
// and baseline x86-64) and picked at load time; refmodels/CMakeLists.txt builds this file at -O3 to vectorize them.
struct GroupTerms {
  int exps[32];
  uint32_t mags[32];
  uint8_t negative[32];
};

using Operand = AlignDotTable::Operand;

__attribute__((target_clones("avx2", "default"))) int gatherProducts(const Operand* ta, const Operand* tb,
                                                                      const uint8_t* a, const uint8_t* b, int n,
                                                                      uint8_t negativeBit, GroupTerms& t, uint32_t& kinds) {
  int emax = INT_MIN;
  uint32_t k = 0;
  for (int i = 0; i < n; ++i) {
    const Operand x = ta[a[i]], y = tb[b[i]];
    t.exps[i] = x.alignExp + y.alignExp;
    t.mags[i] = uint32_t(x.sig) * y.sig;
    t.negative[i] = (x.kind ^ y.kind) & negativeBit;
    k |= uint32_t(x.kind | y.kind);
    emax = std::max(emax, t.exps[i]);
  }
  kinds = k;
  return emax;
}

__attribute__((target_clones("avx2", "default"))) int64_t sumAligned(const GroupTerms& t, int n, int emax, int lead,
                                                                      int trail) {
  int64_t sum = 0;
  for (int i = 0; i < n; ++i) {
    const int shift = std::min(63, emax - t.exps[i] + trail);
    const int64_t q = int64_t((uint64_t(t.mags[i]) << lead) >> shift);
    sum += t.negative[i] ? -q : q;
  }
  return sum;
}

}  // namespace

bool AlignDotTable::applies(const FdotSpec& s) {
  return s.accum == FdotSpec::Accum::Align && s.a.isFloat() && s.b.isFloat() && s.a.width() <= 8 && s.b.width() <= 8 && s.alignBits >= 0 &&
         s.alignBits <= 54 && !s.dynamicRounding;
}

std::vector<AlignDotTable::Operand> AlignDotTable::operandTable(const Format& f) {
  std::vector<Operand> t(256, Operand{0, kSpecial, kZeroExp});  // codes above the format's width: never fast
  for (uint32_t x = 0; x <= f.mask(); ++x) {
    const FpOperand o = decodeOperand(f, x);
    Operand e{0, uint8_t(o.d.sign ? kNegative : 0), kZeroExp};
    if (o.d.cls == FpClass::NaN || o.d.cls == FpClass::Inf) e.kind |= kSpecial;
    else if (o.d.cls != FpClass::Zero) e.sig = uint8_t(o.d.sig), e.alignExp = int16_t(alignExponentOfValue(f, o.d));
    t[x] = e;
  }
  return t;
}

AlignDotTable::AlignDotTable(const FdotSpec& s) : s_(s), productManBits_(s.a.manBits + s.b.manBits) {
  if (!applies(s)) throw std::invalid_argument("AlignDotTable: not an align dot product of 8-bit operands");
  a_ = operandTable(s.a);
  b_ = operandTable(s.b);
}

bool AlignDotTable::fastGroup(const uint8_t* a, const uint8_t* b, int n, const Format* addend, uint32_t c,
                              Rounding mode, Packed& out) const {
  GroupTerms terms;
  uint32_t kinds = 0;
  int emax = gatherProducts(a_.data(), b_.data(), a, b, n, kNegative, terms, kinds);
  if (kinds & kSpecial) return false;
  FpOperand addTerm;
  bool hasAddTerm = false;
  if (addend) {
    addTerm = decodeOperand(*addend, c);
    if (addTerm.d.cls == FpClass::NaN || addTerm.d.cls == FpClass::Inf) return false;
    hasAddTerm = addTerm.d.cls != FpClass::Zero;
    if (hasAddTerm) emax = std::max(emax, alignExponentOfValue(*addend, addTerm.d));
  }
  if (emax < kZeroExp + 1000) return false;  // no nonzero term: the zero-sign rules
  // A product's lsb exponent is its alignExp - productManBits_; it is truncated to units of 2^(emax - alignBits):
  // shifted left by lead, then right by the exponent gap plus trail (zero products: mag 0).
  const int unitExp = emax - s_.alignBits;
  const int lead = std::max(0, s_.alignBits - productManBits_), trail = std::max(0, productManBits_ - s_.alignBits);
  int64_t sum = sumAligned(terms, n, emax, lead, trail);
  if (hasAddTerm) {
    const int shift = unitExp - addTerm.d.exp;
    const uint64_t sig = uint64_t(addTerm.d.sig);
    const int64_t q = int64_t(shift <= 0 ? sig << -shift : shift >= 64 ? 0 : sig >> shift);
    sum += addTerm.d.sign ? -q : q;
  }
  if (sum == 0) return false;
  RoundOptions opt = s_.round;
  opt.mode = mode;
  const bool neg = sum < 0;
  out = roundPack<uint64_t>(neg, unitExp, neg ? uint64_t(-sum) : uint64_t(sum), false, s_.out, opt);
  return true;
}

Packed AlignDotTable::modelGroup(const uint8_t* a, const uint8_t* b, int n, const Format* addend, uint32_t c,
                                 Rounding mode) const {
  FdotSpec g = s_;
  g.n = n;
  g.group = 0;
  g.c.reset();
  if (addend) g.c = *addend;
  uint32_t a32[32], b32[32];
  for (int i = 0; i < n; ++i) a32[i] = a[i], b32[i] = b[i];
  return fdotModel(g, a32, b32, c, mode);
}

Packed AlignDotTable::group(const uint8_t* a, const uint8_t* b, int n, const Format* addend, uint32_t c,
                            Rounding mode) const {
  if (n < 1 || n > 32) throw std::invalid_argument("AlignDotTable::group: 1..32 products");
  Packed out;
  if (!fastGroup(a, b, n, addend, c, mode, out)) out = modelGroup(a, b, n, addend, c, mode);
  return out;
}

Packed AlignDotTable::dot(const uint8_t* a, const uint8_t* b, int k, int groupSize, uint32_t c, Rounding mode) const {
  Packed acc;
  uint8_t flags = 0;
  for (int first = 0; first < k; first += groupSize) {
    const int n = std::min(groupSize, k - first);
    const Format* addend = first == 0 ? (s_.c ? &*s_.c : nullptr) : &s_.out;
    acc = group(a + first, b + first, n, addend, first == 0 ? c : acc.bits, mode);
    flags |= acc.flags;
  }
  acc.flags = flags;
  return acc;
}

}  // namespace nf
