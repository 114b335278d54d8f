#include "server/lead_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "engine/rounding.h"
#include "service/record_json.h"

namespace leadscore::server {

using json = ViewJson;

json TimeJson(std::optional<Timestamp> ts) {
  if (!ts) return nullptr;
  return FormatTimestamp(*ts);
}

namespace {
json OptionalText(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return *s;
}
}  // namespace

json ModelScoreJson(const service::ModelScore& s) {
  json reasons = json::array();
  for (const auto& [rule, points] : s.reasons) {
    reasons.push_back({{"rule", rule}, {"points", engine::Round2(points)}});
  }
  json out = {{"score", s.score},
              {"fit", s.fit},
              {"engagement", s.engagement},
              {"grade", OptionalText(s.grade)},
              {"stage", OptionalText(s.stage)},
              {"reasons", reasons},
              {"model", s.model},
              {"model_version", s.version},
              {"role", s.role}};
  out["stage_change_at"] = s.stage ? TimeJson(s.stage_change_at) : json(nullptr);
  if (s.next_stage) {
    json steps = json::array();
    for (const service::NextStep& step : s.next_steps) {
      json properties = json::object();
      for (const auto& [name, value] : step.properties) properties[name] = json::parse(value);
      json item = step.is_event ? json{{"event", step.event_type},
                                       {"properties", std::move(properties)},
                                       {"rules", step.rules}}
                                : json{{"attribute", step.properties[0].first},
                                       {"value", json::parse(step.properties[0].second)}};
      item["score"] = engine::Round2(step.score);
      item["stage"] = step.stage_id;
      steps.push_back(std::move(item));
    }
    out["next_stage"] = *s.next_stage;
    out["next_steps"] = std::move(steps);
  }
  return out;
}

json LeadJson(const service::LeadView& view, const std::string& model) {
  json out = {{"lead_id", view.lead.lead_id}};
  json scores = json::object();
  const service::ModelScore* top = nullptr;
  for (const auto& s : view.scores) {
    scores[s.model] = ModelScoreJson(s);
    if (!top && (model.empty() || s.model == model)) top = &s;
  }
  if (top) {
    json values = ModelScoreJson(*top);  // items() of a temporary would dangle
    for (auto& [key, value] : values.items()) out[key] = value;
  } else {
    out["score"] = nullptr;  // no model active
  }
  // Read in time linear in the keys (ordered_json's own parse looks each key up as it adds it).
  json attributes = service::ParseRecordJson<json>(view.lead.attributes, nullptr);
  if (!attributes.is_object()) attributes = json::object();
  attributes.erase("lead_id");  // stored as sent for scoring; shown once, above
  out["attributes"] = std::move(attributes);
  out["event_count"] = view.events;
  out["as_of"] = FormatTimestamp(view.as_of.time);
  out["created_at"] = FormatTimestamp(view.lead.created_at);
  out["updated_at"] = FormatTimestamp(view.lead.updated_at);
  out["scores"] = scores;
  if (view.predictive) {
    json reasons = json::array();
    for (const auto& [feature, value] : view.predictive->reasons) {
      reasons.push_back({{"feature", feature}, {"value", std::round(value * 1e4) / 1e4}});
    }
    out["predictive"] = {{"probability", std::round(view.predictive->probability * 1e4) / 1e4},
                         {"reasons", reasons}};
  }
  return out;
}

json ScoreRowJson(const store::ScoreRow& r) {
  return {{"lead_id", r.lead_id},
          {"score", r.score},
          {"fit", r.fit},
          {"engagement", r.engagement},
          {"grade", OptionalText(r.grade)},
          {"stage", OptionalText(r.stage)},
          {"model", r.model},
          {"model_version", r.model_version},
          {"scored_at", FormatTimestamp(r.scored_at)}};
}

json TransitionJson(const store::TransitionRow& t) {
  json reasons = json::parse(t.explanation, nullptr, false);
  return {{"id", t.id},
          {"lead_id", t.lead_id},
          {"model", t.model},
          {"model_version", t.model_version},
          {"from_stage", OptionalText(t.from_stage)},
          {"to_stage", OptionalText(t.to_stage)},
          {"score", t.score},
          {"at", FormatTimestamp(t.at)},
          {"cause", t.cause},
          {"reasons", reasons.is_discarded() ? json::array() : reasons}};
}

json EventJson(const store::EventRow& e) {
  // A number out of a double's range (stored as sent) shows as null, as scoring reads it.
  json body = service::ParseRecordJson<json>(e.body, nullptr);
  return {{"seq", e.seq},
          {"received_at", FormatTimestamp(e.received_at)},
          {"event", body.is_discarded() ? json(e.body) : body}};
}

std::string EventText(const store::EventRow& e) {
  // The stored text as it is when it reads whole: a parse would turn a whole number of 2^64 or
  // more (an id, as written) into a double. A number out of range in it shows as null.
  std::vector<service::OutOfRangeNumber> out_of_range;
  // (A text that parses is UTF-8: nlohmann checks it.)
  if (service::ParseRecordJson<json>(e.body, &out_of_range).is_discarded()) {
    return EventJson(e).dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return fmt::format(R"({{"seq":{},"received_at":"{}","event":{}}})", e.seq,
                     FormatTimestamp(e.received_at),
                     out_of_range.empty() ? e.body : service::OutOfRangeAsNull(e.body));
}

json OutcomeJson(const store::OutcomeRow& o) {
  json out = {{"id", o.id},
              {"lead_id", o.lead_id},
              {"outcome", o.kind},
              {"at", FormatTimestamp(o.ts)},
              {"recorded_at", FormatTimestamp(o.recorded_at)}};
  out["value"] = o.value ? json(*o.value) : json(nullptr);
  return out;
}

json DeliveryJson(const store::DeliveryRow& d) {
  json payload = json::parse(d.payload, nullptr, false);
  return {{"id", d.id},
          {"webhook", d.webhook},
          {"lead_id", d.lead_id},
          {"status", d.status},
          {"attempts", d.attempts},
          {"last_error", d.last_error},
          {"idempotency_key", d.idempotency_key},
          {"created_at", FormatTimestamp(d.created_at)},
          {"next_attempt_at", FormatTimestamp(d.next_attempt_at)},
          {"delivered_at", TimeJson(d.delivered_at)},
          {"payload", payload.is_discarded() ? json(d.payload) : payload}};
}

namespace {

// The first service::kListedRejections of `all` by index; how many more, in `omitted`.
json RejectionsJson(const service::Rejections& all, size_t& omitted) {
  json items = json::array();
  const std::vector<service::Rejection> listed = all.Listed();  // by index
  for (const auto& r : listed) {
    json item = {{"index", r.index}};
    if (!r.field.empty()) item["field"] = r.field;
    item["reason"] = r.message;
    items.push_back(std::move(item));
  }
  omitted = all.size() - listed.size();
  return items;
}

}  // namespace

json IngestJson(const service::IngestReport& report) {
  size_t omitted = 0;
  json out = {{"received", report.received},
              {"accepted", report.accepted},
              {"duplicates", report.duplicates},
              {"rejected", report.rejected.size()},
              {"errors", RejectionsJson(report.rejected, omitted)}};
  if (omitted != 0) out["errors_omitted"] = omitted;
  // Values taken but null to a model (not of its declared type): only when there are any.
  if (!report.warnings.empty()) {
    out["warnings"] = RejectionsJson(report.warnings, omitted);
    if (omitted != 0) out["warnings_omitted"] = omitted;
  }
  return out;
}

}  // namespace leadscore::server
