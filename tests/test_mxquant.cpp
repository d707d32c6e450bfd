// mxquant (OCP MX v1.0 block quantizer) against an independent oracle written here from the spec text:
// amax and floor(log2 amax) in exact double arithmetic, the rceil power of two found by search, the E8M0
// clamp, and element rounding by the MPFR oracle (tests/oracles) or, for int8, by the C library's integer
// rounding functions. Nothing here calls the model's helpers. Plus hand-computed blocks, bad options, and
// co-simulation of configurations the catalog does not hold.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "generators/mxquant.h"
#include "oracles/mpfr_oracle.h"
#include "refmodels/quant_stats.h"
#include "tests/catalog.h"
#include "verif/cosim.h"

namespace nf {
namespace {

// The element formats' facts as the OCP MX v1.0 spec tables state them (not derived from Format).
struct ElemFacts {
  const char* name;
  int emax;        // largest normal exponent
  double maxNorm;  // largest normal value
  bool isInt;
};
const ElemFacts kElems[] = {{"e4m3", 8, 448.0, false},   {"e5m2", 15, 57344.0, false}, {"e3m2", 4, 28.0, false},
                            {"e2m3", 2, 7.5, false},     {"e2m1", 2, 6.0, false},      {"int8", 0, 127.0 / 64, true}};

const ElemFacts& factsOf(const std::string& name) {
  for (const ElemFacts& f : kElems)
    if (name == f.name) return f;
  throw std::logic_error("no facts for " + name);
}

double roundIntOracle(double t, Rounding m) {
  switch (m) {
    case Rounding::RNE: return std::nearbyint(t);  // default FE_TONEAREST
    case Rounding::RNA: return std::round(t);
    case Rounding::RTZ: return std::trunc(t);
    case Rounding::RUP: return std::ceil(t);
    case Rounding::RDN: return std::floor(t);
    case Rounding::ROD: {
      const double r = std::trunc(t);
      return (r != t && std::fmod(r, 2.0) == 0) ? r + (t > 0 ? 1 : -1) : r;
    }
    case Rounding::SR: break;  // mxquant does not take sr (refused by its factory)
  }
  return t;
}

struct OracleBlock {
  uint32_t scale = 0;
  std::vector<uint32_t> q;
};

// The spec's conversion (OCP MX v1.0 section 6.3) with this project's documented NaN/zero/clamp choices.
OracleBlock mxOracle(const Format& in, const Format& elem, bool rceil, Rounding mode, const std::vector<uint32_t>& x) {
  const ElemFacts& ef = factsOf(elem.name);
  OracleBlock r;
  r.q.assign(x.size(), 0u);
  std::vector<double> v;
  double amax = 0;
  for (uint32_t b : x) {
    const double d = nfo::toDoubleSpec(in, b);
    if (std::isnan(d) || std::isinf(d)) {
      r.scale = 0xFF;
      return r;
    }
    v.push_back(d);
    amax = std::max(amax, std::fabs(d));
  }
  int s;
  if (amax == 0) {
    s = -127;
  } else if (!rceil) {
    s = std::ilogb(amax) - ef.emax;
  } else {
    s = std::ilogb(amax) - ef.emax - 2;
    while (std::ldexp(amax, -s) > ef.maxNorm) ++s;
  }
  s = std::max(-127, std::min(127, s));
  r.scale = uint32_t(s + 127);
  for (size_t i = 0; i < v.size(); ++i) {
    const double t = std::ldexp(v[i], -s);  // exact: doubles span every fp32 value times 2^+-127
    if (ef.isInt) {
      const double q = std::max(-127.0, std::min(127.0, roundIntOracle(std::ldexp(t, 6), mode)));
      r.q[i] = uint32_t(int32_t(q)) & 0xFFu;
    } else if (t == 0) {
      r.q[i] = std::signbit(t) ? (1u << (elem.width() - 1)) : 0u;
    } else {
      int e = 0;
      const double m = std::frexp(std::fabs(t), &e);
      const uint64_t sig = uint64_t(std::ldexp(m, 53));
      r.q[i] = nfo::roundExact(std::signbit(t), sig, e - 53, elem, {mode, true, false}).bits;
    }
  }
  return r;
}

struct Config {
  std::string in, out;
  bool rceil;
  Rounding mode;
};

std::string configName(const Config& c) {
  return fmt::format("{}_{}_{}_{}", c.in, c.out, c.rceil ? "rceil" : "floor", roundingName(c.mode));
}

void PrintTo(const Config& c, std::ostream* os) { *os << configName(c); }

class MxQuantOracle : public ::testing::TestWithParam<Config> {};

TEST_P(MxQuantOracle, ModelMatchesSpecOracle) {
  const Config& c = GetParam();
  MxQuantSpec s;
  s.in = parseFormat(c.in);
  s.elem = parseFormat(c.out);
  s.block = 32;
  s.rule = c.rceil ? MxScaleRule::RCeil : MxScaleRule::Floor;
  s.mode = c.mode;
  const ElemFacts& ef = factsOf(c.out);
  const int elemMan = ef.isInt ? 6 : s.elem.manBits;
  const auto blocks = quantizerStimulus(s.in, 32, ef.emax, elemMan, ef.maxNorm, 99);
  ASSERT_GT(blocks.size(), 2000u);
  int mismatches = 0, nanBlocks = 0, clampedLow = 0, clampedHigh = 0, saturated = 0;
  std::vector<uint32_t> q(32);
  for (const auto& x : blocks) {
    uint32_t scale = 0;
    mxQuantize(s, x.data(), scale, q.data());
    const OracleBlock want = mxOracle(s.in, s.elem, c.rceil, c.mode, x);
    nanBlocks += want.scale == 0xFF;
    clampedLow += want.scale == 0;
    clampedHigh += want.scale == 254;
    for (uint32_t e : want.q) saturated += (e & 0x7F) == (s.elem.maxFiniteMag() & 0x7F) && !ef.isInt;
    if (scale != want.scale || q != want.q) {
      if (++mismatches <= 3) {
        std::string in, got, exp;
        for (size_t i = 0; i < x.size(); ++i) {
          in += fmt::format(" {:x}", x[i]);
          got += fmt::format(" {:x}", q[i]);
          exp += fmt::format(" {:x}", want.q[i]);
        }
        ADD_FAILURE() << "block:" << in << "\nscale model 0x" << std::hex << scale << " oracle 0x" << want.scale
                      << "\nmodel: " << got << "\noracle:" << exp;
      }
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << blocks.size() << " blocks";
  // The stimulus must have reached the rules under test.
  EXPECT_GT(nanBlocks, 10);
  EXPECT_GT(clampedLow, 10);
}

std::vector<Config> oracleConfigs() {
  std::vector<Config> v;
  for (const char* in : {"fp32", "bf16", "fp16"})
    for (const ElemFacts& e : kElems)
      for (bool rceil : {false, true}) v.push_back({in, e.name, rceil, Rounding::RNE});
  for (Rounding m : {Rounding::RNA, Rounding::RTZ, Rounding::RUP, Rounding::RDN, Rounding::ROD})
    for (const char* out : {"e4m3", "e2m1", "int8"}) v.push_back({"bf16", out, false, m});
  v.push_back({"fp32", "e5m2", true, Rounding::RNA});
  v.push_back({"fp16", "e3m2", true, Rounding::RNA});
  return v;
}

INSTANTIATE_TEST_SUITE_P(Mx, MxQuantOracle, ::testing::ValuesIn(oracleConfigs()),
                         [](const auto& info) { return configName(info.param); });

// Blocks worked out by hand from the spec (expected encodings written out, not computed).
std::vector<uint32_t> block4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) { return {a, b, c, d}; }

struct HandCase {
  const char* what;
  std::vector<std::string> args;
  std::vector<uint32_t> x;
  uint32_t scale;
  std::vector<uint32_t> q;
};

TEST(MxQuantHand, WorkedExamples) {
  const HandCase cases[] = {
      // amax 1.0: floor(log2 1) - 8 = -8 -> scale 119; 1.0 * 2^8 = 256 = e4m3 0x78; 0.5 -> 128 = 0x70.
      {"bf16 ones", {"--a", "bf16", "--out", "e4m3", "--block", "4"}, block4(0x3F80, 0x3F00, 0x0000, 0x8000),
       0x77, {0x78, 0x70, 0x00, 0x80}},
      // amax 1.875: floor keeps s = -8 and 480 clamps to 448 (0x7e); rceil takes s = -7, 240 = 0x77.
      {"floor clamps", {"--a", "bf16", "--out", "e4m3", "--block", "4"}, block4(0x3FF0, 0, 0, 0xBFF0), 0x77,
       {0x7E, 0, 0, 0xFE}},
      {"rceil", {"--a", "bf16", "--out", "e4m3", "--block", "4", "--scale-rule", "rceil"}, block4(0x3FF0, 0, 0, 0xBFF0),
       0x78, {0x77, 0, 0, 0xF7}},
      // NaN anywhere: scale 0xFF, elements 0.
      {"nan", {"--a", "bf16", "--out", "e4m3", "--block", "4"}, block4(0x3F80, 0x7FC0, 0, 0), 0xFF, {0, 0, 0, 0}},
      {"inf", {"--a", "bf16", "--out", "e2m1", "--block", "4"}, block4(0xFF80, 0x3F80, 0, 0), 0xFF, {0, 0, 0, 0}},
      // Zero block: scale 2^-127 (0x00), signed zeros kept.
      {"zeros", {"--a", "fp16", "--out", "e2m1", "--block", "4"}, block4(0, 0x8000, 0, 0x8000), 0x00,
       {0, 8, 0, 8}},
      // fp32 max 0x7f7fffff: E = 127, int8 emax 0 -> s = 127 (0xFE); 1.99999988 rne -> 128/64 saturates at 127.
      {"int8 top", {"--a", "fp32", "--out", "int8", "--block", "4"}, block4(0x7F7FFFFF, 0xFF7FFFFF, 0x7F000000, 0),
       0xFE, {0x7F, 0x81, 0x40, 0}},
      // fp32 subnormal amax 2^-149: s = -149 - 2 clamps to -127; 2^-149 * 2^127 = 2^-22 flushes to e2m1 0.
      {"subnormal amax", {"--a", "fp32", "--out", "e2m1", "--block", "4"}, block4(1, 0x80000001, 0, 0), 0x00,
       {0, 8, 0, 0}},
      // e2m1 ties: amax 4 -> s = 0; 2.5 ties to 2 (even, 0x4), 5 ties to 4 (0x6); 0.25 ties to 0.
      {"e2m1 ties", {"--a", "bf16", "--out", "e2m1", "--block", "4"}, block4(0x4080, 0x4020, 0x40A0, 0x3E80), 0x7F,
       {0x6, 0x4, 0x6, 0x0}},
      {"e2m1 ties rna", {"--a", "bf16", "--out", "e2m1", "--block", "4", "--round", "rna"},
       block4(0x4080, 0x4020, 0x40A0, 0x3E80), 0x7F, {0x6, 0x5, 0x7, 0x1}},
  };
  for (const HandCase& c : cases) {
    const auto unit = buildUnit("mxquant", c.args);
    std::vector<uint32_t> out(unit->outputWords());
    unit->emulate(c.x.data(), out.data());
    EXPECT_EQ(out[0], c.scale) << c.what;
    EXPECT_EQ(std::vector<uint32_t>(out.begin() + 1, out.end()), c.q) << c.what;
  }
}

TEST(MxQuantOptions, BadParametersNameTheField) {
  struct Bad {
    std::vector<std::string> args;
    std::string mention;
  };
  const Bad bad[] = {
      {{"--a", "int8"}, "--a"},
      {{"--a", "bf16", "--out", "e8m0"}, "--out"},
      {{"--a", "bf16", "--out", "uint8"}, "--out"},
      {{"--a", "bf16", "--block", "0"}, "--block"},
      {{"--a", "bf16", "--block", "65"}, "--block"},
      {{"--a", "bf16", "--scale-rule", "ceil"}, "floor, rceil"},
      {{"--a", "bf16", "--round", "dyn"}, "--round"},
      {{"--a", "bf16", "--round", "sr"}, "stochastic"},
      {{"--a", "bf16", "--name", "1x"}, "--name"},
  };
  for (const Bad& b : bad) {
    try {
      buildUnit("mxquant", b.args);
      ADD_FAILURE() << "accepted: " << fmt::format("{}", fmt::join(b.args, " "));
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(b.mention), std::string::npos) << e.what();
    }
  }
  std::string out;
  EXPECT_EQ(test::runCommand(NF_BINARY_DIR "/numforge gen mxquant --a bf16 --block 0 -o /tmp/nf_mx_never", out), 2) << out;
  EXPECT_NE(out.find("--block"), std::string::npos) << out;
}


// Accuracy figures on a tensor worked out by hand: e2m1, blocks of 2, fp32 input. Block {6, 0.25}: amax 6,
// s = 2 - 2 = 0, 6 exact, 0.25 ties between 0 and 0.5 and goes to 0 (rne). Block {-1, 1.5}: exact.
TEST(MxQuantAccuracy, HandComputedFigures) {
  MxQuantSpec s;
  s.in = parseFormat("fp32");
  s.elem = parseFormat("e2m1");
  s.block = 2;
  const std::vector<float> x = {6.0f, 0.25f, -1.0f, 1.5f};
  const QuantStats st = mxQuantStats(s, x.data(), x.size(), 2);
  EXPECT_EQ(st.elements, 4u);
  EXPECT_DOUBLE_EQ(st.mse, 0.0625 / 4);
  EXPECT_NEAR(st.qsnrDb, 10 * std::log10((36 + 0.0625 + 1 + 2.25) / 0.0625), 1e-9);
  EXPECT_DOUBLE_EQ(st.maxAbsErr, 0.25);
  EXPECT_DOUBLE_EQ(st.maxRelErr, 1.0);
  EXPECT_DOUBLE_EQ(st.zeroFlushedFrac, 0.25);
  EXPECT_DOUBLE_EQ(st.saturatedFrac, 0.0);
  // floor on {7, 0}: amax 7, s = 0, 7 > 6 saturates to 6.
  const std::vector<float> y = {7.0f, 0.0f};
  const QuantStats sat = mxQuantStats(s, y.data(), y.size(), 1);
  EXPECT_DOUBLE_EQ(sat.saturatedFrac, 0.5);
  EXPECT_DOUBLE_EQ(sat.maxAbsErr, 1.0);
}


// The tensor-rate path (tables filled by roundPack) must give the model's results block for block; the
// model itself is checked against the spec oracle above.
TEST(MxQuantTensor, FastPathMatchesModel) {
  for (const char* e : {"e4m3", "e5m2", "e3m2", "e2m3", "e2m1"})
    for (bool rceil : {false, true})
      for (Rounding m : {Rounding::RNE, Rounding::RNA, Rounding::RTZ, Rounding::RUP, Rounding::RDN, Rounding::ROD}) {
        MxQuantSpec s;
        s.in = parseFormat("fp32");
        s.elem = parseFormat(e);
        s.rule = rceil ? MxScaleRule::RCeil : MxScaleRule::Floor;
        s.mode = m;
        const ElemFacts& ef = factsOf(e);
        std::vector<float> x;
        for (const auto& b : quantizerStimulus(s.in, 32, ef.emax, s.elem.manBits, ef.maxNorm, 5))
          for (uint32_t v : b) {
            float f;
            std::memcpy(&f, &v, 4);
            x.push_back(f);
          }
        const std::vector<float> g = makeDistribution("outliers", 32 * 500, 3);
        x.insert(x.end(), g.begin(), g.end());
        std::vector<uint8_t> scales(x.size() / 32), q(x.size());
        mxQuantizeTensor(s, x.data(), x.size(), scales.data(), q.data(), 2);
        int bad = 0;
        for (size_t b = 0; b < scales.size(); ++b) {
          uint32_t in[32], out[32], scale = 0;
          std::memcpy(in, &x[b * 32], sizeof in);
          mxQuantize(s, in, scale, out);
          bool same = scale == scales[b];
          for (int i = 0; i < 32; ++i) same = same && out[i] == q[b * 32 + size_t(i)];
          if (!same && ++bad <= 2) ADD_FAILURE() << e << (rceil ? " rceil " : " floor ") << roundingName(m) << " block " << b;
        }
      }
}

std::string npyBytes(int major, const std::string& dict, const std::vector<float>& v) {
  std::string h = dict;
  const size_t pre = major == 1 ? 10 : 12;
  while ((pre + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string out = std::string("\x93NUMPY", 6) + char(major) + char(0);
  const uint32_t len = uint32_t(h.size());
  out += char(len & 0xFF);
  out += char((len >> 8) & 0xFF);
  if (major == 2) {
    out += char((len >> 16) & 0xFF);
    out += char(len >> 24);
  }
  out += h;
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * 4);
  return out;
}

TEST(MxQuantAccuracy, NpyReaderAcceptsFloat32COrderOnly) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("nf_npy_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return (dir / name).string();
  };
  const std::vector<float> v = {1.5f, -2.0f, 0.125f, 3.0f, 4.0f, 5.0f};
  const std::string d = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_EQ(readNpyFloat32(write("v1.npy", npyBytes(1, d, v))), v);
  EXPECT_EQ(readNpyFloat32(write("v2.npy", npyBytes(2, d, v))), v);
  EXPECT_EQ(readNpyFloat32(write("flat.npy", npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", v))), v);
  const std::pair<std::string, std::string> bad[] = {
      {"f8.npy", npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", v)},
      {"be.npy", npyBytes(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (6,), }", v)},
      {"fortran.npy", npyBytes(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", v)},
      {"short.npy", npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }", v)},
      {"v3.npy", npyBytes(3, d, v)},
      {"magic.npy", "not numpy at all"},
  };
  for (const auto& [name, bytes] : bad) EXPECT_THROW(readNpyFloat32(write(name, bytes)), std::runtime_error) << name;
  std::string out;
  EXPECT_EQ(test::runCommand(NF_BINARY_DIR "/numforge accuracy mxquant --a fp32 --input " + (dir / "be.npy").string(), out), 2)
      << out;
  EXPECT_NE(out.find("'<f4'"), std::string::npos) << out;
  EXPECT_EQ(test::runCommand(NF_BINARY_DIR "/numforge accuracy mxquant --a fp32 --out e2m1 --block 2 --input " +
                                 (dir / "v1.npy").string(), out), 0) << out;
  EXPECT_NE(out.find("elements      6"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

// Configurations beyond the catalog's, co-simulated with small blocks (corner blocks + seeded random).
class MxQuantCosim : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(MxQuantCosim, RtlMatchesModel) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  ::setenv("NUMFORGE_CACHE", NF_BINARY_DIR "/vcache", 0);
  const auto unit = buildUnit("mxquant", GetParam());
  verif::CosimOptions opt;
  opt.threads = 1;
  opt.build.jobs = 1;
  opt.count = 50000;
  opt.seed = 7;
  const verif::CosimReport r = verif::runCosim(*unit, opt);
  EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
  EXPECT_GE(r.vectors, opt.count + 2000);
}

INSTANTIATE_TEST_SUITE_P(
    Mx, MxQuantCosim,
    ::testing::Values(std::vector<std::string>{"--a", "fp16", "--out", "int8", "--block", "8", "--round", "rtz"},
                      std::vector<std::string>{"--a", "bf16", "--out", "e5m2", "--block", "8", "--scale-rule", "rceil",
                                               "--round", "rna"},
                      std::vector<std::string>{"--a", "fp16", "--out", "e2m3", "--block", "5", "--round", "rod"},
                      std::vector<std::string>{"--a", "fp32", "--out", "e3m2", "--block", "4", "--scale-rule", "rceil",
                                               "--round", "rdn"},
                      std::vector<std::string>{"--a", "bf16", "--out", "int8", "--block", "3", "--scale-rule", "rceil",
                                               "--round", "rup"}),
    [](const auto& info) {
      std::string s;
      for (const std::string& a : info.param)
        if (a[0] != '-') s += (s.empty() ? "" : "_") + a;
      return s;
    });

}  // namespace
}  // namespace nf
