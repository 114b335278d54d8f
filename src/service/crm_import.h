// CRM import: a CRM's CSV export (HubSpot contacts, Salesforce leads) -> leads as JSON Lines,
// through an ingest::CrmMapping. The output is what `leadscore score --leads` and the service's
// bulk ingest read, so a CRM export needs no other preparation. One call, one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"
#include "ingest/crm_mapping.h"
#include "ingest/record_source.h"

namespace leadscore::service {

struct ImportStats {
  uint64_t rows_read = 0;     // data rows, good and bad
  uint64_t rows_written = 0;  // leads written
  uint64_t rows_skipped = 0;  // each one reported through on_error
  uint64_t warnings = 0;      // rows read despite a problem (a stray quote), each reported
  ingest::ColumnPlan plan;    // what each column became; set once the header is read
};

// Reads the CSV at `in_csv` (RFC 4180, optionally .gz; see ingest::RecordSource), applies
// `mapping` to its header, and writes one JSON object per good row to `out_jsonl` ("-" or empty:
// standard output): `{"lead_id": "<id cell>", "<attribute>": value, ...}`, attributes in header
// order, empty cells left out. A value is a number when ingest::InferCsvCell makes it one
// (SCORING.md "Records": the whole cell is a finite decimal), except that a cell with a leading
// `+` or a leading zero before another digit (a phone number, a zip code) stays a string so no
// character is lost; anything else is a string. Of several columns giving one attribute, the
// first non-empty one counts.
//
// A row with the wrong number of cells, without an id, or repeating an id already read is
// reported to `on_error` (file, physical line where the record starts, field, reason) and
// skipped; the others go through. `on_progress(done, total)`, when set, gets bytes read so far.
//
// Fails, writing nothing (the output goes through a temporary file renamed on success), with
// kInvalidArgument when the input is not a .csv file or its header holds no id column,
// kNotFound when it is missing, and the reader's or writer's Status on I/O errors. `stats` holds
// the counts so far either way.
Status ConvertCrmCsv(const std::string& in_csv, const ingest::CrmMapping& mapping,
                     const std::string& out_jsonl, ImportStats& stats,
                     std::function<void(const ingest::RowError&)> on_error,
                     std::function<void(uint64_t done, uint64_t total)> on_progress = nullptr);

}  // namespace leadscore::service
