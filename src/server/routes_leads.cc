// Leads, events and outcomes: /v1/leads, /v1/events, /v1/outcomes.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <type_traits>

#include "server/http_server.h"
#include "server/http_util.h"
#include "server/lead_json.h"
#include "service/event_reader.h"
#include "service/record_json.h"

namespace leadscore::server {
namespace {

using json = ViewJson;  // keys in the order written (lead_json.h)

// What an outcome cannot do without: a number out of range there refuses it. Its time would
// otherwise be now.
const std::initializer_list<std::string_view> kOutcomeNeeds = {"lead_id", "at", "ts"};

// The JSON text of an array of `rows`, each made a document by `to_json`, dumped, and its row
// freed: a lead's 200,000 events held as one document took about 16 times their text.
template <class Row, class ToJson>
std::string ArrayText(std::vector<Row>& rows, ToJson to_json) {
  std::string text = "[";
  for (Row& row : rows) {
    if (text.size() > 1) text += ',';
    if constexpr (std::is_same_v<decltype(to_json(row)), std::string>) {
      text += to_json(row);  // already text (EventText)
    } else {
      text += to_json(row).dump(-1, ' ', false, json::error_handler_t::replace);
    }
    row = Row();
  }
  return text + "]";
}

// 200 when every record was taken (duplicates included), 207-like partial answers are still
// 200 with the rejected ones listed; 400 when none was taken and some were rejected.
void SendIngest(HttpResponse& res, const Result<service::IngestReport>& report) {
  if (!report) return SendStatus(res, report.error());
  int status = report->accepted + report->duplicates == 0 && !report->rejected.empty() ? 400 : 200;
  SendJson(res, status, IngestJson(*report));
}

// The answer of an asynchronous write: SendIngest through `respond`, built on the connection's
// thread rather than the writer's.
service::LiveService::IngestDone IngestAnswer(Respond respond) {
  return [respond = std::move(respond)](Result<service::IngestReport> report) {
    respond.Later([report = std::move(report)](HttpResponse& res) { SendIngest(res, report); });
  };
}

// Whether `id` (when given) is one of `levels`.
bool IsLevelOf(const std::vector<engine::CompiledLevel>& levels,
               const std::optional<std::string>& id) {
  return !id || engine::HasLevel(levels, *id);
}

std::string UnknownLevel(std::string_view what, const std::string& id,
                         const std::vector<engine::CompiledLevel>& levels) {
  const std::string known = engine::LevelIds(levels);
  if (known.empty()) return fmt::format("the model defines no {}, so none is \"{}\"", what, id);
  return fmt::format("the model has no {} \"{}\"; its {}s are {}", what, id, what, known);
}

}  // namespace

void AddLeadRoutes(HttpServer& server) {
  service::LiveService& live = server.context().live;

  // Writes are answered by the writer once committed, with no thread held meanwhile (single
  // events sent one by one are the most frequent request).
  server.RouteAsync("POST", "/v1/leads", "/v1/leads", "write",
                    [&live](const HttpRequest& req, Respond respond) {
                      live.UpsertLeadsAsync(req.body, IngestAnswer(respond));
                    });
  server.RouteAsync("POST", "/v1/events", "/v1/events", "write",
                    [&live](const HttpRequest& req, Respond respond) {
                      live.SendEventsAsync(req.body, IngestAnswer(respond));
                    });

  server.Route(
      "GET", "/v1/leads", "/v1/leads", "read",
      [&live](const HttpRequest& req, HttpResponse& res) {
        store::ScoreFilter filter;
        filter.model = Query(req, "model").value_or("");
        filter.stage = Query(req, "stage");
        filter.grade = Query(req, "grade");
        auto set = live.models();
        const service::ActiveModel* model =
            filter.model.empty() ? set->primary() : set->Find(filter.model);
        if (!filter.model.empty() && !model) {
          return SendProblem(res, 404, "no active model named \"" + filter.model + "\"", "model");
        }
        // A stage or grade the model does not define is a typo, not an empty list.
        if (model && !IsLevelOf(model->compiled->stages(), filter.stage)) {
          return SendProblem(
              res, 400, UnknownLevel("stage", *filter.stage, model->compiled->stages()), "stage");
        }
        if (model && !IsLevelOf(model->compiled->grades(), filter.grade)) {
          return SendProblem(
              res, 400, UnknownLevel("grade", *filter.grade, model->compiled->grades()), "grade");
        }
        std::optional<double> limit;
        if (!QueryNumber(req, res, "min_score", filter.min_score) ||
            !QueryNumber(req, res, "max_score", filter.max_score) ||
            !QueryNumber(req, res, "limit", limit)) {
          return;
        }
        if (limit && (*limit < 1 || *limit > 1000 || *limit != std::floor(*limit))) {
          return SendProblem(res, 400, "limit must be a whole number from 1 to 1000", "limit");
        }
        filter.limit = limit ? static_cast<int64_t>(*limit) : 50;
        if (auto attr = Query(req, "attribute")) {
          auto eq = attr->find(':');
          if (eq == std::string::npos) {
            return SendProblem(res, 400, "attribute must be name:value", "attribute");
          }
          filter.attribute = std::pair{attr->substr(0, eq), attr->substr(eq + 1)};
        }
        if (auto cursor = Query(req, "cursor")) {
          // "<score>|<lead_id>" of the last row of the previous page.
          // A score as written (finite, all of it) and a lead id: anything else was not given.
          const size_t bar = cursor->find('|');
          double score = 0;
          bool given = bar != std::string::npos && bar + 1 < cursor->size();
          if (given) {
            const char* end = cursor->data() + bar;
            const auto read = std::from_chars(cursor->data(), end, score);
            given = read.ec == std::errc() && read.ptr == end && std::isfinite(score);
          }
          if (!given) return SendProblem(res, 400, "a cursor comes from next_cursor", "cursor");
          filter.after = std::pair{score, cursor->substr(bar + 1)};
        }
        // One more than the page tells whether another page follows.
        const int64_t page = filter.limit;
        ++filter.limit;
        auto rows = live.ListLeads(filter);
        if (!rows) return SendStatus(res, rows.error());
        const bool more = static_cast<int64_t>(rows->size()) > page;
        if (more) rows->resize(static_cast<size_t>(page));
        json leads = json::array();
        for (const auto& r : *rows) leads.push_back(ScoreRowJson(r));
        json next = nullptr;
        if (more) next = fmt::format("{}|{}", rows->back().score, rows->back().lead_id);
        SendJson(res, 200, json{{"leads", leads}, {"next_cursor", next}});
      },
      {"model", "stage", "grade", "min_score", "max_score", "limit", "attribute", "cursor"});

  server.Route(
      "GET", R"(/v1/leads/(.+)/history)", "/v1/leads/{id}/history", "read",
      [&live](const HttpRequest& req, HttpResponse& res) {
        std::optional<Timestamp> as_of;
        if (!QueryTime(req, res, "as_of", as_of)) return;
        // Paged back in time: each point is a run over the lead's events, so a page is the
        // `limit` latest points, and next_cursor (the time of the earliest, in microseconds)
        // asks for those before it.
        const std::optional<PageQuery> query = QueryPage(req, res, 500);
        if (!query) return;
        std::string id = req.matches[1];
        size_t earlier = 0;
        auto points = live.ScoreHistory(id, Query(req, "model").value_or(""),
                                        as_of.value_or(service::LiveService::Now()),
                                        static_cast<size_t>(query->limit), query->cursor, &earlier);
        if (!points) return SendStatus(res, points.error());
        auto transitions = live.Transitions(id);
        if (!transitions) return SendStatus(res, transitions.error());
        json scores = json::array();
        for (const auto& [ts, s] : *points) {
          scores.push_back({{"at", FormatTimestamp(ts)},
                            {"score", s.score},
                            {"fit", s.fit},
                            {"engagement", s.engagement},
                            {"grade", s.grade ? json(*s.grade) : json(nullptr)},
                            {"stage", s.stage ? json(*s.stage) : json(nullptr)}});
        }
        // The transitions (of `model` when given) in the time this page covers: from its first
        // point (the first page, the latest points, up to as_of) to the cursor, so that each comes
        // once.
        const std::optional<std::string> model = Query(req, "model");  // none: every model's
        const std::optional<Timestamp> from =
            earlier > 0 && !points->empty() ? std::optional(points->front().first) : std::nullopt;
        json log = json::array();
        for (const auto& t : *transitions) {
          if ((model && t.model != *model) || (as_of && t.at > *as_of)) continue;
          if ((from && t.at < *from) || (query->cursor && t.at >= *query->cursor)) continue;
          log.push_back(TransitionJson(t));
        }
        json next = nullptr;
        if (earlier > 0 && !points->empty()) next = std::to_string(points->front().first);
        SendJson(
            res, 200,
            json{{"lead_id", id}, {"scores", scores}, {"next_cursor", next}, {"transitions", log}});
      },
      {"as_of", "model", "limit", "cursor"});

  server.Route("GET", R"(/v1/leads/(.+)/events)", "/v1/leads/{id}/events", "read",
               [&live](const HttpRequest& req, HttpResponse& res) {
                 // Paged by seq, so a lead with a long history is not one answer held whole.
                 const std::optional<PageQuery> query = QueryPage(req, res, 1000);
                 if (!query) return;
                 // One more than the page tells whether another page follows.
                 auto events = live.Events(req.matches[1], query->cursor.value_or(0),
                                           static_cast<size_t>(query->limit) + 1);
                 if (!events) return SendStatus(res, events.error());
                 json next = nullptr;
                 if (static_cast<int64_t>(events->size()) > query->limit) {
                   events->resize(static_cast<size_t>(query->limit));
                   next = std::to_string(events->back().seq);
                 }
                 // Written as text, each event as stored (EventText).
                 std::string text = json{{"lead_id", req.matches[1]}}.dump(
                     -1, ' ', false, json::error_handler_t::replace);
                 text.pop_back();
                 text += ",\"events\":" + ArrayText(*events, EventText) +
                         ",\"next_cursor\":" + next.dump() + "}";
                 res.status = 200;
                 res.set_content(std::move(text), "application/json");
               },
               {"limit", "cursor"});

  // Everything held about a lead (the right of access), in one document.
  server.Route("GET", R"(/v1/leads/(.+)/export)", "/v1/leads/{id}/export", "admin",
               [&live](const HttpRequest& req, HttpResponse& res) {
                 std::string id = req.matches[1];
                 // As GET /v1/leads/{id} gives it: stage_change_at included.
                 auto view = live.GetLead(id, std::nullopt, /*explain=*/true, /*forecast=*/true);
                 if (!view) return SendStatus(res, view.error());
                 if (!*view) return SendProblem(res, 404, "no lead \"" + id + "\"");
                 auto events = live.Events(id);
                 auto outcomes = live.Outcomes(id);
                 auto transitions = live.Transitions(id);
                 // Deleted meanwhile: NotFound, a 404.
                 if (!events) return SendStatus(res, events.error());
                 if (!outcomes) return SendStatus(res, outcomes.error());
                 if (!transitions) return SendStatus(res, transitions.error());
                 json doc = LeadJson(**view, "");
                 // The CSV cells that read as numbers, as the file wrote them.
                 json texts = service::ParseRecordJson<json>((*view)->lead.cell_texts, nullptr);
                 if (texts.is_object() && !texts.empty()) doc["cell_texts"] = std::move(texts);
                 // The lists are written as text one row at a time, after the lead's members.
                 std::string text = doc.dump(-1, ' ', false, json::error_handler_t::replace);
                 text.pop_back();  // the closing brace: the lead's document has members
                 text += ",\"events\":" + ArrayText(*events, EventText);
                 text += ",\"outcomes\":" + ArrayText(*outcomes, OutcomeJson);
                 text += ",\"transitions\":" + ArrayText(*transitions, TransitionJson) + "}";
                 res.set_header("Content-Disposition", "attachment; filename=\"lead-export.json\"");
                 res.status = 200;
                 res.set_content(std::move(text), "application/json");
               });

  // The right to be forgotten: the lead, its events, outcomes, scores and transitions.
  server.Route("DELETE", R"(/v1/leads/(.+))", "/v1/leads/{id}", "admin",
               [&live](const HttpRequest& req, HttpResponse& res) {
                 auto deleted = live.DeleteLead(req.matches[1]);
                 if (!deleted) return SendStatus(res, deleted.error());
                 if (!*deleted) return SendProblem(res, 404, "no lead \"" + req.matches[1] + "\"");
                 res.status = 204;
               });

  server.Route(
      "POST", "/v1/outcomes", "/v1/outcomes", "write",
      [&live](const HttpRequest& req, HttpResponse& res) {
        // One object: 201 with the outcome. An array or NDJSON: the counts, as for events.
        // A number out of a double's range is null, as in an array of them (and batch).
        std::vector<service::OutOfRangeNumber> numbers;
        const service::RecordJson single =
            service::ParseRecordJson<service::RecordJson>(req.body, &numbers);
        const Timestamp now = service::LiveService::Now();
        if (single.is_object()) {
          service::Rejections rejected, warnings;
          store::OutcomeRow row;
          if (!service::NoteOutOfRange(single, 0, numbers, rejected, warnings, kOutcomeNeeds) ||
              !service::ReadOutcome(single, 0, now, row, rejected, req.body)) {
            return SendProblem(res, 400, rejected[0].message, rejected[0].field);
          }
          Status status = live.RecordOutcome(row);
          if (!status.ok()) return SendStatus(res, status);
          json answer = {{"lead_id", row.lead_id},
                         {"outcome", row.kind},
                         {"at", FormatTimestamp(row.ts)},
                         {"value", row.value ? json(*row.value) : json(nullptr)}};
          // As an array's answer has them, without the index of the one record.
          for (const service::Rejection& w : warnings.Listed()) {
            answer["warnings"].push_back({{"field", w.field}, {"reason", w.message}});
          }
          return SendJson(res, 201, answer);
        }
        service::IngestReport report;
        std::vector<std::vector<service::OutOfRangeNumber>> each_numbers;
        auto objects = service::SplitBody(req.body, report.rejected, &each_numbers);
        if (!objects) return SendStatus(res, objects.error());
        report.received = objects->size();
        service::WriteRequest request;
        // The records' texts, split only for a lead_id beyond 64 bits (as for leads).
        std::optional<std::vector<std::string>> texts;
        for (size_t i = 0; i < objects->size(); ++i) {
          const service::RecordJson& object = (*objects)[i];
          if (object.is_null()) continue;
          if (!service::NoteOutOfRange(object, i, each_numbers[i], report.rejected, report.warnings,
                                       kOutcomeNeeds)) {
            continue;
          }
          std::string_view text;
          if (auto id = object.find("lead_id");
              id != object.end() && service::MayBeWrittenOtherwise(*id)) {
            if (!texts) texts = service::AlignedObjectTexts(req.body, objects->size());
            if (i < texts->size()) text = (*texts)[i];
          }
          store::OutcomeRow row;
          if (service::ReadOutcome(object, i, now, row, report.rejected, text)) {
            request.outcomes.push_back(std::move(row));
          }
        }
        report.accepted = request.outcomes.size();
        SendIngest(res, live.Write(std::move(request), std::move(report)));
      });

  server.Route("GET", R"(/v1/leads/(.+)/outcomes)", "/v1/leads/{id}/outcomes", "read",
               [&live](const HttpRequest& req, HttpResponse& res) {
                 auto outcomes = live.Outcomes(req.matches[1]);
                 if (!outcomes) return SendStatus(res, outcomes.error());
                 json out = json::array();
                 for (const auto& o : *outcomes) out.push_back(OutcomeJson(o));
                 SendJson(res, 200, json{{"lead_id", req.matches[1]}, {"outcomes", out}});
               });

  // Registered last: the routes above match first (the server tries them in order), so a
  // lead_id may hold a slash (sent as %2F).
  server.RouteQuick(
      "GET", R"(/v1/leads/(.+))", "/v1/leads/{id}", "read",
      [&live](const HttpRequest& req, HttpResponse& res) {
        std::optional<Timestamp> as_of;
        if (!QueryTime(req, res, "as_of", as_of)) return;
        bool next_steps = false;
        if (!QueryBool(req, res, "next_steps", next_steps)) return;
        std::string id = req.matches[1];
        auto view = live.GetLead(id, as_of, /*explain=*/true, /*forecast=*/true, next_steps);
        if (!view) return SendStatus(res, view.error());
        if (!*view) return SendProblem(res, 404, "no lead \"" + id + "\"");
        std::string model = Query(req, "model").value_or("");
        if (!model.empty() && !live.models()->Find(model)) {
          return SendProblem(res, 404, "no active model named \"" + model + "\"", "model");
        }
        SendJson(res, 200, LeadJson(**view, model));
      },
      {"as_of", "model", "next_steps"});
}

}  // namespace leadscore::server
