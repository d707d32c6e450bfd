#include "synth/ppa.h"

#include "synth/tool_run.h"

#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace nf::synth {
namespace {

namespace fs = std::filesystem;
using namespace tools;

constexpr int kLogTailLines = 20;

struct StatFigures {
  std::optional<double> area;
  std::optional<int> cells;
  int flops = 0;
};

// stat prints one "=== name ===" section per module; after -flatten only the top should exist, but reading
// the top's own section keeps a stray leftover module from being counted.
StatFigures parseStat(std::string_view text, const std::string& top) {
  StatFigures fig;
  std::vector<std::string_view> lines = splitLines(text);
  const std::string header = fmt::format("=== {} ===", top);
  size_t i = 0;
  while (i < lines.size() && trim(lines[i]) != header) ++i;
  if (i == lines.size()) return fig;
  const std::string areaEscaped = fmt::format("Chip area for module '\\{}':", top);
  const std::string areaPlain = fmt::format("Chip area for module '{}':", top);
  for (++i; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    if (line.starts_with("===") || line.starts_with("design hierarchy")) break;
    if (line.starts_with("Number of cells:")) {
      fig.cells = parseInt(line.substr(std::string_view("Number of cells:").size()));
      // The per-type breakdown follows, one "TYPE COUNT" line each, up to a blank line.
      for (; i + 1 < lines.size(); ++i) {
        std::string_view entry = trim(lines[i + 1]);
        size_t sp = entry.find_first_of(" \t");
        if (entry.empty() || sp == std::string_view::npos) break;
        std::optional<int> n = parseInt(entry.substr(sp));
        if (!n) break;
        std::string_view type = entry.substr(0, sp);
        if (type.starts_with("DFF") || type.starts_with("SDFF")) fig.flops += *n;
      }
    } else if (line.starts_with(areaEscaped)) {
      fig.area = parseDouble(line.substr(areaEscaped.size()));
    } else if (line.starts_with(areaPlain)) {
      fig.area = parseDouble(line.substr(areaPlain.size()));
    }
  }
  return fig;
}

// ABC reports "Delay = <x> ps" for the netlist it mapped against the liberty; only our final `abc` pass uses
// the liberty, so only lines after the last ABC pass header count. If that pass had no combinational logic
// to map (e.g. registers wired straight through), Yosys says so and the critical path is zero.
std::optional<double> parseDelay(std::string_view log) {
  size_t start = log.rfind("Executing ABC pass");
  if (start == std::string_view::npos) return std::nullopt;
  std::string_view lastPass = log.substr(start);
  std::optional<double> delay;
  for (std::string_view line : splitLines(lastPass)) {
    size_t at = line.find("Delay =");
    if (at == std::string_view::npos) continue;
    std::string_view rest = trim(line.substr(at + std::string_view("Delay =").size()));
    size_t end = rest.find_first_of(" \t");
    if (end == std::string_view::npos || !trim(rest.substr(end)).starts_with("ps")) continue;
    if (auto v = parseDouble(rest.substr(0, end))) delay = v;
  }
  if (!delay && lastPass.find("Don't call ABC as there is nothing to map.") != std::string_view::npos) return 0.0;
  return delay;
}

}  // namespace

std::string defaultLiberty() {
  return std::string(NF_SOURCE_DIR) + "/synth/nangate45/NangateOpenCellLibrary_typical.lib";
}

std::string defaultConstraints() { return std::string(NF_SOURCE_DIR) + "/constraints/nangate45_typical.constr"; }

PpaResult runPpa(const std::string& verilogText, const std::string& topModule, const PpaOptions& opt) {
  // The name is spliced into the script and the stat section header, so only plain identifiers are safe.
  if (!isPlainIdentifier(topModule))
    throw PpaError(fmt::format("top module name '{}' is not a plain Verilog identifier", topModule));
  const fs::path liberty = checkedInputFile(opt.liberty, defaultLiberty(), "liberty");
  const fs::path constraints = checkedInputFile(opt.constraints, defaultConstraints(), "constraints");
  if (liberty.extension() == ".gz")
    throw PpaError(fmt::format("liberty file '{}' is gzipped; ABC in Yosys 0.23 needs it uncompressed",
                               liberty.string()));

  WorkDir work(opt.keepWorkDir);
  const std::string lib = liberty.string();
  std::string script = fmt::format(
      "read_liberty -lib \"{0}\"\n"
      "read_verilog design.v\n"
      "synth -top {1} -flatten\n"
      "dfflibmap -liberty \"{0}\"\n"
      "abc -constr \"{2}\" -liberty \"{0}\"\n"
      "opt_clean -purge\n"
      "hilomap -hicell LOGIC1_X1 Z -locell LOGIC0_X1 Z\n"
      "tee -q -o stat.txt stat -liberty \"{0}\"\n"
      // OpenSTA 2.0.17 cannot parse a concatenated assign: split every bus so each assign is one bit.
      "splitnets\n"
      "opt_clean -purge\n"
      "write_verilog -noattr netlist.v\n",
      lib, topModule, constraints.string());
  // Simulation models of the cells, from the liberty's `function` attributes: no hand-written cell behaviour.
  if (opt.cellModels)
    script += fmt::format("design -reset\nread_liberty -ignore_miss_func \"{}\"\nwrite_verilog -noattr cells.v\n", lib);
  if (!writeFile(work.path() / "design.v", verilogText) || !writeFile(work.path() / "flow.ys", script))
    throw PpaError(fmt::format("cannot write the design and script into '{}'", work.path().string()));

  ExitStatus st = spawnAndWait({"yosys", opt.yosys, "install Yosys 0.23 or set PpaOptions::yosys"}, {"-q", "-l", "yosys.log", "-s", "flow.ys"}, work.path(), "yosys.out");

  PpaResult r;
  r.yosysLog = readFile(work.path() / "yosys.log").value_or("");
  if (!st.exited || st.code != 0) {
    // Yosys writes its log only after start-up; if that never happened the console output is all there is.
    std::string_view evidence = r.yosysLog;
    std::string console;
    if (trim(evidence).empty()) {
      console = readFile(work.path() / "yosys.out").value_or("");
      evidence = console;
    }
    throw PpaError(fmt::format("yosys failed ({}) synthesizing top module '{}'{}; last lines of the Yosys log:\n{}",
                               st.describe(), topModule, work.note(), tail(evidence, kLogTailLines)));
  }

  std::optional<std::string> stat = readFile(work.path() / "stat.txt");
  if (!stat)
    throw PpaError(fmt::format("yosys succeeded but wrote no stat.txt for top module '{}'{}; last lines of the "
                               "Yosys log:\n{}",
                               topModule, work.note(), tail(r.yosysLog, kLogTailLines)));
  StatFigures fig = parseStat(*stat, topModule);
  // stat omits the area line when the design has no cells at all (only wires): its area is then truly zero.
  if (!fig.area && fig.cells == 0) fig.area = 0.0;
  if (!fig.area || !fig.cells)
    throw PpaError(fmt::format("the Yosys stat report lacks the {} of top module '{}'{}; report:\n{}",
                               !fig.area ? "\"Chip area for module\" line" : "\"Number of cells:\" line", topModule,
                               work.note(), tail(*stat, kLogTailLines)));
  std::optional<double> delay = parseDelay(r.yosysLog);
  if (!delay)
    throw PpaError(fmt::format("the Yosys log has no ABC \"Delay = ... ps\" line for top module '{}'{}; last lines "
                               "of the Yosys log:\n{}",
                               topModule, work.note(), tail(r.yosysLog, kLogTailLines)));

  std::optional<std::string> netlist = readFile(work.path() / "netlist.v");
  if (!netlist)
    throw PpaError(fmt::format("yosys succeeded but wrote no netlist.v for top module '{}'{}", topModule, work.note()));
  r.netlistVerilog = std::move(*netlist);
  if (opt.cellModels) {
    std::optional<std::string> cells = readFile(work.path() / "cells.v");
    if (!cells) throw PpaError(fmt::format("yosys succeeded but wrote no cells.v{}", work.note()));
    r.cellModelsVerilog = std::move(*cells);
  }
  r.areaUm2 = *fig.area;
  r.areaNand2 = r.areaUm2 / kNand2AreaUm2;
  r.cells = *fig.cells;
  r.flops = fig.flops;
  r.delayPs = *delay;
  return r;
}

std::string gateLevelVerilog(const std::string& verilogText, const std::string& topModule, PpaOptions opt) {
  opt.cellModels = true;
  return runPpa(verilogText, topModule, opt).simulationVerilog();
}

nlohmann::json toJson(const PpaResult& r) {
  return {{"area_um2", r.areaUm2}, {"area_nand2", r.areaNand2}, {"cells", r.cells}, {"flops", r.flops},
          {"delay_ps", r.delayPs}};
}

}  // namespace nf::synth
