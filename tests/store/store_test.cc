// The Store's behaviour, run against SQLite and PostgreSQL alike.
#include "store/store.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "store/migrations.h"
#include "testutil/store_backend_test.h"

namespace leadscore::store {
namespace {

using testutil::ScratchStore;

class StoreTest : public testutil::StoreBackendTest {
 protected:
  // Appends `e` as a store of a version before 5 did (no cell_texts column) and sets its seq.
  static bool InsertOldEvent(Store& s, EventRow& e) {
    std::vector<SqlValue> p{
        NullIfEmptyText(e.event_id), e.lead_id, e.type, e.ts, e.body, e.received_at};
    auto rows = s.db().Query(
        "INSERT INTO events (event_id, lead_id, type, ts, body, received_at) VALUES (?, ?, ?, ?, "
        "?, ?) RETURNING seq",
        p);
    if (!rows) return false;
    e.seq = (*rows)[0].Int(0);
    return true;
  }
  static SqlValue NullIfEmptyText(const std::string& s) {
    if (s.empty()) return std::monostate{};
    return s;
  }

  EventRow Event(const std::string& lead, const std::string& id, Timestamp ts) {
    EventRow e;
    e.lead_id = lead;
    e.event_id = id;
    e.type = "page_view";
    e.ts = ts;
    e.body = R"({"lead_id":")" + lead + R"(","event_id":")" + id + R"(","type":"page_view","ts":)" +
             std::to_string(ts) + "}";
    e.received_at = 7;
    return e;
  }

  ScoreRow Score(const std::string& lead, double score, std::optional<std::string> stage) {
    ScoreRow s;
    s.model = "main";
    s.lead_id = lead;
    s.model_version = 1;
    s.score = score;
    s.stage = std::move(stage);
    return s;
  }
};

TEST_P(StoreTest, MigratesAnEmptyStoreToTheNewestVersion) {
  auto version = SchemaVersion(store_->db());
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, MigrationsFor(store_->dialect()).back().version);
  EXPECT_GE(*version, 2);
  // Opening again finds the work done.
  auto again = Store::Open(scratch_->target());
  ASSERT_TRUE(again) << again.error().ToString();
}

// Processes that open one new store at once (a server started while a killed one's session
// still creates its tables) all find it migrated; none fails on the table being made twice.
TEST_P(StoreTest, StoresOpenedAtOnceOnANewSchemaAllMigrateIt) {
  for (int round = 0; round < 3; ++round) {
    ScratchStore fresh(GetParam());
    std::vector<std::thread> openers;
    std::vector<Status> opened(6);
    for (size_t i = 0; i < opened.size(); ++i) {
      openers.emplace_back([&, i] { opened[i] = StatusOf(Store::Open(fresh.target())); });
    }
    for (auto& t : openers) t.join();
    for (const Status& s : opened) EXPECT_TRUE(s.ok()) << s.ToString();
  }
}

TEST_P(StoreTest, MigratesFromThePreviousVersionKeepingData) {
  ScratchStore fresh(GetParam());
  auto old = Store::Open(fresh.target(), {.schema_target = 1});
  ASSERT_TRUE(old) << old.error().ToString();
  EXPECT_EQ(*SchemaVersion((*old)->db()), 1);
  std::vector<SqlValue> row{std::string("a"), std::string(R"({"x":1})"), int64_t{1}, int64_t{1}};
  ASSERT_TRUE((*old)->db().Exec(  // as version 1 wrote it
      "INSERT INTO leads (lead_id, attributes, created_at, updated_at) VALUES (?, ?, ?, ?)", row));
  EventRow e = Event("a", "e1", 5);
  ASSERT_TRUE(InsertOldEvent(**old, e));
  // Version 1 has no scores table yet.
  EXPECT_FALSE((*old)->GetScore("main", "a"));
  old->reset();

  auto upgraded = Store::Open(fresh.target());
  ASSERT_TRUE(upgraded) << upgraded.error().ToString();
  EXPECT_EQ(*SchemaVersion((*upgraded)->db()), MigrationsFor(store_->dialect()).back().version);
  auto lead = (*upgraded)->GetLead("a");
  ASSERT_TRUE(lead && *lead);
  EXPECT_EQ((*lead)->attributes, R"({"lead_id":"a","x":1})");  // version 6
  auto keys = *(*upgraded)->EventKeysAfter(0, 10);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].lead_id, "a");
  EXPECT_EQ(keys[0].event_id, "e1");
  EXPECT_TRUE((*upgraded)->PutScore(Score("a", 10, "mql")).ok());
}

// Version 3 rebuilds SQLite's event table without its indexes: every event and seq stays, and
// a seq is still never handed out twice, even the one of an event deleted before the upgrade.
TEST_P(StoreTest, TheAppendOnlyLogKeepsEverySeqAndNeverReusesOne) {
  ScratchStore fresh(GetParam());
  auto old = Store::Open(fresh.target(), {.schema_target = 2});
  ASSERT_TRUE(old) << old.error().ToString();
  EventRow a = Event("a", "e1", 5), b = Event("b", "", 6), c = Event("a", "e3", 7);
  for (EventRow* e : {&a, &b, &c}) ASSERT_TRUE(InsertOldEvent(**old, *e));
  std::vector<SqlValue> newest{c.seq};
  ASSERT_TRUE((*old)->db().Exec("DELETE FROM events WHERE seq = ?", newest));
  old->reset();

  auto upgraded = Store::Open(fresh.target());
  ASSERT_TRUE(upgraded) << upgraded.error().ToString();
  Store& s = **upgraded;
  std::vector<int64_t> seqs{a.seq, b.seq, c.seq};
  auto rows = *s.EventsBySeq(seqs);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].seq, a.seq);
  EXPECT_EQ(rows[0].event_id, "e1");
  EXPECT_EQ(rows[0].body, a.body);
  EXPECT_EQ(rows[1].seq, b.seq);
  EXPECT_EQ(rows[1].event_id, "");
  EventRow d = Event("a", "e1", 8);  // the store no longer refuses a repeated id
  ASSERT_TRUE(s.InsertEvent(d).ok());
  EXPECT_GT(d.seq, c.seq);
}

// Version 4 drops the index by rank (the service ranks in memory): scores stay, and the
// store still lists them in rank order by a scan.
TEST_P(StoreTest, TheRankIndexGoesAndScoresStillListInRankOrder) {
  ScratchStore fresh(GetParam());
  auto old = Store::Open(fresh.target(), {.schema_target = 3});
  ASSERT_TRUE(old) << old.error().ToString();
  auto has_index = [](Store& s) {
    auto rows = s.dialect() == Dialect::kSqlite
                    ? s.db().Query(
                          "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
                          "name = 'lead_scores_by_rank'")
                    : s.db().Query(
                          "SELECT COUNT(*) FROM pg_indexes WHERE indexname = "
                          "'lead_scores_by_rank' AND schemaname = current_schema()");
    return rows && (*rows)[0].Int(0) == 1;
  };
  EXPECT_TRUE(has_index(**old));
  for (auto [id, score] : {std::pair{"a", 10.0}, {"b", 30.0}, {"c", 10.0}}) {
    ASSERT_TRUE((*old)->PutScore(Score(id, score, std::nullopt)).ok());
  }
  old->reset();

  auto upgraded = Store::Open(fresh.target());
  ASSERT_TRUE(upgraded) << upgraded.error().ToString();
  EXPECT_FALSE(has_index(**upgraded));
  auto listed = (*upgraded)->ListScores({.model = "main"});
  ASSERT_TRUE(listed) << listed.error().ToString();
  std::vector<std::string> ids;
  for (const auto& row : *listed) ids.push_back(row.lead_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"b", "a", "c"}));
}

// Version 5 adds each lead's and event's CSV cell texts: leads stored before it have none, and
// a lead or event written after it keeps the texts it is given.
TEST_P(StoreTest, LeadsAndEventsGainCellTexts) {
  ScratchStore fresh(GetParam());
  auto old = Store::Open(fresh.target(), {.schema_target = 4});
  ASSERT_TRUE(old) << old.error().ToString();
  std::vector<SqlValue> p{std::string("a"), std::string(R"({"zip":1500})"), int64_t{1}, int64_t{2}};
  ASSERT_TRUE((*old)->db().Exec(
      "INSERT INTO leads (lead_id, attributes, created_at, updated_at) VALUES (?, ?, ?, ?)", p));
  old->reset();

  auto upgraded = Store::Open(fresh.target());
  ASSERT_TRUE(upgraded) << upgraded.error().ToString();
  auto a = (*upgraded)->GetLead("a");
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->attributes, R"({"lead_id":"a","zip":1500})");  // version 6
  EXPECT_EQ((*a)->cell_texts, "{}");
  LeadRow b{"b", R"({"zip":"01500","size":1.5})", 3, 4, R"({"size":"1.50"})"};
  ASSERT_TRUE((*upgraded)->PutLead(b).ok());
  b.cell_texts = R"({"size":"1.5"})";
  b.attributes = R"({"zip":"01500","size":1.5,"x":1})";
  ASSERT_TRUE((*upgraded)->PutLead(b).ok());  // an update replaces both
  auto page = (*upgraded)->LeadsPage("", 10);
  ASSERT_TRUE(page) << page.error().ToString();
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[1].lead_id, "b");
  EXPECT_EQ((*page)[1].cell_texts, R"({"size":"1.5"})");
  EXPECT_EQ((*page)[1].attributes, b.attributes);

  // Events too: a CSV row's texts come back with it, and the log's reader hands them to
  // whoever writes the body out; an event without texts is appended as it is.
  EventRow plain = Event("a", "e1", 5), from_csv = Event("a", "e2", 6);
  from_csv.cell_texts = R"({"n":"045"})";
  ASSERT_TRUE((*upgraded)->InsertEvent(plain).ok());
  std::vector<EventRef> refs{EventRef(from_csv)};
  ASSERT_TRUE((*upgraded)->InsertEvents(refs));
  auto rows = (*upgraded)->EventsBySeq(std::vector<int64_t>{plain.seq, plain.seq + 1});
  ASSERT_TRUE(rows && rows->size() == 2);
  EXPECT_EQ((*rows)[0].cell_texts, "");
  EXPECT_EQ((*rows)[1].cell_texts, from_csv.cell_texts);
  std::string out;
  int64_t last = 0;
  auto appended = (*upgraded)->AppendEventBodiesAfter(
      0, 10, out, last, [](std::string& o, std::string_view body, std::string_view texts) {
        o += std::string(body) + " with " + std::string(texts);
      });
  ASSERT_TRUE(appended && *appended == 2);
  EXPECT_EQ(out, plain.body + "\n" + from_csv.body + " with " + from_csv.cell_texts + "\n");
}

// Version 6 writes each lead's id into its attributes, as a lead sent since keeps it there (a
// lead condition reads it): leads stored before it were sent as text ids. A lead with no
// attributes keeps none: it cannot be told from one known only from events.
TEST_P(StoreTest, LeadsStoredBeforeVersion6GainTheirIdAsText) {
  ScratchStore fresh(GetParam());
  auto old = Store::Open(fresh.target(), {.schema_target = 5});
  ASSERT_TRUE(old) << old.error().ToString();
  for (const auto& [id, attributes] : std::vector<std::pair<std::string, std::string>>{
           {"1000", R"({"zip":1500,"x":"y"})"}, {R"(q"\)", R"({"a":true})"}, {"bare", "{}"}}) {
    std::vector<SqlValue> p{id, attributes, int64_t{1}, int64_t{2}};
    ASSERT_TRUE((*old)->db().Exec(
        "INSERT INTO leads (lead_id, attributes, created_at, updated_at) VALUES (?, ?, ?, ?)", p));
  }
  old->reset();

  auto upgraded = Store::Open(fresh.target());
  ASSERT_TRUE(upgraded) << upgraded.error().ToString();
  auto page = (*upgraded)->LeadsPage("", 10);
  ASSERT_TRUE(page && page->size() == 3);
  std::map<std::string, std::string> by_id;
  for (const LeadRow& row : *page) by_id[row.lead_id] = row.attributes;
  EXPECT_EQ(by_id["1000"], R"({"lead_id":"1000","zip":1500,"x":"y"})");
  EXPECT_EQ(by_id[R"(q"\)"], R"({"lead_id":"q\"\\","a":true})");
  EXPECT_EQ(by_id["bare"], "{}");
}

TEST_P(StoreTest, RefusesAStoreNewerThanTheBinary) {
  std::vector<SqlValue> p{int64_t{999}, std::string("999_future.sql"), int64_t{0}};
  ASSERT_TRUE(store_->db().Exec(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", p));
  auto reopened = Store::Open(scratch_->target());
  ASSERT_FALSE(reopened);
  EXPECT_EQ(reopened.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(reopened.error().message().find("version 999"), std::string::npos);
}

TEST_P(StoreTest, OpenWithoutMigrateFailsOnAnOldSchema) {
  ScratchStore fresh(GetParam());
  ASSERT_TRUE(Store::Open(fresh.target(), {.schema_target = 1}));
  auto strict = Store::Open(fresh.target(), {.migrate = false});
  ASSERT_FALSE(strict);
  EXPECT_NE(strict.error().message().find("version 1"), std::string::npos);
}

TEST_P(StoreTest, LeadsUpsertKeepsCreationTime) {
  ASSERT_TRUE(store_->PutLead({"l1", R"({"a":1})", 100, 100}).ok());
  ASSERT_TRUE(store_->PutLead({"l1", R"({"a":2})", 200, 200}).ok());
  auto lead = *store_->GetLead("l1");
  ASSERT_TRUE(lead);
  EXPECT_EQ(lead->attributes, R"({"a":2})");
  EXPECT_EQ(lead->created_at, 100);
  EXPECT_EQ(lead->updated_at, 200);
  ASSERT_TRUE(store_->EnsureLead("l1", 300).ok());  // exists: untouched
  EXPECT_EQ((*store_->GetLead("l1"))->attributes, R"({"a":2})");
  ASSERT_TRUE(store_->EnsureLead("l2", 300).ok());
  EXPECT_EQ((*store_->GetLead("l2"))->attributes, "{}");
  EXPECT_FALSE(*store_->GetLead("nobody"));
  EXPECT_EQ(*store_->CountLeads(), 2);
  auto page = *store_->LeadsPage("", 10);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].lead_id, "l1");
  EXPECT_EQ(store_->LeadsPage("l1", 10)->front().lead_id, "l2");
}

// The store appends what it is given: dedupe is service::EventLog's.
TEST_P(StoreTest, EventsAreAppendedInArrivalOrderAndReadBySeq) {
  EventRow a = Event("l1", "e1", 50), b = Event("l1", "e1", 60), c = Event("l1", "", 40),
           e = Event("l2", "e2", 10);
  for (EventRow* row : {&a, &b, &c, &e}) ASSERT_TRUE(store_->InsertEvent(*row).ok());
  EXPECT_LT(a.seq, b.seq);
  EXPECT_LT(b.seq, c.seq);
  EXPECT_LT(c.seq, e.seq);
  std::vector<int64_t> wanted{e.seq, a.seq, c.seq, e.seq + 100};  // any order; missing: none
  auto events = *store_->EventsBySeq(wanted);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].seq, a.seq);
  EXPECT_EQ(events[0].ts, 50);
  EXPECT_EQ(events[0].event_id, "e1");
  EXPECT_EQ(events[0].body, a.body);
  EXPECT_EQ(events[0].received_at, 7);
  EXPECT_EQ(events[1].event_id, "");
  EXPECT_EQ(events[2].lead_id, "l2");
  EXPECT_EQ(*store_->CountEvents(), 4);
  EXPECT_EQ(*store_->LastEventSeq(), e.seq);
  auto keys = *store_->EventKeysAfter(a.seq, 2);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].seq, b.seq);
  EXPECT_EQ(keys[1].seq, c.seq);
  EXPECT_EQ(keys[1].event_id, "");
  EXPECT_TRUE(store_->EventKeysAfter(e.seq, 10)->empty());

  // The log as JSON Lines, a page at a time, appended to what the buffer holds.
  std::string lines = "kept\n";
  int64_t last = -1;
  EXPECT_EQ(*store_->AppendEventBodiesAfter(a.seq, 2, lines, last), 2);
  EXPECT_EQ(last, c.seq);
  EXPECT_EQ(lines, "kept\n" + b.body + "\n" + c.body + "\n");
  EXPECT_EQ(*store_->AppendEventBodiesAfter(last, 10, lines, last), 1);
  EXPECT_EQ(last, e.seq);
  EXPECT_TRUE(lines.ends_with(c.body + "\n" + e.body + "\n"));
  EXPECT_EQ(*store_->AppendEventBodiesAfter(last, 10, lines, last), 0);
  EXPECT_EQ(last, e.seq);
}

TEST_P(StoreTest, InsertEventsInBulkReturnsEachRowsSeqInOrder) {
  std::vector<EventRow> batch;
  for (int i = 0; i < 600; ++i) {
    batch.push_back(Event("l" + std::to_string(i % 7), "b" + std::to_string(i), i));
  }
  std::vector<EventRef> refs(batch.begin(), batch.end());
  auto seqs = store_->InsertEvents(refs);
  ASSERT_TRUE(seqs) << seqs.error().ToString();
  ASSERT_EQ(seqs->size(), batch.size());
  for (size_t i = 1; i < seqs->size(); ++i) EXPECT_LT((*seqs)[i - 1], (*seqs)[i]);
  EXPECT_EQ(seqs->back(), *store_->LastEventSeq());
  // Each seq names its own row, across the statements the batch was split into.
  auto rows = *store_->EventsBySeq(*seqs);
  ASSERT_EQ(rows.size(), batch.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].seq, (*seqs)[i]);
    EXPECT_EQ(rows[i].event_id, batch[i].event_id);
    EXPECT_EQ(rows[i].ts, batch[i].ts);
  }
}

TEST_P(StoreTest, PutScoresInBulkUpserts) {
  std::vector<ScoreRow> rows;
  for (int i = 0; i < 300; ++i) rows.push_back(Score("p" + std::to_string(i), i, std::nullopt));
  ASSERT_TRUE(store_->PutScores(rows).ok());
  for (auto& r : rows) r.score += 1000;
  rows[5].stage = "MQL";
  ASSERT_TRUE(store_->PutScores(rows).ok());
  auto five = *store_->GetScore("main", "p5");
  ASSERT_TRUE(five);
  EXPECT_EQ(five->score, 1005);
  EXPECT_EQ(five->stage, "MQL");
  EXPECT_EQ(store_->ListScores({.model = "main", .limit = 1000})->size(), 300u);
}

TEST_P(StoreTest, TransactionRollbackWritesNothing) {
  Status status = store_->Transaction([&]() -> Status {
    EventRow e = Event("l1", "e1", 1);
    LS_RETURN_IF_ERROR(store_->InsertEvent(e));
    LS_RETURN_IF_ERROR(store_->PutLead({"l1", "{}", 1, 1}));
    return InvalidArgument("changed my mind");
  });
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*store_->CountEvents(), 0);
  EXPECT_EQ(*store_->CountLeads(), 0);
  ASSERT_TRUE(store_
                  ->Transaction([&]() -> Status {
                    EventRow e = Event("l1", "e1", 1);
                    return store_->InsertEvent(e);
                  })
                  .ok());
  EXPECT_EQ(*store_->CountEvents(), 1);
}

TEST_P(StoreTest, DeleteLeadRemovesEverythingHeldAboutIt) {
  ASSERT_TRUE(store_->PutLead({"gone", R"({"email":"a@b.c"})", 1, 1}).ok());
  ASSERT_TRUE(store_->PutLead({"kept", "{}", 1, 1}).ok());
  EventRow e1 = Event("gone", "e1", 1), e2 = Event("kept", "e2", 1);
  ASSERT_TRUE(store_->InsertEvent(e1).ok());
  ASSERT_TRUE(store_->InsertEvent(e2).ok());
  OutcomeRow o{0, "gone", "won", 5, 1000.0, 6};
  ASSERT_TRUE(store_->InsertOutcome(o).ok());
  ASSERT_TRUE(store_->PutScore(Score("gone", 70, "mql")).ok());
  TransitionRow t;
  t.lead_id = "gone";
  t.model = "main";
  t.to_stage = "mql";
  t.cause = "event:e1";
  ASSERT_TRUE(store_->InsertTransition(t).ok());
  DeliveryRow d;
  d.webhook = "crm";
  d.lead_id = "gone";
  d.payload = "{}";
  d.idempotency_key = "k1";
  ASSERT_TRUE(*store_->EnqueueDelivery(d));

  auto delete_gone = [&] {
    bool existed = false;
    std::vector<int64_t> seqs{e1.seq};
    EXPECT_TRUE(store_
                    ->Transaction([&]() -> Status {
                      LS_ASSIGN_OR_RETURN(existed, store_->DeleteLeadRows("gone", seqs));
                      return Status::Ok();
                    })
                    .ok());
    return existed;
  };
  EXPECT_TRUE(delete_gone());
  EXPECT_FALSE(delete_gone());
  EXPECT_FALSE(*store_->GetLead("gone"));
  std::vector<int64_t> both{e1.seq, e2.seq};
  auto left = *store_->EventsBySeq(both);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].lead_id, "kept");
  EXPECT_TRUE(store_->LeadOutcomes("gone")->empty());
  EXPECT_FALSE(*store_->GetScore("main", "gone"));
  EXPECT_TRUE(store_->LeadTransitions("gone")->empty());
  EXPECT_TRUE(store_->DueDeliveries(INT64_MAX, 10)->empty());
}

TEST_P(StoreTest, OutcomesKeepValueOrNull) {
  OutcomeRow won{0, "l1", "won", 100, 2500.5, 101};
  OutcomeRow sql{0, "l1", "sql", 90, std::nullopt, 91};
  ASSERT_TRUE(store_->InsertOutcome(sql).ok());
  ASSERT_TRUE(store_->InsertOutcome(won).ok());
  auto outcomes = *store_->LeadOutcomes("l1");
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].kind, "sql");
  EXPECT_FALSE(outcomes[0].value);
  EXPECT_EQ(outcomes[1].value, 2500.5);
  EXPECT_EQ(outcomes[1].ts, 100);
}

TEST_P(StoreTest, OutcomesPageWalksEveryLeadsOutcomesInOrder) {
  for (int i = 0; i < 5; ++i) {
    OutcomeRow o{0, "l" + std::to_string(i % 2), i % 2 ? "won" : "sql", 100 + i, std::nullopt, 0};
    ASSERT_TRUE(store_->InsertOutcome(o).ok());
  }
  std::vector<Timestamp> seen;
  int64_t after = 0;
  while (true) {
    auto page = store_->OutcomesPage(after, 2);
    ASSERT_TRUE(page.has_value()) << page.error().message();
    if (page->empty()) break;
    EXPECT_LE(page->size(), 2u);
    for (const auto& o : *page) seen.push_back(o.ts);
    after = page->back().id;
  }
  EXPECT_EQ(seen, (std::vector<Timestamp>{100, 101, 102, 103, 104}));
}

TEST_P(StoreTest, ModelVersionsAndActivation) {
  EXPECT_EQ(*store_->InsertModel("main", "version: 1\n", 10), 1);
  EXPECT_EQ(*store_->InsertModel("main", "version: 1 # two\n", 20), 2);
  EXPECT_EQ(*store_->InsertModel("challenger", "c", 30), 1);
  ASSERT_TRUE(store_->ActivateModel("main", 1, "primary", 40).ok());
  ASSERT_TRUE(store_->ActivateModel("challenger", 1, "shadow", 40).ok());
  auto active = *store_->ActiveModels();
  ASSERT_EQ(active.size(), 2u);
  EXPECT_EQ(active[0].name, "main");  // the primary first
  EXPECT_EQ(active[0].role, "primary");
  EXPECT_EQ(active[1].role, "shadow");
  ASSERT_TRUE(store_->ActivateModel("main", 2, "primary", 50).ok());
  EXPECT_EQ((*store_->ActiveModels())[0].version, 2);
  EXPECT_EQ((*store_->GetModel("main", 1))->role, "");  // kept, not active
  EXPECT_EQ((*store_->GetModel("main", 2))->yaml, "version: 1 # two\n");
  EXPECT_EQ(store_->ModelVersions("main")->size(), 2u);
  // A second primary demotes the first.
  ASSERT_TRUE(store_->ActivateModel("challenger", 1, "primary", 60).ok());
  active = *store_->ActiveModels();
  EXPECT_EQ(active[0].name, "challenger");
  EXPECT_EQ(active[1].role, "live");
}

TEST_P(StoreTest, ListScoresFiltersSortsAndPages) {
  ASSERT_TRUE(store_->PutLead({"a", R"({"country":"FR"})", 1, 1}).ok());
  ASSERT_TRUE(store_->PutLead({"b", R"({"country":"DE"})", 1, 1}).ok());
  ASSERT_TRUE(store_->PutLead({"c", R"({"country":"FR"})", 1, 1}).ok());
  ASSERT_TRUE(store_->PutLead({"d", R"({"country":"FR"})", 1, 1}).ok());
  ASSERT_TRUE(store_->PutScore(Score("a", 50, "mql")).ok());
  ASSERT_TRUE(store_->PutScore(Score("b", 80, "sql")).ok());
  ASSERT_TRUE(store_->PutScore(Score("c", 50, "mql")).ok());
  ASSERT_TRUE(store_->PutScore(Score("d", 10, std::nullopt)).ok());
  auto ids = [](const std::vector<ScoreRow>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.lead_id);
    return out;
  };
  ScoreFilter all{.model = "main"};
  EXPECT_EQ(ids(*store_->ListScores(all)), (std::vector<std::string>{"b", "a", "c", "d"}));
  ScoreFilter mql{.model = "main", .stage = "mql"};
  EXPECT_EQ(ids(*store_->ListScores(mql)), (std::vector<std::string>{"a", "c"}));
  ScoreFilter range{.model = "main", .min_score = 20, .max_score = 60};
  EXPECT_EQ(ids(*store_->ListScores(range)), (std::vector<std::string>{"a", "c"}));
  ScoreFilter french{.model = "main", .attribute = std::pair{"country", "FR"}};
  EXPECT_EQ(ids(*store_->ListScores(french)), (std::vector<std::string>{"a", "c", "d"}));
  // Pages of two, resuming after the last row of the previous page.
  ScoreFilter page{.model = "main", .limit = 2};
  auto first = *store_->ListScores(page);
  EXPECT_EQ(ids(first), (std::vector<std::string>{"b", "a"}));
  page.after = std::pair{first.back().score, first.back().lead_id};
  EXPECT_EQ(ids(*store_->ListScores(page)), (std::vector<std::string>{"c", "d"}));
  ScoreFilter other{.model = "challenger"};
  EXPECT_TRUE(store_->ListScores(other)->empty());
}

TEST_P(StoreTest, TokensAreFoundByHash) {
  ASSERT_TRUE(store_->InsertToken({"abc123", "write", "segment", 5}).ok());
  auto token = *store_->FindToken("abc123");
  ASSERT_TRUE(token);
  EXPECT_EQ(token->scope, "write");
  EXPECT_FALSE(*store_->FindToken("abc124"));
  EXPECT_EQ(store_->InsertToken({"abc123", "read", "again", 6}).code(), StatusCode::kAlreadyExists);
}

TEST_P(StoreTest, OutboxDeliveryLifecycle) {
  DeliveryRow d;
  d.webhook = "crm";
  d.lead_id = "l1";
  d.payload = R"({"stage":"mql"})";
  d.idempotency_key = "t1:crm";
  d.next_attempt_at = 100;
  d.created_at = 100;
  ASSERT_TRUE(*store_->EnqueueDelivery(d));
  DeliveryRow again = d;
  EXPECT_FALSE(*store_->EnqueueDelivery(again));  // same idempotency key: once
  EXPECT_TRUE(store_->DueDeliveries(99, 10)->empty());
  auto due = *store_->DueDeliveries(100, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].payload, d.payload);
  ASSERT_TRUE(store_->MarkAttemptFailed(d.id, 1, 200, "HTTP 500", false).ok());
  EXPECT_TRUE(store_->DueDeliveries(150, 10)->empty());
  EXPECT_EQ((*store_->DueDeliveries(200, 10))[0].last_error, "HTTP 500");
  ASSERT_TRUE(store_->MarkAttemptFailed(d.id, 5, 0, "HTTP 503", true).ok());
  EXPECT_TRUE(store_->DueDeliveries(INT64_MAX, 10)->empty());
  auto failed = *store_->Deliveries("failed", 10);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].attempts, 5);

  DeliveryRow ok = d;
  ok.idempotency_key = "t2:crm";
  ASSERT_TRUE(*store_->EnqueueDelivery(ok));
  ASSERT_TRUE(store_->MarkDelivered(ok.id, 1, 300).ok());
  auto delivered = *store_->Deliveries("delivered", 10);
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].delivered_at, 300);
}

TEST_P(StoreTest, MetaValuesOverwrite) {
  EXPECT_FALSE(*store_->GetMeta("scored_seq"));
  ASSERT_TRUE(store_->SetMeta("scored_seq", "10").ok());
  ASSERT_TRUE(store_->SetMeta("scored_seq", "20").ok());
  EXPECT_EQ(*store_->GetMeta("scored_seq"), "20");
}

TEST_P(StoreTest, TransitionsKeepTheirOrderAndNullStages) {
  for (auto [from, to] : {std::pair<const char*, const char*>{nullptr, "mql"}, {"mql", nullptr}}) {
    TransitionRow t;
    t.lead_id = "l1";
    t.model = "main";
    if (from) t.from_stage = from;
    if (to) t.to_stage = to;
    t.score = 65.5;
    t.cause = "time";
    t.explanation = R"([{"rule":"demo","points":20}])";
    ASSERT_TRUE(store_->InsertTransition(t).ok());
  }
  auto log = *store_->LeadTransitions("l1");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_FALSE(log[0].from_stage);
  EXPECT_EQ(log[0].to_stage, "mql");
  EXPECT_EQ(log[1].from_stage, "mql");
  EXPECT_FALSE(log[1].to_stage);
  EXPECT_EQ(log[1].score, 65.5);
  EXPECT_EQ(log[1].explanation, R"([{"rule":"demo","points":20}])");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(testutil::StoreBackends()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace leadscore::store
