// Rescorer: keeps each lead's stored score (lead_scores) current and logs stage transitions.
//
// Scores change when events arrive, when attributes change, when a model is activated, and
// with time alone (decay, expiry, count windows). The Rescorer re-evaluates a lead at the
// current time for every active model and, when its stage differs from the stored one, writes
// the transition (with its cause and the explanation at that moment) and lets the transition
// hook queue actions, in the same transaction as the new score (run by the service's writer,
// so that there is one writer to the database). So a transition is written
// once, and its webhooks are never lost (they sit in the outbox of the same commit).
//
// Work comes from three places, in this priority: leads named by MarkDirty (after a commit),
// full passes (RescoreAll: at start, after a model change, and every sweep interval).
// A full pass at start also covers writes whose rescoring a crash interrupted.
// Reads of a lead never depend on it: GET computes the score from the records.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "service/event_log.h"
#include "service/live_models.h"
#include "service/parsed_event_cache.h"
#include "service/stored_lead_cache.h"
#include "store/store.h"

namespace leadscore::service {

class ScoreRankings;

struct RescorerOptions {
  int64_t sweep_interval = 300 * kMicrosPerSecond;  // 0: no sweeps
  size_t chunk = 200;                               // dirty leads per transaction
  size_t page = 1000;                               // leads per page of a full pass
  size_t lead_cache_bytes = 64 << 20;               // StoredLeadCache's budget
};

struct RescoreProgress {
  bool running = false;  // a full pass is under way, or asked for and about to start
  std::string cause;
  int64_t total = 0;  // leads in the pass (0 until it starts)
  int64_t done = 0;
  uint64_t passes = 0;  // full passes finished
  uint64_t leads_scored = 0;
  uint64_t transitions = 0;
  uint64_t pending = 0;  // leads waiting to be rescored after a write
};

class Rescorer {
 public:
  // Called in the transaction that writes `transition`, with the role of its model (primary,
  // live or shadow).
  using TransitionHook =
      std::function<Status(store::Store&, const store::TransitionRow&, const std::string& role)>;

  // `log` indexes the store's event log (the service's writer keeps it current).
  Rescorer(std::unique_ptr<store::Store> store, std::shared_ptr<const EventLog> log,
           std::function<std::shared_ptr<const ModelSet>()> models, Timestamp (*now)(),
           TransitionHook on_transition, RescorerOptions options);
  ~Rescorer();

  // These leads changed (cause: "event:<id>", "attributes", ...); rescored soon.
  // O(1) for the caller (the writer, after each commit): the rescorer merges them.
  void MarkDirty(std::vector<std::string> lead_ids, const std::string& cause);
  // These leads were deleted (after the commit; O(1) as MarkDirty): what the rescorer holds
  // of them is dropped and they are not rescored.
  void Forget(std::vector<std::string> lead_ids);
  // Rescore every lead (cause: "model", "time", "start").
  void RescoreAll(const std::string& cause);
  // Blocks until nothing is pending (tests, shutdown).
  void WaitIdle();
  void Stop();

  RescoreProgress progress() const;
  // Runs `apply` in a write transaction; without one, the Rescorer commits on its own
  // connection. Set before any work arrives.
  using WriteFn = std::function<Status(const std::function<Status(store::Store&)>& apply)>;
  void set_writer(WriteFn write) { write_ = std::move(write); }
  // The writer's count of deletions (WriteQueue::deletions), so that a score computed while
  // its lead was being deleted is not written: without it, every write checks that its leads
  // still exist. Set before any work arrives, with set_writer.
  void set_deletions(std::function<uint64_t()> deletions) { deletions_ = std::move(deletions); }
  // The service's parsed-event cache: a lead rescored after a write has only its new events
  // read and parsed (null: every event of the lead read). Set before any work arrives.
  void set_event_cache(ParsedEventCache* cache) { event_cache_ = cache; }
  // The service's ranking of stored scores (score_rankings.h): loaded by full passes, kept
  // current with every score written and lead deleted (null: none). Set before any work.
  void set_rankings(ScoreRankings* rankings) { rankings_ = rankings; }
  // Runs after each committed chunk that wrote transitions (wakes the outbox worker).
  void set_after_commit(std::function<void()> f) { after_commit_ = std::move(f); }

 private:
  void Run();
  // (lead_id, cause) pairs; cause "event" becomes "event:<the lead's last event>".
  using Work = std::vector<std::pair<std::string, std::string>>;
  Status ScoreChunk(const Work& leads, bool& wrote_transitions);
  // What a write needs to know of deletions: the writer's count before the reads (0 without
  // set_deletions).
  uint64_t Deletions() const { return deletions_ ? deletions_() : 0; }
  // A lead with what scoring it needs.
  struct Loaded {
    store::LeadRow lead;
    // Its events, in arrival order: their bodies with their names and arrival times, or (a
    // lead whose parse the event cache held) their parse by model and their seqs, the rows
    // read only when a transition needs them (LoadEvents).
    std::vector<std::string> bodies;
    std::vector<std::string> event_names;                     // "<event_id>", or "seq <n>"
    std::vector<Timestamp> received;                          // when each event was stored
    std::vector<std::shared_ptr<const ParsedEvents>> parsed;  // by model; empty: bodies
    std::vector<int64_t> seqs;
    bool rows_read = true;                               // bodies, names and arrival times are here
    std::string cause;                                   // of the work (time, model, start...)
    std::vector<std::optional<store::ScoreRow>> stored;  // by model, as in the ModelSet
  };
  // Reads the events of a lead loaded as parses (their rows, as LoadPage reads them).
  Status LoadEvents(Loaded& l);
  // The parses of the loaded leads' events (their seqs set) by model from the cache, reading
  // and parsing only the events it does not hold; a lead it holds nothing for gets its rows.
  Status LoadParsed(const ModelSet& set, std::span<Loaded> leads);
  Status LoadDirty(const Work& leads, const ModelSet& set, std::vector<Loaded>& out);
  // Moves each lead's events (aligned with `out`) into it.
  static void SetEvents(std::vector<std::vector<store::EventRow>>& events, std::span<Loaded> out);
  // The page of leads after `after` (lead_id order), with their events and stored scores.
  Status LoadPage(const std::string& after, const std::string& cause, const ModelSet& set,
                  std::vector<Loaded>& out);
  // `deletions`: Deletions() before `leads` were read.
  Status ScoreLoaded(std::vector<Loaded>& leads, const ModelSet& set, Timestamp now,
                     uint64_t deletions, bool& wrote_transitions);
  // Runs `apply` through the writer (or in a transaction of the rescorer's own connection).
  Status Write(const std::function<Status(store::Store&)>& apply);
  // In a write on `w`, when leads were deleted since the reads (the count differs from
  // `deletions`): leaves out of `scores` and `transitions` the leads that are gone.
  Status DropDeleted(store::Store& w, uint64_t deletions, std::vector<store::ScoreRow>& scores,
                     std::vector<std::pair<store::TransitionRow, size_t>>* transitions);
  // A full pass as a batch run over the store (store_source.h): the log read once in order
  // instead of each lead's events looked up. Leads whose stage changed go through ScoreChunk,
  // which logs their transitions; the other changed scores are written in bulk.
  Status BatchPass(const std::string& cause, const ModelSet& set);
  // The page-by-page pass (the fallback when a batch pass fails).
  Status PagedPass(const std::string& cause);
  // Why `l`'s stage under `model` became `stage`, from the data: the first event stored since
  // the last evaluation after which the lead has that stage ("event:<id>"), else
  // "attributes" when they changed since, else the cause of the work.
  std::string TransitionCause(const Loaded& l, const ActiveModel& model,
                              const std::optional<store::ScoreRow>& stored,
                              const std::optional<std::string>& stage, Timestamp now);
  // Merges what MarkDirty and Forget left in the inbox into dirty_ and lead_cache_, then takes
  // a chunk of dirty_. Rescorer thread; REQUIRES: mu_ not held.
  Work TakeDirty();
  void MergePending();  // the first half of TakeDirty
  void MergeInbox(std::vector<std::pair<std::vector<std::string>, std::string>>& inbox);
  void Requeue(const Work& work);  // rescorer thread

  std::unique_ptr<store::Store> store_;
  std::shared_ptr<const EventLog> log_;
  std::function<std::shared_ptr<const ModelSet>()> models_;
  Timestamp (*now_)();
  TransitionHook on_transition_;
  std::function<void()> after_commit_;
  WriteFn write_;
  ParsedEventCache* event_cache_ = nullptr;
  ScoreRankings* rankings_ = nullptr;
  std::function<uint64_t()> deletions_;
  RescorerOptions options_;
  // Only this thread touches it; the inbox tells it of attribute writes and deletions.
  StoredLeadCache lead_cache_;

  mutable std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  // Leads waiting, as MarkDirty handed them over (under mu_), then merged by the rescorer
  // thread into dirty_ (lead_id -> cause), which only that thread touches: under load every
  // commit marks thousands of leads, and the writer must not wait for that merge.
  std::vector<std::pair<std::vector<std::string>, std::string>> inbox_;
  std::unordered_map<std::string, std::string> dirty_;
  std::atomic<size_t> dirty_size_{0};  // dirty_.size(), for other threads
  // Leads whose deletion the rescorer has taken in (ScoreRankings::Release), until they are
  // scored next. A lead created again may have a stored score the ranking left out: one
  // committed after the creation, while the deletion still held the lead out of the ranking.
  // Their next scoring puts their stored score in the ranking even when it is unchanged, so
  // that the ranking stays equal to the table. Rescorer thread only.
  std::unordered_set<std::string> rerank_;
  std::deque<std::string> full_passes_;  // causes of the passes asked for
  bool busy_ = false;
  bool stopping_ = false;
  RescoreProgress progress_;
  std::thread thread_;
};

}  // namespace leadscore::service
