// service::EventLog over a real store (SQLite and PostgreSQL): dedupe by event_id, a lead's
// events, transactions that fail, a second writer, deletes, and a log read back at start.
#include "service/event_log.h"

#include <gtest/gtest.h>

#include "testutil/scratch_store.h"

namespace leadscore::service {
namespace {

using store::EventRow;
using store::Store;
using testutil::ScratchStore;

class EventLogTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<ScratchStore>(GetParam());
    if (!scratch_->available()) GTEST_SKIP() << scratch_->skip_reason();
    store_ = Open();
    auto log = EventLog::Load(*store_);
    ASSERT_TRUE(log) << log.error().ToString();
    log_ = std::move(*log);
  }

  std::unique_ptr<Store> Open() {
    auto opened = Store::Open(scratch_->target());
    EXPECT_TRUE(opened) << opened.error().ToString();
    return opened ? std::move(*opened) : nullptr;
  }

  static EventRow Event(const std::string& lead, const std::string& id, Timestamp ts) {
    return {
        0,    id,
        lead, "page_view",
        ts,   R"({"lead_id":")" + lead + R"(","type":"page_view","ts":)" + std::to_string(ts) + "}",
        7};
  }

  // Appends `events` through `log` in one committed transaction; the stored flags.
  static std::vector<bool> Append(EventLog& log, Store& s, std::vector<EventRow> events) {
    std::vector<bool> stored;
    Status status =
        log.Transaction(s, [&]() -> Status { return StatusOf(log.Append(s, events, stored)); });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return stored;
  }

  // The timestamps of the lead's events as `log` reads them.
  static std::vector<Timestamp> Times(const EventLog& log, Store& s, const std::string& lead) {
    auto events = log.LeadEvents(s, lead);
    EXPECT_TRUE(events) << events.error().ToString();
    std::vector<Timestamp> out;
    if (events) {
      for (const auto& e : *events) out.push_back(e.ts);
    }
    return out;
  }

  std::unique_ptr<ScratchStore> scratch_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<EventLog> log_;
};

TEST_P(EventLogTest, TheFirstOfEachEventIdCountsAcrossAndWithinTransactions) {
  EXPECT_EQ(Append(*log_, *store_, {Event("l1", "e1", 1)}), std::vector<bool>{true});
  std::vector<EventRow> batch;
  for (int i = 0; i < 600; ++i) {
    batch.push_back(Event("l" + std::to_string(i % 7), "b" + std::to_string(i), 100 + i));
  }
  batch.push_back(Event("l1", "e1", 5));  // stored before
  batch.push_back(Event("l2", "b3", 6));  // earlier in this batch
  batch.push_back(Event("l3", "", 7));    // no id: always stored
  batch.push_back(Event("l3", "", 8));
  auto stored = Append(*log_, *store_, batch);
  ASSERT_EQ(stored.size(), batch.size());
  for (int i = 0; i < 600; ++i) EXPECT_TRUE(stored[i]) << i;
  EXPECT_FALSE(stored[600]);
  EXPECT_FALSE(stored[601]);
  EXPECT_TRUE(stored[602]);
  EXPECT_TRUE(stored[603]);
  EXPECT_EQ(*store_->CountEvents(), 1 + 600 + 2);
  EXPECT_EQ(log_->size(), 603u);
  EXPECT_EQ(log_->last_seq(), *store_->LastEventSeq());
  // Two appends in one transaction: the second sees the first's ids.
  std::vector<bool> first, second;
  ASSERT_TRUE(log_->Transaction(*store_,
                                [&]() -> Status {
                                  LS_RETURN_IF_ERROR(StatusOf(log_->Append(
                                      *store_, std::vector{Event("l9", "x", 1)}, first)));
                                  return StatusOf(log_->Append(
                                      *store_, std::vector{Event("l9", "x", 2)}, second));
                                })
                  .ok());
  EXPECT_EQ(first, std::vector<bool>{true});
  EXPECT_EQ(second, std::vector<bool>{false});
  // A lead's events in arrival order, across statements and transactions.
  auto times = Times(*log_, *store_, "l1");
  ASSERT_EQ(times.size(), 1u + 86);  // e1, then b1, b8, ... (i % 7 == 1)
  EXPECT_EQ(times[0], 1);
  for (size_t i = 2; i < times.size(); ++i) EXPECT_LT(times[i - 1], times[i]);
  EXPECT_EQ(Times(*log_, *store_, "l9"), std::vector<Timestamp>{1});
  EXPECT_TRUE(Times(*log_, *store_, "nobody").empty());
}

TEST_P(EventLogTest, AFailedTransactionLeavesNoTrace) {
  std::vector<bool> stored;
  Status failed = log_->Transaction(*store_, [&]() -> Status {
    LS_RETURN_IF_ERROR(StatusOf(log_->Append(*store_, std::vector{Event("l1", "e1", 1)}, stored)));
    return InvalidArgument("changed my mind");
  });
  EXPECT_EQ(failed.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*store_->CountEvents(), 0);
  EXPECT_TRUE(Times(*log_, *store_, "l1").empty());
  // The id was never stored: it may come again.
  EXPECT_EQ(Append(*log_, *store_, {Event("l1", "e1", 2)}), std::vector<bool>{true});
  EXPECT_EQ(Times(*log_, *store_, "l1"), std::vector<Timestamp>{2});
}

TEST_P(EventLogTest, ALogReadBackAtStartKnowsEverythingStored) {
  Append(*log_, *store_, {Event("l1", "e1", 1), Event("l2", "e2", 2), Event("l1", "", 3)});
  auto reopened = Open();
  auto again = EventLog::Load(*reopened);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ((*again)->size(), 3u);
  EXPECT_EQ((*again)->last_seq(), log_->last_seq());
  EXPECT_EQ(Times(**again, *reopened, "l1"), (std::vector<Timestamp>{1, 3}));
  EXPECT_EQ(Append(**again, *reopened, {Event("l3", "e2", 4), Event("l3", "e4", 5)}),
            (std::vector<bool>{false, true}));
}

// Two writers on one store (say `leadscore ingest` beside a running server): each catches up
// with the other's appends before its own, so an id stored by one is a duplicate for the other.
TEST_P(EventLogTest, ASecondWriterSeesTheFirstOnesIdsAndEvents) {
  auto other_store = Open();
  auto other = EventLog::Load(*other_store);
  ASSERT_TRUE(other) << other.error().ToString();
  Append(*log_, *store_, {Event("l1", "e1", 1)});
  EXPECT_EQ(Append(**other, *other_store, {Event("l1", "e1", 2), Event("l1", "e2", 3)}),
            (std::vector<bool>{false, true}));
  EXPECT_EQ(Times(**other, *other_store, "l1"), (std::vector<Timestamp>{1, 3}));
  EXPECT_EQ(Append(*log_, *store_, {Event("l2", "e2", 4)}), std::vector<bool>{false});
  EXPECT_EQ(Times(*log_, *store_, "l1"), (std::vector<Timestamp>{1, 3}));
  EXPECT_EQ(*store_->CountEvents(), 2);
}

TEST_P(EventLogTest, DeletingALeadForgetsItsEventsAndTheirIds) {
  ASSERT_TRUE(store_->PutLead({"gone", "{}", 1, 1}).ok());
  Append(*log_, *store_, {Event("gone", "e1", 1), Event("kept", "e2", 2), Event("gone", "", 3)});
  bool existed = false;
  std::vector<bool> stored;
  ASSERT_TRUE(log_->Transaction(*store_,
                                [&]() -> Status {
                                  // An event appended in the same transaction goes with the lead
                                  // too.
                                  LS_RETURN_IF_ERROR(StatusOf(log_->Append(
                                      *store_, std::vector{Event("gone", "e3", 4)}, stored)));
                                  LS_ASSIGN_OR_RETURN(existed, log_->DeleteLead(*store_, "gone"));
                                  return Status::Ok();
                                })
                  .ok());
  EXPECT_TRUE(existed);
  EXPECT_FALSE(*store_->GetLead("gone"));
  EXPECT_TRUE(Times(*log_, *store_, "gone").empty());
  EXPECT_EQ(Times(*log_, *store_, "kept"), std::vector<Timestamp>{2});
  EXPECT_EQ(*store_->CountEvents(), 1);
  EXPECT_EQ(log_->size(), 1u);
  // The deleted lead's ids may be sent again; the kept lead's may not.
  EXPECT_EQ(Append(*log_, *store_,
                   {Event("gone", "e1", 5), Event("gone", "e3", 6), Event("gone", "e2", 7)}),
            (std::vector<bool>{true, true, false}));
  EXPECT_EQ(Times(*log_, *store_, "gone"), (std::vector<Timestamp>{5, 6}));
}

INSTANTIATE_TEST_SUITE_P(Backends, EventLogTest, ::testing::ValuesIn(testutil::StoreBackends()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace leadscore::service
