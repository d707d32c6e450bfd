// Options shared by the floating-point operators (--round, --saturate, --ftz, --daz, --flags, --stages,
// --name) and the validation that turns their text into values, so every operator rejects bad input alike.
#pragma once

#include <string>

namespace CLI {
class Option;
class Validator;
}

#include "generators/architecture.h"
#include "generators/blocks.h"
#include "generators/unit.h"
#include "refmodels/fcvt.h"
#include "refmodels/format.h"
#include "refmodels/rounding.h"

namespace nf {

struct CommonFpOptions {
  std::string round = "rne";
  bool saturate = false;
  bool ftz = false;
  bool daz = false;
  bool flags = false;
  int stages = 0;
  std::string name;
  std::string sat;  // --sat (operators that call addSaturationModes): empty, satfinite, satpropagate, satnone
  CLI::Option* roundOption = nullptr;

  void add(CLI::App& cmd);
  // --sat: IEEE P3109's saturation modes (fmul, fadd, fma, fcvt, facc, kulisch).
  void addSaturationModes(CLI::App& cmd);
  // Sets r.saturate / r.satPropagate from --saturate and --sat.
  void applySaturation(RoundOptions& r) const;
  bool roundGiven() const;
  // The parsed rounding; throws UsageError naming --round and the accepted values.
  blocks::RoundingSel rounding() const;
  void validate() const;
  // The canonical option words for these settings (for headers and manifests).
  void appendArgs(std::vector<std::string>& args) const;
  std::string nameSuffix() const;  // e.g. "_rne_sat_s2"
  // Copies rounding, saturation, flush and flags into an operator's spec, and --daz where the spec has a daz
  // field (operators without one reject --daz themselves, with their reason); gives the architecture (--stages).
  template <class Spec>
  Architecture applyTo(Spec& s) const {
    const blocks::RoundingSel r = rounding();
    s.dynamicRounding = r.dynamic;
    s.round = {r.mode, saturate, ftz};
    applySaturation(s.round);
    s.flagsPort = flags;
    if constexpr (requires { s.daz; }) s.daz = daz;
    Architecture arch;
    arch.stages = stages;
    return arch;
  }
};

// --opt area|delay: the architecture goal of the operators that have a single-path and a faster variant (fmul,
// fadd, fma); the function is the same either way.
struct OptOption {
  std::string value = "area";
  void add(CLI::App& cmd, const std::string& help);
  bool delay() const { return value == "delay"; }
  // Sets arch.optimize and, for delay, appends "--opt delay" to the canonical words.
  void applyTo(Architecture& arch, std::vector<std::string>& args) const;
  std::string nameTag() const { return delay() ? "_fast" : ""; }
};

// Corner operand tuples as co-simulation vectors: each tuple masked to its port's width, once per rm value
// (0..7) when the rounding is dynamic, with rm as the last input.
std::vector<std::vector<uint32_t>> cornerVectorsWithRm(const std::vector<std::vector<uint32_t>>& operands,
                                                       const std::vector<uint32_t>& masks, bool dynamicRounding);

// --sr-bits, --sr-source, --sr-seed: stochastic rounding's random bits, alike for every operator that rounds with
// `--round sr` (fcvt, mxquant).
struct SrOptions {
  int bits = -1;         // -1: not given
  std::string source;    // empty: not given
  int64_t seed = -1;     // -1: not given
  std::string variant;   // --sr-variant (operators that call addVariant); empty: not given
  struct Settings {
    int bits = 0;
    SrSource source = SrSource::Port;
    uint32_t seed = 1;
    SrVariant variant = SrVariant::A;
  };

  void add(CLI::App& cmd, const std::string& defaultBitsText);
  // --sr-variant a|b|c: IEEE P3109's stochastic rounding variants (nf::SrVariant; a is numforge's sr).
  void addVariant(CLI::App& cmd);
  // Checks the options against the rounding (`sr` says whether --round is sr, `round` names it) and gives the
  // settings, --sr-bits defaulting to `defaultBits`; throws UsageError naming the bad option.
  Settings resolve(bool sr, const std::string& round, int defaultBits) const;
  static void appendArgs(const Settings& s, std::vector<std::string>& args);
  static std::string nameTag(const Settings& s);  // "_sr8" or "_sr8_lfsr"
};
// A header's words for a stochastic variant: its letter and its rule ("up when RNE(eta 2^R) + R >= 2^R").
const char* srVariantLetter(SrVariant v);
const char* srVariantRule(SrVariant v);

// Parses a format option; throws UsageError naming the option.
Format formatOption(const std::string& option, const std::string& value);
void requireFloat(const std::string& option, const Format& f, const std::string& op, bool allowUnsignedP3109 = false);
// An MX element format (mxquant's --out, mxdequant's --a): a float, or a signed intN with N 3..16 (`intNote` says
// what the integer means); throws UsageError naming the option and the accepted formats.
void requireMxElement(const std::string& option, const Format& f, const std::string& op, const std::string& intNote);
// fmul, fadd and fma round into an unsigned (P3109) format only from unsigned operands; throws UsageError.
void requireUnsignedResultFromUnsigned(const Format& out, const std::vector<Format>& inputs, const std::string& op);
bool isValidModuleName(const std::string& name);
// Throws UsageError naming --name unless `name` is empty (derive the name) or a legal module name: a simple
// Verilog identifier of at most 64 characters that is no Verilog-2005 or SystemVerilog keyword.
void checkModuleName(const std::string& name);

// A CLI11 check for an integer option: decimal digits (a leading '-' only when lo < 0), no overflow, within
// lo..hi. Give every integer option one, so "-5", "1e3", "abc" and 2^64 are refused at parse time with the
// option's name and the accepted range (CLI11 alone wraps "-5" for an unsigned option and, for a sentinel
// such as -1 = "not given", the value would pass unnoticed). Finer rules (a divisor of --n, ...) stay in the
// operator's build().
CLI::Validator integerIn(int64_t lo, uint64_t hi);

}  // namespace nf
