// leadscore train: learn a scorecard (written out as an ordinary model file) or gradient-boosted
// trees (an XGBoost model file) from a table of leads with a label column.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <numeric>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "cli/same_file.h"
#include "cli/table_flags.h"
#include "core/output_file.h"
#include "core/print_stderr.h"
#include "engine/compiled_model.h"
#include "ingest/convert.h"
#include "learn/scorecard.h"
#include "learn/scorecard_writer.h"
#include "learn/trees.h"
#include "model/diagnostic.h"
#include "store/sql.h"

namespace leadscore::cli {
namespace {

struct TrainFlags {
  TableFlags table;
  std::string kind = "scorecard";
  std::string out;
  std::string name;
};

// The summary goes where the model does not: stderr when the model goes to standard output.
std::FILE* SummaryStream(const TrainFlags& flags) { return flags.out == "-" ? stderr : stdout; }
// Where the model went, as the summary names it.
std::string OutName(const TrainFlags& flags) {
  return flags.out == "-" ? "standard output" : flags.out;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Says which numeric columns held a placeholder in text (`n/a`): the written file declares them
// numbers, so `score` reads that placeholder as null, which the missing rule takes in, and
// reports each such cell as a value that does not convert.
void NoteTextPlaceholders(const TrainFlags& flags, const learn::Scorecard& card,
                          const learn::LabeledTable& table) {
  const std::vector<std::string>& placeholders = flags.table.missing;
  for (const learn::FeatureBins& f : card.binning.features) {
    const learn::Column& column = table.columns[f.column];
    if (f.kind != learn::ColumnKind::kNumeric || column.derived || column.event) continue;
    std::string texts;
    for (size_t i = 0; i < placeholders.size() && i < 64; ++i) {
      if (!(column.placeholders_seen >> i & 1)) continue;
      if (ingest::ParseDecimal(learn::TrimCell(placeholders[i]))) continue;
      texts += (texts.empty() ? "`" : ", `") + placeholders[i] + "`";
    }
    if (texts.empty()) continue;
    PrintToStderr(
        "{}: `{}` is declared a number, so `score` reads its {} as null (the missing rule) and "
        "reports each such cell as a value that does not convert\n",
        OutName(flags), f.name, texts);
  }
}

int TrainScorecard(const TrainFlags& flags, const learn::LabeledTable& table,
                   const std::vector<uint32_t>& rows) {
  const auto start = std::chrono::steady_clock::now();
  learn::ScorecardOptions options;
  options.seed = flags.table.seed;
  options.threads = LearnerThreads(flags.table.threads);
  const learn::Scorecard card = learn::TrainScorecard(table, rows, options);
  if (card.binning.features.empty()) {
    PrintToStderr(
        "{}: no column varies enough to learn from (a bin needs at least 20 rows and "
        "0.5 % of them); no scorecard written\n",
        SourceOf(flags.table));
    return kExitFailure;
  }
  learn::ScorecardFileOptions file_options;
  file_options.name = flags.name.empty() ? "scorecard" : flags.name;
  file_options.source = SourceOf(flags.table);
  const bool history = flags.table.table.empty();
  file_options.label_text =
      history ? fmt::format("`{}` within {} of the reference ({})", flags.table.outcome,
                            flags.table.horizon, flags.table.reference)
              : flags.table.label + " = " + flags.table.positive;
  file_options.placeholders = flags.table.missing;
  const learn::ScorecardFile file = learn::WriteScorecard(card, table, rows, file_options);

  // The file must be a model the engine runs: check it as `leadscore check` would.
  if (auto loaded = engine::CompileModelText(file.yaml, flags.out); !loaded) {
    std::fputs(model::FormatDiagnostics(loaded.error()).c_str(), stderr);
    PrintToStderr("the written scorecard does not load; this is a bug\n");
    return kExitInternal;
  }
  // Written beside, then renamed: a crash never leaves half a model where a model was.
  Status written = WriteFileAtomically(flags.out, [&](std::FILE* out) {
    std::fwrite(file.yaml.data(), 1, file.yaml.size(), out);
    return std::ferror(out) ? DataLoss("write failed") : Status::Ok();
  });
  if (!written.ok()) {
    PrintToStderr("{}\n", written.message());
    return ExitCodeFor(written);
  }
  NoteTextPlaceholders(flags, card, table);
  std::FILE* summary = SummaryStream(flags);
  fmt::print(summary, "{}: scorecard with {} over {}, {} points (L2 {}), trained in {:.1f} s\n",
             OutName(flags), Plural(file.rules, "rule"),
             Plural(card.binning.features.size(), "attribute"),
             file.decimals == 0 ? "whole" : fmt::format("{}-decimal", file.decimals), card.l2,
             SecondsSince(start));
  fmt::print(summary, "training AUC: {:.4f} (model), {:.4f} (the written points)\n", file.auc_model,
             file.auc_points);
  fmt::print(summary,
             "probability of conversion for a score S: 1 / (1 + exp(-({:.4f} + {:.5f} * S)))\n",
             file.offset, file.slope);
  // Written to standard output: the model is wherever that output went.
  fmt::print(summary, "score leads with it: leadscore score --model {} --leads LEADS.csv{}\n",
             flags.out == "-" ? "MODEL.yaml" : flags.out,
             history ? " --events EVENTS --as-of TIME"
                     : " (a lead_id column and the attributes above: rename the table's id "
                       "column if it has another name)");
  return kExitOk;
}

int TrainTrees(const TrainFlags& flags, const TrainingTable& training,
               const std::vector<uint32_t>& rows) {
  const auto start = std::chrono::steady_clock::now();
  const learn::LabeledTable& table = training.table;
  learn::TreeOptions options;
  options.seed = flags.table.seed;
  options.threads = LearnerThreads(flags.table.threads);
  options.missing = flags.table.missing;
  options.rule_model = training.rule_model;
  options.rule_history = training.rule_history;
  auto model = learn::TrainTrees(table, rows, options);
  if (!model) {
    PrintToStderr("{}\n", model.error().message());
    return ExitCodeFor(model.error());
  }
  if (Status s = model->Save(flags.out); !s.ok()) {
    PrintToStderr("{}\n", s.message());
    return ExitCodeFor(s);
  }
  fmt::print(SummaryStream(flags),
             "{}: gradient-boosted trees, depth {}, {} rounds, {} inputs, trained in {:.1f} s\n",
             OutName(flags), model->params().max_depth, model->params().rounds,
             model->encoding().features.size(), SecondsSince(start));
  return kExitOk;
}

int RunTrain(const TrainFlags& flags) {
  if (flags.kind != "scorecard" && flags.kind != "trees") {
    PrintToStderr("--kind: scorecard or trees, not \"{}\"\n", flags.kind);
    return kExitUsage;
  }
  const TableFlags& in = flags.table;
  if (!OutputsAreDistinctOrReport(
          "train",
          {{"--table", in.table},
           {"--leads", in.leads},
           {"--events", in.events},
           {"--outcomes", in.outcomes},
           {"--db", store::IsPostgresUrl(in.db) ? std::string_view() : in.db},
           {"--stages-model", in.stages_model},
           {"--features", in.features},
           {"--model", in.model}},
          {{"--out", flags.out}})) {
    return kExitUsage;
  }
  // Before the training rather than after it.
  if (!OutputCanBeWrittenOrReport("--out", flags.out)) return kExitUsage;
  std::optional<TrainingTable> table = LoadTableOrReport(flags.table);
  if (!table) return kExitFailure;
  std::vector<uint32_t> rows(table->table.rows());
  std::iota(rows.begin(), rows.end(), 0);
  return flags.kind == "scorecard" ? TrainScorecard(flags, table->table, rows)
                                   : TrainTrees(flags, *table, rows);
}

}  // namespace

std::function<int()> SetupTrain(CLI::App& sub) {
  auto flags = std::make_shared<TrainFlags>();
  sub.footer(
      "Examples:\n"
      "  leadscore train --table Leads.csv --label Converted --positive 1 \\\n"
      "      --drop 'Prospect ID,Lead Number,Tags,Lead Quality,Last Activity,Last Notable "
      "Activity' \\\n"
      "      --missing Select --kind scorecard --out scorecard.yaml\n"
      "  leadscore train --table bank.csv --label y --positive yes --drop duration \\\n"
      "      --kind trees --out bank-trees.json\n"
      "A scorecard is an ordinary model file: check it, test it, edit it, score with it.\n"
      "Check accuracy first with `leadscore evaluate` on the same options.");
  AddTableOptions(sub, flags->table);
  sub.add_option("--kind", flags->kind,
                 "scorecard (a model file of readable points) or trees (XGBoost)")
      ->default_val("scorecard");
  sub.add_option("--out", flags->out,
                 "Where to write the model (YAML for a scorecard; - for standard output)")
      ->required();
  sub.add_option("--name", flags->name, "The scorecard model's name");
  return [flags] { return RunTrain(*flags); };
}

}  // namespace leadscore::cli
