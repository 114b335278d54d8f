// ScoreRankings: every stored score of each active model, ordered by rank in memory, for
// `GET /v1/leads` (Store::ListScores' order and filters), so that lead_scores needs no index
// by rank: each new score would move its entry in that b-tree, two random page writes per
// rescored lead, which was most of what a single event cost the writer on a populated store.
//
// It stays equal to lead_scores because of who writes what (the Rescorer keeps these true):
//  1. Only the rescorer writes lead_scores. It loads a model's ranking from the store (Load)
//     and applies each of its writes after the commit (Update), all on its own thread, so a
//     load and the writes before and after it are in commit order.
//  2. The store deletes scores only with their lead, on the writer thread. Forget, called
//     after that commit, drops the lead at once and keeps it out (a tombstone) until the
//     rescorer has taken the deletion in (Release): a score the rescorer read or loaded
//     before the deletion and applies after it is left out, as the write itself was
//     (Rescorer::DropDeleted). A lead created again after that is ranked again. A score of
//     the lead created again that was committed while the tombstone stood is left out too;
//     the rescorer scores every released lead once more and puts its stored score back
//     (Rescorer::rerank_).
// A model without a loaded ranking (before its first pass, or no longer active) is listed by
// the store. Thread-safe: the rescorer writes, request threads list.
#pragma once

#include <algorithm>
#include <boost/multi_index/hashed_index.hpp>
#include <boost/multi_index/identity.hpp>
#include <boost/multi_index/member.hpp>
#include <boost/multi_index/ordered_index.hpp>
#include <boost/multi_index_container.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace leadscore::service {

class ScoreRankings {
 public:
  // A list holds the lock for at most `scan_per_lock` entries at a time, then finds its place
  // again.
  explicit ScoreRankings(size_t scan_per_lock = 16384)
      : scan_per_lock_(std::max<size_t>(scan_per_lock, 1)) {}

  // Those of `lead_ids` that pass ScoreFilter::attribute (Store::LeadsWithAttribute).
  using AttributeCheck =
      std::function<Result<std::vector<std::string>>(std::span<const std::string> lead_ids)>;

  // Replaces `model`'s ranking with `rows` (every stored score of the model), leaving out
  // leads forgotten and not yet released.
  void Load(const std::string& model, std::span<const store::ScoreRow> rows);
  // Keeps only the rankings of these models.
  void Retain(const std::vector<std::string>& models);
  // These scores were committed (rows of a model without a ranking are ignored).
  void Update(std::span<const store::ScoreRow> rows);
  // These leads were deleted: out of every ranking until released.
  void Forget(std::span<const std::string> lead_ids);
  // The rescorer has taken these deletions in: their leads may be ranked again.
  void Release(std::span<const std::string> lead_ids);

  // The page Store::ListScores gives for `filter`, or nullopt when `filter.model` has no
  // ranking. `attribute_check` is called (without the lock held) when filter.attribute is set.
  Result<std::optional<std::vector<store::ScoreRow>>> List(
      const store::ScoreFilter& filter, const AttributeCheck& attribute_check) const;

  bool has(const std::string& model) const;
  size_t size(const std::string& model) const;  // leads ranked under `model`

 private:
  // A score as ranked: grade and stage as indexes into the ranking's names (0: none), so that
  // an entry stays small: 80 bytes, about 140 with its two index nodes and its allocation, so
  // about 140 MB a model for a million leads.
  struct Entry {
    std::string lead_id;
    double score = 0, fit = 0, engagement = 0;
    int64_t model_version = 0;
    Timestamp scored_at = 0;
    uint16_t grade = 0, stage = 0;
  };
  // Where a page starts after (score, lead_id).
  struct Position {
    double score;
    std::string_view lead_id;
  };
  // Score descending, then lead_id ascending (bytes, as SQLite compares text).
  struct RankOrder {
    static bool Before(double a_score, std::string_view a_id, double b_score,
                       std::string_view b_id) {
      if (a_score != b_score) return a_score > b_score;
      return a_id < b_id;
    }
    bool operator()(const Entry& a, const Entry& b) const {
      return Before(a.score, a.lead_id, b.score, b.lead_id);
    }
    bool operator()(const Position& a, const Entry& b) const {
      return Before(a.score, a.lead_id, b.score, b.lead_id);
    }
    bool operator()(const Entry& a, const Position& b) const {
      return Before(a.score, a.lead_id, b.score, b.lead_id);
    }
  };
  using Entries = boost::multi_index_container<
      Entry,
      boost::multi_index::indexed_by<
          boost::multi_index::hashed_unique<
              boost::multi_index::member<Entry, std::string, &Entry::lead_id>>,
          boost::multi_index::ordered_unique<boost::multi_index::identity<Entry>, RankOrder>>>;
  struct Ranking {
    Entries entries;
    std::vector<std::string> names;  // grade and stage names; index i + 1 in an Entry
    uint16_t Intern(const std::optional<std::string>& name);
    // 0 for none; nullopt when `name` is not one of names (nothing has it).
    std::optional<uint16_t> Find(const std::optional<std::string>& name) const;
    Entry ToEntry(const store::ScoreRow& row);
    store::ScoreRow ToRow(const std::string& model, const Entry& entry) const;
  };
  // Puts `row` in `ranking` (under mu_, exclusive).
  static void Put(Ranking& ranking, const store::ScoreRow& row);

  const size_t scan_per_lock_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Ranking, std::less<>> rankings_;  // by model name
  // Deleted, not yet released: how many deletions of each lead wait for their Release (a
  // lead deleted twice stays out until the second deletion is taken in).
  std::unordered_map<std::string, int> forgotten_;
};

}  // namespace leadscore::service
