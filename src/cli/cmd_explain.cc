// leadscore explain: one lead's score as a person reads it, and what would move it.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <deque>
#include <map>
#include <memory>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "cli/same_file.h"
#include "core/print_stderr.h"
#include "engine/rounding.h"
#include "engine/scorer.h"
#include "expr/lexer.h"
#include "service/batch_score.h"
#include "service/lead_table.h"
#include "service/next_steps.h"
#include "service/stage_forecast.h"

namespace leadscore::cli {
namespace {

using engine::FormatScore;

struct ExplainArgs {
  std::string model, leads, events, lead, as_of;
};

struct EventRef {
  uint64_t line;
  Timestamp ts;
};

std::string Signed(double v) { return (v >= 0 ? "+" : "") + FormatScore(v); }

// "3 problems in the input: 2 rows skipped, 1 value not converted; ..." from the batch's
// counts. `total` is every problem reported, which also holds what the counts do not (a
// column named twice, an input cut short after a whole line).
std::string InputProblems(const service::Batch& batch, uint64_t total) {
  const service::InputStats& l = batch.lead_stats;
  const service::InputStats& e = batch.event_stats;
  const uint64_t skipped = l.rows_skipped + e.rows_skipped;
  const uint64_t not_converted = l.conversion_errors + e.conversion_errors;
  const uint64_t warned = l.warnings + e.warnings;
  std::string parts;
  auto add = [&](uint64_t n, const std::string& what) {
    if (n) parts += (parts.empty() ? "" : ", ") + what;
  };
  add(skipped, Plural(skipped, "row") + " skipped");
  add(not_converted, Plural(not_converted, "value") + " not converted");
  add(warned, Plural(warned, "row") + " read with a warning");
  const uint64_t counted = skipped + not_converted + warned;
  if (total > counted) add(total - counted, Plural(total - counted, "other problem"));
  return fmt::format("{} in the input: {}; `leadscore score --errors -` lists them",
                     Plural(total, "problem"), parts);
}

// The events of `all` (those that matched `rule`) that count in its contribution at `as_of`
// (SCORING.md, "Computing a score"): those younger than an expiry or a count window, the latest
// for a `once` rule, every one otherwise. Oldest first, ties in file order.
std::vector<EventRef> CountingEvents(const engine::CompiledEngagementRule& rule,
                                     std::vector<EventRef> all, Timestamp as_of) {
  std::stable_sort(all.begin(), all.end(),
                   [](const EventRef& a, const EventRef& b) { return a.ts < b.ts; });
  int64_t younger_than = 0;  // 0: no limit
  if (rule.kind == engine::RuleKind::kCountWindow) younger_than = rule.within_micros;
  if (rule.decay.kind == model::DecayKind::kExpireAfter) younger_than = rule.decay.age_limit;
  if (younger_than > 0) {
    std::erase_if(all, [&](const EventRef& e) { return as_of - e.ts >= younger_than; });
  }
  if (rule.kind == engine::RuleKind::kOnce && all.size() > 1) all.erase(all.begin(), all.end() - 1);
  return all;
}

std::string StageName(const engine::CompiledModel& m, int stage) {
  return stage >= 0 ? m.stages()[stage].id : "(no stage)";
}

int RunExplain(const ExplainArgs& args) {
  if (!OutputsAreDistinctOrReport("explain", {{"--leads", args.leads}, {"--events", args.events}},
                                  {})) {
    return kExitUsage;
  }
  auto model = LoadModelOrReport(args.model);
  if (!model) return kExitFailure;
  auto as_of = ParseAsOfOrReport(args.as_of);
  if (!as_of) return kExitUsage;

  ErrorReporter errors(0);  // bad rows are counted, not printed: this is about one lead
  std::map<uint32_t, std::vector<EventRef>> events_by_rule;
  // The lead's events with their properties, for next steps that change an attribute an
  // engagement rule reads (service/next_steps.h); the arena keeps their strings.
  std::vector<service::PastEvent> past;
  std::deque<std::string> arena;
  service::BatchOptions options;
  options.leads_path = args.leads;
  options.events_path = args.events;
  options.as_of = *as_of;
  options.only_lead = args.lead;
  options.on_error = [&](const ingest::RowError& e) { errors.Report(e); };
  options.errors_in_full = errors.needed_in_full();
  options.on_more_errors = [&](uint64_t count) { errors.Count(count); };
  NoteTerminalInput("explain", {{"--leads", args.leads}, {"--events", args.events}});
  options.on_applied = [&](uint32_t /*lead*/, uint64_t line, const engine::EventView& event,
                           const std::vector<uint32_t>& rules) {
    for (uint32_t r : rules) events_by_rule[r].push_back({line, event.ts});
    service::PastEvent& kept = past.emplace_back();
    kept.type_id = event.type_id;
    kept.ts = event.ts;
    for (const Value& v : event.properties) {
      kept.properties.push_back(v.is_string() ? Value::String(arena.emplace_back(v.str())) : v);
    }
  };
  auto loaded = service::LoadBatch(model, options);
  if (!loaded) {
    PrintToStderr("explain: {}\n", loaded.error().message());
    return ExitCodeFor(loaded.error());
  }
  const service::Batch& batch = **loaded;
  int64_t found = batch.leads.Find(args.lead, service::HashBytes(args.lead));
  if (found < 0) {
    PrintToStderr("explain: lead \"{}\" is in neither the leads nor the events\n", args.lead);
    return kExitFailure;
  }
  uint32_t row = static_cast<uint32_t>(found);
  const engine::CompiledModel& m = *model;
  engine::Scorer scorer(m);
  engine::Score score;
  auto attributes = batch.leads.attributes(row);
  scorer.Evaluate(batch.states, row, attributes, *as_of, true, score);

  fmt::print("lead {} as of {}{}\n", args.lead, FormatTimestamp(as_of->time),
             batch.leads.line(row) ? fmt::format(" ({}:{})", args.leads, batch.leads.line(row))
                                   : " (known only from events)");
  // The formula's own value, before the clamp to [0, score.max]: the score less its cut.
  double formula_value = score.score;
  for (const auto& r : score.reasons) {
    if (r.rule == "cut:score") formula_value -= r.points;
  }
  const bool default_formula = m.spec().formula.text == "fit + engagement";
  fmt::print("score {}  {} fit {} {} engagement {}", FormatScore(score.score),
             default_formula ? "=" : "from", FormatScore(score.fit), default_formula ? "+" : "and",
             FormatScore(score.engagement));
  if (!default_formula) fmt::print(" by the formula {}", m.spec().formula.text);
  if (formula_value != score.score) {
    fmt::print("{} {}, {} to {}", default_formula ? " =" : ", which gives",
               FormatScore(formula_value), formula_value > score.score ? "cut" : "raised",
               FormatScore(score.score));
  }
  fmt::print("\ngrade {}   stage {}\n\n", score.grade >= 0 ? m.grades()[score.grade].id : "(none)",
             StageName(m, score.stage));

  fmt::print("what counted:\n");
  if (score.reasons.empty()) fmt::print("  nothing: no rule applies\n");
  for (const auto& r : score.reasons) {
    if (r.rule_index < 0) {
      fmt::print("  {:>8}  {}\n", Signed(r.points), r.rule);
      continue;
    }
    if (r.is_fit) {
      const auto& spec = m.spec().fit.rules[r.rule_index];
      fmt::print("  {:>8}  {:<18} fit: {}\n", Signed(r.points), r.rule,
                 spec.when ? spec.when->text : "always");
      continue;
    }
    const auto& rule = m.engagement_rules()[r.rule_index];
    std::vector<EventRef> refs = CountingEvents(rule, events_by_rule[r.rule_index], as_of->time);
    std::string how;
    switch (rule.kind) {
      case engine::RuleKind::kCount:
      case engine::RuleKind::kCountWindow:
        how = fmt::format("at least {} {} events", rule.count, rule.event);
        break;
      case engine::RuleKind::kOnce:
        how = fmt::format("once, for the latest {} event", rule.event);
        break;
      default:
        how = fmt::format("{} x {} {}", refs.size(), Signed(rule.points), rule.event);
        if (rule.decay.kind == model::DecayKind::kHalfLife) how += ", decayed";
        if (rule.max) how += fmt::format(", capped at {}", FormatNumber(*rule.max));
    }
    fmt::print("  {:>8}  {:<18} {}\n", Signed(r.points), r.rule, how);
    std::string lines;
    size_t shown = 0;
    for (auto it = refs.rbegin(); it != refs.rend() && shown < 5; ++it, ++shown) {
      lines += fmt::format("{}{} ({}:{})", shown ? ", " : "", FormatTimestamp(it->ts), args.events,
                           it->line);
    }
    if (!lines.empty()) {
      fmt::print("            events: {}{}\n", lines,
                 refs.size() > 5 ? fmt::format(" and {} more", refs.size() - 5) : "");
    }
  }
  if (score.grade >= 0) {
    fmt::print("\ngrade {}: the first grade whose condition holds: {}\n",
               m.grades()[score.grade].id, m.spec().grades[score.grade].when.text);
  }
  if (score.stage >= 0) {
    fmt::print("stage {}: the last stage whose condition holds: {}\n", m.stages()[score.stage].id,
               m.spec().stages[score.stage].when.text);
  }

  // Looking forward: single actions that reach the next stage up.
  const int next = score.stage + 1;
  if (static_cast<size_t>(next) < m.stages().size()) {
    fmt::print("\nto reach {} ({}):\n", m.stages()[next].id, m.spec().stages[next].when.text);
    const auto steps =
        service::NextSteps(scorer, batch.states, row, args.lead, attributes, past, *as_of, next);
    for (const service::NextStep& step : steps) {
      std::string reached =
          step.stage > next ? fmt::format(" (stage {})", m.stages()[step.stage].id) : "";
      if (!step.is_event) {
        fmt::print("  fill in {} with {}: score {}{}\n",
                   expr::NameAsWritten(step.properties[0].first), step.properties[0].second,
                   FormatScore(step.score), reached);
        continue;
      }
      std::string with;
      for (const auto& [name, value] : step.properties) {
        with += fmt::format("{} {} = {}", with.empty() ? " with" : ",", expr::NameAsWritten(name),
                            value);
      }
      std::string rules;
      for (const std::string& id : step.rules) rules += (rules.empty() ? "" : ", ") + id;
      fmt::print("  one more {} event{} (rule{} {}): score {}{}\n", step.event_type, with,
                 step.rules.size() > 1 ? "s" : "", rules, FormatScore(step.score), reached);
    }
    if (steps.empty()) {
      fmt::print(
          "  no single event or attribute value tried gets there (the values tried are those "
          "the model's conditions name: a pattern or a length is not searched)\n");
    }
  }
  // Looking forward in time: where the stage goes if nothing happens. A lead with no stage
  // is spoken of only when it enters one (an expiring negative rule, a days_since() condition).
  const auto change = m.stages().empty() ? std::nullopt
                                         : service::StageChangeTime(scorer, batch.states, row,
                                                                    attributes, as_of->time, past);
  if (change) {
    engine::Score later;
    service::ScoreLater(scorer, batch.states, row, attributes, past, *change, later);
    // The first whole second at which the stage has changed.
    const std::string at =
        FormatTimestamp((*change + kMicrosPerSecond - 1) / kMicrosPerSecond * kMicrosPerSecond);
    if (score.stage < 0) {
      fmt::print("\nif nothing happens: enters {} on {}\n", StageName(m, later.stage), at);
    } else if (later.stage > score.stage) {
      fmt::print("\nif nothing happens: moves up from {} to {} on {}\n", m.stages()[score.stage].id,
                 m.stages()[later.stage].id, at);
    } else {
      fmt::print("\nif nothing happens: leaves {} on {}, when `{}` stops holding; then {}\n",
                 m.stages()[score.stage].id, at, m.spec().stages[score.stage].when.text,
                 later.stage >= 0 ? "stage " + StageName(m, later.stage) : "no stage");
    }
  } else if (score.stage >= 0) {
    fmt::print("\nif nothing happens: stays {} (time alone never takes it out)\n",
               m.stages()[score.stage].id);
  }
  if (errors.count()) PrintToStderr("({})\n", InputProblems(batch, errors.count()));
  return kExitOk;
}

}  // namespace

std::function<int()> SetupExplain(CLI::App& sub) {
  auto args = std::make_shared<ExplainArgs>();
  sub.add_option("--model,-m", args->model, "Model file (YAML)")->required();
  sub.add_option("--leads,-l", args->leads, "Leads file");
  sub.add_option("--events,-e", args->events, "Events file");
  sub.add_option("--lead", args->lead, "The lead_id to explain")->required();
  sub.add_option("--as-of,-t", args->as_of, "As of this time. Default: now")->check(NotEmpty());
  sub.footer(
      "Prints the score and what made it (each rule with the events that still count), the\n"
      "grade and stage and the condition that decided them; then, for the next stage up, each\n"
      "single action that reaches it (one more event, with the properties it needs, or a missing\n"
      "attribute filled in), scored as `score` scores the lead once it is done; and, if nothing\n"
      "happens, the second at which time alone (decay, an expiry, a count window, days_since())\n"
      "changes the stage. The same steps: GET /v1/leads/{id}?next_steps=true.");
  return [args] { return RunExplain(*args); };
}

}  // namespace leadscore::cli
