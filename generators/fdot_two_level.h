// fdot's Verilog for the AMD-style rules of `--accum align` (refmodels/fdot.h AlignRules::twoLevel and
// productOverflowToInf): the join of c with the products' aligned sum, and products beyond the output's range
// as infinities. The model is refmodels/fdot.cpp twoLevelSum.
#pragma once

#include <string>
#include <vector>

#include "generators/fixed_sum.h"
#include "refmodels/fdot.h"

namespace nf::fdot_emit {

// A fused group's term as wires: a product p_i (product = true) or the addend q.
struct TermWires {
  std::string sign, zero, nan, inf, invalid, sig, exp;
  int sigBits, expBits, fracBits, expMin, expMax;
  bool product;
};

// The infinities the group's result sees: pos_inf / neg_inf, or, under productOverflowToInf, pos_inf_r /
// neg_inf_r that add the products of 2^(out.emax + 1) or more (an infinite input's sign still decides).
struct InfWires {
  std::string posInf = "pos_inf", negInf = "neg_inf";
};
InfWires emitProductOverflow(vlog::Writer& w, const std::vector<TermWires>& terms, const FdotSpec& s);

// The products' aligned sum (alignedSum over the products alone) as the second level reads it.
struct ProductSum {
  std::string acc, baseExp;  // two's complement sum, the exponent of its LSB (emax - F)
  int accBits, baseExpBits, baseExpMin, baseExpMax;
};
// Declares acc and base_exp (filling ro's accBits and base exponent range): the products' sum floored onto
// sumBits and the addend (if any) onto addendBits fraction bits below the larger of their exponents. Returns
// base_exp's name.
std::string emitTwoLevelJoin(vlog::Writer& w, const std::vector<TermWires>& terms, const ProductSum& p,
                             const FdotSpec& s, blocks::ReadoutParams& ro);

// AlignRules::convertC: declares c_conv, `c` rounded to nearest even to z's format by an instance of `module`,
// and returns its name; addendConversionModule is that module's Verilog (numforge's fcvt), appended to the unit.
std::string emitAddendConversion(vlog::Writer& w, const FdotSpec& s, const std::string& module, const std::string& c);
std::string addendConversionModule(const FdotSpec& s, const std::string& module);

}  // namespace nf::fdot_emit
