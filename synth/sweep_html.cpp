// index.html: one self-contained page (no network, no external script or style): the table rendered in HTML
// (readable without script), a small script that sorts (click a header, or #sort=<column>[&dir=desc] in the URL)
// and filters it, the two SVGs inlined with hover labels tied to the table rows, and per point links to its
// Verilog, manifest, logs and result record. Script errors are shown on the page (#errors).
#include <fmt/format.h>

#include "synth/sweep_report.h"

namespace nf::sweep {
namespace {

std::string esc(const std::string& s) { return xmlEscape(s); }

constexpr const char* kStyle = R"(
body{font-family:sans-serif;margin:16px;color:#222}
table{border-collapse:collapse;font-size:12px}
th,td{border:1px solid #ccc;padding:2px 6px;white-space:nowrap}
th{background:#eee;cursor:pointer;position:sticky;top:0}
th.asc::after{content:" \25b2"}th.desc::after{content:" \25bc"}
tr.failed td{background:#fdd}tr.hl td{background:#ffd}
#errors{color:#a00}
.wrap{overflow:auto;max-height:480px}
circle.hl{stroke:#000;stroke-width:2}
)";

// Sorting compares numbers as numbers and text as text; empty cells go last either way.
constexpr const char* kScript = R"(
(function(){
var errs=document.getElementById('errors');
window.addEventListener('error',function(e){errs.textContent+=String(e.message)+'\n';});
var table=document.getElementById('results'),body=table.tBodies[0],heads=table.tHead.rows[0].cells;
function key(row,i){var t=row.cells[i].textContent;var n=parseFloat(t);return t===''?null:(isNaN(n)||!/^[-+0-9.eE]+$/.test(t)?t:n);}
function sortBy(i,dir){
  var rows=Array.prototype.slice.call(body.rows);
  rows.sort(function(a,b){var x=key(a,i),y=key(b,i);
    if(x===null)return y===null?0:1;if(y===null)return -1;
    if(typeof x!==typeof y){x=String(x);y=String(y);}
    return (x<y?-1:x>y?1:0)*(dir==='desc'?-1:1);});
  rows.forEach(function(r){body.appendChild(r);});
  for(var k=0;k<heads.length;k++)heads[k].className='';
  heads[i].className=dir;document.body.setAttribute('data-sorted',heads[i].textContent+' '+dir);}
for(var i=0;i<heads.length;i++)(function(i){heads[i].addEventListener('click',function(){
  sortBy(i,heads[i].className==='asc'?'desc':'asc');});})(i);
document.getElementById('filter').addEventListener('input',function(e){
  var q=e.target.value.toLowerCase().split(/\s+/).filter(function(s){return s;});
  Array.prototype.forEach.call(body.rows,function(r){var t=r.textContent.toLowerCase();
    r.style.display=q.every(function(w){return t.indexOf(w)>=0;})?'':'none';});});
function highlight(row,on){
  Array.prototype.forEach.call(document.querySelectorAll('[data-row="'+row+'"]'),function(el){
    if(el.tagName==='TR')el.classList.toggle('hl',on);else el.classList.toggle('hl',on);});
  var tip=document.getElementById('tip'),r=body.querySelector('tr[data-row="'+row+'"]');
  tip.textContent=on&&r?r.getAttribute('data-label'):'';}
Array.prototype.forEach.call(document.querySelectorAll('svg [data-row]'),function(c){
  c.addEventListener('mouseenter',function(){highlight(c.getAttribute('data-row'),true);});
  c.addEventListener('mouseleave',function(){highlight(c.getAttribute('data-row'),false);});});
var m=/sort=([^&]+)(?:&dir=(asc|desc))?/.exec(location.hash);
if(m){for(var k=0;k<heads.length;k++)if(heads[k].textContent===decodeURIComponent(m[1]))sortBy(k,m[2]||'asc');}
document.body.setAttribute('data-ready','1');
})();
)";

}  // namespace

std::string indexHtml(const SweepConfig& cfg, const ToolVersions& tools, const std::vector<nlohmann::json>& records,
                      const Table& t, const std::string& paretoSvgText, const std::string& rooflineSvgText) {
  size_t ok = 0;
  for (const nlohmann::json& r : records) ok += r.value("status", "") == "ok" ? 1 : 0;
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  h += fmt::format("<title>numforge sweep {}</title>\n<style>{}</style></head><body>\n", esc(cfg.name), kStyle);
  h += fmt::format("<h1>numforge sweep {}</h1>\n<p>{} points, {} ok, {} failed or missing. Config: {}. Tools: {}, {}, {}, "
                   "{}, OpenSTA {}. Energy: pJ per operation on each point's workloads (ppa --power).</p>\n",
                   esc(cfg.name), records.size(), ok, records.size() - ok, esc(cfg.path), esc(tools.numforge),
                   esc(tools.yosys), esc(tools.abc), esc(tools.verilator), esc(tools.opensta));
  h += "<pre id=\"errors\"></pre>\n<div>" + paretoSvgText + "</div>\n<div>" + rooflineSvgText + "</div>\n";
  h += "<p id=\"tip\" style=\"min-height:1.2em;font-weight:bold\"></p>\n";
  h += "<p>Filter: <input id=\"filter\" size=\"40\" placeholder=\"words every shown row contains\"> (click a column "
       "header to sort)</p>\n<div class=\"wrap\"><table id=\"results\"><thead><tr><th>files</th>";
  for (const std::string& c : t.columns) h += "<th>" + esc(c) + "</th>";
  h += "</tr></thead><tbody>\n";
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const nlohmann::json& r = records[i];
    const std::string dir = "points/" + r.value("id", "") + "/";
    std::string links = fmt::format("<a href=\"{}result.json\">result</a>", esc(dir));
    if (r.contains("files")) {
      const nlohmann::json& f = r["files"];
      if (f.contains("verilog")) links += fmt::format(" <a href=\"{}{}\">verilog</a>", esc(dir), esc(f["verilog"].get<std::string>()));
      if (f.contains("manifest")) links += fmt::format(" <a href=\"{}{}\">manifest</a>", esc(dir), esc(f["manifest"].get<std::string>()));
      if (f.contains("logs"))
        for (const auto& l : f["logs"]) links += fmt::format(" <a href=\"{}{}\">{}</a>", esc(dir), esc(l.get<std::string>()), esc(l.get<std::string>()));
    }
    std::string label = r.value("module", "");
    for (const auto& [k, v] : paramsOf(r).items()) label += " " + k + "=" + v.get<std::string>();
    h += fmt::format("<tr data-row=\"{}\" data-label=\"{}\"{}><td>{}</td>", i, esc(label),
                     r.value("status", "") == "ok" ? "" : " class=\"failed\"", links);
    for (const std::string& c : t.rows[i]) h += "<td>" + esc(c) + "</td>";
    h += "</tr>\n";
  }
  h += fmt::format("</tbody></table></div>\n<script>{}</script>\n</body></html>\n", kScript);
  return h;
}

}  // namespace nf::sweep
