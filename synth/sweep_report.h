// The sweep's report from its point records: results.csv and results.json (one row per point: every parameter,
// figure, tool version and reproducing command), pareto.svg, roofline.svg and a self-contained index.html.
// Every file is written through a temporary name and a rename, so an interrupted run never leaves a truncated one.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "synth/sweep_config.h"
#include "synth/sweep_point.h"

namespace nf::sweep {

// A record's "params" object (an empty one when it has none), by reference: safe to range-for over.
const nlohmann::json& paramsOf(const nlohmann::json& record);
// Text with <, >, & and " escaped for XML and HTML.
std::string xmlEscape(const std::string& s);

// The flat table: column names, then one row of cells (text) per record, in order.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  int column(const std::string& name) const;  // -1 if absent
};
Table flatten(const std::vector<nlohmann::json>& records);

std::string resultsCsv(const Table& t);
nlohmann::json resultsJson(const SweepConfig& cfg, const ToolVersions& tools, const std::vector<nlohmann::json>& records);

// Three panels: area vs delay, energy vs accuracy, area vs accuracy; Pareto fronts highlighted, every point a
// <circle data-row="i"> with a <title> (the HTML's hover label).
std::string paretoSvg(const std::vector<nlohmann::json>& records);
// Attainable operations per second of an area budget filled with each point's unit, against arithmetic
// intensity, under the config's memory bandwidth; bytes per element include block-scale overhead.
std::string rooflineSvg(const RooflineSettings& r, const std::vector<nlohmann::json>& records);
// The roofline figures of one record (for the table): bytes per element and peak operations per second.
double bytesPerElement(const RooflineSettings& r, const nlohmann::json& record);
double peakOpsPerSecond(const RooflineSettings& r, const nlohmann::json& record);

std::string indexHtml(const SweepConfig& cfg, const ToolVersions& tools, const std::vector<nlohmann::json>& records,
                      const Table& t, const std::string& paretoSvgText, const std::string& rooflineSvgText);

// Writes every report file into out; returns the number of points that did not succeed.
size_t writeReport(const SweepConfig& cfg, const ToolVersions& tools, const std::vector<nlohmann::json>& records,
                   const std::filesystem::path& out);

}  // namespace nf::sweep
