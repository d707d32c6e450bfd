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

// gatherProducts from operands decoded once into planes (AlignDotTable::Planes): contiguous loads, no gathers.
__attribute__((target_clones("avx2", "default"))) int combinePlanes(const int16_t* ea, const int16_t* eb,
                                                                     const uint8_t* sa, const uint8_t* sb,
                                                                     const uint8_t* ka, const uint8_t* kb, int n,
                                                                     uint8_t negativeBit, GroupTerms& t, uint32_t& kinds) {
  int emax = INT_MIN;
  uint32_t k = 0;
  for (int i = 0; i < n; ++i) {
    t.exps[i] = ea[i] + eb[i];
    t.mags[i] = uint32_t(sa[i]) * sb[i];
    t.negative[i] = (ka[i] ^ kb[i]) & negativeBit;
    k |= uint32_t(ka[i] | kb[i]);
    emax = std::max(emax, t.exps[i]);
  }
  kinds = k;
  return emax;
}

// sumAligned when every shifted product and the sum of 32 of them stay below 2^31 (narrow products, small lead):
// 32-bit lanes, twice as many per vector.
__attribute__((target_clones("avx2", "default"))) int64_t sumAligned32(const GroupTerms& t, int n, int emax, int lead,
                                                                        int trail) {
  int32_t sum = 0;
  for (int i = 0; i < n; ++i) {
    const int shift = std::min(31, emax - t.exps[i] + trail);
    const int32_t q = int32_t((t.mags[i] << lead) >> shift);
    sum += t.negative[i] ? -q : q;
  }
  return sum;
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
         s.alignBits <= 54 && !s.dynamicRounding && s.groups() == 1 &&
         // the AMD rules and the c conversion are fdotModel's alone
         !s.rules.twoLevel && !s.rules.productOverflowToInf && !s.rules.convertC;
}

std::vector<AlignDotTable::Operand> AlignDotTable::operandTable(const Format& f, const AlignRules& rules) {
  std::vector<Operand> t(256, Operand{0, kSpecial, kZeroExp});  // codes above the format's width: never fast
  // A zero's exponent: the zero-exponent rule's (a zero product then takes part in the maximum), or one so low
  // that a product with a zero sorts below every term.
  const int16_t zeroExp = rules.zeroExp ? int16_t(*rules.zeroExp) : int16_t(kZeroExp);
  for (uint32_t x = 0; x <= f.mask(); ++x) {
    const FpOperand o = decodeOperand(f, x);
    Operand e{0, uint8_t(o.d.sign ? kNegative : 0), zeroExp};
    if (o.d.cls == FpClass::NaN || o.d.cls == FpClass::Inf) e.kind |= kSpecial;
    else if (o.d.cls != FpClass::Zero) e.sig = uint8_t(o.d.sig), e.alignExp = int16_t(alignExponentOfValue(f, o.d));
    t[x] = e;
  }
  return t;
}

AlignDotTable::AlignDotTable(const FdotSpec& s) : s_(s), productManBits_(s.a.manBits + s.b.manBits) {
  if (!applies(s)) throw std::invalid_argument("AlignDotTable: not an align dot product of 8-bit operands");
  a_ = operandTable(s.a, s.rules);
  b_ = operandTable(s.b, s.rules);
  // A product is below 2^(productManBits_ + 2); shifted left by lead and 32 of them summed: 6 more bits.
  narrowSums_ = productManBits_ + 2 + std::max(0, s.alignBits - productManBits_) + 6 <= 31;
}

AlignDotTable::Planes AlignDotTable::decode(const uint8_t* codes, size_t count, bool isA) const {
  const std::vector<Operand>& table = isA ? a_ : b_;
  Planes p;
  p.codes.assign(codes, codes + count);
  p.exp.resize(count), p.sig.resize(count), p.kind.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const Operand o = table[codes[i]];
    p.exp[i] = o.alignExp, p.sig[i] = o.sig, p.kind[i] = o.kind;
  }
  return p;
}

Packed AlignDotTable::dot(const Planes& a, size_t aAt, const Planes& b, size_t bAt, int k, int groupSize, uint32_t c,
                          Rounding mode) const {
  Packed acc;
  uint8_t flags = 0;
  for (int first = 0; first < k; first += groupSize) {
    const int n = std::min(groupSize, k - first);
    const Format* addend = first == 0 ? (s_.c ? &*s_.c : nullptr) : &s_.out;
    const uint32_t addendBits = first == 0 ? c : acc.bits;
    const size_t i = aAt + size_t(first), j = bAt + size_t(first);
    GroupTerms terms;
    uint32_t kinds = 0;
    const int emax = combinePlanes(&a.exp[i], &b.exp[j], &a.sig[i], &b.sig[j], &a.kind[i], &b.kind[j], n, kNegative,
                                   terms, kinds);
    if ((kinds & kSpecial) || !finishGroup(&terms, emax, n, addend, addendBits, mode, acc))
      acc = modelGroup(&a.codes[i], &b.codes[j], n, addend, addendBits, mode);
    flags |= acc.flags;
  }
  acc.flags = flags;
  if (s_.port) acc.bits = widenResult(s_.rules, s_.out, *s_.port, acc.bits);
  return acc;
}

bool AlignDotTable::fastGroup(const uint8_t* a, const uint8_t* b, int n, const Format* addend, uint32_t c,
                              Rounding mode, Packed& out) const {
  GroupTerms terms;
  uint32_t kinds = 0;
  const int emax = gatherProducts(a_.data(), b_.data(), a, b, n, kNegative, terms, kinds);
  if (kinds & kSpecial) return false;
  return finishGroup(&terms, emax, n, addend, c, mode, out);
}

bool AlignDotTable::finishGroup(const void* groupTerms, int emax, int n, const Format* addend, uint32_t c,
                                Rounding mode, Packed& out) const {
  const GroupTerms& terms = *static_cast<const GroupTerms*>(groupTerms);
  FpOperand addTerm;
  bool hasAddTerm = false;
  if (addend) {
    addTerm.d = addend->decode(c);  // (a NaN goes to fdotModel, which tells signaling ones apart)
    if (addTerm.d.cls == FpClass::NaN || addTerm.d.cls == FpClass::Inf) return false;
    hasAddTerm = addTerm.d.cls != FpClass::Zero;
    if (hasAddTerm) emax = std::max(emax, alignExponentOfValue(*addend, addTerm.d));
    else if (s_.rules.zeroExp) emax = std::max(emax, *s_.rules.zeroExp);
  }
  if (emax < kZeroExp + 1000) return false;  // no nonzero term: the zero-sign rules
  // A product's lsb exponent is its alignExp - productManBits_; it is truncated to units of 2^(emax - alignBits):
  // shifted left by lead, then right by the exponent gap plus trail (zero products: mag 0).
  const int unitExp = emax - s_.alignBits;
  const int lead = std::max(0, s_.alignBits - productManBits_), trail = std::max(0, productManBits_ - s_.alignBits);
  int64_t sum = narrowSums_ ? sumAligned32(terms, n, emax, lead, trail) : sumAligned(terms, n, emax, lead, trail);
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
  out = applyAlignRules(s_.rules, s_.out,
                        roundPack<uint64_t>(neg, unitExp, neg ? uint64_t(-sum) : uint64_t(sum), false, s_.out, opt));
  return true;
}

Packed AlignDotTable::modelGroup(const uint8_t* a, const uint8_t* b, int n, const Format* addend, uint32_t c,
                                 Rounding mode) const {
  FdotSpec g = s_;
  g.n = n;
  g.group = 0;
  g.c.reset();
  g.port.reset();  // a group's result stays in out; dot() widens the last one to z's port format
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
  if (s_.port) acc.bits = widenResult(s_.rules, s_.out, *s_.port, acc.bits);
  return acc;
}

}  // namespace nf
