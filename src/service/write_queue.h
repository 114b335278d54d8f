// WriteQueue: group commit. Request threads submit writes; one writer thread puts everything
// waiting into a single transaction and answers every request once it has committed.
//
// Invariants:
//  1. A request is answered only after the transaction holding its writes committed, so a
//     2xx means the writes survive a kill -9 (and, with a durable store, a power loss).
//  2. Requests are applied in the order they were submitted; within one, in body order. The
//     event log's order (seq) is therefore arrival order, which is what dedupe and the
//     batch equivalence rely on.
//  3. When a group fails to commit, each of its requests is retried alone, so one bad request
//     cannot fail the others.
// Throughput: one fsync per group, not per request; the group grows with the load.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/status.h"
#include "service/event_log.h"
#include "service/record_input.h"
#include "store/store.h"

namespace leadscore::service {

struct WriteRequest {
  std::vector<LeadInput> leads;  // merged into the stored attributes
  std::vector<EventInput> events;
  std::vector<store::OutcomeRow> outcomes;
  // Leads forgotten with everything about them (after the writes above).
  std::vector<std::string> delete_leads;
  // Anything else to write in the same transaction (the rescorer's scores and transitions).
  std::function<Status(store::Store&)> custom;
};

struct WriteResult {
  Status status;
  std::vector<bool> event_stored;  // by position in WriteRequest::events; false: duplicate
  size_t leads_created = 0;
  size_t leads_deleted = 0;
};

// What a committed group touched: handed to the scorer.
struct Committed {
  std::vector<std::string> event_leads;      // leads with new events, distinct per request
  std::vector<std::string> attribute_leads;  // leads whose attributes were written
  std::vector<std::string> deleted_leads;    // leads forgotten
  int64_t last_seq = 0;                      // highest event seq written, 0 if none
};

// Writes `request` in the caller's transaction (run through log.Transaction): leads merged
// into the stored attributes, events appended through `log` (false in result.event_stored for
// a duplicate event_id), a lead row for each new lead of an event or outcome (skipped for a
// lead with events in `log` or in `known_leads`; the ones inserted go to `created_leads`),
// outcomes, deletes, then request.custom.
Status ApplyWrite(store::Store& store, EventLog& log, const WriteRequest& request, Timestamp now,
                  const std::unordered_set<std::string>& known_leads, WriteResult& result,
                  Committed& committed, std::vector<std::string>& created_leads);

class WriteQueue {
 public:
  // `on_commit` runs on the writer thread after each commit. The queue is the only writer of
  // `log` in this process.
  WriteQueue(std::unique_ptr<store::Store> store, std::shared_ptr<EventLog> log, Timestamp (*now)(),
             std::function<void(Committed&&)> on_commit);
  ~WriteQueue();

  // `done` runs once the request is written, on the writer thread after the commit (or at once
  // on the caller's when the queue is stopped): it must be quick and must not throw.
  void Submit(WriteRequest request, std::function<void(WriteResult)> done);
  std::future<WriteResult> Submit(WriteRequest request);
  // Writes what is queued, then stops. Later Submits fail with kUnavailable.
  void Stop();

  // Groups committed and requests written so far (for /metrics).
  uint64_t groups() const { return groups_; }
  // Changes when a deletion of leads is applied, and again once its commit was handed to
  // `on_commit`. So a reader that finds the same count before it reads a lead (from the store
  // or from what on_commit told it) and again in a write of its own on the writer thread knows
  // that no lead was deleted in between.
  uint64_t deletions() const { return deletions_; }

 private:
  struct Pending {
    WriteRequest request;
    std::function<void(WriteResult)> done;
  };
  void Run();
  // After a commit: what the writer now knows exists.
  void Remember(const Pending& p);
  Status Apply(Pending& p, WriteResult& result, Committed& committed, Timestamp now);

  std::unique_ptr<store::Store> store_;
  std::shared_ptr<EventLog> log_;
  Timestamp (*now_)();
  std::function<void(Committed&&)> on_commit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::atomic<uint64_t> groups_{0};
  std::atomic<uint64_t> deletions_{0};
  // Leads known to have a row though they may have no events (their attributes were written),
  // so that an event for them needs no insert-if-absent (measured: one statement less per
  // event); the event log knows the others. Only the writer thread touches it.
  std::unordered_set<std::string> known_leads_;
  std::thread thread_;
};

}  // namespace leadscore::service
