// Segment's HTTP tracking API shapes, so an existing Segment or RudderStack pipeline (or any
// of their SDKs, pointed at this server) feeds leadscore without code:
//   POST /v1/identify {userId|anonymousId, traits, timestamp?, messageId?}  -> lead upsert
//   POST /v1/track    {userId|anonymousId, event, properties, timestamp, messageId} -> event
//   POST /v1/batch    {"batch": [{"type": "identify" | "track", ...}, ...]}
// A track becomes {"lead_id": userId, "type": event, "ts": timestamp, "event_id": messageId,
// ...properties}; properties named like those four keys are ignored. The write key is the
// Basic-auth user name, as Segment's SDKs send it.
#include "server/http_server.h"
#include "server/http_util.h"
#include "server/lead_json.h"
#include "service/record_convert.h"
#include "service/record_json.h"

namespace leadscore::server {
namespace {

using json = nlohmann::ordered_json;  // keys in the order they came (record_input.h)

bool UserId(const json& message, std::string& out) {
  for (const char* key : {"userId", "anonymousId"}) {
    auto it = message.find(key);
    if (it != message.end() && service::JsonIdText(*it, out)) return true;
  }
  return false;
}

// Adds one Segment message to `request`; false (with a rejection) when it cannot be used.
bool ReadMessage(const json& message, const std::string& type, size_t index,
                 service::WriteRequest& request, service::Rejections& rejected) {
  if (!message.is_object()) {
    rejected.push_back({index, "", "not a JSON object"});
    return false;
  }
  std::string user;
  if (!UserId(message, user)) {
    rejected.push_back({index, "userId", "missing userId (or anonymousId)"});
    return false;
  }
  if (service::HoldsNul(user)) {
    rejected.push_back({index, "userId", service::NulReason("userId")});
    return false;
  }
  if (service::TooLongToStore(user)) {
    rejected.push_back({index, "userId", service::TooLongReason("userId", user.size())});
    return false;
  }
  if (type == "identify") {
    service::LeadInput lead;
    lead.index = index;
    lead.lead_id = user;
    auto traits = message.find("traits");
    lead.attributes = traits != message.end() && traits->is_object() ? *traits : json::object();
    lead.attributes["lead_id"] = user;  // as a lead posted to /v1/leads keeps it
    request.leads.push_back(std::move(lead));
    return true;
  }
  if (type != "track") {
    rejected.push_back(
        {index, "type", "only identify and track messages are used, not \"" + type + "\""});
    return false;
  }
  json event = json::object();
  event["lead_id"] = user;
  auto name = message.find("event");
  if (name == message.end()) {
    rejected.push_back({index, "event", "missing event name"});
    return false;
  }
  event["type"] = *name;
  auto ts = message.find("timestamp");
  if (ts == message.end()) ts = message.find("sentAt");
  event["ts"] = ts == message.end() ? json(FormatTimestamp(service::LiveService::Now())) : *ts;
  if (auto id = message.find("messageId"); id != message.end()) event["event_id"] = *id;
  if (auto props = message.find("properties"); props != message.end() && props->is_object()) {
    for (const auto& [key, value] : props->items()) {
      if (!event.contains(key)) event[key] = value;
    }
  }
  service::EventInput input;
  if (!service::ReadEvent(event, index, input, rejected)) return false;
  request.events.push_back(std::move(input));
  return true;
}

// Answered once the messages are committed (see RouteAsync).
void Ingest(service::LiveService& live, const std::vector<std::pair<json, std::string>>& messages,
            const Respond& respond) {
  service::IngestReport report;
  service::WriteRequest request;
  report.received = messages.size();
  size_t leads = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    size_t before = request.leads.size();
    ReadMessage(messages[i].first, messages[i].second, i, request, report.rejected);
    leads += request.leads.size() - before;
  }
  live.WriteAsync(std::move(request), std::move(report),
                  [leads, respond](Result<service::IngestReport> written) {
                    // The answer is built on the connection's thread, not the writer's.
                    respond.Later([leads, written = std::move(written)](HttpResponse& res) {
                      if (!written) return SendStatus(res, written.error());
                      service::IngestReport answer = *written;
                      answer.accepted += leads;
                      json body = IngestJson(answer);
                      body["success"] = answer.rejected.empty();
                      const bool none =
                          answer.accepted + answer.duplicates == 0 && !answer.rejected.empty();
                      SendJson(res, none ? 400 : 200, body);
                    });
                  });
}

void Refuse(const Respond& respond, const std::string& detail, const std::string& field = "") {
  HttpResponse res;
  SendProblem(res, 400, detail, field);
  respond(std::move(res));
}

void Single(service::LiveService& live, const std::string& type, const HttpRequest& req,
            const Respond& respond) {
  json message = service::ParseRecordJson<json>(req.body, nullptr);  // 1e999 as null, as batch
  if (!message.is_object()) return Refuse(respond, "the body must be a JSON object");
  Ingest(live, {{std::move(message), type}}, respond);
}

}  // namespace

void AddSegmentRoutes(HttpServer& server) {
  service::LiveService& live = server.context().live;
  server.RouteAsync(
      "POST", "/v1/identify", "/v1/identify", "write",
      [&live](const HttpRequest& req, Respond respond) { Single(live, "identify", req, respond); });
  server.RouteAsync(
      "POST", "/v1/track", "/v1/track", "write",
      [&live](const HttpRequest& req, Respond respond) { Single(live, "track", req, respond); });
  server.RouteAsync(
      "POST", "/v1/batch", "/v1/batch", "write", [&live](const HttpRequest& req, Respond respond) {
        json body = service::ParseRecordJson<json>(req.body, nullptr);
        if (!body.is_object() || !body.contains("batch") || !body["batch"].is_array()) {
          return Refuse(respond, "the body must be {\"batch\": [messages]}", "batch");
        }
        // As POST /v1/events answers an empty array: a body with no record is a 400.
        if (body["batch"].empty()) {
          return Refuse(respond, "the batch holds no message (an empty array)", "batch");
        }
        std::vector<std::pair<json, std::string>> messages;
        for (auto& m : body["batch"]) {
          std::string type = m.is_object() && m.contains("type") && m["type"].is_string()
                                 ? m["type"].get<std::string>()
                                 : "";
          messages.emplace_back(std::move(m), type);
        }
        Ingest(live, messages, respond);
      });
}

}  // namespace leadscore::server
