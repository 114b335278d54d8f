#include "engine/compiled_model.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "core/bytes_equal.h"
#include "model/loader.h"

namespace leadscore::engine {
namespace {

// Where an expression sits in a model decides what its bare names mean (SCORING.md,
// "Expressions", Names).
enum class Context { kFit, kEngagement, kFormula, kGrades, kStages, kAccountKey };

// The fields a model's expressions read, each given a slot the first time it is named, found
// by name: a scorecard of 20,000 columns compiles 13,000 rules, and a search of every field for
// every name read made that seconds of work.
class FieldIndex {
 public:
  FieldIndex(const model::ModelSpec& spec, std::vector<FieldSlot>& lead_fields,
             std::vector<FieldSlot>& event_fields)
      : lead_(lead_fields), event_(event_fields) {
    for (const auto& [name, type] : spec.fields) declared_.emplace(name, type);  // first wins
  }

  // The slot of `name` in the lead's (or an event's) fields, added when new, and its type.
  expr::Binding Lead(std::string_view name) { return Find(lead_, name, expr::Source::kLead); }
  expr::Binding Event(std::string_view name) { return Find(event_, name, expr::Source::kEvent); }

 private:
  struct Slots {
    explicit Slots(std::vector<FieldSlot>& f) : fields(f) {}
    std::vector<FieldSlot>& fields;
    std::unordered_map<std::string, uint32_t> slot_of;
  };

  expr::Binding Find(Slots& slots, std::string_view name, expr::Source source) {
    std::optional<ValueType> declared;
    if (auto it = declared_.find(name); it != declared_.end()) declared = it->second;
    const expr::Type type = declared ? expr::TypeOf(*declared) : expr::Type::kAny;
    std::vector<FieldSlot>& fields = slots.fields;
    // Fields added since (none but ours, but the index must not miss one): the first counts.
    for (uint32_t i = static_cast<uint32_t>(slots.slot_of.size()); i < fields.size(); ++i) {
      slots.slot_of.emplace(fields[i].name, i);
    }
    auto [at, fresh] =
        slots.slot_of.emplace(std::string(name), static_cast<uint32_t>(fields.size()));
    if (fresh) fields.push_back({std::string(name), declared});
    return {source, at->second, type};
  }

  std::unordered_map<std::string_view, ValueType> declared_;
  Slots lead_;
  Slots event_;
};

class ModelScope : public expr::Scope {
 public:
  ModelScope(const model::ModelSpec& spec, FieldIndex& fields, Context context)
      : spec_(spec), fields_(fields), context_(context) {}

  tl::expected<expr::Binding, std::string> Resolve(std::string_view name,
                                                   bool lead_prefixed) override {
    if (!lead_prefixed) {
      if (context_ == Context::kEngagement) {
        expr::Binding b = fields_.Event(name);
        used_event_slots_.push_back(b.slot);
        return b;
      }
      bool computed_context = context_ == Context::kFormula || context_ == Context::kGrades ||
                              context_ == Context::kStages;
      if (computed_context) {
        if (name == "fit")
          return expr::Binding{expr::Source::kComputed, kFitSlot, expr::Type::kNumber};
        if (name == "engagement") {
          return expr::Binding{expr::Source::kComputed, kEngagementSlot, expr::Type::kNumber};
        }
        if (name == "score" && context_ != Context::kFormula) {
          return expr::Binding{expr::Source::kComputed, kScoreSlot, expr::Type::kNumber};
        }
        if (name == "grade" && context_ == Context::kStages) {
          used_grade_ = true;
          return expr::Binding{expr::Source::kComputed, kGradeSlot, expr::Type::kString};
        }
      }
    }
    used_lead_ = true;
    expr::Binding b = fields_.Lead(name);
    used_slots_.push_back(b.slot);
    return b;
  }

  bool used_lead() const { return used_lead_; }
  bool used_grade() const { return used_grade_; }
  const std::vector<uint32_t>& used_slots() const { return used_slots_; }
  const std::vector<uint32_t>& used_event_slots() const { return used_event_slots_; }

  const std::vector<Value>* FindList(std::string_view name) override {
    auto it = spec_.lists.find(name);
    return it == spec_.lists.end() ? nullptr : &it->second;
  }

  std::vector<std::string> ListNames() const override {
    std::vector<std::string> names;
    for (const auto& [name, values] : spec_.lists) names.push_back(name);
    return names;
  }

 private:
  const model::ModelSpec& spec_;
  FieldIndex& fields_;
  Context context_;
  bool used_lead_ = false;
  bool used_grade_ = false;
  std::vector<uint32_t> used_slots_;
  std::vector<uint32_t> used_event_slots_;
};

enum class Expect { kCondition, kNumber, kAnything };

class ModelCompiler {
 public:
  ModelCompiler(const model::ModelSpec& spec, std::vector<FieldSlot>& lead_fields,
                std::vector<FieldSlot>& event_fields)
      : spec_(spec),
        lead_fields_(lead_fields),
        event_fields_(event_fields),
        field_index_(spec, lead_fields, event_fields) {}

  std::shared_ptr<const expr::Program> CompileExpr(const model::ExprText& text, Context context,
                                                   Expect expect, std::string_view what,
                                                   bool* reads_lead = nullptr,
                                                   std::vector<uint32_t>* lead_slots = nullptr,
                                                   std::vector<uint32_t>* event_slots = nullptr) {
    ModelScope scope(spec_, field_index_, context);
    auto program = expr::Compile(text.text, scope);
    if (reads_lead) *reads_lead = scope.used_lead();
    if (lead_slots) *lead_slots = scope.used_slots();
    if (event_slots) *event_slots = scope.used_event_slots();
    if (!program) {
      const expr::CompileError& e = program.error();
      Error(text.At(e.offset), expr::MessageInFile(e, text.text, [&text](size_t offset) {
              const model::SourcePos at = text.At(offset);
              return std::pair(at.line, at.column);
            }));
      return nullptr;
    }
    NoteLikelyTypos(scope, text, context);
    NoteComputedNamesReadAsAttributes(scope, text, context);
    if (context == Context::kStages && scope.used_grade() && spec_.grades.empty()) {
      Note(text.pos, "a stage reads `grade`, but the model has no grades: it is null here");
    }
    expr::Type type = expr::ResultType(**program);
    bool ok = type == expr::Type::kAny || type == expr::Type::kNull ||
              expect == Expect::kAnything ||
              (expect == Expect::kCondition && type == expr::Type::kBool) ||
              (expect == Expect::kNumber && type == expr::Type::kNumber);
    if (!ok) {
      Error(text.pos,
            std::string(what) + " must be " +
                (expect == Expect::kCondition ? "a condition (true or false)" : "a number") +
                ", but `" + text.text + "` is a " + std::string(expr::TypeName(type)));
      return nullptr;
    }
    return *program;
  }

  void Error(model::SourcePos pos, std::string message) {
    diagnostics_.push_back({spec_.file, pos, std::move(message)});
  }

  std::vector<model::Diagnostic>& diagnostics() { return diagnostics_; }
  std::vector<model::Diagnostic>& notes() { return notes_; }

 private:
  void Note(model::SourcePos pos, std::string message) {
    notes_.push_back({spec_.file, pos, std::move(message)});
  }

  // An undeclared name is legal (read from the data as sent), but one a letter or two away from
  // a declared field or a computed value (`engagment`, `sizee`) is most likely a slip that
  // leaves every lead reading null: `check` says so once per name.
  void NoteLikelyTypos(const ModelScope& scope, const model::ExprText& text, Context context) {
    auto undeclared = [](const FieldSlot& field) {
      static constexpr std::string_view kReserved[] = {"lead_id", "type", "ts", "event_id"};
      return !field.declared && std::find(std::begin(kReserved), std::end(kReserved), field.name) ==
                                    std::end(kReserved);
    };
    // Most expressions read declared fields only: the candidates are gathered only for one that
    // does not, rather than for every expression of a model of many fields.
    const bool any = std::any_of(scope.used_slots().begin(), scope.used_slots().end(),
                                 [&](uint32_t slot) { return undeclared(lead_fields_[slot]); }) ||
                     std::any_of(scope.used_event_slots().begin(), scope.used_event_slots().end(),
                                 [&](uint32_t slot) { return undeclared(event_fields_[slot]); });
    if (!any) return;
    std::vector<std::string> declared;
    for (const auto& field : spec_.fields) declared.push_back(field.first);
    auto consider = [&](const FieldSlot& field, const std::vector<std::string>& candidates,
                        std::string_view read_as) {
      if (!undeclared(field)) return;
      const std::string meant = model::ClosestMatch(field.name, candidates);
      if (meant.empty() || !noted_.insert(field.name).second) return;
      Note(PosOfName(text, field.name), "`" + field.name + "` is not declared, so it is read as " +
                                            std::string(read_as) + " of that name; did you mean `" +
                                            meant + "`?");
    };
    std::vector<std::string> lead_candidates = declared;
    if (context == Context::kFormula || context == Context::kGrades ||
        context == Context::kStages) {
      lead_candidates.insert(lead_candidates.end(), {"fit", "engagement"});
      if (context != Context::kFormula) lead_candidates.push_back("score");
      if (context == Context::kStages) lead_candidates.push_back("grade");
    }
    for (uint32_t slot : scope.used_slots()) {
      consider(lead_fields_[slot], lead_candidates, "a lead attribute");
    }
    for (uint32_t slot : scope.used_event_slots()) {
      consider(event_fields_[slot], declared, "an event property");
    }
  }

  // `engagement` in a fit rule, `score` in the formula, `grade` in a grade: a computed value's
  // name where that value is not computed yet is a lead attribute of that name, most likely
  // not what was meant. Said once per name and section, unless the model declares such a field.
  void NoteComputedNamesReadAsAttributes(const ModelScope& scope, const model::ExprText& text,
                                         Context context) {
    static constexpr std::string_view kComputed[] = {"fit", "engagement", "score", "grade"};
    // How many of kComputed each context can read, in that order.
    const size_t readable = context == Context::kFormula  ? 2
                            : context == Context::kGrades ? 3
                            : context == Context::kStages ? 4
                                                          : 0;
    for (uint32_t slot : scope.used_slots()) {
      const FieldSlot& field = lead_fields_[slot];
      const auto at = std::find(std::begin(kComputed), std::end(kComputed), field.name);
      if (field.declared || at == std::end(kComputed) ||
          static_cast<size_t>(at - std::begin(kComputed)) < readable) {
        continue;
      }
      const std::string where = context == Context::kFit          ? "a fit rule"
                                : context == Context::kEngagement ? "an engagement rule"
                                : context == Context::kFormula    ? "score.formula"
                                : context == Context::kGrades     ? "a grade"
                                                                  : "the accounts key";
      if (!noted_.insert(field.name + " in " + where).second) continue;
      Note(PosOfName(text, field.name),
           "`" + field.name + "` in " + where + " is a lead attribute of that name, not the " +
               "computed " + field.name + " (" +
               (field.name == "grade" ? "stages read" : "grades and stages read") +
               " that); declare the field if the attribute is meant");
    }
  }

  // Where `name` first appears in the expression (its start when it does not).
  static model::SourcePos PosOfName(const model::ExprText& text, const std::string& name) {
    const size_t at = text.text.find(name);
    return at == std::string::npos ? text.pos : text.At(at);
  }

  const model::ModelSpec& spec_;
  std::vector<FieldSlot>& lead_fields_;
  std::vector<FieldSlot>& event_fields_;
  FieldIndex field_index_;
  std::vector<model::Diagnostic> diagnostics_;
  std::vector<model::Diagnostic> notes_;
  std::set<std::string> noted_;
};

int GroupIndex(const std::vector<model::Group>& groups, const std::string& id) {
  for (size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

std::vector<CompiledGroup> CompileGroups(const std::vector<model::Group>& groups) {
  std::vector<CompiledGroup> out;
  for (const auto& g : groups) out.push_back({g.id, g.max});
  return out;
}

}  // namespace

bool HasLevel(const std::vector<CompiledLevel>& levels, std::string_view id) {
  return std::any_of(levels.begin(), levels.end(),
                     [&](const CompiledLevel& level) { return level.id == id; });
}

std::string LevelIds(const std::vector<CompiledLevel>& levels) {
  std::string ids;
  for (const CompiledLevel& level : levels) ids += (ids.empty() ? "" : ", ") + level.id;
  return ids;
}

int CompiledModel::EventTypeId(std::string_view type) const {
  // Few types: a linear scan beats hashing for the handful a model names.
  for (size_t i = 0; i < event_types_.size(); ++i) {
    const std::string& known = event_types_[i];
    if (known.size() == type.size() && BytesEqual(known.data(), type.data(), type.size())) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

tl::expected<std::shared_ptr<const CompiledModel>, std::vector<model::Diagnostic>> Compile(
    model::ModelSpec spec) {
  auto model = std::make_shared<CompiledModel>();
  ModelCompiler compiler(spec, model->lead_fields_, model->event_fields_);

  for (const auto& rule : spec.fit.rules) {
    CompiledFitRule out{rule.id, nullptr, rule.points, GroupIndex(spec.fit.groups, rule.group), {}};
    if (rule.when) {
      out.when = compiler.CompileExpr(*rule.when, Context::kFit, Expect::kCondition, "when",
                                      nullptr, &out.lead_slots);
    }
    model->fit_rules_.push_back(std::move(out));
  }
  model->fit_groups_ = CompileGroups(spec.fit.groups);

  uint32_t offset = 0;
  for (const auto& rule : spec.engagement.rules) {
    CompiledEngagementRule out;
    out.id = rule.id;
    out.event = rule.event;
    out.points = rule.points;
    out.max = rule.max;
    out.decay = rule.decay.value_or(spec.engagement.decay);
    out.group = GroupIndex(spec.engagement.groups, rule.group);
    if (rule.when) {
      out.when = compiler.CompileExpr(*rule.when, Context::kEngagement, Expect::kCondition, "when",
                                      &out.reads_lead, nullptr, &out.event_slots);
      out.reads_as_of = out.when && expr::ReadsAsOf(*out.when);
    }
    if (rule.count) {
      out.count = *rule.count;
      out.within_micros = rule.within_micros.value_or(0);
      out.kind = rule.within_micros ? RuleKind::kCountWindow : RuleKind::kCount;
      out.decay = {};
      if (out.kind == RuleKind::kCountWindow && out.count > 1000) {
        compiler.Error(rule.pos, "rule `" + rule.id +
                                     "`: count with within may be at most 1000 (each lead "
                                     "keeps that many timestamps)");
      }
    } else if (rule.once) {
      out.kind = RuleKind::kOnce;
    } else if (out.decay.kind == model::DecayKind::kHalfLife) {
      out.kind = RuleKind::kHalfLife;
    } else if (out.decay.kind == model::DecayKind::kExpireAfter) {
      out.kind = RuleKind::kExpiring;
    } else {
      out.kind = RuleKind::kSum;
    }
    switch (out.kind) {
      case RuleKind::kCountWindow:
        out.state_size = static_cast<uint32_t>(std::min<int64_t>(out.count, 1000));
        break;
      default:
        out.state_size = 1;
    }
    out.state_offset = offset;
    offset += out.state_size;

    int type_id = model->EventTypeId(rule.event);
    if (type_id < 0) {
      type_id = static_cast<int>(model->event_types_.size());
      model->event_types_.push_back(rule.event);
      model->rules_by_type_.emplace_back();
    }
    model->rules_by_type_[type_id].push_back(
        static_cast<uint32_t>(model->engagement_rules_.size()));
    model->engagement_rules_.push_back(std::move(out));
  }
  model->state_size_ = offset;
  for (size_t t = 0; t < model->rules_by_type_.size(); ++t) {
    // The type's event-only conditions may be memoized when all of them read one property.
    int memo = -1;
    bool memoizable = true;
    for (uint32_t index : model->rules_by_type_[t]) {
      const CompiledEngagementRule& rule = model->engagement_rules_[index];
      if (!rule.when || rule.reads_lead) continue;
      for (uint32_t slot : rule.event_slots) {
        if (memo >= 0 && static_cast<uint32_t>(memo) != slot) memoizable = false;
        memo = static_cast<int>(slot);
      }
      if (rule.event_slots.empty()) memoizable = false;
    }
    model->memo_slots_.push_back(memoizable ? memo : -1);
    if (model->rules_by_type_[t].size() > 64) {
      compiler.Error({}, "more than 64 engagement rules count events of type `" +
                             model->event_types_[t] + "`; split the type or merge rules");
    }
  }
  model->engagement_groups_ = CompileGroups(spec.engagement.groups);

  bool reads_lead = false;
  model->formula_ = compiler.CompileExpr(spec.formula, Context::kFormula, Expect::kNumber,
                                         "score.formula", &reads_lead);
  bool beyond_fit = reads_lead;
  for (const auto& g : spec.grades) {
    model->grades_.push_back(
        {g.id, compiler.CompileExpr(g.when, Context::kGrades, Expect::kCondition, "a grade",
                                    &reads_lead)});
    beyond_fit = beyond_fit || reads_lead;
  }
  for (const auto& s : spec.stages) {
    model->stages_.push_back(
        {s.id, compiler.CompileExpr(s.when, Context::kStages, Expect::kCondition, "a stage",
                                    &reads_lead)});
    beyond_fit = beyond_fit || reads_lead;
  }
  for (const auto& rule : model->engagement_rules_) beyond_fit = beyond_fit || rule.reads_lead;
  model->reads_lead_beyond_fit_ = beyond_fit;
  if (spec.accounts) {
    model->account_key_ = compiler.CompileExpr(spec.accounts->key, Context::kAccountKey,
                                               Expect::kAnything, "accounts.key");
  }
  if (!compiler.diagnostics().empty()) {
    auto diagnostics = std::move(compiler.diagnostics());
    model::SortDroppingRepeats(diagnostics);
    return tl::unexpected(std::move(diagnostics));
  }
  auto unread = [&](const std::vector<FieldSlot>& read,
                    std::initializer_list<const char*> reserved) {
    std::vector<FieldSlot> out;
    for (const auto& field : spec.fields) {
      // Not a structured binding: clang 14 cannot capture one in a lambda.
      const std::string& name = field.first;
      const bool is_read =
          std::any_of(read.begin(), read.end(), [&](const FieldSlot& f) { return f.name == name; });
      const bool is_reserved = std::any_of(reserved.begin(), reserved.end(),
                                           [&](const char* key) { return name == key; });
      if (!is_read && !is_reserved) out.push_back({name, field.second});
    }
    return out;
  };
  model->checked_lead_fields_ = unread(model->lead_fields_, {"lead_id"});
  model->checked_event_fields_ =
      unread(model->event_fields_, {"lead_id", "type", "ts", "event_id"});
  for (auto& note : compiler.notes()) spec.notes.push_back(std::move(note));
  model::SortDroppingRepeats(spec.notes);
  model->spec_ = std::move(spec);
  return std::shared_ptr<const CompiledModel>(std::move(model));
}

namespace {

tl::expected<std::shared_ptr<const CompiledModel>, std::vector<model::Diagnostic>> CompileLoaded(
    model::LoadResult loaded) {
  if (!loaded.spec) return tl::unexpected(std::move(loaded.diagnostics));
  auto compiled = Compile(std::move(*loaded.spec));
  if (loaded.diagnostics.empty()) return compiled;
  std::vector<model::Diagnostic> all = std::move(loaded.diagnostics);
  if (!compiled) all.insert(all.end(), compiled.error().begin(), compiled.error().end());
  model::SortDroppingRepeats(all);
  return tl::unexpected(std::move(all));
}

}  // namespace

tl::expected<std::shared_ptr<const CompiledModel>, std::vector<model::Diagnostic>> CompileModelText(
    std::string_view yaml, const std::string& file) {
  return CompileLoaded(model::ParseModel(yaml, file));
}

tl::expected<std::shared_ptr<const CompiledModel>, std::vector<model::Diagnostic>> LoadModel(
    const std::string& path) {
  return CompileLoaded(model::LoadModelFile(path));
}

}  // namespace leadscore::engine
