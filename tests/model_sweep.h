// What the model-vs-oracle sweeps of the arithmetic operators (fmul, fadd, fma) share: the presets they pair,
// the directed rounding modes, the saturate/ftz/daz variants, and the comparison of one model result with the
// MPFR oracle's (counting the oracle's flags, reporting the first mismatches).
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <string>
#include <vector>

#include "oracles/mpfr_oracle.h"
#include "refmodels/rounding.h"

namespace nf::test {

inline const std::vector<std::string> kFloatPresets = {"fp32",     "fp16",     "bf16", "tf32", "e5m2", "e4m3",
                                                       "e5m2fnuz", "e4m3fnuz", "e3m2", "e2m3", "e2m1"};
inline constexpr Rounding kDirectedModes[] = {Rounding::RNE, Rounding::RTZ, Rounding::RDN,
                                              Rounding::RUP, Rounding::RNA, Rounding::ROD};

struct Variant {
  bool saturate = false, ftz = false, daz = false;
  std::string name() const {
    std::string s;
    if (saturate) s += "sat";
    if (ftz) s += s.empty() ? "ftz" : "_ftz";
    if (daz) s += s.empty() ? "daz" : "_daz";
    return s.empty() ? "plain" : s;
  }
};

// What a sweep saw: vectors checked, mismatches, and the oracle's flags (so a test can insist its stimulus
// reached overflow, underflow and inexact results) plus the cancellations the caller counts itself.
struct SweepStats {
  long checked = 0, bad = 0, cancellations = 0, overflows = 0, underflows = 0, inexact = 0;
};

// Compares model results with the oracle's, bits and flags; the first kMaxReports disagreements (or oracle
// failures) become test failures described by the caller's header, built only then.
class OracleComparison {
 public:
  explicit OracleComparison(nf::Format out) : out_(std::move(out)) {}

  template <class Oracle, class Header>
  void check(const nf::Packed& got, Oracle&& oracle, Header&& header) {
    ++stats_.checked;
    nfo::OResult want;
    try {
      want = oracle();
    } catch (const std::exception& e) {
      fail([&] { return header() + ": oracle threw " + e.what(); });
      return;
    }
    if (want.flags & nfo::kOverflow) ++stats_.overflows;
    if (want.flags & nfo::kUnderflow) ++stats_.underflows;
    if (want.flags & nfo::kInexact) ++stats_.inexact;
    if (got.bits == want.bits && got.flags == want.flags) return;
    fail([&] {
      return header() + "\n    expected " + nfo::showBits(out_, want.bits) + " flags " + nfo::flagsString(want.flags) +
             "\n    got      " + nfo::showBits(out_, got.bits) + " flags " + nfo::flagsString(got.flags);
    });
  }
  void countCancellation() { ++stats_.cancellations; }
  const SweepStats& stats() const { return stats_; }

 private:
  static constexpr int kMaxReports = 8;
  template <class Message>
  void fail(Message&& message) {
    ++stats_.bad;
    if (reported_++ < kMaxReports) ADD_FAILURE() << message();
  }
  nf::Format out_;
  SweepStats stats_;
  int reported_ = 0;
};

}  // namespace nf::test
