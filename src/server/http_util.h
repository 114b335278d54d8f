// Small helpers every route uses: JSON answers, problem documents (RFC 7807), query values.
#pragma once

#include <concepts>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"
#include "server/http_message.h"

namespace leadscore::server {

void SendJson(HttpResponse& res, int status, const nlohmann::json& body);
// A document whose keys keep the order they were written in. A template, so that a braced list
// (`SendJson(res, 200, {{"a", 1}})`) still means the nlohmann::json above.
template <class Json>
requires std::same_as<Json, nlohmann::ordered_json>
void SendJson(HttpResponse& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

// A problem document: {"type","title","status","detail", "field"?}.
void SendProblem(HttpResponse& res, int status, const std::string& detail,
                 const std::string& field = "");

// The members of a problem document for `status` and `detail` (trailing newlines dropped), for a
// route that adds its own (RFC 7807 extension members); SendProblemBody sends one.
nlohmann::json ProblemBody(int status, std::string_view detail);
void SendProblemBody(HttpResponse& res, const nlohmann::json& body);

// The HTTP status a failed Status maps to (400, 404, 409, 412, 503, 500).
int HttpStatusFor(StatusCode code);
void SendStatus(HttpResponse& res, const Status& status);

// A query parameter, if present.
std::optional<std::string> Query(const HttpRequest& req, const char* name);
// A time parameter (`as_of`): ISO-8601 or Unix seconds. Sends 400 and returns false when bad.
bool QueryTime(const HttpRequest& req, HttpResponse& res, const char* name,
               std::optional<Timestamp>& out);
bool QueryNumber(const HttpRequest& req, HttpResponse& res, const char* name,
                 std::optional<double>& out);
// `limit` (a whole number from 1 to 1000, absent: `default_limit`) and `cursor` (a next_cursor
// the route gave: a whole number from 1) of a paged list. Sends 400 and returns nullopt when bad.
struct PageQuery {
  int64_t limit = 0;
  std::optional<int64_t> cursor;
};
std::optional<PageQuery> QueryPage(const HttpRequest& req, HttpResponse& res,
                                   int64_t default_limit);
// A boolean parameter: true or false (absent: false). Sends 400 and returns false when bad.
bool QueryBool(const HttpRequest& req, HttpResponse& res, const char* name, bool& out);

}  // namespace leadscore::server
