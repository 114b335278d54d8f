// Operations: GET /health (no token), GET /metrics, GET /v1/openapi.json, GET /v1/deliveries.
#include <fmt/format.h>

#include <cmath>
#include <cstdint>

#include "server/http_server.h"
#include "server/http_util.h"
#include "server/lead_json.h"
#include "server/openapi.h"

namespace leadscore::server {

void AddOpsRoutes(HttpServer& server) {
  RouteContext& context = server.context();
  service::LiveService& live = context.live;

  server.RouteQuick("GET", "/health", "/health", "",
                    [&live](const HttpRequest&, HttpResponse& res) {
                      auto set = live.models();
                      SendJson(res, 200,
                               {{"status", "ok"},
                                {"models", set ? set->models.size() : 0},
                                {"rescoring", live.progress().running}});
                    });

  server.Route(
      "GET", "/metrics", "/metrics", "read", [&context](const HttpRequest&, HttpResponse& res) {
        service::LiveService& service = context.live;
        auto progress = service.progress();
        std::string out = context.metrics.Render();
        auto gauge = [&out](const char* name, const char* type, const char* help, double value) {
          out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name,
                             value);
        };
        gauge("leadscore_events_ingested_total", "counter",
              "Events stored (duplicates not counted).",
              static_cast<double>(service.events_ingested()));
        gauge("leadscore_write_groups_total", "counter",
              "Transactions committed by the group commit.",
              static_cast<double>(service.write_groups()));
        gauge("leadscore_rescore_running", "gauge", "1 while a full rescoring pass runs.",
              progress.running ? 1 : 0);
        gauge("leadscore_rescore_total_leads", "gauge", "Leads in the current pass.",
              static_cast<double>(progress.total));
        gauge("leadscore_rescore_done_leads", "gauge", "Leads done in the current pass.",
              static_cast<double>(progress.done));
        gauge("leadscore_leads_scored_total", "counter", "Lead evaluations stored.",
              static_cast<double>(progress.leads_scored));
        gauge("leadscore_transitions_total", "counter", "Stage transitions logged.",
              static_cast<double>(progress.transitions));
        gauge("leadscore_rescore_pending_leads", "gauge", "Leads written to and not yet rescored.",
              static_cast<double>(progress.pending));
        auto cache = service.event_cache_stats();
        gauge("leadscore_event_cache_hits_total", "counter",
              "Lead reads that found the lead's parsed events in memory.",
              static_cast<double>(cache.hits));
        gauge("leadscore_event_cache_extended_total", "counter",
              "Lead reads that found the lead's first events parsed and parsed the newer ones.",
              static_cast<double>(cache.extended));
        gauge("leadscore_event_cache_misses_total", "counter",
              "Lead reads that read and parsed the lead's events.",
              static_cast<double>(cache.misses));
        gauge("leadscore_event_cache_bytes", "gauge", "Memory held by parsed events.",
              static_cast<double>(cache.bytes));
        if (context.options.extra_metrics) out += context.options.extra_metrics();
        res.status = 200;
        res.set_content(out, "text/plain; version=0.0.4");
      });

  server.Route("GET", "/v1/openapi.json", "/v1/openapi.json", "read",
               [](const HttpRequest&, HttpResponse& res) {
                 res.status = 200;
                 res.set_content(std::string(OpenApiDocument()), "application/json");
               });

  server.Route("GET", "/v1/deliveries", "/v1/deliveries", "read",
               [&live](const HttpRequest& req, HttpResponse& res) {
                 std::string status = Query(req, "status").value_or("failed");
                 if (status != "failed" && status != "pending" && status != "delivered") {
                   return SendProblem(res, 400, "status must be failed, pending or delivered",
                                      "status");
                 }
                 const std::optional<PageQuery> query = QueryPage(req, res, 500);
                 if (!query) return;
                 const int64_t page = query->limit;
                 // One more than the page tells whether another page follows.
                 auto rows = live.Deliveries(status, page + 1, query->cursor.value_or(INT64_MAX));
                 if (!rows) return SendStatus(res, rows.error());
                 ViewJson out = ViewJson::array();
                 ViewJson next = nullptr;
                 for (const auto& d : *rows) {
                   if (static_cast<int64_t>(out.size()) == page) {
                     next = std::to_string(out.back()["id"].get<int64_t>());
                     break;
                   }
                   out.push_back(DeliveryJson(d));
                 }
                 SendJson(res, 200,
                          ViewJson{{"status", status}, {"deliveries", out}, {"next_cursor", next}});
               },
               {"status", "limit", "cursor"});
}

}  // namespace leadscore::server
