#include "service/rescorer.h"

#include <fmt/format.h>
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <unordered_map>

#include "core/print_stderr.h"
#include "engine/rounding.h"
#include "service/batch_score.h"
#include "service/cell_texts.h"
#include "service/lead_view.h"
#include "service/score_rankings.h"
#include "service/store_source.h"

namespace leadscore::service {

Rescorer::Rescorer(std::unique_ptr<store::Store> store, std::shared_ptr<const EventLog> log,
                   std::function<std::shared_ptr<const ModelSet>()> models, Timestamp (*now)(),
                   TransitionHook on_transition, RescorerOptions options)
    : store_(std::move(store)),
      log_(std::move(log)),
      models_(std::move(models)),
      now_(now),
      on_transition_(std::move(on_transition)),
      options_(options),
      lead_cache_(options.lead_cache_bytes) {
  thread_ = std::thread([this] { Run(); });
  pthread_setname_np(thread_.native_handle(), "ls-rescorer");  // as top -H shows it
}

Rescorer::~Rescorer() { Stop(); }

void Rescorer::MarkDirty(std::vector<std::string> lead_ids, const std::string& cause) {
  if (lead_ids.empty()) return;
  {
    std::lock_guard lock(mu_);
    inbox_.emplace_back(std::move(lead_ids), cause);
  }
  cv_.notify_one();
}

namespace {
// The inbox's cause for leads deleted (Forget), never stored.
constexpr std::string_view kForgotten = "\x01forgotten";
}  // namespace

void Rescorer::Forget(std::vector<std::string> lead_ids) {
  if (rankings_) rankings_->Forget(lead_ids);  // unlisted now, released in MergeInbox
  MarkDirty(std::move(lead_ids), std::string(kForgotten));
}

void Rescorer::MergeInbox(std::vector<std::pair<std::vector<std::string>, std::string>>& inbox) {
  // In commit order: a lead deleted, then created again by an event, is rescored.
  for (auto& [ids, cause] : inbox) {
    const bool forgotten = cause == kForgotten;
    const bool row_changed = forgotten || cause == "attributes";
    for (auto& id : ids) {
      if (row_changed) lead_cache_.Forget(id);
      if (forgotten) {
        // Every score written from here on was read after the deletion, or is dropped by
        // DropDeleted: the lead may be ranked again.
        if (rankings_) rankings_->Release(std::span(&id, 1));
        // Scored once more (a lead not created again is not found, and costs a lookup), so that
        // a score the ranking left out while the deletion held it out is put in (rerank_).
        rerank_.insert(id);
        dirty_.insert_or_assign(id, "time");
      } else {
        dirty_.insert_or_assign(std::move(id), cause);  // the newest cause
      }
    }
  }
  inbox.clear();
  dirty_size_ = dirty_.size();
}

void Rescorer::Requeue(const Work& work) {
  for (const auto& [id, cause] : work) dirty_.emplace(id, cause);  // a newer cause wins
  dirty_size_ = dirty_.size();
}

void Rescorer::RescoreAll(const std::string& cause) {
  {
    std::lock_guard lock(mu_);
    // One pending pass covers any number of requests made before it starts.
    if (std::find(full_passes_.begin(), full_passes_.end(), cause) == full_passes_.end()) {
      full_passes_.push_back(cause);
    }
  }
  cv_.notify_one();
}

void Rescorer::WaitIdle() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [&] {
    return stopping_ || (!busy_ && inbox_.empty() && dirty_size_ == 0 && full_passes_.empty());
  });
}

void Rescorer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  idle_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

RescoreProgress Rescorer::progress() const {
  std::lock_guard lock(mu_);
  RescoreProgress out = progress_;
  if (!out.running && !full_passes_.empty()) {
    // Asked for and not started yet: the answer to a model change shows its pass, not the
    // previous one's finished counts.
    out.running = true;
    out.cause = full_passes_.front();
    out.total = out.done = 0;
  }
  out.pending = dirty_size_;
  for (const auto& batch : inbox_) {
    if (batch.second != kForgotten) out.pending += batch.first.size();
  }
  return out;
}

void Rescorer::MergePending() {
  std::vector<std::pair<std::vector<std::string>, std::string>> inbox;
  {
    std::lock_guard lock(mu_);
    inbox.swap(inbox_);
  }
  MergeInbox(inbox);
}

Rescorer::Work Rescorer::TakeDirty() {
  MergePending();
  Work out;
  while (!dirty_.empty() && out.size() < options_.chunk) {
    auto node = dirty_.extract(dirty_.begin());
    out.emplace_back(std::move(node.key()), std::move(node.mapped()));
  }
  dirty_size_ = dirty_.size();
  return out;
}

namespace {

std::string EventName(const store::EventRow& e) {
  return e.event_id.empty() ? fmt::format("seq {}", e.seq) : e.event_id;
}

}  // namespace

void Rescorer::SetEvents(std::vector<std::vector<store::EventRow>>& events, std::span<Loaded> out) {
  for (size_t i = 0; i < out.size(); ++i) {
    for (store::EventRow& e : events[i]) {
      out[i].event_names.push_back(EventName(e));
      out[i].received.push_back(e.received_at);
      out[i].bodies.push_back(EventText(std::move(e)));
    }
  }
}

Status Rescorer::LoadDirty(const Work& leads, const ModelSet& set, std::vector<Loaded>& out) {
  // Each lead's events as the log lists them, taken before the snapshot below: the log lists
  // an event once it is committed, so the snapshot holds every one of them (bar deletions).
  std::vector<std::vector<int64_t>> seqs;
  if (event_cache_) {
    for (const auto& [id, cause] : leads) seqs.push_back(log_->SeqsOf(id));
  }
  store::Store& s = *store_;
  // The chunk's reads on one snapshot: one view of each lead, its stored scores and its events
  // (and on SQLite no emptying of the page cache between two reads by a commit in between).
  return s.ReadTransaction([&]() -> Status {
    const size_t first = out.size();
    std::vector<std::string> ids;
    for (size_t k = 0; k < leads.size(); ++k) {
      const std::string& id = leads[k].first;
      const StoredLeadCache::Entry* cached = lead_cache_.Find(id);
      StoredLeadCache::Entry read;
      if (!cached) {
        LS_ASSIGN_OR_RETURN(auto lead, s.GetLead(id));
        if (!lead) continue;  // deleted meanwhile
        read.lead = std::move(*lead);
        for (const ActiveModel& model : set.models) {
          LS_ASSIGN_OR_RETURN(auto stored, s.GetScore(model.name, id));
          if (stored) read.scores.push_back(std::move(*stored));
        }
      }
      const StoredLeadCache::Entry& entry = cached ? *cached : read;
      Loaded& l = out.emplace_back();
      l.lead = entry.lead;
      l.cause = leads[k].second;
      if (event_cache_) l.seqs = std::move(seqs[k]);
      ids.push_back(id);
      for (const ActiveModel& model : set.models) {
        l.stored.push_back(StoredLeadCache::ScoreOf(entry, model.name));
      }
      if (!cached) lead_cache_.Put(std::move(read));
    }
    if (event_cache_) return LoadParsed(set, std::span(out).subspan(first));
    LS_ASSIGN_OR_RETURN(auto events, log_->EventsOfLeads(s, ids));
    SetEvents(events, std::span(out).subspan(first));
    return Status::Ok();
  });
}

Status Rescorer::LoadParsed(const ModelSet& set, std::span<Loaded> leads) {
  // What the cache holds of each lead's events by model, and the rows to read: from the
  // first event some model lacks (every row of a lead it holds nothing for), in one query.
  const size_t models = set.models.size();
  std::vector<std::vector<ParsedEventCache::Found>> found(leads.size());
  std::vector<size_t> from(leads.size());
  std::vector<int64_t> wanted;
  std::unordered_map<int64_t, size_t> lead_of;  // seq -> index in `leads`
  for (size_t i = 0; i < leads.size(); ++i) {
    Loaded& l = leads[i];
    from[i] = l.seqs.size();
    for (const ActiveModel& model : set.models) {
      auto f = event_cache_->Find(model.compiled.get(), l.lead.lead_id, l.seqs);
      from[i] = std::min(from[i], f.events ? f.count : 0);
      found[i].push_back(std::move(f));
    }
    for (size_t k = from[i]; k < l.seqs.size(); ++k) {
      wanted.push_back(l.seqs[k]);
      lead_of.emplace(l.seqs[k], i);
    }
  }
  LS_ASSIGN_OR_RETURN(auto rows, store_->EventsBySeq(wanted));  // by seq
  std::vector<std::vector<store::EventRow>> read(leads.size());
  for (store::EventRow& row : rows) read[lead_of.at(row.seq)].push_back(std::move(row));

  for (size_t i = 0; i < leads.size(); ++i) {
    Loaded& l = leads[i];
    const std::string& id = l.lead.lead_id;
    if (read[i].size() != l.seqs.size() - from[i]) {
      // Rows gone since the seqs were taken (the lead deleted meanwhile): what is left of it,
      // read whole.
      LS_ASSIGN_OR_RETURN(read[i], log_->LeadEvents(*store_, id));
      l.seqs.clear();
      for (const auto& row : read[i]) l.seqs.push_back(row.seq);
      from[i] = 0;
      found[i].assign(models, {});
    }
    std::vector<std::string> bodies;
    bodies.reserve(read[i].size());
    for (const auto& row : read[i]) bodies.push_back(EventText(row));
    for (size_t m = 0; m < models; ++m) {
      const ParsedEventCache::Found& f = found[i][m];
      if (f.events && f.count == l.seqs.size()) {
        l.parsed.push_back(f.events);
        continue;
      }
      const size_t held = f.events ? f.count : 0;
      auto parsed = ThreadScorer(set.models[m].compiled)
                        .Parse(id, std::span(bodies).subspan(held - from[i]), f.events.get());
      if (!l.seqs.empty()) {
        event_cache_->Put(set.models[m].compiled, id, l.seqs.size(), l.seqs.back(), parsed);
      }
      l.parsed.push_back(std::move(parsed));
    }
    l.rows_read = from[i] == 0;
    if (l.rows_read) {
      std::vector<std::vector<store::EventRow>> one(1);
      one[0] = std::move(read[i]);
      SetEvents(one, std::span(&l, 1));
    }
  }
  return Status::Ok();
}

Status Rescorer::LoadEvents(Loaded& l) {
  if (l.rows_read) return Status::Ok();
  std::vector<std::vector<store::EventRow>> one(1);
  LS_ASSIGN_OR_RETURN(one[0], store_->EventsBySeq(l.seqs));
  SetEvents(one, std::span(&l, 1));
  l.rows_read = true;
  return Status::Ok();
}

Status Rescorer::LoadPage(const std::string& after, const std::string& cause, const ModelSet& set,
                          std::vector<Loaded>& out) {
  // A few queries a page instead of three queries a lead: a full pass over 1M leads is bound
  // by them.
  store::Store& s = *store_;
  // One snapshot: the stored scores are those of the leads read.
  return s.ReadTransaction([&]() -> Status {
    LS_ASSIGN_OR_RETURN(auto leads, s.LeadsPage(after, static_cast<int64_t>(options_.page)));
    if (leads.empty()) return Status::Ok();
    const std::string& first = leads.front().lead_id;
    const std::string& last = leads.back().lead_id;
    std::vector<std::string> ids;
    for (const auto& lead : leads) ids.push_back(lead.lead_id);
    LS_ASSIGN_OR_RETURN(auto events, log_->EventsOfLeads(s, ids));
    std::vector<std::vector<store::ScoreRow>> scores;
    for (const ActiveModel& model : set.models) {
      LS_ASSIGN_OR_RETURN(auto rows, s.ScoresOfLeads(model.name, first, last));
      scores.push_back(std::move(rows));
    }
    // The scores are sorted by lead_id as the leads are: walk them side by side.
    const size_t first_loaded = out.size();
    std::vector<size_t> sc(set.models.size(), 0);
    for (auto& lead : leads) {
      Loaded& l = out.emplace_back();
      l.cause = cause;
      for (size_t m = 0; m < scores.size(); ++m) {
        auto& rows = scores[m];
        while (sc[m] < rows.size() && rows[sc[m]].lead_id < lead.lead_id) ++sc[m];
        if (sc[m] < rows.size() && rows[sc[m]].lead_id == lead.lead_id) {
          l.stored.push_back(std::move(rows[sc[m]]));
        } else {
          l.stored.push_back(std::nullopt);
        }
      }
      l.lead = std::move(lead);
    }
    SetEvents(events, std::span(out).subspan(first_loaded));
    return Status::Ok();
  });
}

Status Rescorer::Write(const std::function<Status(store::Store&)>& apply) {
  store::Store& s = *store_;
  return write_ ? write_(apply) : s.Transaction([&] { return apply(s); });
}

Status Rescorer::DropDeleted(store::Store& w, uint64_t deletions,
                             std::vector<store::ScoreRow>& scores,
                             std::vector<std::pair<store::TransitionRow, size_t>>* transitions) {
  if (deletions_ && deletions_() == deletions) return Status::Ok();
  std::unordered_map<std::string, bool> exists;  // lead_id -> still there
  for (const store::ScoreRow& row : scores) exists.emplace(row.lead_id, false);
  for (auto& [id, there] : exists) {
    LS_ASSIGN_OR_RETURN(auto lead, w.GetLead(id));
    there = lead.has_value();
  }
  std::erase_if(scores, [&](const store::ScoreRow& row) { return !exists.at(row.lead_id); });
  if (transitions) {
    std::erase_if(*transitions, [&](const auto& t) { return !exists.at(t.first.lead_id); });
  }
  return Status::Ok();
}

Status Rescorer::ScoreLoaded(std::vector<Loaded>& leads, const ModelSet& set, Timestamp now,
                             uint64_t deletions, bool& wrote_transitions) {
  wrote_transitions = false;
  // Score here; the writes go to the writer as one closure (one commit with the ingest writes
  // around it, no second writer waiting on the database lock).
  auto score = [&](const Loaded& l, size_t m, bool explain) {
    const ActiveModel& model = set.models[m];
    return l.parsed.empty() ? ScoreStored(model, l.lead, l.bodies, AsOf{now}, explain, false)
                            : ScoreStored(model, l.lead, *l.parsed[m], AsOf{now}, explain, false);
  };
  auto transition = [&](const Loaded& l, size_t m, const ModelScore& now_score) {
    const ActiveModel& model = set.models[m];
    const auto& stored = l.stored[m];
    ModelScore explained = score(l, m, true);
    nlohmann::json reasons = nlohmann::json::array();
    for (const auto& [rule, points] : explained.reasons) {
      reasons.push_back(nlohmann::json{{"rule", rule}, {"points", engine::Round2(points)}});
    }
    return store::TransitionRow{0,
                                l.lead.lead_id,
                                model.name,
                                model.version,
                                stored ? stored->stage : std::nullopt,
                                now_score.stage,
                                now_score.score,
                                now,
                                TransitionCause(l, model, stored, now_score.stage, now),
                                reasons.dump()};
  };
  struct Out {
    std::vector<store::ScoreRow> scores;
    std::vector<std::pair<store::TransitionRow, size_t>> transitions;  // with the model index
    // Stage changes of leads whose rows are not read yet: (lead, model, score).
    std::vector<std::tuple<size_t, size_t, ModelScore>> deferred;
    std::vector<store::ScoreRow> reranked;  // unchanged scores of leads in rerank_
  };
  auto score_range = [&](size_t begin, size_t end, Out& out) {
    for (size_t i = begin; i < end; ++i) {
      const Loaded& l = leads[i];
      const std::string& id = l.lead.lead_id;
      for (size_t m = 0; m < set.models.size(); ++m) {
        const ActiveModel& model = set.models[m];
        const auto& stored = l.stored[m];
        ModelScore now_score = score(l, m, false);
        bool same = stored && stored->model_version == model.version &&
                    stored->score == now_score.score && stored->fit == now_score.fit &&
                    stored->engagement == now_score.engagement &&
                    stored->grade == now_score.grade && stored->stage == now_score.stage;
        if (same) {
          if (rerank_.contains(id)) out.reranked.push_back(*stored);
          continue;
        }
        std::optional<std::string> before = stored ? stored->stage : std::nullopt;
        out.scores.push_back({model.name, id, model.version, now_score.score, now_score.fit,
                              now_score.engagement, now_score.grade, now_score.stage, now});
        if (before == now_score.stage) continue;
        if (!l.rows_read) {
          out.deferred.emplace_back(i, m, std::move(now_score));
          continue;
        }
        out.transitions.push_back({transition(l, m, now_score), m});
      }
    }
  };
  // A page of a full pass is scored on every core (each thread has its own LeadScorers);
  // the parts are joined in lead order.
  const size_t threads =
      leads.size() < 256 ? 1 : std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::vector<Out> parts(threads);
  std::vector<std::thread> workers;
  for (size_t t = 1; t < threads; ++t) {
    workers.emplace_back(score_range, leads.size() * t / threads, leads.size() * (t + 1) / threads,
                         std::ref(parts[t]));
  }
  score_range(0, leads.size() / threads, parts[0]);
  for (auto& w : workers) w.join();
  std::vector<store::ScoreRow> scores;
  std::vector<std::pair<store::TransitionRow, size_t>> transitions;
  std::vector<store::ScoreRow> reranked;
  for (Out& part : parts) {
    std::move(part.scores.begin(), part.scores.end(), std::back_inserter(scores));
    std::move(part.reranked.begin(), part.reranked.end(), std::back_inserter(reranked));
    std::move(part.transitions.begin(), part.transitions.end(), std::back_inserter(transitions));
    // The rows a transition's cause is found from, read here on this thread's connection.
    for (auto& [i, m, now_score] : part.deferred) {
      LS_RETURN_IF_ERROR(LoadEvents(leads[i]));
      transitions.push_back({transition(leads[i], m, now_score), m});
    }
  }
  if (!scores.empty()) {
    auto apply = [&](store::Store& w) -> Status {
      // A lead deleted since the reads keeps nothing (right to be forgotten).
      LS_RETURN_IF_ERROR(DropDeleted(w, deletions, scores, &transitions));
      LS_RETURN_IF_ERROR(w.PutScores(scores));
      for (auto& [t, m] : transitions) {
        LS_RETURN_IF_ERROR(w.InsertTransition(t));
        if (on_transition_) LS_RETURN_IF_ERROR(on_transition_(w, t, set.models[m].role));
      }
      return Status::Ok();
    };
    LS_RETURN_IF_ERROR(Write(apply));
    lead_cache_.UpdateScores(scores);
    if (rankings_) rankings_->Update(scores);
  }
  // Stored, not written again; a deletion since is a tombstone that leaves them out.
  if (rankings_ && !reranked.empty()) rankings_->Update(reranked);
  for (const Loaded& l : leads) {
    if (rerank_.empty()) break;
    rerank_.erase(l.lead.lead_id);
  }
  std::lock_guard lock(mu_);
  progress_.leads_scored += leads.size();
  progress_.transitions += transitions.size();
  wrote_transitions = !transitions.empty();
  return Status::Ok();
}

std::string Rescorer::TransitionCause(const Loaded& l, const ActiveModel& model,
                                      const std::optional<store::ScoreRow>& stored,
                                      const std::optional<std::string>& stage, Timestamp now) {
  // A model change that brings a model the lead was never scored under (a new name made
  // primary or live) gives its stage for the first time: the cause is the model, not an old
  // event.
  if (!stored && l.cause == "model") return l.cause;
  const Timestamp since = stored ? stored->scored_at : std::numeric_limits<Timestamp>::min();
  const bool attributes_changed = l.lead.updated_at > since;
  // Replays the events stored since the last evaluation one by one (transitions are rare, so
  // the extra scoring is cheap where it happens). Events arrive in seq order, so the older
  // ones come first.
  std::vector<std::string> prefix;
  size_t i = 0;
  for (; i < l.bodies.size() && l.received[i] <= since; ++i) prefix.push_back(l.bodies[i]);
  // An event stamped before the stored score may still have been in flight (not committed)
  // when that score was read, so the score never saw it. The stored stage tells: back the
  // prefix up until, scored at the stored time, it gives the stored stage again.
  // Not when the attributes changed since: scored with today's attributes at the old time, the
  // prefix would not give the stored stage, and the events behind it would be taken for ones in
  // flight (an attribute update would read as caused by an old event).
  if (stored && stored->model_version == model.version && !attributes_changed) {
    while (i > 0 &&
           ScoreStored(model, l.lead, prefix, AsOf{since}, false, false).stage != stored->stage) {
      prefix.pop_back();
      --i;
    }
  }
  if (ScoreStored(model, l.lead, prefix, AsOf{now}, false, false).stage != stage) {
    for (; i < l.bodies.size(); ++i) {
      prefix.push_back(l.bodies[i]);
      if (ScoreStored(model, l.lead, prefix, AsOf{now}, false, false).stage == stage) {
        return "event:" + l.event_names[i];
      }
    }
  }
  // Scored last under another version of the model: the new version moved the stage, whatever
  // pass found it (a start-up pass after a server stopped with a model change under way). Before
  // `attributes`: a score is stamped with the time before its reads, so a lead updated just
  // then looks updated since, though that score saw the update.
  if (stored && stored->model_version != model.version) return "model";
  if (attributes_changed) return "attributes";
  return l.cause == "event" || l.cause == "attributes" ? "time" : l.cause;
}

Status Rescorer::PagedPass(const std::string& cause) {
  std::string after;
  bool wrote = false;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return Status::Ok();
    }
    auto set = models_();
    if (!set || set->models.empty()) return Status::Ok();
    std::vector<Loaded> page;
    const Timestamp now = now_();  // before the reads, as in ScoreChunk
    const uint64_t deletions = Deletions();
    LS_RETURN_IF_ERROR(LoadPage(after, cause, *set, page));
    if (page.empty()) return Status::Ok();
    LS_RETURN_IF_ERROR(ScoreLoaded(page, *set, now, deletions, wrote));
    if (wrote && after_commit_) after_commit_();
    after = page.back().lead.lead_id;
    Work urgent;
    {
      std::lock_guard lock(mu_);
      progress_.done += static_cast<int64_t>(page.size());
    }
    urgent = TakeDirty();
    if (!urgent.empty()) {
      Status u = ScoreChunk(urgent, wrote);
      if (!u.ok()) Requeue(urgent);
      if (wrote && after_commit_) after_commit_();
    }
  }
}

Status Rescorer::BatchPass(const std::string& cause, const ModelSet& set) {
  const Timestamp now = now_();
  const uint64_t deletions = Deletions();  // before the pass reads the store
  std::set<std::string> stage_changed;
  // Where a pass's time goes, printed when it ends (a pass over 1M leads takes tens of seconds).
  using Clock = std::chrono::steady_clock;
  const auto pass_start = Clock::now();
  double read_s = 0, compare_s = 0, write_s = 0, transitions_s = 0;
  auto since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  size_t written = 0;
  const int64_t total = progress().total;
  if (rankings_) {
    std::vector<std::string> names;
    for (const ActiveModel& model : set.models) names.push_back(model.name);
    rankings_->Retain(names);
  }
  for (size_t m = 0; m < set.models.size(); ++m) {
    const ActiveModel& model = set.models[m];
    BatchOptions options;
    options.as_of = AsOf{now};
    options.typed_ids = true;
    options.leads_source = [this, &model]() -> Result<std::unique_ptr<ingest::RecordSource>> {
      // A lead known only from events is read from them, as batch reads the files.
      return StoredLeads(*store_, model.compiled.get(),
                         {.has_events = [this](std::string_view id) { return log_->HasEvents(id); },
                          .typed_id = true});
    };
    options.events_source = [this, &model]() -> Result<std::unique_ptr<ingest::RecordSource>> {
      return StoredEvents(*store_, model.compiled.get(), /*typed_ids=*/true);
    };
    options.events_unique = true;  // the log keeps the first of each event_id only
    options.on_progress = [&](const std::string& path, uint64_t done, uint64_t size) {
      if (path != "store:events" || size == 0) return;
      double share = (m + std::min(1.0, static_cast<double>(done) / size)) / set.models.size();
      std::lock_guard lock(mu_);
      progress_.done = static_cast<int64_t>(share * total);
    };
    auto t = Clock::now();
    LS_ASSIGN_OR_RETURN(auto batch, LoadBatch(model.compiled, options));
    Ranking ranking = RankLeads(*batch, 0);
    LS_ASSIGN_OR_RETURN(auto stored_rows, store_->ScoresOf(model.name));
    // Read on this thread, the only one that writes scores, so the writes after it keep it
    // equal to the store: loaded once per model (a million rows took 1.3 s).
    if (rankings_ && !rankings_->has(model.name)) rankings_->Load(model.name, stored_rows);
    read_s += since(t);
    t = Clock::now();
    std::unordered_map<std::string_view, const store::ScoreRow*> stored;
    stored.reserve(stored_rows.size());
    for (const auto& row : stored_rows) stored.emplace(row.lead_id, &row);
    std::vector<store::ScoreRow> changed;
    auto flush = [&]() -> Status {
      if (changed.empty()) return Status::Ok();
      auto w0 = Clock::now();
      auto apply = [&](store::Store& w) -> Status {
        LS_RETURN_IF_ERROR(DropDeleted(w, deletions, changed, nullptr));
        return w.PutScores(changed);
      };
      LS_RETURN_IF_ERROR(Write(apply));
      lead_cache_.UpdateScores(changed);
      if (rankings_) rankings_->Update(changed);
      written += changed.size();
      changed.clear();
      write_s += since(w0);
      return Status::Ok();
    };
    for (uint32_t i = 0; i < batch->leads.size(); ++i) {
      ModelScore now_score = ToModelScore(model, ranking.scores[i].ToScore());
      std::string_view id = batch->leads.id(i);
      auto it = stored.find(id);
      const store::ScoreRow* before = it == stored.end() ? nullptr : it->second;
      if (before && before->model_version == model.version && before->score == now_score.score &&
          before->fit == now_score.fit && before->engagement == now_score.engagement &&
          before->grade == now_score.grade && before->stage == now_score.stage) {
        continue;
      }
      std::optional<std::string> old_stage = before ? before->stage : std::nullopt;
      if (old_stage != now_score.stage) {
        stage_changed.emplace(id);  // scored again on its own, with its transition
        continue;
      }
      changed.push_back({model.name, std::string(id), model.version, now_score.score, now_score.fit,
                         now_score.engagement, now_score.grade, now_score.stage, now});
      // Fewer commits, each a wait for the disk; the writer is held about 0.1 s a chunk.
      if (changed.size() >= 20000) LS_RETURN_IF_ERROR(flush());
    }
    LS_RETURN_IF_ERROR(flush());
    compare_s += since(t);
    std::lock_guard lock(mu_);
    progress_.leads_scored += batch->leads.size();
  }
  compare_s -= write_s;
  const auto t = Clock::now();
  // The leads whose stage changed, with their transitions and webhooks.
  Work work;
  bool wrote = false;
  for (auto it = stage_changed.begin(); it != stage_changed.end();) {
    work.clear();
    for (; it != stage_changed.end() && work.size() < options_.chunk; ++it) {
      work.emplace_back(*it, cause);
    }
    LS_RETURN_IF_ERROR(ScoreChunk(work, wrote));
    if (wrote && after_commit_) after_commit_();
  }
  transitions_s = since(t);
  PrintToStderr(
      "leadscore: rescored {} leads ({}) in {:.1f} s: read and scored {:.1f} s, compared "
      "{:.1f} s, {} scores written {:.1f} s, {} stage changes {:.1f} s\n",
      total, cause, since(pass_start), read_s, compare_s, written, write_s, stage_changed.size(),
      transitions_s);
  std::lock_guard lock(mu_);
  progress_.done = total;
  return Status::Ok();
}

Status Rescorer::ScoreChunk(const Work& leads, bool& wrote_transitions) {
  wrote_transitions = false;
  auto set = models_();
  if (!set || set->models.empty()) return Status::Ok();
  // The time is taken before the reads: a stored score then never claims to have seen an
  // event that was committed after it was read (TransitionCause relies on it).
  const Timestamp now = now_();
  // The count first, then what the writer reported before it: a lead deleted before the
  // count was read is out of lead_cache_ and of the store's snapshot; one deleted after it
  // is caught in the write (DropDeleted).
  const uint64_t deletions = Deletions();
  MergePending();
  std::vector<Loaded> loaded;
  LS_RETURN_IF_ERROR(LoadDirty(leads, *set, loaded));
  LS_RETURN_IF_ERROR(ScoreLoaded(loaded, *set, now, deletions, wrote_transitions));
  for (const auto& [id, cause] : leads) {  // those not found too: nothing of theirs is ranked
    if (rerank_.empty()) break;
    rerank_.erase(id);
  }
  return Status::Ok();
}

void Rescorer::Run() {
  auto next_sweep =
      std::chrono::steady_clock::now() + std::chrono::microseconds(options_.sweep_interval);
  auto report = [](const Status& status) {
    PrintToStderr("leadscore: rescoring failed, will retry: {}\n", status.ToString());
  };
  while (true) {
    Work chunk;
    std::optional<std::string> pass;
    {
      std::unique_lock lock(mu_);
      busy_ = false;
      if (inbox_.empty() && dirty_.empty() && full_passes_.empty()) idle_cv_.notify_all();
      // dirty_ is this thread's own: reading it here is safe.
      auto has_work = [&] {
        return stopping_ || !inbox_.empty() || !dirty_.empty() || !full_passes_.empty();
      };
      if (options_.sweep_interval > 0) {
        if (!cv_.wait_until(lock, next_sweep, has_work)) {
          full_passes_.push_back("time");
          next_sweep =
              std::chrono::steady_clock::now() + std::chrono::microseconds(options_.sweep_interval);
        }
      } else {
        cv_.wait(lock, has_work);
      }
      if (stopping_) return;
      busy_ = true;
      if (inbox_.empty() && dirty_.empty()) {
        pass = full_passes_.front();
        full_passes_.pop_front();
        // Under way from the moment it leaves the queue: progress() would otherwise show the
        // last pass's counts while the leads are counted below (a PUT /v1/model answered
        // then showed the start pass, not its own).
        progress_.running = true;
        progress_.cause = *pass;
        progress_.total = progress_.done = 0;
      }
    }
    if (!pass) chunk = TakeDirty();
    bool wrote = false;
    if (!chunk.empty()) {
      Status status = ScoreChunk(chunk, wrote);
      if (!status.ok()) {
        report(status);
        Requeue(chunk);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      if (wrote && after_commit_) after_commit_();
      continue;
    }
    // A full pass, in pages of lead ids; dirty leads go first between pages.
    auto total = store_->CountLeads();
    {
      std::lock_guard lock(mu_);
      progress_.total = total ? *total : 0;
    }
    auto set = models_();
    Status status = set && !set->models.empty() ? BatchPass(*pass, *set) : Status::Ok();
    if (!status.ok()) {
      report(status);
      status = PagedPass(*pass);
      if (!status.ok()) report(status);
    }
    std::lock_guard lock(mu_);
    progress_.running = false;
    ++progress_.passes;
  }
}

}  // namespace leadscore::service
