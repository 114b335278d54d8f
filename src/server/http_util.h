// Small helpers every route uses: JSON answers, problem documents (RFC 7807), query values.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/status.h"
#include "core/time.h"

namespace leadscore::server {

void SendJson(httplib::Response& res, int status, const nlohmann::json& body);

// A problem document: {"type","title","status","detail", "field"?}.
void SendProblem(httplib::Response& res, int status, const std::string& detail,
                 const std::string& field = "");

// The HTTP status a failed Status maps to (400, 404, 409, 412, 503, 500).
int HttpStatusFor(StatusCode code);
void SendStatus(httplib::Response& res, const Status& status);

// A query parameter, if present.
std::optional<std::string> Query(const httplib::Request& req, const char* name);
// A time parameter (`as_of`): ISO-8601 or Unix seconds. Sends 400 and returns false when bad.
bool QueryTime(const httplib::Request& req, httplib::Response& res, const char* name,
               std::optional<Timestamp>& out);
bool QueryNumber(const httplib::Request& req, httplib::Response& res, const char* name,
                 std::optional<double>& out);

}  // namespace leadscore::server
