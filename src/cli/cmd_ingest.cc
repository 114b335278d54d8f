// leadscore ingest: bulk-load lead, event and outcome files into the store, with the API's
// rules and `score`'s error reports; resumable and idempotent (see service/bulk_ingest.h).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <filesystem>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "cli/same_file.h"
#include "core/print_stderr.h"
#include "ingest/record_source.h"
#include "service/bulk_ingest.h"
#include "service/live_service.h"
#include "store/sql.h"

namespace leadscore::cli {
namespace {

struct IngestFlags {
  std::string db = "leadscore.db";
  std::string leads, events, outcomes;
  size_t batch = 5000;
};

int RunIngest(const IngestFlags& flags) {
  if (flags.leads.empty() && flags.events.empty() && flags.outcomes.empty()) {
    PrintToStderr("leadscore ingest: give at least one of --leads, --events, --outcomes\n");
    return kExitUsage;
  }
  if (!OutputsAreDistinctOrReport(
          "ingest",
          {{"--leads", flags.leads}, {"--events", flags.events}, {"--outcomes", flags.outcomes}},
          {{"--db", store::IsPostgresUrl(flags.db) ? std::string_view() : flags.db}})) {
    return kExitUsage;
  }
  // Each file opens before the store does: a path that cannot be read (a typo, a directory)
  // leaves no new store behind. Not a pipe: what opening it reads would be lost.
  for (const std::string* path : {&flags.leads, &flags.events, &flags.outcomes}) {
    std::error_code ec;
    const auto type = std::filesystem::status(*path, ec).type();
    if (path->empty() || *path == "-" || type == std::filesystem::file_type::fifo ||
        type == std::filesystem::file_type::character ||
        type == std::filesystem::file_type::socket) {
      continue;
    }
    if (auto source = ingest::RecordSource::Open(*path); !source) {
      PrintToStderr("leadscore ingest: {}\n", source.error().message());
      return ExitCodeFor(source.error());
    }
  }
  auto store = store::Store::Open(flags.db);
  if (!store) {
    PrintToStderr("leadscore ingest: {}\n", store.error().message());
    return ExitCodeFor(store.error());
  }
  ErrorReporter errors;
  Progress progress;
  // Dedupe needs the ids of the events stored already.
  auto log = service::EventLog::Load(
      **store, {.index_leads = false, .on_progress = [&](int64_t events, int64_t last_seq) {
                  progress.Update("event log of " + flags.db, static_cast<uint64_t>(events),
                                  static_cast<uint64_t>(last_seq));
                }});
  progress.Finish();
  if (!log) {
    PrintToStderr("leadscore ingest: {}\n", log.error().message());
    return ExitCodeFor(log.error());
  }
  service::BulkIngestOptions options;
  options.batch = std::max<size_t>(flags.batch, 1);
  options.on_error = [&](const ingest::RowError& e) { errors.Report(e); };
  options.on_progress = [&](const std::string& path, uint64_t done, uint64_t total) {
    progress.Update(path, done, total);
  };
  NoteTerminalInput(
      "ingest",
      {{"--leads", flags.leads}, {"--events", flags.events}, {"--outcomes", flags.outcomes}});
  // Leads first, so that events and outcomes find their leads' attributes.
  const std::pair<service::RecordKind, const std::string*> files[] = {
      {service::RecordKind::kLeads, &flags.leads},
      {service::RecordKind::kEvents, &flags.events},
      {service::RecordKind::kOutcomes, &flags.outcomes}};
  for (const auto& [kind, path] : files) {
    if (path->empty()) continue;
    auto stats =
        service::IngestFile(**store, **log, kind, *path, options, service::LiveService::Now());
    progress.Finish();
    if (!stats) {
      errors.Finish();
      PrintToStderr("leadscore ingest: {}\n", stats.error().message());
      return ExitCodeFor(stats.error());
    }
    std::string more =
        stats->warnings ? fmt::format(", {} read with a warning", stats->warnings) : "";
    if (stats->resumed) more += fmt::format(", {} done by an earlier run", stats->resumed);
    PrintToStderr("{}: {} read, {} stored, {}, {} rejected{}\n", ingest::InputName(*path),
                  Plural(stats->records, "record"), stats->stored,
                  Plural(stats->duplicates, "duplicate"), stats->rejected, more);
  }
  errors.Finish();
  PrintToStderr("stored in {}; `leadscore serve` rescores every lead when it starts\n", flags.db);
  return kExitOk;
}

}  // namespace

std::function<int()> SetupIngest(CLI::App& sub) {
  auto flags = std::make_shared<IngestFlags>();
  sub.add_option("--db", flags->db, "The store: a SQLite file or a postgresql:// URL")
      ->default_val("leadscore.db");
  sub.add_option("--leads,-l", flags->leads,
                 "Leads file (CSV or JSON Lines, optionally .gz); - for standard input");
  sub.add_option("--events,-e", flags->events,
                 "Events file (CSV or JSON Lines, optionally .gz); - for standard input");
  sub.add_option("--outcomes,-o", flags->outcomes,
                 "Outcomes file: lead_id, outcome (sql|opportunity|won|lost), ts, value");
  sub.add_option("--batch", flags->batch, "Records per transaction")->default_val(5000);
  sub.footer(
      "Idempotent and resumable: a file's progress is committed with its records, so a run "
      "that stops resumes where it stopped, and events with an event_id already stored are "
      "counted as duplicates. Within one file the first row of a lead counts, as in `score`: a "
      "later row with its lead_id is reported and skipped. A later run updates the lead. "
      "Standard input and pipes are read whole on every run (nothing to resume from).");
  return [flags] { return RunIngest(*flags); };
}

}  // namespace leadscore::cli
