#include "synth/sweep_config.h"

#include <fmt/format.h>

#include <cmath>
#include <set>
#include <stdexcept>

#include <toml++/toml.h>

#include "generators/unit.h"
#include "refmodels/distributions.h"
#include "verif/workload.h"

namespace nf::sweep {
namespace {

constexpr size_t kMaxPoints = 100000;
constexpr uint64_t kMaxVerifyCount = 1'000'000'000'000ull;

// Every message names the file, the line and the key, so a long config's mistake is found at once.
class Checker {
 public:
  explicit Checker(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const toml::source_region& where, const std::string& key, const std::string& what) const {
    throw UsageError(fmt::format("{}:{}: {}: {}", path_, where.begin.line, key, what));
  }

  // Refuses any key of t outside `allowed`.
  void onlyKeys(const toml::table& t, const std::string& prefix, const std::set<std::string>& allowed) const {
    for (const auto& [k, v] : t) {
      if (allowed.count(std::string(k.str()))) continue;
      std::string names;
      for (const std::string& a : allowed) names += (names.empty() ? "" : ", ") + a;
      fail(k.source(), join(prefix, k.str()), fmt::format("unknown key; accepted: {}", names));
    }
  }

  const toml::table* table(const toml::table& t, const std::string& prefix, const char* key) const {
    const toml::node* n = t.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) fail(n->source(), join(prefix, key), "must be a table");
    return n->as_table();
  }

  std::string string(const toml::table& t, const std::string& prefix, const char* key, std::string fallback) const {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    if (!n->is_string()) fail(n->source(), join(prefix, key), "must be a string");
    return n->as_string()->get();
  }

  int64_t integer(const toml::table& t, const std::string& prefix, const char* key, int64_t fallback, int64_t lo,
                  int64_t hi) const {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    if (!n->is_integer()) fail(n->source(), join(prefix, key), fmt::format("must be an integer in {}..{}", lo, hi));
    const int64_t v = n->as_integer()->get();
    if (v < lo || v > hi) fail(n->source(), join(prefix, key), fmt::format("{} is out of range; accepted: {}..{}", v, lo, hi));
    return v;
  }

  double positive(const toml::table& t, const std::string& prefix, const char* key, double fallback) const {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    const std::optional<double> v = n->value<double>();  // integers are accepted as numbers too
    if (!(n->is_number() && v && std::isfinite(*v) && *v > 0))
      fail(n->source(), join(prefix, key), "must be a positive number");
    return *v;
  }

  bool boolean(const toml::table& t, const std::string& prefix, const char* key, bool fallback) const {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    if (!n->is_boolean()) fail(n->source(), join(prefix, key), "must be true or false");
    return n->as_boolean()->get();
  }

  std::vector<std::string> strings(const toml::table& t, const std::string& prefix, const char* key,
                                   std::vector<std::string> fallback) const {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    const toml::array* a = n->as_array();
    if (!a) fail(n->source(), join(prefix, key), "must be an array of strings");
    std::vector<std::string> out;
    for (const toml::node& e : *a) {
      if (!e.is_string()) fail(e.source(), join(prefix, key), "must be an array of strings");
      out.push_back(e.as_string()->get());
    }
    return out;
  }

  static std::string join(const std::string& prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A parameter's value as the CLI spells it; `isBool` tells a flag (true: present, false: absent).
std::string valueText(const Checker& c, const toml::node& v, const std::string& key, bool& isBool) {
  isBool = v.is_boolean();
  if (v.is_string()) return v.as_string()->get();
  if (v.is_integer()) return std::to_string(v.as_integer()->get());
  if (v.is_floating_point()) return fmt::format("{}", v.as_floating_point()->get());
  if (v.is_boolean()) return v.as_boolean()->get() ? "true" : "false";
  c.fail(v.source(), key, "values must be strings, numbers or booleans");
}

struct Param {
  std::string key;
  std::vector<std::string> values;
  bool flag = false;
  toml::source_region where;
};

std::vector<Param> readParams(const Checker& c, const toml::table& params, const std::string& prefix) {
  std::vector<Param> out;
  for (const auto& [k, v] : params) {
    Param p{std::string(k.str()), {}, false, k.source()};
    const std::string key = Checker::join(prefix, k.str());
    auto add = [&](const toml::node& e) {
      bool isBool = false;
      p.values.push_back(valueText(c, e, key, isBool));
      if (p.values.size() > 1 && isBool != p.flag) c.fail(e.source(), key, "mixes booleans with other values");
      p.flag = isBool;
    };
    if (const toml::array* a = v.as_array()) {
      if (a->empty()) c.fail(v.source(), key, "has no values (the product would be empty)");
      for (const toml::node& e : *a) add(e);
    } else {
      add(v);
    }
    if (p.key == "clock-ps")
      for (const std::string& s : p.values) {
        if (s.empty()) continue;
        char* end = nullptr;
        const double d = std::strtod(s.c_str(), &end);
        if (p.flag || *end || !(d > 0) || !std::isfinite(d))
          c.fail(v.source(), key, "accepted values are positive numbers of picoseconds");
      }
    out.push_back(std::move(p));
  }
  return out;
}

// An exclude rule: every key must match (one value, or any of an array's).
struct Exclude {
  std::vector<std::pair<std::string, std::vector<std::string>>> match;
};

std::vector<Exclude> readExcludes(const Checker& c, const toml::table& op, const std::string& prefix,
                                  const std::vector<Param>& params) {
  std::vector<Exclude> out;
  const toml::node* n = op.get("exclude");
  if (!n) return out;
  const toml::array* rules = n->as_array();
  if (!rules) c.fail(n->source(), prefix + ".exclude", "must be an array of tables");
  for (const toml::node& r : *rules) {
    const toml::table* t = r.as_table();
    if (!t) c.fail(r.source(), prefix + ".exclude", "must be an array of tables");
    Exclude e;
    for (const auto& [k, v] : *t) {
      const std::string key = fmt::format("{}.exclude.{}", prefix, k.str());
      bool known = false;
      for (const Param& p : params) known = known || p.key == k.str();
      if (!known) c.fail(k.source(), key, "is not one of this operator's params");
      std::vector<std::string> values;
      bool isBool = false;
      if (const toml::array* a = v.as_array())
        for (const toml::node& x : *a) values.push_back(valueText(c, x, key, isBool));
      else
        values.push_back(valueText(c, v, key, isBool));
      e.match.emplace_back(std::string(k.str()), std::move(values));
    }
    out.push_back(std::move(e));
  }
  return out;
}

bool excluded(const std::vector<std::pair<std::string, std::string>>& point, const std::vector<Exclude>& rules) {
  for (const Exclude& e : rules) {
    bool all = true;
    for (const auto& [key, values] : e.match) {
      bool any = false;
      for (const auto& [k, v] : point)
        if (k == key)
          for (const std::string& x : values) any = any || x == v;
      all = all && any;
    }
    if (all && !e.match.empty()) return true;
  }
  return false;
}

// The point's option words and clock; the unit built through the operator's own factory, as the CLI would.
void finishPoint(const Checker& c, SweepPoint& p, const std::vector<Param>& params, const toml::source_region& opWhere,
                 const std::string& prefix) {
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string& v = p.params[i].second;
    if (v.empty()) {
      continue;  // "": the option is not given (the operator's default), e.g. align-bits without --accum align
    } else if (params[i].key == "clock-ps") {
      p.clockPs = std::strtod(v.c_str(), nullptr);
    } else if (params[i].flag) {
      if (v == "true") p.args.push_back("--" + params[i].key);
    } else {
      p.args.insert(p.args.end(), {"--" + params[i].key, v});
    }
  }
  std::string described;
  for (const auto& [k, v] : p.params) described += fmt::format("{}{}={}", described.empty() ? "" : ", ", k, v);
  try {
    const std::unique_ptr<Unit> unit = buildUnit(p.op, p.args);
    p.module = unit->moduleName();
    for (const std::string& a : unit->canonicalArgs()) p.canonical += (p.canonical.empty() ? "" : " ") + a;
    if (p.verify.exhaustive && unit->inputBits() > 32)
      c.fail(opWhere, prefix + ".verify.exhaustive",
             fmt::format("point {{{}}} has {} input bits; exhaustive accepts at most 32 (use count)", described,
                         unit->inputBits()));
  } catch (const UsageError& e) {
    const std::string msg = e.what();
    if (msg.rfind(c.path() + ":", 0) == 0) throw;
    for (const Param& q : params)  // the line of the parameter the factory names
      if (msg.find("--" + q.key) != std::string::npos)
        c.fail(q.where, fmt::format("{}.params.{}", prefix, q.key), fmt::format("point {{{}}}: {}", described, msg));
    c.fail(opWhere, prefix + ".params", fmt::format("point {{{}}}: {}", described, msg));
  }
}

std::set<std::string> operatorNames() {
  std::set<std::string> names;
  for (const auto& f : makeOperatorFactories()) names.insert(f->name());
  return names;
}

void readOperator(const Checker& c, const toml::table& op, size_t index, uint64_t seed, SweepConfig& cfg) {
  const std::string prefix = fmt::format("operator[{}]", index);
  c.onlyKeys(op, prefix, {"name", "params", "exclude", "verify", "accuracy", "energy"});
  const toml::node* nameNode = op.get("name");
  if (!nameNode) c.fail(op.source(), prefix + ".name", "missing (the operator, e.g. \"fmul\")");
  const std::string name = c.string(op, prefix, "name", "");
  const std::set<std::string> names = operatorNames();
  if (!names.count(name)) {
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    c.fail(nameNode->source(), prefix + ".name", fmt::format("unknown operator '{}'; accepted: {}", name, list));
  }
  VerifySettings verify;
  if (const toml::table* v = c.table(op, prefix, "verify")) {
    c.onlyKeys(*v, prefix + ".verify", {"count", "exhaustive"});
    verify.exhaustive = c.boolean(*v, prefix + ".verify", "exhaustive", false);
    verify.count = uint64_t(c.integer(*v, prefix + ".verify", "count", int64_t(verify.count), 0, int64_t(kMaxVerifyCount)));
  }
  AccuracySettings accuracy;
  if (const toml::table* a = c.table(op, prefix, "accuracy")) {
    c.onlyKeys(*a, prefix + ".accuracy", {"dists", "samples"});
    accuracy.dists = c.strings(*a, prefix + ".accuracy", "dists", accuracy.dists);
    accuracy.samples = uint64_t(c.integer(*a, prefix + ".accuracy", "samples", int64_t(accuracy.samples), 16, int64_t(1) << 26));
    for (const std::string& d : accuracy.dists) try {
        makeDistribution(d, 1, 1);
      } catch (const std::invalid_argument&) {
        c.fail(a->get("dists")->source(), prefix + ".accuracy.dists",
               fmt::format("unknown distribution '{}'; accepted: {}", d, distributionChoices()));
      }
  }
  EnergySettings energy;
  if (const toml::table* e = c.table(op, prefix, "energy")) {
    c.onlyKeys(*e, prefix + ".energy", {"workloads", "vectors"});
    energy.workloads = c.strings(*e, prefix + ".energy", "workloads", energy.workloads);
    energy.vectors = uint64_t(c.integer(*e, prefix + ".energy", "vectors", int64_t(energy.vectors), 1, int64_t(1) << 26));
    std::set<std::string> seen;
    for (const std::string& w : energy.workloads) {
      if (!verif::isWorkload(w))
        c.fail(e->get("workloads")->source(), prefix + ".energy.workloads",
               fmt::format("unknown workload '{}'; accepted: {}", w, verif::workloadChoices()));
      if (!seen.insert(w).second)
        c.fail(e->get("workloads")->source(), prefix + ".energy.workloads", fmt::format("'{}' is listed twice", w));
    }
  }
  const toml::table* paramsTable = c.table(op, prefix, "params");
  const std::vector<Param> params = paramsTable ? readParams(c, *paramsTable, prefix + ".params") : std::vector<Param>{};
  const std::vector<Exclude> rules = readExcludes(c, op, prefix, params);
  // The Cartesian product in odometer order over the keys as toml++ keeps them (sorted: a TOML table is a
  // map), the last changing fastest, minus the exclusions.
  std::vector<size_t> at(params.size(), 0);
  size_t kept = 0;
  for (bool more = true; more;) {
    SweepPoint p;
    p.op = name;
    p.verify = verify;
    p.accuracy = accuracy;
    p.energy = energy;
    p.seed = seed;
    for (size_t i = 0; i < params.size(); ++i) p.params.emplace_back(params[i].key, params[i].values[at[i]]);
    if (!excluded(p.params, rules)) {
      if (cfg.points.size() >= kMaxPoints)
        c.fail(op.source(), prefix, fmt::format("the sweep has more than {} points", kMaxPoints));
      p.index = cfg.points.size();
      finishPoint(c, p, params, op.source(), prefix);
      cfg.points.push_back(std::move(p));
      ++kept;
    }
    more = false;
    for (size_t i = params.size(); i-- > 0;) {
      if (++at[i] < params[i].values.size()) {
        more = true;
        break;
      }
      at[i] = 0;
    }
  }
  if (!kept) c.fail(op.source(), prefix, "every point is excluded (the product is empty)");
}

void readReportSettings(const Checker& c, const toml::table& root, SweepConfig& cfg) {
  if (const toml::table* r = c.table(root, "", "roofline")) {
    c.onlyKeys(*r, "roofline", {"area_budget_mm2", "clock_ghz", "bandwidth_gbs", "ops_per_element", "tensor_elements"});
    RooflineSettings& s = cfg.roofline;
    s.areaBudgetMm2 = c.positive(*r, "roofline", "area_budget_mm2", s.areaBudgetMm2);
    s.clockGHz = c.positive(*r, "roofline", "clock_ghz", s.clockGHz);
    s.bandwidthGBs = c.positive(*r, "roofline", "bandwidth_gbs", s.bandwidthGBs);
    s.opsPerElement = c.positive(*r, "roofline", "ops_per_element", s.opsPerElement);
    s.tensorElements = c.positive(*r, "roofline", "tensor_elements", s.tensorElements);
  }
  if (const toml::table* s = c.table(root, "", "slurm")) {
    c.onlyKeys(*s, "slurm", {"shards", "partition", "account", "time", "extra"});
    cfg.slurm.shards = int(c.integer(*s, "slurm", "shards", cfg.slurm.shards, 1, 10000));
    cfg.slurm.partition = c.string(*s, "slurm", "partition", "");
    cfg.slurm.account = c.string(*s, "slurm", "account", "");
    cfg.slurm.time = c.string(*s, "slurm", "time", cfg.slurm.time);
    cfg.slurm.extra = c.strings(*s, "slurm", "extra", {});
  }
}

nlohmann::json canonicalOf(const SweepConfig& cfg) {
  nlohmann::json points = nlohmann::json::array();
  for (const SweepPoint& p : cfg.points)
    points.push_back({{"op", p.op}, {"args", p.canonical}, {"clock_ps", p.clockPs},
                      {"verify", p.verify.exhaustive ? std::string("exhaustive") : std::to_string(p.verify.count)},
                      {"dists", p.accuracy.dists}, {"samples", p.accuracy.samples},
                      {"energy", {{"workloads", p.energy.workloads}, {"vectors", p.energy.vectors}}}, {"seed", p.seed}});
  return {{"name", cfg.name}, {"points", points}};
}

}  // namespace

SweepConfig loadSweepConfig(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    if (e.source().begin.line == 0)  // toml++ could not open the file
      throw UsageError(fmt::format("{}: cannot read the sweep config: {}", path, e.description()));
    throw UsageError(fmt::format("{}:{}: {}", path, e.source().begin.line, e.description()));
  }
  const Checker c(path);
  c.onlyKeys(root, "", {"sweep", "operator", "roofline", "slurm"});
  SweepConfig cfg;
  cfg.path = path;
  uint64_t seed = 1;
  if (const toml::table* s = c.table(root, "", "sweep")) {
    c.onlyKeys(*s, "sweep", {"name", "seed"});
    cfg.name = c.string(*s, "sweep", "name", "");
    seed = uint64_t(c.integer(*s, "sweep", "seed", 1, 0, INT64_MAX));
  }
  readReportSettings(c, root, cfg);
  const toml::node* ops = root.get("operator");
  if (!ops) throw UsageError(fmt::format("{}:1: operator: missing; add at least one [[operator]] table", path));
  const toml::array* list = ops->as_array();
  if (!list || !list->is_array_of_tables()) c.fail(ops->source(), "operator", "must be an array of tables ([[operator]])");
  if (list->empty()) c.fail(ops->source(), "operator", "has no entries (the product would be empty)");
  for (size_t i = 0; i < list->size(); ++i) readOperator(c, *list->get(i)->as_table(), i, seed, cfg);
  cfg.canonical = canonicalOf(cfg);
  return cfg;
}

}  // namespace nf::sweep
