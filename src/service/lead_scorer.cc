// LeadScorer: one lead's records -> the rows batch would read -> the batch Scorer path.
//
// What must stay true for Score to equal `leadscore score` on JSON Lines files holding the
// same records:
//  1. Records are parsed by JsonlParser, the batch JSON Lines parser, with the keys WantedKeys
//     gives batch, and converted by the same Converter (record_convert.h).
//  2. Event rows are judged in batch's order: rejected (no lead_id, no type, unreadable ts),
//     converted when a rule counts their type, deduped by event_id, then cut at as_of (the
//     cut applied when replaying, so that a parse serves every as-of time).
//  3. Events are applied in events_json order to a StateTable whose reference time is the
//     as-of time, with EventView::as_of the as-of time, as LoadBatch does.
#include "service/lead_scorer.h"

#include <algorithm>
#include <cassert>
#include <deque>
#include <unordered_set>

#include "engine/lead_state.h"
#include "engine/scorer.h"
#include "ingest/jsonl_parser.h"
#include "service/cell_texts.h"
#include "service/lead_table.h"
#include "service/next_steps.h"
#include "service/record_convert.h"
#include "service/stage_forecast.h"
#include "service/typed_ids.h"

namespace leadscore::service {
namespace {

constexpr const char* kAttributesFile = "attributes";
constexpr const char* kEventsFile = "events";

// Appends `text` to a Block as one line. A '\n' in valid JSON text can only be whitespace; it
// becomes '\r', which is whitespace too and, like '\n', invalid inside a string, so the text
// means the same and record i stays line i + 1.
void AppendLine(std::string& bytes, std::string_view text) {
  size_t start = bytes.size();
  bytes.append(text);
  std::replace(bytes.begin() + static_cast<std::ptrdiff_t>(start), bytes.end(), '\n', '\r');
  bytes.push_back('\n');
}

}  // namespace

class LeadScorer::Impl {
 public:
  explicit Impl(const engine::CompiledModel& model) : model_(model), scorer_(model) {
    std::vector<size_t> lead_index, event_index;
    auto lead_keys =
        WantedKeys({"lead_id"}, model.lead_fields(), lead_index, model.checked_lead_fields());
    auto event_keys = WantedKeys({"lead_id", "type", "ts", "event_id"}, model.event_fields(),
                                 event_index, model.checked_event_fields());
    // Ids from a CSV file, as conditions read them (EventBodyFor's typed_ids).
    typed_event_ids_ = TypedIds(event_keys, 4, event_index);
    lead_parser_ = std::make_unique<ingest::JsonlParser>(kAttributesFile, std::move(lead_keys));
    event_parser_ = std::make_unique<ingest::JsonlParser>(kEventsFile, std::move(event_keys));
    lead_converter_ = std::make_unique<Converter>(model.lead_fields(), std::move(lead_index), false,
                                                  kAttributesFile, model.checked_lead_fields());
    event_converter_ =
        std::make_unique<Converter>(model.event_fields(), std::move(event_index), false,
                                    kEventsFile, model.checked_event_fields());
    attributes_.resize(model.lead_fields().size());
  }

  // Parses the lead's records into attributes_ and events_ (the events that count, at any
  // time), reporting to errors_.
  void Read(const LeadRecords& lead) {
    lead_id_ = lead.lead_id;
    arena_.Reset();
    errors_.clear();
    std::fill(attributes_.begin(), attributes_.end(), Value::Null());
    if (lead.parsed) {
      assert(lead.parsed->model == &model_);
      events_ = lead.parsed;
    } else {
      ParseEvents(lead.events_json);
      events_ = &own_;
    }
    const std::string_view attributes =
        AttributesFor(lead.attributes_json, lead.cell_texts, &model_, attributes_scratch_);
    Parse(*lead_parser_, std::span<const std::string_view>(&attributes, 1), lead_sink_);
    errors_.insert(errors_.end(), events_->errors.begin(), events_->errors.end());
  }

  // own_ := the events of lead_id_ in `events_json`.
  void ParseEvents(std::span<const std::string> events_json) {
    own_.model = &model_;
    own_.events.clear();
    own_.properties.clear();
    own_.errors.clear();
    own_.records = events_json.size();
    seen_ids_.clear();
    // Events from a CSV file carry their cells' texts (cell_texts.h): written as the model
    // reads them.
    event_texts_.clear();
    event_scratch_texts_.clear();
    for (const std::string& text : events_json) {
      const auto [body, texts] = SplitEventText(text);
      event_texts_.push_back(texts.empty() ? body
                                           : EventBodyFor(body, texts, &model_,
                                                          event_scratch_texts_.emplace_back(),
                                                          /*typed_ids=*/true));
    }
    Parse(*event_parser_, event_texts_, event_sink_);
  }

  std::shared_ptr<const ParsedEvents> ParseForLater(std::string_view lead_id,
                                                    std::span<const std::string> events_json,
                                                    const ParsedEvents* before) {
    assert(!before || before->model == &model_);
    lead_id_ = lead_id;
    arena_.Reset();
    ParseEvents(events_json);
    return before ? ParsedEvents::Joined(*before, own_) : own_.Compacted();
  }

  // states_ := a fresh state at reference `as_of` with the events at or before it applied.
  void Replay(Timestamp as_of) {
    states_.emplace(model_, as_of);
    uint32_t row = states_->AddLead();
    const size_t num_props = model_.event_fields().size();
    const std::vector<Value>& properties = events_->properties;
    for (const ParsedEvents::Event& e : events_->events) {
      if (e.type_id < 0 || e.ts > as_of) continue;
      engine::EventView view{
          e.type_id, e.ts, std::span<const Value>(properties.data() + e.values, num_props), as_of};
      scorer_.Apply(*states_, row, view, attributes_);
    }
  }

  void Evaluate(AsOf as_of, bool explain, engine::Score& out) {
    scorer_.Evaluate(*states_, 0, attributes_, as_of, explain, out);
  }

  // The distinct times of the events read, up to `cut`, ascending.
  std::vector<Timestamp> EventTimes(Timestamp cut) const {
    std::vector<Timestamp> times;
    times.reserve(events_->events.size());
    for (const ParsedEvents::Event& e : events_->events) {
      if (e.ts <= cut) times.push_back(e.ts);
    }
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    return times;
  }

  // The events read up to `cut`, as NextSteps applies them again; they view events_.
  std::vector<PastEvent> PastEvents(Timestamp cut) const {
    std::vector<PastEvent> out;
    const size_t num_props = model_.event_fields().size();
    for (const ParsedEvents::Event& e : events_->events) {
      if (e.type_id < 0 || e.ts > cut) continue;
      const Value* values = events_->properties.data() + e.values;
      out.push_back({e.type_id, e.ts, std::vector<Value>(values, values + num_props)});
    }
    return out;
  }

  engine::Scorer& scorer() { return scorer_; }
  const engine::StateTable& states() const { return *states_; }
  std::span<const Value> attributes() const { return attributes_; }
  const std::vector<ingest::RowError>& errors() const { return errors_; }
  bool converts_leads() const { return lead_converter_->checks_anything(); }
  bool converts_events() const { return event_converter_->checks_anything(); }
  // Whether `body` may hold a declared event field: the last part of its name, then a quote,
  // is in it (`source"` for utm.source). Most events hold none (W1's hold none of its six declared
  // lead fields), and this spares them a parse.
  bool may_convert(std::string_view body) {
    if (declared_event_keys_.empty()) {
      for (const auto* list : {&model_.event_fields(), &model_.checked_event_fields()}) {
        for (const engine::FieldSlot& f : *list) {
          if (!f.declared) continue;
          const size_t dot = f.name.rfind('.');
          // `source"` ends both `"source"` in an object and the flat key `"utm.source"`.
          declared_event_keys_.push_back(f.name.substr(dot == std::string::npos ? 0 : dot + 1) +
                                         "\"");
        }
      }
      if (declared_event_keys_.empty()) declared_event_keys_.push_back("");  // none: always
    }
    // An escape in the body may spell a key otherwise: then parse.
    if (body.find('\\') != std::string_view::npos) return true;
    for (const std::string& key : declared_event_keys_) {
      if (body.find(key) != std::string_view::npos) return true;
    }
    return false;
  }

 private:
  // Forwards a parser's rows to OnLead/OnEvent.
  class Sink : public ingest::RowSink {
   public:
    using OnRowFn = void (Impl::*)(uint64_t, std::span<const Value>);
    Sink(Impl* impl, OnRowFn on_row, std::vector<ingest::RowError>* errors)
        : impl_(impl), on_row_(on_row), errors_(errors) {}
    void OnRow(uint64_t line, std::span<const Value> values) override {
      (impl_->*on_row_)(line, values);
    }
    void OnError(ingest::RowError error) override {
      ingest::NoteRowSkipped(error);
      errors_->push_back(std::move(error));
    }
    // A number out of a double's range, read as null: reported as a conversion is.
    void OnWarning(ingest::RowError warning) override { errors_->push_back(std::move(warning)); }

   private:
    Impl* impl_;
    OnRowFn on_row_;
    std::vector<ingest::RowError>* errors_;
  };

  template <class Texts>
  void Parse(ingest::JsonlParser& parser, const Texts& texts, Sink& sink) {
    size_t total = 0;
    for (const auto& text : texts) total += text.size() + 1;
    block_.bytes.clear();
    // The spare capacity is simdjson's padding, so that the parser reads the Block in place.
    block_.bytes.reserve(total + simdjson::SIMDJSON_PADDING);
    for (const auto& text : texts) AppendLine(block_.bytes, text);
    block_.first_line = 1;
    block_.index = 0;
    parser.Parse(block_, sink);
  }

  Value Keep(const Value& v) { return v.is_string() ? Value::String(arena_.Copy(v.str())) : v; }

  void OnLead(uint64_t line, std::span<const Value> values) {
    raw_.assign(values.begin(), values.end());
    // The lead_id a lead condition reads, as batch reads it and the start-up pass too
    // (store_source.cc, AppendLeadLine): the attributes' own, as it was sent (the number 1000,
    // the CSV cell 007 as 7). None: null for a lead known only from events; the id's text for
    // a lead with neither attributes nor events (known from an outcome), as the pass reads it.
    if (raw_[0].is_null() && events_->records == 0) raw_[0] = Value::String(lead_id_);
    auto row = lead_converter_->Convert(raw_, line, errors_);
    for (size_t i = 0; i < row.size(); ++i) attributes_[i] = Keep(row[i]);
  }

  void OnEvent(uint64_t line, std::span<const Value> values) {
    std::vector<ingest::RowError>& errors = own_.errors;
    auto reject = [&](const char* field, std::string message) {
      errors.push_back({kEventsFile, line, field, std::move(message) + "; row skipped"});
    };
    std::string_view lead_id, type, event_id;
    if (!IdText(values[0], lead_scratch_, lead_id)) {
      return reject("lead_id", NoIdReason(values[0], "lead_id"));
    }
    if (!IdText(values[1], type_scratch_, type)) {
      return reject("type", NoIdReason(values[1], "event type"));
    }
    std::string problem;
    std::optional<Timestamp> ts = EventTime(values[2], problem);
    if (!ts) return reject("ts", std::move(problem));
    const int type_id = model_.EventTypeId(type);
    std::span<const Value> props;
    if (type_id >= 0 || event_converter_->checks_anything()) {
      // Reports what does not convert.
      props = event_converter_->Convert(typed_event_ids_.For(values), line, errors);
    }
    // Dedupe over all good rows, before the as-of cut (SCORING.md, "Batch output").
    if (IdText(values[3], event_scratch_, event_id)) {
      if (seen_ids_.contains(event_id)) return;
      seen_ids_.insert(arena_.Copy(event_id));
    }
    if (lead_id != lead_id_) {
      errors.push_back({kEventsFile, line, "lead_id",
                        "an event of lead \"" + Shown(Value::String(lead_id)) + "\", not \"" +
                            Shown(Value::String(lead_id_)) + "\"; left out"});
      return;
    }
    own_.events.push_back({*ts, type_id, static_cast<uint32_t>(own_.properties.size())});
    if (type_id >= 0) {
      for (const Value& v : props) own_.properties.push_back(Keep(v));
    }
  }

  const engine::CompiledModel& model_;
  engine::Scorer scorer_;
  std::unique_ptr<ingest::JsonlParser> lead_parser_, event_parser_;
  std::unique_ptr<Converter> lead_converter_, event_converter_;
  std::vector<std::string> declared_event_keys_;  // may_convert's, made on first use
  TypedIds typed_event_ids_;
  Sink lead_sink_{this, &Impl::OnLead, &errors_};
  Sink event_sink_{this, &Impl::OnEvent, &own_.errors};
  ingest::Block block_;
  std::string lead_scratch_, type_scratch_, event_scratch_, attributes_scratch_;
  std::vector<std::string_view> event_texts_;    // the events parsed, texts written in
  std::deque<std::string> event_scratch_texts_;  // where they were written (stable addresses)
  std::vector<Value> raw_;

  // The lead of the current call; strings in arena_.
  std::string_view lead_id_;
  Arena arena_;
  std::vector<Value> attributes_;
  ParsedEvents own_;                    // parsed by this call (strings in arena_)
  const ParsedEvents* events_ = &own_;  // own_ or the caller's
  std::unordered_set<std::string_view> seen_ids_;
  std::vector<ingest::RowError> errors_;
  std::optional<engine::StateTable> states_;
};

LeadScorer::LeadScorer(std::shared_ptr<const engine::CompiledModel> model)
    : model_(std::move(model)), impl_(std::make_unique<Impl>(*model_)) {}

LeadScorer::~LeadScorer() = default;

engine::Score LeadScorer::Score(const LeadRecords& lead, AsOf as_of, bool explain) {
  impl_->Read(lead);
  impl_->Replay(as_of.time);
  engine::Score out;
  impl_->Evaluate(as_of, explain, out);
  return out;
}

std::vector<std::pair<Timestamp, engine::Score>> LeadScorer::History(
    const LeadRecords& lead, AsOf as_of, size_t limit, std::optional<Timestamp> before,
    size_t* earlier) {
  impl_->Read(lead);
  std::vector<Timestamp> times = impl_->EventTimes(as_of.time);
  if (before) times.erase(std::lower_bound(times.begin(), times.end(), *before), times.end());
  const size_t skipped = times.size() > limit ? times.size() - limit : 0;
  times.erase(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(skipped));
  if (earlier) *earlier = skipped;
  std::vector<std::pair<Timestamp, engine::Score>> points;
  points.reserve(times.size());
  for (Timestamp t : times) {
    // Each point is its own as-of run: the state's reference time and days_since() are t.
    impl_->Replay(t);
    points.emplace_back(t, engine::Score{});
    impl_->Evaluate(AsOf{t}, false, points.back().second);
  }
  return points;
}

std::optional<Timestamp> LeadScorer::FirstTimeAtStage(const LeadRecords& lead, AsOf as_of,
                                                      int stage) {
  impl_->Read(lead);
  engine::Score score;
  for (Timestamp t : impl_->EventTimes(as_of.time)) {
    impl_->Replay(t);
    impl_->Evaluate(AsOf{t}, false, score);
    if (score.stage >= stage) return t;
  }
  return std::nullopt;
}

std::optional<Timestamp> LeadScorer::StageChangeTime(const LeadRecords& lead, AsOf as_of) {
  impl_->Read(lead);
  impl_->Replay(as_of.time);
  const std::vector<PastEvent> past =
      ReadsAsOfInMatching(*model_) ? impl_->PastEvents(as_of.time) : std::vector<PastEvent>{};
  return service::StageChangeTime(impl_->scorer(), impl_->states(), 0, impl_->attributes(),
                                  as_of.time, past);
}

std::vector<NextStep> LeadScorer::NextSteps(const LeadRecords& lead, AsOf as_of) {
  impl_->Read(lead);
  impl_->Replay(as_of.time);
  engine::Score now;
  impl_->Evaluate(as_of, false, now);
  if (static_cast<size_t>(now.stage + 1) >= model_->stages().size()) return {};
  return service::NextSteps(impl_->scorer(), impl_->states(), 0, lead.lead_id, impl_->attributes(),
                            impl_->PastEvents(as_of.time), as_of, now.stage + 1);
}

std::shared_ptr<const ParsedEvents> LeadScorer::Parse(std::string_view lead_id,
                                                      std::span<const std::string> events_json,
                                                      const ParsedEvents* before) {
  return impl_->ParseForLater(lead_id, events_json, before);
}

void LeadScorer::Check(const LeadRecords& lead) { impl_->Read(lead); }

bool LeadScorer::ConvertsLeads() const { return impl_->converts_leads(); }

bool LeadScorer::ConvertsEvents() const { return impl_->converts_events(); }

bool LeadScorer::EventMayConvert(std::string_view event_json) {
  return impl_->may_convert(event_json);
}

const std::vector<ingest::RowError>& LeadScorer::errors() const { return impl_->errors(); }

}  // namespace leadscore::service
