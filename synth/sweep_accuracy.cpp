#include "synth/sweep_accuracy.h"

#include <fmt/format.h>
#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "generators/fcvt.h"
#include "generators/mxquant.h"
#include "generators/nvfp4quant.h"
#include "refmodels/quant_stats.h"
#include "refmodels/rounding.h"

namespace nf::sweep {
namespace {

// What an arithmetic unit computes, by input port: the sum of products (a_i * b_i) and addends.
struct Terms {
  std::vector<std::pair<size_t, size_t>> products;
  std::vector<size_t> addends;
  bool known = false;
};

Terms termsOf(const Unit& unit) {
  Terms t;
  auto port = [&](const std::string& name) -> std::optional<size_t> {
    for (size_t i = 0; i < unit.inputs().size(); ++i)
      if (unit.inputs()[i].name == name && unit.inputs()[i].format) return i;
    return std::nullopt;
  };
  const std::string op = unit.operatorName();
  if (op == "fmul" || op == "fma") {
    if (auto a = port("a"), b = port("b"); a && b) t.products.emplace_back(*a, *b);
  } else if (op == "fadd") {
    for (const char* n : {"a", "b"})
      if (auto p = port(n)) t.addends.push_back(*p);
  } else if (op == "fdot") {
    for (int i = 0;; ++i) {
      auto a = port(fmt::format("a{}", i)), b = port(fmt::format("b{}", i));
      if (!a || !b) break;
      t.products.emplace_back(*a, *b);
    }
  }
  if (op == "fma" || op == "fdot")
    if (auto c = port("c")) t.addends.push_back(*c);
  t.known = !t.products.empty() || !t.addends.empty();
  return t;
}

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  const size_t k = std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + ptrdiff_t(k), v.end());
  return v[k];
}

// JSON has no infinity: an unbounded figure is written as null.
nlohmann::json number(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

// Relative errors of one distribution: inputs are the distribution's values rounded (rne) into each port's
// format; the exact value is the sum of the exact products (each exact in double: at most 24-bit significands)
// in MPFR with room for every exponent (640 bits span fp32's products and 32-term sums).
nlohmann::json arithmeticError(const Unit& unit, const Terms& t, const std::string& dist, uint64_t n, uint64_t seed) {
  const size_t inW = unit.inputWords(), outW = unit.outputWords();
  const std::vector<float> x = makeDistribution(dist, size_t(n) * unit.inputs().size(), seed);
  std::vector<uint32_t> in(size_t(n) * inW, 0), out(size_t(n) * outW, 0);
  size_t k = 0;
  for (uint64_t v = 0; v < n; ++v)
    for (size_t p = 0, w = 0; p < unit.inputs().size(); w += size_t(unit.inputs()[p].words()), ++p, ++k)
      if (unit.inputs()[p].format) in[v * inW + w] = roundFromDouble(x[k], *unit.inputs()[p].format, {}).bits;
  unit.emulateBatch(in.data(), out.data(), size_t(n));
  const Format& zf = *unit.outputs().front().format;
  auto value = [&](uint64_t v, size_t p) {
    size_t w = 0;
    for (size_t i = 0; i < p; ++i) w += size_t(unit.inputs()[i].words());
    return unit.inputs()[p].format->toDouble(in[v * inW + w]);
  };
  mpfr_t exact, diff;
  mpfr_inits2(640, exact, diff, nullptr);
  std::vector<double> rel;
  uint64_t nonFinite = 0;
  for (uint64_t v = 0; v < n; ++v) {
    mpfr_set_zero(exact, 1);
    for (const auto& [a, b] : t.products) mpfr_add_d(exact, exact, value(v, a) * value(v, b), MPFR_RNDN);
    for (size_t c : t.addends) mpfr_add_d(exact, exact, value(v, c), MPFR_RNDN);
    const double z = zf.toDouble(out[v * outW]);
    if (mpfr_zero_p(exact)) continue;  // relative error undefined; the exact zero case is co-simulation's
    if (!std::isfinite(z)) {
      ++nonFinite;
      rel.push_back(std::numeric_limits<double>::infinity());
      continue;
    }
    mpfr_sub_d(diff, exact, z, MPFR_RNDN);
    mpfr_div(diff, diff, exact, MPFR_RNDN);
    rel.push_back(std::fabs(mpfr_get_d(diff, MPFR_RNDU)));
  }
  mpfr_clears(exact, diff, nullptr);
  const double p50 = percentile(rel, 0.5), p99 = percentile(rel, 0.99), mx = percentile(rel, 1.0);
  // A correctly rounded result is within 2^-p of the exact value (p: the output's precision); what lies beyond
  // is lost to alignment, chained rounding or narrow intermediate formats.
  const double lost = p99 > 0 ? std::max(0.0, std::log2(p99) + double(zf.precision())) : 0.0;
  return {{"vectors", rel.size()},         {"relerr_p50", number(p50)}, {"relerr_p99", number(p99)},
          {"relerr_max", number(mx)},      {"bits_lost_p99", number(lost)},
          {"non_finite", nonFinite},       {"accuracy_bits", number(p99 > 0 ? std::max(0.0, -std::log2(p99)) : 64.0)}};
}

// Null when the unit is no quantizer the tensor path measures, else the reason it is not measured or the stats.
std::optional<nlohmann::json> quantizerError(const Unit& unit, const AccuracySettings& s, uint64_t seed, int threads) {
  const MxQuantSpec* mx = mxQuantSpecOf(unit);
  const Nvfp4QuantSpec* nv = nvfp4QuantSpecOf(unit);
  const FcvtSpec* cv = fcvtSpecOf(unit);
  if (!mx && !nv && !cv) return std::nullopt;
  if ((mx && mx->mode == Rounding::SR) || (cv && (cv->dynamicRounding || cv->round.mode == Rounding::SR)))
    return nlohmann::json{{"kind", "none"}, {"note", "stochastic or dynamic rounding is not measured"}};
  if (cv && (!cv->a.isFloat() || !cv->out.isFloat()))
    return nlohmann::json{{"kind", "none"}, {"note", "per-tensor scaling needs float formats"}};
  nlohmann::json dists = nlohmann::json::object();
  for (const std::string& d : s.dists) {
    const std::vector<float> x = makeDistribution(d, size_t(s.samples), seed);
    const QuantStats st = mx   ? mxQuantStats(*mx, x.data(), x.size(), threads)
                          : nv ? nvfp4QuantStats(*nv, x.data(), x.size(), threads)
                               : perTensorQuantStats(*cv, x.data(), x.size(), threads);
    dists[d] = {{"elements", st.elements},        {"qsnr_db", number(st.qsnrDb)},
                {"mse", number(st.mse)},          {"max_rel_err", number(st.maxRelErr)},
                {"saturated", st.saturatedFrac},  {"flushed", st.zeroFlushedFrac},
                {"accuracy_bits", number(st.qsnrDb / 6.02)}};
  }
  return nlohmann::json{{"kind", "quantizer"}, {"dists", dists}};
}

}  // namespace

nlohmann::json measureAccuracy(const Unit& unit, const AccuracySettings& s, uint64_t seed, int threads) {
  nlohmann::json r;
  if (auto q = quantizerError(unit, s, seed, threads)) {
    r = *q;
  } else {
    const Terms t = termsOf(unit);
    if (unit.stateful() || !t.known || !unit.outputs().front().format)
      return {{"kind", "none"},
              {"note", fmt::format("no accuracy measure for {} here (quantizers, fmul, fadd, fma, fdot)",
                                   unit.operatorName())}};
    nlohmann::json dists = nlohmann::json::object();
    for (const std::string& d : s.dists) dists[d] = arithmeticError(unit, t, d, s.samples, seed);
    r = {{"kind", "arithmetic"}, {"dists", dists}};
  }
  if (r["kind"] != "none") r["accuracy_bits"] = r["dists"][s.dists.front()]["accuracy_bits"];
  return r;
}

}  // namespace nf::sweep
