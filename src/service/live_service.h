// LiveService: the facade the HTTP server (and tests) call. Records go in through a group
// commit (WriteQueue), reads score a lead from its stored records at the asked time with the
// batch engine's code (LeadScorer), and a Rescorer keeps stored scores and the transition log
// current.
//
//   request --> record_input (validate) --> WriteQueue (one transaction per group, fsync)
//                                                |  committed lead ids
//                                                v
//   GET lead --> store --> LeadScorer      Rescorer --> lead_scores, transitions, outbox
//
// Thread-safe: any number of request threads.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "service/lead_prediction.h"
#include "service/lead_view.h"
#include "service/live_models.h"
#include "service/parsed_event_cache.h"
#include "service/record_input.h"
#include "service/rescorer.h"
#include "service/score_rankings.h"
#include "service/store_pool.h"
#include "service/write_queue.h"

namespace leadscore::service {

struct LiveOptions {
  std::string db = "leadscore.db";  // SQLite path or postgresql:// URL
  bool durable = true;
  // A model file to make active under its `name` (a new version when its text differs from
  // the active one), with `model_role`.
  std::string model_path;
  std::string model_role = "primary";
  // A trees model (`leadscore train --kind trees`) whose probability each lead read through
  // the API carries beside its rule scores; empty: none.
  std::string predictive_path;
  int64_t sweep_interval = 300 * kMicrosPerSecond;
  size_t readers = 4;
  // Memory for the parsed events of leads read through the API (parsed_event_cache.h); the
  // rescorer keeps a quarter of it more for lead rows and stored scores (stored_lead_cache.h).
  size_t event_cache_bytes = size_t{256} << 20;
  // Called in the transaction that writes a transition (see Rescorer::TransitionHook).
  Rescorer::TransitionHook on_transition;
  std::function<void()> after_transitions;
  // Called while the event log is read into memory at start (see EventLogOptions).
  std::function<void(int64_t events, int64_t last_seq)> on_load_progress;
};

inline constexpr size_t kListedRejections = 1000;

struct IngestReport {
  size_t received = 0;
  size_t accepted = 0;
  size_t duplicates = 0;
  // The first kListedRejections are listed in an answer, the others counted (rejections.h).
  Rejections rejected{kListedRejections};
  // Values taken but read as null by an active model: not of the type it declares for the
  // field (SCORING.md, "Records"). Listed as `rejected` is.
  Rejections warnings{kListedRejections};
};

struct ModelInfo {
  std::string name;
  int64_t version = 0;
  std::string role;
  std::string yaml;
};

class LiveService {
 public:
  static Result<std::unique_ptr<LiveService>> Start(const LiveOptions& options);
  ~LiveService();
  // Finishes queued writes and the rescoring chunk under way, then stops the threads.
  void Stop();

  // ---- writes (answered once durable)
  // Writes answer through `done` rather than holding the caller's thread until the commit:
  // `done` gets the report on the writer's thread once it is durable (or on the caller's when
  // there is nothing to write) and must be quick. This is what lets the HTTP layer serve many
  // requests on a few threads.
  using IngestDone = std::function<void(Result<IngestReport>)>;
  // A body of events (JSON array or NDJSON) / of leads (object, array or NDJSON).
  void SendEventsAsync(std::string_view body, IngestDone done);
  void UpsertLeadsAsync(std::string_view body, IngestDone done);
  // Already validated records (the Segment endpoints and outcomes build these).
  void WriteAsync(WriteRequest request, IngestReport report, IngestDone done);
  Result<IngestReport> Write(WriteRequest request, IngestReport report);
  Status RecordOutcome(store::OutcomeRow outcome);

  // ---- reads
  // The lead scored by every active model at `as_of` (default: now); with `next_steps`, each
  // model's steps to its next stage too.
  Result<std::optional<LeadView>> GetLead(const std::string& lead_id,
                                          std::optional<Timestamp> as_of, bool explain,
                                          bool forecast, bool next_steps = false);
  // The score after each event up to `as_of`, for one model (default: the primary): the
  // `limit` latest points before `before` (when given), as LeadScorer::History gives them.
  Result<std::vector<std::pair<Timestamp, ModelScore>>> ScoreHistory(
      const std::string& lead_id, const std::string& model, Timestamp as_of, size_t limit,
      std::optional<Timestamp> before = std::nullopt, size_t* earlier = nullptr);
  Result<std::vector<store::TransitionRow>> Transitions(const std::string& lead_id);
  // The lead's events in arrival order: after the event `after_seq`, at most `limit`.
  // Events and Outcomes fail with NotFound for a lead never stored, as GetLead finds none.
  Result<std::vector<store::EventRow>> Events(const std::string& lead_id, int64_t after_seq = 0,
                                              size_t limit = SIZE_MAX);
  Result<std::vector<store::OutcomeRow>> Outcomes(const std::string& lead_id);
  // Stored scores (as of their last evaluation), filter.model empty: the primary's.
  Result<std::vector<store::ScoreRow>> ListLeads(store::ScoreFilter filter);
  Result<bool> DeleteLead(const std::string& lead_id);

  // ---- models
  std::shared_ptr<const ModelSet> models() const;
  // Compiles without storing; the diagnostics on failure.
  Status ValidateModel(const std::string& yaml);
  // Stores `yaml` as a new version of its model and activates it with `role`; every lead is
  // rescored in the background (see progress()). The text of the active version again makes
  // no version and rescores nothing (Activate).
  Result<ModelInfo> ActivateModel(const std::string& yaml, const std::string& role);
  Result<std::vector<ModelInfo>> ModelVersions(const std::string& name);

  // ---- tokens: the scope of a token, nullopt when unknown
  Result<std::optional<std::string>> TokenScope(const std::string& token);
  Result<std::vector<store::DeliveryRow>> Deliveries(const std::string& status, int64_t limit,
                                                     int64_t before = INT64_MAX);

  RescoreProgress progress() const { return rescorer_->progress(); }
  uint64_t events_ingested() const { return events_ingested_; }
  uint64_t write_groups() const { return writer_->groups(); }
  ParsedEventCacheStats event_cache_stats() const { return event_cache_->stats(); }
  // Blocks until committed writes have been rescored (tests).
  void WaitRescored() { rescorer_->WaitIdle(); }

  static Timestamp Now();

 private:
  // NotFound when the store holds no lead `lead_id`.
  static Status LeadIsStored(store::Store& store, const std::string& lead_id);
  LiveService() = default;
  // Reads the active models from admin_ and swaps them in.
  // REQUIRES: admin_mu_ held (admin_ is one connection, not safe for two threads at once).
  Status LoadModels();
  Status ActivateFile(const std::string& path, const std::string& role);
  // `yaml` (compiled already, its model named `name`) active with `role`: a new version unless
  // it is the text of the active version.
  Result<ModelInfo> Activate(const std::string& yaml, const std::string& name,
                             const std::string& role);
  Result<ModelInfo> StoreAndActivate(const std::string& yaml, const std::string& name,
                                     const std::string& role);
  class EventsRead;
  // Before a read of events: when `reader` sees events the log has not indexed (appended by
  // another process), has the writer index them, and waits for it. One query otherwise.
  Status CatchUpWithOtherWriters(store::Store& reader);
  // Parses the events of every lead, those with the most first, into the cache until it holds
  // three quarters of its budget (the rest for the leads touched after): a read or a rescoring
  // of a lead it holds reads no event from the store, where each is a B-tree seek, and the
  // busiest are the costliest and those sales reads most.
  void WarmEventCache(std::stop_token stop);

  LiveOptions options_;
  std::unique_ptr<StorePool> readers_;
  std::shared_ptr<EventLog> event_log_;  // the log's indexes; written by writer_ alone
  std::unique_ptr<ParsedEventCache> event_cache_;
  ScoreRankings rankings_;                    // GET /v1/leads' order, kept by the rescorer
  std::unique_ptr<LeadPredictor> predictor_;  // null: no predictive model
  std::unique_ptr<store::Store> admin_;       // model changes and tokens, under admin_mu_
  std::mutex admin_mu_;
  mutable std::mutex models_mu_;
  std::shared_ptr<const ModelSet> models_;
  std::unique_ptr<Rescorer> rescorer_;
  std::unique_ptr<WriteQueue> writer_;
  std::atomic<uint64_t> events_ingested_{0};
  std::mutex tokens_mu_;
  std::unordered_map<std::string, std::string> token_scopes_;  // hash -> scope
  std::jthread warmer_;                                        // WarmEventCache, from start
};

}  // namespace leadscore::service
