#include "service/score_rankings.h"

#include <algorithm>
#include <mutex>
#include <unordered_set>

namespace leadscore::service {
namespace {
// Leads handed to the attribute check at a time: one statement each (Store's chunk size).
constexpr size_t kAttributeChunk = 256;
}  // namespace

uint16_t ScoreRankings::Ranking::Intern(const std::optional<std::string>& name) {
  if (!name) return 0;
  auto it = std::find(names.begin(), names.end(), *name);
  if (it != names.end()) return static_cast<uint16_t>(it - names.begin() + 1);
  // Grades and stages come from models: a few names each, never near 65,535.
  names.push_back(*name);
  return static_cast<uint16_t>(names.size());
}

std::optional<uint16_t> ScoreRankings::Ranking::Find(const std::optional<std::string>& name) const {
  if (!name) return 0;
  auto it = std::find(names.begin(), names.end(), *name);
  if (it == names.end()) return std::nullopt;
  return static_cast<uint16_t>(it - names.begin() + 1);
}

ScoreRankings::Entry ScoreRankings::Ranking::ToEntry(const store::ScoreRow& row) {
  return Entry{row.lead_id,       row.score,     row.fit,           row.engagement,
               row.model_version, row.scored_at, Intern(row.grade), Intern(row.stage)};
}

store::ScoreRow ScoreRankings::Ranking::ToRow(const std::string& model, const Entry& e) const {
  auto name = [&](uint16_t i) {
    return i == 0 ? std::nullopt : std::optional<std::string>(names[i - 1]);
  };
  return store::ScoreRow{model,        e.lead_id,     e.model_version, e.score,    e.fit,
                         e.engagement, name(e.grade), name(e.stage),   e.scored_at};
}

void ScoreRankings::Put(Ranking& ranking, const store::ScoreRow& row) {
  auto& by_id = ranking.entries.get<0>();
  Entry entry = ranking.ToEntry(row);
  auto it = by_id.find(row.lead_id);
  if (it == by_id.end()) {
    ranking.entries.insert(std::move(entry));
  } else {
    by_id.replace(it, std::move(entry));
  }
}

void ScoreRankings::Load(const std::string& model, std::span<const store::ScoreRow> rows) {
  Ranking ranking;
  for (const store::ScoreRow& row : rows) Put(ranking, row);
  std::unique_lock lock(mu_);
  // Deleted between the caller's read and now: out, as Forget would have left them.
  for (const auto& [id, count] : forgotten_) ranking.entries.get<0>().erase(id);
  rankings_.insert_or_assign(model, std::move(ranking));
}

void ScoreRankings::Retain(const std::vector<std::string>& models) {
  std::unique_lock lock(mu_);
  std::erase_if(rankings_, [&](const auto& kv) {
    return std::find(models.begin(), models.end(), kv.first) == models.end();
  });
}

void ScoreRankings::Update(std::span<const store::ScoreRow> rows) {
  std::unique_lock lock(mu_);
  for (const store::ScoreRow& row : rows) {
    auto it = rankings_.find(row.model);
    if (it == rankings_.end() || forgotten_.contains(row.lead_id)) continue;
    Put(it->second, row);
  }
}

void ScoreRankings::Forget(std::span<const std::string> lead_ids) {
  std::unique_lock lock(mu_);
  for (const std::string& id : lead_ids) {
    ++forgotten_[id];
    for (auto& [model, ranking] : rankings_) ranking.entries.get<0>().erase(id);
  }
}

void ScoreRankings::Release(std::span<const std::string> lead_ids) {
  std::unique_lock lock(mu_);
  for (const std::string& id : lead_ids) {
    auto it = forgotten_.find(id);
    if (it != forgotten_.end() && --it->second == 0) forgotten_.erase(it);
  }
}

bool ScoreRankings::has(const std::string& model) const {
  std::shared_lock lock(mu_);
  return rankings_.contains(model);
}

size_t ScoreRankings::size(const std::string& model) const {
  std::shared_lock lock(mu_);
  auto it = rankings_.find(model);
  return it == rankings_.end() ? 0 : it->second.entries.size();
}

Result<std::optional<std::vector<store::ScoreRow>>> ScoreRankings::List(
    const store::ScoreFilter& filter, const AttributeCheck& attribute_check) const {
  std::vector<store::ScoreRow> out;
  const size_t limit = filter.limit > 0 ? static_cast<size_t>(filter.limit) : 0;
  std::optional<std::pair<double, std::string>> after = filter.after;
  while (out.size() < limit) {
    // The next candidates in rank order that pass every filter but the attribute, from at
    // most scan_per_lock_ entries: a list that walks far never holds the rescorer long.
    std::vector<store::ScoreRow> candidates;
    std::optional<std::pair<double, std::string>> scanned_to;  // the last entry looked at
    bool ended = false;                                        // nothing after scanned_to
    {
      std::shared_lock lock(mu_);
      auto found = rankings_.find(filter.model);
      // None, or dropped mid-list (the model deactivated): the store answers it all.
      if (found == rankings_.end()) return std::nullopt;
      const Ranking& ranking = found->second;
      const auto stage = filter.stage ? ranking.Find(filter.stage) : std::optional<uint16_t>();
      const auto grade = filter.grade ? ranking.Find(filter.grade) : std::optional<uint16_t>();
      if ((filter.stage && !stage) || (filter.grade && !grade)) break;  // a name no lead has
      const auto& by_rank = ranking.entries.get<1>();
      auto at =
          after ? by_rank.upper_bound(Position{after->first, after->second}) : by_rank.begin();
      if (filter.max_score) {
        // The first entry at or under the maximum, if it comes later.
        auto under = by_rank.lower_bound(Position{*filter.max_score, std::string_view()});
        if (at != by_rank.end() && (under == by_rank.end() || RankOrder{}(*at, *under))) at = under;
      }
      const size_t want = filter.attribute ? kAttributeChunk : limit - out.size();
      const Entry* last = nullptr;
      for (size_t scanned = 0;
           at != by_rank.end() && candidates.size() < want && scanned < scan_per_lock_;
           ++at, ++scanned) {
        if (filter.min_score && at->score < *filter.min_score) {
          ended = true;  // the rest is lower
          break;
        }
        last = &*at;
        if ((stage && at->stage != *stage) || (grade && at->grade != *grade)) continue;
        candidates.push_back(ranking.ToRow(filter.model, *at));
      }
      ended = ended || at == by_rank.end();
      if (last) scanned_to = std::pair{last->score, last->lead_id};
    }
    if (!scanned_to) break;
    after = std::move(scanned_to);
    if (filter.attribute && !candidates.empty()) {
      std::vector<std::string> ids;
      ids.reserve(candidates.size());
      for (const auto& row : candidates) ids.push_back(row.lead_id);
      LS_ASSIGN_OR_RETURN(auto kept, attribute_check(ids));
      std::unordered_set<std::string> keep(kept.begin(), kept.end());
      std::erase_if(candidates, [&](const auto& row) { return !keep.contains(row.lead_id); });
    }
    for (auto& row : candidates) {
      if (out.size() == limit) break;
      out.push_back(std::move(row));
    }
    if (ended) break;
  }
  return std::optional(std::move(out));
}

}  // namespace leadscore::service
