// yaml-cpp throws; this is the one file that calls it, so every exception stops here and
// becomes a Diagnostic.
#include "model/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <set>

#include "core/read_file.h"
#include "core/time.h"
#include "core/yaml_load.h"
#include "core/yaml_problem.h"
#include "model/level_order.h"
#include "model/scalar_positions.h"

namespace leadscore::model {
namespace {

constexpr std::string_view kQuoteInFlowMap =
    "in a { } map, quote an expression that holds a comma: when: 'contains(title, \"VP\")'";

SourcePos PosOf(const YAML::Node& node) {
  YAML::Mark mark = node.Mark();
  if (mark.line < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

// What a node holds, for a message about a value of the wrong kind.
std::string Shown(const YAML::Node& node) {
  // Quoted, `"1"` is text: shown with its quotes, which are what is wrong with it.
  if (node.IsScalar() && node.Tag() == "!") return "the text `\"" + node.Scalar() + "\"`";
  if (node.IsScalar()) return "`" + node.Scalar() + "`";
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  return "nothing";
}

// A plain (unquoted) scalar that reads as a finite number, as a CSV cell does (`12`, `-3.5`,
// `.5`, `+5`); nullopt otherwise, for `1e400`, `inf`, `+-5` and any text.
std::optional<double> PlainNumber(const YAML::Node& node) {
  // `?`: a plain scalar with no tag; `!!str 5` and a quoted "5" are text, `!foo 5` unknown.
  static const std::string kInt = "tag:yaml.org,2002:int", kFloat = "tag:yaml.org,2002:float";
  if (!node.IsScalar() || (node.Tag() != "?" && node.Tag() != kInt && node.Tag() != kFloat)) {
    return std::nullopt;
  }
  const std::string& s = node.Scalar();
  const char* begin = s.data() + (s.size() > 1 && s[0] == '+' && s[1] != '-' ? 1 : 0);
  double value = 0;
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) { spec_.file = file_; }

  LoadResult Run(std::string_view yaml);

 private:
  void Error(const YAML::Node& node, std::string message) {
    diagnostics_.push_back({file_, PosOf(node), std::move(message)});
  }
  void Error(SourcePos pos, std::string message) {
    diagnostics_.push_back({file_, pos, std::move(message)});
  }
  void Note(const YAML::Node& node, std::string message) {
    spec_.notes.push_back({file_, PosOf(node), std::move(message)});
  }

  // Checks that `node` is a map whose keys are all in `allowed`; reports unknown and
  // duplicated keys. Returns false when `node` is not a map.
  bool CheckMap(const YAML::Node& node, std::string_view what,
                const std::vector<std::string>& allowed);
  std::optional<double> Number(const YAML::Node& node, std::string_view what, bool cap = false);
  std::optional<int64_t> Integer(const YAML::Node& node, std::string_view what);
  std::optional<std::string> Text(const YAML::Node& node, std::string_view what);
  std::optional<bool> Bool(const YAML::Node& node, std::string_view what);
  // A duration's length in microseconds, as written.
  std::optional<double> Duration(const YAML::Node& node, std::string_view what);
  std::optional<ExprText> Expr(const YAML::Node& node, std::string_view what);
  std::optional<Decay> ReadDecay(const YAML::Node& node);
  std::optional<std::string> Id(const YAML::Node& node, std::string_view what);

  void ReadFields(const YAML::Node& node);
  void ReadLists(const YAML::Node& node);
  void ReadGroups(const YAML::Node& node, std::vector<Group>& out, std::string_view section);
  void ReadFit(const YAML::Node& node);
  void ReadEngagement(const YAML::Node& node);
  void ReadScore(const YAML::Node& node);
  void ReadLevels(const YAML::Node& node, std::vector<Level>& out, std::string_view what);
  void ReadAccounts(const YAML::Node& node);
  void CheckIds();

  std::string file_;
  std::string_view source_;  // the file's text, while Run reads it
  ModelSpec spec_;
  std::vector<Diagnostic> diagnostics_;
  std::map<std::string, SourcePos> rule_ids_;
};

bool Loader::CheckMap(const YAML::Node& node, std::string_view what,
                      const std::vector<std::string>& allowed) {
  if (!node.IsMap()) {
    Error(node, std::string(what) + " must be a map");
    return false;
  }
  std::set<std::string> seen;
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    if (!seen.insert(key).second) {
      Error(entry.first, "duplicate key `" + key + "` in " + std::string(what));
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string message = "unknown key `" + key + "` in " + std::string(what);
    std::string hint = ClosestMatch(key, allowed);
    if (!hint.empty()) {
      message += "; did you mean `" + hint + "`?";
    } else if (node.Style() == YAML::EmitterStyle::Flow &&
               (key.empty() || key.find_first_of("()[]\"' <>=!+*/") != std::string::npos)) {
      // Not a key but the rest of an expression: YAML ends a { } map's value at a comma.
      message += "; a comma split an expression: " + std::string(kQuoteInFlowMap);
    }
    Error(entry.first, message);
  }
  return true;
}

// A cap (`max`) is a number from 0 up: a negative one would turn every score negative.
std::optional<double> Loader::Number(const YAML::Node& node, std::string_view what, bool cap) {
  if (std::optional<double> value = PlainNumber(node)) {
    // Every number here is points or a cap: beyond this a sum of them loses the cent, and a
    // score printed to the cent overflows (1e307 points printed `inf`).
    constexpr double kLargest = 1e15;
    double lowest = cap ? 0 : -kLargest;
    if (*value >= lowest && *value <= kLargest) return value;
    Error(node, std::string(what) + " must be between " + (cap ? "0" : "-1e15") +
                    " and 1e15, got `" + node.Scalar() + "`");
    return std::nullopt;
  }
  Error(node, std::string(what) + " must be a number, got " + Shown(node));
  return std::nullopt;
}

std::optional<int64_t> Loader::Integer(const YAML::Node& node, std::string_view what) {
  auto value = Number(node, what);
  if (!value) return std::nullopt;
  if (*value != std::floor(*value) || std::fabs(*value) > 1e15) {
    Error(node, std::string(what) + " must be a whole number");
    return std::nullopt;
  }
  return static_cast<int64_t>(*value);
}

std::optional<std::string> Loader::Text(const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) {
    Error(node, std::string(what) + " must be a single value, got " + Shown(node));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<bool> Loader::Bool(const YAML::Node& node, std::string_view what) {
  if (auto b = YamlBool(node)) return b;
  Error(node, std::string(what) + " must be true or false");
  return std::nullopt;
}

std::optional<double> Loader::Duration(const YAML::Node& node, std::string_view what) {
  auto text = Text(node, what);
  if (!text) return std::nullopt;
  auto micros = ParseDurationMicros(*text);
  if (!micros) {
    Error(node, std::string(what) + ": `" + *text +
                    "` is not a duration; write a positive number and a unit s, m, h, d or w "
                    "(`30d`, `1.5h`)");
  } else if (*micros > kMaxDurationSeconds * 1e6) {
    Error(node, std::string(what) + ": `" + *text +
                    "` is too long; a duration is at most 1e12 seconds (about 31,700 years)");
    return std::nullopt;
  }
  return micros;
}

std::optional<ExprText> Loader::Expr(const YAML::Node& node, std::string_view what) {
  auto text = Text(node, what);
  if (!text) return std::nullopt;
  SourcePos pos = PosOf(node);
  if (node.Tag() == "!") ++pos.column;  // quoted: the expression starts after the quote
  const YAML::Mark mark = node.Mark();
  std::vector<SourcePos> positions;
  if (mark.pos >= 0) {
    positions = ScalarPositions(source_, static_cast<size_t>(mark.pos), mark.line + 1, *text);
  }
  return ExprText{*text, pos, std::move(positions)};
}

std::optional<std::string> Loader::Id(const YAML::Node& node, std::string_view what) {
  auto text = Text(node, what);
  if (!text) return std::nullopt;
  bool ok = !text->empty();
  for (char c : *text) ok = ok && static_cast<unsigned char>(c) >= 0x20;
  if (!ok) {
    Error(node, std::string(what) + " must be a non-empty name without control characters");
    return std::nullopt;
  }
  return text;
}

std::optional<Decay> Loader::ReadDecay(const YAML::Node& node) {
  if (node.IsScalar() && node.Scalar() == "none") return Decay{};
  if (!node.IsMap() || node.size() != 1) {
    Error(node, "decay must be `none`, `{half_life: D}` or `{expire_after: D}`");
    return std::nullopt;
  }
  if (!CheckMap(node, "decay", {"half_life", "expire_after"})) return std::nullopt;
  if (node["half_life"]) {
    auto d = Duration(node["half_life"], "half_life");
    if (d) return Decay{DecayKind::kHalfLife, *d, AgeLimit(*d)};
  } else if (node["expire_after"]) {
    auto d = Duration(node["expire_after"], "expire_after");
    if (d) return Decay{DecayKind::kExpireAfter, *d, AgeLimit(*d)};
  }
  return std::nullopt;
}

void Loader::ReadFields(const YAML::Node& node) {
  if (!node.IsMap()) {
    Error(node, "fields must be a map of name: type");
    return;
  }
  std::set<std::string> seen;
  for (const auto& entry : node) {
    std::string name = entry.first.Scalar();
    if (!seen.insert(name).second) {
      Error(entry.first, "field `" + name + "` is declared twice");
      continue;
    }
    auto type_name = Text(entry.second, "a field type");
    if (!type_name) continue;
    ValueType type;
    if (*type_name == "number") {
      type = ValueType::kNumber;
    } else if (*type_name == "string") {
      type = ValueType::kString;
    } else if (*type_name == "bool") {
      type = ValueType::kBool;
    } else if (*type_name == "time") {
      type = ValueType::kTime;
    } else {
      std::string message = "unknown type `" + *type_name + "` for field `" + name +
                            "`; the types are number, string, bool and time";
      Error(entry.second, message);
      continue;
    }
    // The reserved keys keep their meaning whatever they are declared: a condition reads the
    // converted value, the engine the id, type or time as written.
    if ((name == "ts" && type != ValueType::kTime && type != ValueType::kString) ||
        ((name == "lead_id" || name == "type" || name == "event_id") &&
         type != ValueType::kString)) {
      Note(entry.second, "`" + name + "` is declared " + *type_name + ": conditions read it so " +
                             "(null where it does not convert), but a record's " +
                             (name == "ts" ? "time is still read as a time"
                                           : "`" + name + "` is still taken as written"));
    }
    spec_.fields.emplace_back(name, type);
  }
}

void Loader::ReadLists(const YAML::Node& node) {
  if (!node.IsMap()) {
    Error(node, "lists must be a map of name: [values]");
    return;
  }
  for (const auto& entry : node) {
    std::string name = entry.first.Scalar();
    if (!entry.second.IsSequence()) {
      Error(entry.second, "list `" + name + "` must be a list of values, like [a, b, c]");
      continue;
    }
    if (spec_.lists.count(name)) {
      Error(entry.first, "list `" + name + "` is declared twice");
      continue;
    }
    std::vector<Value> values;
    for (const auto& item : entry.second) {
      if (item.IsNull()) {  // `~`, `null` or nothing, which YAML reads as no scalar at all
        values.push_back(Value::Null());
        continue;
      }
      if (!item.IsScalar()) {
        Error(item, "list `" + name + "` may hold only single values");
        continue;
      }
      const std::string& s = item.Scalar();
      // Plain scalars that read as numbers or booleans keep that type; quoted ones are strings.
      if (std::optional<double> number = PlainNumber(item)) {
        values.push_back(Value::Number(*number));
        continue;
      }
      if (item.Tag() == "?") {  // plain, untagged: `!!str true` is text
        if (s == "true" || s == "false") {
          values.push_back(Value::Bool(s == "true"));
          continue;
        }
        if (s == "null" || s == "~") {
          values.push_back(Value::Null());
          continue;
        }
      }
      spec_.strings->push_back(s);
      values.push_back(Value::String(spec_.strings->back()));
    }
    spec_.lists.emplace(name, std::move(values));
  }
}

void Loader::ReadGroups(const YAML::Node& node, std::vector<Group>& out, std::string_view section) {
  if (!node.IsMap()) {
    Error(node, std::string(section) + ".groups must be a map of name: {max: N}");
    return;
  }
  for (const auto& entry : node) {
    Group group;
    group.id = entry.first.Scalar();
    group.pos = PosOf(entry.first);
    if (entry.second.IsNull()) {
      out.push_back(group);
      continue;
    }
    if (!CheckMap(entry.second, "group `" + group.id + "`", {"max"})) continue;
    if (entry.second["max"]) {
      group.max = Number(entry.second["max"], "group max", /*cap=*/true);
    }
    out.push_back(group);
  }
}

void Loader::ReadFit(const YAML::Node& node) {
  if (!CheckMap(node, "fit", {"max", "rules", "groups"})) return;
  if (node["max"]) {
    if (auto v = Number(node["max"], "fit.max", /*cap=*/true)) spec_.fit.max = *v;
  }
  if (node["groups"]) ReadGroups(node["groups"], spec_.fit.groups, "fit");
  if (!node["rules"]) return;
  if (!node["rules"].IsSequence()) {
    Error(node["rules"], "fit.rules must be a list of rules");
    return;
  }
  for (const auto& r : node["rules"]) {
    if (!CheckMap(r, "a fit rule", {"id", "when", "points", "group"})) continue;
    FitRule rule;
    rule.pos = PosOf(r);
    if (!r["id"]) {
      Error(r, "a fit rule needs an `id`");
    } else if (auto id = Id(r["id"], "rule id")) {
      rule.id = *id;
    }
    if (!r["points"]) {
      Error(r, "fit rule `" + rule.id + "` needs `points`");
    } else if (auto p = Number(r["points"], "points")) {
      rule.points = *p;
    }
    if (r["when"]) rule.when = Expr(r["when"], "when");
    if (r["group"]) {
      if (auto g = Text(r["group"], "group")) rule.group = *g;
    }
    if (!rule.id.empty()) {
      auto [it, inserted] = rule_ids_.emplace(rule.id, rule.pos);
      if (!inserted) {
        Error(r["id"], "rule id `" + rule.id + "` is already used at line " +
                           std::to_string(it->second.line));
      }
    }
    spec_.fit.rules.push_back(std::move(rule));
  }
}

void Loader::ReadEngagement(const YAML::Node& node) {
  if (!CheckMap(node, "engagement", {"max", "decay", "rules", "groups"})) return;
  if (node["max"]) {
    if (auto v = Number(node["max"], "engagement.max", /*cap=*/true)) spec_.engagement.max = *v;
  }
  if (node["decay"]) {
    if (auto d = ReadDecay(node["decay"])) spec_.engagement.decay = *d;
  }
  if (node["groups"]) ReadGroups(node["groups"], spec_.engagement.groups, "engagement");
  if (!node["rules"]) return;
  if (!node["rules"].IsSequence()) {
    Error(node["rules"], "engagement.rules must be a list of rules");
    return;
  }
  for (const auto& r : node["rules"]) {
    if (!CheckMap(r, "an engagement rule",
                  {"id", "event", "when", "points", "max", "decay", "once", "count", "within",
                   "group"})) {
      continue;
    }
    EngagementRule rule;
    rule.pos = PosOf(r);
    if (!r["id"]) {
      Error(r, "an engagement rule needs an `id`");
    } else if (auto id = Id(r["id"], "rule id")) {
      rule.id = *id;
    }
    if (!r["event"]) {
      Error(r, "engagement rule `" + rule.id + "` needs `event` (the event type it counts)");
    } else if (auto e = Text(r["event"], "event")) {
      rule.event = *e;
    }
    if (!r["points"]) {
      Error(r, "engagement rule `" + rule.id + "` needs `points`");
    } else if (auto p = Number(r["points"], "points")) {
      rule.points = *p;
    }
    if (r["when"]) rule.when = Expr(r["when"], "when");
    if (r["max"]) {
      rule.max = Number(r["max"], "max", /*cap=*/true);
    }
    if (r["decay"]) rule.decay = ReadDecay(r["decay"]);
    if (r["once"]) rule.once = Bool(r["once"], "once").value_or(false);
    if (r["count"]) {
      rule.count = Integer(r["count"], "count");
      if (rule.count && *rule.count < 1) Error(r["count"], "count must be at least 1");
    }
    if (r["within"]) {
      if (auto d = Duration(r["within"], "within")) rule.within_micros = AgeLimit(*d);
    }
    if (r["group"]) {
      if (auto g = Text(r["group"], "group")) rule.group = *g;
    }
    if (rule.once && r["count"]) {
      Error(r["once"], "rule `" + rule.id + "` has both `once` and `count`; choose one");
    }
    if (r["within"] && !r["count"]) {
      Error(r["within"], "rule `" + rule.id + "` has `within` without `count`");
    }
    // SCORING.md: `max` does not apply to a `once` rule; count rules have no cap and do not
    // decay. Such keys are accepted and ignored, with a note that `check` prints.
    if (r["max"] && (rule.once || r["count"])) {
      Note(r["max"], "rule `" + rule.id + "`: `max` does not apply to a " +
                         (rule.once ? "`once`" : "count") + " rule and is ignored");
    }
    if (r["decay"] && r["count"]) {
      Note(r["decay"], "rule `" + rule.id + "`: count rules do not decay; `decay` is ignored");
    }
    if (!rule.id.empty()) {
      auto [it, inserted] = rule_ids_.emplace(rule.id, rule.pos);
      if (!inserted) {
        Error(r["id"], "rule id `" + rule.id + "` is already used at line " +
                           std::to_string(it->second.line));
      }
    }
    spec_.engagement.rules.push_back(std::move(rule));
  }
}

void Loader::ReadScore(const YAML::Node& node) {
  if (!CheckMap(node, "score", {"formula", "max"})) return;
  if (node["formula"]) {
    if (auto e = Expr(node["formula"], "score.formula")) spec_.formula = *e;
  }
  if (node["max"]) {
    if (auto v = Number(node["max"], "score.max", /*cap=*/true)) spec_.score_max = *v;
  }
}

void Loader::ReadLevels(const YAML::Node& node, std::vector<Level>& out, std::string_view what) {
  if (!node.IsSequence()) {
    Error(node, std::string(what) + " must be a list of {id, when}");
    return;
  }
  std::set<std::string> ids;
  for (const auto& item : node) {
    if (!CheckMap(item, std::string("an entry of ") + std::string(what), {"id", "when"})) continue;
    Level level;
    level.pos = PosOf(item);
    if (!item["id"]) {
      Error(item, std::string("an entry of ") + std::string(what) + " needs an `id`");
      continue;
    }
    auto id = Id(item["id"], "id");
    if (!id) continue;
    level.id = *id;
    if (!ids.insert(level.id).second) {
      Error(item["id"], "`" + level.id + "` appears twice in " + std::string(what));
    }
    if (!item["when"]) {
      Error(item, "`" + level.id + "` needs a `when` condition");
      continue;
    }
    auto when = Expr(item["when"], "when");
    if (!when) continue;
    level.when = *when;
    out.push_back(std::move(level));
  }
}

void Loader::ReadAccounts(const YAML::Node& node) {
  if (!CheckMap(node, "accounts", {"key", "aggregate", "top"})) return;
  AccountsSpec accounts;
  if (!node["key"]) {
    Error(node, "accounts needs a `key` expression");
    return;
  }
  auto key = Expr(node["key"], "accounts.key");
  if (!key) return;
  accounts.key = *key;
  if (node["aggregate"]) {
    auto a = Text(node["aggregate"], "aggregate");
    if (a == "max") {
      accounts.aggregate = Aggregate::kMax;
    } else if (a == "mean") {
      accounts.aggregate = Aggregate::kMean;
    } else if (a == "sum") {
      accounts.aggregate = Aggregate::kSum;
    } else if (a == "top_mean") {
      accounts.aggregate = Aggregate::kTopMean;
    } else if (a) {
      Error(node["aggregate"], "unknown aggregate `" + *a + "`; use max, mean, sum or top_mean");
    }
  }
  if (node["top"]) {
    auto top = Integer(node["top"], "top");
    if (top && *top >= 1 && *top <= 1000000) {
      accounts.top = static_cast<int>(*top);
    } else if (top) {
      Error(node["top"],
            "top must be a whole number from 1 to 1000000, got `" + node["top"].Scalar() + "`");
    }
    if (accounts.aggregate != Aggregate::kTopMean) {
      Note(node["top"], "`top` is read only with `aggregate: top_mean`; ignored here");
    }
  }
  spec_.accounts = std::move(accounts);
}

void Loader::CheckIds() {
  auto check_groups = [&](const std::vector<Group>& groups, std::string_view section, auto& rules) {
    std::vector<std::string> names;
    for (const auto& g : groups) names.push_back(g.id);
    for (const auto& rule : rules) {
      if (rule.group.empty()) continue;
      if (std::find(names.begin(), names.end(), rule.group) != names.end()) continue;
      std::string message = "rule `" + rule.id + "` names group `" + rule.group + "`, which " +
                            std::string(section) + ".groups does not declare";
      std::string hint = ClosestMatch(rule.group, names);
      if (!hint.empty()) message += "; did you mean `" + hint + "`?";
      Error(rule.pos, message);
    }
  };
  check_groups(spec_.fit.groups, "fit", spec_.fit.rules);
  check_groups(spec_.engagement.groups, "engagement", spec_.engagement.rules);
}

namespace {}  // namespace

LoadResult Loader::Run(std::string_view yaml) {
  source_ = yaml;
  // yaml-cpp's marks count bytes from after a byte order mark.
  if (source_.starts_with("\xEF\xBB\xBF")) source_.remove_prefix(3);
  YAML::Node root;
  try {
    // A second document (after `---`) would be silently left unread by YAML::Load. Found in
    // the text: yaml-cpp's LoadAll loops without end, filling memory, on some malformed input.
    if (auto line = SecondDocumentLine(yaml)) {
      Error(SourcePos{*line, 1},
            "a model file holds one YAML document; another starts here (after `---`)");
      return {std::nullopt, std::move(diagnostics_)};
    }
    root = LoadYaml(std::string(yaml));
  } catch (const YAML::Exception& e) {
    std::string message = "invalid YAML: " + YamlProblem(e);
    // The usual cause: a function call's comma splits a rule written as a { } map.
    if (e.msg == YAML::ErrorMsg::END_OF_MAP_FLOW) {
      message += "; " + std::string(kQuoteInFlowMap);
    }
    Error(SourcePos{e.mark.line + 1, e.mark.column + 1}, message);
    return {std::nullopt, std::move(diagnostics_)};
  }
  try {
    if (!root.IsMap()) {
      Error(SourcePos{1, 1}, "a model file must be a YAML map (version, fit, engagement, ...)");
      return {std::nullopt, std::move(diagnostics_)};
    }
    // A trees model (XGBoost's JSON, which YAML reads) given where a rule model goes would
    // otherwise get "unknown key `learner`": say what it is and where it goes instead.
    if (root["learner"] && !root["fit"] && !root["engagement"]) {
      Error(SourcePos{},
            "not a rule model: a trees model (a JSON file written by `leadscore train --kind "
            "trees`); use it with `leadscore predict --model` or beside a rule model with "
            "`leadscore score --predictive`");
      return {std::nullopt, std::move(diagnostics_)};
    }
    CheckMap(root, "the model",
             {"version", "name", "fields", "lists", "fit", "engagement", "score", "grades",
              "stages", "accounts"});
    if (root["version"]) {
      auto v = Integer(root["version"], "version");
      if (v && *v != 1) {
        Error(root["version"], "unsupported model version " + std::to_string(*v) +
                                   "; this leadscore reads version 1");
      }
    }
    if (root["name"]) spec_.name = Text(root["name"], "name").value_or("");
    if (root["fields"]) ReadFields(root["fields"]);
    if (root["lists"]) ReadLists(root["lists"]);
    if (root["fit"]) ReadFit(root["fit"]);
    if (root["engagement"]) ReadEngagement(root["engagement"]);
    if (root["score"]) ReadScore(root["score"]);
    if (root["grades"]) ReadLevels(root["grades"], spec_.grades, "grades");
    if (root["stages"]) ReadLevels(root["stages"], spec_.stages, "stages");
    if (root["accounts"]) ReadAccounts(root["accounts"]);
    CheckIds();
    for (Diagnostic& note : UnreachableLevels(spec_)) spec_.notes.push_back(std::move(note));
  } catch (const YAML::Exception& e) {
    Error(SourcePos{e.mark.line + 1, e.mark.column + 1}, "invalid model: " + e.msg);
  }
  SortDroppingRepeats(diagnostics_);
  return {std::move(spec_), std::move(diagnostics_)};
}

}  // namespace

LoadResult ParseModel(std::string_view yaml, const std::string& file) {
  return Loader(file).Run(yaml);
}

LoadResult LoadModelFile(const std::string& path) {
  auto text = ReadWholeFile(path, "a model file");
  if (!text) return {std::nullopt, {UnreadableFile(path, text.error())}};
  return ParseModel(*text, path);
}

}  // namespace leadscore::model
