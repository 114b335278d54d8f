#include "service/rescorer.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "engine/rounding.h"
#include "service/lead_view.h"

namespace leadscore::service {

Rescorer::Rescorer(std::unique_ptr<store::Store> store,
                   std::function<std::shared_ptr<const ModelSet>()> models, Timestamp (*now)(),
                   TransitionHook on_transition, RescorerOptions options)
    : store_(std::move(store)),
      models_(std::move(models)),
      now_(now),
      on_transition_(std::move(on_transition)),
      options_(options) {
  thread_ = std::thread([this] { Run(); });
}

Rescorer::~Rescorer() { Stop(); }

void Rescorer::MarkDirty(const std::vector<std::string>& lead_ids, const std::string& cause) {
  if (lead_ids.empty()) return;
  {
    std::lock_guard lock(mu_);
    for (const auto& id : lead_ids) dirty_.insert_or_assign(id, cause);
  }
  cv_.notify_one();
}

void Rescorer::Requeue(const Work& work) {
  std::lock_guard lock(mu_);
  for (const auto& [id, cause] : work) dirty_.emplace(id, cause);  // a newer cause wins
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
  idle_cv_.wait(lock,
                [&] { return stopping_ || (!busy_ && dirty_.empty() && full_passes_.empty()); });
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
  return progress_;
}

Rescorer::Work Rescorer::TakeDirty() {
  Work out;
  while (!dirty_.empty() && out.size() < options_.chunk) {
    auto node = dirty_.extract(dirty_.begin());
    out.emplace_back(std::move(node.key()), std::move(node.mapped()));
  }
  return out;
}

Status Rescorer::ScoreChunk(const Work& leads, bool& wrote_transitions) {
  wrote_transitions = false;
  auto set = models_();
  if (!set || set->models.empty()) return Status::Ok();
  const Timestamp now = now_();
  store::Store& s = *store_;
  // Read and score here; the writes go to the writer as one closure (one commit with the
  // ingest writes around it, no second writer waiting on the database lock).
  std::vector<store::ScoreRow> scores;
  std::vector<std::pair<store::TransitionRow, bool>> transitions;  // with "fires actions"
  std::vector<std::string> bodies;
  for (const auto& [id, cause] : leads) {
    LS_ASSIGN_OR_RETURN(auto lead, s.GetLead(id));
    if (!lead) continue;  // deleted meanwhile
    LS_ASSIGN_OR_RETURN(auto events, s.LeadEvents(id));
    bodies.clear();
    for (auto& e : events) bodies.push_back(std::move(e.body));
    std::string lead_cause = cause;
    if (cause == "event" && !events.empty()) {
      const auto& last = events.back();
      lead_cause =
          "event:" + (last.event_id.empty() ? fmt::format("seq {}", last.seq) : last.event_id);
    }
    for (const ActiveModel& model : set->models) {
      ModelScore now_score = ScoreStored(model, *lead, bodies, AsOf{now}, false, false);
      LS_ASSIGN_OR_RETURN(auto stored, s.GetScore(model.name, id));
      bool same = stored && stored->model_version == model.version &&
                  stored->score == now_score.score && stored->fit == now_score.fit &&
                  stored->engagement == now_score.engagement && stored->grade == now_score.grade &&
                  stored->stage == now_score.stage;
      if (same) continue;
      std::optional<std::string> before = stored ? stored->stage : std::nullopt;
      scores.push_back({model.name, id, model.version, now_score.score, now_score.fit,
                        now_score.engagement, now_score.grade, now_score.stage, now});
      if (before == now_score.stage) continue;
      ModelScore explained = ScoreStored(model, *lead, bodies, AsOf{now}, true, false);
      nlohmann::json reasons = nlohmann::json::array();
      for (const auto& [rule, points] : explained.reasons) {
        reasons.push_back(nlohmann::json{{"rule", rule}, {"points", engine::Round2(points)}});
      }
      transitions.push_back(
          {store::TransitionRow{0, id, model.name, model.version, before, now_score.stage,
                                now_score.score, now, lead_cause, reasons.dump()},
           model.fires_actions()});
    }
  }
  if (!scores.empty()) {
    auto apply = [&](store::Store& w) -> Status {
      for (const auto& row : scores) LS_RETURN_IF_ERROR(w.PutScore(row));
      for (auto& [t, fires] : transitions) {
        LS_RETURN_IF_ERROR(w.InsertTransition(t));
        if (on_transition_) LS_RETURN_IF_ERROR(on_transition_(w, t, fires));
      }
      return Status::Ok();
    };
    LS_RETURN_IF_ERROR(write_ ? write_(apply) : s.Transaction([&] { return apply(s); }));
  }
  std::lock_guard lock(mu_);
  progress_.leads_scored += leads.size();
  progress_.transitions += transitions.size();
  wrote_transitions = !transitions.empty();
  return Status::Ok();
}

void Rescorer::Run() {
  auto next_sweep =
      std::chrono::steady_clock::now() + std::chrono::microseconds(options_.sweep_interval);
  auto report = [](const Status& status) {
    fmt::print(stderr, "leadscore: rescoring failed, will retry: {}\n", status.ToString());
  };
  while (true) {
    Work chunk;
    std::optional<std::string> pass;
    {
      std::unique_lock lock(mu_);
      busy_ = false;
      if (dirty_.empty() && full_passes_.empty()) idle_cv_.notify_all();
      auto has_work = [&] { return stopping_ || !dirty_.empty() || !full_passes_.empty(); };
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
      if (!dirty_.empty()) {
        chunk = TakeDirty();
      } else {
        pass = full_passes_.front();
        full_passes_.pop_front();
      }
    }
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
      progress_.running = true;
      progress_.cause = *pass;
      progress_.total = total ? *total : 0;
      progress_.done = 0;
    }
    std::string after;
    while (true) {
      {
        std::lock_guard lock(mu_);
        if (stopping_) return;
      }
      auto ids = store_->LeadIds(after, static_cast<int64_t>(options_.chunk));
      if (!ids) {
        report(ids.error());
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      if (ids->empty()) break;
      Work page;
      for (auto& id : *ids) page.emplace_back(id, *pass);
      Status status = ScoreChunk(page, wrote);
      if (!status.ok()) {
        report(status);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      if (wrote && after_commit_) after_commit_();
      after = ids->back();
      Work urgent;
      {
        std::lock_guard lock(mu_);
        progress_.done += static_cast<int64_t>(ids->size());
        urgent = TakeDirty();
      }
      if (!urgent.empty()) {
        Status u = ScoreChunk(urgent, wrote);
        if (!u.ok()) Requeue(urgent);
        if (wrote && after_commit_) after_commit_();
      }
    }
    std::lock_guard lock(mu_);
    progress_.running = false;
    ++progress_.passes;
  }
}

}  // namespace leadscore::service
