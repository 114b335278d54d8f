#include "service/next_steps.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "engine/compiled_model.h"
#include "expr/program.h"

namespace leadscore::service {
namespace {

using engine::CompiledModel;

// Search bounds: a condition over many properties with many constants is not searched in full.
constexpr size_t kMaxCandidatesPerSlot = 400;
constexpr size_t kMaxCombinations = 4096;
// Events applied again, over all the values tried for attributes an engagement rule may read
// (about a second): a lead of 100,000 events gets 50 tries, one of 100 all of them.
constexpr size_t kMaxReapplied = 5'000'000;

// Values worth trying for a slot, from the constants of the expressions that may read it.
class Candidates {
 public:
  // Any condition that a value other than those it names makes true (`url != "/careers"`).
  explicit Candidates(Timestamp as_of) : as_of_(as_of), strings_{"other"}, numbers_{0} {}

  void AddFrom(const expr::Program* program) {
    if (!program) return;
    for (size_t i = 0; i < program->num_constants(); ++i) Add(program->constant(i));
    for (size_t i = 0; i < program->num_sets(); ++i) {
      for (const Value& v : program->set(i).items()) Add(v);
    }
  }

  // The values of `declared` type (any, when not declared), null first when `with_null`.
  std::vector<Value> For(std::optional<ValueType> declared, bool with_null) const {
    std::vector<Value> out;
    if (with_null) out.push_back(Value::Null());
    // An undeclared field holds what JSON or a CSV cell gives: no time.
    auto wanted = [&](ValueType t) { return declared ? *declared == t : t != ValueType::kTime; };
    if (wanted(ValueType::kString)) {
      for (const std::string& s : strings_) out.push_back(Value::String(s));
    }
    if (wanted(ValueType::kNumber)) {
      for (double n : numbers_) out.push_back(Value::Number(n));
    }
    if (wanted(ValueType::kBool)) {
      out.push_back(Value::Bool(true));
      out.push_back(Value::Bool(false));
    }
    if (wanted(ValueType::kTime)) {
      for (Timestamp t : times_) out.push_back(Value::Time(t));
    }
    if (out.size() > kMaxCandidatesPerSlot) out.resize(kMaxCandidatesPerSlot);
    return out;
  }

 private:
  void Add(const Value& v) {
    if (v.is_string()) {
      std::string s(v.str());
      strings_.insert(s);
      if (s.find('@') == std::string::npos) strings_.insert("someone@" + s);  // domain(email)
    } else if (v.is_number() && std::isfinite(v.number())) {
      const double n = v.number();
      // `balance < -100` holds a constant 100 under a minus sign: both signs are tried.
      for (double d : {0.0, 1.0, -1.0}) {
        numbers_.insert(n + d);
        numbers_.insert(-n + d);
      }
      // A number as days or seconds before the as-of time, for days_since() and durations.
      for (double days : {n, n + 1, n - 1}) AddTime(days * 86400.0);
      AddTime(n);
    } else if (v.is_time()) {
      times_.insert(v.time());
    }
  }

  // Within the years 0001-9999, which a time can be written in.
  void AddTime(double seconds_before) {
    const double seconds = static_cast<double>(as_of_) / kMicrosPerSecond - seconds_before;
    if (!(seconds >= kFirstSecond && seconds <= kLastSecond)) return;
    times_.insert(as_of_ - static_cast<Timestamp>(seconds_before * kMicrosPerSecond));
  }

  Timestamp as_of_;
  // Ordered, so that the first value found is the same from run to run.
  std::set<std::string> strings_;
  std::set<double> numbers_;
  std::set<Timestamp> times_;
};

// Scores the lead with `attributes` in place of its own: its past events applied again when an
// engagement rule reads lead attributes (their matching may change), else its state as it is.
class WhatIf {
 public:
  WhatIf(engine::Scorer& scorer, const engine::StateTable& states, uint32_t lead,
         std::span<const PastEvent> past, AsOf as_of)
      : scorer_(scorer), states_(states), lead_(lead), past_(past), as_of_(as_of) {
    const auto& rules = scorer.model().engagement_rules();
    reapply_ = std::any_of(rules.begin(), rules.end(), [](const auto& r) { return r.reads_lead; });
  }

  // With one more event (type `type_id`, `properties`) at the as-of time; the rules it matches
  // go to `matched` (a mask over RulesForType).
  engine::Score WithEvent(std::span<const Value> attributes, int type_id,
                          std::span<const Value> properties, uint64_t& matched) {
    engine::StateTable scratch(scorer_.model(), states_.reference());
    const uint32_t copy = scratch.CopyLead(states_, lead_);
    engine::EventView view{type_id, as_of_.time, properties, as_of_.time};
    matched = scorer_.MatchEvent(view) | scorer_.MatchWithLead(view, attributes);
    scorer_.ApplyMatched(scratch, copy, type_id, as_of_.time, matched);
    engine::Score out;
    scorer_.Evaluate(scratch, copy, attributes, as_of_, false, out);
    return out;
  }

  // nullopt once the events applied again would pass kMaxReapplied.
  std::optional<engine::Score> WithAttributes(std::span<const Value> attributes) {
    engine::Score out;
    if (!reapply_) {
      scorer_.Evaluate(states_, lead_, attributes, as_of_, false, out);
      return out;
    }
    if (reapplied_ + past_.size() > kMaxReapplied) return std::nullopt;
    reapplied_ += past_.size();
    engine::StateTable scratch(scorer_.model(), states_.reference());
    const uint32_t row = scratch.AddLead();
    for (const PastEvent& e : past_) {
      engine::EventView view{e.type_id, e.ts, e.properties, as_of_.time};
      scorer_.Apply(scratch, row, view, attributes);
    }
    scorer_.Evaluate(scratch, row, attributes, as_of_, false, out);
    return out;
  }

 private:
  engine::Scorer& scorer_;
  const engine::StateTable& states_;
  uint32_t lead_;
  std::span<const PastEvent> past_;
  AsOf as_of_;
  bool reapply_ = false;
  size_t reapplied_ = 0;
};

// Calls `visit` with each assignment of `choices[k]` to `slots[k]` in `properties`, in order,
// until it returns true or kMaxCombinations were tried.
template <typename Visit>
void ForEachAssignment(const std::vector<uint32_t>& slots,
                       const std::vector<std::vector<Value>>& choices,
                       std::vector<Value>& properties, Visit visit) {
  std::vector<size_t> at(slots.size(), 0);
  for (size_t tried = 0; tried < kMaxCombinations; ++tried) {
    for (size_t k = 0; k < slots.size(); ++k) properties[slots[k]] = choices[k][at[k]];
    if (visit()) return;
    size_t k = 0;
    while (k < slots.size() && ++at[k] == choices[k].size()) at[k++] = 0;
    if (k == slots.size()) return;
  }
}

// What a condition reads under a reserved key of the made-up event, which is no value to look
// for: its type, its lead, its time (the as-of time, as an ISO text unless declared a time)
// and no event_id (an id already used would make it a duplicate). nullopt for other keys.
std::optional<Value> ReservedProperty(const engine::FieldSlot& field, std::string_view type,
                                      std::string_view lead_id, const std::string& as_of_text,
                                      AsOf as_of) {
  auto as = [&](Value v) -> Value {
    return !field.declared || *field.declared == v.type() ? v : Value::Null();
  };
  if (field.name == "type") return as(Value::String(type));
  if (field.name == "lead_id") return as(Value::String(lead_id));
  if (field.name == "event_id") return Value::Null();
  if (field.name == "ts") {
    return field.declared == ValueType::kTime ? Value::Time(as_of.time)
                                              : as(Value::String(as_of_text));
  }
  return std::nullopt;
}

void EventSteps(const CompiledModel& m, WhatIf& what_if, std::span<const Value> attributes,
                std::string_view lead_id, AsOf as_of, int target, std::vector<NextStep>& out) {
  const auto& rules = m.engagement_rules();
  std::set<std::pair<int, uint64_t>> effects;  // (type, matched): one step per distinct effect
  std::vector<Value> properties(m.event_fields().size());
  const std::string as_of_text = FormatTimestamp(as_of.time);
  for (uint32_t r = 0; r < rules.size(); ++r) {
    const int type_id = m.EventTypeId(rules[r].event);
    const auto& of_type = m.RulesForType(type_id);
    const uint64_t bit = uint64_t{1}
                         << (std::find(of_type.begin(), of_type.end(), r) - of_type.begin());
    // The properties this rule reads, each tried with the values its condition names.
    Candidates candidates(as_of.time);
    candidates.AddFrom(rules[r].when.get());
    // Every rule of the type sees the event's own keys; the others start absent.
    for (uint32_t slot = 0; slot < properties.size(); ++slot) {
      auto fixed =
          ReservedProperty(m.event_fields()[slot], rules[r].event, lead_id, as_of_text, as_of);
      properties[slot] = fixed ? *fixed : Value::Null();
    }
    std::vector<uint32_t> searched;
    std::vector<std::vector<Value>> choices;
    for (uint32_t slot : rules[r].event_slots) {
      const engine::FieldSlot& field = m.event_fields()[slot];
      if (ReservedProperty(field, "", "", "", as_of)) continue;
      searched.push_back(slot);
      choices.push_back(candidates.For(field.declared, /*with_null=*/true));
    }
    ForEachAssignment(searched, choices, properties, [&] {
      uint64_t matched = 0;
      engine::Score score = what_if.WithEvent(attributes, type_id, properties, matched);
      if (!(matched & bit)) return false;  // try the next values
      if (effects.insert({type_id, matched}).second && score.stage >= target) {
        NextStep step;
        step.is_event = true;
        step.event_type = rules[r].event;
        for (uint32_t slot : searched) {
          if (!properties[slot].is_null()) {
            step.properties.emplace_back(m.event_fields()[slot].name,
                                         JsonValueText(properties[slot]));
          }
        }
        for (size_t k = 0; k < of_type.size(); ++k) {
          if (matched >> k & 1) step.rules.push_back(rules[of_type[k]].id);
        }
        step.score = score.score;
        step.stage = score.stage;
        step.stage_id = m.stages()[score.stage].id;
        out.push_back(std::move(step));
      }
      return true;  // the first values that match the rule stand for it
    });
  }
}

void AttributeSteps(const CompiledModel& m, WhatIf& what_if, std::span<const Value> attributes,
                    AsOf as_of, int target, std::vector<NextStep>& out) {
  Candidates candidates(as_of.time);
  for (const auto& rule : m.fit_rules()) candidates.AddFrom(rule.when.get());
  for (const auto& rule : m.engagement_rules()) {
    if (rule.reads_lead) candidates.AddFrom(rule.when.get());
  }
  candidates.AddFrom(&m.formula());
  for (const auto& level : m.grades()) candidates.AddFrom(level.when.get());
  for (const auto& level : m.stages()) candidates.AddFrom(level.when.get());
  std::vector<Value> changed(attributes.begin(), attributes.end());
  for (uint32_t slot = 0; slot < attributes.size(); ++slot) {
    if (!attributes[slot].is_null()) continue;
    std::optional<NextStep> best;
    for (const Value& v : candidates.For(m.lead_fields()[slot].declared, /*with_null=*/false)) {
      // Filling an attribute in with nothing is no step a person takes, and a CSV cell cannot
      // hold it (an empty cell is null).
      if (v.is_string() && v.str().empty()) continue;
      changed[slot] = v;
      std::optional<engine::Score> scored = what_if.WithAttributes(changed);
      if (!scored) break;  // a lead of many events: the values tried so far stand
      const engine::Score& score = *scored;
      if (score.stage >= target && (!best || score.score > best->score)) {
        best.emplace();
        best->properties.emplace_back(m.lead_fields()[slot].name, JsonValueText(v));
        best->score = score.score;
        best->stage = score.stage;
        best->stage_id = m.stages()[score.stage].id;
      }
    }
    changed[slot] = Value::Null();
    if (best) out.push_back(std::move(*best));
  }
}

}  // namespace

std::string JsonValueText(const Value& v) {
  switch (v.type()) {
    case ValueType::kNumber:
      return FormatNumber(v.number());
    case ValueType::kBool:
      return v.boolean() ? "true" : "false";
    case ValueType::kTime:
      return nlohmann::json(FormatTimestamp(v.time())).dump();
    case ValueType::kString:
      return nlohmann::json(std::string(v.str()))
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    case ValueType::kNull:
      break;
  }
  return "null";
}

std::vector<NextStep> NextSteps(engine::Scorer& scorer, const engine::StateTable& states,
                                uint32_t lead, std::string_view lead_id,
                                std::span<const Value> attributes, std::span<const PastEvent> past,
                                AsOf as_of, int target) {
  std::vector<NextStep> out;
  WhatIf what_if(scorer, states, lead, past, as_of);
  EventSteps(scorer.model(), what_if, attributes, lead_id, as_of, target, out);
  AttributeSteps(scorer.model(), what_if, attributes, as_of, target, out);
  return out;
}

}  // namespace leadscore::service
