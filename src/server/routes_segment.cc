// Segment's HTTP tracking API shapes, so an existing Segment or RudderStack pipeline (or any
// of their SDKs, pointed at this server) feeds leadscore without code:
//   POST /v1/identify {userId|anonymousId, traits, timestamp?, messageId?}  -> lead upsert
//   POST /v1/track    {userId|anonymousId, event, properties, timestamp, messageId} -> event
//   POST /v1/batch    {"batch": [{"type": "identify" | "track", ...}, ...]}
// A track becomes {"lead_id": userId, "type": event, "ts": timestamp, "event_id": messageId,
// ...properties}; properties named like those four keys are ignored. The write key is the
// Basic-auth user name, as Segment's SDKs send it.
#include <fmt/format.h>

#include <optional>

#include "ingest/jsonl_parser.h"
#include "server/http_server.h"
#include "server/http_util.h"
#include "server/lead_json.h"
#include "service/record_convert.h"
#include "service/record_json.h"

namespace leadscore::server {
namespace {

using json = nlohmann::ordered_json;  // keys in the order they came (record_input.h)

// A message of a request: its JSON, or (discarded) why it could not be read, and the numbers
// out of range it held, read as null (by their keys' dotted path: `traits.size`).
struct Message {
  json body;
  std::string type;
  std::string unreadable;
  std::vector<service::OutOfRangeNumber> out_of_range;
};

// The key the user's id was found under (userId first), or nullptr.
const char* UserId(const json& message, std::string& out) {
  for (const char* key : {"userId", "anonymousId"}) {
    auto it = message.find(key);
    if (it != message.end() && service::JsonIdText(*it, out)) return key;
  }
  return nullptr;
}

// The reason a message's `key`, an id or a time it cannot go without, is unusable when it was
// a number out of range, read as null; empty when it was not.
std::string OutOfRangeReason(const Message& in, std::string_view key) {
  const service::OutOfRangeNumber* number = service::IdOutOfRange(in.body, in.out_of_range, key);
  return number ? number->Reason() : "";
}

// Warns of each number out of range of a message that was used, as /v1/leads does.
void WarnOutOfRange(const Message& in, size_t index, service::Rejections& warnings) {
  for (const service::OutOfRangeNumber& number : in.out_of_range) {
    warnings.push_back({index, number.key, number.Message()});
  }
}

// Reads one Segment message into `request`; false (with a rejection) when it cannot be used.
bool ReadMessageFields(const Message& in, size_t index, service::WriteRequest& request,
                       service::Rejections& rejected) {
  const json& message = in.body;
  const std::string& type = in.type;
  if (!message.is_object()) {
    rejected.push_back(
        {index, "", message.is_discarded() ? in.unreadable : std::string("not a JSON object")});
    return false;
  }
  std::string user;
  const char* user_key = UserId(message, user);
  if (!user_key) {
    for (const char* key : {"userId", "anonymousId"}) {
      if (std::string reason = OutOfRangeReason(in, key); !reason.empty()) {
        rejected.push_back({index, key, std::move(reason)});
        return false;
      }
    }
    rejected.push_back({index, "userId", "missing userId (or anonymousId)"});
    return false;
  }
  if (service::HoldsNul(user)) {
    rejected.push_back({index, user_key, service::NulReason(user_key)});
    return false;
  }
  if (service::TooLongToStore(user)) {
    rejected.push_back({index, user_key, service::TooLongReason(user_key, user.size())});
    return false;
  }
  // Segment's traits and properties are objects: another value would be dropped unseen.
  for (const char* key : {"traits", "properties"}) {
    auto value = message.find(key);
    if (value != message.end() && !value->is_object() && !value->is_null()) {
      rejected.push_back(
          {index, key,
           fmt::format("{} must be an object, not {}", key,
                       value->dump(-1, ' ', false, json::error_handler_t::replace))});
      return false;
    }
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
  if (std::string reason = OutOfRangeReason(in, "event"); !reason.empty()) {
    rejected.push_back({index, "event", std::move(reason)});
    return false;
  }
  if (name == message.end()) {
    rejected.push_back({index, "event", "missing event name"});
    return false;
  }
  event["type"] = *name;
  // Segment's `timestamp`, else the client's `originalTimestamp` (RudderStack's SDKs send it
  // without a `timestamp`), else when the batch was sent.
  const char* ts_key = "timestamp";
  auto ts = message.find(ts_key);
  for (const char* other : {"originalTimestamp", "sentAt"}) {
    if (ts == message.end()) ts = message.find(ts_key = other);
  }
  // A time out of range is no time: refused, not taken as now (as an outcome's is).
  if (std::string reason = OutOfRangeReason(in, ts_key); !reason.empty()) {
    rejected.push_back({index, ts_key, std::move(reason)});
    return false;
  }
  event["ts"] = ts == message.end() ? json(FormatTimestamp(service::LiveService::Now())) : *ts;
  if (auto id = message.find("messageId"); id != message.end()) event["event_id"] = *id;
  if (auto props = message.find("properties"); props != message.end() && props->is_object()) {
    for (const auto& [key, value] : props->items()) {
      if (!event.contains(key)) event[key] = value;
    }
  }
  service::EventInput input;
  service::Rejections refused;
  if (!service::ReadEvent(event, index, input, refused)) {
    // Named by the key the message gave it under.
    for (service::Rejection r : refused.Listed()) {
      if (r.field == "lead_id") r.field = user_key;
      if (r.field == "type") r.field = "event";
      if (r.field == "event_id") r.field = "messageId";
      if (r.field == "ts") r.field = ts_key;
      rejected.push_back(std::move(r));
    }
    return false;
  }
  request.events.push_back(std::move(input));
  return true;
}

// Adds one Segment message to `request`; false (with a rejection) when it cannot be used.
bool ReadMessage(const Message& in, size_t index, service::WriteRequest& request,
                 service::Rejections& rejected, service::Rejections& warnings) {
  if (!ReadMessageFields(in, index, request, rejected)) return false;
  WarnOutOfRange(in, index, warnings);
  return true;
}

// Answered once the messages are committed (see RouteAsync).
void Ingest(service::LiveService& live, const std::vector<Message>& messages,
            const Respond& respond) {
  service::IngestReport report;
  service::WriteRequest request;
  report.received = messages.size();
  size_t leads = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    size_t before = request.leads.size();
    ReadMessage(messages[i], i, request, report.rejected, report.warnings);
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

// The message's type as it names it; empty when it names none.
std::string TypeOf(const json& message) {
  auto type = message.is_object() ? message.find("type") : message.end();
  return type != message.end() && type->is_string() ? type->get<std::string>() : "";
}

void Single(service::LiveService& live, const std::string& type, const HttpRequest& req,
            const Respond& respond) {
  const std::string_view body = service::WithoutByteOrderMark(req.body);
  std::vector<service::OutOfRangeNumber> numbers;
  json message = service::ParseRecordJson<json>(body, &numbers);  // 1e999 as null, as batch
  if (message.is_discarded()) {
    return Refuse(respond, "the body must be a JSON object: " + ingest::DescribeInvalidJson(body));
  }
  if (!message.is_object()) return Refuse(respond, "the body must be a JSON object");
  Ingest(live, {{std::move(message), type, "", std::move(numbers)}}, respond);
}

// The messages of a /v1/batch body; nullopt when it holds no batch array.
std::optional<std::vector<Message>> BatchMessages(std::string_view body) {
  std::vector<service::OutOfRangeNumber> numbers;
  json parsed = service::ParseRecordJson<json>(body, &numbers);
  std::vector<Message> messages;
  const bool is_batch =
      parsed.is_object() && parsed.contains("batch") && parsed["batch"].is_array();
  if (is_batch && numbers.empty()) {
    for (auto& m : parsed["batch"]) {
      std::string type = TypeOf(m);
      messages.push_back({std::move(m), std::move(type), "", {}});
    }
    return messages;
  }
  // The messages one by one when a number out of range is to be told to its own message, or
  // when the body is well-formed but nested too deep somewhere, so that one too deep is
  // rejected alone, as a record of an array sent to /v1/events is.
  if (!is_batch && (!parsed.is_discarded() || !json::accept(body))) return std::nullopt;
  auto elements = service::ReadArrayElements(body, "batch");
  if (!elements) return std::nullopt;
  for (service::ArrayElement& e : *elements) {
    std::string type = TypeOf(e.value);
    messages.push_back(
        {std::move(e.value), std::move(type), std::move(e.unreadable), std::move(e.out_of_range)});
  }
  return messages;
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
        std::optional<std::vector<Message>> messages =
            BatchMessages(service::WithoutByteOrderMark(req.body));
        if (!messages) return Refuse(respond, "the body must be {\"batch\": [messages]}", "batch");
        // As POST /v1/events answers an empty array: a body with no record is a 400.
        if (messages->empty()) {
          return Refuse(respond, "the batch holds no message (an empty array)", "batch");
        }
        Ingest(live, *messages, respond);
      });
}

}  // namespace leadscore::server
