// pareto.svg and roofline.svg: plain SVG 1.1 text, no script, so they also open on their own; the HTML inlines
// them and attaches its hover labels to the circles' data-row attributes.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "synth/sweep_report.h"

namespace nf::sweep {
namespace {

struct Pt {
  double x, y;
  size_t row;
  std::string label;
};

std::optional<double> figure(const nlohmann::json& r, const char* name) {
  if (r.value("status", "") != "ok" || !r.contains("figures")) return std::nullopt;
  const nlohmann::json& f = r["figures"];
  if (!f.contains(name) || !f[name].is_number()) return std::nullopt;
  return f[name].get<double>();
}

std::string labelOf(const nlohmann::json& r) {
  std::string params;
  for (const auto& [k, v] : paramsOf(r).items())
    params += fmt::format("{}{}={}", params.empty() ? "" : " ", k, v.get<std::string>());
  return fmt::format("{} {} ({})", r.value("operator", ""), params, r.value("module", ""));
}

// Indices of the points no other point beats on both axes (x minimized; y minimized or maximized).
std::vector<size_t> paretoFront(const std::vector<Pt>& pts, bool maximizeY) {
  std::vector<size_t> front;
  for (size_t i = 0; i < pts.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < pts.size() && !dominated; ++j) {
      const double yi = maximizeY ? -pts[i].y : pts[i].y, yj = maximizeY ? -pts[j].y : pts[j].y;
      dominated = pts[j].x <= pts[i].x && yj <= yi && (pts[j].x < pts[i].x || yj < yi);
    }
    if (!dominated) front.push_back(i);
  }
  std::sort(front.begin(), front.end(), [&](size_t a, size_t b) { return pts[a].x < pts[b].x; });
  return front;
}

// Maps values to pixels on a linear or log10 axis padded by 5 %.
struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  double p0 = 0, p1 = 1;  // pixel range
  static Axis fit(std::vector<double> v, bool log, double p0, double p1) {
    Axis a;
    a.log = log;
    a.p0 = p0, a.p1 = p1;
    if (log)
      for (double& x : v) x = std::log10(std::max(x, 1e-300));
    if (v.empty()) v = {0, 1};
    a.lo = *std::min_element(v.begin(), v.end()), a.hi = *std::max_element(v.begin(), v.end());
    if (a.hi - a.lo < 1e-12) a.lo -= 0.5, a.hi += 0.5;
    const double pad = 0.05 * (a.hi - a.lo);
    a.lo -= pad, a.hi += pad;
    return a;
  }
  double px(double x) const {
    const double t = ((log ? std::log10(std::max(x, 1e-300)) : x) - lo) / (hi - lo);
    return p0 + t * (p1 - p0);
  }
  std::string tick(double t) const {  // the value at fraction t of the axis
    const double v = lo + t * (hi - lo);
    return fmt::format("{:.3g}", log ? std::pow(10.0, v) : v);
  }
};

void axes(std::string& s, double x, double y, double w, double h, const Axis& ax, const Axis& ay,
          const std::string& title, const std::string& xl, const std::string& yl) {
  s += fmt::format("<g class=\"panel\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fff\" stroke=\"#888\"/>\n",
                   x, y, w, h);
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>\n", x + w / 2, y - 8,
                   xmlEscape(title));
  for (int i = 0; i <= 4; ++i) {
    const double t = i / 4.0, tx = x + t * w, ty = y + h - t * h;
    s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{}</text>\n", tx, y + h + 14, ax.tick(t));
    s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{}</text>\n", x - 4, ty + 3, ay.tick(t));
  }
  s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n", x + w / 2, y + h + 30,
                   xmlEscape(xl));
  s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 {} {})\">{}</text></g>\n",
                   x - 42, y + h / 2, x - 42, y + h / 2, xmlEscape(yl));
}

void scatter(std::string& s, double x, double y, double w, double h, const std::vector<Pt>& pts, bool maximizeY,
             const std::string& title, const std::string& xl, const std::string& yl, const std::string& pending) {
  std::vector<double> xs, ys;
  for (const Pt& p : pts) xs.push_back(p.x), ys.push_back(p.y);
  const Axis ax = Axis::fit(xs, false, x, x + w), ay = Axis::fit(ys, false, y + h, y);
  axes(s, x, y, w, h, ax, ay, title, xl, yl);
  if (pts.empty()) {
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#a33\">{}</text>\n", x + w / 2, y + h / 2,
                     xmlEscape(pending));
    return;
  }
  const std::vector<size_t> front = paretoFront(pts, maximizeY);
  std::string line;
  for (size_t i : front) line += fmt::format("{:.1f},{:.1f} ", ax.px(pts[i].x), ay.px(pts[i].y));
  s += fmt::format("<polyline class=\"front\" points=\"{}\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\"/>\n", line);
  for (size_t i = 0; i < pts.size(); ++i) {
    const bool onFront = std::find(front.begin(), front.end(), i) != front.end();
    s += fmt::format("<circle class=\"pt{}\" data-row=\"{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\"><title>{}: {} = {:.4g}, "
                     "{} = {:.4g}</title></circle>\n",
                     onFront ? " front" : "", pts[i].row, ax.px(pts[i].x), ay.px(pts[i].y), onFront ? 5 : 3.5,
                     onFront ? "#d62728" : "#1f77b4", xmlEscape(pts[i].label), xmlEscape(xl), pts[i].x, xmlEscape(yl), pts[i].y);
  }
}

std::vector<Pt> pointsOf(const std::vector<nlohmann::json>& records, const char* xf, const char* yf) {
  std::vector<Pt> pts;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto x = figure(records[i], xf), y = figure(records[i], yf);
    if (x && y) pts.push_back({*x, *y, i, labelOf(records[i])});
  }
  return pts;
}

}  // namespace

std::string paretoSvg(const std::vector<nlohmann::json>& records) {
  std::string s =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1140\" height=\"380\" viewBox=\"0 0 1140 380\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"1140\" height=\"380\" fill=\"#f8f8f8\"/>\n";
  // Delay: the sign-off figure (OpenSTA) where there is one, else ABC's.
  std::vector<nlohmann::json> delayed = records;
  for (nlohmann::json& r : delayed)
    if (r.contains("figures") && r["figures"].value("sta_delay_ps", 0.0) <= 0 && r["figures"].contains("abc_delay_ps"))
      r["figures"]["sta_delay_ps"] = r["figures"]["abc_delay_ps"];
  scatter(s, 70, 40, 290, 280, pointsOf(delayed, "sta_delay_ps", "area_um2"), false, "area vs delay",
          "delay (ps, OpenSTA)", "area (um^2)", "no point has area and delay");
  scatter(s, 440, 40, 290, 280, pointsOf(records, "energy_pj", "accuracy_bits"), true, "energy vs accuracy",
          "energy (pJ/op, first workload)", "accuracy (bits)", "no point has an energy figure");
  scatter(s, 810, 40, 290, 280, pointsOf(records, "area_um2", "accuracy_bits"), true, "area vs accuracy",
          "area (um^2)", "accuracy (bits)", "no point has an accuracy figure");
  s += "<text x=\"10\" y=\"370\" font-size=\"10\" fill=\"#555\">red: Pareto front (smaller x; smaller area or more "
       "accuracy bits). accuracy bits: QSNR/6.02 for quantizers, -log2(p99 relative error) otherwise.</text>\n</svg>\n";
  return s;
}

double bytesPerElement(const RooflineSettings& r, const nlohmann::json& rec) {
  const nlohmann::json& f = rec["figures"];
  return (f.value("element_bits", 32.0) + f.value("scale_bits_per_element", 0.0) +
          f.value("tensor_scale_bits", 0.0) / r.tensorElements) / 8.0;
}

double peakOpsPerSecond(const RooflineSettings& r, const nlohmann::json& rec) {
  const nlohmann::json& f = rec["figures"];
  const double area = f.value("area_um2", 0.0);
  if (area <= 0) return 0;
  const double units = std::floor(r.areaBudgetMm2 * 1e6 / area);
  // A unit slower than the clock runs at its own fmax (the sign-off figure).
  const double fmax = f.value("fmax_mhz", 0.0) * 1e6, clock = r.clockGHz * 1e9;
  const double hz = fmax > 0 ? std::min(clock, fmax) : clock;
  return units * f.value("ops_per_cycle", 1.0) * hz;
}

std::string rooflineSvg(const RooflineSettings& r, const std::vector<nlohmann::json>& records) {
  const double W = 900, H = 420, x0 = 80, y0 = 40, w = 480, h = 320;
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" font-family=\"sans-serif\" "
      "font-size=\"12\">\n<rect width=\"{}\" height=\"{}\" fill=\"#f8f8f8\"/>\n", W, H, W, H, W, H);
  struct Roof {
    double peak, bpe;
    size_t row;
    std::string label;
  };
  std::vector<Roof> roofs;
  for (size_t i = 0; i < records.size(); ++i)
    if (figure(records[i], "area_um2") && peakOpsPerSecond(r, records[i]) > 0)
      roofs.push_back({peakOpsPerSecond(r, records[i]), bytesPerElement(r, records[i]), i, labelOf(records[i])});
  const double bw = r.bandwidthGBs * 1e9;
  std::vector<double> ys = {bw / 16, bw * 1024}, xs = {1.0 / 16, 1024};
  for (const Roof& f : roofs) ys.push_back(f.peak);
  const Axis ax = Axis::fit(xs, true, x0, x0 + w), ay = Axis::fit(ys, true, y0 + h, y0);
  axes(s, x0, y0, w, h, ax, ay,
       fmt::format("roofline: {} mm^2, {} GHz, {} GB/s", r.areaBudgetMm2, r.clockGHz, r.bandwidthGBs),
       "arithmetic intensity (ops/byte)", "attainable ops/s");
  s += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>\n",
                   ax.px(1.0 / 16), ay.px(bw / 16), ax.px(1024), ay.px(bw * 1024));
  static const char* colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  for (size_t k = 0; k < roofs.size(); ++k) {
    const Roof& f = roofs[k];
    const char* c = colors[k % 9];
    const double ridge = f.peak / bw;
    s += fmt::format("<polyline points=\"{:.1f},{:.1f} {:.1f},{:.1f}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.2\"/>\n",
                     ax.px(std::clamp(ridge, 1.0 / 16, 1024.0)), ay.px(std::min(f.peak, bw * 1024)), ax.px(1024),
                     ay.px(std::min(f.peak, bw * 1024)), c);
    // The workload: ops_per_element operations per element fetched, at this format's bytes per element.
    const double ai = r.opsPerElement / f.bpe, got = std::min(f.peak, ai * bw);
    s += fmt::format("<circle class=\"pt\" data-row=\"{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4.5\" fill=\"{}\"><title>{}: {:.4g} "
                     "bytes/element, peak {:.4g} ops/s, workload {:.3g} ops/byte -&gt; {:.4g} ops/s</title></circle>\n",
                     f.row, ax.px(std::clamp(ai, 1.0 / 16, 1024.0)), ay.px(got), c, xmlEscape(f.label), f.bpe, f.peak, ai, got);
    if (k < 14)
      s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"{}\">{} ({:.3g} B/elem)</text>\n", x0 + w + 12,
                       y0 + 12 + 14 * double(k), c, xmlEscape(records[f.row].value("module", "")), f.bpe);
  }
  s += fmt::format("<text x=\"10\" y=\"{}\" font-size=\"10\" fill=\"#555\">dashed: memory roof; lines: each point's "
                   "compute roof (units in the budget x ops/cycle x min(clock, fmax)); dots: the workload at {} ops per "
                   "element</text>\n</svg>\n", H - 10, r.opsPerElement);
  return s;
}

}  // namespace nf::sweep
