// Bulk ingest: files of leads, events and outcomes into the store, with the rules and the
// error reports of the HTTP API (record_input.h) and of `leadscore score` (file:line:field).
//
// Invariants:
//  1. Idempotent: leads upsert, events with an event_id already stored are duplicates, and
//     each file's progress (records done) is written in the transaction of the records it
//     counts, so a run that is stopped or crashes resumes after the last committed record,
//     and a second run of the same unchanged file writes nothing. (A file that changed, by
//     size or modification time, is read from its start again.)
//  2. CSV rows become the JSON objects the API would have received: cells typed by
//     ingest::CsvCellForJson, but ids (lead_id; an event's type and event_id) kept as written,
//     as batch reads them; empty cells left out. The live score of ingested records equals
//     the batch score of the same files.
//  3. Stored scores are not touched: the server rescores every lead when it starts.
//  4. Within one file the first row of a lead counts, as in batch scoring (SCORING.md, "Batch
//     output"): a later row with the same lead_id is reported (file:line, field lead_id) and
//     skipped, however the file is split into transactions or between a stopped run and the
//     one that resumes it. A later run (or an API write) updates the lead: its attributes are
//     merged into the stored ones.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"
#include "ingest/record_source.h"
#include "service/event_log.h"
#include "store/store.h"

namespace leadscore::service {

enum class RecordKind { kLeads, kEvents, kOutcomes };

struct BulkFileStats {
  uint64_t records = 0;     // read in this run (good and bad)
  uint64_t stored = 0;      // leads upserted, events appended, outcomes recorded
  uint64_t duplicates = 0;  // events already stored; lead rows of a lead read before in the file
  uint64_t rejected = 0;    // bad records, each reported
  uint64_t warnings = 0;    // records read despite a problem (a stray CSV quote), each reported
  uint64_t resumed = 0;     // records skipped because an earlier run committed them
};

struct BulkIngestOptions {
  size_t batch = 5000;  // records per transaction
  std::function<void(const ingest::RowError&)> on_error;
  std::function<void(const std::string& path, uint64_t done, uint64_t total)> on_progress;
};

// Reads `path` (CSV or JSON Lines, optionally .gz) into the store, appending events through
// `log` (the store's). Fails when the file cannot be read or the store fails; bad records are
// reported and skipped.
Result<BulkFileStats> IngestFile(store::Store& store, EventLog& log, RecordKind kind,
                                 const std::string& path, const BulkIngestOptions& options,
                                 Timestamp now);

}  // namespace leadscore::service
