#include "synth/sweep_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace fs = std::filesystem;

namespace nf::sweep {
namespace {

// The figures every row has, in this order (empty when a point did not get that far); energy_pj is the first
// workload's pJ per operation, each workload's own follows as energy_<workload>_pj.
constexpr const char* kFigures[] = {"area_um2",     "area_nand2",     "cells",        "flops",         "latency",
                                    "abc_delay_ps", "sta_clock_ps",   "sta_delay_ps", "fmax_mhz",      "worst_slack_ps",
                                    "energy_pj",    "accuracy_bits",  "ops_per_cycle", "element_bits", "scale_bits_per_element",
                                    "tensor_scale_bits",                                     "verify_vectors"};
constexpr const char* kStages[] = {"generate", "verilate", "simulate", "synthesize", "time", "power", "accuracy"};
constexpr const char* kTools[] = {"numforge", "yosys", "abc", "verilator", "opensta"};
constexpr const char* kCommands[] = {"gen", "verify", "ppa", "accuracy"};

std::string cell(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return fmt::format("{:.6g}", v.get<double>());
  return v.dump();
}

const nlohmann::json& at(const nlohmann::json& j, const char* a, const std::string& b) {
  static const nlohmann::json null;
  if (!j.contains(a) || !j[a].is_object() || !j[a].contains(b)) return null;
  return j[a][b];
}

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

const nlohmann::json& paramsOf(const nlohmann::json& r) {
  static const nlohmann::json empty = nlohmann::json::object();
  return r.contains("params") && r["params"].is_object() ? r["params"] : empty;
}

std::string xmlEscape(const std::string& s) {
  std::string o;
  for (char c : s) o += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : c == '"' ? "&quot;" : std::string(1, c);
  return o;
}

int Table::column(const std::string& name) const {
  const auto it = std::find(columns.begin(), columns.end(), name);
  return it == columns.end() ? -1 : int(it - columns.begin());
}

Table flatten(const std::vector<nlohmann::json>& records) {
  // Parameters and accuracy figures: the union over all points, in first-seen order.
  std::vector<std::string> params, accuracy, workloads;
  auto addOnce = [](std::vector<std::string>& v, const std::string& x) {
    if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
  };
  for (const nlohmann::json& r : records) {
    for (const auto& [k, v] : paramsOf(r).items()) addOnce(params, k);
    if (r.contains("energy") && r["energy"].is_object())
      for (const auto& [w, e] : r["energy"].items()) addOnce(workloads, w);
    if (r.contains("accuracy") && r["accuracy"].contains("dists"))
      for (const auto& [d, figs] : r["accuracy"]["dists"].items())
        for (const auto& [f, v] : figs.items()) {
          addOnce(accuracy, fmt::format("acc_{}_{}", d, f));
        }
  }
  Table t;
  t.columns = {"index", "id", "operator", "module", "status"};
  for (const std::string& p : params) t.columns.push_back(p);
  for (const char* f : kFigures) t.columns.push_back(f);
  for (const std::string& w : workloads) t.columns.push_back(fmt::format("energy_{}_pj", w));
  for (const std::string& a : accuracy) t.columns.push_back(a);
  for (const char* s : kStages) t.columns.push_back(fmt::format("seconds_{}", s));
  t.columns.insert(t.columns.end(), {"failed_stage", "message"});
  for (const char* tool : kTools) t.columns.push_back(fmt::format("{}_version", tool));
  for (const char* c : kCommands) t.columns.push_back(fmt::format("cmd_{}", c));
  for (const nlohmann::json& r : records) {
    std::vector<std::string> row = {cell(r.value("index", nlohmann::json())), r.value("id", ""), r.value("operator", ""),
                                    r.value("module", ""), r.value("status", "")};
    for (const std::string& p : params) row.push_back(cell(at(r, "params", p)));
    for (const char* f : kFigures) row.push_back(cell(at(r, "figures", f)));
    for (const std::string& w : workloads) row.push_back(cell(at(r, "energy", w).is_object() ? at(r, "energy", w)["pj_per_op"] : nlohmann::json()));
    for (const std::string& a : accuracy) {
      std::string value;
      if (r.contains("accuracy") && r["accuracy"].contains("dists"))
        for (const auto& [d, figs] : r["accuracy"]["dists"].items())
          for (const auto& [f, v] : figs.items())
            if (fmt::format("acc_{}_{}", d, f) == a) value = cell(v);
      row.push_back(value);
    }
    for (const char* s : kStages) row.push_back(cell(at(r, "stage_seconds", s)));
    row.push_back(r.value("failed_stage", ""));
    row.push_back(r.value("message", ""));
    for (const char* tool : kTools) row.push_back(cell(at(r, "tools", tool)));
    for (const char* c : kCommands) row.push_back(cell(at(r, "commands", c)));
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string resultsCsv(const Table& t) {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) out += ',';
      out += csvField(cells[i]);
    }
    out += "\n";
  };
  line(t.columns);
  for (const auto& r : t.rows) line(r);
  return out;
}

nlohmann::json resultsJson(const SweepConfig& cfg, const ToolVersions& tools, const std::vector<nlohmann::json>& records) {
  return {{"sweep", cfg.name},
          {"config", cfg.path},
          {"tools", tools.toJson()},
          {"energy", "pJ per operation of the mapped netlist simulated on each workload, powered by OpenSTA at the "
                     "sign-off clock (ppa --power); energy_pj: the first workload"},
          {"roofline",
           {{"area_budget_mm2", cfg.roofline.areaBudgetMm2},
            {"clock_ghz", cfg.roofline.clockGHz},
            {"bandwidth_gbs", cfg.roofline.bandwidthGBs},
            {"ops_per_element", cfg.roofline.opsPerElement},
            {"tensor_elements", cfg.roofline.tensorElements}}},
          {"points", records}};
}

size_t writeReport(const SweepConfig& cfg, const ToolVersions& tools, const std::vector<nlohmann::json>& records,
                   const fs::path& out) {
  const Table t = flatten(records);
  const std::string pareto = paretoSvg(records), roofline = rooflineSvg(cfg.roofline, records);
  writeAtomically(out / "results.csv", resultsCsv(t));
  writeAtomically(out / "results.json", resultsJson(cfg, tools, records).dump(2) + "\n");
  writeAtomically(out / "pareto.svg", pareto);
  writeAtomically(out / "roofline.svg", roofline);
  writeAtomically(out / "index.html", indexHtml(cfg, tools, records, t, pareto, roofline));
  return size_t(std::count_if(records.begin(), records.end(),
                              [](const nlohmann::json& r) { return r.value("status", "") != "ok"; }));
}

}  // namespace nf::sweep
