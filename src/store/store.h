// Store: everything the live service keeps, behind one interface over SQLite or PostgreSQL.
//
// Layout (docs/storage.md has the schema and the durability invariants):
//   leads         lead_id -> attributes (a JSON object)
//   events        the event log in arrival order (seq); a non-null event_id is unique
//   outcomes      what became of a lead (sql, opportunity, won, lost), with date and value
//   models        every model version ever stored; active_models names the ones that score
//   lead_scores   each lead's score under each active model at its last evaluation
//   transitions   every stage change, once, with cause and explanation
//   outbox        webhook deliveries, written with the transition that caused them
//   tokens        API tokens, by SHA-256 hash
//   meta          the service's bookkeeping (e.g. how far the event log has been scored)
//
// A Store is one connection: one thread at a time. Writes that belong together go in one
// Transaction(); a call outside a transaction commits on its own. Times are microseconds.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "store/sql.h"

namespace leadscore::store {

struct LeadRow {
  std::string lead_id;
  std::string attributes = "{}";  // a JSON object
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
  // Its CSV cells that read as numbers, as written: {"zip": "01500"} (attributes has 1500).
  // Scoring reads these as the file's cells (service/cell_texts.h).
  std::string cell_texts = "{}";
};

struct EventRow {
  int64_t seq = 0;       // set by InsertEvent
  std::string event_id;  // empty: none (never a duplicate)
  std::string lead_id;
  std::string type;
  Timestamp ts = 0;
  std::string body;  // the JSON object as received
  Timestamp received_at = 0;
  // From a CSV file: its cells that read as numbers, as written (as LeadRow's); empty: none.
  std::string cell_texts = {};
};

// An event to append, viewing text that outlives the call (no copy of the body).
struct EventRef {
  EventRef(std::string_view event_id, std::string_view lead_id, std::string_view type, Timestamp ts,
           std::string_view body, Timestamp received_at, std::string_view cell_texts = {})
      : event_id(event_id),
        lead_id(lead_id),
        type(type),
        ts(ts),
        body(body),
        received_at(received_at),
        cell_texts(cell_texts) {}
  EventRef(const EventRow& e)  // NOLINT(google-explicit-constructor): a view of the row
      : EventRef(e.event_id, e.lead_id, e.type, e.ts, e.body, e.received_at, e.cell_texts) {}
  std::string_view event_id;  // empty: none
  std::string_view lead_id;
  std::string_view type;
  Timestamp ts;
  std::string_view body;
  Timestamp received_at;
  std::string_view cell_texts;  // empty: none
};

// What the in-memory indexes of the log are built from.
struct EventKey {
  int64_t seq = 0;
  std::string lead_id;
  std::string event_id;  // empty: none
};

struct OutcomeRow {
  int64_t id = 0;
  std::string lead_id;
  std::string kind;
  Timestamp ts = 0;
  std::optional<double> value;
  Timestamp recorded_at = 0;
};

struct ModelRow {
  std::string name;
  int64_t version = 0;
  std::string yaml;
  Timestamp created_at = 0;
  std::string role;  // from active_models; empty when the version is not active
};

struct ScoreRow {
  std::string model;
  std::string lead_id;
  int64_t model_version = 0;
  double score = 0, fit = 0, engagement = 0;
  std::optional<std::string> grade, stage;
  Timestamp scored_at = 0;
};

struct TransitionRow {
  int64_t id = 0;
  std::string lead_id;
  std::string model;
  int64_t model_version = 0;
  std::optional<std::string> from_stage, to_stage;
  double score = 0;
  Timestamp at = 0;
  std::string cause;
  std::string explanation = "[]";  // JSON array
};

struct TokenRow {
  std::string hash;
  std::string scope;
  std::string name;
  Timestamp created_at = 0;
};

struct DeliveryRow {
  int64_t id = 0;
  std::string webhook;
  std::string lead_id;
  std::string payload;
  std::string idempotency_key;
  std::string status = "pending";  // pending | delivered | failed
  int64_t attempts = 0;
  Timestamp next_attempt_at = 0;
  std::string last_error;
  Timestamp created_at = 0;
  std::optional<Timestamp> delivered_at;
};

// Which leads ListScores returns: by score descending, then lead_id ascending.
struct ScoreFilter {
  std::string model;
  std::optional<std::string> stage = std::nullopt, grade = std::nullopt;
  std::optional<double> min_score = std::nullopt, max_score = std::nullopt;
  // An attribute equal to a value (compared as text).
  std::optional<std::pair<std::string, std::string>> attribute = std::nullopt;
  // Resume after this (score, lead_id), from a previous page's last row.
  std::optional<std::pair<double, std::string>> after = std::nullopt;
  int64_t limit = 100;
};

struct OpenOptions {
  bool durable = true;     // see ConnectionOptions
  bool migrate = true;     // run the migrations; false: fail unless the schema is current
  int schema_target = -1;  // for tests: stop migrating at this version
  bool map_file = true;    // see ConnectionOptions
  bool background_checkpoints = false;  // see ConnectionOptions
};

class Store {
 public:
  // Connects to `target` (a SQLite path or a postgresql:// URL) and brings the schema up to
  // date.
  static Result<std::unique_ptr<Store>> Open(const std::string& target, OpenOptions options = {});

  explicit Store(std::unique_ptr<SqlConnection> db) : db_(std::move(db)) {}

  SqlConnection& db() { return *db_; }
  Dialect dialect() const { return db_->dialect(); }

  // Runs `body` in one transaction: all of its writes or none.
  Status Transaction(const std::function<Status()>& body) { return InTransaction(*db_, body); }
  Status ReadTransaction(const std::function<Status()>& body) {
    return InReadTransaction(*db_, body);
  }

  // ---- leads
  Result<std::optional<LeadRow>> GetLead(const std::string& lead_id);
  // Inserts the lead or replaces its attributes (created_at is kept).
  Status PutLead(const LeadRow& lead);
  // Inserts a lead with no attributes unless it exists.
  Status EnsureLead(const std::string& lead_id, Timestamp now);
  // Deletes the lead and everything held about it: its events (by seq: the log has no index
  // by lead), outcomes, scores, transitions, webhook deliveries. False when there was no such
  // lead. Call it in a transaction.
  Result<bool> DeleteLeadRows(const std::string& lead_id, std::span<const int64_t> event_seqs);
  Result<int64_t> CountLeads();
  // Leads in ascending id order after `after`, at most `limit` (a page of a full pass).
  Result<std::vector<LeadRow>> LeadsPage(const std::string& after, int64_t limit);

  // ---- events
  // The log is indexed by seq alone, so that appends stay sequential writes; the indexes the
  // service needs (dedupe by event_id, a lead's events) are kept in memory by
  // service::EventLog, rebuilt from EventKeysAfter.
  // Appends the event as given (no dedupe) and sets event.seq.
  Status InsertEvent(EventRow& event);
  // Appends the events in order, a few hundred a statement (no dedupe). Returns their seqs.
  Result<std::vector<int64_t>> InsertEvents(std::span<const EventRef> events);
  // The events with these seqs (the ones that exist), in seq order.
  Result<std::vector<EventRow>> EventsBySeq(std::span<const int64_t> seqs);
  // seq, lead_id and event_id of the events after seq `after`, in order, at most `limit`.
  Result<std::vector<EventKey>> EventKeysAfter(int64_t after, int64_t limit);
  // Holds other processes' appends off until this transaction ends, so that a writer can
  // read the log's tail and append after it knowing it is the tail (PostgreSQL: an advisory
  // lock; a SQLite write transaction holds the database's write lock already).
  Status LockEventLog();
  Result<int64_t> LastEventSeq();
  // Appends to `out` the bodies of the events after seq `after` in arrival order, at most
  // `limit`, each followed by '\n' (JSON Lines), and sets `last` to the seq of the last one:
  // a sequential read of the log, with no allocation per event. Returns how many. A body with
  // cell texts is appended by `with_texts(out, body, cell_texts)` instead, when given.
  using BodyWriter =
      std::function<void(std::string& out, std::string_view body, std::string_view cell_texts)>;
  Result<int64_t> AppendEventBodiesAfter(int64_t after, int64_t limit, std::string& out,
                                         int64_t& last, const BodyWriter& with_texts = nullptr);
  Result<int64_t> CountEvents();

  // ---- outcomes
  Status InsertOutcome(OutcomeRow& outcome);
  Result<std::vector<OutcomeRow>> LeadOutcomes(const std::string& lead_id);
  // Every lead's outcomes with id > `after`, by id, at most `limit`.
  Result<std::vector<OutcomeRow>> OutcomesPage(int64_t after, int64_t limit);

  // ---- models
  // Stores a new version of model `name`; returns its version (1, 2, ...). Call it in the
  // Transaction that activates the version.
  Result<int64_t> InsertModel(const std::string& name, const std::string& yaml, Timestamp now);
  Result<std::optional<ModelRow>> GetModel(const std::string& name, int64_t version);
  // Makes `version` of `name` the one that scores, with `role` (primary | live | shadow). One
  // primary at most: activating a primary demotes the previous one to live.
  Status ActivateModel(const std::string& name, int64_t version, const std::string& role,
                       Timestamp now);
  Result<std::vector<ModelRow>> ActiveModels();
  Result<std::vector<ModelRow>> ModelVersions(const std::string& name);

  // ---- scores
  Result<std::optional<ScoreRow>> GetScore(const std::string& model, const std::string& lead_id);
  Status PutScore(const ScoreRow& score);
  // PutScore for many rows, a few hundred a statement (one lead and model at most once).
  Status PutScores(std::span<const ScoreRow> scores);
  // Every stored score of `model`.
  Result<std::vector<ScoreRow>> ScoresOf(const std::string& model);
  // The stored scores of `model` for first <= lead_id <= last, by lead_id.
  Result<std::vector<ScoreRow>> ScoresOfLeads(const std::string& model, const std::string& first,
                                              const std::string& last);
  // Without an index by rank (schema version 4), a scan of the model's scores: the service
  // lists from its ranking in memory (service/score_rankings.h) and comes here without one.
  Result<std::vector<ScoreRow>> ListScores(const ScoreFilter& filter);
  // Those of `lead_ids` whose attribute `key` equals `value` as ScoreFilter::attribute
  // compares it (in no particular order).
  Result<std::vector<std::string>> LeadsWithAttribute(std::span<const std::string> lead_ids,
                                                      const std::string& key,
                                                      const std::string& value);

  // ---- transitions
  Status InsertTransition(TransitionRow& transition);
  Result<std::vector<TransitionRow>> LeadTransitions(const std::string& lead_id);

  // ---- tokens
  Status InsertToken(const TokenRow& token);
  Result<std::optional<TokenRow>> FindToken(const std::string& hash);

  // ---- outbox
  // Adds a pending delivery; false when its idempotency key is already there.
  Result<bool> EnqueueDelivery(DeliveryRow& delivery);
  // Pending deliveries due at `now`, oldest first; of `webhook` alone when it is not empty.
  Result<std::vector<DeliveryRow>> DueDeliveries(Timestamp now, int64_t limit,
                                                 const std::string& webhook = "");
  // Gives up every pending delivery to a webhook not in `configured` ("webhook X is no longer
  // configured"); returns how many.
  Result<int64_t> FailUnconfigured(const std::vector<std::string>& configured);
  Status MarkDelivered(int64_t id, int64_t attempts, Timestamp at);
  // Another attempt failed: retry at `next_attempt_at`, or give up (`failed`).
  Status MarkAttemptFailed(int64_t id, int64_t attempts, Timestamp next_attempt_at,
                           const std::string& error, bool failed);
  // Deliveries in `status`, newest first, from the one before id `before` (a page's cursor).
  Result<std::vector<DeliveryRow>> Deliveries(const std::string& status, int64_t limit,
                                              int64_t before = INT64_MAX);

  // ---- meta
  Result<std::optional<std::string>> GetMeta(const std::string& key);
  Status SetMeta(const std::string& key, const std::string& value);

 private:
  // SQL that is true when the JSON object `attributes` (a column) has ?1 equal to ?2.
  std::string AttributeEquals(const std::string& attributes) const;

  std::unique_ptr<SqlConnection> db_;
};

}  // namespace leadscore::store
