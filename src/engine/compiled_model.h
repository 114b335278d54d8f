// CompiledModel: a ModelSpec with every expression compiled, every name given a slot, and the
// engagement rules indexed by event type. Immutable once built; share it between threads.
//
// Slots: lead attributes and event properties that the model reads are numbered in the order
// they are first referenced. Readers extract exactly those keys, and a row of Values indexed by
// slot is what programs run on.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <unordered_map>
#include <vector>

#include "expr/expr.h"
#include "model/diagnostic.h"
#include "model/model_spec.h"

namespace leadscore::engine {

// A named input the model reads, with its declared type when the model declares one.
struct FieldSlot {
  std::string name;
  std::optional<ValueType> declared;
};

// Slots in Env::computed.
enum ComputedSlot : uint32_t {
  kFitSlot = 0,
  kEngagementSlot,
  kScoreSlot,
  kGradeSlot,
  kNumComputed
};

// How a rule keeps its state; decides the layout of its slots in a LeadState.
enum class RuleKind : uint8_t {
  kSum,          // decay none: [sum]
  kHalfLife,     // [sum at the table's reference time R]: value at T = sum * 2^(-(T - R)/H)
  kExpiring,     // [list index]: timestamps of matching events, in LeadStates' side lists
  kOnce,         // [latest matching ts]
  kCount,        // [n] (count without within)
  kCountWindow,  // [the `count` latest matching timestamps, newest first]
};

struct CompiledFitRule {
  std::string id;
  std::shared_ptr<const expr::Program> when;  // null: always applies
  double points = 0;
  int group = -1;
  std::vector<uint32_t> lead_slots;  // attributes its condition reads
};

struct CompiledEngagementRule {
  std::string id;
  std::string event;
  std::shared_ptr<const expr::Program> when;
  double points = 0;
  std::optional<double> max;
  RuleKind kind = RuleKind::kSum;
  model::Decay decay;  // the effective decay (rule's own or the default)
  int64_t count = 0;
  int64_t within_micros = 0;
  int group = -1;
  bool reads_lead = false;  // `when` reads lead attributes (`lead.x`)
  // `when` calls days_since: whether an event matches depends on the as-of time, so a state
  // built at one as-of time is not the lead's state at another.
  bool reads_as_of = false;
  std::vector<uint32_t> event_slots;  // event properties `when` reads
  uint32_t state_offset = 0;          // first slot of this rule in a LeadState
  uint32_t state_size = 0;
};

struct CompiledGroup {
  std::string id;
  std::optional<double> max;
};

struct CompiledLevel {
  std::string id;
  std::shared_ptr<const expr::Program> when;
};

// Whether `id` is the id of one of `levels` (grades or stages).
bool HasLevel(const std::vector<CompiledLevel>& levels, std::string_view id);
// The ids of `levels` for a message: "MQL, SQL" (empty when there are none).
std::string LevelIds(const std::vector<CompiledLevel>& levels);

class CompiledModel {
 public:
  const model::ModelSpec& spec() const { return spec_; }

  const std::vector<FieldSlot>& lead_fields() const { return lead_fields_; }
  const std::vector<FieldSlot>& event_fields() const { return event_fields_; }
  // The declared fields a lead's attributes (an event's properties) do not read, reserved keys
  // aside: SCORING.md converts every declared field, so a value of theirs that does not convert
  // is reported like any other, though nothing keeps it.
  const std::vector<FieldSlot>& checked_lead_fields() const { return checked_lead_fields_; }
  const std::vector<FieldSlot>& checked_event_fields() const { return checked_event_fields_; }

  // The id of an event type some rule counts, or -1: events of other types only register
  // their lead.
  int EventTypeId(std::string_view type) const;
  size_t num_event_types() const { return event_types_.size(); }
  // Indexes into engagement_rules() of the rules counting events of `type_id`.
  const std::vector<uint32_t>& RulesForType(int type_id) const { return rules_by_type_[type_id]; }
  // The one event property that every event-only condition of `type_id` reads, or -1 when they
  // read several (or none): matching can then be memoized on that property's value.
  int MemoSlot(int type_id) const { return memo_slots_[type_id]; }

  const std::vector<CompiledFitRule>& fit_rules() const { return fit_rules_; }
  const std::vector<CompiledGroup>& fit_groups() const { return fit_groups_; }
  const std::vector<CompiledEngagementRule>& engagement_rules() const { return engagement_rules_; }
  const std::vector<CompiledGroup>& engagement_groups() const { return engagement_groups_; }
  const expr::Program& formula() const { return *formula_; }
  const std::vector<CompiledLevel>& grades() const { return grades_; }
  const std::vector<CompiledLevel>& stages() const { return stages_; }
  // Null when the model has no accounts section.
  const expr::Program* account_key() const { return account_key_.get(); }

  // Slots per lead in a LeadState.
  uint32_t state_size() const { return state_size_; }

  // Whether anything but the fit rules reads lead attributes: an engagement rule, the score
  // formula, a grade or a stage. When none does, a lead's attributes are needed only for its
  // fit, and a batch may keep that instead of them.
  bool reads_lead_beyond_fit() const { return reads_lead_beyond_fit_; }

 private:
  friend tl::expected<std::shared_ptr<const CompiledModel>, std::vector<model::Diagnostic>> Compile(
      model::ModelSpec spec);

  model::ModelSpec spec_;
  std::vector<FieldSlot> lead_fields_;
  std::vector<FieldSlot> event_fields_;
  std::vector<FieldSlot> checked_lead_fields_;
  std::vector<FieldSlot> checked_event_fields_;
  std::vector<std::string> event_types_;
  std::unordered_map<std::string, int> event_type_ids_;
  std::vector<std::vector<uint32_t>> rules_by_type_;
  std::vector<int> memo_slots_;
  std::vector<CompiledFitRule> fit_rules_;
  std::vector<CompiledGroup> fit_groups_;
  std::vector<CompiledEngagementRule> engagement_rules_;
  std::vector<CompiledGroup> engagement_groups_;
  std::shared_ptr<const expr::Program> formula_;
  bool reads_lead_beyond_fit_ = false;
  std::vector<CompiledLevel> grades_;
  std::vector<CompiledLevel> stages_;
  std::shared_ptr<const expr::Program> account_key_;
  uint32_t state_size_ = 0;
};

// Compiles every expression of `spec` and lays out the per-lead state. Fails with every problem
// found (a bad expression, a condition that is not a bool, a name used where it has no
// meaning), each located in the model file.
tl::expected<std::shared_ptr<const CompiledModel>, std::vector<model::Diagnostic>> Compile(
    model::ModelSpec spec);

// Parses and compiles model text: model::ParseModel then Compile, reporting the problems of
// both stages together, in file order.
tl::expected<std::shared_ptr<const CompiledModel>, std::vector<model::Diagnostic>> CompileModelText(
    std::string_view yaml, const std::string& file);

// Loads and compiles a model file: model::LoadModelFile then Compile.
tl::expected<std::shared_ptr<const CompiledModel>, std::vector<model::Diagnostic>> LoadModel(
    const std::string& path);

}  // namespace leadscore::engine
