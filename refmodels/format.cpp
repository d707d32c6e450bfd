#include "refmodels/format.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <sstream>

#include "refmodels/named.h"

namespace nf {

uint32_t Format::canonicalNaN() const {
  switch (nonFinite) {
    case NonFinite::IEEE: return infMag() | (1u << (manBits - 1));
    case NonFinite::FN: return magMask();
    case NonFinite::FNUZ: return signBit();
    case NonFinite::Finite: return maxFiniteMag();  // no NaN: CUDA's convention, +max finite
    case NonFinite::P3109: return isSigned ? signBit() : magMask();
  }
  return 0;
}

FpClass Format::classify(uint32_t bits) const {
  bits &= mask();
  if (nonFinite == NonFinite::FNUZ && bits == signBit()) return FpClass::NaN;
  const uint32_t mag = bits & magMask();
  if (nonFinite == NonFinite::P3109) {
    if (bits == canonicalNaN()) return FpClass::NaN;
    if (p3109Extended && mag == infMag()) return FpClass::Inf;
  }
  const uint32_t field = mag >> manBits;
  const uint32_t man = mag & ((1u << manBits) - 1u);
  if (nonFinite == NonFinite::IEEE && field == uint32_t(expFieldMax())) return man ? FpClass::NaN : FpClass::Inf;
  if (nonFinite == NonFinite::FN && mag == magMask()) return FpClass::NaN;
  if (field == 0 && !zeroExpIsNormal) return (man && subnormals) ? FpClass::Subnormal : FpClass::Zero;
  return FpClass::Normal;
}

bool Format::isSignalingNaN(uint32_t bits) const {
  return nonFinite == NonFinite::IEEE && classify(bits) == FpClass::NaN && !((bits >> (manBits - 1)) & 1u);
}

Decoded Format::decode(uint32_t bits) const {
  bits &= mask();
  Decoded d;
  d.cls = classify(bits);
  d.sign = (bits & signBit()) != 0;
  const uint32_t mag = bits & magMask();
  const int field = int(mag >> manBits);
  const uint64_t man = mag & ((1u << manBits) - 1u);
  if (d.cls == FpClass::Normal) {
    d.sig = zeroExpIsNormal ? (man | (uint64_t(1) << manBits)) : (man | (uint64_t(1) << manBits));
    d.exp = field - bias - manBits;
  } else if (d.cls == FpClass::Subnormal) {
    d.sig = man;
    d.exp = emin() - manBits;
  }
  return d;
}

double Format::toDouble(uint32_t bits) const {
  if (kind == FormatKind::Int) {
    bits &= mask();
    if (isSigned && (bits >> (intBits - 1)) & 1u) return double(int64_t(bits) - (int64_t(1) << intBits));
    return double(bits);
  }
  const Decoded d = decode(bits);
  switch (d.cls) {
    case FpClass::NaN: return std::nan("");
    case FpClass::Inf: return d.sign ? -HUGE_VAL : HUGE_VAL;
    case FpClass::Zero: return d.sign ? -0.0 : 0.0;
    default: return (d.sign ? -1.0 : 1.0) * std::ldexp(double(d.sig), d.exp);
  }
}

std::string Format::describe() const {
  if (kind == FormatKind::Int)
    return fmt::format("{}-bit {} integer, range [{}, {}]", intBits, isSigned ? "signed" : "unsigned",
                       isSigned ? -(int64_t(1) << (intBits - 1)) : 0,
                       isSigned ? (int64_t(1) << (intBits - 1)) - 1 : (int64_t(1) << intBits) - 1);
  std::string s = fmt::format("{}E{}M{} bias {}", isSigned ? "" : "unsigned ", expBits, manBits, bias);
  if (zeroExpIsNormal) s += ", no zero";
  else s += subnormals ? ", subnormals" : ", no subnormals (flush)";
  switch (nonFinite) {
    case NonFinite::IEEE: s += ", IEEE Inf and NaN"; break;
    case NonFinite::FN: s += ", NaN = all ones, no Inf"; break;
    case NonFinite::FNUZ: s += ", NaN = negative-zero pattern, no Inf, no -0"; break;
    case NonFinite::Finite: s += ", finite only (no Inf, no NaN)"; break;
    case NonFinite::P3109:
      s += fmt::format(", P3109 {} domain, NaN 0x{:x}", p3109Extended ? "extended" : "finite", canonicalNaN());
      if (p3109Extended) s += isSigned ? fmt::format(", Inf 0x{:x}/0x{:x}", infMag(), signBit() | infMag())
                                       : fmt::format(", Inf 0x{:x}", infMag());
      s += ", no -0";
      break;
  }
  return s;
}

std::string Format::tag() const {
  std::string t;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) t += c;
    else if (c == ',') t += '_';
    else if (c == '-') t += 'm';
  }
  return t;
}

namespace {

Format makeFloat(std::string name, int e, int m, NonFinite nf, bool isSigned = true, bool zeroExpIsNormal = false) {
  Format f;
  f.name = std::move(name);
  f.expBits = e;
  f.manBits = m;
  f.nonFinite = nf;
  f.isSigned = isSigned;
  f.zeroExpIsNormal = zeroExpIsNormal;
  f.subnormals = !zeroExpIsNormal;
  f.bias = (1 << (e - 1)) - (nf == NonFinite::FNUZ ? 0 : 1);
  return f;
}

Format makeInt(std::string name, int bits, bool isSigned) {
  Format f;
  f.name = std::move(name);
  f.kind = FormatKind::Int;
  f.intBits = bits;
  f.isSigned = isSigned;
  f.nonFinite = NonFinite::Finite;
  return f;
}

bool sameFormat(const Format& a, const Format& b) {
  return a.kind == b.kind && a.expBits == b.expBits && a.manBits == b.manBits && a.bias == b.bias &&
         a.isSigned == b.isSigned && a.subnormals == b.subnormals && a.zeroExpIsNormal == b.zeroExpIsNormal &&
         a.nonFinite == b.nonFinite && a.intBits == b.intBits && a.p3109Extended == b.p3109Extended;
}

constexpr Named<NonFinite> kNonFiniteWords[] = {
    {NonFinite::IEEE, "ieee"},     {NonFinite::FN, "fn"},       {NonFinite::FNUZ, "fnuz"},
    {NonFinite::Finite, "finite"}, {NonFinite::P3109, "p3109"},
};

const char* nonFiniteWord(NonFinite k) { return wordOf(kNonFiniteWords, k); }

bool parseInt(const std::string& s, int& out) {
  if (s.empty() || s.size() > 4) return false;
  int v = 0;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') { neg = true; i = 1; }
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = neg ? -v : v;
  return true;
}

std::string presetNames() {
  std::string s;
  for (const Format& f : presetFormats()) s += (s.empty() ? "" : ", ") + f.name;
  return s;
}

}  // namespace

const std::vector<Format>& presetFormats() {
  static const std::vector<Format> table = [] {
    std::vector<Format> t;
    t.push_back(makeFloat("fp32", 8, 23, NonFinite::IEEE));
    t.push_back(makeFloat("fp16", 5, 10, NonFinite::IEEE));
    t.push_back(makeFloat("bf16", 8, 7, NonFinite::IEEE));
    t.push_back(makeFloat("tf32", 8, 10, NonFinite::IEEE));
    t.push_back(makeFloat("e5m2", 5, 2, NonFinite::IEEE));
    t.push_back(makeFloat("e4m3", 4, 3, NonFinite::FN));
    t.push_back(makeFloat("e5m2fnuz", 5, 2, NonFinite::FNUZ));
    t.push_back(makeFloat("e4m3fnuz", 4, 3, NonFinite::FNUZ));
    t.push_back(makeFloat("e3m2", 3, 2, NonFinite::Finite));
    t.push_back(makeFloat("e2m3", 2, 3, NonFinite::Finite));
    t.push_back(makeFloat("e2m1", 2, 1, NonFinite::Finite));
    t.push_back(makeFloat("e8m0", 8, 0, NonFinite::FN, /*isSigned=*/false, /*zeroExpIsNormal=*/true));
    t.push_back(makeFloat("ue4m3", 4, 3, NonFinite::FN, /*isSigned=*/false));
    t.push_back(makeInt("int8", 8, true));
    t.push_back(makeInt("uint8", 8, false));
    t.push_back(makeInt("int4", 4, true));
    return t;
  }();
  return table;
}

Format p3109Format(int K, int P, bool isSigned, bool extended) {
  // Unsigned formats spend the sign bit on one more exponent bit; P = 1 leaves no trailing significand bits.
  if (K < 3 || K > 16) throw FormatError(fmt::format("P3109 width K = {} out of range 3..16", K));
  const int maxP = isSigned ? K - 1 : K;
  if (P < 1 || P > maxP) throw FormatError(fmt::format("P3109 precision P = {} out of range 1..{} for K = {}", P, maxP, K));
  Format f;
  f.name = fmt::format("binary{}p{}{}{}", K, P, isSigned ? 's' : 'u', extended ? 'e' : 'f');
  f.isSigned = isSigned;
  f.expBits = K - P + (isSigned ? 0 : 1);
  f.manBits = P - 1;
  f.bias = 1 << (f.expBits - 1);
  f.nonFinite = NonFinite::P3109;
  f.p3109Extended = extended;
  return f;
}

const std::vector<Format>& p3109Presets() {
  static const std::vector<Format> table = [] {
    std::vector<Format> t;
    for (bool isSigned : {true, false})
      for (int P = 1; P <= (isSigned ? 7 : 8); ++P)
        for (bool extended : {true, false}) t.push_back(p3109Format(8, P, isSigned, extended));
    return t;
  }();
  return table;
}

namespace {
// p3109:K,P[,s|u][,e|f] and binaryKpP{s|u}{e|f}; nullopt when `spelling` is neither form.
std::optional<Format> parseP3109(const std::string& spelling) {
  int K = 0, P = 0;
  bool isSigned = true, extended = true;
  if (spelling.rfind("p3109:", 0) == 0) {
    std::vector<std::string> parts;
    std::stringstream ss(spelling.substr(6));
    for (std::string p; std::getline(ss, p, ',');) parts.push_back(p);
    if (parts.size() < 2 || !parseInt(parts[0], K) || !parseInt(parts[1], P))
      throw FormatError("p3109:K,P needs the width K and the precision P as integers");
    bool signGiven = false, domainGiven = false;
    for (size_t i = 2; i < parts.size(); ++i) {
      const std::string& o = parts[i];
      if ((o == "s" || o == "u") && !signGiven) {
        isSigned = o == "s";
        signGiven = true;
      } else if ((o == "e" || o == "f") && !domainGiven) {
        extended = o == "e";
        domainGiven = true;
      } else {
        throw FormatError("p3109 option '" + o + "' unknown or repeated; accepted: one of s|u, one of e|f");
      }
    }
    return p3109Format(K, P, isSigned, extended);
  }
  if (spelling.rfind("binary", 0) != 0) return std::nullopt;
  const size_t ppos = spelling.find('p');
  if (ppos == std::string::npos || spelling.size() < ppos + 4) return std::nullopt;
  const char sc = spelling[spelling.size() - 2], dc = spelling[spelling.size() - 1];
  if ((sc != 's' && sc != 'u') || (dc != 'e' && dc != 'f')) return std::nullopt;
  if (!parseInt(spelling.substr(6, ppos - 6), K) || !parseInt(spelling.substr(ppos + 1, spelling.size() - ppos - 3), P))
    return std::nullopt;
  return p3109Format(K, P, sc == 's', dc == 'e');
}
}  // namespace

std::string formatSyntaxHelp() {
  return "a preset (" + presetNames() +
         "), intN/uintN (N 2..32), or eXmY (X exponent bits 2..8, Y mantissa bits 0..23) followed by options "
         "',bias=N' ',nosub' ',unsigned' ',nozero' and one of ',ieee' ',fn' ',fnuz' ',finite' "
         "(e.g. e5m4, e4m3,fnuz, e6m9,bias=20,nosub); options modify a preset of that name (e4m3,bias=5 stays fn), "
         "otherwise an IEEE-style eXmY; or an IEEE P3109 format binaryKpP{s|u}{e|f} (e.g. binary8p3se, binary8p4sf) "
         "or p3109:K,P[,s|u][,e|f] (K 3..16, P 1..K-1 signed, 1..K unsigned)";
}

Format parseFormat(const std::string& spelling) {
  std::vector<std::string> parts;
  {
    std::stringstream ss(spelling);
    std::string p;
    while (std::getline(ss, p, ',')) parts.push_back(p);
  }
  auto fail = [&](const std::string& why) -> FormatError {
    return FormatError(fmt::format("bad format '{}': {}; accepted: {}", spelling, why, formatSyntaxHelp()));
  };
  if (parts.empty() || parts[0].empty()) throw fail("empty name");
  for (std::string& p : parts)
    for (char& c : p) c = char(std::tolower(static_cast<unsigned char>(c)));

  {
    std::string lower = spelling;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    try {
      if (const std::optional<Format> p = parseP3109(lower)) return *p;
    } catch (const FormatError& e) {
      throw fail(e.what());
    }
  }
  const std::string& base = parts[0];
  for (const Format& f : presetFormats())
    if (f.name == base && parts.size() == 1) return f;

  // Integers.
  for (const char* prefix : {"uint", "int"}) {
    const std::string pre = prefix;
    if (base.rfind(pre, 0) == 0) {
      int n = 0;
      if (!parseInt(base.substr(pre.size()), n) || n < 2 || n > 32) throw fail("integer width must be 2..32");
      if (parts.size() > 1) throw fail("integer formats take no options");
      return makeInt(base, n, pre == "int");
    }
  }

  Format f;
  bool fromPreset = false;
  for (const Format& p : presetFormats())
    if (p.name == base && p.isFloat()) { f = p; fromPreset = true; }
  if (!fromPreset) {
    int e = 0, m = 0;
    const size_t mpos = base.find('m');
    if (base.size() < 4 || base[0] != 'e' || mpos == std::string::npos || !parseInt(base.substr(1, mpos - 1), e) ||
        !parseInt(base.substr(mpos + 1), m))
      throw fail("unknown name '" + base + "'");
    if (e < 2 || e > 8) throw fail(fmt::format("exponent bits {} out of range 2..8", e));
    if (m < 0 || m > 23) throw fail(fmt::format("mantissa bits {} out of range 0..23", m));
    f = makeFloat("", e, m, NonFinite::IEEE);
  }
  std::optional<int> bias;
  bool kindGiven = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& opt = parts[i];
    if (opt.empty()) throw fail("empty option after ','");
    if (opt.rfind("bias=", 0) == 0) {
      int b = 0;
      if (!parseInt(opt.substr(5), b) || b < -255 || b > 255)
        throw fail("bias '" + opt.substr(5) + "' must be an integer in -255..255");
      bias = b;
    } else if (opt == "nosub") {
      f.subnormals = false;
    } else if (opt == "unsigned") {
      f.isSigned = false;
    } else if (opt == "nozero") {
      f.zeroExpIsNormal = true;
      f.subnormals = false;
    } else if (opt == "ieee" || opt == "fn" || opt == "fnuz" || opt == "finite") {
      if (kindGiven) throw fail("more than one of ieee/fn/fnuz/finite");
      kindGiven = true;
      f.nonFinite = opt == "ieee" ? NonFinite::IEEE
                    : opt == "fn" ? NonFinite::FN
                    : opt == "fnuz" ? NonFinite::FNUZ
                                    : NonFinite::Finite;
    } else {
      throw fail("unknown option '" + opt + "'");
    }
  }
  f.bias = bias ? *bias : (1 << (f.expBits - 1)) - (f.nonFinite == NonFinite::FNUZ ? 0 : 1);
  if (f.nonFinite == NonFinite::IEEE && f.manBits == 0)
    throw fail("IEEE Inf/NaN encoding needs at least one mantissa bit; add ',fn' or ',finite'");
  if (f.nonFinite == NonFinite::FNUZ && !f.isSigned) throw fail("fnuz needs a sign bit (NaN is the -0 pattern)");
  if (f.zeroExpIsNormal && f.nonFinite != NonFinite::FN && f.nonFinite != NonFinite::Finite)
    throw fail("nozero goes with fn or finite");

  for (const Format& p : presetFormats())
    if (sameFormat(p, f)) return p;
  // Canonical spelling: the options that differ from a plain custom eXmY.
  std::string name = fmt::format("e{}m{}", f.expBits, f.manBits);
  // The kind word is needed when it is not IEEE, or when the bare eXmY would name a preset of another kind.
  bool bareIsPreset = false;
  for (const Format& p : presetFormats()) bareIsPreset = bareIsPreset || p.name == name;
  if (f.nonFinite != NonFinite::IEEE || bareIsPreset) name += std::string(",") + nonFiniteWord(f.nonFinite);
  if (f.bias != (1 << (f.expBits - 1)) - (f.nonFinite == NonFinite::FNUZ ? 0 : 1)) name += fmt::format(",bias={}", f.bias);
  if (f.zeroExpIsNormal) name += ",nozero";
  else if (!f.subnormals) name += ",nosub";
  if (!f.isSigned) name += ",unsigned";
  f.name = name;
  return f;
}

}  // namespace nf
