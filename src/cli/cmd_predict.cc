// leadscore predict: a trained trees model's probability of conversion for each lead of a file
// (and, for a model trained on history, its events up to a time), with each lead's largest
// feature contributions as its explanation.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <nlohmann/json.hpp>
#include <numeric>

#include "cli/absent_columns.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "cli/predictive_columns.h"
#include "cli/same_file.h"
#include "core/output_file.h"
#include "core/print_stderr.h"
#include "ingest/record_source.h"
#include "learn/table.h"
#include "learn/trees.h"

namespace leadscore::cli {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

struct PredictFlags {
  std::string model;
  std::string leads;
  std::string events;
  std::string id;  // the column naming each lead; empty: lead_id, else the data row
  std::string as_of;
  std::string output;
  std::string format;  // csv or jsonl; empty: by the output's extension
  bool explain = false;
  size_t top = 3;
};

// A CSV cell: quoted when it holds a comma, a quote or a line break.
std::string Csv(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// One prediction as a line of JSON Lines: the id (a number for a data row), the probability
// to 4 decimals as the CSV gives it, and the reasons when asked for, named as the API names a
// prediction's (lead_json.cc).
std::string JsonLine(const char* id_name, const std::string& id, bool id_is_row, double probability,
                     const std::vector<learn::Contribution>* reasons) {
  nlohmann::ordered_json line;
  if (id_is_row) {
    line[id_name] = std::stoull(id);
  } else {
    line[id_name] = id;
  }
  line["probability"] = std::round(probability * 1e4) / 1e4;
  if (reasons) {
    line["reasons"] = nlohmann::ordered_json::array();
    for (const auto& c : *reasons) {
      line["reasons"].push_back(
          {{"feature", c.feature}, {"value", std::round(c.value * 1e4) / 1e4}});
    }
  }
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

// The leads as the model's features: from the leads file alone (a model trained on a table),
// or with their events up to --as-of (a model trained on history). The leads are read as
// `score --predictive` reads them, with `score`'s row rules: a row without lead_id and a
// lead_id read before are reported and skipped, a numeric input that does not convert is
// reported and missing.
Result<learn::ScoringSet> ReadLeads(const PredictFlags& flags, const learn::TreeModel& model,
                                    AsOf as_of) {
  ErrorReporter errors;
  learn::TrainingSetOptions options = ScoringOptions(model, flags.leads, flags.events);
  if (!flags.id.empty()) options.id_column = flags.id;
  // A table without ids (a dataset's test fold, say) is named by its rows; events name leads
  // by id, so a leads file read with them must have one.
  options.number_rows = flags.id.empty() && flags.events.empty();
  options.on_error = [&](const ingest::RowError& e) { errors.Report(e); };
  learn::TrainingSetStats stats;
  auto built = learn::BuildScoringSet(options, as_of.time, &stats);
  errors.Finish();
  if (built && built->ids_are_rows) {
    PrintToStderr(
        "{}: no `lead_id` column: each lead is named by its data row, 0 for the first (bad rows "
        "counted, as in a --folds-file); --id COLUMN names another column\n",
        ingest::InputName(flags.leads));
  }
  if (built && !flags.events.empty()) {
    PrintToStderr(
        "{}: {} used, {} after --as-of {} (not used), {} of leads not in {}, {} counted once\n",
        ingest::InputName(flags.events), Plural(stats.events_counted, "event"), stats.events_after,
        FormatTimestamp(as_of.time), stats.events_no_lead, ingest::InputName(flags.leads),
        Plural(stats.duplicates, "repeated event_id"));
  }
  if (built) {
    LS_RETURN_IF_ERROR(CompleteFeatures(model, *built, flags.leads, flags.events, as_of.time));
    WarnOfAbsentColumns(ingest::InputName(flags.leads), "the model",
                        AbsentLeadColumns(model, *built), built->lead_columns);
    WarnOfMissingEvents(model, flags.events);
  }
  return built;
}

int RunPredict(const PredictFlags& flags) {
  if (!OutputsAreDistinctOrReport(
          "predict",
          {{"--model", flags.model}, {"--leads", flags.leads}, {"--events", flags.events}},
          {{"--output", flags.output}})) {
    return kExitUsage;
  }
  // Before the leads are read and scored rather than after.
  if (!OutputCanBeWrittenOrReport("--output", flags.output)) return kExitUsage;
  auto model = learn::TreeModel::Load(flags.model);
  if (!model) {
    PrintToStderr("{}\n", model.error().message());
    return ExitCodeFor(model.error());
  }
  const auto as_of = ParseAsOfOrReport(flags.as_of);
  if (!as_of) return kExitUsage;
  auto set = ReadLeads(flags, *model, *as_of);
  if (!set) {
    PrintToStderr("{}\n", set.error().message());
    return ExitCodeFor(set.error());
  }
  const learn::LabeledTable* table = &set->table;
  std::vector<uint32_t> rows(table->rows());
  std::iota(rows.begin(), rows.end(), 0);
  auto p = model->Predict(*table, rows);
  if (!p) {
    PrintToStderr("{}\n", p.error().message());
    return ExitCodeFor(p.error());
  }
  std::vector<std::vector<learn::Contribution>> why;
  if (flags.explain) {
    auto explained = model->Explain(*table, rows, flags.top);
    if (!explained) {
      PrintToStderr("{}\n", explained.error().message());
      return ExitCodeFor(explained.error());
    }
    why = std::move(*explained);
  }
  const std::vector<std::string>& id = set->ids;
  std::sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) {
    return (*p)[a] != (*p)[b] ? (*p)[a] > (*p)[b] : id[a] < id[b];
  });

  // As `score` writes: in full or not at all, a failure naming the file and its reason; JSON
  // Lines when asked or named so (`.jsonl`, `.ndjson`).
  const bool jsonl = flags.format.empty()
                         ? ingest::FormatFromPath(flags.output) == ingest::Format::kJsonl
                         : flags.format == "jsonl";
  const char* id_name = set->ids_are_rows ? "row" : "lead_id";
  Status written = WriteFileAtomically(flags.output, [&](std::FILE* out) -> Status {
    std::string text =
        jsonl ? "" : fmt::format("{},probability{}\n", id_name, flags.explain ? ",reasons" : "");
    auto flush = [&]() -> Status {
      if (std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
        return Status(StatusCode::kUnavailable,
                      std::string("write failed: ") + std::strerror(errno));
      }
      text.clear();
      return Status::Ok();
    };
    for (uint32_t r : rows) {
      if (jsonl) {
        text +=
            JsonLine(id_name, id[r], set->ids_are_rows, (*p)[r], flags.explain ? &why[r] : nullptr);
        if (text.size() >= kFlushBytes) LS_RETURN_IF_ERROR(flush());
        continue;
      }
      fmt::format_to(std::back_inserter(text), "{},{:.4f}", Csv(id[r]), (*p)[r]);
      if (flags.explain) {
        std::string reasons;
        for (const auto& c : why[r]) {
          reasons += fmt::format("{}{}:{:+.2f}", reasons.empty() ? "" : ";", c.feature, c.value);
        }
        text += "," + Csv(reasons);
      }
      text += '\n';
      if (text.size() >= kFlushBytes) LS_RETURN_IF_ERROR(flush());
    }
    return flush();
  });
  if (!written.ok()) {
    PrintToStderr("predict: {}\n", written.message());
    return ExitCodeFor(written);
  }
  PrintToStderr("{}: {} scored with {}\n", ingest::InputName(flags.leads),
                Plural(rows.size(), "lead"), flags.model);
  return kExitOk;
}

}  // namespace

std::function<int()> SetupPredict(CLI::App& sub) {
  auto flags = std::make_shared<PredictFlags>();
  sub.footer(
      "Example:\n  leadscore train --table history.csv --label converted --positive 1 "
      "--kind trees --out trees.json\n  leadscore predict --model trees.json --leads "
      "new-leads.csv --explain\n"
      "  leadscore predict --model history-trees.json --leads leads.csv --events events.jsonl "
      "--as-of 2026-01-01\n"
      "Output: lead_id,probability[,reasons] (row,probability[,reasons] for a file without "
      "ids) sorted by probability; reasons are the largest "
      "contributions in log-odds (XGBoost's SHAP values), feature:+0.42.");
  sub.add_option("--model", flags->model, "A trees model written by `leadscore train --kind trees`")
      ->required();
  sub.add_option("--leads", flags->leads,
                 "Leads, CSV or JSON Lines, with the model's columns and lead_id (without one, "
                 "each lead is named by its data row: 0 for the first)")
      ->required();
  sub.add_option("--id", flags->id, "The column that names each lead, when not lead_id")
      ->check(NotEmpty());
  sub.add_option("--events", flags->events,
                 "Events CSV or JSON Lines, for a model trained on history (--leads/--events/"
                 "--outcomes): its features are counted from the events up to --as-of");
  sub.add_option("--as-of", flags->as_of,
                 "The time the features are computed at (ISO-8601 or Unix seconds). Default: now")
      ->check(NotEmpty());
  sub.add_option("--output,-o", flags->output, "Write here instead of stdout (- for stdout)");
  sub.add_option("--format,-f", flags->format,
                 "Output format: csv, or jsonl ({\"lead_id\", \"probability\", \"reasons\": "
                 "[{\"feature\", \"value\"}]}, as the API's predictive reasons). Default: by "
                 "--output's extension")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  sub.add_flag("--explain", flags->explain, "Add each lead's largest contributions");
  sub.add_option("--top", flags->top, "Contributions per lead with --explain")->default_val(3);
  return [flags] { return RunPredict(*flags); };
}

}  // namespace leadscore::cli
