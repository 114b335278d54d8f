// CRM export: `leadscore score` batch output -> the CSV a CRM imports to update its records with
// each lead's score, grade, stage, fit and engagement (docs/crm.md says which custom properties
// or fields to create once). One call, one thread.
//
//   HubSpot (contacts import, matched on Record ID; custom properties by internal name):
//     Record ID,leadscore_score,leadscore_grade,leadscore_stage,leadscore_fit,leadscore_engagement
//   Salesforce (Data Import Wizard / Data Loader update of Lead, matched on Id):
//     Id,Leadscore_Score__c,Leadscore_Grade__c,Leadscore_Stage__c,Leadscore_Fit__c,
//     Leadscore_Engagement__c
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"
#include "ingest/crm_mapping.h"
#include "ingest/record_source.h"

namespace leadscore::service {

struct ExportOptions {
  // Written for an empty grade or stage (a lead below every threshold). Neither CRM clears a
  // field from an empty cell on import, so a lead that left a stage keeps the old value unless
  // this names a value meaning "none". Default: "" (empty cell).
  std::string empty_as;
};

struct ExportStats {
  uint64_t rows_read = 0;     // data rows of the scores file, good and bad
  uint64_t rows_written = 0;  // rows of the CRM file
  uint64_t rows_skipped = 0;  // each one reported through on_error
};

// The header line of the CSV `crm` imports, without the line end.
std::string CrmExportHeader(ingest::Crm crm);

// True when `id` can be a record id of `crm`: HubSpot Record IDs are digits; Salesforce ids are
// 15 or 18 ASCII letters and digits.
bool IsCrmRecordId(ingest::Crm crm, std::string_view id);

// Reads `scores` (the batch output of `leadscore score`: CSV with lead_id,score,fit,engagement,
// grade,stage and an optional reasons column, or its JSON Lines form) and writes `out_csv` ("-"
// or empty: standard output) with CrmExportHeader(crm) and one row per lead, in the input's
// order. Scores are written with two decimals, as `score` writes them.
//
// A row that is bad (wrong number of cells), has no lead_id or score, or whose lead_id cannot be
// a record id of `crm` (see IsCrmRecordId: a lead known only from events, say) is reported to
// `on_error` and skipped, as is a row whose lead_id a row written before has (the first counts).
// Fails, writing nothing, with kInvalidArgument when the CSV header lacks lead_id or score,
// kNotFound when the file is missing, and the reader's or writer's Status on I/O errors.
Status ExportCrmScores(const std::string& scores, ingest::Crm crm, const std::string& out_csv,
                       const ExportOptions& options, ExportStats& stats,
                       std::function<void(const ingest::RowError&)> on_error);

}  // namespace leadscore::service
