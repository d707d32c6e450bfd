// mxdequant against an independent oracle: the element decoded by the MPFR oracle's own decoder (int8 by
// two's complement here), times 2^(scale-127) in exact double arithmetic, rounded by the MPFR oracle; every
// (scale, element) pair, every element and output format and rounding mode. Plus hand-worked values and an
// exhaustive co-simulation of a one-element block.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "generators/unit.h"
#include "refmodels/mxdequant.h"
#include "oracles/mpfr_oracle.h"
#include "tests/catalog.h"
#include "tests/quick_cosim.h"
#include "verif/cosim.h"

namespace nf {
namespace {

uint32_t dequantOracle(const Format& elem, const Format& out, Rounding mode, uint32_t scale, uint32_t q) {
  const nfo::OOptions opt{mode, false, false};
  if (scale == 0xFF) return nfo::nanResult(out, 0).bits;
  double v;
  if (elem.kind == FormatKind::Int) {
    const int N = elem.intBits;
    const int64_t iv = (q >> (N - 1)) & 1u ? int64_t(q) - (int64_t(1) << N) : int64_t(q);
    v = std::ldexp(double(iv), -(N - 2));
    if (iv == 0) return 0u;  // integer zero has no sign
  } else {
    v = nfo::toDoubleSpec(elem, q);
  }
  if (std::isnan(v)) return nfo::nanResult(out, 0).bits;
  if (std::isinf(v)) return nfo::infResult(std::signbit(v), out, opt).bits;
  if (v == 0) return nfo::zeroResult(std::signbit(v), out).bits;
  const double t = std::ldexp(v, int(scale) - 127);
  int e = 0;
  const double m = std::frexp(std::fabs(t), &e);
  return nfo::roundExact(std::signbit(t), uint64_t(std::ldexp(m, 53)), e - 53, out, opt).bits;
}

TEST(MxDequantOracle, EveryScaleAndElement) {
  int checked = 0;
  for (const char* e : {"e4m3", "e5m2", "e3m2", "e2m3", "e2m1", "int8"})
    for (const char* o : {"fp32", "bf16", "fp16"})
      for (Rounding m : {Rounding::RNE, Rounding::RTZ, Rounding::RUP, Rounding::RDN, Rounding::RNA, Rounding::ROD}) {
        MxDequantSpec s;
        s.elem = parseFormat(e);
        s.out = parseFormat(o);
        s.block = 1;
        s.mode = m;
        int bad = 0;
        for (uint32_t scale = 0; scale < 256; ++scale)
          for (uint32_t q = 0; q <= s.elem.mask(); ++q) {
            uint32_t z = 0;
            mxDequantize(s, scale, &q, &z);
            const uint32_t want = dequantOracle(s.elem, s.out, m, scale, q);
            ++checked;
            if (z != want && ++bad <= 3)
              ADD_FAILURE() << fmt::format("{} -> {} {}: scale 0x{:02x} q 0x{:x}: model 0x{:x}, oracle 0x{:x}", e, o,
                                           roundingName(m), scale, q, z, want);
          }
      }
  EXPECT_GT(checked, 1000000);
}

TEST(MxDequantHand, WorkedExamples) {
  struct Case {
    std::vector<std::string> args;
    std::vector<uint32_t> in;  // scale, q0, q1
    std::vector<uint32_t> z;
  };
  const Case cases[] = {
      // scale 0x7f = 2^0: e4m3 0x38 = 1.0 -> fp32 0x3f800000; 0xfe = -448 -> 0xc3e00000.
      {{"--a", "e4m3", "--out", "fp32", "--block", "2"}, {0x7F, 0x38, 0xFE}, {0x3F800000, 0xC3E00000}},
      // scale 0xff: NaN whatever the elements.
      {{"--a", "e4m3", "--out", "bf16", "--block", "2"}, {0xFF, 0x38, 0x00}, {0x7FC0, 0x7FC0}},
      // e4m3 NaN element: NaN; -0 stays -0.
      {{"--a", "e4m3", "--out", "bf16", "--block", "2"}, {0x7F, 0x7F, 0x80}, {0x7FC0, 0x8000}},
      // int8 0x40 = 1.0, 0x80 = -2.0, scale 2^1.
      {{"--a", "int8", "--out", "fp32", "--block", "2"}, {0x80, 0x40, 0x80}, {0x40000000, 0xC0800000}},
      // 448 * 2^127 overflows fp32: +Inf under rne, max finite under rtz.
      {{"--a", "e4m3", "--out", "fp32", "--block", "2"}, {0xFE, 0x7E, 0x38}, {0x7F800000, 0x7F000000}},
      {{"--a", "e4m3", "--out", "fp32", "--block", "2", "--round", "rtz"}, {0xFE, 0x7E, 0x38}, {0x7F7FFFFF, 0x7F000000}},
      // e2m1 0.5 (0x1) * 2^-127 = 2^-128: an fp32 subnormal 0x00200000.
      {{"--a", "e2m1", "--out", "fp32", "--block", "2"}, {0x00, 0x1, 0x9}, {0x00200000, 0x80200000}},
  };
  for (const Case& c : cases) {
    const auto unit = buildUnit("mxdequant", c.args);
    std::vector<uint32_t> out(unit->outputWords());
    unit->emulate(c.in.data(), out.data());
    EXPECT_EQ(out, c.z) << fmt::format("{}", fmt::join(c.args, " "));
  }
}

TEST(MxDequantOptions, BadParametersNameTheField) {
  const std::pair<std::vector<std::string>, std::string> bad[] = {
      {{"--a", "e8m0"}, "--a"}, {{"--a", "e4m3", "--out", "int8"}, "--out"}, {{"--a", "e4m3", "--block", "0"}, "--block"},
      {{"--a", "uint8"}, "--a"}, {{"--a", "e4m3", "--round", "dyn"}, "--round"}};
  for (const auto& [args, mention] : bad) {
    try {
      buildUnit("mxdequant", args);
      ADD_FAILURE() << "accepted: " << fmt::format("{}", fmt::join(args, " "));
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(mention), std::string::npos) << e.what();
    }
  }
}

class MxDequantCosim : public ::testing::TestWithParam<std::vector<std::string>> {};

// One-element blocks have 16 input bits or fewer: every (scale, element) pair through the RTL.
TEST_P(MxDequantCosim, ExhaustiveOneElementBlock) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  ::setenv("NUMFORGE_CACHE", NF_BINARY_DIR "/vcache", 0);
  const auto unit = buildUnit("mxdequant", GetParam());
  verif::CosimOptions opt = test::quickCosimOptions();
  opt.mode = verif::CosimOptions::Mode::Exhaustive;
  opt.threads = 1;
  opt.build.jobs = 1;
  const verif::CosimReport r = verif::runCosim(*unit, opt);
  EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
  EXPECT_EQ(r.vectors, uint64_t(1) << unit->inputBits());
}

INSTANTIATE_TEST_SUITE_P(Mx, MxDequantCosim,
                         ::testing::Values(std::vector<std::string>{"--a", "e4m3", "--out", "bf16", "--block", "1"},
                                           std::vector<std::string>{"--a", "int8", "--out", "bf16", "--block", "1", "--round", "rtz"},
                                           std::vector<std::string>{"--a", "e5m2", "--out", "fp16", "--block", "1", "--round", "rup"},
                                           std::vector<std::string>{"--a", "e2m1", "--out", "fp32", "--block", "2"}),
                         [](const auto& info) { return test::argsName(info.param); });

}  // namespace
}  // namespace nf
