#include "refmodels/fast_dot.h"

#include <algorithm>
#include <climits>
#include <stdexcept>

namespace nf {

bool AlignDotTable::applies(const FdotSpec& s) {
  return s.accum == FdotSpec::Accum::Align && s.a.width() <= 8 && s.b.width() <= 8 && s.alignBits >= 0 &&
         s.alignBits <= 54 && !s.dynamicRounding;
}

AlignDotTable::AlignDotTable(const FdotSpec& s) : s_(s), productManBits_(s.a.manBits + s.b.manBits) {
  if (!applies(s)) throw std::invalid_argument("AlignDotTable: not an align dot product of 8-bit operands");
  products_.resize(size_t(1) << 16);
  for (uint32_t x = 0; x < 256; ++x) {
    for (uint32_t y = 0; y < 256; ++y) {
      Product p{0, INT16_MIN, 0, 0};
      if (x <= s.a.mask() && y <= s.b.mask()) {
        const FpOperand u = decodeOperand(s.a, x), v = decodeOperand(s.b, y);
        const auto special = [](const FpOperand& o) { return o.d.cls == FpClass::NaN || o.d.cls == FpClass::Inf; };
        p.special = special(u) || special(v);
        if (!p.special && u.d.cls != FpClass::Zero && v.d.cls != FpClass::Zero) {
          p.mag = uint32_t(u.d.sig * v.d.sig);
          p.alignExp = int16_t(alignExponentOfValue(s.a, u.d) + alignExponentOfValue(s.b, v.d));
          p.negative = u.d.sign != v.d.sign;
        }
      }
      products_[(x << 8) | y] = p;
    }
  }
}

bool AlignDotTable::fastGroup(const uint8_t* a, const uint8_t* b, int n, const Format* addend, uint32_t c,
                              Rounding mode, Packed& out) const {
  const Product* t = products_.data();
  int emax = INT_MIN;
  uint32_t special = 0;
  for (int i = 0; i < n; ++i) {
    const Product& p = t[(uint32_t(a[i]) << 8) | b[i]];
    emax = std::max(emax, int(p.alignExp));
    special |= p.special;
  }
  if (special) return false;
  FpOperand addTerm;
  bool hasAddTerm = false;
  if (addend) {
    addTerm = decodeOperand(*addend, c);
    if (addTerm.d.cls == FpClass::NaN || addTerm.d.cls == FpClass::Inf) return false;
    hasAddTerm = addTerm.d.cls != FpClass::Zero;
    if (hasAddTerm) emax = std::max(emax, alignExponentOfValue(*addend, addTerm.d));
  }
  if (emax == INT16_MIN || emax == INT_MIN) return false;  // no nonzero term: the zero-sign rules
  // A product's lsb exponent is alignExp - productManBits_; it is truncated to units of 2^(emax - alignBits):
  // shifted left by lead, then right by the exponent gap plus trail.
  const int unitExp = emax - s_.alignBits;
  const int lead = std::max(0, s_.alignBits - productManBits_), trail = std::max(0, productManBits_ - s_.alignBits);
  int64_t sum = 0;
  for (int i = 0; i < n; ++i) {
    const Product& p = t[(uint32_t(a[i]) << 8) | b[i]];
    const int shift = std::min(63, emax - int(p.alignExp) + trail);
    const int64_t q = int64_t((uint64_t(p.mag) << lead) >> shift);
    sum += p.negative ? -q : q;
  }
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
