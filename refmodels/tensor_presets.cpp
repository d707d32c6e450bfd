// The tensor-core presets; see tensor_presets.h.
#include "refmodels/tensor_presets.h"

#include <fmt/format.h>

namespace nf {

namespace {

// nv_fused_dot_add's rules, common to every NVIDIA preset: a zero operand counts as 2^-126 in the maximum
// exponent, overflow after truncation is Inf, NaN is 0x7fffffff (0x7fff), zero is +0.
AlignRules nvidiaRules() {
  AlignRules r;
  r.zeroExp = -126;
  r.overflowToInf = true;
  r.canonicalNaN = true;
  r.positiveZero = true;
  return r;
}

const char* kNv = "MMA-Sim mmasim/simulator/nv.py + arithmetic.py nv_fused_dot_add (arXiv 2511.10909)";

TensorCorePreset nv(std::string name, std::string instruction, std::string in, int n, int group, int F,
                    int outFracBits, std::string differs) {
  TensorCorePreset p;
  p.name = std::move(name);
  p.instruction = std::move(instruction);
  p.a = p.b = std::move(in);
  p.c = p.out = "fp32";
  p.n = n;
  p.group = group;
  p.alignBits = F;
  p.outFracBits = outFracBits;
  p.round = Rounding::RTZ;
  p.rules = nvidiaRules();
  // nv.py's MMASim (mma.sync) converts C to D's type first; WGMMASim and TCGen05MMASim take C as it is. Every
  // preset here has c of z's format, so the conversion is the identity, stated for users who change --c.
  p.rules.convertC = p.instruction.rfind("mma.sync", 0) == 0;
  p.source = kNv;
  p.differs = std::move(differs);
  return p;
}

// amd_fused_dot_rd_add's rules (AMD CDNA3 f16/bf16): zero operands count as 2^-126, the products aligned
// among themselves (F 24), their sum floored onto 31 and c onto 24 fraction bits below max(e_products, e_c),
// products of 2^128 or more Inf, each group's sum rounded to nearest even to fp32 (overflow to Inf by RNE
// itself), +0 (MMA-Sim's floors give integers, so a zero sum is +0). NaN stays IEEE: MMA-Sim returns the host's
// NaN, so the hardware's encoding is not stated there.
TensorCorePreset cdna3(std::string name, std::string instruction, std::string in, std::string differs) {
  TensorCorePreset p;
  p.name = std::move(name);
  p.instruction = std::move(instruction);
  p.a = p.b = std::move(in);
  p.c = p.out = "fp32";
  p.n = 16;
  p.group = 8;  // min(8, k)
  p.alignBits = 24;
  p.round = Rounding::RNE;
  p.rules.zeroExp = -126;
  p.rules.twoLevel = AlignRules::TwoLevel{31, 24};
  p.rules.productOverflowToInf = true;
  p.rules.positiveZero = true;
  p.source = "MMA-Sim mmasim/simulator/amd.py + arithmetic.py amd_fused_dot_rd_add (arXiv 2511.10909)";
  p.differs = std::move(differs);
  return p;
}

}  // namespace

const std::vector<TensorCorePreset>& tensorCorePresets() {
  static const std::vector<TensorCorePreset> all = [] {
    std::vector<TensorCorePreset> v;
    const std::string common = " summed exactly, truncated (RZ) to fp32 with overflow to Inf, +0 and NaN 0x7fffffff";
    v.push_back(nv("volta-mma-f16", "mma.sync.m8n8k4.f32.f16.f16.f32 (sm_70)", "fp16", 4, 0, 23, 0,
                   "Products and c truncated to 23 fraction bits below the largest exponent (a zero counting as "
                   "2^-126 x the other operand)," + common + "."));
    v.push_back(nv("ampere-mma-f16", "mma.sync.m16n8k16.f32.f16.f16.f32 (sm_80)", "fp16", 16, 8, 24, 0,
                   "Split k: two fused halves of 8, the first rounded to fp32 and fed to the second as c; terms "
                   "truncated to 24 fraction bits," + common + "."));
    v.push_back(nv("ampere-mma-bf16", "mma.sync.m16n8k16.f32.bf16.bf16.f32 (sm_80)", "bf16", 16, 8, 24, 0,
                   "As ampere-mma-f16 with bf16 inputs: a bf16 sum beyond fp32's range truncates to Inf, not to "
                   "max finite."));
    v.push_back(nv("ada-mma-e4m3", "mma.sync.m16n8k32.f32.e4m3.e4m3.f32 (sm_89)", "e4m3", 32, 16, 13, 13,
                   "Split k in halves of 16, terms truncated to 13 fraction bits and each half truncated to 13 "
                   "fraction bits (fp32 \"e8m13\": z's low 10 bits zero)," + common + "."));
    v.push_back(nv("hopper-wgmma-e4m3", "wgmma.mma_async.m64nNk32.f32.e4m3.e4m3 (sm_90a)", "e4m3", 32, 0, 13, 13,
                   "One fused group of 32, terms truncated to 13 fraction bits, the sum truncated to 13 fraction "
                   "bits (fp32 \"e8m13\")," + common + "."));
    v.push_back(nv("hopper-wgmma-bf16", "wgmma.mma_async.m64nNk16.f32.bf16.bf16 (sm_90a)", "bf16", 16, 0, 25, 0,
                   "One fused group of 16, terms truncated to 25 fraction bits," + common + "."));
    v.push_back(nv("hopper-mma-bf16", "mma.sync.m16n8k16.f32.bf16.bf16.f32 (sm_90)", "bf16", 16, 0, 25, 0,
                   "As hopper-wgmma-bf16: Hopper's mma is not split in k (Ampere's is)."));
    TensorCorePreset bw = nv("blackwell-tcgen05-e2m1", "tcgen05.mma.cta_group::1.kind::f8f6f4 (e2m1 x e2m1, f32; sm_100a)",
                             "e2m1", 32, 0, 25, 0,
                             "One fused group of 32 e2m1 products truncated to 25 fraction bits," + common +
                                 "; MMA-Sim models kind::f8f6f4 only for e4m3/e5m2 (e2m1 is a TODO there), so this "
                                 "preset extends Blackwell's rule to e2m1 unvalidated.");
    v.push_back(bw);
    const std::string amd =
        "Two groups of 8: the products aligned to their own largest exponent and truncated toward zero to 24 "
        "fraction bits, that sum floored (toward -Inf) onto 31 and c onto 24 fraction bits below the larger of "
        "the two exponents (a zero counting as 2^-126), rounded to nearest even to fp32 and fed to the next "
        "group as c; a product of 2^128 or more is Inf; zero is +0";
    v.push_back(cdna3("cdna3-mfma-bf16", "v_mfma_f32_16x16x16_bf16 (gfx942)", "bf16", amd + "."));
    v.push_back(cdna3("cdna3-mfma-f16", "v_mfma_f32_16x16x16_f16 (gfx942)", "fp16",
                      "As cdna3-mfma-bf16 with fp16 inputs (no product reaches 2^128)."));
    return v;
  }();
  return all;
}

const TensorCorePreset* findTensorCorePreset(const std::string& name) {
  for (const TensorCorePreset& p : tensorCorePresets())
    if (p.name == name) return &p;
  return nullptr;
}

std::string tensorCorePresetNames() {
  std::string s;
  for (const TensorCorePreset& p : tensorCorePresets()) s += (s.empty() ? "" : ", ") + p.name;
  return s;
}

std::string describeAlignRules(const AlignRules& r) {
  std::string s = r.zeroExp ? fmt::format("zero operand exponent {}", *r.zeroExp) : "zeros excluded from the maximum";
  s += r.overflowToInf ? ", overflow to Inf" : ", IEEE overflow";
  s += r.canonicalNaN ? ", NaN all ones" : ", IEEE NaN";
  s += r.positiveZero ? ", zero +0" : ", IEEE zero sign";
  if (r.twoLevel)
    s += fmt::format(", two-level alignment (products' sum floored to {}, c to {} bits)", r.twoLevel->sumBits,
                     r.twoLevel->addendBits);
  if (r.productOverflowToInf) s += ", products beyond range Inf";
  if (r.convertC) s += ", c rounded (RNE) to z's format first";
  return s;
}

}  // namespace nf
