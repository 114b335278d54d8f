// EventLog: the indexes of the store's event log, held in memory.
//
// The database keeps the log in arrival order with no index but its seq (schema version 3),
// so that an append writes only the log's last pages: the two indexes it had, a unique
// event_id and events by lead, each cost a page write at a random place per event, which bound
// batched ingest (bench/README.md). They live here instead: a 64-bit fingerprint of every
// stored event_id, for dedupe, and each lead's seqs, for reading a lead's events.
//
// Invariants:
//  1. The indexes describe the committed log up to last_seq(). Load reads the log whole; a
//     writer catches up with what other processes appended (under Store::LockEventLog, so
//     nothing is appended meanwhile) before its transaction's first append, and publishes its
//     own writes only once they committed (Commit), or drops them (Abort).
//  2. An event whose event_id is stored already, or was appended earlier in the same
//     transaction, is a duplicate and is not written: the first in arrival order counts. Ids
//     are compared by fingerprint; two distinct ids share one with a probability of about
//     n^2 / 2^65 (2e-5 for 30M ids), the bound batch scoring accepts too.
//  3. Reads (any thread) see a lead's committed events; the rows come from the store.
//  4. Deleting a lead forgets its events' ids too: they may be sent again.
// Memory: about 8 bytes per event in the per-lead lists, 10 to 16 per event_id in the
// fingerprint set, and a hash-map entry per lead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/status.h"
#include "service/lead_table.h"
#include "store/store.h"

namespace leadscore::service {

struct EventLogOptions {
  // False: dedupe only, no per-lead lists (a writer that never reads events back).
  bool index_leads = true;
  // Called while Load reads the log, with the events read so far and the log's last seq.
  std::function<void(int64_t events, int64_t last_seq)> on_progress;
};

class EventLog {
 public:
  // Reads the whole log of `store`.
  static Result<std::unique_ptr<EventLog>> Load(store::Store& store, EventLogOptions options = {});

  // ---- reads (any thread)
  // The lead's committed events, in arrival order: those stored after `after_seq`, at most
  // `limit` of them (a page of a long history, read without the rest).
  Result<std::vector<store::EventRow>> LeadEvents(store::Store& store, std::string_view lead_id,
                                                  int64_t after_seq = 0,
                                                  size_t limit = SIZE_MAX) const;
  // The committed events of each lead of `lead_ids`, in arrival order: one read for all.
  Result<std::vector<std::vector<store::EventRow>>> EventsOfLeads(
      store::Store& store, std::span<const std::string> lead_ids) const;
  // Whether the lead has committed events (then it has a lead row too). False without
  // per-lead lists.
  bool HasEvents(std::string_view lead_id) const;
  // The lead's committed event seqs, ascending.
  std::vector<int64_t> SeqsOf(std::string_view lead_id) const;
  // The ids of the `limit` leads with the most committed events (at least `min_events`),
  // the busiest first.
  std::vector<std::string> BusiestLeads(size_t limit, size_t min_events) const;
  int64_t last_seq() const;
  // Committed events indexed.
  size_t size() const;

  // ---- writes (one thread at a time, in its write transaction)
  // Runs `body` in a transaction of `store`, then publishes the appends and deletes it made
  // through this log when it committed, or drops them when it failed.
  Status Transaction(store::Store& store, const std::function<Status()>& body);
  // Appends the events that are not duplicates; stored[i] is false for a duplicate. Returns
  // the highest seq written, 0 when none.
  Result<int64_t> Append(store::Store& store, std::span<const store::EventRef> events,
                         std::vector<bool>& stored);
  Result<int64_t> Append(store::Store& store, std::span<const store::EventRow> events,
                         std::vector<bool>& stored) {
    std::vector<store::EventRef> refs(events.begin(), events.end());
    return Append(store, refs, stored);
  }
  // Deletes the lead and everything held about it (Store::DeleteLeadRows). False when there
  // was no such lead.
  Result<bool> DeleteLead(store::Store& store, const std::string& lead_id);
  // Indexes what other processes appended (`leadscore ingest` beside a server), with no write
  // of its own; what Append and DeleteLead do first.
  Status CatchUp(store::Store& store) { return Start(store); }
  // The leads with events another process appended, indexed by the catch-ups since the last
  // call (whether or not the writer's own transaction then committed), once each; none without
  // per-lead lists.
  std::vector<std::string> TakeCaughtUp();

 private:
  explicit EventLog(EventLogOptions options) : options_(std::move(options)) {}
  // Before the transaction's first write: lock the log's tail and index what others appended.
  Status Start(store::Store& store);
  // Indexes committed rows after last_seq_, adding their leads to `leads` when given.
  // REQUIRES: mu_ held exclusively.
  Status ReadTail(store::Store& store, std::vector<std::string>* leads = nullptr);
  void Commit();
  void Abort();

  // One write of the open transaction, applied in order by Commit.
  struct Op {
    std::string lead_id;
    int64_t seq = 0;               // an append; 0: the lead's deletion
    uint64_t fingerprint = 0;      // an append's event_id (0: none)
    std::vector<uint64_t> erased;  // a deletion: the ids of the events it deleted
  };
  struct Pending {
    bool started = false;
    std::vector<Op> ops;
    FingerprintSet added_ids;                 // appended in this transaction
    std::unordered_set<uint64_t> erased_ids;  // stored before, deleted in this transaction
  };

  EventLogOptions options_;
  mutable std::shared_mutex mu_;
  FingerprintSet ids_;
  // A lead's seqs. REQUIRES: mu_ held (shared to read).
  const std::vector<int64_t>* Find(std::string_view lead_id) const;
  // REQUIRES: mu_ held exclusively; hash = HashBytes(lead_id).
  std::vector<int64_t>& FindOrAdd(std::string_view lead_id, uint64_t hash);

  // Each lead's row (open addressing: one cache line a lookup, where a hash map of strings
  // cost a miss more; the writer looks a lead up for every event) and its seqs by row. A
  // deleted lead keeps its row with no seqs.
  LeadTable lead_rows_{0};
  std::vector<std::vector<int64_t>> seqs_by_row_;
  int64_t last_seq_ = 0;
  size_t size_ = 0;
  Pending pending_;                     // the writer's own: no lock
  std::vector<std::string> caught_up_;  // the writer's own too (TakeCaughtUp)
};

}  // namespace leadscore::service
