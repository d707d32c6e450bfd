// Accumulation architectures side by side, in one run: fdot with exact vs align (F = 13, 24) vs chained
// FMAs, for e4m3 -> fp32 at N = 4 and 16; an exact Kulisch MAC vs a rounding MAC for bf16. Prints area,
// delay, area per term and ratios against the first row of each table. Figures, not assertions.
//   bench_accum [--only N]
#include <fmt/format.h>

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "generators/unit.h"
#include "synth/ppa.h"

namespace nf {
namespace {

struct Row {
  std::string label;
  std::string op;
  std::vector<std::string> args;
  int terms;  // products per result
};

void table(const std::string& title, const std::vector<Row>& rows) {
  std::cout << "\n" << title << "\n";
  std::cout << fmt::format("{:<34} {:>10} {:>8} {:>9} {:>6} {:>12} {:>11} {:>11}\n", "unit", "area um2", "NAND2eq",
                           "delay ps", "flops", "um2 / term", "area ratio", "delay ratio");
  double area0 = 0, delay0 = 0;
  for (const Row& r : rows) {
    std::unique_ptr<Unit> unit;
    try {
      unit = buildUnit(r.op, r.args);
    } catch (const std::exception& e) {
      std::cout << fmt::format("{:<34} not available: {}\n", r.label, e.what());
      continue;
    }
    const GeneratedModule m = unit->emit();
    const synth::PpaResult p = synth::runPpa(m.verilog, m.name);
    if (area0 == 0) area0 = p.areaUm2, delay0 = p.delayPs;
    std::cout << fmt::format("{:<34} {:>10.1f} {:>8.0f} {:>9.0f} {:>6} {:>12.1f} {:>11.3f} {:>11.3f}\n", r.label,
                             p.areaUm2, p.areaNand2, p.delayPs, p.flops, p.areaUm2 / r.terms, p.areaUm2 / area0,
                             p.delayPs / delay0)
              << std::flush;
  }
}

}  // namespace
}  // namespace nf

int main(int argc, char** argv) {
  using nf::Row;
  int only = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = std::atoi(argv[++i]);
    else {
      std::cerr << "usage: bench_accum [--only 4|16]\n";
      return 2;
    }
  }
  try {
    std::cout << "PPA (Yosys 0.23 + ABC, NanGate45 typical), rtz for align as the hardware it emulates, rne otherwise";
    for (int n : {4, 16}) {
      if (only && n != only) continue;
      const std::string N = std::to_string(n);
      const std::vector<std::string> base = {"--n", N, "--a", "e4m3", "--out", "fp32"};
      auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> v = base;
        v.insert(v.end(), extra.begin(), extra.end());
        return v;
      };
      nf::table(fmt::format("fdot N={} e4m3 x e4m3 -> fp32 (ratios against chained FMAs):", n),
                {Row{"chain (N fused multiply-adds)", "fdot", with({"--accum", "chain"}), n},
                 Row{"exact (one rounding)", "fdot", with({"--accum", "exact"}), n},
                 Row{"align F=24", "fdot", with({"--accum", "align", "--align-bits", "24"}), n},
                 Row{"align F=13", "fdot", with({"--accum", "align", "--align-bits", "13"}), n}});
    }
    if (!only)
      nf::table("bf16 MAC into an fp32 read-out, one term per cycle (ratios against the rounding MAC):",
                {Row{"facc --mac (fp32 accumulator)", "facc", {"--a", "bf16", "--b", "bf16", "--out", "fp32", "--mac"}, 1},
                 Row{"kulisch, 16 carry bits", "kulisch", {"--a", "bf16", "--b", "bf16", "--out", "fp32"}, 1},
                 Row{"kulisch, e4m3 products, 16 carry", "kulisch", {"--a", "e4m3", "--b", "e4m3", "--out", "fp32"}, 1}});
  } catch (const std::exception& e) {
    std::cerr << "bench_accum: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
