// The models: GET /v1/model, POST /v1/model/validate, PUT /v1/model, GET /v1/models/{name}.
#include "server/http_server.h"
#include "server/http_util.h"
#include "server/lead_json.h"
#include "service/live_models.h"

namespace leadscore::server {
namespace {

using nlohmann::json;

json ProgressJson(const service::RescoreProgress& p) {
  return {{"running", p.running}, {"cause", p.cause},   {"total", p.total},
          {"done", p.done},       {"passes", p.passes}, {"leads_scored", p.leads_scored}};
}

}  // namespace

void AddModelRoutes(HttpServer& server) {
  service::LiveService& live = server.context().live;

  server.Route(
      "GET", "/v1/model", "/v1/model", "read", [&live](const HttpRequest& req, HttpResponse& res) {
        auto set = live.models();
        json models = json::array();
        for (const auto& m : set->models) {
          auto versions = live.ModelVersions(m.name);
          std::string yaml;
          if (versions) {
            for (const auto& v : *versions) {
              if (v.version == m.version) yaml = v.yaml;
            }
          }
          models.push_back(
              {{"name", m.name}, {"version", m.version}, {"role", m.role}, {"yaml", yaml}});
        }
        // The primary first, when there is one (a service started with only a shadow has none).
        json primary =
            !models.empty() && models[0]["role"] == "primary" ? models[0] : json(nullptr);
        SendJson(res, 200,
                 {{"primary", primary},
                  {"models", models},
                  {"rescoring", ProgressJson(live.progress())}});
      });

  server.Route("POST", "/v1/model/validate", "/v1/model/validate", "read",
               [&live](const HttpRequest& req, HttpResponse& res) {
                 Status status = live.ValidateModel(req.body);
                 if (status.ok())
                   return SendJson(res, 200, {{"valid", true}, {"errors", json::array()}});
                 json errors = json::array();
                 std::string message = status.message();
                 size_t start = 0;
                 while (start < message.size()) {
                   size_t end = message.find('\n', start);
                   if (end == std::string::npos) end = message.size();
                   if (end > start) errors.push_back(message.substr(start, end - start));
                   start = end + 1;
                 }
                 // A problem document, as every error is, with the problems one by one.
                 json body = ProblemBody(422, message);
                 body["valid"] = false;
                 body["errors"] = errors;
                 SendProblemBody(res, body);
               });

  // The body is the model's YAML; ?role=primary|live|shadow (default primary).
  server.Route("PUT", "/v1/model", "/v1/model", "admin",
               [&live](const HttpRequest& req, HttpResponse& res) {
                 std::string role = Query(req, "role").value_or("primary");
                 // A bad query value is the parameter's 400, as for every route; the 422 below
                 // is the YAML body's.
                 if (!service::IsModelRole(role)) {
                   return SendProblem(res, 400,
                                      "role must be primary, live or shadow, not \"" + role + "\"",
                                      "role");
                 }
                 auto info = live.ActivateModel(req.body, role);
                 if (!info) {
                   if (info.error().code() == StatusCode::kInvalidArgument) {
                     return SendProblem(res, 422, info.error().message(), "model");
                   }
                   if (info.error().code() == StatusCode::kFailedPrecondition) {
                     return SendProblem(res, 409, info.error().message(), "role");
                   }
                   return SendStatus(res, info.error());
                 }
                 SendJson(res, 200,
                          {{"name", info->name},
                           {"version", info->version},
                           {"role", info->role},
                           {"rescoring", ProgressJson(live.progress())}});
               },
               {"role"});

  server.Route("GET", R"(/v1/models/([^/]+))", "/v1/models/{name}", "read",
               [&live](const HttpRequest& req, HttpResponse& res) {
                 auto versions = live.ModelVersions(req.matches[1]);
                 if (!versions) return SendStatus(res, versions.error());
                 if (versions->empty()) {
                   return SendProblem(res, 404, "no model named \"" + req.matches[1] + "\"");
                 }
                 json out = json::array();
                 for (const auto& v : *versions) {
                   out.push_back({{"version", v.version},
                                  {"active", !v.role.empty()},
                                  {"role", v.role.empty() ? json(nullptr) : json(v.role)},
                                  {"yaml", v.yaml}});
                 }
                 SendJson(res, 200, {{"name", req.matches[1]}, {"versions", out}});
               });
}

}  // namespace leadscore::server
