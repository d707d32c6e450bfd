// facc: the model stepped against the MPFR oracle (fadd / fma oracles, one rounding per accumulation) over
// long streams with clears. The identity a clear starts from is the contract's (-0, +0 under rdn), spelled
// out here. The catalog's accumulators are co-simulated cycle by cycle by test_catalog_cosim.
#include <gtest/gtest.h>

#include <random>

#include "oracles/mpfr_oracle.h"
#include "refmodels/corners.h"
#include "refmodels/facc.h"

namespace nf {
namespace {

struct Case {
  std::string a, b, out;
  Rounding mode;
  bool saturate;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.a << (c.b.empty() ? "" : "*" + c.b) << "->" << c.out; }

class FaccModelTest : public ::testing::TestWithParam<Case> {};

TEST_P(FaccModelTest, EveryStepIsOneRoundingOfTheExactSum) {
  const Case& p = GetParam();
  FaccSpec s;
  s.a = parseFormat(p.a);
  if (!p.b.empty()) s.b = parseFormat(p.b);
  s.out = parseFormat(p.out);
  s.round = {p.mode, p.saturate, false};
  FaccModel model(s);
  const nfo::Spec so = nfo::specOf(s.out);
  const uint32_t identity = (p.mode == Rounding::RDN || so.signBit == 0 || so.kind == NonFinite::FNUZ) ? 0 : so.signBit;
  const nfo::OOptions opt{p.mode, p.saturate, false};
  std::mt19937_64 rng(5);
  const std::vector<uint32_t> corners = formatCorners(s.a);
  uint32_t acc = 0;
  int failures = 0;
  for (int i = 0; i < 100000 && failures < 5; ++i) {
    const bool clear = i == 0 || rng() % 1000 == 0;
    uint32_t a = rng() % 8 == 0 ? corners[rng() % corners.size()] : uint32_t(rng()) & s.a.mask();
    const uint32_t b = s.b ? uint32_t(rng()) & s.b->mask() : 0;
    if (rng() % 64 != 0 && s.a.isNaN(a)) a = 0;  // NaN sticks until the next clear: keep it rare
    const uint32_t base = clear ? identity : acc;
    const nfo::OResult want = s.b ? nfo::fmaOracle(s.a, *s.b, s.out, s.out, a, b, base, opt, false)
                                  : nfo::faddOracle(s.out, s.a, s.out, base, a, opt, false);
    const Packed got = model.step(a, b, clear);
    if (got.bits != want.bits || got.flags != want.flags)
      ADD_FAILURE() << "step " << i << (clear ? " (clear)" : "") << ": acc " << nfo::showBits(s.out, base) << " + "
                    << nfo::showBits(s.a, a) << (s.b ? " * " + nfo::showBits(*s.b, b) : "") << "\n  model "
                    << nfo::showBits(s.out, got.bits) << " " << nfo::flagsString(got.flags) << ", MPFR "
                    << nfo::showBits(s.out, want.bits) << " " << nfo::flagsString(want.flags),
          ++failures;
    acc = want.bits;
  }
}

INSTANTIATE_TEST_SUITE_P(Facc, FaccModelTest,
                         ::testing::Values(Case{"bf16", "bf16", "fp32", Rounding::RNE, false},
                                           Case{"e4m3", "", "bf16", Rounding::RNE, false},
                                           Case{"fp16", "", "fp16", Rounding::RDN, false},
                                           Case{"e4m3", "e4m3", "e5m2", Rounding::RTZ, true},
                                           Case{"e5m2", "", "e4m3", Rounding::RUP, false},
                                           Case{"e2m1", "e2m1", "e8m13,bias=127", Rounding::RTZ, false}),
                         [](const auto& info) { return "case" + std::to_string(info.index); });

}  // namespace
}  // namespace nf
