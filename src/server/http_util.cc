#include "server/http_util.h"

#include <charconv>
#include <cmath>

namespace leadscore::server {
namespace {

const char* Title(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return status >= 500 ? "Server Error" : "Client Error";
  }
}

}  // namespace

void SendJson(HttpResponse& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

nlohmann::json ProblemBody(int status, std::string_view detail) {
  // Model diagnostics come one per line, the last one ended too.
  while (!detail.empty() && detail.back() == '\n') detail.remove_suffix(1);
  return {
      {"type", "about:blank"}, {"title", Title(status)}, {"status", status}, {"detail", detail}};
}

void SendProblem(HttpResponse& res, int status, const std::string& detail,
                 const std::string& field) {
  nlohmann::json body = ProblemBody(status, detail);
  if (!field.empty()) body["field"] = field;
  SendProblemBody(res, body);
}

void SendProblemBody(HttpResponse& res, const nlohmann::json& body) {
  res.status = body["status"].get<int>();
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/problem+json");
}

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 412;
    case StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

void SendStatus(HttpResponse& res, const Status& status) {
  SendProblem(res, HttpStatusFor(status.code()), status.message());
}

std::optional<std::string> Query(const HttpRequest& req, const char* name) {
  return req.param(name);
}

bool QueryTime(const HttpRequest& req, HttpResponse& res, const char* name,
               std::optional<Timestamp>& out) {
  auto text = Query(req, name);
  if (!text) return true;
  out = ParseTimestamp(*text);
  if (!out) {
    SendProblem(res, 400, "cannot read \"" + *text + "\" as a time (ISO-8601 or Unix seconds)",
                name);
    return false;
  }
  return true;
}

bool QueryNumber(const HttpRequest& req, HttpResponse& res, const char* name,
                 std::optional<double>& out) {
  auto text = Query(req, name);
  if (!text) return true;
  double value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || !std::isfinite(value)) {
    SendProblem(res, 400, "\"" + *text + "\" is not a number", name);
    return false;
  }
  out = value;
  return true;
}

std::optional<PageQuery> QueryPage(const HttpRequest& req, HttpResponse& res,
                                   int64_t default_limit) {
  std::optional<double> limit, cursor;
  if (!QueryNumber(req, res, "limit", limit) || !QueryNumber(req, res, "cursor", cursor)) {
    return std::nullopt;
  }
  if (limit && (*limit < 1 || *limit > 1000 || *limit != std::floor(*limit))) {
    SendProblem(res, 400, "limit must be a whole number from 1 to 1000", "limit");
    return std::nullopt;
  }
  // 2^62: far above any id or seq a store gives, and exact in a double.
  if (cursor && (*cursor < 1 || *cursor > 0x1p62 || *cursor != std::floor(*cursor))) {
    SendProblem(res, 400, "cursor must be a next_cursor this route gave", "cursor");
    return std::nullopt;
  }
  PageQuery page;
  page.limit = limit ? static_cast<int64_t>(*limit) : default_limit;
  if (cursor) page.cursor = static_cast<int64_t>(*cursor);
  return page;
}

bool QueryBool(const HttpRequest& req, HttpResponse& res, const char* name, bool& out) {
  auto text = Query(req, name);
  out = false;
  if (!text) return true;
  if (*text != "true" && *text != "false") {
    SendProblem(res, 400, "\"" + *text + "\" is not true or false", name);
    return false;
  }
  out = *text == "true";
  return true;
}

}  // namespace leadscore::server
