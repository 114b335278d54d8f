// yaml-cpp throws; exceptions stop in this file.
#include "model/test_cases.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include "core/read_file.h"
#include "core/time.h"
#include "core/yaml_load.h"
#include "core/yaml_problem.h"
#include "model/diagnostic.h"

namespace leadscore::model {
namespace {

SourcePos PosOf(const YAML::Node& node) {
  YAML::Mark m = node.Mark();
  return m.line < 0 ? SourcePos{} : SourcePos{m.line + 1, m.column + 1};
}

class SuiteReader {
 public:
  SuiteReader(std::string file, ModelKey model_key) : model_key_(model_key) {
    suite_.file = std::move(file);
  }

  tl::expected<TestSuite, std::vector<Diagnostic>> Read(const YAML::Node& root) {
    if (root.IsMap()) {
      NoRepeatedKeys(root, "a test file");
      for (const auto& entry : root) {
        std::string key = entry.first.Scalar();
        // The model is the command line's (`leadscore test MODEL CASES`), never the file's.
        if (key == "model" && model_key_ == ModelKey::kInlineModel) continue;
        if (key == "model") {
          Error(entry.first,
                "a test file does not name its model: `leadscore test MODEL CASES` runs the "
                "cases against MODEL");
        } else if (key != "cases") {
          UnknownKey(entry.first, key, "a test file", {"cases"});
        }
      }
    }
    if (!root.IsMap() || !root["cases"] || !root["cases"].IsSequence()) {
      Error(root, "a test file is a map with `cases:`, a list of test cases");
      return tl::unexpected(std::move(errors_));
    }
    if (root["cases"].size() == 0) {
      // Zero cases pass, which a CI job would take for a tested model.
      Error(root["cases"], "`cases` holds no test case");
    }
    for (const auto& c : root["cases"]) ReadCase(c);
    if (!errors_.empty()) {
      // In file order: a case's own keys are checked before what they hold.
      std::stable_sort(
          errors_.begin(), errors_.end(), [](const Diagnostic& a, const Diagnostic& b) {
            return std::pair(a.pos.line, a.pos.column) < std::pair(b.pos.line, b.pos.column);
          });
      return tl::unexpected(std::move(errors_));
    }
    return std::move(suite_);
  }

 private:
  // "unknown key `scroe` in expect; did you mean `score`? (score, fit, ...)"
  void UnknownKey(const YAML::Node& node, const std::string& key, const std::string& where,
                  const std::vector<std::string>& allowed) {
    std::string message = "unknown key `" + key + "`" + (where.empty() ? "" : " in " + where);
    const std::string hint = ClosestMatch(key, allowed);
    if (!hint.empty()) message += "; did you mean `" + hint + "`?";
    std::string names;
    for (const std::string& name : allowed) names += (names.empty() ? "" : ", ") + name;
    Error(node, message + " (" + names + ")");
  }

  void Error(const YAML::Node& node, std::string message) {
    errors_.push_back({suite_.file, PosOf(node), std::move(message)});
  }

  // A key written twice would keep one of its values unchecked: an error, as in a model.
  void NoRepeatedKeys(const YAML::Node& node, const std::string& where) {
    for (const YAML::Node& key : RepeatedKeys(node)) {
      Error(key, "duplicate key `" + key.Scalar() + "` in " + where);
    }
  }

  std::string Text(const YAML::Node& node, const char* what) {
    if (node.IsScalar()) return node.Scalar();
    Error(node, std::string(what) + " must be a single value");
    return "";
  }

  // An id (a type, an event_id, a lead_id): as Text, and an error when it holds U+0000 (NUL),
  // which no id may hold: scoring skips such a record (SCORING.md, "Records").
  std::string Id(const YAML::Node& node, const char* what) {
    std::string text = Text(node, what);
    if (text.find('\0') != std::string::npos) {
      Error(node, std::string(what) + " holds the character U+0000 (NUL), which no id may hold");
    }
    return text;
  }

  // A time as SCORING.md reads one; empty (with an error) when it is not.
  std::string Time(const YAML::Node& node, const char* what) {
    std::string text = Text(node, what);
    if (!text.empty() && !ParseTimestamp(text)) {
      Error(node, std::string(what) + ": cannot read `" + text +
                      "` as a time; use ISO-8601 (2024-05-01T10:00:00Z, 2024-05-01) or Unix "
                      "seconds");
    }
    return text;
  }

  Value Scalar(const YAML::Node& node) {
    if (!node.IsScalar()) {
      if (!node.IsNull()) Error(node, "expected a single value");
      return Value::Null();
    }
    const std::string& s = node.Scalar();
    if (node.Tag() != "!") {
      if (s == "null" || s == "~" || s.empty()) return Value::Null();
      if (s == "true" || s == "false") return Value::Bool(s == "true");
      double number = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), number);
      if (ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(number)) {
        return Value::Number(number);
      }
    }
    suite_.strings->push_back(s);
    return Value::String(suite_.strings->back());
  }

  NamedValues Values(const YAML::Node& node, const char* what) {
    NamedValues out;
    if (!node.IsMap()) {
      Error(node, std::string(what) + " must be a map of name: value");
      return out;
    }
    NoRepeatedKeys(node, what);
    for (const auto& entry : node) out.emplace_back(entry.first.Scalar(), Scalar(entry.second));
    return out;
  }

  std::optional<double> Number(const YAML::Node& node, const char* what) {
    Value v = Scalar(node);
    if (v.is_number()) return v.number();
    Error(node, std::string(what) + " must be a number");
    return std::nullopt;
  }

  void ReadCase(const YAML::Node& node) {
    TestCase c;
    c.pos = PosOf(node);
    if (!node.IsMap()) {
      Error(node, "a test case must be a map (name, as_of, lead, events, expect)");
      return;
    }
    NoRepeatedKeys(node, "a test case");
    event_leads_.clear();
    // An `expect` with a mistake in it is reported as that, not as expecting nothing.
    bool expect_unread = false;
    for (const auto& entry : node) {
      std::string key = entry.first.Scalar();
      if (key == "name") {
        c.name = Text(entry.second, "name");
      } else if (key == "as_of") {
        c.as_of = Time(entry.second, "as_of");
      } else if (key == "lead") {
        c.lead = Values(entry.second, "lead");
      } else if (key == "events") {
        if (!entry.second.IsSequence()) {
          Error(entry.second, "events must be a list");
          continue;
        }
        for (const auto& e : entry.second) ReadEvent(e, c);
      } else if (key == "expect") {
        const size_t errors_before = errors_.size();
        ReadExpect(entry.second, c);
        expect_unread = errors_.size() > errors_before;
      } else {
        UnknownKey(entry.first, key, "a test case", {"name", "as_of", "lead", "events", "expect"});
      }
    }
    if (c.name.empty()) c.name = "case at line " + std::to_string(c.pos.line);
    if (!node["as_of"] || (c.as_of.empty() && node["as_of"].IsScalar())) {
      Error(node, "test case `" + c.name + "` needs `as_of`");
    }
    if (!expect_unread && !c.score && !c.fit && !c.engagement && !c.expect_grade &&
        !c.expect_stage && c.reasons.empty()) {
      Error(node, "test case `" + c.name +
                      "` expects nothing: give `expect` a score, fit, engagement, grade, stage "
                      "or reasons");
    }
    // The case is one lead: an event of another would be counted for it.
    std::string lead_id;
    if (const YAML::Node lead = node["lead"];
        lead && lead.IsMap() && lead["lead_id"] && lead["lead_id"].IsScalar()) {
      lead_id = Id(lead["lead_id"], "lead_id");
    }
    for (const auto& [node_of_id, id] : event_leads_) {
      // One holding U+0000 is an error of its own (Id), and would cut the message short.
      if (id == lead_id || id.find('\0') != std::string::npos) continue;
      Error(node_of_id, "an event of test case `" + c.name + "` has lead_id `" + id + "`, " +
                            (lead_id.empty() ? std::string("but the lead has none")
                                             : "but the lead is `" + lead_id + "`") +
                            "; a case scores one lead: leave `lead_id` out of its events");
    }
    suite_.cases.push_back(std::move(c));
  }

  void ReadEvent(const YAML::Node& node, TestCase& c) {
    CaseEvent e;
    e.pos = PosOf(node);
    if (!node.IsMap()) {
      Error(node, "an event must be a map with type and ts");
      return;
    }
    NoRepeatedKeys(node, "an event");
    for (const auto& entry : node) {
      std::string key = entry.first.Scalar();
      if (key == "type") {
        e.type = Id(entry.second, "type");
      } else if (key == "ts") {
        e.ts = Time(entry.second, "ts");
      } else if (key == "event_id") {
        e.event_id = Id(entry.second, "event_id");
      } else if (key == "lead_id") {
        event_leads_.emplace_back(entry.second, Id(entry.second, "lead_id"));
      } else {
        e.properties.emplace_back(key, Scalar(entry.second));
      }
    }
    if (e.type.empty() || e.ts.empty()) Error(node, "an event needs `type` and `ts`");
    c.events.push_back(std::move(e));
  }

  void ReadExpect(const YAML::Node& node, TestCase& c) {
    if (!node.IsMap()) {
      Error(node, "expect must be a map");
      return;
    }
    NoRepeatedKeys(node, "expect");
    for (const auto& entry : node) {
      std::string key = entry.first.Scalar();
      const YAML::Node& v = entry.second;
      if (key == "score") {
        c.score = Number(v, "score");
      } else if (key == "fit") {
        c.fit = Number(v, "fit");
      } else if (key == "engagement") {
        c.engagement = Number(v, "engagement");
      } else if (key == "grade" || key == "stage") {
        Value value = Scalar(v);
        std::optional<std::string> text;
        if (!value.is_null()) text = value.is_string() ? std::string(value.str()) : v.Scalar();
        if (text && text->empty()) {
          Error(v, key + " must be an id of the model's, or null for none");
          continue;
        }
        if (key == "grade") {
          c.expect_grade = true;
          c.grade = text;
        } else {
          c.expect_stage = true;
          c.stage = text;
        }
      } else if (key == "reasons") {
        if (!v.IsMap()) {
          Error(v, "reasons must be a map of rule: points");
          continue;
        }
        NoRepeatedKeys(v, "reasons");
        for (const auto& r : v) {
          if (auto p = Number(r.second, "points")) c.reasons.emplace_back(r.first.Scalar(), *p);
        }
      } else if (key == "exact_reasons") {
        if (auto exact = YamlBool(v)) {
          c.exact_reasons = *exact;
        } else {
          Error(v, "exact_reasons must be true or false");
        }
      } else {
        UnknownKey(entry.first, key, "expect",
                   {"score", "fit", "engagement", "grade", "stage", "reasons", "exact_reasons"});
      }
    }
  }

  ModelKey model_key_;
  TestSuite suite_;
  std::vector<Diagnostic> errors_;
  std::vector<std::pair<YAML::Node, std::string>> event_leads_;  // of the case being read
};

}  // namespace

tl::expected<TestSuite, std::vector<Diagnostic>> LoadTestSuite(const std::string& path,
                                                               ModelKey model_key) {
  // Read here rather than by YAML::LoadFile, which throws an I/O error on a directory.
  auto text = ReadWholeFile(path, "a test file");
  if (!text) return tl::unexpected(std::vector<Diagnostic>{UnreadableFile(path, text.error())});
  if (std::optional<int> line = SecondDocumentLine(*text)) {
    return tl::unexpected(std::vector<Diagnostic>{
        {path,
         {*line, 1},
         "a test file holds one YAML document; another starts here (after `---`): its cases "
         "would not run"}});
  }
  YAML::Node root;
  try {
    root = LoadYaml(*text);
  } catch (const YAML::Exception& e) {
    return tl::unexpected(std::vector<Diagnostic>{
        {path, {e.mark.line + 1, e.mark.column + 1}, "invalid YAML: " + YamlProblem(e)}});
  }
  try {
    return SuiteReader(path, model_key).Read(root);
  } catch (const YAML::Exception& e) {
    return tl::unexpected(std::vector<Diagnostic>{
        {path, {e.mark.line + 1, e.mark.column + 1}, "invalid test file: " + e.msg}});
  }
}

}  // namespace leadscore::model
