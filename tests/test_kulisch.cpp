// kulisch: the model against MPFR (the exact running sum, one rounding per read-out) and the overflow rule
// computed from the formats; the stream harness shown to catch a model that goes wrong mid-stream. The
// catalog's accumulators are co-simulated (in order, every cycle) by test_catalog_cosim.
#include <gmp.h>
#include <gtest/gtest.h>
#include <mpfr.h>

#include <random>

#include "generators/unit.h"
#include "oracles/mpfr_oracle.h"
#include "refmodels/kulisch.h"
#include "tests/catalog.h"
#include "tests/other_model.h"
#include "tests/quick_cosim.h"
#include "verif/cosim.h"

namespace nf {
namespace {

// The accumulator the contract asks for: every term exactly, 2^K worst-case terms without overflow.
// Term range from the formats' rules: lsb of the smallest subnormal, msb below the largest finite.
struct RefWidth {
  int lsb, width;
};
RefWidth refWidth(const Format& a, const Format* b, int carry) {
  const nfo::Spec sa = nfo::specOf(a);
  int lsb = sa.emin - sa.M, msb = sa.emaxFinite;
  if (b) {
    const nfo::Spec sb = nfo::specOf(*b);
    lsb += sb.emin - sb.M;
    msb += sb.emaxFinite + 1;
  }
  return {lsb, msb - lsb + 1 + carry + 1};
}

// dyn: the unit built with --round dyn, its stream model stepped with a random rm word per term (`mode`
// unused); otherwise the model in `mode`.
struct Stream {
  std::string a, b, out;
  int carry;
  Rounding mode;
  bool dyn = false;
};
void PrintTo(const Stream& s, std::ostream* os) {
  *os << s.a << "x" << s.b << "->" << s.out << " K=" << s.carry << (s.dyn ? " dyn" : "");
}

class KulischModelTest : public ::testing::TestWithParam<Stream> {};

TEST_P(KulischModelTest, ReadOutIsTheExactSumRoundedOnce) {
  const Stream& p = GetParam();
  KulischSpec s;
  s.a = parseFormat(p.a);
  if (!p.b.empty()) s.b = parseFormat(p.b);
  s.out = parseFormat(p.out);
  s.carryBits = p.carry;
  s.round = {p.mode, false, false};
  KulischModel model(s);
  std::vector<std::string> args = {"--a", p.a, "--out", p.out, "--carry-bits", std::to_string(p.carry), "--round", "dyn",
                                   "--flags"};
  if (!p.b.empty()) args.insert(args.end(), {"--b", p.b});
  const auto dynUnit = p.dyn ? buildUnit("kulisch", args) : nullptr;
  const auto dynStream = p.dyn ? dynUnit->streamModel() : nullptr;
  const RefWidth rw = refWidth(s.a, s.b ? &*s.b : nullptr, p.carry);
  mpz_t exact, term, limit;
  mpz_inits(exact, term, limit, nullptr);
  mpz_ui_pow_ui(limit, 2, unsigned(rw.width - 1));
  bool overflowed = false, nan = false, posInf = false, negInf = false;
  std::mt19937_64 rng(11);
  const uint32_t bigA = s.a.maxFiniteMag(), bigB = s.b ? s.b->maxFiniteMag() : 0;
  int failures = 0, checked = 0;
  for (int i = 0; i < 200000 && failures < 5; ++i) {
    const bool clear = i == 0 || rng() % (p.carry <= 3 ? 40 : 5000) == 0;  // small K overflows soon
    uint32_t a = uint32_t(rng()) & s.a.mask(), b = s.b ? uint32_t(rng()) & s.b->mask() : 0;
    if (rng() % 3 == 0) a = (a & s.a.signBit()) | bigA;  // runs of huge terms reach the carry bits
    if (s.b && rng() % 3 == 0) b = bigB;
    // NaN and infinite terms poison a sum until the next clear: keep them rare.
    if (rng() % 20000 != 0) {
      if (s.a.isNaN(a) || s.a.classify(a) == FpClass::Inf) a = 0;
      if (s.b && (s.b->isNaN(b) || s.b->classify(b) == FpClass::Inf)) b = 0;
    }
    if (clear) {
      mpz_set_ui(exact, 0);
      overflowed = nan = posInf = negInf = false;
    }
    const nfo::Val x = nfo::decodeSpec(s.a, a);
    const nfo::Val y = s.b ? nfo::decodeSpec(*s.b, b) : nfo::Val{nfo::VClass::Normal, false, 1, 0};
    const bool neg = x.sign != y.sign;
    if (x.isNaN() || y.isNaN()) nan = true;
    else if (x.cls == nfo::VClass::Inf || y.cls == nfo::VClass::Inf) {
      if (x.cls == nfo::VClass::Zero || y.cls == nfo::VClass::Zero) nan = true;
      else (neg ? negInf : posInf) = true;
    } else if (x.isFiniteNonZero() && y.isFiniteNonZero()) {
      mpz_set_ui(term, x.sig);
      mpz_mul_ui(term, term, y.sig);
      mpz_mul_2exp(term, term, mp_bitcnt_t(x.exp + y.exp - rw.lsb));
      (neg ? mpz_sub : mpz_add)(exact, exact, term);
      // Outside the register's two's-complement range: the hardware wraps and raises overflow.
      if (mpz_cmp(exact, limit) >= 0 || mpz_cmpabs(exact, limit) > 0) {
        overflowed = true;
        // Wrap to [-2^(w-1), 2^(w-1)): reduce modulo 2^w and recentre.
        mpz_mul_ui(term, limit, 2);
        mpz_fdiv_r(exact, exact, term);
        if (mpz_cmp(exact, limit) >= 0) mpz_sub(exact, exact, term);
      }
    }
    const uint32_t rm = uint32_t(rng()) & 7u;
    const Rounding mode = p.dyn ? test::modeOfRm(rm) : p.mode;
    KulischModel::Output got;
    if (p.dyn) {
      std::vector<uint32_t> in = {a};
      if (s.b) in.push_back(b);
      in.insert(in.end(), {clear ? 1u : 0u, rm});
      uint32_t out[3];
      dynStream->step(in.data(), out);
      got = {{out[0], uint8_t(out[2])}, out[1] != 0};
    } else {
      got = model.step(a, b, clear, mode);
    }
    EXPECT_EQ(got.overflow, overflowed) << "term " << i;
    if (overflowed || nan || posInf || negInf) {
      if ((nan || (posInf && negInf)) && !s.out.isNaN(got.z.bits) && s.out.nonFinite != NonFinite::Finite)
        ADD_FAILURE() << "term " << i << ": expected NaN", ++failures;
      continue;
    }
    if (mpz_sgn(exact) == 0) continue;  // zero signs are covered by the fdot tests' rules
    mpfr_t v;
    mpfr_init2(v, mpfr_prec_t(rw.width + 8));
    mpfr_set_z_2exp(v, exact, rw.lsb, MPFR_RNDN);
    const nfo::OResult want = nfo::roundValue(v, s.out, {mode, false, false});
    ++checked;
    mpfr_clear(v);
    if (got.z.bits != want.bits || got.z.flags != want.flags)
      ADD_FAILURE() << "term " << i << ": model " << nfo::showBits(s.out, got.z.bits) << " "
                    << nfo::flagsString(got.z.flags) << ", MPFR " << nfo::showBits(s.out, want.bits) << " "
                    << nfo::flagsString(want.flags),
          ++failures;
  }
  mpz_clears(exact, term, limit, nullptr);
  EXPECT_GT(checked, 20000) << "too few read-outs compared";
}

INSTANTIATE_TEST_SUITE_P(Kulisch, KulischModelTest,
                         ::testing::Values(Stream{"e4m3", "e4m3", "fp32", 16, Rounding::RNE},
                                           Stream{"e4m3", "e4m3", "bf16", 2, Rounding::RTZ},
                                           Stream{"e5m2", "e5m2", "e4m3", 3, Rounding::RUP},
                                           Stream{"bf16", "bf16", "fp32", 8, Rounding::RNE},
                                           Stream{"fp16", "", "fp16", 1, Rounding::RDN},
                                           Stream{"e2m1", "e2m1", "e5m2", 1, Rounding::ROD},
                                           Stream{"e4m3", "e4m3", "fp32", 16, Rounding::RNE, true},
                                           Stream{"bf16", "bf16", "bf16", 8, Rounding::RNE, true},
                                           Stream{"fp16", "", "e4m3", 2, Rounding::RNE, true}),
                         [](const auto& info) { return "case" + std::to_string(info.index); });

// A stream model that goes wrong after 70000 steps: the harness must report that vector.
class LateWrong final : public test::ForwardingUnit {
 public:
  using ForwardingUnit::ForwardingUnit;
  bool stateful() const override { return true; }
  std::vector<std::vector<uint32_t>> cornerVectors() const override { return {}; }
  class Wrong final : public StreamModel {
   public:
    explicit Wrong(std::unique_ptr<StreamModel> m) : m_(std::move(m)) {}
    void step(const uint32_t* in, uint32_t* out) override {
      m_->step(in, out);
      if (++n_ == 70001) out[1] ^= 1;
    }
    std::unique_ptr<StreamModel> m_;
    uint64_t n_ = 0;
  };
  std::unique_ptr<StreamModel> streamModel() const override {
    return std::make_unique<Wrong>(wrapped().streamModel());
  }
};

// Pipelined accumulators: one in-order stream (corner streams, then random terms with clears in mid-stream
// and a bubble every fifth cycle) against the stream model, every output compared at its cycle. The
// latency is 1 + stages whatever the placement, and the term-side registers are what the header says.
struct PipeCase {
  std::vector<std::string> args;
  int stages;
  int termStages;
};
void PrintTo(const PipeCase& c, std::ostream* os) {
  for (const std::string& a : c.args) *os << a << " ";
  *os << "--stages " << c.stages;
}
class KulischPipelined : public ::testing::TestWithParam<PipeCase> {};

TEST_P(KulischPipelined, StreamMatchesTheModelCycleForCycle) {
  std::vector<std::string> args = GetParam().args;
  args.insert(args.end(), {"--flags", "--stages", std::to_string(GetParam().stages)});
  const auto unit = buildUnit("kulisch", args);
  ASSERT_TRUE(unit->stateful());
  EXPECT_EQ(unit->latency(), 1 + GetParam().stages);
  const nlohmann::json man = unit->emit().manifest;
  EXPECT_EQ(man["latency"], 1 + GetParam().stages);
  EXPECT_EQ(man["term_stages"], GetParam().termStages);
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  const verif::CosimReport r = test::quickRandomCosim(*unit, 60000, 9);
  EXPECT_EQ(r.mismatches, 0u) << r.firstMismatch;
  EXPECT_GE(r.vectors, 60000u);
}

INSTANTIATE_TEST_SUITE_P(
    Kulisch, KulischPipelined,
    ::testing::Values(PipeCase{{"--a", "e4m3", "--b", "e4m3", "--out", "bf16", "--carry-bits", "4", "--round", "dyn"}, 1, 0},
                      PipeCase{{"--a", "e5m2", "--b", "e5m2", "--out", "e4m3", "--carry-bits", "3", "--round", "rdn"}, 3, 1},
                      PipeCase{{"--a", "fp16", "--out", "fp16", "--round", "dyn", "--carry-bits", "2"}, 5, 2}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(CosimHarness, ReportsAStreamModelThatGoesWrongMidStream) {
  if (!test::haveTool("verilator")) GTEST_SKIP() << "verilator is absent; co-simulation not run";
  LateWrong unit(buildUnit("kulisch", {"--a", "e4m3", "--b", "e4m3", "--out", "bf16"}));
  verif::CosimOptions o;
  o.count = 100000;
  o.build.cacheDir = NF_BINARY_DIR "/vcache";
  const verif::CosimReport r = verif::runCosim(unit, o);
  EXPECT_EQ(r.mismatches, 1u);
  EXPECT_NE(r.firstMismatch.find("stream vector 70000"), std::string::npos) << r.firstMismatch;
}

}  // namespace
}  // namespace nf
