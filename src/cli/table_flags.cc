#include "cli/table_flags.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <span>
#include <thread>
#include <unordered_map>

#include "cli/cli_common.h"
#include "cli/stage_reference.h"
#include "core/print_stderr.h"
#include "core/printable.h"
#include "learn/column_builder.h"
#include "learn/derived_columns.h"
#include "learn/feature_config.h"
#include "learn/lone_columns.h"
#include "learn/rule_features.h"
#include "service/history_rule_features.h"
#include "service/store_source.h"
#include "store/store.h"

namespace leadscore::cli {

void AddTableOptions(CLI::App& sub, TableFlags& flags) {
  auto* table = sub.add_option(
      "--table", flags.table,
      "Table mode: CSV or JSON Lines, one row per lead with a label column (a CRM export, a "
      "dataset)");
  sub.add_option("--label", flags.label, "Table mode: the column that says how the lead ended")
      ->needs(table);
  sub.add_option("--positive", flags.positive,
                 "Table mode: the label value that counts as a conversion, as written in the "
                 "file (e.g. 1, yes, Won)")
      ->needs(table);
  auto* leads = sub.add_option("--leads", flags.leads,
                               "History mode: leads, CSV or JSON Lines (lead_id, attributes, "
                               "created_at)");
  auto* events = sub.add_option("--events", flags.events,
                                "History mode: events (lead_id, type, ts, url), CSV or JSON Lines");
  auto* outcomes =
      sub.add_option("--outcomes", flags.outcomes, "History mode: outcomes (lead_id, outcome, ts)");
  leads->needs(events)->needs(outcomes)->excludes(table);
  sub.add_option("--db", flags.db,
                 "History mode from the store (SQLite file or postgresql:// URL): its leads, "
                 "events and outcomes, as `leadscore ingest` and the service wrote them")
      ->excludes(table)
      ->excludes(leads)
      ->excludes(events)
      ->excludes(outcomes);
  sub.add_option("--outcome", flags.outcome, "History mode: the outcome that makes a lead positive")
      ->default_val("won");
  sub.add_option("--horizon", flags.horizon,
                 "History mode: positive when the outcome comes within this long after the "
                 "reference time (e.g. 90d)")
      ->default_val("90d");
  sub.add_option("--reference", flags.reference,
                 "History mode: each lead's reference time: `created` (its created_at, else its "
                 "first event), `first:MQL` (the first time the --stages-model put it in that "
                 "stage; `first-mql` for short) or a cut-off date for every lead (2025-06-01)")
      ->default_val("created");
  sub.add_option("--stages-model", flags.stages_model,
                 "History mode with --reference first:STAGE: the rule model whose stages define "
                 "it");
  sub.add_option("--drop", flags.drop,
                 "Columns to leave out, comma-separated: ids, and anything recorded after the "
                 "outcome (it leaks it)")
      ->delimiter(',');
  sub.add_option("--missing", flags.missing,
                 "Placeholder values that mean missing, comma-separated, any case "
                 "(e.g. Select,unknown); empty cells always do")
      ->delimiter(',')
      // Cells are compared trimmed: ` Unknown` (after `Select, `) would match none.
      ->transform(CLI::Validator(
          [](std::string& value) {
            value = std::string(learn::TrimCell(value));
            return std::string();
          },
          "", "TRIMMED"));
  sub.add_option("--features", flags.features,
                 "A feature config (YAML): `exclude:` columns to leave out, `derived:` columns "
                 "computed from others with the model file's expressions (docs/predictive.md)");
  sub.add_option("--model", flags.model,
                 "The rule model in use today (a model file): each rule's contribution and its "
                 "score become features of the trees, and `evaluate` sets its score beside the "
                 "learners");
  sub.add_option("--as-of", flags.as_of,
                 "Table mode: the time the rule model and derived columns score at (for "
                 "days_since); default now. History mode uses each lead's reference time")
      ->check(NotEmpty());
  sub.add_flag("!--no-rule-features", flags.rule_features,
               "With --model: only set its score beside the learners, not its rules as features");
  sub.add_option("--seed", flags.seed, "Seed for folds, splits and sampling")
      ->default_val(42)
      ->check(SeedNumber());
  sub.add_option("--threads", flags.threads,
                 "Threads for training (default: every core on large tables, one on small ones)")
      ->check(CLI::Range(1, 256));
}

int LearnerThreads(int asked) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (asked <= cores) return asked;
  PrintToStderr("--threads {}: this machine has {}; training with {}\n", asked,
                Plural(static_cast<uint64_t>(cores), "core"), cores);
  return cores;
}

namespace {

// Says which --missing placeholders no cell of `table` held: misspelt, or with blanks inside.
void NoteUnseenPlaceholders(const std::string& source, const learn::LabeledTable& table,
                            const std::vector<std::string>& placeholders) {
  for (const std::string& p : learn::UnseenPlaceholders(table.columns, placeholders)) {
    PrintToStderr(
        "--missing: no cell of {} is `{}` (compared trimmed, in any case): check its spelling\n",
        source, p);
  }
}

// What the flags ask of the features, read before the data.
struct FeaturePlan {
  learn::FeatureConfig config;
  std::vector<std::string> excluded;  // --drop and the config's exclude
  // Excluded, but for the columns a derived column or the rule model reads: those are read,
  // used, then left out.
  std::vector<std::string> load_drop;
  std::shared_ptr<const engine::CompiledModel> rules;  // --model
  std::string rules_text;
  AsOf as_of;
};

std::optional<FeaturePlan> PlanFeatures(const TableFlags& flags) {
  FeaturePlan plan;
  if (!flags.features.empty()) {
    auto config = learn::LoadFeatureConfig(flags.features);
    if (!config) {
      PrintToStderr("--features {}\n", config.error().message());
      return std::nullopt;
    }
    plan.config = std::move(*config);
  }
  plan.excluded = flags.drop;
  plan.excluded.insert(plan.excluded.end(), plan.config.exclude.begin(), plan.config.exclude.end());
  std::vector<std::string> read;
  for (const learn::DerivedColumn& d : plan.config.derived) {
    auto names = learn::ColumnsRead(d);
    if (!names) {
      PrintToStderr("{}: {}\n", flags.features, names.error().message());
      return std::nullopt;
    }
    read.insert(read.end(), names->begin(), names->end());
  }
  if (!flags.model.empty()) {
    plan.rules = LoadModelOrReport(flags.model);
    if (!plan.rules) return std::nullopt;
    std::ifstream in(flags.model, std::ios::binary);
    plan.rules_text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    // The rules see the lead as it is: an excluded column they test is read for them.
    for (const auto& field : plan.rules->lead_fields()) read.push_back(field.name);
  }
  for (const std::string& c : plan.excluded) {
    if (std::find(read.begin(), read.end(), c) == read.end()) plan.load_drop.push_back(c);
  }
  auto as_of = ParseAsOfOrReport(flags.as_of);
  if (!as_of) return std::nullopt;
  plan.as_of = *as_of;
  return plan;
}

// Adds the derived columns and the rule features (`rule_features` computes them), then
// leaves out the excluded columns that were read only for them.
std::optional<TrainingTable> FinishFeatures(
    const TableFlags& flags, const FeaturePlan& plan, learn::LabeledTable table,
    std::span<const Timestamp> times,
    const std::function<Status(learn::LabeledTable&)>& rule_features) {
  if (Status s = learn::AddDerivedColumns(table, plan.config.derived, times); !s.ok()) {
    PrintToStderr("{}: {}\n", flags.features, s.message());
    return std::nullopt;
  }
  TrainingTable out;
  if (plan.rules) {
    const size_t before = table.columns.size();
    if (Status s = rule_features(table); !s.ok()) {
      PrintToStderr("--model {}: {}\n", flags.model, s.message());
      return std::nullopt;
    }
    const auto score =
        std::find_if(table.columns.begin() + before, table.columns.end(),
                     [](const learn::Column& c) { return c.name == learn::kRuleScoreFeature; });
    if (score != table.columns.end()) out.rule_scores = score->values;
    if (flags.rule_features) {
      PrintToStderr("{}: {} rule features (the rules that vary over these leads, and the score)\n",
                    flags.model, table.columns.size() - before);
      out.rule_model = plan.rules_text;
      out.rule_history = flags.table.empty();
    } else {
      table.columns.resize(before);
    }
  }
  std::erase_if(table.columns, [&](const learn::Column& c) {
    return !c.derived && !c.event && !c.from_rules &&
           std::find(plan.excluded.begin(), plan.excluded.end(), c.name) != plan.excluded.end();
  });
  out.table = std::move(table);
  return out;
}

// A lead attribute that alone ranks the rows almost perfectly: most likely filled in after the
// outcome (learn/lone_columns.h). Said, not acted on: the analyst knows what the column holds.
void WarnOfLoneColumns(const TableFlags& flags, const learn::LabeledTable& table) {
  for (const learn::LoneColumn& lone : learn::LoneColumnAucs(table, 3, flags.seed)) {
    if (lone.auc < learn::kSuspectLoneAuc) continue;
    const std::string& name = table.columns[lone.column].name;
    PrintToStderr(
        "{}: the column \"{}\" alone ranks the rows with AUC {:.2f} (out of fold), which a fact "
        "known before the sale rarely does: if it is filled in after the outcome (a sales status, "
        "a quality judged after a call), it leaks it, and the model will do worse on new leads "
        "than its AUC says; if so, leave it out: --drop \"{}\"\n",
        SourceOf(flags), name, lone.auc, name);
  }
}

std::optional<TrainingTable> BuildFromHistory(const TableFlags& flags, const FeaturePlan& plan) {
  ErrorReporter errors;
  learn::TrainingSetOptions options;
  options.leads = flags.leads;
  options.events = flags.events;
  options.outcomes = flags.outcomes;
  options.leads_source = learn::FileOpener(flags.leads);
  options.events_source = learn::FileOpener(flags.events);
  options.outcomes_source = learn::FileOpener(flags.outcomes);
  std::unique_ptr<store::Store> store;  // read while the set is built
  if (!flags.db.empty()) {
    if (!flags.db.starts_with("postgres") && !std::filesystem::exists(flags.db)) {
      PrintToStderr("--db: no store at {} (`leadscore ingest --db` writes one)\n", flags.db);
      return std::nullopt;
    }
    auto opened = store::Store::Open(flags.db, {.durable = false});
    if (!opened) {
      PrintToStderr("--db {}: {}\n", flags.db, opened.error().message());
      return std::nullopt;
    }
    store = std::move(*opened);
    auto from = [&store](auto open) -> learn::SourceOpener {
      return [&store, open]() -> Result<std::unique_ptr<ingest::RecordSource>> {
        return open(*store);
      };
    };
    options.leads = flags.db + " (leads)";
    options.events = flags.db + " (events)";
    options.outcomes = flags.db + " (outcomes)";
    options.leads_source = [&store]() -> Result<std::unique_ptr<ingest::RecordSource>> {
      // Cells typed as a file's, undeclared. A lead the store knows only from its events or
      // outcomes (no attributes) is left out, as a leads file would not hold it: the training
      // set adds those with events, as it does from files.
      return service::StoredLeads(*store, nullptr,
                                  {.has_events = [](std::string_view) { return true; }});
    };
    options.events_source = [&store]() -> Result<std::unique_ptr<ingest::RecordSource>> {
      return service::StoredEvents(*store, nullptr);  // cells typed as a file's, undeclared
    };
    options.outcomes_source = from(&service::StoredOutcomes);
  }
  options.positive_outcome = flags.outcome;
  options.drop = plan.load_drop;
  options.missing = flags.missing;
  options.on_error = [&](const ingest::RowError& e) { errors.Report(e); };
  auto horizon = ParseDuration(flags.horizon);
  if (!horizon) {
    PrintToStderr("--horizon: cannot read \"{}\" as a duration (e.g. 90d, 12w)\n", flags.horizon);
    return std::nullopt;
  }
  options.horizon = *horizon;
  std::unordered_map<std::string, Timestamp> first_stage;  // --reference first:STAGE
  if (flags.reference.starts_with("first:") || flags.reference == "first-mql") {
    const std::string stage =
        flags.reference == "first-mql" ? "MQL" : flags.reference.substr(std::strlen("first:"));
    if (flags.stages_model.empty()) {
      PrintToStderr(
          "--reference {}: give the rule model whose stages define it (--stages-model "
          "M.yaml)\n",
          flags.reference);
      return std::nullopt;
    }
    auto model = LoadModelOrReport(flags.stages_model);
    if (!model) return std::nullopt;
    auto times = FirstStageTimes(model, stage, options.leads_source, options.events_source);
    if (!times) {
      PrintToStderr("--reference {}: {}\n", flags.reference, times.error().message());
      return std::nullopt;
    }
    first_stage = std::move(*times);
    PrintToStderr("{} leads reached {} under {}\n", first_stage.size(), stage, flags.stages_model);
    options.reference_of = [&first_stage](const std::string& id) -> std::optional<Timestamp> {
      auto it = first_stage.find(id);
      if (it == first_stage.end()) return std::nullopt;
      return it->second;
    };
  } else if (flags.reference != "created") {
    auto cutoff = ParseTimestamp(flags.reference);
    if (!cutoff) {
      PrintToStderr("--reference: `created`, `first:STAGE` or a date (2025-06-01), not \"{}\"\n",
                    flags.reference);
      return std::nullopt;
    }
    options.cutoff = *cutoff;
  }
  learn::TrainingSetStats stats;
  learn::RowKeys keys;
  auto table = learn::BuildTrainingSet(options, &stats, &keys);
  errors.Finish();
  if (!table) {
    PrintToStderr("{}\n", table.error().message());
    return std::nullopt;
  }
  NoteUnseenPlaceholders(SourceOf(flags), *table, flags.missing);
  PrintToStderr(
      "{}: {} leads{}; {} used ({} positive: `{}` within {} of the reference), {} converted "
      "before their reference, {} with the horizon not over by {}, {} without a "
      "reference, {} created after the cut-off; {} events counted, {} after their lead's "
      "reference (never seen), {}\n",
      SourceOf(flags), stats.leads,
      stats.leads_from_events == 0
          ? std::string()
          : fmt::format(" and {} known only from the events", stats.leads_from_events),
      stats.used, table->positives(), flags.outcome, flags.horizon, stats.converted_before,
      stats.censored, FormatTimestamp(stats.data_end), stats.no_reference, stats.created_after,
      stats.events_counted, stats.events_after,
      // The store keeps one event per event_id: `ingest` and the service counted the repeats.
      flags.db.empty() ? fmt::format("{} repeated event_ids counted once", stats.duplicates)
                       : std::string("repeated event_ids were counted once when stored"));
  auto out =
      FinishFeatures(flags, plan, std::move(*table), keys.references, [&](learn::LabeledTable& t) {
        return service::AddHistoryRuleFeatures(plan.rules, t, keys.ids, keys.references,
                                               options.leads_source, options.events_source,
                                               /*drop_constant=*/true);
      });
  if (out) WarnOfLoneColumns(flags, out->table);
  return out;
}

// A column of numbers but for a value or two (`n/a`) is read as categories: its numbers lose
// their order, each becoming a level. Name the values and the --missing that reads them as
// missing, which is most often what they mean; when they are many (`1,200`, `NaN`, ...), name
// the commonest and say how many rows they take.
void WarnOfStrayText(const TableFlags& flags, const learn::LabeledTable& table) {
  constexpr size_t kNamed = learn::ColumnBuilder::kNonNumericValues;
  for (const learn::Column& c : table.columns) {
    if (c.non_numeric.empty()) continue;
    std::string values, missing;
    for (const std::string& m : flags.missing) missing += (missing.empty() ? "" : ",") + m;
    uint64_t other_rows = 0;
    for (size_t i = 0; i < c.non_numeric.size(); ++i) {
      const auto& [value, rows] = c.non_numeric[i];
      if (i >= kNamed) {
        other_rows += rows;
        continue;
      }
      values += fmt::format("{}`{}` ({} row{})", values.empty() ? "" : ", ", Printable(value), rows,
                            rows == 1 ? "" : "s");
      missing += (missing.empty() ? "" : ",") + value;
    }
    if (c.non_numeric.size() > kNamed) {
      PrintToStderr(
          "{}: the column `{}` holds numbers but for {} values that are not, such as {}, and {} "
          "more on {} row{}, so it is read as categories, each number a level without order; "
          "write them as numbers in the file, or name them with --missing\n",
          flags.table, c.name, c.non_numeric.size(), values, c.non_numeric.size() - kNamed,
          other_rows, other_rows == 1 ? "" : "s");
      continue;
    }
    PrintToStderr(
        "{}: the column `{}` holds numbers but for {}, so it is read as categories; if {} "
        "missing, say so: --missing '{}'\n",
        flags.table, c.name, values, c.non_numeric.size() == 1 ? "that means" : "those mean",
        missing);
  }
}

}  // namespace

std::optional<TrainingTable> LoadTableOrReport(const TableFlags& flags) {
  const std::optional<FeaturePlan> plan = PlanFeatures(flags);
  if (!plan) return std::nullopt;
  if (flags.table.empty()) {
    if (flags.leads.empty() && flags.db.empty()) {
      PrintToStderr(
          "give --table FILE --label COL --positive VALUE, --leads, --events and "
          "--outcomes, or --db\n");
      return std::nullopt;
    }
    return BuildFromHistory(flags, *plan);
  }
  if (flags.label.empty() || flags.positive.empty()) {
    PrintToStderr("--table needs --label and --positive\n");
    return std::nullopt;
  }
  ErrorReporter errors;
  learn::TableOptions options;
  options.label = flags.label;
  options.positive = flags.positive;
  options.drop = plan->load_drop;
  options.missing = flags.missing;
  options.on_error = [&](const ingest::RowError& e) { errors.Report(e); };
  auto table = learn::LoadTable(flags.table, options);
  errors.Finish();
  if (!table) {
    PrintToStderr("{}\n", table.error().message());
    return std::nullopt;
  }
  NoteUnseenPlaceholders(flags.table, *table, flags.missing);
  if (const std::string note =
          learn::LabelValuesNote(table->label_values, flags.label, flags.positive);
      !note.empty()) {
    PrintToStderr("{}: {}\n", flags.table, note);
  }
  const Timestamp as_of[] = {plan->as_of.time};
  auto out = FinishFeatures(flags, *plan, std::move(*table), as_of, [&](learn::LabeledTable& t) {
    learn::AddRuleFeatures(*plan->rules, t, plan->as_of, /*drop_constant=*/true);
    return Status::Ok();
  });
  if (!out) return std::nullopt;
  size_t numeric = 0;
  const auto& columns = out->table.columns;
  for (const auto& c : columns) numeric += c.kind == learn::ColumnKind::kNumeric;
  PrintToStderr(
      "{}: {} rows used ({} positive, {:.1f} %), {} skipped; {} feature columns ({} "
      "numeric, {} categorical)\n",
      flags.table, out->table.rows(), out->table.positives(),
      100.0 * out->table.positives() / out->table.rows(), out->table.data_rows - out->table.rows(),
      columns.size(), numeric, columns.size() - numeric);
  WarnOfStrayText(flags, out->table);
  WarnOfLoneColumns(flags, out->table);
  return out;
}

}  // namespace leadscore::cli
