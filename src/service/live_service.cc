#include "service/live_service.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <future>
#include <map>
#include <tuple>
#include <unordered_map>

#include "core/print_stderr.h"
#include "core/read_file.h"
#include "service/cell_texts.h"
#include "service/event_reader.h"
#include "service/record_convert.h"
#include "service/tokens.h"

namespace leadscore::service {

Timestamp LiveService::Now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<LiveService>> LiveService::Start(const LiveOptions& options) {
  std::unique_ptr<LiveService> service(new LiveService());
  service->options_ = options;
  // Opening the first connection runs the migrations; the others find the schema current.
  LS_ASSIGN_OR_RETURN(service->admin_,
                      store::Store::Open(options.db, {.durable = options.durable}));
  LS_ASSIGN_OR_RETURN(
      service->readers_,
      StorePool::Open(options.db, std::max<size_t>(options.readers, 1), options.durable));
  LS_ASSIGN_OR_RETURN(service->event_log_,
                      EventLog::Load(*service->admin_, {.on_progress = options.on_load_progress}));
  service->event_cache_ = std::make_unique<ParsedEventCache>(options.event_cache_bytes);
  {
    std::lock_guard lock(service->admin_mu_);
    LS_RETURN_IF_ERROR(service->LoadModels());
  }
  if (!options.predictive_path.empty()) {
    LS_ASSIGN_OR_RETURN(service->predictor_, LeadPredictor::Load(options.predictive_path));
  }
  if (!options.model_path.empty()) {
    LS_RETURN_IF_ERROR(service->ActivateFile(options.model_path, options.model_role));
  }
  LiveService* self = service.get();
  // The rescorer reads right after the writer's commits: no map of the file (OpenConnection),
  // as the readers (StorePool).
  LS_ASSIGN_OR_RETURN(
      auto rescore_store,
      store::Store::Open(options.db,
                         {.durable = options.durable, .migrate = false, .map_file = false}));
  service->rescorer_ = std::make_unique<Rescorer>(
      std::move(rescore_store), service->event_log_, [self] { return self->models(); },
      &LiveService::Now, options.on_transition,
      RescorerOptions{.sweep_interval = options.sweep_interval,
                      .lead_cache_bytes = options.event_cache_bytes / 4});
  if (options.after_transitions) service->rescorer_->set_after_commit(options.after_transitions);
  service->rescorer_->set_event_cache(service->event_cache_.get());
  service->rescorer_->set_rankings(&service->rankings_);
  // The writer's commits never stop for a checkpoint of the log (sqlite_checkpointer.h).
  LS_ASSIGN_OR_RETURN(auto write_store,
                      store::Store::Open(options.db, {.durable = options.durable,
                                                      .migrate = false,
                                                      .background_checkpoints = true}));
  service->writer_ = std::make_unique<WriteQueue>(
      std::move(write_store), service->event_log_, &LiveService::Now, [self](Committed&& c) {
        // Deletions first: a lead deleted and created again in one group is rescored.
        self->rescorer_->Forget(std::move(c.deleted_leads));
        self->rescorer_->MarkDirty(std::move(c.attribute_leads), "attributes");
        self->rescorer_->MarkDirty(std::move(c.event_leads), "event");
      });
  self->rescorer_->set_writer([self](const std::function<Status(store::Store&)>& apply) {
    WriteRequest request;
    request.custom = apply;
    return self->writer_->Submit(std::move(request)).get().status;
  });
  self->rescorer_->set_deletions([self] { return self->writer_->deletions(); });
  // Scores written before a crash may miss the last writes: one pass puts every lead right.
  service->rescorer_->RescoreAll("start");
  service->warmer_ = std::jthread([self](std::stop_token stop) { self->WarmEventCache(stop); });
  return service;
}

LiveService::~LiveService() { Stop(); }

void LiveService::Stop() {
  if (warmer_.joinable()) {
    warmer_.request_stop();
    warmer_.join();
  }
  if (writer_) writer_->Stop();
  if (rescorer_) rescorer_->Stop();
}

Status LiveService::LoadModels() {
  uint64_t generation;
  {
    std::lock_guard lock(models_mu_);
    generation = models_ ? models_->generation + 1 : 1;
  }
  LS_ASSIGN_OR_RETURN(auto set, LoadModelSet(*admin_, generation));
  std::lock_guard lock(models_mu_);
  models_ = std::move(set);
  return Status::Ok();
}

std::shared_ptr<const ModelSet> LiveService::models() const {
  std::lock_guard lock(models_mu_);
  return models_;
}

Status LiveService::ActivateFile(const std::string& path, const std::string& role) {
  LS_ASSIGN_OR_RETURN(const std::string yaml, ReadWholeFile(path, "a model file"));
  LS_ASSIGN_OR_RETURN(auto compiled, CompileModelYaml(yaml, path));
  return StatusOf(Activate(yaml, compiled->spec().name, role));
}

Result<ModelInfo> LiveService::Activate(const std::string& yaml, const std::string& name,
                                        const std::string& role) {
  // The primary stays primary until another model takes its place: a PUT of its text with
  // ?role=shadow would otherwise leave the service with no primary, its webhooks silent.
  if (auto set = models(); const ActiveModel* active = set ? set->Find(name) : nullptr) {
    if (active->role == "primary" && role != "primary") {
      return Error(FailedPrecondition(fmt::format(
          "`{}` is the primary model and stays primary until another model is put as primary "
          "(PUT /v1/model?role=primary with that model's YAML): a {} `{}` would leave no primary",
          name, role, name)));
    }
  }
  // The text of the active version again (a restart with the same --model, a PUT sent twice):
  // no new version, and no rescoring, since every score would come out the same.
  if (auto set = models(); const ActiveModel* active = set ? set->Find(name) : nullptr) {
    std::lock_guard lock(admin_mu_);
    LS_ASSIGN_OR_RETURN(auto row, admin_->GetModel(name, active->version));
    if (row && row->yaml == yaml) {
      ModelInfo same{name, active->version, role, yaml};
      if (active->role == role) return same;
      // The same text in another role.
      LS_RETURN_IF_ERROR(admin_->ActivateModel(name, active->version, role, Now()));
      LS_RETURN_IF_ERROR(LoadModels());
      return same;
    }
  }
  return StoreAndActivate(yaml, name, role);
}

Result<ModelInfo> LiveService::StoreAndActivate(const std::string& yaml, const std::string& name,
                                                const std::string& role) {
  int64_t version = 0;
  {
    // The reload under the same lock: it reads admin_ too, and two activations' reloads must
    // swap in their sets in the order of their commits, the last commit's set last.
    std::lock_guard lock(admin_mu_);
    Status status = admin_->Transaction([&]() -> Status {
      LS_ASSIGN_OR_RETURN(version, admin_->InsertModel(name, yaml, Now()));
      return admin_->ActivateModel(name, version, role, Now());
    });
    LS_RETURN_IF_ERROR(status);
    LS_RETURN_IF_ERROR(LoadModels());
  }
  if (rescorer_) rescorer_->RescoreAll("model");
  return ModelInfo{name, version, role, yaml};
}

Status LiveService::ValidateModel(const std::string& yaml) {
  return StatusOf(CompileModelYaml(yaml, "model"));
}

Result<ModelInfo> LiveService::ActivateModel(const std::string& yaml, const std::string& role) {
  if (!IsModelRole(role)) {
    return Error(InvalidArgument("role must be primary, live or shadow, not \"" + role + "\""));
  }
  LS_ASSIGN_OR_RETURN(auto compiled, CompileModelYaml(yaml, "model"));
  if (compiled->spec().name.empty()) {
    return Error(InvalidArgument("the model needs a `name` to be stored"));
  }
  return Activate(yaml, compiled->spec().name, role);
}

Result<std::vector<ModelInfo>> LiveService::ModelVersions(const std::string& name) {
  auto lease = readers_->Acquire();
  LS_ASSIGN_OR_RETURN(auto rows, lease->ModelVersions(name));
  std::vector<ModelInfo> out;
  for (auto& r : rows) out.push_back({r.name, r.version, r.role, std::move(r.yaml)});
  return out;
}

// ---- writes --------------------------------------------------------------------------------

namespace {

// The values of `request` that an active model reads as null because they do not convert to
// the type it declares (SCORING.md, "Records": reported, and null), in `score`'s words. The
// record is stored as sent; a model that declares nothing costs no parse.
// With more than one active model, each warning names the models it is of ("; model m2", or
// "; models m1, m2" when they read the value alike), as each may declare the field otherwise.
void NoteUnconverted(const ModelSet& set, const WriteRequest& request, Rejections& warnings) {
  // (index, field, message) -> the models that said it, in the set's order.
  std::map<std::tuple<size_t, std::string, std::string>, std::vector<std::string>> noted;
  const ActiveModel* current = nullptr;
  auto note = [&](size_t index, const std::vector<ingest::RowError>& errors) {
    for (const ingest::RowError& e : errors) {
      std::vector<std::string>& models = noted[{index, e.field, e.message}];
      if (models.empty() || models.back() != current->name) models.push_back(current->name);
    }
  };
  for (const ActiveModel& model : set.models) {
    current = &model;
    LeadScorer& scorer = ThreadScorer(model.compiled);
    if (scorer.ConvertsLeads()) {
      for (const LeadInput& lead : request.leads) {
        const std::string attributes = lead.attributes.dump();
        const std::string cell_texts = lead.cell_texts.is_object() ? lead.cell_texts.dump() : "";
        scorer.Check({.lead_id = lead.lead_id,
                      .attributes_json = attributes,
                      .events_json = {},
                      .cell_texts = cell_texts});
        note(lead.index, scorer.errors());
      }
    }
    if (scorer.ConvertsEvents()) {
      std::string text;
      for (const EventInput& e : request.events) {
        if (!scorer.EventMayConvert(e.body) && e.cell_texts.empty()) continue;
        const std::string& event =
            e.cell_texts.empty() ? e.body : (text = EventText(e.body, e.cell_texts));
        scorer.Check(
            {.lead_id = e.lead_id, .attributes_json = {}, .events_json = std::span(&event, 1)});
        note(e.index, scorer.errors());
      }
    }
  }
  for (auto& [key, models] : noted) {
    auto& [index, field, message] = key;
    std::string reason = message;
    if (set.models.size() > 1) {
      reason += fmt::format("; model{} {}", models.size() > 1 ? "s" : "", fmt::join(models, ", "));
    }
    warnings.push_back({index, field, std::move(reason)});
  }
}

}  // namespace

void LiveService::WriteAsync(WriteRequest request, IngestReport report, IngestDone done) {
  NoteUnconverted(*models(), request, report.warnings);
  const size_t events = request.events.size();
  writer_->Submit(std::move(request), [this, events, report = std::move(report),
                                       done = std::move(done)](WriteResult result) mutable {
    if (!result.status.ok()) return done(Error(std::move(result.status)));
    for (size_t i = 0; i < events; ++i) {
      if (result.event_stored[i]) {
        ++report.accepted;
      } else {
        ++report.duplicates;
      }
    }
    events_ingested_ += report.accepted;
    done(std::move(report));
  });
}

void LiveService::SendEventsAsync(std::string_view body, IngestDone done) {
  IngestReport report;
  auto objects = SplitObjects(body, report.rejected);
  if (!objects) return done(Error(objects.error()));
  report.received = objects->size();
  WriteRequest request;
  request.events.reserve(objects->size());
  EventReader reader;
  for (size_t i = 0; i < objects->size(); ++i) {
    if ((*objects)[i].empty()) continue;  // rejected while splitting
    EventInput e;
    if (reader.Read(std::move((*objects)[i]), i, e, report.rejected)) {
      request.events.push_back(std::move(e));
    }
  }
  if (request.events.empty()) return done(std::move(report));
  WriteAsync(std::move(request), std::move(report), std::move(done));
}

Result<IngestReport> LiveService::Write(WriteRequest request, IngestReport report) {
  std::promise<Result<IngestReport>> promise;
  auto future = promise.get_future();
  WriteAsync(std::move(request), std::move(report),
             [&promise](Result<IngestReport> written) { promise.set_value(std::move(written)); });
  return future.get();
}

void LiveService::UpsertLeadsAsync(std::string_view body, IngestDone done) {
  IngestReport report;
  std::vector<std::vector<OutOfRangeNumber>> out_of_range;
  auto objects = SplitBody(body, report.rejected, &out_of_range);
  if (!objects) return done(Error(objects.error()));
  report.received = objects->size();
  WriteRequest request;
  // A body is read as a file is: the first record of a lead counts and a later one is
  // rejected (SCORING.md, "Batch output"), so that a leads file sent as one body stores what
  // `leadscore score` reads from it. Another request updates the lead.
  std::unordered_map<std::string, size_t> first_index;
  // The records' texts, split only for a lead_id that the parsed record may hold otherwise
  // than it was written (an integer beyond 64 bits): rare, and they align with `objects`.
  std::optional<std::vector<std::string>> texts;
  for (size_t i = 0; i < objects->size(); ++i) {
    const RecordJson& object = (*objects)[i];
    if (object.is_null()) continue;
    if (!NoteOutOfRange(object, i, out_of_range[i], report.rejected, report.warnings)) continue;
    std::string_view text;
    if (auto id = object.find("lead_id"); id != object.end() && MayBeWrittenOtherwise(*id)) {
      if (!texts) texts = AlignedObjectTexts(body, objects->size());
      if (i < texts->size()) text = (*texts)[i];
    }
    LeadInput lead;
    if (!ReadLead(object, i, lead, report.rejected, LeadShape::kApi, text)) continue;
    auto [first, inserted] = first_index.try_emplace(lead.lead_id, i);
    if (!inserted) {
      report.rejected.push_back(
          {i, "lead_id",
           fmt::format("lead_id \"{}\" already in this request at index {}; record skipped (the "
                       "first counts, as in a file; send it again in another request to update "
                       "the lead)",
                       lead.lead_id, first->second)});
      continue;
    }
    request.leads.push_back(std::move(lead));
  }
  report.accepted = request.leads.size();
  if (request.leads.empty()) return done(std::move(report));
  WriteAsync(std::move(request), std::move(report), std::move(done));
}

Status LiveService::RecordOutcome(store::OutcomeRow outcome) {
  WriteRequest request;
  request.outcomes.push_back(std::move(outcome));
  return writer_->Submit(std::move(request)).get().status;
}

// ---- reads ---------------------------------------------------------------------------------

Status LiveService::CatchUpWithOtherWriters(store::Store& reader) {
  LS_ASSIGN_OR_RETURN(const int64_t last, reader.LastEventSeq());
  if (last <= event_log_->last_seq()) return Status::Ok();
  // Through the writer, the log's one writer here (EventLog, invariant 1). Behind also for the
  // moment between a commit of the writer's own and its indexing; then this finds nothing.
  WriteRequest request;
  request.custom = [log = event_log_](store::Store& store) { return log->CatchUp(store); };
  return writer_->Submit(std::move(request)).get().status;
}

// One read of a lead's committed events: parsed for each model from the cache when it holds
// them, the bodies read from the store at most once otherwise.
class LiveService::EventsRead {
 public:
  EventsRead(store::Store& store, ParsedEventCache& cache, const EventLog& log,
             std::string_view lead_id)
      : store_(store), cache_(cache), lead_id_(lead_id), seqs_(log.SeqsOf(lead_id)) {}

  size_t count() const { return seqs_.size(); }

  Result<const std::vector<std::string>*> Bodies() {
    if (!bodies_) {
      LS_ASSIGN_OR_RETURN(auto rows, store_.EventsBySeq(seqs_));
      bodies_.emplace();
      bodies_->reserve(rows.size());
      for (auto& e : rows) bodies_->push_back(EventText(std::move(e)));
    }
    return &*bodies_;
  }

  Result<std::shared_ptr<const ParsedEvents>> Parsed(const ActiveModel& model) {
    auto found = cache_.Find(model.compiled.get(), lead_id_, seqs_);
    if (found.events && found.count == seqs_.size()) return found.events;
    std::shared_ptr<const ParsedEvents> parsed;
    if (found.events) {  // events appended since: only those are read and parsed
      LS_ASSIGN_OR_RETURN(auto rows, store_.EventsBySeq(std::span(seqs_).subspan(found.count)));
      std::vector<std::string> newer;
      newer.reserve(rows.size());
      for (auto& e : rows) newer.push_back(EventText(std::move(e)));
      parsed = ThreadScorer(model.compiled).Parse(lead_id_, newer, found.events.get());
    } else {
      LS_ASSIGN_OR_RETURN(const std::vector<std::string>* bodies, Bodies());
      parsed = ThreadScorer(model.compiled).Parse(lead_id_, *bodies);
    }
    if (!seqs_.empty()) cache_.Put(model.compiled, lead_id_, seqs_.size(), seqs_.back(), parsed);
    return parsed;
  }

 private:
  store::Store& store_;
  ParsedEventCache& cache_;
  std::string_view lead_id_;
  std::vector<int64_t> seqs_;
  std::optional<std::vector<std::string>> bodies_;
};

void LiveService::WarmEventCache(std::stop_token stop) {
  const size_t budget = options_.event_cache_bytes / 4 * 3;
  if (budget == 0) return;
  // After the start-up pass: beside it, the warm-up took half a core from it (1M leads: 20.7 s
  // rather than 18.8 s), and the pass reads every lead's events anyway.
  while (rescorer_->progress().passes == 0) {
    if (stop.stop_requested()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto start = std::chrono::steady_clock::now();
  size_t leads = 0, events_parsed = 0;
  for (const std::string& id : event_log_->BusiestLeads(budget / 512, /*min_events=*/1)) {
    if (stop.stop_requested() || event_cache_->stats().bytes >= budget) break;
    auto set = models();
    if (set->models.empty()) break;  // nothing to parse for
    auto lease = readers_->Acquire();
    EventsRead events(*lease, *event_cache_, *event_log_, id);
    bool read = true;
    for (const ActiveModel& model : set->models) read = read && events.Parsed(model).has_value();
    if (!read) break;  // reads parse on demand
    ++leads;
    events_parsed += events.count();
  }
  if (leads == 0) return;
  PrintToStderr(
      "leadscore: parsed the events of the {} busiest leads ahead of their reads ({} "
      "events, {:.0f} MB, {:.1f} s)\n",
      leads, events_parsed, event_cache_->stats().bytes / 1e6,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

Result<std::optional<LeadView>> LiveService::GetLead(const std::string& lead_id,
                                                     std::optional<Timestamp> as_of, bool explain,
                                                     bool forecast, bool next_steps) {
  // No stored id holds NUL (record_convert.h), and PostgreSQL would read this one cut at it.
  if (HoldsNul(lead_id)) return std::optional<LeadView>();
  auto set = models();
  auto lease = readers_->Acquire();
  LS_RETURN_IF_ERROR(CatchUpWithOtherWriters(*lease));
  LS_ASSIGN_OR_RETURN(auto lead, lease->GetLead(lead_id));
  if (!lead) return std::optional<LeadView>();
  EventsRead events(*lease, *event_cache_, *event_log_, lead_id);
  LeadView view{std::move(*lead), events.count(), AsOf{as_of.value_or(Now())}, {}};
  for (const ActiveModel& model : set->models) {
    LS_ASSIGN_OR_RETURN(auto parsed, events.Parsed(model));
    view.scores.push_back(
        ScoreStored(model, view.lead, *parsed, view.as_of, explain, forecast, next_steps));
  }
  if (predictor_) {
    LS_ASSIGN_OR_RETURN(const std::vector<std::string>* bodies, events.Bodies());
    LS_ASSIGN_OR_RETURN(view.predictive, predictor_->Predict(view.lead, *bodies, view.as_of.time));
  }
  return std::optional<LeadView>(std::move(view));
}

Result<std::vector<std::pair<Timestamp, ModelScore>>> LiveService::ScoreHistory(
    const std::string& lead_id, const std::string& model_name, Timestamp as_of, size_t limit,
    std::optional<Timestamp> before, size_t* earlier) {
  auto set = models();
  const ActiveModel* model = model_name.empty() ? set->primary() : set->Find(model_name);
  if (!model) return Error(NotFound("no active model named \"" + model_name + "\""));
  if (HoldsNul(lead_id)) return Error(NotFound("no lead holds U+0000 (NUL) in its id"));
  auto lease = readers_->Acquire();
  LS_RETURN_IF_ERROR(CatchUpWithOtherWriters(*lease));
  LS_ASSIGN_OR_RETURN(auto lead, lease->GetLead(lead_id));
  if (!lead) return Error(NotFound("no lead \"" + lead_id + "\""));
  EventsRead events(*lease, *event_cache_, *event_log_, lead_id);
  LS_ASSIGN_OR_RETURN(auto parsed, events.Parsed(*model));
  LeadScorer& scorer = ThreadScorer(model->compiled);
  auto points = scorer.History(
      LeadRecords{lead->lead_id, lead->attributes, {}, parsed.get(), lead->cell_texts}, AsOf{as_of},
      limit, before, earlier);
  std::vector<std::pair<Timestamp, ModelScore>> out;
  for (const auto& [ts, s] : points) out.emplace_back(ts, ToModelScore(*model, s));
  return out;
}

Result<std::vector<store::TransitionRow>> LiveService::Transitions(const std::string& lead_id) {
  if (HoldsNul(lead_id)) return std::vector<store::TransitionRow>{};
  auto lease = readers_->Acquire();
  return lease->LeadTransitions(lead_id);
}

Result<std::vector<store::EventRow>> LiveService::Events(const std::string& lead_id,
                                                         int64_t after_seq, size_t limit) {
  if (HoldsNul(lead_id)) return Error(NotFound("no lead holds U+0000 (NUL) in its id"));
  auto lease = readers_->Acquire();
  LS_RETURN_IF_ERROR(CatchUpWithOtherWriters(*lease));
  LS_ASSIGN_OR_RETURN(auto events, event_log_->LeadEvents(*lease, lead_id, after_seq, limit));
  if (events.empty()) LS_RETURN_IF_ERROR(LeadIsStored(*lease, lead_id));
  return events;
}

Result<std::vector<store::OutcomeRow>> LiveService::Outcomes(const std::string& lead_id) {
  if (HoldsNul(lead_id)) return Error(NotFound("no lead holds U+0000 (NUL) in its id"));
  auto lease = readers_->Acquire();
  LS_ASSIGN_OR_RETURN(auto outcomes, lease->LeadOutcomes(lead_id));
  if (outcomes.empty()) LS_RETURN_IF_ERROR(LeadIsStored(*lease, lead_id));
  return outcomes;
}

Status LiveService::LeadIsStored(store::Store& store, const std::string& lead_id) {
  LS_ASSIGN_OR_RETURN(auto lead, store.GetLead(lead_id));
  if (!lead) return NotFound("no lead \"" + lead_id + "\"");
  return Status::Ok();
}

Result<std::vector<store::ScoreRow>> LiveService::ListLeads(store::ScoreFilter filter) {
  if (filter.model.empty()) {
    auto set = models();
    if (!set->primary()) return std::vector<store::ScoreRow>{};
    filter.model = set->primary()->name;
  }
  auto lease = readers_->Acquire();
  auto attribute_check = [&](std::span<const std::string> ids) {
    return lease->LeadsWithAttribute(ids, filter.attribute->first, filter.attribute->second);
  };
  LS_ASSIGN_OR_RETURN(auto ranked, rankings_.List(filter, attribute_check));
  if (ranked) return std::move(*ranked);
  return lease->ListScores(filter);  // no ranking yet: the store scans
}

Result<bool> LiveService::DeleteLead(const std::string& lead_id) {
  if (HoldsNul(lead_id)) return false;
  // Through the writer, so that it is ordered with the writes before and after it.
  WriteRequest request;
  request.delete_leads.push_back(lead_id);
  auto result = writer_->Submit(std::move(request)).get();
  LS_RETURN_IF_ERROR(result.status);
  return result.leads_deleted > 0;
}

Result<std::optional<std::string>> LiveService::TokenScope(const std::string& token) {
  std::string hash = HashToken(token);
  {
    std::lock_guard lock(tokens_mu_);
    auto it = token_scopes_.find(hash);
    if (it != token_scopes_.end()) return std::optional<std::string>(it->second);
  }
  auto lease = readers_->Acquire();
  LS_ASSIGN_OR_RETURN(auto row, lease->FindToken(hash));
  if (!row) return std::optional<std::string>();
  std::lock_guard lock(tokens_mu_);
  token_scopes_[hash] = row->scope;
  return std::optional<std::string>(row->scope);
}

Result<std::vector<store::DeliveryRow>> LiveService::Deliveries(const std::string& status,
                                                                int64_t limit, int64_t before) {
  auto lease = readers_->Acquire();
  return lease->Deliveries(status, limit, before);
}

}  // namespace leadscore::service
