#include "synth/sweep_point.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "generators/fcvt.h"
#include "generators/mxquant.h"
#include "generators/nvfp4quant.h"
#include "generators/version.h"
#include "synth/energy.h"
#include "synth/ppa.h"
#include "synth/sta.h"
#include "synth/sweep_accuracy.h"
#include "synth/tool_run.h"
#include "verif/cosim.h"
#include "verif/sim_build.h"

namespace fs = std::filesystem;

namespace nf::sweep {
namespace {

// The first line of `command`'s output that contains `marker` (or its first line), trimmed; "unknown" if the
// tool cannot run. Runs before any point starts, in the sweep's single thread.
std::string firstLine(const std::string& command, const std::string& marker) {
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return "unknown";
  std::string text;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) text.append(buf, n);
  const int status = ::pclose(p);
  std::string first;
  for (std::string_view line : synth::tools::splitLines(text)) {
    line = synth::tools::trim(line);
    if (line.empty()) continue;
    if (first.empty()) first = line;
    if (marker.empty() || line.find(marker) != std::string_view::npos) return std::string(line);
  }
  return status == 0 && !first.empty() ? first : "unknown";
}

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string joinArgs(const std::vector<std::string>& args) {
  std::string s;
  for (const std::string& a : args) s += " " + a;
  return s;
}

nlohmann::json baseRecord(const SweepPoint& p, const std::string& id, const ToolVersions& tools) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : p.params) params[k] = v;
  return {{"id", id},
          {"index", p.index},
          {"operator", p.op},
          {"module", p.module},
          {"params", params},
          {"args", p.canonical},
          {"verify", p.verify.exhaustive ? std::string("exhaustive") : fmt::format("{} random", p.verify.count)},
          {"tools", tools.toJson()},
          {"commands", reproducingCommands(p)},
          {"figures", nlohmann::json::object()},
          {"stage_seconds", nlohmann::json::object()},
          {"status", "ok"}};
}

// What the roofline needs of a unit: operations per cycle (a multiply-add counts two), and per element kept in
// memory its bits plus the block scale's share (MX: 8 bits per K; NVFP4: 8 per 16 and a 32-bit tensor scale).
void rooflineFigures(const Unit& unit, nlohmann::json& fig) {
  int formatted = 0;
  bool hasB = false, hasC = false;
  for (const PortInfo& in : unit.inputs()) {
    formatted += in.format ? 1 : 0;
    hasB = hasB || in.name == "b" || in.name == "b0";
    hasC = hasC || in.name == "c";
  }
  const std::string op = unit.operatorName();
  int ops = formatted;  // quantizers and converters: one operation per element per cycle
  if (op == "fdot") ops = 2 * ((formatted - (hasC ? 1 : 0)) / 2) + (hasC ? 1 : 0);
  if (op == "fma") ops = 2;
  if (op == "fmul" || op == "fadd") ops = 1;
  if (op == "facc" || op == "kulisch") ops = hasB ? 2 : 1;
  fig["ops_per_cycle"] = ops;
  double elementBits = unit.inputs().empty() || !unit.inputs().front().format ? 32 : unit.inputs().front().width;
  double scaleBitsPerBlock = 0, block = 1, tensorScaleBits = 0;
  if (const MxQuantSpec* mx = mxQuantSpecOf(unit)) {
    elementBits = mx->elem.width(), scaleBitsPerBlock = 8, block = mx->block;
  } else if (nvfp4QuantSpecOf(unit)) {
    elementBits = 4, scaleBitsPerBlock = 8, block = 16, tensorScaleBits = 32;
  } else if (const FcvtSpec* cv = fcvtSpecOf(unit)) {
    elementBits = cv->out.width(), tensorScaleBits = 32;
  } else if (op == "mxdequant") {
    elementBits = unit.inputs().back().width, scaleBitsPerBlock = 8, block = formatted - 1;  // scale, q0..
  } else if (op == "nvfp4dequant") {
    elementBits = 4, scaleBitsPerBlock = 8, block = 16, tensorScaleBits = 32;
  }
  fig["element_bits"] = elementBits;
  fig["scale_bits_per_element"] = scaleBitsPerBlock / block;
  fig["tensor_scale_bits"] = tensorScaleBits;
}

}  // namespace

nlohmann::json ToolVersions::toJson() const {
  return {{"numforge", numforge}, {"yosys", yosys}, {"abc", abc}, {"verilator", verilator}, {"opensta", opensta}};
}

std::string ToolVersions::key() const { return fmt::format("{}|{}|{}|{}|{}", numforge, yosys, abc, verilator, opensta); }

ToolVersions readToolVersions() {
  ToolVersions v;
  v.numforge = kNumforgeVersion;
  v.yosys = firstLine("yosys -V", "Yosys");
  v.abc = firstLine("yosys-abc -c version", "UC Berkeley");  // the ABC Yosys runs: Debian's yosys-abc
  v.verilator = firstLine("verilator --version", "Verilator");
  v.opensta = firstLine("sta -version", "");
  return v;
}

std::string pointId(const SweepPoint& p, const ToolVersions& tools) {
  const std::string key = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", p.op, p.canonical, p.clockPs,
                                      p.verify.exhaustive ? std::string("exhaustive") : std::to_string(p.verify.count),
                                      nlohmann::json(p.accuracy.dists).dump(), p.accuracy.samples,
                                      nlohmann::json(p.energy.workloads).dump(), p.energy.vectors, p.seed, tools.key());
  // Two differently seeded 64-bit hashes: 128 bits, so distinct points never share a directory in practice.
  return fmt::format("{:016x}{:016x}", verif::fnv1a64(key), verif::fnv1a64(key, 0x9e3779b97f4a7c15ull));
}

nlohmann::json reproducingCommands(const SweepPoint& p) {
  const std::string args = joinArgs(p.args);
  const std::string verify = p.verify.exhaustive ? " --exhaustive" : fmt::format(" --count {} --seed {}", p.verify.count, p.seed);
  const std::string ppa = fmt::format("numforge ppa {}{}{}", p.op, args,
                                      p.clockPs > 0 ? fmt::format(" --clock-ps {}", p.clockPs) : "");
  auto power = [&](const std::string& w) { return fmt::format("{} --power --workload {} --vectors {}", ppa, w, p.energy.vectors); };
  nlohmann::json c = {{"gen", fmt::format("numforge gen {}{} -o .", p.op, args)},
                      {"verify", fmt::format("numforge verify {}{}{}", p.op, args, verify)},
                      {"ppa", p.energy.workloads.empty() ? ppa : power(p.energy.workloads.front())}};
  if (p.energy.workloads.size() > 1) {
    c["power"] = nlohmann::json::array();
    for (const std::string& w : p.energy.workloads) c["power"].push_back(power(w));
  }
  if (p.op == "mxquant" || p.op == "nvfp4quant" || p.op == "fcvt")
    c["accuracy"] = fmt::format("numforge accuracy {}{} --dist {} --samples {} --seed {}", p.op, args,
                                p.accuracy.dists.front(), p.accuracy.samples, p.seed);
  return c;
}

void writeAtomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.parent_path() / fmt::format(".{}.tmp.{}", path.filename().string(), ::getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    f.flush();
    if (!f) throw std::runtime_error(fmt::format("cannot write {}", tmp.string()));
  }
  fs::rename(tmp, path);
}

nlohmann::json failedRecord(const SweepPoint& p, const std::string& id, const ToolVersions& tools,
                            const std::string& stage, const std::string& message) {
  nlohmann::json r = baseRecord(p, id, tools);
  r["status"] = "failed";
  r["failed_stage"] = stage;
  r["message"] = message;
  return r;
}

nlohmann::json runPoint(const SweepPoint& p, const std::string& id, const ToolVersions& tools, const fs::path& dir,
                        const PointRunOptions& opt) {
  nlohmann::json r = baseRecord(p, id, tools);
  nlohmann::json& fig = r["figures"];
  nlohmann::json& sec = r["stage_seconds"];
  std::string stage = "generate";
  try {
    fs::create_directories(dir);
    auto t0 = std::chrono::steady_clock::now();
    const std::unique_ptr<Unit> unit = buildUnit(p.op, p.args);
    const GeneratedModule m = unit->emit();
    writeAtomically(dir / (m.name + ".v"), m.verilog);
    writeAtomically(dir / (m.name + ".json"), m.manifest.dump(2) + "\n");
    r["files"] = {{"verilog", m.name + ".v"}, {"manifest", m.name + ".json"}};
    sec["generate"] = secondsSince(t0);

    stage = "verify";
    verif::CosimOptions co;
    co.mode = p.verify.exhaustive ? verif::CosimOptions::Mode::Exhaustive : verif::CosimOptions::Mode::Random;
    co.count = p.verify.count;
    co.seed = p.seed;
    co.threads = opt.threads;
    co.build.jobs = 1;
    co.build.quickBuild = !p.verify.exhaustive && p.verify.count <= 2'000'000;  // -O1: the build dominates
    const verif::CosimReport cr = verif::runCosim(*unit, co);
    sec["verilate"] = cr.buildSeconds;
    sec["simulate"] = cr.seconds;
    fig["verify_vectors"] = cr.vectors;
    fig["verify_mismatches"] = cr.mismatches;
    if (cr.mismatches) {
      r["status"] = "failed";
      r["failed_stage"] = stage;
      r["message"] = fmt::format("{} mismatches in {} vectors; first:\n{}", cr.mismatches, cr.vectors, cr.firstMismatch);
      return r;
    }

    stage = "synthesize";
    t0 = std::chrono::steady_clock::now();
    synth::PpaOptions po;
    po.cellModels = !p.energy.workloads.empty();  // the gate-level simulation of the energy stage needs them
    const synth::PpaResult ppa = synth::runPpa(m.verilog, m.name, po);
    synth::tools::writeFile(dir / "yosys.log", ppa.yosysLog);
    synth::tools::writeFile(dir / "netlist.v", ppa.netlistVerilog);
    sec["synthesize"] = secondsSince(t0);
    fig["area_um2"] = ppa.areaUm2;
    fig["area_nand2"] = ppa.areaNand2;
    fig["cells"] = ppa.cells;
    fig["flops"] = ppa.flops;
    fig["abc_delay_ps"] = ppa.delayPs;
    fig["latency"] = unit->latency();
    rooflineFigures(*unit, fig);

    stage = "time";
    t0 = std::chrono::steady_clock::now();
    synth::StaOptions so;
    so.clockPs = p.clockPs;
    const synth::StaResult sta = synth::runSta(ppa.netlistVerilog, m.name, so);
    synth::tools::writeFile(dir / "sta.log", sta.report);
    r["files"]["logs"] = {"yosys.log", "sta.log"};
    r["files"]["netlist"] = "netlist.v";
    sec["time"] = secondsSince(t0);
    fig["sta_clock_ps"] = sta.clockPs;
    fig["fmax_mhz"] = sta.fmaxMHz;
    fig["worst_slack_ps"] = sta.worstSlackPs;
    fig["sta_delay_ps"] = sta.stages.empty() ? 0.0 : sta.stages.front().delayPs;

    // Energy per operation on each workload, exactly as `ppa --power` measures it: the same mapped netlist and
    // cell models, the sign-off clock, the workload's vectors (seed 1, as ppa uses).
    stage = "power";
    t0 = std::chrono::steady_clock::now();
    fig["energy_pj"] = nullptr;
    r["energy"] = nlohmann::json::object();
    for (const std::string& w : p.energy.workloads) {
      synth::EnergyOptions eo;
      eo.workload = w;
      eo.vectors = p.energy.vectors;
      eo.power.clockPs = sta.clockPs;
      const synth::EnergyResult e = synth::measureEnergy(*unit, ppa, eo);
      nlohmann::json j = synth::toJson(e);
      r["energy"][w] = j;
      if (fig["energy_pj"].is_null()) fig["energy_pj"] = e.pjPerOp;  // the plots' energy axis: the first workload
    }
    if (!p.energy.workloads.empty()) sec["power"] = secondsSince(t0);

    stage = "accuracy";
    t0 = std::chrono::steady_clock::now();
    r["accuracy"] = measureAccuracy(*unit, p.accuracy, p.seed, opt.threads);
    sec["accuracy"] = secondsSince(t0);
    fig["accuracy_bits"] = r["accuracy"].value("accuracy_bits", nlohmann::json(nullptr));
  } catch (const std::exception& e) {
    r["status"] = "failed";
    r["failed_stage"] = stage;
    r["message"] = e.what();
  }
  return r;
}

}  // namespace nf::sweep
