// A training set from history: leads, their events and their outcomes become one row per lead,
// every feature computed as it was at the lead's reference time, and a label saying whether the
// lead reached the positive outcome within a horizon after it. Nothing that happened after the
// reference time reaches a feature: an event after it is never counted, an event type seen only
// after it is not even a column.
//
// The rows then go through the same learners as a table (LabeledTable), so training,
// evaluation and the reports' backtests share this one construction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "ingest/record_source.h"
#include "learn/row_source.h"
#include "learn/table.h"

namespace leadscore::learn {

struct TrainingSetOptions {
  // CSV or JSON Lines with lead_id and attributes (created_at: the default reference).
  std::string leads;
  // The leads' column that names them. A scoring set (BuildScoringSet) from a file without it,
  // with `number_rows`, names each lead by its data row instead: "0" for the first, bad rows
  // counted, as a folds file numbers a table's rows.
  std::string id_column = "lead_id";
  bool number_rows = false;
  std::string events;    // CSV or JSON Lines: lead_id, type, ts, optional url
  std::string outcomes;  // CSV or JSON Lines: lead_id, outcome, ts
  // Sources other than files (the store's tables, a lead in memory), used instead of the paths
  // when set; the paths then name them in messages.
  SourceOpener leads_source, events_source, outcomes_source;
  std::string positive_outcome = "won";
  int64_t horizon = 90 * kMicrosPerDay;
  // The reference time of every lead when set (a cut-off date); otherwise each lead's
  // `created_at`, or its first event when it has none.
  std::optional<Timestamp> cutoff;
  // Instead, each lead's own reference (its first MQL, say): nullopt leaves the lead out,
  // counted as without a reference.
  std::function<std::optional<Timestamp>(const std::string& lead_id)> reference_of;
  std::vector<std::string> drop;     // lead attributes left out
  std::vector<std::string> missing;  // placeholder values read as missing
  // Attributes read as numbers, as a trained model's numeric inputs are: a cell that does not
  // convert is reported (file, line, field, value) and read as missing, where it would
  // otherwise turn the whole column into categories the model cannot read.
  std::vector<std::string> numeric;
  // The URL groups to count (`page_view:/pricing`), as a trained model names them; empty: the
  // most visited ones.
  std::vector<std::string> url_groups;
  // Event types that get their columns even when no event of theirs is read, as a trained
  // model names them (a count of none is 0, not missing).
  std::vector<std::string> event_types;
  std::function<void(const ingest::RowError&)> on_error;
};

struct TrainingSetStats {
  uint64_t leads = 0;              // in the leads file
  uint64_t leads_from_events = 0;  // known only from the events (null attributes), after them
  uint64_t used = 0;               // rows of the training set
  uint64_t converted_before = 0;   // reached the outcome at or before their reference: left out
  uint64_t censored = 0;           // horizon not over by the end of the data, not converted
  uint64_t no_reference = 0;       // no created_at and no event; or none from reference_of
  uint64_t created_after = 0;      // created after the cut-off: not a lead yet at it
  uint64_t events_counted = 0;     // events at or before their lead's reference
  uint64_t events_after = 0;       // events after it: never seen by a feature
  uint64_t duplicates = 0;         // events whose event_id was read before: counted once
  uint64_t events_no_lead = 0;     // events of a lead the leads file does not hold
  Timestamp data_end = 0;          // the latest event or outcome time
};

// Features: the lead's attributes (as in a table), and for each event type seen before a
// reference time, `<type>.7d`, `<type>.30d`, `<type>.90d` (events in the window that ends at the
// reference) and `<type>.days_since_last`; `active_days.90d`; and, for events with a `url`,
// `<type>:/<first path segment>.90d` (events of that type on those pages in 90 days) for the 12
// most visited pairs. Event columns say what they count in Column::event.
// `keys`, when given, receives each row's lead_id and reference time (what the rule model's
// contributions are computed from, rule_features.h).
struct RowKeys {
  std::vector<std::string> ids;
  std::vector<Timestamp> references;
};
Result<LabeledTable> BuildTrainingSet(const TrainingSetOptions& options, TrainingSetStats* stats,
                                      RowKeys* keys = nullptr);

// The same features for leads to score rather than learn from: every lead of `options.leads`
// is a row (label 0, its id in `ids`), features computed at `as_of` from `options.events`
// (none when it is empty). Outcomes, horizon and cut-off are not used.
struct ScoringSet {
  LabeledTable table;
  std::vector<std::string> ids;  // lead_id of each row (its data row, when ids_are_rows)
  bool ids_are_rows = false;
  // The leads file's columns (a JSON Lines file's: every key a record has), so that a model's
  // column it lacks can be pointed out.
  std::vector<std::string> lead_columns;
};
// `stats`, when given, counts the events as a training set does (as_of is every lead's
// reference).
Result<ScoringSet> BuildScoringSet(const TrainingSetOptions& options, Timestamp as_of,
                                   TrainingSetStats* stats = nullptr);

// Options that compute exactly the features a trained model reads: its input `columns` (the
// event types and URL groups they name get their columns even when no event has them) with
// the placeholders it was trained with read as missing, and its `numeric` inputs read as
// numbers.
TrainingSetOptions OptionsForModel(const std::vector<std::string>& columns,
                                   std::vector<std::string> missing,
                                   std::vector<std::string> numeric = {});

// The URL groups (`page_view:/pricing`) that features named `<group>.90d` among `columns` count.
std::vector<std::string> UrlGroupsIn(const std::vector<std::string>& columns);
// The event types that features named `<type>.days_since_last` among `columns` describe.
std::vector<std::string> EventTypesIn(const std::vector<std::string>& columns);

}  // namespace leadscore::learn
