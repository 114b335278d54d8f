// Batch scoring of files (SCORING.md, "Batch output"): read leads, then events, apply them to
// per-lead state, and rank every lead at one as-of time.
//
// Reading runs on several threads (blocks parsed in parallel, conditions that read only the
// event evaluated there) and is applied in file order on the calling thread, so the result is
// identical for any thread count. Memory grows with the number of leads and of distinct event
// ids (6 bytes a slot of CompactFingerprintSet), never with the size of the events.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "engine/compiled_model.h"
#include "engine/lead_state.h"
#include "engine/score.h"
#include "engine/scorer.h"
#include "ingest/record_source.h"
#include "service/lead_table.h"

namespace leadscore::service {

// What happened to the rows of one input file.
struct InputStats {
  uint64_t rows_read = 0;          // records in the file (good and bad)
  uint64_t rows_used = 0;          // good rows that count (leads stored; events applied or cut)
  uint64_t rows_skipped = 0;       // bad rows
  uint64_t duplicates = 0;         // events with an event_id seen before; repeated lead ids
  uint64_t after_as_of = 0;        // events with ts > as-of (they register their lead only)
  uint64_t conversion_errors = 0;  // values that did not convert to their declared type
  uint64_t warnings = 0;           // rows read despite a problem (a stray CSV quote)
};

struct BatchOptions {
  std::string leads_path;   // empty: no leads file
  std::string events_path;  // empty: no events file
  // Sources other than files (the store's tables: store_source.h), used instead of the paths.
  std::function<Result<std::unique_ptr<ingest::RecordSource>>()> leads_source, events_source;
  AsOf as_of;
  int threads = 0;               // 0: one per core
  size_t block_bytes = 4 << 20;  // input is cut into blocks of about this size
  // Every rejected row and failed conversion, in file order (called on the calling thread).
  std::function<void(const ingest::RowError&)> on_error;
  // How many problems of each block of input reach on_error in full (its first ones); past
  // that, on_more_errors gets their number, in file order after them. A caller that shows
  // only the first N problems sets N, so that a file of bad rows takes the memory of N
  // problems a block rather than about 170 bytes for each (2.3 GB for 400 MB of "1\n").
  uint64_t errors_in_full = UINT64_MAX;
  std::function<void(uint64_t count)> on_more_errors;
  // Bytes consumed so far of the current file and its size, for a progress bar.
  std::function<void(const std::string& path, uint64_t done, uint64_t total)> on_progress;
  // Only this lead's events are kept (empty: all). Used by `explain`.
  std::string only_lead;
  // The sources give, under TypedIdKey(column), the ids as conditions read them where that
  // differs from the id's text, which keeps naming the lead, type or event: the store's records
  // whose CSV cell 007 reads as 7 (service/typed_ids.h). Off for files, which a client writes.
  bool typed_ids = false;
  // The events hold no repeated event_id (the store's log, deduped as events arrive), so no
  // dedupe set is built: for 27M events it held 300 MB and was most of the serial stage.
  bool events_unique = false;
  // false: when nothing but the fit rules reads lead attributes
  // (CompiledModel::reads_lead_beyond_fit), each lead's fit is computed as it is read and its
  // attributes are not kept (Batch::fit; Batch::leads then holds no attribute). On W1's 1M
  // leads that is the attribute column and the arena of their strings, about 150 MB less to
  // fault in. Callers that read attributes afterwards (explanations, accounts, predictions)
  // keep the default.
  bool keep_attributes = true;
  // Called for each event applied to a lead, with the matched rule indexes (for `explain`).
  // The event's properties are there only when an engagement rule reads lead attributes (and
  // so the properties are kept to match it) or calls days_since in its `when`.
  std::function<void(uint32_t lead, uint64_t line, const engine::EventView& event,
                     const std::vector<uint32_t>& rules)>
      on_applied;
};

// The leads of a run with their state, ready to score at the run's as-of time.
struct Batch {
  std::shared_ptr<const engine::CompiledModel> model;
  AsOf as_of;
  LeadTable leads;  // with no attributes when `fit` is filled
  engine::StateTable states;
  // Each lead's fit by row, when the attributes were not kept (BatchOptions::keep_attributes).
  std::vector<double> fit;
  InputStats lead_stats;
  InputStats event_stats;
  // The lead fields the model reads that the leads file lacks: not in its CSV header, or given
  // a value by no JSON Lines record. Every lead reads them as null; a model may mean that (an
  // attribute only some sources send), so they are said, not refused. Not filled for the
  // store's sources.
  std::vector<std::string> absent_lead_fields;
  std::vector<std::string> lead_columns;  // the leads file's CSV header, for a did-you-mean

  Batch(std::shared_ptr<const engine::CompiledModel> m, AsOf t, bool keep_attributes)
      : model(std::move(m)),
        as_of(t),
        leads(keep_attributes ? model->lead_fields().size() : 0),
        states(*model, t.time),
        fit_only_(!keep_attributes) {}

  // Whether the leads' attributes were read into `fit` and not kept.
  bool fit_only() const { return fit_only_; }

 private:
  bool fit_only_;
};

// Reads the input files into a Batch. Fails only when a file cannot be read (missing, unknown
// extension, corrupt gzip); bad rows go to options.on_error and the stats.
Result<std::unique_ptr<Batch>> LoadBatch(std::shared_ptr<const engine::CompiledModel> model,
                                         const BatchOptions& options);

// What a ranking keeps of a lead's score: 32 bytes rather than engine::Score's 72, whose
// reasons and raw score the output does not show (1M leads: 40 MB fewer fresh pages to fault in
// at the end of a run, 0.3-0.8 s of CPU on the VMs we measure on).
struct RankedScore {
  double score = 0;
  double fit = 0;
  double engagement = 0;
  int32_t grade = -1;  // index into grades(), -1: none
  int32_t stage = -1;  // index into stages(), -1: none

  // As an engine::Score, without reasons.
  engine::Score ToScore() const;
};
static_assert(sizeof(RankedScore) == 32);

// Every lead's score, and the leads in output order.
struct Ranking {
  std::vector<RankedScore> scores;  // by lead row
  std::vector<uint32_t> order;      // rows by score descending, then lead_id ascending
};

// Scores every lead of `batch` at its as-of time and ranks them. Uses `threads` threads
// (0: one per core).
Ranking RankLeads(const Batch& batch, int threads);

}  // namespace leadscore::service
