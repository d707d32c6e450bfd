// facc: the model stepped against the MPFR oracle (fadd / fma oracles, one rounding per accumulation) over
// long streams with clears. The identity a clear starts from is the contract's (-0, +0 under rdn), spelled
// out here. The catalog's accumulators are co-simulated cycle by cycle by test_catalog_cosim.
#include <gtest/gtest.h>

#include <random>

#include "oracles/mpfr_oracle.h"
#include "refmodels/corners.h"
#include "generators/unit.h"
#include "refmodels/facc.h"
#include "tests/quick_cosim.h"

namespace nf {
namespace {

// dyn: the unit built with --round dyn, its stream model stepped with a random rm word per term (`mode`
// unused); otherwise the model in `mode`.
struct Case {
  std::string a, b, out;
  Rounding mode;
  bool saturate;
  bool dyn = false;
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
  std::vector<std::string> args = {"--a", p.a, "--out", p.out, "--round", "dyn", "--flags"};
  if (!p.b.empty()) args.insert(args.end(), {"--b", p.b, "--mac"});
  if (p.saturate) args.push_back("--saturate");
  const auto dynUnit = p.dyn ? buildUnit("facc", args) : nullptr;
  const auto dynStream = p.dyn ? dynUnit->streamModel() : nullptr;
  const nfo::Spec so = nfo::specOf(s.out);
  std::mt19937_64 rng(5);
  const std::vector<uint32_t> corners = formatCorners(s.a);
  uint32_t acc = 0;
  int failures = 0;
  for (int i = 0; i < 100000 && failures < 5; ++i) {
    const bool clear = i == 0 || rng() % 1000 == 0;
    uint32_t a = rng() % 8 == 0 ? corners[rng() % corners.size()] : uint32_t(rng()) & s.a.mask();
    const uint32_t b = s.b ? uint32_t(rng()) & s.b->mask() : 0;
    if (rng() % 64 != 0 && s.a.isNaN(a)) a = 0;  // NaN sticks until the next clear: keep it rare
    const uint32_t rm = uint32_t(rng()) & 7u;
    const Rounding mode = p.dyn ? test::modeOfRm(rm) : p.mode;
    const uint32_t identity = (mode == Rounding::RDN || so.signBit == 0 || so.kind == NonFinite::FNUZ) ? 0 : so.signBit;
    const nfo::OOptions opt{mode, p.saturate, false};
    const uint32_t base = clear ? identity : acc;
    const nfo::OResult want = s.b ? nfo::fmaOracle(s.a, *s.b, s.out, s.out, a, b, base, opt, false)
                                  : nfo::faddOracle(s.out, s.a, s.out, base, a, opt, false);
    Packed got;
    if (p.dyn) {
      std::vector<uint32_t> in = {a};
      if (s.b) in.push_back(b);
      in.insert(in.end(), {clear ? 1u : 0u, rm});
      uint32_t out[2];
      dynStream->step(in.data(), out);
      got = {out[0], uint8_t(out[1])};
    } else {
      got = model.step(a, b, clear, mode);
    }
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
                                           Case{"e2m1", "e2m1", "e8m13,bias=127", Rounding::RTZ, false},
                                           Case{"bf16", "bf16", "fp32", Rounding::RNE, false, true},
                                           Case{"e4m3", "", "bf16", Rounding::RNE, false, true},
                                           Case{"e5m2", "e5m2", "e4m3", Rounding::RNE, true, true}),
                         [](const auto& info) { return "case" + std::to_string(info.index); });

}  // namespace
}  // namespace nf
