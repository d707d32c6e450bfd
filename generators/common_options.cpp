#include "generators/common_options.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <charconv>
#include <string_view>

namespace nf {

void CommonFpOptions::add(CLI::App& cmd) {
  roundOption = cmd.add_option("--round", round, "rounding: rne, rtz, rup, rdn, rna, rod, or dyn (an rm[2:0] port)")
                    ->default_str("rne");
  cmd.add_flag("--saturate", saturate, "clamp overflow and infinite results to +-max finite (OCP satfinite)");
  cmd.add_flag("--ftz", ftz, "flush results that are tiny after rounding to signed zero");
  cmd.add_flag("--daz", daz, "read subnormal inputs as signed zero");
  cmd.add_flag("--flags", flags, "add a flags[4:0] port {invalid, infinite, overflow, underflow, inexact}");
  cmd.add_option("--stages", stages, "pipeline registers (0 = combinational)")->default_str("0")->check(integerIn(0, 8));
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
  checkModuleName(name);
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

void OptOption::add(CLI::App& cmd, const std::string& help) {
  cmd.add_option("--opt", value, help)->check(CLI::IsMember({"area", "delay"}));
}

void OptOption::applyTo(Architecture& arch, std::vector<std::string>& args) const {
  arch.optimize = delay() ? Architecture::Optimize::Delay : Architecture::Optimize::Area;
  if (delay()) args.insert(args.end(), {"--opt", "delay"});
}

void SrOptions::add(CLI::App& cmd, const std::string& defaultBitsText) {
  cmd.add_option("--sr-bits", bits, "with --round sr: random bits R per rounded value, 1..24 (default " + defaultBitsText + ")")
      ->check(integerIn(1, 24));
  cmd.add_option("--sr-source", source, "with --round sr: where the random bits come from: port (an sr_bits "
                                        "input, default) or lfsr (32-bit xorshift LFSRs inside the unit)");
  cmd.add_option("--sr-seed", seed, "with --sr-source lfsr: the LFSR state after reset, 1..4294967295 (default 1)")
      ->check(integerIn(1, 0xFFFFFFFFu));
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

const char* srVariantLetter(SrVariant v) { return v == SrVariant::A ? "A" : v == SrVariant::B ? "B" : "C"; }

const char* srVariantRule(SrVariant v) {
  switch (v) {
    case SrVariant::A: return "up when floor(eta 2^R) + R >= 2^R";
    case SrVariant::B: return "up when floor(eta 2^(R+1)) + 2 R + 1 >= 2^(R+1)";
    case SrVariant::C: return "up when RNE(eta 2^R) + R >= 2^R";
  }
  return "";
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

namespace {

// The reserved keywords of IEEE 1800-2017 (SystemVerilog) Annex B, which include every IEEE 1364-2005
// (Verilog-2005) keyword, sorted. A module named after one does not parse in one language or the other.
constexpr std::string_view kVerilogKeywords[] = {
    "accept_on", "alias", "always", "always_comb", "always_ff", "always_latch", "and", "assert", "assign",
    "assume", "automatic", "before", "begin", "bind", "bins", "binsof", "bit", "break", "buf", "bufif0", "bufif1",
    "byte", "case", "casex", "casez", "cell", "chandle", "checker", "class", "clocking", "cmos", "config", "const",
    "constraint", "context", "continue", "cover", "covergroup", "coverpoint", "cross", "deassign", "default",
    "defparam", "design", "disable", "dist", "do", "edge", "else", "end", "endcase", "endchecker", "endclass",
    "endclocking", "endconfig", "endfunction", "endgenerate", "endgroup", "endinterface", "endmodule",
    "endpackage", "endprimitive", "endprogram", "endproperty", "endsequence", "endspecify", "endtable", "endtask",
    "enum", "event", "eventually", "expect", "export", "extends", "extern", "final", "first_match", "for", "force",
    "foreach", "forever", "fork", "forkjoin", "function", "generate", "genvar", "global", "highz0", "highz1", "if",
    "iff", "ifnone", "ignore_bins", "illegal_bins", "implements", "implies", "import", "incdir", "include",
    "initial", "inout", "input", "inside", "instance", "int", "integer", "interconnect", "interface", "intersect",
    "join", "join_any", "join_none", "large", "let", "liblist", "library", "local", "localparam", "logic",
    "longint", "macromodule", "matches", "medium", "modport", "module", "nand", "negedge", "nettype", "new",
    "nexttime", "nmos", "nor", "noshowcancelled", "not", "notif0", "notif1", "null", "or", "output", "package",
    "packed", "parameter", "pmos", "posedge", "primitive", "priority", "program", "property", "protected",
    "pull0", "pull1", "pulldown", "pullup", "pulsestyle_ondetect", "pulsestyle_onevent", "pure", "rand", "randc",
    "randcase", "randsequence", "rcmos", "real", "realtime", "ref", "reg", "reject_on", "release", "repeat",
    "restrict", "return", "rnmos", "rpmos", "rtran", "rtranif0", "rtranif1", "s_always", "s_eventually",
    "s_nexttime", "s_until", "s_until_with", "scalared", "sequence", "shortint", "shortreal", "showcancelled",
    "signed", "small", "soft", "solve", "specify", "specparam", "static", "string", "strong", "strong0", "strong1",
    "struct", "super", "supply0", "supply1", "sync_accept_on", "sync_reject_on", "table", "tagged", "task", "this",
    "throughout", "time", "timeprecision", "timeunit", "tran", "tranif0", "tranif1", "tri", "tri0", "tri1",
    "triand", "trior", "trireg", "type", "typedef", "union", "unique", "unique0", "unsigned", "until",
    "until_with", "untyped", "use", "uwire", "var", "vectored", "virtual", "void", "wait", "wait_order", "wand",
    "weak", "weak0", "weak1", "while", "wildcard", "wire", "with", "within", "wor", "xnor", "xor"};
static_assert(std::is_sorted(std::begin(kVerilogKeywords), std::end(kVerilogKeywords)), "binary_search needs order");

bool isVerilogKeyword(const std::string& name) {
  return std::binary_search(std::begin(kVerilogKeywords), std::end(kVerilogKeywords), std::string_view(name));
}

bool isSimpleIdentifier(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

}  // namespace

void requireMxElement(const std::string& option, const Format& f, const std::string& op, const std::string& intNote) {
  if (f.kind != FormatKind::Int) return requireFloat(option, f, op);
  if (!f.isSigned || f.intBits < 3 || f.intBits > 16)
    throw UsageError(fmt::format("bad {} {}: integer elements are signed intN with N 3..16{}; accepted: e4m3, e5m2, "
                                 "e3m2, e2m3, e2m1, int8 or another signed format",
                                 option, f.name, intNote));
}

bool isValidModuleName(const std::string& name) { return isSimpleIdentifier(name) && !isVerilogKeyword(name); }

void checkModuleName(const std::string& name) {
  if (name.empty() || isValidModuleName(name)) return;
  throw UsageError(fmt::format("bad --name '{}'{}; accepted: a Verilog identifier [A-Za-z_][A-Za-z0-9_]*, at most 64 "
                               "characters, that is not a Verilog-2005 or SystemVerilog keyword",
                               name, isVerilogKeyword(name) ? ": a Verilog/SystemVerilog keyword" : ""));
}

CLI::Validator integerIn(int64_t lo, uint64_t hi) {
  const std::string range = lo >= 0 && uint64_t(lo) == hi ? std::to_string(hi) : fmt::format("{}..{}", lo, hi);
  auto check = [lo, hi, range](std::string& text) -> std::string {
    const char* first = text.data();
    const char* last = first + text.size();
    const bool negative = !text.empty() && text[0] == '-';
    const std::string_view digits = std::string_view(text).substr(negative ? 1 : 0);
    // CLI11 converts as strtoll(.., 0) does, reading "010" as octal 8: no leading zeros, so what passes here
    // means the same to CLI11 as it says to the user.
    const bool decimal = !digits.empty() && (digits[0] != '0' || digits.size() == 1);
    bool inRange = false;
    std::from_chars_result r{};
    if (negative) {
      int64_t v = 0;
      r = std::from_chars(first, last, v);
      inRange = v >= lo;
    } else {
      uint64_t v = 0;
      r = std::from_chars(first, last, v);
      inRange = v <= hi && (lo <= 0 || v >= uint64_t(lo));
    }
    if (!decimal || r.ec != std::errc() || r.ptr != last || !inRange)
      return fmt::format("bad value '{}'; accepted: an integer in {} (decimal, no leading zeros)", text, range);
    return {};
  };
  return CLI::Validator(check, range, "integerIn");
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
