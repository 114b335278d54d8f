#include "store/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "store/migrations.h"

namespace leadscore::store {
namespace {

SqlValue Text(const std::optional<std::string>& s) {
  if (!s) return std::monostate{};
  return *s;
}

SqlValue NullIfEmpty(const std::string& s) {
  if (s.empty()) return std::monostate{};
  return s;
}

// Rows per multi-row statement: within SQLite's 32,766 parameters, and enough to turn a
// thousand round trips to PostgreSQL into a few.
constexpr size_t kRowsPerStatement = 256;

// "(?, ?, ?), (?, ?, ?)": `rows` groups of `columns` placeholders.
std::string Placeholders(size_t rows, size_t columns) {
  std::string group = "(";
  for (size_t c = 0; c < columns; ++c) group += c ? ", ?" : "?";
  group += ")";
  std::string out;
  for (size_t r = 0; r < rows; ++r) {
    if (r) out += ", ";
    out += group;
  }
  return out;
}

LeadRow ToLead(const SqlRow& r) { return {r.Text(0), r.Text(1), r.Int(2), r.Int(3), r.Text(4)}; }
constexpr std::string_view kLeadColumns = "lead_id, attributes, created_at, updated_at, cell_texts";

EventRow ToEvent(const SqlRow& r) {
  return {r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Text(5), r.Int(6), r.Text(7)};
}
constexpr std::string_view kEventColumns =
    "seq, event_id, lead_id, type, ts, body, received_at, cell_texts";

ScoreRow ToScore(const SqlRow& r) {
  return {r.Text(0),   r.Text(1),         r.Int(2),          r.Double(3), r.Double(4),
          r.Double(5), r.OptionalText(6), r.OptionalText(7), r.Int(8)};
}
constexpr std::string_view kScoreColumns =
    "model, lead_id, model_version, score, fit, engagement, grade, stage, scored_at";

DeliveryRow ToDelivery(const SqlRow& r) {
  DeliveryRow d;
  d.id = r.Int(0);
  d.webhook = r.Text(1);
  d.lead_id = r.Text(2);
  d.payload = r.Text(3);
  d.idempotency_key = r.Text(4);
  d.status = r.Text(5);
  d.attempts = r.Int(6);
  d.next_attempt_at = r.Int(7);
  d.last_error = r.Text(8);
  d.created_at = r.Int(9);
  if (!r.is_null(10)) d.delivered_at = r.Int(10);
  return d;
}
constexpr std::string_view kDeliveryColumns =
    "id, webhook, lead_id, payload, idempotency_key, status, attempts, next_attempt_at, "
    "last_error, created_at, delivered_at";

ModelRow ToModel(const SqlRow& r) {
  return {r.Text(0), r.Int(1), r.Text(2), r.Int(3), r.is_null(4) ? "" : r.Text(4)};
}

// Runs a query and converts each row.
template <class Row>
Result<std::vector<Row>> QueryRows(SqlConnection& db, std::string_view sql,
                                   std::span<const SqlValue> params,
                                   Row (*convert)(const SqlRow&)) {
  LS_ASSIGN_OR_RETURN(auto rows, db.Query(sql, params));
  std::vector<Row> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(convert(r));
  return out;
}
template <class Row>
Result<std::vector<Row>> QueryRows(SqlConnection& db, std::string_view sql,
                                   Row (*convert)(const SqlRow&)) {
  return QueryRows<Row>(db, sql, {}, convert);
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::string& target, OpenOptions options) {
  LS_ASSIGN_OR_RETURN(
      auto db, OpenConnection(target, {.durable = options.durable,
                                       .map_file = options.map_file,
                                       .background_checkpoints = options.background_checkpoints}));
  if (options.migrate) {
    LS_RETURN_IF_ERROR(Migrate(*db, options.schema_target));
  } else {
    LS_ASSIGN_OR_RETURN(int version, SchemaVersion(*db));
    int newest = MigrationsFor(db->dialect()).back().version;
    if (version != newest) {
      return Error(FailedPrecondition(fmt::format(
          "{}: the store's schema is version {}, this leadscore needs {}; start `leadscore "
          "serve` once to migrate it",
          db->name(), version, newest)));
    }
  }
  return std::make_unique<Store>(std::move(db));
}

// ---- leads ---------------------------------------------------------------------------------

Result<std::optional<LeadRow>> Store::GetLead(const std::string& lead_id) {
  std::vector<SqlValue> p{lead_id};
  LS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(fmt::format("SELECT {} FROM leads WHERE lead_id = ?", kLeadColumns), p));
  if (rows.empty()) return std::nullopt;
  return ToLead(rows[0]);
}

Status Store::PutLead(const LeadRow& lead) {
  std::vector<SqlValue> p{lead.lead_id, lead.attributes, lead.created_at, lead.updated_at,
                          lead.cell_texts};
  return StatusOf(db_->Exec(
      "INSERT INTO leads (lead_id, attributes, created_at, updated_at, cell_texts) VALUES (?, ?, "
      "?, ?, ?) ON CONFLICT (lead_id) DO UPDATE SET attributes = excluded.attributes, "
      "updated_at = excluded.updated_at, cell_texts = excluded.cell_texts",
      p));
}

Status Store::EnsureLead(const std::string& lead_id, Timestamp now) {
  std::vector<SqlValue> p{lead_id, now, now};
  return StatusOf(db_->Exec(
      "INSERT INTO leads (lead_id, attributes, created_at, updated_at) VALUES (?, '{}', ?, ?) "
      "ON CONFLICT (lead_id) DO NOTHING",
      p));
}

Result<bool> Store::DeleteLeadRows(const std::string& lead_id,
                                   std::span<const int64_t> event_seqs) {
  for (size_t start = 0; start < event_seqs.size(); start += kRowsPerStatement) {
    auto chunk = event_seqs.subspan(start, std::min(kRowsPerStatement, event_seqs.size() - start));
    std::vector<SqlValue> seqs(chunk.begin(), chunk.end());
    LS_RETURN_IF_ERROR(
        db_->Exec("DELETE FROM events WHERE seq IN " + Placeholders(1, chunk.size()), seqs));
  }
  std::vector<SqlValue> p{lead_id};
  for (const char* sql :
       {"DELETE FROM outcomes WHERE lead_id = ?", "DELETE FROM lead_scores WHERE lead_id = ?",
        "DELETE FROM transitions WHERE lead_id = ?", "DELETE FROM outbox WHERE lead_id = ?"}) {
    LS_RETURN_IF_ERROR(db_->Exec(sql, p));
  }
  LS_ASSIGN_OR_RETURN(auto result, db_->Exec("DELETE FROM leads WHERE lead_id = ?", p));
  return result.rows_changed > 0;
}

Result<std::vector<LeadRow>> Store::LeadsPage(const std::string& after, int64_t limit) {
  std::vector<SqlValue> p{after, limit};
  return QueryRows<LeadRow>(
      *db_,
      fmt::format("SELECT {} FROM leads WHERE lead_id > ? ORDER BY lead_id LIMIT ?", kLeadColumns),
      p, ToLead);
}

Result<int64_t> Store::CountLeads() {
  LS_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT COUNT(*) FROM leads"));
  return rows[0].Int(0);
}

// ---- events --------------------------------------------------------------------------------

Status Store::InsertEvent(EventRow& event) {
  std::vector<SqlValue> p{NullIfEmpty(event.event_id),
                          event.lead_id,
                          event.type,
                          event.ts,
                          event.body,
                          event.received_at,
                          NullIfEmpty(event.cell_texts)};
  LS_ASSIGN_OR_RETURN(auto rows, db_->Query("INSERT INTO events (event_id, lead_id, type, ts, "
                                            "body, received_at, cell_texts) VALUES (?, ?, ?, ?, "
                                            "?, ?, ?) RETURNING seq",
                                            p));
  event.seq = rows[0].Int(0);
  return Status::Ok();
}

Result<std::vector<int64_t>> Store::InsertEvents(std::span<const EventRef> events) {
  std::vector<int64_t> seqs;
  seqs.reserve(events.size());
  for (size_t start = 0; start < events.size(); start += kRowsPerStatement) {
    auto chunk = events.subspan(start, std::min(kRowsPerStatement, events.size() - start));
    std::vector<SqlValue> p;
    p.reserve(chunk.size() * 7);
    for (const EventRef& e : chunk) {  // bound as views: no copy of the bodies
      SqlValue id = std::monostate{};
      if (!e.event_id.empty()) id = e.event_id;
      SqlValue texts = std::monostate{};
      if (!e.cell_texts.empty()) texts = e.cell_texts;
      p.insert(p.end(), {id, e.lead_id, e.type, e.ts, e.body, e.received_at, texts});
    }
    LS_ASSIGN_OR_RETURN(auto rows, db_->Query("INSERT INTO events (event_id, lead_id, type, ts, "
                                              "body, received_at, cell_texts) VALUES " +
                                                  Placeholders(chunk.size(), 7) + " RETURNING seq",
                                              p));
    // Both databases number the rows in VALUES order; RETURNING's order is not promised.
    const size_t first = seqs.size();
    for (const auto& r : rows) seqs.push_back(r.Int(0));
    std::sort(seqs.begin() + static_cast<ptrdiff_t>(first), seqs.end());
  }
  return seqs;
}

Result<std::vector<EventRow>> Store::EventsBySeq(std::span<const int64_t> seqs) {
  std::vector<EventRow> out;
  out.reserve(seqs.size());
  for (size_t start = 0; start < seqs.size(); start += kRowsPerStatement) {
    auto chunk = seqs.subspan(start, std::min(kRowsPerStatement, seqs.size() - start));
    std::vector<SqlValue> p(chunk.begin(), chunk.end());
    LS_ASSIGN_OR_RETURN(
        auto rows, QueryRows<EventRow>(*db_,
                                       fmt::format("SELECT {} FROM events WHERE "
                                                   "seq IN {}",
                                                   kEventColumns, Placeholders(1, chunk.size())),
                                       p, ToEvent));
    std::move(rows.begin(), rows.end(), std::back_inserter(out));
  }
  std::sort(out.begin(), out.end(),
            [](const EventRow& a, const EventRow& b) { return a.seq < b.seq; });
  return out;
}

Result<std::vector<EventKey>> Store::EventKeysAfter(int64_t after, int64_t limit) {
  std::vector<SqlValue> p{after, limit};
  return QueryRows<EventKey>(
      *db_, "SELECT seq, lead_id, event_id FROM events WHERE seq > ? ORDER BY seq LIMIT ?", p,
      [](const SqlRow& r) {
        return EventKey{r.Int(0), r.Text(1), r.Text(2)};  // Text of null: empty
      });
}

Result<int64_t> Store::AppendEventBodiesAfter(int64_t after, int64_t limit, std::string& out,
                                              int64_t& last, const BodyWriter& with_texts) {
  std::vector<SqlValue> p{after, limit};
  int64_t rows = 0;
  LS_RETURN_IF_ERROR(
      db_->QueryEach("SELECT seq, body, cell_texts FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                     p, [&](std::span<const SqlValue> row) {
                       last = std::get<int64_t>(row[0]);
                       const auto* body = std::get_if<std::string_view>(&row[1]);
                       const auto* texts = std::get_if<std::string_view>(&row[2]);
                       if (body && texts && with_texts) {
                         with_texts(out, *body, *texts);
                       } else if (body) {
                         out += *body;
                       }
                       out += '\n';
                       ++rows;
                     }));
  return rows;
}

Status Store::LockEventLog() {
  if (dialect() != Dialect::kPostgres) return Status::Ok();
  // Any fixed key: the one lock of the event log's appenders.
  return StatusOf(db_->Query("SELECT pg_advisory_xact_lock(7306231958)"));
}

Result<int64_t> Store::LastEventSeq() {
  LS_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT MAX(seq) FROM events"));
  return rows[0].Int(0);
}

Result<int64_t> Store::CountEvents() {
  LS_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT COUNT(*) FROM events"));
  return rows[0].Int(0);
}

// ---- outcomes ------------------------------------------------------------------------------

Status Store::InsertOutcome(OutcomeRow& outcome) {
  std::vector<SqlValue> p{outcome.lead_id, outcome.kind, outcome.ts, std::monostate{},
                          outcome.recorded_at};
  if (outcome.value) p[3] = *outcome.value;
  LS_ASSIGN_OR_RETURN(auto rows,
                      db_->Query("INSERT INTO outcomes (lead_id, kind, ts, value, recorded_at) "
                                 "VALUES (?, ?, ?, ?, ?) RETURNING id",
                                 p));
  outcome.id = rows[0].Int(0);
  return Status::Ok();
}

namespace {
std::vector<OutcomeRow> ToOutcomes(const std::vector<SqlRow>& rows) {
  std::vector<OutcomeRow> out;
  for (const auto& r : rows) {
    OutcomeRow o{r.Int(0), r.Text(1), r.Text(2), r.Int(3), std::nullopt, r.Int(5)};
    if (!r.is_null(4)) o.value = r.Double(4);
    out.push_back(std::move(o));
  }
  return out;
}
}  // namespace

Result<std::vector<OutcomeRow>> Store::LeadOutcomes(const std::string& lead_id) {
  std::vector<SqlValue> p{lead_id};
  LS_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT id, lead_id, kind, ts, value, recorded_at "
                                            "FROM outcomes WHERE lead_id = ? ORDER BY id",
                                            p));
  return ToOutcomes(rows);
}

Result<std::vector<OutcomeRow>> Store::OutcomesPage(int64_t after, int64_t limit) {
  std::vector<SqlValue> p{after, limit};
  LS_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT id, lead_id, kind, ts, value, recorded_at "
                                            "FROM outcomes WHERE id > ? ORDER BY id LIMIT ?",
                                            p));
  return ToOutcomes(rows);
}

// ---- models --------------------------------------------------------------------------------

Result<int64_t> Store::InsertModel(const std::string& name, const std::string& yaml,
                                   Timestamp now) {
  std::vector<SqlValue> p{name};
  LS_ASSIGN_OR_RETURN(auto rows,
                      db_->Query("SELECT COALESCE(MAX(version), 0) FROM models WHERE name = ?", p));
  int64_t version = rows[0].Int(0) + 1;
  // Two writers racing for one version: the primary key fails the second (kAlreadyExists).
  std::vector<SqlValue> insert{name, version, yaml, now};
  LS_RETURN_IF_ERROR(db_->Exec(
      "INSERT INTO models (name, version, yaml, created_at) VALUES (?, ?, ?, ?)", insert));
  return version;
}

Result<std::optional<ModelRow>> Store::GetModel(const std::string& name, int64_t version) {
  std::vector<SqlValue> p{name, version};
  LS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT m.name, m.version, m.yaml, m.created_at, a.role FROM models m LEFT JOIN "
                 "active_models a ON a.name = m.name AND a.version = m.version WHERE m.name = ? "
                 "AND m.version = ?",
                 p));
  if (rows.empty()) return std::nullopt;
  return ToModel(rows[0]);
}

Status Store::ActivateModel(const std::string& name, int64_t version, const std::string& role,
                            Timestamp now) {
  if (role == "primary") {
    std::vector<SqlValue> p{name};
    LS_RETURN_IF_ERROR(db_->Exec(
        "UPDATE active_models SET role = 'live' WHERE role = 'primary' AND name <> ?", p));
  }
  std::vector<SqlValue> p{name, version, role, now};
  return StatusOf(db_->Exec(
      "INSERT INTO active_models (name, version, role, activated_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (name) DO UPDATE SET version = excluded.version, role = excluded.role, "
      "activated_at = excluded.activated_at",
      p));
}

Result<std::vector<ModelRow>> Store::ActiveModels() {
  return QueryRows<ModelRow>(
      *db_,
      "SELECT m.name, m.version, m.yaml, m.created_at, a.role FROM active_models a "
      "JOIN models m ON m.name = a.name AND m.version = a.version ORDER BY "
      "CASE a.role WHEN 'primary' THEN 0 ELSE 1 END, a.name",
      ToModel);
}

Result<std::vector<ModelRow>> Store::ModelVersions(const std::string& name) {
  std::vector<SqlValue> p{name};
  return QueryRows<ModelRow>(
      *db_,
      "SELECT m.name, m.version, m.yaml, m.created_at, a.role FROM models m LEFT JOIN "
      "active_models a ON a.name = m.name AND a.version = m.version WHERE m.name = ? "
      "ORDER BY m.version",
      p, ToModel);
}

// ---- scores --------------------------------------------------------------------------------

Result<std::optional<ScoreRow>> Store::GetScore(const std::string& model,
                                                const std::string& lead_id) {
  std::vector<SqlValue> p{model, lead_id};
  LS_ASSIGN_OR_RETURN(auto rows, db_->Query(fmt::format("SELECT {} FROM lead_scores WHERE model = "
                                                        "? AND lead_id = ?",
                                                        kScoreColumns),
                                            p));
  if (rows.empty()) return std::nullopt;
  return ToScore(rows[0]);
}

Result<std::vector<ScoreRow>> Store::ScoresOfLeads(const std::string& model,
                                                   const std::string& first,
                                                   const std::string& last) {
  std::vector<SqlValue> p{model, first, last};
  return QueryRows<ScoreRow>(*db_,
                             fmt::format("SELECT {} FROM lead_scores WHERE model = "
                                         "? AND lead_id >= ? AND lead_id <= ? "
                                         "ORDER BY lead_id",
                                         kScoreColumns),
                             p, ToScore);
}

Status Store::PutScore(const ScoreRow& s) {
  std::vector<SqlValue> p{s.model,      s.lead_id,     s.model_version, s.score,    s.fit,
                          s.engagement, Text(s.grade), Text(s.stage),   s.scored_at};
  return StatusOf(db_->Exec(
      "INSERT INTO lead_scores (model, lead_id, model_version, score, fit, engagement, grade, "
      "stage, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (model, lead_id) DO "
      "UPDATE SET model_version = excluded.model_version, score = excluded.score, fit = "
      "excluded.fit, engagement = excluded.engagement, grade = excluded.grade, stage = "
      "excluded.stage, scored_at = excluded.scored_at",
      p));
}

Result<std::vector<ScoreRow>> Store::ScoresOf(const std::string& model) {
  std::vector<SqlValue> p{model};
  return QueryRows<ScoreRow>(
      *db_, fmt::format("SELECT {} FROM lead_scores WHERE model = ?", kScoreColumns), p, ToScore);
}

Status Store::PutScores(std::span<const ScoreRow> scores) {
  for (size_t start = 0; start < scores.size(); start += kRowsPerStatement) {
    size_t n = std::min(kRowsPerStatement, scores.size() - start);
    std::vector<SqlValue> p;
    p.reserve(n * 9);
    for (const ScoreRow& s : scores.subspan(start, n)) {
      p.insert(p.end(), {s.model, s.lead_id, s.model_version, s.score, s.fit, s.engagement,
                         Text(s.grade), Text(s.stage), s.scored_at});
    }
    LS_RETURN_IF_ERROR(db_->Exec(
        "INSERT INTO lead_scores (model, lead_id, model_version, score, fit, engagement, grade, "
        "stage, scored_at) VALUES " +
            Placeholders(n, 9) +
            " ON CONFLICT (model, lead_id) DO UPDATE SET model_version = "
            "excluded.model_version, score = excluded.score, fit = excluded.fit, engagement = "
            "excluded.engagement, grade = excluded.grade, stage = excluded.stage, scored_at = "
            "excluded.scored_at",
        p));
  }
  return Status::Ok();
}

std::string Store::AttributeEquals(const std::string& attributes) const {
  if (dialect() == Dialect::kSqlite) {
    // json_extract gives 1/0 for true/false; PostgreSQL's ->> gives "true"/"false".
    return "(SELECT CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE "
           "CAST(j.atom AS TEXT) END FROM json_each(" +
           attributes + ") j WHERE j.key = ?) = ?";
  }
  return "(" + attributes + "::jsonb ->> ?) = ?";
}

Result<std::vector<std::string>> Store::LeadsWithAttribute(std::span<const std::string> lead_ids,
                                                           const std::string& key,
                                                           const std::string& value) {
  std::vector<std::string> out;
  for (size_t start = 0; start < lead_ids.size(); start += kRowsPerStatement) {
    auto chunk = lead_ids.subspan(start, std::min(kRowsPerStatement, lead_ids.size() - start));
    std::vector<SqlValue> p(chunk.begin(), chunk.end());
    p.push_back(key);
    p.push_back(value);
    LS_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT lead_id FROM leads WHERE lead_id IN " +
                                                  Placeholders(1, chunk.size()) + " AND " +
                                                  AttributeEquals("attributes"),
                                              p));
    for (const auto& r : rows) out.push_back(r.Text(0));
  }
  return out;
}

Result<std::vector<ScoreRow>> Store::ListScores(const ScoreFilter& f) {
  std::string sql =
      "SELECT s.model, s.lead_id, s.model_version, s.score, s.fit, s.engagement, "
      "s.grade, s.stage, s.scored_at FROM lead_scores s";
  std::vector<SqlValue> p;
  std::string where = " WHERE s.model = ?";
  p.push_back(f.model);
  if (f.attribute) {
    sql += " JOIN leads l ON l.lead_id = s.lead_id";
    where += " AND " + AttributeEquals("l.attributes");
    p.push_back(f.attribute->first);
    p.push_back(f.attribute->second);
  }
  if (f.stage) {
    where += " AND s.stage = ?";
    p.push_back(*f.stage);
  }
  if (f.grade) {
    where += " AND s.grade = ?";
    p.push_back(*f.grade);
  }
  if (f.min_score) {
    where += " AND s.score >= ?";
    p.push_back(*f.min_score);
  }
  if (f.max_score) {
    where += " AND s.score <= ?";
    p.push_back(*f.max_score);
  }
  if (f.after) {
    where += " AND (s.score < ? OR (s.score = ? AND s.lead_id > ?))";
    p.push_back(f.after->first);
    p.push_back(f.after->first);
    p.push_back(f.after->second);
  }
  sql += where + " ORDER BY s.score DESC, s.lead_id LIMIT ?";
  p.push_back(f.limit);
  return QueryRows<ScoreRow>(*db_, sql, p, ToScore);
}

// ---- transitions ---------------------------------------------------------------------------

Status Store::InsertTransition(TransitionRow& t) {
  std::vector<SqlValue> p{t.lead_id, t.model, t.model_version, Text(t.from_stage), Text(t.to_stage),
                          t.score,   t.at,    t.cause,         t.explanation};
  LS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("INSERT INTO transitions (lead_id, model, model_version, from_stage, to_stage, "
                 "score, at, cause, explanation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                 p));
  t.id = rows[0].Int(0);
  return Status::Ok();
}

Result<std::vector<TransitionRow>> Store::LeadTransitions(const std::string& lead_id) {
  std::vector<SqlValue> p{lead_id};
  LS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT id, lead_id, model, model_version, from_stage, to_stage, score, at, "
                 "cause, explanation FROM transitions WHERE lead_id = ? ORDER BY id",
                 p));
  std::vector<TransitionRow> out;
  for (const auto& r : rows) {
    out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Int(3), r.OptionalText(4), r.OptionalText(5),
                   r.Double(6), r.Int(7), r.Text(8), r.Text(9)});
  }
  return out;
}

// ---- tokens --------------------------------------------------------------------------------

Status Store::InsertToken(const TokenRow& token) {
  std::vector<SqlValue> p{token.hash, token.scope, token.name, token.created_at};
  return StatusOf(
      db_->Exec("INSERT INTO tokens (hash, scope, name, created_at) VALUES (?, ?, ?, ?)", p));
}

Result<std::optional<TokenRow>> Store::FindToken(const std::string& hash) {
  std::vector<SqlValue> p{hash};
  LS_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT hash, scope, name, created_at FROM tokens WHERE hash = ?", p));
  if (rows.empty()) return std::nullopt;
  return TokenRow{rows[0].Text(0), rows[0].Text(1), rows[0].Text(2), rows[0].Int(3)};
}

// ---- outbox --------------------------------------------------------------------------------

Result<bool> Store::EnqueueDelivery(DeliveryRow& d) {
  std::vector<SqlValue> p{d.webhook,         d.lead_id,         d.payload,
                          d.idempotency_key, d.next_attempt_at, d.created_at};
  LS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("INSERT INTO outbox (webhook, lead_id, payload, idempotency_key, status, "
                 "attempts, next_attempt_at, last_error, created_at) VALUES (?, ?, ?, ?, "
                 "'pending', 0, ?, '', ?) ON CONFLICT DO NOTHING RETURNING id",
                 p));
  if (rows.empty()) return false;
  d.id = rows[0].Int(0);
  return true;
}

Result<std::vector<DeliveryRow>> Store::DueDeliveries(Timestamp now, int64_t limit,
                                                      const std::string& webhook) {
  std::vector<SqlValue> p{now};
  if (!webhook.empty()) p.emplace_back(webhook);
  p.emplace_back(limit);
  return QueryRows<DeliveryRow>(
      *db_,
      fmt::format("SELECT {} FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?{} "
                  "ORDER BY id LIMIT ?",
                  kDeliveryColumns, webhook.empty() ? "" : " AND webhook = ?"),
      p, ToDelivery);
}

Result<int64_t> Store::FailUnconfigured(const std::vector<std::string>& configured) {
  std::vector<SqlValue> p;
  std::string placeholders;
  for (const std::string& name : configured) {
    placeholders += placeholders.empty() ? "?" : ", ?";
    p.emplace_back(name);
  }
  LS_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query(fmt::format("UPDATE outbox SET status = 'failed', last_error = 'webhook ' || "
                             "webhook || ' is no longer configured' WHERE status = 'pending'{} "
                             "RETURNING id",
                             configured.empty() ? std::string()
                                                : " AND webhook NOT IN (" + placeholders + ")"),
                 p));
  return static_cast<int64_t>(rows.size());
}

Status Store::MarkDelivered(int64_t id, int64_t attempts, Timestamp at) {
  std::vector<SqlValue> p{attempts, at, id};
  return StatusOf(db_->Exec(
      "UPDATE outbox SET status = 'delivered', attempts = ?, delivered_at = ?, last_error "
      "= '' WHERE id = ?",
      p));
}

Status Store::MarkAttemptFailed(int64_t id, int64_t attempts, Timestamp next_attempt_at,
                                const std::string& error, bool failed) {
  std::vector<SqlValue> p{std::string(failed ? "failed" : "pending"), attempts, next_attempt_at,
                          error, id};
  return StatusOf(
      db_->Exec("UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ? "
                "WHERE id = ?",
                p));
}

Result<std::vector<DeliveryRow>> Store::Deliveries(const std::string& status, int64_t limit,
                                                   int64_t before) {
  std::vector<SqlValue> p{status, before, limit};
  return QueryRows<DeliveryRow>(
      *db_,
      fmt::format("SELECT {} FROM outbox WHERE status = ? AND id < ? ORDER BY id DESC LIMIT ?",
                  kDeliveryColumns),
      p, ToDelivery);
}

// ---- meta ----------------------------------------------------------------------------------

Result<std::optional<std::string>> Store::GetMeta(const std::string& key) {
  std::vector<SqlValue> p{key};
  LS_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT value FROM meta WHERE key = ?", p));
  if (rows.empty()) return std::nullopt;
  return rows[0].Text(0);
}

Status Store::SetMeta(const std::string& key, const std::string& value) {
  std::vector<SqlValue> p{key, value};
  return StatusOf(
      db_->Exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value "
                "= excluded.value",
                p));
}

}  // namespace leadscore::store
