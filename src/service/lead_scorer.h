// LeadScorer: scores one lead from its records as the live service stores them (the lead's
// attributes as one JSON object text, its events as the JSON object texts they arrived as), with
// the same code and semantics as `leadscore score` on JSON Lines files holding those records:
// the same JSON parser (types, nested objects flattened with dots, first of repeated keys),
// the same conversions (record_convert.h) and the same Scorer.
//
// One LeadScorer per thread: it owns a parser, a Scorer and scratch space, reused by every call
// (not thread-safe). The CompiledModel is shared and must not change while it is used.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.h"
#include "engine/compiled_model.h"
#include "engine/score.h"
#include "ingest/record_source.h"
#include "service/next_steps.h"
#include "service/parsed_events.h"

namespace leadscore::service {

// The records of one lead as the live service stores them. Nothing is copied or kept after a
// call returns.
struct LeadRecords {
  // Who is scored. Events whose lead_id names another lead are left out (and reported); a
  // `lead_id` key in attributes_json, if any, only serves a model field named `lead_id` (as
  // the start-up pass reads it: see OnLead in lead_scorer.cc).
  std::string_view lead_id;
  // One JSON object, or empty: a lead known only from events (null attributes). An object that
  // does not parse is reported and counts as empty, as batch skips such a row.
  std::string_view attributes_json;
  // JSON objects in arrival order (the order a JSON Lines file would hold them). Each needs
  // lead_id, type and ts; event_id is optional; other keys are properties.
  std::span<const std::string> events_json;
  // When set: the lead's events as Parse gave them (by a LeadScorer of the same model, for
  // this lead_id), and events_json is not read.
  const ParsedEvents* parsed = nullptr;
  // Its CSV cells that read as numbers, as written (store::LeadRow::cell_texts): read as batch
  // reads the file's cells (service/cell_texts.h). Empty or "{}": none.
  std::string_view cell_texts = {};
};

class LeadScorer {
 public:
  explicit LeadScorer(std::shared_ptr<const engine::CompiledModel> model);
  ~LeadScorer();
  LeadScorer(const LeadScorer&) = delete;
  LeadScorer& operator=(const LeadScorer&) = delete;

  // The lead's score at `as_of`, exactly as `leadscore score --as-of` gives it for JSON Lines
  // files holding these records (SCORING.md, "Records" and "Batch output"): declared fields
  // converted (failed conversions -> null), events without lead_id or type or with an
  // unreadable ts skipped, events with a repeated non-empty event_id counted once (the first in
  // events_json wins, judged before the as-of cut), events with ts > as_of left out.
  // Reasons only when `explain`; their string_views stay valid while the LeadScorer lives and
  // until its next call.
  // Batch dedupes event_ids across all leads of a file; here only within the lead's events,
  // so the scores are equal when no event_id is shared by two leads.
  engine::Score Score(const LeadRecords& lead, AsOf as_of, bool explain);

  // The lead's events read as every call above reads them, kept for later calls through
  // LeadRecords::parsed (valid with any as-of time and this scorer's model). With `before`
  // (what Parse gave for the lead's first events): those followed by `events_json`, the
  // events after them, which are deduped among themselves only (the service's stored events,
  // deduped by its log, are the use).
  std::shared_ptr<const ParsedEvents> Parse(std::string_view lead_id,
                                            std::span<const std::string> events_json,
                                            const ParsedEvents* before = nullptr);

  // The lead's history: for each distinct time t of its counted events (as Score counts them)
  // with t <= as_of, Score(lead, AsOf{t}, false), in ascending time; only the `limit` latest
  // points, of those before `before` when it is given. `*earlier` (when given) gets how many
  // points come before the ones returned. Each point is computed as its own as-of run, so
  // costs O(limit x events).
  std::vector<std::pair<Timestamp, engine::Score>> History(
      const LeadRecords& lead, AsOf as_of, size_t limit,
      std::optional<Timestamp> before = std::nullopt, size_t* earlier = nullptr);

  // The first time of its counted events (as History) at which the lead's stage is `stage`
  // (an index into the model's stages) or a later one; nullopt when it never is by `as_of`.
  std::optional<Timestamp> FirstTimeAtStage(const LeadRecords& lead, AsOf as_of, int stage);

  // If nothing happens after `as_of` (events after it are left out): the first time the
  // lead's stage differs from its stage at `as_of` (decay, expiry, count windows), or nullopt
  // when it never does. See service::StageChangeTime (stage_forecast.h).
  std::optional<Timestamp> StageChangeTime(const LeadRecords& lead, AsOf as_of);

  // The single actions that would take the lead at `as_of` up to the next stage
  // (service::NextSteps), or none when it is at the last stage.
  std::vector<NextStep> NextSteps(const LeadRecords& lead, AsOf as_of);

  // Reads the lead's records as every call above does, and scores nothing: errors() then says
  // what did not convert. Whether the model has anything to convert in a lead's attributes
  // and in an event (declared fields): when not, errors() can only hold rejected records.
  void Check(const LeadRecords& lead);
  bool ConvertsLeads() const;
  bool ConvertsEvents() const;
  // False when the event's JSON text surely holds no field the model declares (so Check has
  // nothing to say of its conversions); true when it may.
  bool EventMayConvert(std::string_view event_json);

  // What the last call rejected or could not convert, in record order: `file` is "attributes"
  // (line 1) or "events" (line: 1-based position in events_json); `field` and `message` as
  // `leadscore score` reports them. Valid until the next call.
  const std::vector<ingest::RowError>& errors() const;

  const engine::CompiledModel& model() const { return *model_; }

 private:
  class Impl;
  std::shared_ptr<const engine::CompiledModel> model_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadscore::service
