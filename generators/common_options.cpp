#include "generators/common_options.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace nf {

void CommonFpOptions::add(CLI::App& cmd) {
  roundOption = cmd.add_option("--round", round, "rounding: rne, rtz, rup, rdn, rna, rod, or dyn (an rm[2:0] port)")
                    ->default_str("rne");
  cmd.add_flag("--saturate", saturate, "clamp overflow and infinite results to +-max finite (OCP satfinite)");
  cmd.add_flag("--ftz", ftz, "flush results that are tiny after rounding to signed zero");
  cmd.add_flag("--daz", daz, "read subnormal inputs as signed zero");
  cmd.add_flag("--flags", flags, "add a flags[4:0] port {invalid, infinite, overflow, underflow, inexact}");
  cmd.add_option("--stages", stages, "pipeline registers (0 = combinational)")->default_str("0");
  cmd.add_option("--name", name, "module name (default derived from the options)");
}

void CommonFpOptions::addSaturationModes(CLI::App& cmd) {
  cmd.add_option("--sat", sat,
                 "IEEE P3109 saturation: satfinite (as --saturate), satpropagate (overflow clamps to +-max finite, "
                 "infinities stay), satnone (default: overflow per rounding mode)");
}

void CommonFpOptions::applySaturation(RoundOptions& r) const {
  r.saturate = saturate || sat == "satfinite";
  r.satPropagate = sat == "satpropagate";
}

blocks::RoundingSel CommonFpOptions::rounding() const {
  blocks::RoundingSel r;
  if (round == "dyn") {
    r.dynamic = true;
    return r;
  }
  if (!parseRounding(round, r.mode))
    throw UsageError(fmt::format("bad --round '{}'; accepted: {}, dyn", round, roundingChoices()));
  return r;
}

void CommonFpOptions::validate() const {
  rounding();
  if (!sat.empty() && sat != "satfinite" && sat != "satpropagate" && sat != "satnone")
    throw UsageError(fmt::format("bad --sat '{}'; accepted: satfinite, satpropagate, satnone", sat));
  if (saturate && !sat.empty() && sat != "satfinite")
    throw UsageError(fmt::format("--saturate is --sat satfinite and contradicts --sat {}; accepted: one of them", sat));
  if (stages < 0 || stages > 8) throw UsageError(fmt::format("bad --stages {}; accepted: 0..8", stages));
  if (!name.empty() && !isValidModuleName(name))
    throw UsageError(fmt::format("bad --name '{}'; accepted: a Verilog identifier [A-Za-z_][A-Za-z0-9_]*, "
                                 "at most 64 characters",
                                 name));
}

void CommonFpOptions::appendArgs(std::vector<std::string>& args) const {
  args.insert(args.end(), {"--round", round});
  if (saturate || sat == "satfinite") args.push_back("--saturate");
  if (sat == "satpropagate") args.insert(args.end(), {"--sat", "satpropagate"});
  if (ftz) args.push_back("--ftz");
  if (daz) args.push_back("--daz");
  if (flags) args.push_back("--flags");
  if (stages) args.insert(args.end(), {"--stages", std::to_string(stages)});
  if (!name.empty()) args.insert(args.end(), {"--name", name});
}

std::string CommonFpOptions::nameSuffix() const {
  std::string s = "_" + round;
  if (saturate || sat == "satfinite") s += "_sat";
  if (sat == "satpropagate") s += "_satprop";
  if (ftz) s += "_ftz";
  if (daz) s += "_daz";
  if (flags) s += "_flags";
  if (stages) s += fmt::format("_s{}", stages);
  return s;
}

void SrOptions::add(CLI::App& cmd, const std::string& defaultBitsText) {
  cmd.add_option("--sr-bits", bits, "with --round sr: random bits R per rounded value, 1..24 (default " + defaultBitsText + ")");
  cmd.add_option("--sr-source", source, "with --round sr: where the random bits come from: port (an sr_bits "
                                        "input, default) or lfsr (32-bit xorshift LFSRs inside the unit)");
  cmd.add_option("--sr-seed", seed, "with --sr-source lfsr: the LFSR state after reset, 1..4294967295 (default 1)");
}

void SrOptions::addVariant(CLI::App& cmd) {
  cmd.add_option("--sr-variant", variant,
                 "with --round sr: IEEE P3109's variant: a (default: floor(eta 2^R) + r >= 2^R), b (floor(eta 2^(R+1)) "
                 "+ 2r + 1 >= 2^(R+1)), c (RNE(eta 2^R) + r >= 2^R)");
}

SrOptions::Settings SrOptions::resolve(bool sr, const std::string& round, int defaultBits) const {
  if (!variant.empty() && variant != "a" && variant != "b" && variant != "c")
    throw UsageError(fmt::format("bad --sr-variant '{}'; accepted: a, b, c", variant));
  if (!sr && !variant.empty()) throw UsageError(fmt::format("--sr-variant needs --round sr (the rounding is {})", round));
  if (!source.empty() && source != "port" && source != "lfsr")
    throw UsageError(fmt::format("bad --sr-source '{}'; accepted: port, lfsr", source));
  if (seed != -1 && source != "lfsr") throw UsageError("--sr-seed needs --sr-source lfsr");
  if (seed != -1 && (seed <= 0 || seed > int64_t(0xFFFFFFFFu)))
    throw UsageError(fmt::format("bad --sr-seed {}; accepted: 1..4294967295 (an LFSR state of 0 never changes)", seed));
  if (!sr && (bits >= 0 || !source.empty()))
    throw UsageError(fmt::format("{} needs --round sr (the rounding is {})", bits >= 0 ? "--sr-bits" : "--sr-source", round));
  Settings s;
  if (!sr) return s;
  s.bits = bits >= 0 ? bits : defaultBits;
  s.variant = variant == "b" ? SrVariant::B : variant == "c" ? SrVariant::C : SrVariant::A;
  if (s.bits < 1 || s.bits > 24) throw UsageError(fmt::format("bad --sr-bits {}; accepted: 1..24", s.bits));
  if (source == "lfsr") {
    s.source = SrSource::Lfsr;
    s.seed = seed > 0 ? uint32_t(seed) : 1u;
  }
  return s;
}

void SrOptions::appendArgs(const Settings& s, std::vector<std::string>& args) {
  args.insert(args.end(), {"--sr-bits", std::to_string(s.bits)});
  if (s.variant != SrVariant::A) args.insert(args.end(), {"--sr-variant", s.variant == SrVariant::B ? "b" : "c"});
  if (s.source == SrSource::Lfsr) args.insert(args.end(), {"--sr-source", "lfsr", "--sr-seed", std::to_string(s.seed)});
}

std::string SrOptions::nameTag(const Settings& s) {
  const char* variant = s.variant == SrVariant::A ? "" : s.variant == SrVariant::B ? "b" : "c";
  return fmt::format("_sr{}{}{}", s.bits, variant, s.source == SrSource::Lfsr ? "_lfsr" : "");
}

Format formatOption(const std::string& option, const std::string& value) {
  try {
    return parseFormat(value);
  } catch (const FormatError& e) {
    throw UsageError(fmt::format("{}: {}", option, e.what()));
  }
}

void requireFloat(const std::string& option, const Format& f, const std::string& op, bool allowUnsignedP3109) {
  // P3109's unsigned formats have a zero and a NaN like the signed ones (requireUnsignedResultFromUnsigned
  // checks the rest).
  if (!f.isFloat() || (!f.isSigned && !(allowUnsignedP3109 && f.isP3109())) || f.zeroExpIsNormal)
    throw UsageError(fmt::format("{} {}: {} takes signed floating-point formats with a zero (not integers, e8m0 or "
                                 "unsigned formats); accepted: {}",
                                 option, f.name, op, formatSyntaxHelp()));
}

void requireUnsignedResultFromUnsigned(const Format& out, const std::vector<Format>& inputs, const std::string& op) {
  if (out.isSigned) return;
  for (const Format& f : inputs)
    if (f.isSigned)
      throw UsageError(fmt::format("--out {}: {} into an unsigned format needs unsigned inputs ({} is signed: a "
                                   "negative result has no encoding); accepted: a signed --out, or unsigned inputs",
                                   out.name, op, f.name));
}

bool isValidModuleName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

}  // namespace nf

namespace nf {
bool CommonFpOptions::roundGiven() const { return roundOption && roundOption->count() > 0; }
std::vector<std::vector<uint32_t>> cornerVectorsWithRm(const std::vector<std::vector<uint32_t>>& operands,
                                                       const std::vector<uint32_t>& masks, bool dynamicRounding) {
  std::vector<std::vector<uint32_t>> v;
  const unsigned modes = dynamicRounding ? 8 : 1;
  v.reserve(operands.size() * modes);
  for (const std::vector<uint32_t>& t : operands)
    for (unsigned m = 0; m < modes; ++m) {
      std::vector<uint32_t> vec(t.size());
      for (size_t i = 0; i < t.size(); ++i) vec[i] = t[i] & masks[i];
      if (dynamicRounding) vec.push_back(m);
      v.push_back(std::move(vec));
    }
  return v;
}

}  // namespace nf
