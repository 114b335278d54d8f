// leadscore score: the batch output of SCORING.md from lead and event files.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "cli/absent_columns.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "cli/predictive_columns.h"
#include "cli/same_file.h"
#include "core/output_file.h"
#include "core/print_stderr.h"
#include "ingest/file_reader.h"
#include "ingest/record_source.h"
#include "service/accounts.h"
#include "service/batch_score.h"
#include "service/score_writer.h"

namespace leadscore::cli {
namespace {

struct ScoreArgs {
  std::string model, leads, events, as_of, output, accounts, predictive, errors;
  std::string format;
  bool explain = false;
  bool strict = false;
  int threads = 0;
};

int RunScore(const ScoreArgs& args) {
  // --errors is opened before the inputs are read, and the others replace their file after.
  if (!OutputsAreDistinctOrReport(
          "score",
          {{"--model", args.model},
           {"--leads", args.leads},
           {"--events", args.events},
           {"--predictive", args.predictive}},
          {{"--output", args.output}, {"--accounts", args.accounts}, {"--errors", args.errors}})) {
    return kExitUsage;
  }
  if (args.accounts == "-" && (args.output.empty() || args.output == "-")) {
    PrintToStderr(
        "score: --accounts - and the scores would both go to standard output; give one of them "
        "a file (--output FILE or --accounts FILE)\n");
    return kExitUsage;
  }
  auto model = LoadModelOrReport(args.model);
  if (!model) return kExitFailure;
  auto as_of = ParseAsOfOrReport(args.as_of);
  if (!as_of) return kExitUsage;
  std::optional<learn::TreeModel> trees;
  if (!args.predictive.empty()) {
    if (args.leads.empty()) {
      PrintToStderr("score: --predictive needs --leads (the model reads lead attributes)\n");
      return kExitUsage;
    }
    auto loaded = learn::TreeModel::Load(args.predictive);
    if (!loaded) {
      PrintToStderr("--predictive: {}\n", loaded.error().message());
      return ExitCodeFor(loaded.error());
    }
    trees = std::move(*loaded);
  }
  if (args.leads.empty() && args.events.empty()) {
    PrintToStderr("score: give --leads, --events or both\n");
    return kExitUsage;
  }
  service::OutputFormat format = service::OutputFormat::kCsv;
  std::string fmt_name = args.format;
  if (fmt_name.empty()) {
    fmt_name = ingest::FormatFromPath(args.output) == ingest::Format::kJsonl ? "jsonl" : "csv";
  }
  if (fmt_name == "jsonl") format = service::OutputFormat::kJsonl;
  if (const auto named = ingest::FormatFromPath(args.accounts);
      named && (*named == ingest::Format::kJsonl) != (format == service::OutputFormat::kJsonl)) {
    // SCORING.md: the accounts are written in the format of the leads.
    PrintToStderr("score: warning: --accounts {} is written as {}, the format of the scores\n",
                  args.accounts, format == service::OutputFormat::kJsonl ? "JSON Lines" : "CSV");
  }
  for (const std::string* path : {&args.output, &args.accounts}) {
    // Fail before reading gigabytes, not after.
    if (path->empty() || *path == "-") continue;
    if (ingest::IsGzipName(*path)) {
      PrintToStderr(
          "score: {} would not be compressed; write it plain, or pipe standard output "
          "through gzip (leadscore score ... | gzip > {})\n",
          *path, *path);
      return kExitUsage;
    }
    // The overloads that report rather than throw: a loop of links is an error to name.
    std::error_code error;
    const bool is_directory = std::filesystem::is_directory(*path, error);
    std::filesystem::path parent = std::filesystem::path(*path).parent_path();
    if (is_directory || (!parent.empty() && !std::filesystem::is_directory(parent, error))) {
      PrintToStderr("score: cannot write {}: {}\n", *path,
                    is_directory ? "it is a directory" : "no such directory");
      return kExitUsage;
    }
    if (!OutputCanBeWrittenOrReport(path == &args.output ? "--output" : "--accounts", *path)) {
      return kExitUsage;
    }
  }
  if (!args.accounts.empty() && !model->account_key()) {
    PrintToStderr("--accounts: the model {} has no `accounts` section\n", args.model);
    return kExitUsage;
  }

  ErrorReporter errors;
  errors.set_hint("--errors FILE writes every one");
  // Like an --output that cannot be created: a bad command line.
  if (!args.errors.empty() && !errors.WriteAllTo(args.errors)) return kExitUsage;
  std::vector<std::string> compressed;
  for (const std::string& input : {args.leads, args.events}) {
    if (input.ends_with(".gz")) compressed.push_back(ingest::InputName(input));
  }
  errors.HoldFrom(std::move(compressed));
  Progress progress;
  service::BatchOptions options;
  options.leads_path = args.leads;
  options.events_path = args.events;
  NoteTerminalInput("score", {{"--leads", args.leads}, {"--events", args.events}});
  options.as_of = *as_of;
  options.threads = args.threads;
  // Reasons, accounts and predictions read the leads' attributes after the load.
  options.keep_attributes = args.explain || !args.accounts.empty() || !args.predictive.empty();
  options.on_error = [&](const ingest::RowError& e) {
    progress.Finish();
    errors.Report(e);
  };
  options.errors_in_full = errors.needed_in_full();
  options.on_more_errors = [&](uint64_t count) { errors.Count(count); };
  options.on_progress = [&](const std::string& path, uint64_t done, uint64_t total) {
    progress.Update(path, done, total);
  };
  using Clock = std::chrono::steady_clock;
  auto seconds_since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  auto started = Clock::now();
  auto batch = service::LoadBatch(model, options);
  double read_seconds = seconds_since(started);
  progress.Finish();
  if (!batch) {
    errors.DropHeld(batch.error().message());
    PrintToStderr("score: {}\n", batch.error().message());
    return ExitCodeFor(batch.error());
  }
  const bool errors_file_written = errors.Finish();
  PrintSummary(options, **batch);
  if (!args.leads.empty()) {
    WarnOfAbsentColumns(ingest::InputName(args.leads), "the model", (*batch)->absent_lead_fields,
                        (*batch)->lead_columns);
  }
  if (args.strict && errors.count() > 0) {
    PrintToStderr("score: --strict: {} problem{} in the input; no output written\n", errors.count(),
                  errors.count() == 1 ? "" : "s");
    return kExitBadInput;
  }

  const int threads =
      args.threads > 0 ? args.threads : static_cast<int>(std::thread::hardware_concurrency());
  (*batch)->leads.DropIndex();  // from here on leads are read by row
  auto rank_started = Clock::now();
  auto ranking = service::RankLeads(**batch, args.threads);
  double rank_seconds = seconds_since(rank_started);
  std::optional<service::PredictiveColumns> predictive;
  if (trees) {
    auto predicted = PredictBatch(*trees, **batch, args.leads, args.events, args.explain ? 3 : 0);
    if (!predicted) {
      PrintToStderr("--predictive: {}\n", predicted.error().message());
      return ExitCodeFor(predicted.error());
    }
    predictive = std::move(*predicted);
    rank_seconds = seconds_since(rank_started);
  }
  auto write_started = Clock::now();
  // Both outputs are written before either replaces its file: a run that fails to write its
  // accounts leaves no new scores beside old accounts.
  Status written = [&]() -> Status {
    LS_ASSIGN_OR_RETURN(auto leads, PendingOutput::Write(args.output, [&](std::FILE* out) {
                          return service::WriteLeads(out, **batch, ranking, format, args.explain,
                                                     threads, predictive ? &*predictive : nullptr);
                        }));
    if (args.accounts.empty()) return leads.Commit();
    auto rolled_up = service::RollUpAccounts(**batch, ranking);
    LS_ASSIGN_OR_RETURN(auto accounts, PendingOutput::Write(args.accounts, [&](std::FILE* out) {
                          return service::WriteAccounts(out, **batch, rolled_up, format);
                        }));
    LS_RETURN_IF_ERROR(leads.Commit());
    return accounts.Commit();
  }();
  if (!written.ok()) {
    PrintToStderr("score: {}\n", written.message());
    return ExitCodeFor(written);
  }
  PrintToStderr("scored {} as of {} in {:.2f} s (read {:.2f} s, score {:.2f} s, write {:.2f} s)\n",
                Plural(ranking.order.size(), "lead"), FormatTimestamp(as_of->time),
                seconds_since(started), read_seconds, rank_seconds, seconds_since(write_started));
  if (!errors_file_written) {
    PrintToStderr("score: the scores were written, but not {} (see above)\n", args.errors);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

std::function<int()> SetupScore(CLI::App& sub) {
  auto args = std::make_shared<ScoreArgs>();
  sub.add_option("--model,-m", args->model, "Model file (YAML)")->required();
  sub.add_option("--leads,-l", args->leads,
                 "Leads file: .csv, .jsonl or .ndjson, optionally .gz; - for standard input");
  sub.add_option("--events,-e", args->events,
                 "Events file: .csv, .jsonl or .ndjson, optionally .gz; - for standard input");
  sub.add_option("--as-of,-t", args->as_of,
                 "Score as of this time (ISO-8601 or Unix seconds). Default: now")
      ->check(NotEmpty());
  sub.add_option("--output,-o", args->output, "Output file. Default: standard output");
  sub.add_option("--errors", args->errors,
                 "Write every bad row and failed conversion here, one a line (stderr shows the "
                 "first 50; `-`: every one to stderr)");
  sub.add_option("--format,-f", args->format, "Output format. Default: by --output's extension")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  sub.add_option("--accounts", args->accounts,
                 "Also write account scores to this file (needs the model's accounts section)");
  sub.add_flag("--explain", args->explain,
               "Add each lead's reasons (rule:points;...), and with --predictive its three largest "
               "contributions (feature:+log-odds;...)");
  sub.add_option("--predictive", args->predictive,
                 "A trees model (`leadscore train --kind trees`): adds each lead's probability of "
                 "conversion, from its attributes and its events up to --as-of");
  sub.add_flag("--strict", args->strict,
               "Fail with no output if any input row is bad or any value does not convert");
  sub.add_option("--threads", args->threads, "Threads to use. Default: one per core")
      ->check(CLI::Range(0, 256));
  sub.footer(
      "Bad rows are skipped and reported on stderr with file, line and reason; a summary of "
      "rows read, used, skipped and duplicated ends the run. Standard input (-) or a pipe "
      "(<(zcat events.gz)) is JSON Lines when it starts with `{`, else CSV; gzip is read by its "
      "bytes, whatever the name.\n"
      "Exit codes: 0 ok, 1 failure (bad model, unreadable file), 2 usage, 3 --strict and bad "
      "input.");
  return [args] { return RunScore(*args); };
}

}  // namespace leadscore::cli
