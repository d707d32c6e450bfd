// nf::Format against the published format specifications (IEEE 754-2019, OCP "OFP8" v1.0, OCP MX v1.0) and
// against the host's own float / _Float16 decoding. Nothing here compares the Format with itself: every
// expected number is written from the specs, and the decoder below is written from the specs' formulas.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "refmodels/format.h"

namespace {

using nf::NonFinite;

// ---------------------------------------------------------------------------------------------------------
// The presets, as the specifications define them.
struct SpecRow {
  const char* name;
  int E, M, bias;
  NonFinite kind;
  bool isSigned, noZero;
  int width;
  double maxFinite, minNormal, minSubnormal;  // magnitudes
  uint32_t canonicalNaN;                      // finite-only formats: +max finite (contract: CUDA's NaN -> +max)
};

const double kF32Max = 3.4028234663852886e38;              // (2 - 2^-23) * 2^127
const double kBf16Max = 3.3895313892515355e38;             // (2 - 2^-7) * 2^127
const double kTf32Max = 3.4011621342146535e38;             // (2 - 2^-10) * 2^127

const std::vector<SpecRow>& specRows() {
  static const std::vector<SpecRow> rows = {
      // IEEE 754 binary32 / binary16, bfloat16, NVIDIA TF32 (19 bits: 1+8+10).
      {"fp32", 8, 23, 127, NonFinite::IEEE, true, false, 32, kF32Max, 0x1p-126, 0x1p-149, 0x7FC00000u},
      {"fp16", 5, 10, 15, NonFinite::IEEE, true, false, 16, 65504.0, 0x1p-14, 0x1p-24, 0x7E00u},
      {"bf16", 8, 7, 127, NonFinite::IEEE, true, false, 16, kBf16Max, 0x1p-126, 0x1p-133, 0x7FC0u},
      {"tf32", 8, 10, 127, NonFinite::IEEE, true, false, 19, kTf32Max, 0x1p-126, 0x1p-136, 0x3FE00u},
      // OCP OFP8: E5M2 follows IEEE (Inf 0x7C, NaN 0x7D..0x7F); E4M3 has NaN only at S.1111.111, no Inf.
      {"e5m2", 5, 2, 15, NonFinite::IEEE, true, false, 8, 57344.0, 0x1p-14, 0x1p-16, 0x7Eu},
      {"e4m3", 4, 3, 7, NonFinite::FN, true, false, 8, 448.0, 0x1p-6, 0x1p-9, 0x7Fu},
      // FNUZ (Graphcore / AMD MI300): bias 16 / 8, the single NaN is 0x80, no -0, no Inf.
      {"e5m2fnuz", 5, 2, 16, NonFinite::FNUZ, true, false, 8, 57344.0, 0x1p-15, 0x1p-17, 0x80u},
      {"e4m3fnuz", 4, 3, 8, NonFinite::FNUZ, true, false, 8, 240.0, 0x1p-7, 0x1p-10, 0x80u},
      // OCP MX v1.0 FP6 / FP4 element types: finite only.
      {"e3m2", 3, 2, 3, NonFinite::Finite, true, false, 6, 28.0, 0.25, 0.0625, 0x1Fu},
      {"e2m3", 2, 3, 1, NonFinite::Finite, true, false, 6, 7.5, 1.0, 0.125, 0x1Fu},
      {"e2m1", 2, 1, 1, NonFinite::Finite, true, false, 4, 6.0, 1.0, 0.5, 0x7u},
      // OCP MX v1.0 E8M0 scale: unsigned, 2^-127 .. 2^127, 0xFF = NaN, no zero.
      {"e8m0", 8, 0, 127, NonFinite::FN, false, true, 8, 0x1p127, 0x1p-127, 0x1p-127, 0xFFu},
      // Unsigned E4M3 (NVFP4 scale): E4M3 without the sign bit.
      {"ue4m3", 4, 3, 7, NonFinite::FN, false, false, 7, 448.0, 0x1p-6, 0x1p-9, 0x7Fu},
  };
  return rows;
}

const SpecRow* specRow(const std::string& name) {
  for (const SpecRow& r : specRows())
    if (name == r.name) return &r;
  return nullptr;
}

// ---------------------------------------------------------------------------------------------------------
// Independent decoder, from the formulas in the specs:
//   normal:    (-1)^s * 2^(e - bias) * (1 + m / 2^M)
//   subnormal: (-1)^s * 2^(1 - bias) * (m / 2^M)       (exponent field 0; formats without subnormals: zero)
//   E8M0:      2^(e - 127), e = 0xFF is NaN
//   specials per kind (IEEE: e all ones; FN: all ones; FNUZ: 0x80...; finite: none).
enum class Cls { Zero, Subnormal, Normal, Inf, NaN };
struct SpecValue {
  Cls cls;
  double value;  // NaN for NaN
  bool signaling = false;
};

SpecValue specDecode(int E, int M, int bias, NonFinite kind, bool isSigned, bool noZero, bool subnormals,
                     uint32_t bits) {
  const int width = (isSigned ? 1 : 0) + E + M;
  const uint64_t all = (uint64_t(1) << width) - 1;
  bits = uint32_t(bits & all);
  const bool s = isSigned && ((bits >> (E + M)) & 1u);
  const uint32_t e = (bits >> M) & ((1u << E) - 1u);
  const uint32_t m = bits & ((1u << M) - 1u);
  const uint32_t eMax = (1u << E) - 1u;
  const double sgn = s ? -1.0 : 1.0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  switch (kind) {
    case NonFinite::IEEE:
      if (e == eMax) {
        if (m == 0) return {Cls::Inf, sgn * INFINITY};
        return {Cls::NaN, nan, ((m >> (M - 1)) & 1u) == 0};
      }
      break;
    case NonFinite::FN:
      if (e == eMax && m == (1u << M) - 1u) return {Cls::NaN, nan};
      break;
    case NonFinite::FNUZ:
      if (s && e == 0 && m == 0) return {Cls::NaN, nan};
      break;
    case NonFinite::Finite: break;
    case NonFinite::P3109: break;  // not decoded here: test_p3109.cpp restates the P3109 encoding on its own
  }
  if (noZero) return {Cls::Normal, sgn * std::ldexp(1.0 + m / std::ldexp(1.0, M), int(e) - bias)};
  if (e == 0) {
    if (m == 0 || !subnormals) return {Cls::Zero, s ? -0.0 : 0.0};
    return {Cls::Subnormal, sgn * std::ldexp(double(m) / std::ldexp(1.0, M), 1 - bias)};
  }
  return {Cls::Normal, sgn * std::ldexp(1.0 + m / std::ldexp(1.0, M), int(e) - bias)};
}

nf::FpClass toFp(Cls c) {
  switch (c) {
    case Cls::Zero: return nf::FpClass::Zero;
    case Cls::Subnormal: return nf::FpClass::Subnormal;
    case Cls::Normal: return nf::FpClass::Normal;
    case Cls::Inf: return nf::FpClass::Inf;
    case Cls::NaN: return nf::FpClass::NaN;
  }
  return nf::FpClass::Zero;
}

const char* clsName(nf::FpClass c) {
  switch (c) {
    case nf::FpClass::Zero: return "zero";
    case nf::FpClass::Subnormal: return "subnormal";
    case nf::FpClass::Normal: return "normal";
    case nf::FpClass::Inf: return "inf";
    case nf::FpClass::NaN: return "nan";
  }
  return "?";
}

bool sameDouble(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

// Checks every Format query about one encoding against the spec decoder; returns the number of mismatches
// (and reports the first few).
int checkEncoding(const nf::Format& f, const SpecValue& want, uint32_t bits, int& reported) {
  int bad = 0;
  auto report = [&](const std::string& what) {
    ++bad;
    if (reported++ < 12) ADD_FAILURE() << f.name << " " << hex(bits) << ": " << what;
  };
  const double got = f.toDouble(bits);
  if (!sameDouble(got, want.value))
    report("toDouble " + std::to_string(got) + " != spec " + std::to_string(want.value));
  if (f.classify(bits) != toFp(want.cls))
    report(std::string("classify ") + clsName(f.classify(bits)) + " != spec " + clsName(toFp(want.cls)));
  if (f.isNaN(bits) != (want.cls == Cls::NaN)) report("isNaN disagrees");
  if (f.isSignalingNaN(bits) != (want.cls == Cls::NaN && want.signaling)) report("isSignalingNaN disagrees");
  const nf::Decoded d = f.decode(bits);
  if (d.cls != toFp(want.cls)) report("decode().cls disagrees");
  if (want.cls == Cls::Normal || want.cls == Cls::Subnormal) {
    if (d.sig == 0 || d.sig >= (uint64_t(1) << (f.manBits + 1))) report("decode().sig out of range");
    const double v = (d.sign ? -1.0 : 1.0) * std::ldexp(double(d.sig), d.exp);
    if (v != want.value) report("decode() sig*2^exp = " + std::to_string(v));
    if ((want.cls == Cls::Normal) != ((d.sig >> f.manBits) == 1)) report("decode(): hidden bit vs class");
  }
  if ((want.cls == Cls::Zero || want.cls == Cls::Inf) && d.sign != std::signbit(want.value))
    report("decode().sign disagrees");
  return bad;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
TEST(FormatPresets, TableIsExactlyTheDocumentedPresets) {
  std::vector<std::string> names;
  for (const nf::Format& f : nf::presetFormats()) names.push_back(f.name);
  const std::vector<std::string> want = {"fp32", "fp16", "bf16", "tf32", "e5m2", "e4m3", "e5m2fnuz", "e4m3fnuz",
                                         "e3m2", "e2m3", "e2m1", "e8m0", "ue4m3", "int8", "uint8", "int4"};
  EXPECT_EQ(names, want);
}

TEST(FormatPresets, ParametersAndExtremesMatchSpecs) {
  for (const SpecRow& r : specRows()) {
    SCOPED_TRACE(r.name);
    const nf::Format f = nf::parseFormat(r.name);
    EXPECT_EQ(f.name, r.name);
    EXPECT_TRUE(f.isFloat());
    EXPECT_EQ(f.expBits, r.E);
    EXPECT_EQ(f.manBits, r.M);
    EXPECT_EQ(f.bias, r.bias);
    EXPECT_EQ(f.nonFinite, r.kind);
    EXPECT_EQ(f.isSigned, r.isSigned);
    EXPECT_EQ(f.zeroExpIsNormal, r.noZero);
    EXPECT_EQ(f.width(), r.width);
    EXPECT_EQ(f.hasInf(), r.kind == NonFinite::IEEE);
    EXPECT_EQ(f.hasNaN(), r.kind != NonFinite::Finite);
    EXPECT_EQ(f.hasZero(), !r.noZero);
    EXPECT_EQ(f.hasNegZero(), r.isSigned && !r.noZero && r.kind != NonFinite::FNUZ);
    EXPECT_EQ(f.precision(), r.M + 1);
    // The spec's extreme values, via the Format's own encodings.
    EXPECT_EQ(f.toDouble(f.maxFiniteMag()), r.maxFinite);
    EXPECT_EQ(f.toDouble(f.minNormalMag()), r.minNormal);
    EXPECT_EQ(f.toDouble(f.minSubnormalMag()), r.minSubnormal);
    EXPECT_EQ(std::ldexp(1.0, f.emin()), r.minNormal);
    EXPECT_EQ(std::ldexp(1.0, f.emax()), std::ldexp(1.0, std::ilogb(r.maxFinite)));
    if (r.isSigned) {
      EXPECT_EQ(f.toDouble(f.maxFiniteMag() | f.signBit()), -r.maxFinite);
      EXPECT_EQ(f.toDouble(f.minSubnormalMag() | f.signBit()), -r.minSubnormal);
    }
    EXPECT_EQ(f.canonicalNaN(), r.canonicalNaN) << std::hex << f.canonicalNaN();
    if (r.kind != NonFinite::Finite) {
      EXPECT_TRUE(f.isNaN(f.canonicalNaN()));
      EXPECT_FALSE(f.isSignalingNaN(f.canonicalNaN()));
    }
    if (r.kind == NonFinite::IEEE) { EXPECT_EQ(f.toDouble(f.infMag()), INFINITY); }
  }
}

TEST(FormatPresets, SpecificEncodingsFromTheSpecs) {
  const nf::Format e4m3 = nf::parseFormat("e4m3"), e5m2 = nf::parseFormat("e5m2");
  const nf::Format e4fz = nf::parseFormat("e4m3fnuz"), e5fz = nf::parseFormat("e5m2fnuz");
  const nf::Format e2m1 = nf::parseFormat("e2m1"), e8m0 = nf::parseFormat("e8m0");
  // OFP8 v1.0 table 1.
  EXPECT_EQ(e4m3.toDouble(0x7E), 448.0);
  EXPECT_TRUE(std::isnan(e4m3.toDouble(0x7F)));
  EXPECT_TRUE(std::isnan(e4m3.toDouble(0xFF)));
  EXPECT_EQ(e4m3.toDouble(0x78), 256.0);  // S.1111.000 is a normal number in E4M3
  EXPECT_EQ(e4m3.toDouble(0x80), -0.0);
  EXPECT_TRUE(std::signbit(e4m3.toDouble(0x80)));
  EXPECT_EQ(e5m2.toDouble(0x7C), INFINITY);
  EXPECT_EQ(e5m2.toDouble(0xFC), -INFINITY);
  EXPECT_TRUE(std::isnan(e5m2.toDouble(0x7D)));
  EXPECT_TRUE(e5m2.isSignalingNaN(0x7D));
  EXPECT_FALSE(e5m2.isSignalingNaN(0x7E));
  EXPECT_EQ(e5m2.toDouble(0x7B), 57344.0);
  // FNUZ: 0x80 is the only NaN, 0x00 the only zero; 0x7F is max.
  EXPECT_TRUE(std::isnan(e4fz.toDouble(0x80)));
  EXPECT_EQ(e4fz.toDouble(0x7F), 240.0);
  EXPECT_EQ(e4fz.toDouble(0xFF), -240.0);
  EXPECT_EQ(e5fz.toDouble(0x7F), 57344.0);
  EXPECT_EQ(e5fz.toDouble(0x01), 0x1p-17);
  // MX v1.0: E2M1 values 0, 0.5, 1, 1.5, 2, 3, 4, 6.
  const double e2m1Values[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
  for (uint32_t i = 0; i < 8; ++i) {
    EXPECT_EQ(e2m1.toDouble(i), e2m1Values[i]) << i;
    EXPECT_EQ(e2m1.toDouble(i | 8u), -e2m1Values[i]) << i;
  }
  EXPECT_EQ(e8m0.toDouble(0x00), 0x1p-127);
  EXPECT_EQ(e8m0.toDouble(0x7F), 1.0);
  EXPECT_EQ(e8m0.toDouble(0xFE), 0x1p127);
  EXPECT_TRUE(std::isnan(e8m0.toDouble(0xFF)));
}

TEST(FormatPresets, IntegerPresets) {
  struct IntRow {
    const char* name;
    int bits;
    bool isSigned;
    double lo, hi;
  };
  for (const IntRow& r : {IntRow{"int8", 8, true, -128, 127}, IntRow{"uint8", 8, false, 0, 255},
                          IntRow{"int4", 4, true, -8, 7}}) {
    SCOPED_TRACE(r.name);
    const nf::Format f = nf::parseFormat(r.name);
    EXPECT_FALSE(f.isFloat());
    EXPECT_EQ(f.width(), r.bits);
    EXPECT_EQ(f.isSigned, r.isSigned);
    double lo = 1e9, hi = -1e9;
    for (uint32_t b = 0; b < (1u << r.bits); ++b) {
      // Two's complement / plain binary, from the definition.
      const double want = r.isSigned && (b >> (r.bits - 1)) ? double(int(b) - (1 << r.bits)) : double(b);
      EXPECT_EQ(f.toDouble(b), want) << b;
      lo = std::min(lo, f.toDouble(b));
      hi = std::max(hi, f.toDouble(b));
    }
    EXPECT_EQ(lo, r.lo);
    EXPECT_EQ(hi, r.hi);
  }
}

// Every encoding of every preset of at most 19 bits (tf32 included), against the spec decoder.
class FormatDecodeAll : public ::testing::TestWithParam<std::string> {};

TEST_P(FormatDecodeAll, EveryEncodingMatchesSpecDecoder) {
  const SpecRow* r = specRow(GetParam());
  ASSERT_NE(r, nullptr);
  const nf::Format f = nf::parseFormat(r->name);
  int bad = 0, reported = 0;
  for (uint32_t b = 0; b < (1u << r->width); ++b) {
    const SpecValue want = specDecode(r->E, r->M, r->bias, r->kind, r->isSigned, r->noZero, !r->noZero, b);
    bad += checkEncoding(f, want, b, reported);
  }
  EXPECT_EQ(bad, 0);
  // Bits above the width are ignored.
  if (r->width < 32) { EXPECT_TRUE(sameDouble(f.toDouble(1u << r->width | 1u), f.toDouble(1u))); }
}

INSTANTIATE_TEST_SUITE_P(Presets, FormatDecodeAll,
                         ::testing::Values("fp16", "bf16", "tf32", "e5m2", "e4m3", "e5m2fnuz", "e4m3fnuz", "e3m2",
                                           "e2m3", "e2m1", "e8m0", "ue4m3"),
                         [](const auto& info) { return info.param; });

// Host hardware decodes: fp32 and bf16/tf32 (upper bits of a float) through float, fp16 through _Float16.
TEST(FormatHostDecode, Fp32SampledAndBf16Tf32Fp16Exhaustive) {
  const nf::Format fp32 = nf::parseFormat("fp32"), bf16 = nf::parseFormat("bf16");
  const nf::Format tf32 = nf::parseFormat("tf32"), fp16 = nf::parseFormat("fp16");
  int bad = 0;
  auto hostFloat = [](uint32_t u) { return double(std::bit_cast<float>(u)); };
  for (uint32_t b = 0; b < 0x10000u; ++b) {
    if (!sameDouble(bf16.toDouble(b), hostFloat(b << 16)) && bad++ < 10) ADD_FAILURE() << "bf16 " << hex(b);
#if defined(__FLT16_MANT_DIG__)
    const _Float16 h = std::bit_cast<_Float16>(uint16_t(b));
    if (!sameDouble(fp16.toDouble(b), double(h)) && bad++ < 10) ADD_FAILURE() << "fp16 " << hex(b);
#endif
  }
  for (uint32_t b = 0; b < (1u << 19); ++b)
    if (!sameDouble(tf32.toDouble(b), hostFloat(b << 13)) && bad++ < 10) ADD_FAILURE() << "tf32 " << hex(b);
  // fp32: every exponent with a spread of mantissas, plus a random sample.
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return uint32_t(state);
  };
  for (uint32_t i = 0; i < 2000000; ++i) {
    const uint32_t b = i < 512 * 64 ? ((i / 64) << 23) | (i % 64 < 8 ? i % 64 : next() & 0x7FFFFF) : next();
    const double want = specDecode(8, 23, 127, NonFinite::IEEE, true, false, true, b).value;
    if (!sameDouble(fp32.toDouble(b), hostFloat(b)) && bad++ < 10) ADD_FAILURE() << "fp32 " << hex(b);
    if (!sameDouble(want, hostFloat(b)) && bad++ < 10) ADD_FAILURE() << "spec decoder vs host fp32 " << hex(b);
  }
  EXPECT_EQ(bad, 0);
}

// ---------------------------------------------------------------------------------------------------------
// Parse errors: FormatError naming the bad part and listing what is accepted.
TEST(FormatParse, ErrorsNameTheBadPartAndListAcceptedValues) {
  struct Bad {
    const char* spelling;
    std::vector<const char*> mustContain;
  };
  const std::vector<Bad> bad = {
      {"", {"empty"}},
      {"fp64", {"fp64", "unknown name"}},
      {"e4", {"e4"}},
      {"e4x3", {"e4x3"}},
      {"em3", {"em3"}},
      {"e9m3", {"exponent bits 9", "2..8"}},
      {"e1m3", {"exponent bits 1", "2..8"}},
      {"e0m3", {"exponent bits 0", "2..8"}},
      {"e4m24", {"mantissa bits 24", "0..23"}},
      {"e4m-1", {"mantissa bits -1", "0..23"}},
      {"e5m0", {"e5m0", "mantissa"}},
      {"e5m0,ieee", {"e5m0", "mantissa"}},
      {"e8m0,ieee", {"e8m0", "mantissa"}},
      {"e4m3,foo", {"'foo'", "unknown option"}},
      {"e4m3,fn,fnuz", {"more than one"}},
      {"e4m3,bias=x", {"bias"}},
      {"e4m3,bias=300", {"bias", "-255..255"}},
      {"e4m3,unsigned,fnuz", {"fnuz", "sign"}},
      {"e5m2,nozero", {"nozero"}},
      {"int1", {"int1", "2..32"}},
      {"int33", {"int33", "2..32"}},
      {"uint0", {"uint0", "2..32"}},
      {"int8,fn", {"int8", "no options"}},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(std::string("spelling '") + b.spelling + "'");
    try {
      const nf::Format f = nf::parseFormat(b.spelling);
      ADD_FAILURE() << "no FormatError; parsed as " << f.name;
    } catch (const nf::FormatError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(std::string("'") + b.spelling + "'"), std::string::npos) << msg;
      for (const char* part : b.mustContain) EXPECT_NE(msg.find(part), std::string::npos) << "missing '" << part << "' in: " << msg;
      // The accepted values: presets, option words, the eXmY syntax.
      for (const char* accepted : {"fp32", "e4m3", "e2m1", "e8m0", "int8", "ieee", "fnuz", "finite", "bias=", "nosub"})
        EXPECT_NE(msg.find(accepted), std::string::npos) << "accepted value '" << accepted << "' not listed in: " << msg;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "threw something other than nf::FormatError: " << e.what();
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Custom spellings: parameters as documented, and parseFormat(f.name) gives the same format back.
namespace {
bool sameParams(const nf::Format& a, const nf::Format& b) {
  return a.kind == b.kind && a.expBits == b.expBits && a.manBits == b.manBits && a.bias == b.bias &&
         a.isSigned == b.isSigned && a.subnormals == b.subnormals && a.zeroExpIsNormal == b.zeroExpIsNormal &&
         a.nonFinite == b.nonFinite && a.intBits == b.intBits;
}
std::string params(const nf::Format& f) {
  return "name=" + f.name + " E" + std::to_string(f.expBits) + "M" + std::to_string(f.manBits) + " bias " +
         std::to_string(f.bias) + (f.isSigned ? "" : " unsigned") + (f.subnormals ? "" : " nosub") +
         (f.zeroExpIsNormal ? " nozero" : "") + " kind " + std::to_string(int(f.nonFinite)) + " int" +
         std::to_string(f.intBits);
}
}  // namespace

TEST(FormatParse, CustomSpellingsHaveDocumentedParametersAndRoundTrip) {
  struct Custom {
    const char* spelling;
    int E, M, bias;
    NonFinite kind;
    bool isSigned, subnormals, noZero;
    const char* presetName;  // non-null: must come back as this preset
    double maxFinite;        // 0: not checked
  };
  const std::vector<Custom> cases = {
      {"e5m4", 5, 4, 15, NonFinite::IEEE, true, true, false, nullptr, 63488.0},
      {"e6m9,bias=20,nosub", 6, 9, 20, NonFinite::IEEE, true, false, false, nullptr, (2 - 0x1p-9) * 0x1p42},
      {"e4m3,fnuz", 4, 3, 8, NonFinite::FNUZ, true, true, false, "e4m3fnuz", 240.0},
      {"e5m2,fnuz", 5, 2, 16, NonFinite::FNUZ, true, true, false, "e5m2fnuz", 57344.0},
      {"e3m4,finite", 3, 4, 3, NonFinite::Finite, true, true, false, nullptr, 31.0},
      {"e4m3,unsigned", 4, 3, 7, NonFinite::FN, false, true, false, "ue4m3", 448.0},
      {"e8m7", 8, 7, 127, NonFinite::IEEE, true, true, false, "bf16", kBf16Max},
      {"E4M3", 4, 3, 7, NonFinite::FN, true, true, false, "e4m3", 448.0},
      {"e5m2,fn", 5, 2, 15, NonFinite::FN, true, true, false, nullptr, 98304.0},
      {"e4m3,ieee", 4, 3, 7, NonFinite::IEEE, true, true, false, nullptr, 240.0},
      {"e4m3,bias=5", 4, 3, 5, NonFinite::FN, true, true, false, nullptr, 1792.0},
      {"e4m3,fn,nosub", 4, 3, 7, NonFinite::FN, true, false, false, nullptr, 448.0},
      {"fp16,fn", 5, 10, 15, NonFinite::FN, true, true, false, nullptr, (2 - 0x1p-9) * 0x1p16},
      {"e3m2,ieee", 3, 2, 3, NonFinite::IEEE, true, true, false, nullptr, 14.0},
      {"e5m0,fn", 5, 0, 15, NonFinite::FN, true, true, false, nullptr, 0x1p15},
      {"e3m0,finite", 3, 0, 3, NonFinite::Finite, true, true, false, nullptr, 16.0},
      {"e8m0,finite", 8, 0, 127, NonFinite::Finite, false, false, true, nullptr, 0x1p128},
      {"e7m0,fn,nozero,unsigned", 7, 0, 63, NonFinite::FN, false, false, true, nullptr, 0x1p63},
      {"e8m23,bias=100", 8, 23, 100, NonFinite::IEEE, true, true, false, nullptr, (2 - 0x1p-23) * 0x1p154},
      // A base that is a preset's name keeps that preset's kind (e2m1: finite only): max 1.5 * 2^3.
      {"e2m1,bias=0", 2, 1, 0, NonFinite::Finite, true, true, false, nullptr, 12.0},
      {"e2m1,ieee,bias=0", 2, 1, 0, NonFinite::IEEE, true, true, false, nullptr, 6.0},
      {"e4m3,bias=-3", 4, 3, -3, NonFinite::FN, true, true, false, nullptr, 448.0 * 1024},
  };
  for (const Custom& c : cases) {
    SCOPED_TRACE(c.spelling);
    nf::Format f;
    ASSERT_NO_THROW(f = nf::parseFormat(c.spelling));
    EXPECT_TRUE(f.isFloat());
    EXPECT_EQ(f.expBits, c.E);
    EXPECT_EQ(f.manBits, c.M);
    EXPECT_EQ(f.bias, c.bias);
    EXPECT_EQ(f.nonFinite, c.kind);
    EXPECT_EQ(f.isSigned, c.isSigned);
    EXPECT_EQ(f.subnormals, c.subnormals);
    EXPECT_EQ(f.zeroExpIsNormal, c.noZero);
    if (c.presetName) { EXPECT_EQ(f.name, c.presetName); }
    if (c.maxFinite != 0) { EXPECT_EQ(f.toDouble(f.maxFiniteMag()), c.maxFinite); }
    nf::Format g;
    ASSERT_NO_THROW(g = nf::parseFormat(f.name)) << "canonical name '" << f.name << "' does not parse";
    EXPECT_TRUE(sameParams(f, g)) << params(f) << " vs " << params(g);
    EXPECT_EQ(g.name, f.name);
  }
  // Integers.
  for (const char* s : {"int16", "uint12", "int2", "uint32"}) {
    SCOPED_TRACE(s);
    const nf::Format f = nf::parseFormat(s);
    EXPECT_FALSE(f.isFloat());
    const nf::Format g = nf::parseFormat(f.name);
    EXPECT_TRUE(sameParams(f, g)) << params(f) << " vs " << params(g);
  }
}

// Every combination of options on a few bases: whatever parses must round-trip through its canonical name.
TEST(FormatParse, OptionCombinationsRoundTrip) {
  const std::vector<std::string> bases = {"e4m3", "e5m2", "e3m2", "e2m1", "e8m0", "fp16", "e5m4", "e6m9", "e2m0", "e8m23"};
  const std::vector<std::string> kinds = {"", ",ieee", ",fn", ",fnuz", ",finite"};
  const std::vector<std::string> extras = {"", ",nosub", ",unsigned", ",nozero", ",bias=3", ",nosub,unsigned",
                                           ",bias=-2,nozero", ",unsigned,bias=20"};
  int parsed = 0;
  for (const auto& b : bases)
    for (const auto& k : kinds)
      for (const auto& x : extras) {
        const std::string s = b + k + x;
        nf::Format f;
        try {
          f = nf::parseFormat(s);
        } catch (const nf::FormatError&) {
          continue;
        }
        ++parsed;
        SCOPED_TRACE(s + " -> " + f.name);
        nf::Format g;
        ASSERT_NO_THROW(g = nf::parseFormat(f.name));
        EXPECT_TRUE(sameParams(f, g)) << params(f) << " vs " << params(g);
        // And every encoding of small ones decodes per spec.
        if (f.width() <= 10) {
          int reported = 0, bad = 0;
          for (uint32_t v = 0; v < (1u << f.width()); ++v)
            bad += checkEncoding(f,
                                 specDecode(f.expBits, f.manBits, f.bias, f.nonFinite, f.isSigned, f.zeroExpIsNormal,
                                            f.subnormals, v),
                                 v, reported);
          EXPECT_EQ(bad, 0);
        }
      }
  EXPECT_GT(parsed, 100);
}

TEST(FormatCustomDecode, NosubAndBiasedFormatsExhaustive) {
  for (const char* s : {"e6m9,bias=20,nosub", "e5m4", "e3m4,finite", "e4m3,fn,nosub", "e5m2,fn", "e2m1,bias=0"}) {
    SCOPED_TRACE(s);
    const nf::Format f = nf::parseFormat(s);
    int reported = 0, bad = 0;
    for (uint32_t v = 0; v < (1u << f.width()); ++v)
      bad += checkEncoding(
          f, specDecode(f.expBits, f.manBits, f.bias, f.nonFinite, f.isSigned, f.zeroExpIsNormal, f.subnormals, v),
          v, reported);
    EXPECT_EQ(bad, 0);
  }
  // nosub: the smallest positive value is the smallest normal, 2^(1-bias).
  const nf::Format n = nf::parseFormat("e6m9,bias=20,nosub");
  EXPECT_EQ(n.toDouble(n.minSubnormalMag()), 0x1p-19);
  EXPECT_EQ(n.toDouble(0x001), 0.0);  // field 0 holds zero only
}

// The canonical name is one per parameter set: parsing it gives the same name back, and two spellings of the
// same format get the same name (generated module names and caches key on it).
TEST(FormatParse, CanonicalNameIsAFixedPointAndUnique) {
  const std::vector<std::string> bases = {"e4m3", "e5m2", "e3m2", "e2m1", "e8m0", "fp16", "e5m10", "bf16", "e8m7", "e5m4", "e6m9"};
  const std::vector<std::string> kinds = {"", ",ieee", ",fn", ",fnuz", ",finite"};
  const std::vector<std::string> extras = {"", ",nosub", ",unsigned", ",bias=3", ",nosub,unsigned"};
  std::vector<nf::Format> all;
  int bad = 0, twoNames = 0;
  for (const auto& b : bases)
    for (const auto& k : kinds)
      for (const auto& x : extras) {
        nf::Format f;
        try {
          f = nf::parseFormat(b + k + x);
        } catch (const nf::FormatError&) {
          continue;
        }
        const nf::Format g = nf::parseFormat(f.name);
        if (g.name != f.name && bad++ < 10)
          ADD_FAILURE() << "'" << b + k + x << "' is named '" << f.name << "', which parses to a format named '"
                        << g.name << "'";
        all.push_back(f);
      }
  for (size_t i = 0; i < all.size(); ++i)
    for (size_t j = i + 1; j < all.size(); ++j)
      if (sameParams(all[i], all[j]) && all[i].name != all[j].name && twoNames++ < 10)
        ADD_FAILURE() << "one format, two names: '" << all[i].name << "' and '" << all[j].name << "'";
  EXPECT_EQ(bad, 0) << "canonical names that are not a fixed point of parseFormat";
  EXPECT_EQ(twoNames, 0) << "formats with more than one canonical name";
}
