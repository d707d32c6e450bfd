// Element-wise conversion: the fcvt unit's model (refmodels/fcvt.h) over whole arrays. encode() of float32 /
// float16 arrays is fcvt from fp32 / fp16 (the arrays' own bits), decode() is fcvt to fp32 / fp16, so each
// result is what `numforge gen fcvt` with the same options computes. float64 input, which no unit reads, is
// rounded once by the same roundPack.
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "python/src/binding.h"
#include "refmodels/fast_encode.h"
#include "refmodels/fcvt.h"

namespace nf::py {

namespace {

struct ConvertArgs {
  std::string func;
  Format from, to;
  std::string rounding = "rne";
  bool saturate = false, ftz = false, daz = false;
  int srWidth = 0;  // 0: fcvtDefaultSrBits(from)
};

// The fcvt spec of these options, validated by the fcvt factory (as `numforge gen fcvt` would).
FcvtSpec fcvtSpec(const ConvertArgs& c) {
  FcvtSpec s;
  s.a = c.from;
  s.out = c.to;
  s.round.mode = parseRoundingArg(c.func, c.rounding, true);
  s.round.saturate = c.saturate;
  s.round.ftz = c.ftz;
  s.daz = c.daz;
  if (s.round.mode == Rounding::SR) s.round.srBits = c.srWidth > 0 ? c.srWidth : fcvtDefaultSrBits(c.from);
  else if (c.srWidth > 0) valueError(fmt::format("{}: sr_width needs rounding='sr' (the rounding is '{}')", c.func, c.rounding));
  std::vector<std::string> args = {"--a", c.from.name, "--out", c.to.name, "--round", c.rounding};
  if (c.saturate) args.push_back("--saturate");
  if (c.ftz) args.push_back("--ftz");
  if (c.daz) args.push_back("--daz");
  if (s.round.mode == Rounding::SR) args.insert(args.end(), {"--sr-bits", std::to_string(s.round.srBits)});
  validateUnit(c.func, "fcvt", args,
               {{"--a", "from_fmt"}, {"--out", "to_fmt"}, {"--round", "rounding"}, {"--sr-bits", "sr_width"},
                {"--saturate", "saturate"}, {"--ftz", "ftz"}, {"--daz", "daz"}});
  return s;
}

// Table-driven models are built once per spec and kept (tables of up to 2^17 entries).
std::shared_ptr<const FcvtFastModel> fastModel(const FcvtSpec& s) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const FcvtFastModel>> cache;
  const std::string key = fmt::format("{}|{}|{}|{}|{}|{}", s.a.name, s.out.name, int(s.round.mode), s.round.saturate,
                                      s.round.ftz, s.daz);
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[key];
  if (!slot) slot = std::make_shared<const FcvtFastModel>(s);
  return slot;
}

// fp32 -> 8-bit tables (refmodels/fast_encode, filled from fcvtModel), built once per spec and kept.
std::shared_ptr<const Fp32ToByteEncoder> byteEncoder(const FcvtSpec& s) {
  if (!Fp32ToByteEncoder::applies(s)) return nullptr;
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const Fp32ToByteEncoder>> cache;
  const std::string key = fmt::format("{}|{}|{}|{}|{}|{}", s.a.name, s.out.name, int(s.round.mode), s.round.saturate,
                                      s.round.ftz, s.daz);
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[key];
  if (!slot) slot = std::make_shared<const Fp32ToByteEncoder>(s);
  return slot;
}

// A conversion's random bits (checked against the rounding) and its result arrays of the input's shape.
struct Outputs {
  Outputs(const std::string& func, const FcvtSpec& spec, const pyb::array& input, const pyb::object& srBits, bool wantFlags)
      : sr(srBitsArg(func, srBits, size_t(input.size()), spec.round.srBits)),
        out(newCodes(spec.out, shapeOf(input))),
        flags(wantFlags ? pyb::array(pyb::dtype::of<uint8_t>(), shapeOf(input)) : pyb::array()),
        z(out, func),
        f(wantFlags ? static_cast<uint8_t*>(flags.mutable_data()) : nullptr) {
    if (spec.round.mode == Rounding::SR && !sr) valueError(func + ": rounding='sr' needs sr_bits or rng");
    if (spec.round.mode != Rounding::SR && sr) valueError(func + ": sr_bits needs rounding='sr'");
  }
  pyb::tuple result() const { return pyb::make_tuple(out, f ? pyb::object(flags) : pyb::object(pyb::none())); }
  const uint32_t* sr;
  pyb::array out, flags;
  CodeView z;
  uint8_t* f;
};

// codes (any shape) -> (codes in `to`, flags or None).
pyb::tuple convertCodes(const pyb::array& codes, const ConvertArgs& c, const pyb::object& srBits, bool wantFlags) {
  const FcvtSpec spec = fcvtSpec(c);
  const CodeView in(codes, c.func + ": codes");
  const size_t n = in.size();
  const Outputs o(c.func, spec, codes, srBits, wantFlags);
  const uint32_t* sr = o.sr;
  const CodeView& z = o.z;
  uint8_t* f = o.f;
  const std::shared_ptr<const Fp32ToByteEncoder> bytes = sr || f ? nullptr : byteEncoder(spec);
  if (bytes && in.itemsize() == 4 && z.itemsize() == 1) {
    const uint32_t* src = static_cast<const uint32_t*>(in.data());
    uint8_t* dst = static_cast<uint8_t*>(z.data());
    parallelFor(n, 1 << 16, [&](size_t begin, size_t end) { bytes->encode(src + begin, dst + begin, end - begin); });
    return o.result();
  }
  const std::shared_ptr<const FcvtFastModel> fast = sr ? nullptr : fastModel(spec);
  parallelFor(n, 1 << 16, [&](size_t begin, size_t end) {
    if (fast && fast->hasTable() && !f) {
      // Blocks of 4096 through the table (or vectorized) path.
      uint32_t inBuf[4096], outBuf[4096];
      for (size_t i = begin; i < end; i += 4096) {
        const size_t m = std::min<size_t>(4096, end - i);
        const uint32_t* src = in.itemsize() == 4 ? static_cast<const uint32_t*>(in.data()) + i : inBuf;
        if (in.itemsize() != 4)
          for (size_t k = 0; k < m; ++k) inBuf[k] = in[i + k];
        uint32_t* dst = z.itemsize() == 4 ? static_cast<uint32_t*>(z.data()) + i : outBuf;
        fast->convertBits(src, dst, m);
        if (z.itemsize() != 4) z.setRange(i, outBuf, m);
      }
      return;
    }
    for (size_t i = begin; i < end; ++i) {
      const Packed p = fast ? (*fast)(in[i], spec.round.mode) : fcvtModel(spec, in[i], spec.round.mode, sr ? sr[i] : 0);
      z.set(i, p.bits);
      if (f) f[i] = p.flags;
    }
  });
  return o.result();
}

// A binary64 value rounded once to `spec.out` with fcvt's rules: specials and zeros through the fp32 fcvt
// model (binary64 and binary32 have the same specials), finite nonzero values through roundPack / roundToInt.
Packed roundBinary64(const FcvtSpec& fp32Spec, double x, uint32_t srRandom) {
  uint64_t bits;
  std::memcpy(&bits, &x, 8);
  const bool sign = bits >> 63;
  const int biased = int(bits >> 52 & 0x7FF);
  const uint64_t frac = bits & ((uint64_t(1) << 52) - 1);
  if (biased == 0x7FF || (biased == 0 && frac == 0) || (biased == 0 && fp32Spec.daz)) {
    uint32_t b32 = (sign ? 0x80000000u : 0u);
    if (biased == 0x7FF) b32 |= 0x7F800000u | (frac == 0 ? 0u : (frac >> 51) ? 0x400000u : 1u);
    return fcvtModel(fp32Spec, b32, fp32Spec.round.mode, srRandom);
  }
  const uint64_t sig = biased == 0 ? frac : frac | (uint64_t(1) << 52);
  const int exp = (biased == 0 ? 1 : biased) - 1075;
  const Format& Z = fp32Spec.out;
  RoundOptions opt = fp32Spec.round;
  if (Z.kind == FormatKind::Int) return roundToInt<uint64_t>(sign, exp, sig, Z, opt, srRandom);
  if (sign && !Z.isSigned) return Z.hasNaN() ? packNaN(Z, kFlagInvalid) : Packed{0u, kFlagInvalid};
  return roundPack<uint64_t>(sign, exp, sig, false, Z, opt, srRandom);
}

pyb::tuple encodeFloat64(const pyb::array& x, ConvertArgs c, const pyb::object& srBits, bool wantFlags) {
  if (x.dtype().kind() != 'f' || x.itemsize() != 8 || !(x.flags() & pyb::array::c_style))
    typeError(c.func + ": x must be a C-contiguous float64 array here");
  c.from = parseFormat("fp32");  // the options are validated as an fp32 input unit's; sr_width defaults to 24
  if (c.srWidth == 0 && c.rounding == "sr") c.srWidth = 16;
  const FcvtSpec spec = fcvtSpec(c);
  const size_t n = size_t(x.size());
  const Outputs o(c.func, spec, x, srBits, wantFlags);
  const uint32_t* sr = o.sr;
  const CodeView& z = o.z;
  uint8_t* f = o.f;
  const double* v = static_cast<const double*>(x.data());
  parallelFor(n, 1 << 15, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const Packed p = roundBinary64(spec, v[i], sr ? sr[i] : 0);
      z.set(i, p.bits);
      if (f) f[i] = p.flags;
    }
  });
  return o.result();
}

// Exact values as float64 (every format here fits binary64 exactly).
pyb::array decodeFloat64(const pyb::array& codes, const Format& f) {
  const CodeView in(codes, "decode: codes");
  pyb::array out(pyb::dtype::of<double>(), shapeOf(codes));
  double* z = static_cast<double*>(out.mutable_data());
  std::vector<double> table;
  if (f.width() <= 16) {
    table.resize(size_t(1) << f.width());
    for (uint32_t k = 0; k < table.size(); ++k) table[k] = f.toDouble(k);
  }
  parallelFor(in.size(), 1 << 16, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) z[i] = table.empty() ? f.toDouble(in[i]) : table[in[i] & f.mask()];
  });
  return out;
}

}  // namespace

void bindElementwise(pyb::module_& m) {
  m.def("_convert", [](const pyb::array& codes, const Format& from, const Format& to, const std::string& rounding,
                       bool saturate, bool ftz, bool daz, const pyb::object& srBits, int srWidth, bool flags,
                       const std::string& func) {
    return convertCodes(codes, ConvertArgs{func, from, to, rounding, saturate, ftz, daz, srWidth}, srBits, flags);
  });
  m.def("_encode_float64", [](const pyb::array& x, const Format& to, const std::string& rounding, bool saturate,
                              bool ftz, bool daz, const pyb::object& srBits, int srWidth, bool flags,
                              const std::string& func) {
    return encodeFloat64(x, ConvertArgs{func, to, to, rounding, saturate, ftz, daz, srWidth}, srBits, flags);
  });
  m.def("_decode_float64", &decodeFloat64);
  m.def("_default_sr_width", [](const Format& from) { return fcvtDefaultSrBits(from); });
}

}  // namespace nf::py
